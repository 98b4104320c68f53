"""Contract: notifications, reports and audit log, calls, file metadata."""

from __future__ import annotations

import pytest

from storage import Conflict, NotFound, Store
from tests.unit.storage.support import FakeClock, unique


async def test_notifications(store: Store, clock: FakeClock) -> None:
    user = unique("user")
    created = [
        await store.notifications.create(user_id=user, kind="reply", data={"post": f"p{i}", "n": i})
        for i in range(5)
    ]
    await store.notifications.create(user_id=unique("other"), kind="reply")
    assert await store.notifications.unread_count(user) == 5
    page = await store.notifications.list_for_user(user, limit=2)
    assert [n.id for n in page] == [created[4].id, created[3].id]
    assert page[0].data == {"post": "p4", "n": 4}
    rest = await store.notifications.list_for_user(user, before_id=page[-1].id, limit=10)
    assert [n.id for n in rest] == [created[2].id, created[1].id, created[0].id]
    clock.advance(1)
    assert await store.notifications.mark_read(user, created[0].id)
    assert not await store.notifications.mark_read(user, created[0].id)
    assert not await store.notifications.mark_read("intruder", created[1].id)
    unread = await store.notifications.list_for_user(user, unread_only=True)
    assert [n.id for n in unread] == [n.id for n in reversed(created[1:])]
    assert await store.notifications.mark_all_read(user) == 4
    assert await store.notifications.unread_count(user) == 0
    assert (await store.notifications.list_for_user(user, limit=1))[0].read_at == clock.now


async def test_reports_unique_queue_and_states(store: Store) -> None:
    topic_id = unique("topic")
    report = await store.reports.create(
        reporter_id="r1", item_kind="post", item_id="p1", reason="spam", topic_id=topic_id
    )
    with pytest.raises(Conflict) as conflict:
        await store.reports.create(
            reporter_id="r1", item_kind="post", item_id="p1", reason="again", topic_id=topic_id
        )
    assert conflict.value.field == "report"
    second = await store.reports.create(
        reporter_id="r2", item_kind="post", item_id="p1", reason="rude", topic_id=topic_id
    )
    await store.reports.create(reporter_id="r1", item_kind="comment", item_id="c1", reason="x")
    queue = await store.reports.list_reports(topic_id=topic_id)
    assert [r.id for r in queue] == [second.id, report.id]
    reviewing = await store.reports.transition(report.id, to_state="reviewing", handled_by="mod")
    assert (reviewing.state, reviewing.handled_by) == ("reviewing", "mod")
    assert [r.id for r in await store.reports.list_reports(state="open", topic_id=topic_id)] == [
        second.id
    ]
    with pytest.raises(Conflict) as bad:
        await store.reports.transition(report.id, to_state="reviewing", handled_by="mod")
    assert bad.value.field == "state"
    resolved = await store.reports.transition(
        report.id, to_state="resolved", handled_by="mod", note="removed"
    )
    assert (resolved.state, resolved.resolution_note) == ("resolved", "removed")
    reopened = await store.reports.transition(report.id, to_state="open", handled_by="admin")
    assert reopened.state == "open"
    page = await store.reports.list_reports(topic_id=topic_id, before_id=second.id, limit=5)
    assert [r.id for r in page] == [report.id]
    with pytest.raises(NotFound):
        await store.reports.transition("missing", to_state="open", handled_by="m")


async def test_audit_log(store: Store) -> None:
    topic_id = unique("topic")
    entries = [
        await store.reports.append_audit(
            actor_id="mod", action=action, target_kind="user", target_id="u1", topic_id=topic_id
        )
        for action in ("warn", "mute", "ban")
    ]
    listed = await store.reports.list_audit(topic_id=topic_id)
    assert [e.action for e in listed] == ["ban", "mute", "warn"]
    assert [e.id for e in await store.reports.list_audit(topic_id=topic_id, limit=1)] == [
        entries[2].id
    ]
    older = await store.reports.list_audit(topic_id=topic_id, before_id=entries[1].id)
    assert [e.id for e in older] == [entries[0].id]


async def test_calls(store: Store, clock: FakeClock) -> None:
    caller, callee = unique("caller"), unique("callee")
    call = await store.calls.start(context_id="room1", initiator_id=caller, kind="video")
    assert call.participant_ids == (caller,) and call.outcome is None
    joined = await store.calls.join(call.id, callee)
    joined = await store.calls.join(call.id, callee)
    assert joined.participant_ids == (caller, callee)
    clock.advance(30)
    ended = await store.calls.end(call.id, outcome="completed")
    assert (ended.ended_at, ended.outcome) == (clock.now, "completed")
    with pytest.raises(Conflict):
        await store.calls.end(call.id, outcome="failed")
    missed = await store.calls.start(context_id="dm", initiator_id=caller)
    await store.calls.end(missed.id, outcome="missed")
    assert [c.id for c in await store.calls.list_for_user(caller)] == [missed.id, call.id]
    assert [c.id for c in await store.calls.list_for_user(callee)] == [call.id]
    with pytest.raises(NotFound):
        await store.calls.end("missing", outcome="failed")


async def test_files(store: Store) -> None:
    owner = unique("owner")
    first = await store.files.create(
        owner_id=owner, name="café.png", content_type="image/png", size=10, blob_key="k1"
    )
    second = await store.files.create(
        owner_id=owner, name="notes.txt", content_type="text/plain", size=3, blob_key="k2"
    )
    assert await store.files.get(first.id) == first
    assert [f.id for f in await store.files.list_for_owner(owner)] == [second.id, first.id]
    assert await store.files.delete(first.id) == first
    with pytest.raises(NotFound):
        await store.files.delete(first.id)
    assert [f.id for f in await store.files.list_for_owner(owner)] == [second.id]
