"""``/api/messages``: direct-message conversations."""
