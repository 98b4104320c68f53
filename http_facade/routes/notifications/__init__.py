"""``/api/notifications``."""
