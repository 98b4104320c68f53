"""Contract: support tickets (bounded open tickets, bounded replies, closing) and the
staff lookups of alerts, on every store."""

from __future__ import annotations

import pytest

from storage import Conflict, NotFound, Store
from tests.unit.storage.support import unique


async def test_tickets_are_bounded_replied_listed_and_closed(store: Store) -> None:
    user, admin = unique("user"), unique("admin")
    support = store.support
    first, opening = await support.open_ticket(user_id=user, subject="s1", body="b1", max_open=2)
    assert (first.status, first.reply_count, opening.body, opening.by_staff) == (
        "open", 1, "b1", False,
    )
    second, _ = await support.open_ticket(user_id=user, subject="s2", body="b2", max_open=2)
    with pytest.raises(Conflict):
        await support.open_ticket(user_id=user, subject="s3", body="b3", max_open=2)
    changed, reply = await support.add_reply(
        first.id, author_id=admin, body="answer", by_staff=True, max_replies=3
    )
    assert (changed.reply_count, changed.last_reply_by_staff, reply.ticket_id) == (
        2, True, first.id,
    )
    await support.add_reply(first.id, author_id=user, body="ok", by_staff=False, max_replies=3)
    with pytest.raises(Conflict) as full:
        await support.add_reply(first.id, author_id=user, body="x", by_staff=False,
                                max_replies=3)
    assert full.value.field == "replies"
    assert [r.body for r in await support.list_replies(first.id)] == ["b1", "answer", "ok"]
    page = await support.list_replies(first.id, limit=2)
    assert [r.body for r in await support.list_replies(first.id, after_id=page[-1].id)] == ["ok"]
    closed = await support.close_ticket(second.id, by=admin)
    assert (closed.status, closed.closed_by) == ("closed", admin)
    with pytest.raises(Conflict) as again:
        await support.close_ticket(second.id, by=admin)
    assert again.value.field == "closed"
    with pytest.raises(Conflict):
        await support.add_reply(second.id, author_id=user, body="x", by_staff=False,
                                max_replies=9)
    with pytest.raises(NotFound):
        await support.get_ticket(unique("ticket"))
    mine = await support.list_tickets(user_id=user)
    assert [t.id for t in mine] == [second.id, first.id]
    assert [t.id for t in await support.list_tickets(user_id=user, status="open")] == [first.id]
    assert [t.id for t in await support.list_tickets(user_id=user, before_id=second.id)] == [
        first.id
    ]
    await support.open_ticket(user_id=user, subject="s3", body="b3", max_open=2)


async def test_staff_are_the_admins_and_a_topics_moderators(store: Store) -> None:
    owner = await store.users.create(
        username=unique("own"), email=f"{unique('o')}@example.org", password_hash="x"
    )
    moderator = await store.users.create(
        username=unique("mod"), email=f"{unique('m')}@example.org", password_hash="x"
    )
    member = await store.users.create(
        username=unique("mem"), email=f"{unique('e')}@example.org", password_hash="x"
    )
    await store.users.set_admin(member.id, True)
    topic = await store.topics.create(title=unique("topic"), owner_id=owner.id)
    await store.topics.members.join(topic.id, moderator.id, role="moderator")
    await store.topics.members.join(topic.id, member.id)
    staff = await store.support.topic_moderator_ids(topic.id, limit=10)
    assert set(staff) == {owner.id, moderator.id}
    admins = await store.support.admin_ids(limit=1000)
    assert member.id in admins and owner.id not in admins
