"""Contract: topics, memberships, invitations, bans."""

from __future__ import annotations

import pytest
import trio

from storage import Conflict, NotFound, Store
from tests.unit.storage.support import FakeClock, unique


async def test_create_makes_owner_member(store: Store) -> None:
    topic = await store.topics.create(
        owner_id="owner", title=unique("Python"), description="Snakes", tags=["Code", " code", "PY"]
    )
    assert topic.tags == ("code", "py") and topic.member_count == 1 and topic.post_count == 0
    assert await store.topics.get(topic.id) == topic
    membership = await store.topics.members.get(topic.id, "owner")
    assert membership is not None and membership.role == "owner"


async def test_title_unique_case_insensitively(store: Store) -> None:
    title = unique("Ünïcode Tïtle")
    await store.topics.create(owner_id="o", title=title)
    with pytest.raises(Conflict) as conflict:
        await store.topics.create(owner_id="o", title=title.upper())
    assert conflict.value.field == "title"
    other = await store.topics.create(owner_id="o", title=unique("other"))
    with pytest.raises(Conflict):
        await store.topics.update(other.id, title=title.lower())


async def test_update_delete_restore(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("t"), tags=["a"])
    updated = await store.topics.update(topic.id, description="new ✨", tags=["B"], is_private=True)
    assert (updated.description, updated.tags, updated.is_private) == ("new ✨", ("b",), True)
    assert (await store.topics.update(topic.id)).title == topic.title
    deleted = await store.topics.delete(topic.id)
    assert deleted.deleted_at is not None
    with pytest.raises(NotFound):
        await store.topics.get(topic.id)
    assert (await store.topics.get(topic.id, include_deleted=True)).id == topic.id
    assert await store.topics.get_many([topic.id]) == []
    restored = await store.topics.restore(topic.id)
    assert restored.deleted_at is None
    assert await store.topics.get_many([topic.id, "missing"]) == [restored]


async def test_list_sorts_tags_and_paging(store: Store, clock: FakeClock) -> None:
    tag = unique("tag")
    first = await store.topics.create(owner_id="o", title=unique("first"), tags=[tag])
    clock.advance(1)
    second = await store.topics.create(owner_id="o", title=unique("second"), tags=[tag])
    clock.advance(1)
    third = await store.topics.create(owner_id="o", title=unique("third"), tags=[tag])
    await store.topics.create(owner_id="o", title=unique("untagged"))
    clock.advance(1)
    await store.topics.touch(first.id)
    await store.topics.members.join(second.id, "u1")
    await store.topics.members.join(second.id, "u2")

    async def ids(**options: object) -> list[str]:
        found = await store.topics.list_topics(tag=tag.upper(), **options)  # type: ignore[arg-type]
        return [topic.id for topic in found]

    assert await ids(sort="activity") == [first.id, third.id, second.id]
    assert await ids(sort="members") == [second.id, third.id, first.id]
    assert await ids(sort="created") == [third.id, second.id, first.id]
    assert await ids(sort="created", offset=1, limit=1) == [second.id]
    assert await ids(sort="created", offset=3) == []
    await store.topics.delete(third.id)
    assert await ids(sort="created") == [second.id, first.id]


async def test_invite_only_topics_are_filtered_before_paging(
    store: Store, clock: FakeClock
) -> None:
    tag = unique("vis")
    public = await store.topics.create(owner_id="o", title=unique("public"), tags=[tag])
    clock.advance(1)
    mine = await store.topics.create(owner_id="o", title=unique("mine"), tags=[tag])
    await store.topics.update(mine.id, is_private=True)
    clock.advance(1)
    hidden = await store.topics.create(owner_id="o", title=unique("hidden"), tags=[tag])
    await store.topics.update(hidden.id, is_private=True)

    async def ids(**options: object) -> list[str]:
        found = await store.topics.list_topics(
            tag=tag, sort="created", **options  # type: ignore[arg-type]
        )
        return [topic.id for topic in found]

    assert await ids() == [hidden.id, mine.id, public.id]
    assert await ids(visible_with={mine.id}) == [mine.id, public.id]
    assert await ids(visible_with=set()) == [public.id]
    assert await ids(visible_with=set(), limit=1) == [public.id]
    assert await ids(visible_with={mine.id}, offset=1, limit=1) == [public.id]


async def test_search_is_literal_and_case_insensitive(store: Store) -> None:
    marker = unique("Q")
    special = await store.topics.create(
        owner_id="o", title=f"{marker} C++ (advanced) [x]*", description="Ärger mit Zeigern"
    )
    plain = await store.topics.create(owner_id="o", title=f"{marker} plain", description="C")

    async def search(text: str) -> set[str]:
        found = await store.topics.list_topics(query=text, limit=100)
        return {topic.id for topic in found if topic.title.startswith(marker)}

    assert await search(f"{marker.lower()} c++ (ADVANCED) [x]*") == {special.id}
    assert await search("ärger") == {special.id}
    assert await search(f"{marker} .*") == set()
    assert await search(marker) == {special.id, plain.id}


async def test_membership_counts_without_double_counting(store: Store, clock: FakeClock) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("club"))
    clock.advance(1)
    assert await store.topics.members.join(topic.id, "u1")
    assert not await store.topics.members.join(topic.id, "u1")
    assert (await store.topics.get(topic.id)).member_count == 2
    async with trio.open_nursery() as nursery:
        for index in range(20):
            nursery.start_soon(store.topics.members.join, topic.id, f"c{index % 10}")
    assert (await store.topics.get(topic.id)).member_count == 12
    assert await store.topics.members.leave(topic.id, "u1")
    assert not await store.topics.members.leave(topic.id, "u1")
    assert (await store.topics.get(topic.id)).member_count == 11
    members = await store.topics.members.list_members(topic.id, limit=100)
    assert len(members) == 11 and members[0].user_id == "o"
    page = await store.topics.members.list_members(topic.id, offset=10, limit=5)
    assert len(page) == 1
    with pytest.raises(NotFound):
        await store.topics.members.join("missing-topic", "u1")
    assert await store.topics.members.get("missing-topic", "u1") is None


async def test_roles_and_user_memberships(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("roles"))
    user = unique("user")
    await store.topics.members.join(topic.id, user)
    promoted = await store.topics.members.set_role(topic.id, user, "moderator")
    assert promoted.role == "moderator"
    assert (await store.topics.members.get(topic.id, user)) == promoted
    assert [m.scope_id for m in await store.topics.members.list_for_user(user)] == [topic.id]
    with pytest.raises(NotFound):
        await store.topics.members.set_role(topic.id, "stranger", "member")


async def test_invitations(store: Store) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("private"), is_private=True)
    user = unique("guest")
    first = await store.topics.members.invite(topic.id, user, invited_by="o")
    again = await store.topics.members.invite(topic.id, user, invited_by="other")
    assert again == first
    assert await store.topics.members.list_invitations(user) == [first]
    assert await store.topics.members.withdraw_invitation(topic.id, user)
    assert not await store.topics.members.withdraw_invitation(topic.id, user)
    await store.topics.members.invite(topic.id, user, invited_by="o")
    await store.topics.members.join(topic.id, user)
    assert await store.topics.members.list_invitations(user) == []


async def test_bans_with_expiry(store: Store, clock: FakeClock) -> None:
    topic = await store.topics.create(owner_id="o", title=unique("strict"))
    await store.topics.members.join(topic.id, "troll")
    ban = await store.topics.members.ban(
        topic.id, "troll", banned_by="o", reason="spam", until=clock.now + 60
    )
    assert await store.topics.members.get(topic.id, "troll") is None
    assert (await store.topics.get(topic.id)).member_count == 1
    assert await store.topics.members.get_ban(topic.id, "troll") == ban
    await store.topics.members.ban(topic.id, "forever", banned_by="o")
    assert {b.user_id for b in await store.topics.members.list_bans(topic.id)} == {
        "troll",
        "forever",
    }
    clock.advance(61)
    assert await store.topics.members.get_ban(topic.id, "troll") is None
    assert [b.user_id for b in await store.topics.members.list_bans(topic.id)] == ["forever"]
    assert await store.topics.members.unban(topic.id, "forever")
    assert not await store.topics.members.unban(topic.id, "forever")
    assert await store.topics.members.list_bans(topic.id) == []
