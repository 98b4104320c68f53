"""Which offered rate W1 tries next, and where each latency limit's knee lies (issue 26).

The search brackets every latency limit of :data:`LIMITS_MS` (p99 ≤ 25, 50, 100 and
200 ms) between a rate that kept it and the lowest rate that missed it, then narrows each
bracket to at most :data:`FINE_GROWTH` (10 %):

1. **Ascend** the coarse ladder :data:`COARSE_RATES` (1.33 to 1.67 times apart; it holds
   the anchor rates :data:`ANCHOR_RATES`, 5,000 and 50,000/s, which every server that
   gets that far steps on, for the p99 and CPU-per-delivery comparisons) while the last
   step kept every limit not yet bracketed.
2. **Bisect** (geometric mean) the bracket of the tightest limit not yet resolved, until
   it is within 10 % or as narrow as whole messages allow (rates are multiples of the
   room size, so below 10,000/s a bracket on rooms of 1,000 stays 1,000/s wide).
3. Stop once every limit is resolved, or once the ladder is exhausted (the top rate,
   1,000,000/s, no server reached: ``limit_reached`` is then false and the knees are
   lower bounds), or after :data:`MAX_STEPS`.

The first rate to miss a limit is tried once more before it counts as missed (a rate
is missed only when every try missed): a transient, such as the
minutes after thousands of connections were set up, must not end the climb.  A step
that overloads the server (misses 200 ms) may be followed by lower rates or its retry;
the caller lets the server drain first (:attr:`KneeSearch.overloaded`).  A step that lost
a connection ends the run: the pool is no longer whole.

A step **keeps** limit *L* when its p99 ≤ *L*, it delivered at least
:data:`MIN_DELIVERY_RATIO` of what was sent to the room members and it lost no
connection.  A limit's bracket is the lowest rate that missed it and the highest rate
below that which kept it (a noisy miss lower down makes the bracket conservative).
:func:`knees` gives, per limit, the highest rate delivered by a step that kept it.
"""

from __future__ import annotations

import math
from typing import Any

LIMITS_MS = (25.0, 50.0, 100.0, 200.0)
MIN_DELIVERY_RATIO = 0.95
FINE_GROWTH = 1.10
MAX_STEPS = 60
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


class KneeSearch:
    """The search of one run: :meth:`next_rate` after each recorded step."""

    def __init__(self, room_size: int, *, start: int = COARSE_RATES[0],
                 rates: tuple[int, ...] = COARSE_RATES) -> None:
        self.room_size = room_size
        self._ladder = coarse_rates(room_size, start, rates)
        self.steps: list[dict[str, Any]] = []

    @property
    def limit_reached(self) -> bool:
        """Whether a step missed the loosest limit (else the knees are lower bounds)."""
        return bracket(self.steps, LIMITS_MS[-1])[1] is not None

    def next_rate(self) -> int | None:
        """The rate of the next step, or ``None`` when the run is over."""
        if not self.steps:
            return self._ladder[0] if self._ladder else None
        if self.steps[-1].get("lost_connections", 0) or len(self.steps) >= MAX_STEPS:
            return None
        tried = {int(step["offered_per_s"]) for step in self.steps}
        retry = self._unconfirmed_miss()
        if retry is not None:
            return retry
        for limit in LIMITS_MS:
            kept, missed = bracket(self.steps, limit)
            if missed is None:
                # Nothing tried missed this limit yet: climb the ladder.
                higher = [rate for rate in self._ladder if rate > max(tried)]
                return higher[0] if higher else None
            if kept is None or missed <= kept * FINE_GROWTH:
                continue
            middle = max(quantise(math.sqrt(kept * missed), self.room_size),
                         kept + self.room_size)
            if middle < missed and middle not in tried:
                return middle
        return None

    def _unconfirmed_miss(self) -> int | None:
        """The last step's rate again when it was the first try at that rate and the
        first step to miss its tightest missed limit (a transient, such as a stall right
        after setting up thousands of connections, must not end the climb)."""
        last = self.steps[-1]
        rate = int(last["offered_per_s"])
        if sum(1 for step in self.steps if step["offered_per_s"] == rate) > 1:
            return None
        for limit in LIMITS_MS:
            if not keeps(last, limit):
                return rate if bracket(self.steps[:-1], limit)[1] is None else None
        return None

    @property
    def overloaded(self) -> bool:
        """Whether the last step missed the loosest limit: let the server drain first."""
        return bool(self.steps) and not keeps(self.steps[-1], LIMITS_MS[-1])

    def record(self, step: dict[str, Any]) -> None:
        """Add a finished step (``offered_per_s``, ``latency_ms``, ``delivery_ratio``,
        ``lost_connections``, ``delivered_per_s``)."""
        self.steps.append(step)


def bracket(steps: list[dict[str, Any]], limit_ms: float) -> tuple[int | None, int | None]:
    """``(kept, missed)`` offered rates: the lowest rate whose every try missed
    ``limit_ms`` and the highest rate below it that one try kept (``None``: none)."""
    verdicts: dict[int, bool] = {}
    for step in steps:
        rate = int(step["offered_per_s"])
        verdicts[rate] = verdicts.get(rate, False) or keeps(step, limit_ms)
    missed = min((rate for rate, kept in verdicts.items() if not kept), default=None)
    kept = max((rate for rate, kept in verdicts.items()
                if kept and (missed is None or rate < missed)), default=None)
    return kept, missed


def knees(steps: list[dict[str, Any]]) -> dict[str, int]:
    """Per limit (``"p99_le_25ms"``…), the highest rate delivered by a step keeping it."""
    return {
        f"p99_le_{limit:g}ms": max(
            (int(step["delivered_per_s"]) for step in steps if keeps(step, limit)), default=0)
        for limit in LIMITS_MS
    }


def bracket_ratio(steps: list[dict[str, Any]], limit_ms: float) -> float | None:
    """How far apart a limit's bracket is (missed / kept), i.e. the knee's resolution;
    ``None`` when the limit was never missed or never kept."""
    kept, missed = bracket(steps, limit_ms)
    return round(missed / kept, 3) if kept and missed else None
