"""``/api/users``: profiles, preferences, search, blocks."""
