"""The community's access rules (``actors.community.access``), table by table.

Each table lists every standing: owner, moderator, member, non-member, invitee, admin
and banned user.  The last tests check that the topic actor's policy applies the rule
and looks up invitations and bans only when they can change the answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from actors.community import access
from actors.community.access import Need
from actors.community.topic_access import TopicPolicy
from actors.community.topic_commands import TopicAccess
from http_facade.routes.topics.schemas import TopicView
from services.errors import DomainError
from storage.records import Ban, Comment, Invitation, Membership, Post, Role, Topic
from tests.unit.access.standings import (
    ADMIN,
    BANNED,
    EVERYONE,
    INVITEE,
    MEMBER,
    MODERATOR,
    NON_MEMBER,
    OWNER,
    Standing,
)

PUBLIC = Topic(id="t-public", title="Public", description="", owner_id=OWNER.principal.user_id)
PRIVATE = Topic(
    id="t-private", title="Private", description="", owner_id=OWNER.principal.user_id,
    is_private=True,
)
INVITE_ONLY, IS_BANNED, MODS_ONLY = access.INVITE_ONLY, access.BANNED, access.MODERATORS_ONLY


def _refusal(standing: Standing, topic: Topic, need: Need) -> str | None:
    return access.topic_refusal(
        standing.principal, topic, standing.role, need,
        invited=standing.invited, banned=standing.banned,
    )


# standing -> (VIEW, READ, WRITE, MODERATE)
PUBLIC_TABLE: dict[Standing, tuple[str | None, ...]] = {
    OWNER: (None, None, None, None),
    MODERATOR: (None, None, None, None),
    MEMBER: (None, None, None, MODS_ONLY),
    NON_MEMBER: (None, None, None, MODS_ONLY),
    INVITEE: (None, None, None, MODS_ONLY),
    ADMIN: (None, None, None, None),
    BANNED: (None, None, IS_BANNED, MODS_ONLY),
}
PRIVATE_TABLE: dict[Standing, tuple[str | None, ...]] = {
    OWNER: (None, None, None, None),
    MODERATOR: (None, None, None, None),
    MEMBER: (None, None, None, MODS_ONLY),
    NON_MEMBER: (INVITE_ONLY, INVITE_ONLY, INVITE_ONLY, INVITE_ONLY),
    INVITEE: (None, INVITE_ONLY, INVITE_ONLY, INVITE_ONLY),
    ADMIN: (None, None, None, None),
    BANNED: (INVITE_ONLY, INVITE_ONLY, INVITE_ONLY, INVITE_ONLY),
}
NEEDS = (Need.VIEW, Need.READ, Need.WRITE, Need.MODERATE)
TOPICS = [(PUBLIC, PUBLIC_TABLE), (PRIVATE, PRIVATE_TABLE)]


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
@pytest.mark.parametrize(("topic", "table"), TOPICS, ids=["public", "private"])
def test_topic_refusal(
    standing: Standing, topic: Topic, table: dict[Standing, tuple[str | None, ...]]
) -> None:
    assert tuple(_refusal(standing, topic, need) for need in NEEDS) == table[standing]


@pytest.mark.parametrize(
    ("standing", "public", "private"),
    [
        (OWNER, True, True), (MODERATOR, True, True), (MEMBER, True, True),
        (NON_MEMBER, True, False), (INVITEE, True, False), (ADMIN, True, True),
        (BANNED, True, False),
    ],
    ids=str,
)
def test_may_read_topic(standing: Standing, public: bool, private: bool) -> None:
    assert access.may_read_topic(standing.principal, PUBLIC, standing.role) is public
    assert access.may_read_topic(standing.principal, PRIVATE, standing.role) is private


# standing -> (holds a moderator role, may moderate, acts as owner, changes privacy,
#              manages the trash, may add a room, is the owner)
ROLE_TABLE: dict[Standing, tuple[bool, ...]] = {
    OWNER: (True, True, True, True, False, True, True),
    MODERATOR: (True, True, False, False, False, True, False),
    MEMBER: (False, False, False, False, False, False, False),
    NON_MEMBER: (False, False, False, False, False, False, False),
    INVITEE: (False, False, False, False, False, False, False),
    ADMIN: (False, True, True, True, True, False, False),
    BANNED: (False, False, False, False, False, False, False),
}


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
def test_owner_and_moderator_rules(standing: Standing) -> None:
    who, role = standing.principal, standing.role
    assert (
        access.holds_moderator_role(role),
        access.may_moderate(role, is_admin=who.is_admin),
        access.may_act_as_owner(who, PUBLIC),
        access.may_change_privacy(who, role),
        access.may_manage_trash(who),
        access.may_add_room(role),
        access.is_topic_owner(who, PUBLIC),
    ) == ROLE_TABLE[standing]


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
def test_topic_access_and_topic_view_follow_the_moderator_rule(standing: Standing) -> None:
    expected = ROLE_TABLE[standing][1]
    who = standing.principal
    assert TopicAccess(topic=PUBLIC, role=standing.role, is_admin=who.is_admin).can_moderate is (
        expected
    )
    assert TopicView.of(PUBLIC, standing.role, is_admin=who.is_admin).can_moderate is expected


# standing -> (join a public topic, join a private topic)
JOIN_TABLE: dict[Standing, tuple[str | None, str | None]] = {
    OWNER: (None, INVITE_ONLY),  # an owner is a member: the actor answers before the rule
    MODERATOR: (None, INVITE_ONLY),
    MEMBER: (None, INVITE_ONLY),
    NON_MEMBER: (None, INVITE_ONLY),
    INVITEE: (None, None),
    ADMIN: (None, None),
    BANNED: (IS_BANNED, IS_BANNED),
}


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
def test_join_refusal(standing: Standing) -> None:
    def refusal(topic: Topic) -> str | None:
        return access.join_refusal(
            standing.principal, topic, invited=standing.invited, banned=standing.banned
        )

    assert (refusal(PUBLIC), refusal(PRIVATE)) == JOIN_TABLE[standing]


def test_a_banned_admin_cannot_join() -> None:
    assert access.join_refusal(ADMIN.principal, PUBLIC, invited=False, banned=True) == IS_BANNED


OWNER_IMMUNE = "the owner cannot be banned"
OWNER_BANS_MODERATORS = "only the owner may ban a moderator"
# banning standing -> refusal when the target is (the owner, a moderator, a member, nobody)
BAN_TABLE: dict[Standing, tuple[str | None, ...]] = {
    OWNER: (OWNER_IMMUNE, None, None, None),
    MODERATOR: (OWNER_IMMUNE, OWNER_BANS_MODERATORS, None, None),
    ADMIN: (OWNER_IMMUNE, None, None, None),
}


@pytest.mark.parametrize("standing", list(BAN_TABLE), ids=str)
def test_ban_refusal(standing: Standing) -> None:
    targets: tuple[Role | None, ...] = ("owner", "moderator", "member", None)
    assert tuple(
        access.ban_refusal(standing.principal, standing.role, target) for target in targets
    ) == BAN_TABLE[standing]


AUTHOR = NON_MEMBER
"""The author of the items below holds no role in the topic."""
POST = Post(
    id="p1", topic_id=PUBLIC.id, author_id=AUTHOR.principal.user_id, title="t", body="b",
    created_at=0.0,
)
COMMENT = Comment(
    id="c1", post_id=POST.id, parent_id=None, root_id="c1", depth=0, path="c1",
    author_id=AUTHOR.principal.user_id, body="b", created_at=0.0,
)
TOMBSTONE = Comment(
    id="c2", post_id=POST.id, parent_id=None, root_id="c2", depth=0, path="c2",
    author_id=None, body="", created_at=0.0, deleted_at=1.0,
)
# standing -> (edit the post, delete the post, edit the comment, delete the comment,
#              delete the tombstone, sees the real author)
ITEM_TABLE: dict[Standing, tuple[bool, ...]] = {
    OWNER: (False, True, False, True, True, True),
    MODERATOR: (False, True, False, True, True, True),
    MEMBER: (False, False, False, False, False, False),
    AUTHOR: (True, True, True, True, False, True),
    INVITEE: (False, False, False, False, False, False),
    ADMIN: (False, True, False, True, True, True),
    BANNED: (False, False, False, False, False, False),
}


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
def test_author_or_moderator_rules(standing: Standing) -> None:
    who, role = standing.principal, standing.role
    moderates = access.may_moderate(role, is_admin=who.is_admin)
    assert (
        access.may_edit_post(who, POST),
        access.may_delete_post(who, POST, role),
        access.may_edit_comment(who, COMMENT),
        access.may_delete_comment(who, COMMENT, role),
        access.may_delete_comment(who, TOMBSTONE, role),
        access.sees_real_author(who, POST.author_id, moderates=moderates),
    ) == ITEM_TABLE[standing]


# ----------------------------------------------------------------------------- the policy


class CountingMembers:
    """The topic's members, invitations and bans as storage holds them; counts reads."""

    def __init__(self, standing: Standing, topic: Topic) -> None:
        self.standing = standing
        self.topic = topic
        self.reads: list[str] = []

    async def get(self, topic_id: str, user_id: str) -> Membership | None:
        role = self.standing.role
        if role is None:
            return None
        return Membership(scope_id=topic_id, user_id=user_id, role=role, joined_at=0.0)

    async def get_ban(self, topic_id: str, user_id: str) -> Ban | None:
        self.reads.append("ban")
        if not self.standing.banned:
            return None
        return Ban(scope_id=topic_id, user_id=user_id, banned_by="x", reason="", created_at=0.0)

    async def list_invitations(self, user_id: str) -> list[Invitation]:
        self.reads.append("invitations")
        if not self.standing.invited:
            return []
        return [Invitation(scope_id=self.topic.id, user_id=user_id, invited_by="x", created_at=0)]


class CountingTopics:
    def __init__(self, standing: Standing, topic: Topic) -> None:
        self.topic = topic
        self.members = CountingMembers(standing, topic)

    async def get(self, topic_id: str, *, include_deleted: bool = False) -> Topic:
        return self.topic


class CountingStore:
    def __init__(self, standing: Standing, topic: Topic) -> None:
        self.topics = CountingTopics(standing, topic)


def _expected_reads(standing: Standing, topic: Topic, need: Need) -> list[str]:
    """The reads of the policy before the rules moved to ``access``, written out."""
    who = standing.principal
    if who.is_admin:
        return []
    if topic.is_private and standing.role is None:
        return ["invitations"] if need is Need.VIEW else []
    return ["ban"] if need is Need.WRITE else []


@pytest.mark.parametrize("need", NEEDS, ids=lambda need: need.value)
@pytest.mark.parametrize("standing", EVERYONE, ids=str)
@pytest.mark.parametrize(("topic", "table"), TOPICS, ids=["public", "private"])
async def test_the_policy_applies_the_rule_and_reads_only_what_matters(
    standing: Standing, topic: Topic, table: dict[Standing, tuple[str | None, ...]], need: Need
) -> None:
    store: Any = CountingStore(standing, topic)
    policy = TopicPolicy(store, topic.id)
    await policy.load()
    expected = table[standing][NEEDS.index(need)]
    if expected is None:
        granted = await policy.check(standing.principal, need)
        assert (granted.role, granted.is_admin) == (standing.role, standing.principal.is_admin)
    else:
        with pytest.raises(DomainError) as refused:
            await policy.check(standing.principal, need)
        assert (refused.value.code.value, refused.value.message) == ("forbidden", expected)
    assert store.topics.members.reads == _expected_reads(standing, topic, need)


@pytest.mark.parametrize("standing", EVERYONE, ids=str)
def test_the_policy_requires_the_owner_or_an_admin(standing: Standing) -> None:
    store: Any = CountingStore(standing, PUBLIC)
    policy = TopicPolicy(store, PUBLIC.id)
    policy.replace_topic(PUBLIC)
    if ROLE_TABLE[standing][2]:
        assert policy.require_owner(standing.principal) == PUBLIC
    else:
        with pytest.raises(DomainError):
            policy.require_owner(standing.principal)
