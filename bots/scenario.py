"""What the bots do: a :class:`Scenario` split into one :class:`Assignment` per worker.

Contract:

* Every member of every seeded room (up to ``subscribers_per_room``) opens one WebSocket
  and subscribes to the room's channel; the first ``publishers_per_room`` of them also
  send ``rate`` messages per second each for ``duration`` seconds.  The room flood limit
  (10 at once, then 1/s per member) caps ``rate`` at 1.0 for runs longer than ~10 s, so
  load grows with more publishers, not faster ones.
* ``idle_connections`` more WebSockets authenticate with the seeded idle tokens (reused
  round-robin) and only ping every 20 s.
* Connections are dealt round-robin to ``workers`` assignments, so each worker process
  gets its share of publishers and subscribers.
* Only loopback URLs are accepted: :func:`require_loopback` raises ``ValueError`` else.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from bots.accounts import SeededAccounts

MAX_DURATION_S = 3600.0


@dataclasses.dataclass(frozen=True)
class ConnectionSpec:
    """One bot connection: its token, its channel (None: idle) and its send rate."""

    token: str
    channel: str | None = None
    rate: float = 0.0
    audience: int = 0  # subscribers of ``channel``: each sent message should reach them all


@dataclasses.dataclass(frozen=True)
class Assignment:
    """Everything one worker process needs; crosses the process boundary as JSON."""

    url: str
    subprotocol: str
    duration: float
    grace: float
    connect_timeout: float
    report_interval: float
    connections: tuple[ConnectionSpec, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Assignment:
        """The inverse of :meth:`to_json`."""
        fields = dict(data)
        fields["connections"] = tuple(ConnectionSpec(**spec) for spec in data["connections"])
        return cls(**fields)


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A load-test run; see the module docstring for what each field means."""

    url: str
    subprotocol: str = "topicsflow.v1.json"
    workers: int = 2
    duration: float = 10.0
    grace: float = 2.0
    publishers_per_room: int = 1
    rate: float = 1.0
    subscribers_per_room: int | None = None
    idle_connections: int = 0
    connect_timeout: float = 60.0
    report_interval: float = 0.5

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first out-of-bounds field."""
        require_loopback(self.url)
        if not 1 <= self.workers <= 64:
            raise ValueError("workers must be between 1 and 64")
        if not 0 < self.duration <= MAX_DURATION_S:
            raise ValueError(f"duration must be in (0, {MAX_DURATION_S:.0f}] seconds")
        if not 0 <= self.rate <= 100:
            raise ValueError("rate must be between 0 and 100 messages/s per publisher")
        if self.publishers_per_room < 0 or self.idle_connections < 0:
            raise ValueError("counts must not be negative")

    def summary(self) -> dict[str, Any]:
        """The scenario as JSON-ready data (for reports)."""
        return dataclasses.asdict(self)


def require_loopback(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is a ``ws://`` URL on a loopback address (and a
    valid port, if any)."""
    address = urlsplit(url)
    if address.scheme != "ws" or not address.hostname:
        raise ValueError(f"expected a ws:// URL, got {url!r}")
    try:
        address.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ValueError(f"not a TCP port in {url!r}") from None
    if address.hostname == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(address.hostname).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"bots only target loopback addresses, not {address.hostname!r}")


def connection_specs(scenario: Scenario, accounts: SeededAccounts) -> list[ConnectionSpec]:
    """Every connection of the run, publishers first within each room."""
    specs: list[ConnectionSpec] = []
    for room in accounts.rooms:
        members = room.tokens[: scenario.subscribers_per_room]
        for index, token in enumerate(members):
            rate = scenario.rate if index < scenario.publishers_per_room else 0.0
            specs.append(ConnectionSpec(token, room.channel, rate, audience=len(members)))
    if scenario.idle_connections and not accounts.idle_tokens:
        raise ValueError("idle connections need seeded idle users (seed with --idle-users)")
    for index in range(scenario.idle_connections):
        specs.append(ConnectionSpec(accounts.idle_tokens[index % len(accounts.idle_tokens)]))
    return specs


def assignments(scenario: Scenario, accounts: SeededAccounts) -> list[Assignment]:
    """One assignment per worker, connections dealt round-robin (empty ones dropped)."""
    scenario.validate()
    specs = connection_specs(scenario, accounts)
    shares: list[list[ConnectionSpec]] = [[] for _ in range(scenario.workers)]
    for index, spec in enumerate(specs):
        shares[index % scenario.workers].append(spec)
    return [
        Assignment(
            url=scenario.url, subprotocol=scenario.subprotocol, duration=scenario.duration,
            grace=scenario.grace, connect_timeout=scenario.connect_timeout,
            report_interval=scenario.report_interval, connections=tuple(share),
        )
        for share in shares
        if share
    ]
