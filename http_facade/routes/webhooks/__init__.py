"""``/api/webhooks``: outgoing webhooks of rooms and topics (docs/WEBHOOKS.md)."""
