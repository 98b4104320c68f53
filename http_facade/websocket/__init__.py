"""The WebSocket endpoint: the gateway (handshake, one session per socket), its ASGI
transport and the Hypercorn fast path (:mod:`.hypercorn_direct`)."""
