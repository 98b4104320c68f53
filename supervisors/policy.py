"""Restart policy vocabulary (OTP's): strategies, child types, intensity and backoff.

* :class:`Strategy` — which siblings restart with a failed child.
* :class:`RestartType` — whether a child that ended is restarted at all.
* :class:`RestartIntensity` — at most ``max_restarts`` restarts within ``period``
  seconds; one more and the supervisor gives up and escalates to its parent.
* :class:`Backoff` — an optional growing delay before each restart.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from typing import Final


class Strategy(enum.Enum):
    """What a supervisor restarts when one child must be restarted."""

    ONE_FOR_ONE = "one_for_one"
    """Only that child."""
    ONE_FOR_ALL = "one_for_all"
    """Every child: the others are stopped (last started first), then all start again."""
    REST_FOR_ONE = "rest_for_one"
    """That child and the children started after it."""


class RestartType(enum.Enum):
    """Whether a child that ended is restarted."""

    PERMANENT = "permanent"
    """Always restarted, even after a normal exit."""
    TRANSIENT = "transient"
    """Restarted only after a crash (an exception)."""
    TEMPORARY = "temporary"
    """Never restarted; when a sibling's failure stops it, it is removed."""

    def restarts_after(self, *, crashed: bool) -> bool:
        """Whether a child of this type is restarted after ending this way."""
        if self is RestartType.PERMANENT:
            return True
        if self is RestartType.TRANSIENT:
            return crashed
        return False


@dataclass(frozen=True, slots=True)
class RestartIntensity:
    """At most ``max_restarts`` restarts within ``period`` seconds (OTP: 3 in 5 s)."""

    max_restarts: int = 3
    period: float = 5.0

    def __post_init__(self) -> None:
        if self.max_restarts < 0:
            raise ValueError("max_restarts must be >= 0")
        if self.period <= 0:
            raise ValueError("period must be > 0")


DEFAULT_INTENSITY: Final = RestartIntensity()
"""OTP's default: 3 restarts within 5 seconds."""


class RestartWindow:
    """Restart times within the intensity's sliding period.

    ``record(now)`` notes one more restart and reports whether the intensity is now
    exceeded (more than ``max_restarts`` restarts within ``period`` seconds).
    """

    __slots__ = ("_times", "intensity")

    def __init__(self, intensity: RestartIntensity) -> None:
        self.intensity = intensity
        self._times: deque[float] = deque()

    def record(self, now: float) -> bool:
        """Note a restart at ``now``; return ``True`` if the intensity is exceeded."""
        times = self._times
        times.append(now)
        horizon = now - self.intensity.period
        while times and times[0] <= horizon:
            times.popleft()
        return len(times) > self.intensity.max_restarts

    @property
    def recent(self) -> int:
        """Restarts currently inside the window (the last ``record`` included)."""
        return len(self._times)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before a restart: ``initial * factor ** (n - 1)`` capped at ``maximum``,
    where ``n`` counts the restarts inside the intensity window."""

    initial: float = 0.1
    factor: float = 2.0
    maximum: float = 5.0

    def __post_init__(self) -> None:
        if self.initial < 0 or self.factor < 1 or self.maximum < 0:
            raise ValueError("backoff needs initial >= 0, factor >= 1, maximum >= 0")

    def delay(self, recent_restarts: int) -> float:
        """Seconds to wait before the ``recent_restarts``-th restart of the window."""
        exponent = max(recent_restarts - 1, 0)
        return min(self.maximum, self.initial * self.factor**exponent)
