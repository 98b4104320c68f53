"""``/api/reports``: reports and the moderation queue."""
