"""``/api/search``: full-text search within what the caller may read."""
