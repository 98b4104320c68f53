"""The connection layer: one session actor per WebSocket, the fan-out hub, subscriptions,
bounded outbound queues, presence, the sequenced channel log, and the ports
(:mod:`actors.realtime.ports`) through which sessions reach the domains without
importing them."""
