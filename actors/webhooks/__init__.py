"""Outgoing webhooks: the ``webhook`` actor per webhook, the node's tap on the hub, the
events they deliver and who may manage them (docs/WEBHOOKS.md)."""
