"""What ``topicsflow bots seed`` creates, whatever it writes to: a :class:`SeedPlan`.

A plan names every account and room of one seeding run.  Names carry a random run id, so
seeding again never collides with an earlier run: room ``i`` has the members
``bot<run>r<i>u00000``, ``bot<run>r<i>u00001``… (the first one owns the room, named
``bots <run> <i>``), and the idle users are ``bot<run>i00000``…  Every name is a valid
username (at most 32 characters for up to 10,000 rooms of up to 100,000 members).
"""

from __future__ import annotations

import dataclasses
import secrets

MAX_ROOM_MEMBERS = 100_000
MAX_ROOMS = 10_000
MAX_IDLE_USERS = 100_000


@dataclasses.dataclass(frozen=True)
class PlannedRoom:
    """One room to seed: its name and its members' usernames (the owner first)."""

    name: str
    usernames: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SeedPlan:
    """The rooms and idle users of one seeding run; see the module docstring."""

    run: str
    rooms: tuple[PlannedRoom, ...]
    idle_usernames: tuple[str, ...]

    @property
    def usernames(self) -> list[str]:
        """Every account of the plan: the rooms' members in order, then the idle users."""
        return [name for room in self.rooms for name in room.usernames] + list(
            self.idle_usernames
        )


def parse_room_sizes(text: str) -> list[int]:
    """``"100,1000"`` as ``[100, 1000]``; ``ValueError`` with a one-line reason else."""
    try:
        return [int(size) for size in text.split(",") if size.strip()]
    except ValueError:
        raise ValueError(f"--rooms expects member counts like 100,1000, got {text!r}") from None


def plan_seed(room_sizes: list[int], idle_users: int, run: str | None = None) -> SeedPlan:
    """The plan for rooms of ``room_sizes`` members and ``idle_users`` more users.

    ``ValueError`` (one line) for a room without members, counts out of bounds or nothing
    to seed at all; ``run`` defaults to six random hex digits.
    """
    if not room_sizes and not idle_users:
        raise ValueError("nothing to seed: ask for rooms (--rooms) or idle users (--idle-users)")
    if len(room_sizes) > MAX_ROOMS:
        raise ValueError(f"at most {MAX_ROOMS} rooms")
    if any(not 1 <= size <= MAX_ROOM_MEMBERS for size in room_sizes):
        raise ValueError(f"every room needs 1 to {MAX_ROOM_MEMBERS} members")
    if not 0 <= idle_users <= MAX_IDLE_USERS:
        raise ValueError(f"idle users must be between 0 and {MAX_IDLE_USERS}")
    run = secrets.token_hex(3) if run is None else run
    rooms = tuple(
        PlannedRoom(
            name=f"bots {run} {index}",
            usernames=tuple(f"bot{run}r{index}u{member:05d}" for member in range(size)),
        )
        for index, size in enumerate(room_sizes)
    )
    idle = tuple(f"bot{run}i{member:05d}" for member in range(idle_users))
    return SeedPlan(run=run, rooms=rooms, idle_usernames=idle)
