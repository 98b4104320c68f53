"""Who acts, for the access-rule tables: one principal per standing (not a test module)."""

from __future__ import annotations

import dataclasses

from services.principal import Principal
from storage.records import Role


@dataclasses.dataclass(frozen=True)
class Standing:
    """A principal and what the stores would say about them in one topic or room."""

    name: str
    principal: Principal
    role: Role | None = None
    invited: bool = False
    banned: bool = False

    def __str__(self) -> str:
        return self.name


def principal(user_id: str, *, is_admin: bool = False) -> Principal:
    return Principal(user_id=user_id, session_id=f"session-{user_id}", is_admin=is_admin)


OWNER = Standing("owner", principal("u-owner"), role="owner")
MODERATOR = Standing("moderator", principal("u-moderator"), role="moderator")
MEMBER = Standing("member", principal("u-member"), role="member")
NON_MEMBER = Standing("non-member", principal("u-outsider"))
INVITEE = Standing("invitee", principal("u-invitee"), invited=True)
ADMIN = Standing("admin", principal("u-admin", is_admin=True))
BANNED = Standing("banned", principal("u-banned"), banned=True)
"""A ban removes the membership: a banned user holds no role."""

EVERYONE = (OWNER, MODERATOR, MEMBER, NON_MEMBER, INVITEE, ADMIN, BANNED)
