"""Topics and posts: the topic and post actors, their commands, membership and access,
the channel routes of ``topic:``, ``post:`` and ``user:`` channels, and payloads."""
