"""Call signalling: the call actor, its commands, channel routes, events and helpers."""
