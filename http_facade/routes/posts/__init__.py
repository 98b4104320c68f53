"""``/api/posts`` and ``/api/comments``."""
