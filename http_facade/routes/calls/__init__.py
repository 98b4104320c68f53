"""``/api/calls``."""
