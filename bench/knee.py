"""Which offered rate W1 tries next, and where each latency limit's knee lies (issue 26).

A run ascends (no rate is tried twice):

1. **Coarse**: the rates of :data:`COARSE_RATES` (1.33 to 1.67 times apart) from the first
   one, until a step misses the tightest limit (:data:`LIMITS_MS`, 25 ms).
2. **Fine**: back to the last coarse rate that kept the tightest limit, then up in steps of
   at most :data:`FINE_GROWTH` (10 %), until a step misses the loosest limit (200 ms) or
   loses deliveries or connections.  An anchor rate (:data:`ANCHOR_RATES`) on the way is
   stepped on exactly, so that every server has a step at 5,000 and 50,000 deliveries/s
   for the latency and CPU-per-delivery comparisons.

A coarse step that overloads the server (misses 200 ms at once, as hockey-stick curves
do) still leads to the fine phase below it, after the caller lets the server drain
(:attr:`KneeSearch.overloaded`); a fine step that misses 200 ms, or any step that lost a
connection, ends the run.

Rates are multiples of the room size (one message/s per publisher), so for rooms of
1,000 a fine step below 10,000/s is 1,000/s wide, more than 10 %.  There is no ceiling
other than :data:`COARSE_RATES`' last entry, which no server has reached: a run that
ends there says ``limit_reached: false`` and its knees are lower bounds.

A step **keeps** limit *L* when its p99 ≤ *L*, it delivered at least
:data:`MIN_DELIVERY_RATIO` of what was sent to the room members and it lost no
connection.  :func:`knees` gives, per limit, the highest rate delivered by a step that
kept it.
"""

from __future__ import annotations

import math
from typing import Any

LIMITS_MS = (25.0, 50.0, 100.0, 200.0)
MIN_DELIVERY_RATIO = 0.95
FINE_GROWTH = 1.10
ANCHOR_RATES = (5_000, 50_000)
COARSE_RATES = (1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 50_000,
                70_000, 100_000, 150_000, 200_000, 300_000, 450_000, 700_000, 1_000_000)


def keeps(step: dict[str, Any], limit_ms: float) -> bool:
    """Whether ``step`` kept ``limit_ms`` (see the module docstring)."""
    p99 = step["latency_ms"]["p99"]
    return (p99 is not None and p99 <= limit_ms
            and step["delivery_ratio"] >= MIN_DELIVERY_RATIO
            and step.get("lost_connections", 0) == 0)


def quantise(rate: float, room_size: int) -> int:
    """``rate`` rounded down to a whole number of messages per second (at least one)."""
    return max(1, int(rate) // room_size) * room_size


def plan_step(deliveries: int, room_size: int) -> dict[str, int]:
    """``{"deliveries", "rooms", "publishers"}`` for an offered rate: as few rooms as
    hold that many publishers at one message/s each (publishers per room)."""
    messages = max(1, deliveries // room_size)
    rooms = math.ceil(messages / room_size)
    return {"deliveries": messages * room_size, "rooms": rooms, "publishers": messages // rooms}


def max_rooms(room_size: int, rates: tuple[int, ...] = COARSE_RATES) -> int:
    """The rooms a pool must hold for the highest rate of ``rates``."""
    return max(plan_step(rate, room_size)["rooms"] for rate in rates)


def coarse_rates(room_size: int, start: int, rates: tuple[int, ...] = COARSE_RATES) -> list[int]:
    """The coarse ladder from ``start``, quantised, without repeats."""
    ladder: list[int] = []
    for rate in rates:
        value = quantise(rate, room_size)
        if rate >= start and (not ladder or value > ladder[-1]):
            ladder.append(value)
    return ladder


def fine_next(rate: int, room_size: int) -> int:
    """The next fine rate above ``rate``: ≤ 10 % higher where the room size allows, and
    exactly an anchor rate when one lies in between."""
    candidate = max(quantise(rate * FINE_GROWTH, room_size), rate + room_size)
    for anchor in ANCHOR_RATES:
        anchor_rate = quantise(anchor, room_size)
        if rate < anchor_rate < candidate:
            return anchor_rate
    return candidate


class KneeSearch:
    """The ascending search of one run: :meth:`next_rate` after each recorded step."""

    def __init__(self, room_size: int, *, start: int = COARSE_RATES[0],
                 rates: tuple[int, ...] = COARSE_RATES) -> None:
        self.room_size = room_size
        self._ladder = coarse_rates(room_size, start, rates)
        self._coarse_index = 0
        self._fine = False
        self._last_tight_pass: int | None = None
        self.steps: list[dict[str, Any]] = []
        self.limit_reached = False

    def next_rate(self) -> int | None:
        """The rate of the next step, or ``None`` when the run is over."""
        if not self.steps:
            return self._ladder[0] if self._ladder else None
        last = self.steps[-1]
        rate = int(last["offered_per_s"])
        if not keeps(last, LIMITS_MS[-1]):
            self.limit_reached = True
            if self._fine or last.get("lost_connections", 0) or self._last_tight_pass is None:
                return None
            self._fine = True
            following = self._untried(fine_next(self._last_tight_pass, self.room_size))
            return following if following < rate else None
        if self._fine:
            return self._untried(fine_next(rate, self.room_size))
        if keeps(last, LIMITS_MS[0]):
            self._last_tight_pass = rate
            self._coarse_index += 1
            if self._coarse_index < len(self._ladder):
                return self._ladder[self._coarse_index]
            return None
        self._fine = True
        base = self._last_tight_pass
        if base is None:
            return fine_next(rate, self.room_size)
        following = fine_next(base, self.room_size)
        return self._untried(following if following < rate else fine_next(rate, self.room_size))

    def _untried(self, rate: int) -> int:
        tried = {int(step["offered_per_s"]) for step in self.steps}
        while rate in tried:
            rate = fine_next(rate, self.room_size)
        return rate

    @property
    def overloaded(self) -> bool:
        """Whether the last step missed the loosest limit: let the server drain first."""
        return bool(self.steps) and not keeps(self.steps[-1], LIMITS_MS[-1])

    def record(self, step: dict[str, Any]) -> None:
        """Add a finished step (``offered_per_s``, ``latency_ms``, ``delivery_ratio``,
        ``lost_connections``, ``delivered_per_s``)."""
        self.steps.append(step)


def knees(steps: list[dict[str, Any]]) -> dict[str, int]:
    """Per limit (``"p99_le_25ms"``…), the highest rate delivered by a step keeping it."""
    return {
        f"p99_le_{limit:g}ms": max(
            (int(step["delivered_per_s"]) for step in steps if keeps(step, limit)), default=0)
        for limit in LIMITS_MS
    }


def bracket_ratio(steps: list[dict[str, Any]], limit_ms: float) -> float | None:
    """How far apart the best step keeping ``limit_ms`` and the next step above it that
    missed it are (offered rates), i.e. the knee's resolution; ``None`` if unbracketed."""
    kept = [step["offered_per_s"] for step in steps if keeps(step, limit_ms)]
    if not kept:
        return None
    best = max(kept)
    missed = [step["offered_per_s"] for step in steps
              if not keeps(step, limit_ms) and step["offered_per_s"] > best]
    return round(min(missed) / best, 3) if missed else None
