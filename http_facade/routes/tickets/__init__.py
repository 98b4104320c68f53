"""``/api/tickets``: support tickets between users and the admins."""
