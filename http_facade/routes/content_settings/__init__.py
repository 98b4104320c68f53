"""``/api/content-settings``: the topics and users a user hid from their feeds and lists."""
