"""The chat domain's access rules (``actors.chat.access``), table by table.

Standings in a room: owner, moderator, member, non-member, admin (no role in the room)
and banned (a ban removes the membership, but a member may be found banned before the
actor learns it, so ``member_refusal`` is checked for both).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from actors.chat import access
from storage.records import Message, Role
from tests.unit.access.standings import (
    ADMIN,
    BANNED,
    MEMBER,
    MODERATOR,
    NON_MEMBER,
    OWNER,
    Standing,
)

ROOM_STANDINGS = (OWNER, MODERATOR, MEMBER, NON_MEMBER, ADMIN, BANNED)

# standing -> (holds a moderator role, updates the room, kicks, may be kicked,
#              deletes the room, may leave, exempt from slow mode, may @here)
ROLE_TABLE: dict[Standing, tuple[bool, ...]] = {
    OWNER: (True, True, True, False, True, False, True, True),
    MODERATOR: (True, True, True, True, False, True, True, True),
    MEMBER: (False, False, False, True, False, True, False, False),
    NON_MEMBER: (False, False, False, True, False, True, False, False),
    ADMIN: (False, False, True, True, True, True, False, False),
    BANNED: (False, False, False, True, False, True, False, False),
}


@pytest.mark.parametrize("standing", ROOM_STANDINGS, ids=str)
def test_owner_and_moderator_rules(standing: Standing) -> None:
    role, is_admin = standing.role, standing.principal.is_admin
    assert (
        access.holds_moderator_role(role),
        access.may_update_room(role),
        access.may_kick(role, is_admin=is_admin),
        access.may_be_kicked(role),
        access.may_delete_room(role, is_admin=is_admin),
        access.may_leave_room(role),
        access.exempt_from_slow_mode(role),
        access.may_mention_everyone(role),
    ) == ROLE_TABLE[standing]


@pytest.mark.parametrize(
    ("is_member", "banned", "expected"),
    [
        (True, False, None),
        (True, True, access.BANNED),
        (False, False, access.NOT_A_MEMBER),
        (False, True, access.NOT_A_MEMBER),  # not a member comes first
    ],
)
def test_member_refusal(is_member: bool, banned: bool, expected: str | None) -> None:
    assert access.member_refusal(is_member=is_member, banned=banned) == expected


AUTHOR = MEMBER
MESSAGE = Message(
    id="m1", room_id="r1", seq=1, author_id=AUTHOR.principal.user_id, body="hi", created_at=0.0
)
# standing -> (edits the member's message, deletes it)
MESSAGE_TABLE: dict[Standing, tuple[bool, bool]] = {
    OWNER: (False, True),
    MODERATOR: (False, True),
    AUTHOR: (True, True),
    NON_MEMBER: (False, False),
    ADMIN: (False, True),
    BANNED: (False, False),
}


@pytest.mark.parametrize("standing", ROOM_STANDINGS, ids=str)
def test_author_or_moderator_rules_of_messages(standing: Standing) -> None:
    who = standing.principal
    assert (
        access.may_edit_message(who.user_id, MESSAGE),
        access.may_delete_message(who.user_id, MESSAGE, standing.role, is_admin=who.is_admin),
    ) == MESSAGE_TABLE[standing]


@pytest.mark.parametrize("standing", ROOM_STANDINGS, ids=str)
def test_a_role_only_widens_what_a_rule_allows(standing: Standing) -> None:
    """What lets callers read the role only when ``role=None`` is refused."""
    who = standing.principal
    rules: list[Callable[[Role | None], bool]] = [
        lambda role: access.may_kick(role, is_admin=who.is_admin),
        lambda role: access.may_delete_room(role, is_admin=who.is_admin),
        lambda role: access.may_delete_message(
            who.user_id, MESSAGE, role, is_admin=who.is_admin
        ),
    ]
    for rule in rules:
        roles: tuple[Role, ...] = ("owner", "moderator", "member")
        assert not rule(None) or all(rule(role) for role in roles)
