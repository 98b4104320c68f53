"""Seed plans: valid, distinct names per run; bounds refused with one line."""

from __future__ import annotations

import pytest

from bots.seed_plan import MAX_ROOM_MEMBERS, MAX_ROOMS, parse_room_sizes, plan_seed
from services.accounts.identity_rules import username_problem


def test_a_plan_names_every_member_and_idle_user_once_owner_first() -> None:
    plan = plan_seed([3, 1], 2, run="abc123")
    assert [room.name for room in plan.rooms] == ["bots abc123 0", "bots abc123 1"]
    assert plan.rooms[0].usernames == (
        "botabc123r0u00000", "botabc123r0u00001", "botabc123r0u00002"
    )
    assert plan.idle_usernames == ("botabc123i00000", "botabc123i00001")
    assert len(set(plan.usernames)) == len(plan.usernames) == 6


def test_the_longest_names_are_still_usernames() -> None:
    longest = f"botffffffr{MAX_ROOMS - 1}u{MAX_ROOM_MEMBERS - 1:05d}"
    assert username_problem(longest) is None


def test_runs_get_different_names() -> None:
    assert plan_seed([1], 0).usernames != plan_seed([1], 0).usernames


@pytest.mark.parametrize(
    ("sizes", "idle", "reason"),
    [
        ([0], 0, "1 to"),
        ([MAX_ROOM_MEMBERS + 1], 0, "1 to"),
        ([], 0, "nothing to seed"),
        ([1], -1, "idle users"),
    ],
)
def test_out_of_bounds_plans_are_refused(sizes: list[int], idle: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        plan_seed(sizes, idle)


def test_room_sizes_are_parsed_or_refused_in_one_line() -> None:
    assert parse_room_sizes("100, 1000,") == [100, 1000]
    with pytest.raises(ValueError, match="--rooms expects"):
        parse_room_sizes("ten")
