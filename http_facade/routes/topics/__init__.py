"""``/api/topics``: topics, membership and moderation."""
