"""Connection specs for the load generator: who connects, with which credentials, to which room.

A spec is ``{"token", "room", "room_index", "member_index"}`` (``room`` empty for an
idle connection).  The loadgen publishes in a step from the connections whose
``room_index`` and ``member_index`` are below the step's room and publisher counts, so
every server gets the same rooms, members and publishers:

* ``topicsflow``: the seeded rooms' channels and members' session tokens (accounts as
  :mod:`bench.server_source` returns them); idle connections reuse the seeded idle
  users' tokens round-robin.
* Socket.IO peers: rooms named ``r<size>-<k>``, no credentials (the seed's handlers
  authenticate nothing either).
* Centrifugo (every variant of :data:`bench.servers.CENTRIFUGO_SERVERS`): channels
  ``r<size>_<k>``, a connection JWT per member (:func:`bench.servers.centrifugo_token`).
"""

from __future__ import annotations

from typing import Any

from bench.servers import CENTRIFUGO_SERVERS, centrifugo_token

Spec = dict[str, Any]


def fanout_specs(
    server: str, room_size: int, rooms: int, accounts: dict[str, Any] | None
) -> list[Spec]:
    """Specs for ``rooms`` rooms of ``room_size`` members on ``server``."""
    if server == "topicsflow":
        if accounts is None:
            raise ValueError("topicsflow needs seeded accounts")
        seeded = [room for room in accounts["rooms"] if len(room["tokens"]) == room_size][:rooms]
        if len(seeded) < rooms:
            raise ValueError(f"only {len(seeded)} seeded rooms of {room_size}, {rooms} wanted")
        return [
            {"token": token, "room": room["channel"], "room_index": k, "member_index": i}
            for k, room in enumerate(seeded) for i, token in enumerate(room["tokens"])
        ]
    specs = []
    for k in range(rooms):
        for i in range(room_size):
            if server in CENTRIFUGO_SERVERS:
                token, room = centrifugo_token(f"u{room_size}-{k}-{i}"), f"r{room_size}_{k}"
            else:
                token, room = "", f"r{room_size}-{k}"
            specs.append({"token": token, "room": room, "room_index": k, "member_index": i})
    return specs


def idle_specs(server: str, count: int, accounts: dict[str, Any] | None) -> list[Spec]:
    """Specs for ``count`` idle connections (no room) on ``server``."""
    tokens: list[str]
    if server == "topicsflow":
        if accounts is None or not accounts["idle_tokens"]:
            raise ValueError("topicsflow needs seeded idle users")
        pool = accounts["idle_tokens"]
        tokens = [pool[index % len(pool)] for index in range(count)]
    elif server in CENTRIFUGO_SERVERS:
        tokens = [centrifugo_token(f"idle{index % 200}") for index in range(count)]
    else:
        tokens = [""] * count
    return [
        {"token": token, "room": "", "room_index": -1, "member_index": -1} for token in tokens
    ]
