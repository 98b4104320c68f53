"""Contract: the topic actor on a fake clock — ban expiry, hot ranking, crashes that lose
nothing.  Runs on each store: the ``store`` fixture (``tests/unit/conftest.py``) is the
in-memory SQLite store, then the Mongo-wire server (``[sqlite]``, ``[mongo]``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec
import pytest
import trio

from actors.community.topic_commands import TOPIC, BanUser, CreatePost, JoinTopic, VotePost
from actors.runtime.errors import ActorCrashed
from services.errors import DomainError
from services.ranking import HOT_PERIOD, hot_rank, score_worth_of_age
from storage import Store
from storage.records import ChannelEvent, Post
from tests.unit.actors.community.community_support import Community, open_community
from tests.unit.storage.support import FakeClock


@pytest.fixture
async def community(store: Store, clock: FakeClock) -> AsyncIterator[Community]:
    async with open_community(store, clock) as opened:
        yield opened


async def test_a_ban_expires_on_the_stores_clock(community: Community) -> None:
    owner, bob, carol = [await community.user(name) for name in ("owner", "bob", "carol")]
    topic = await community.store.topics.create(owner_id=owner.user_id, title="t")
    ban = await community.ask_topic(topic.id, BanUser(by=owner, user_id=bob.user_id, duration=60))
    assert ban.until == community.clock.now + 60
    await community.ask_topic(topic.id, BanUser(by=owner, user_id=carol.user_id, reason="for good"))
    for refused in (JoinTopic(by=bob), CreatePost(by=bob, title="let me in")):
        with pytest.raises(DomainError) as error:
            await community.ask_topic(topic.id, refused)
        assert error.value.code == "forbidden"
    community.clock.advance(59)
    with pytest.raises(DomainError):
        await community.ask_topic(topic.id, JoinTopic(by=bob))
    community.clock.advance(2)
    assert (await community.ask_topic(topic.id, JoinTopic(by=bob))).role == "member"
    assert (await community.ask_topic(topic.id, CreatePost(by=bob, title="back"))).title == "back"
    community.clock.advance(10 * 365 * 24 * 3600)
    with pytest.raises(DomainError):
        await community.ask_topic(topic.id, JoinTopic(by=carol))
    assert (await community.store.topics.get(topic.id)).member_count == 2


async def test_hot_ranking_decays_with_the_age_of_posts(community: Community) -> None:
    owner = await community.user("owner")
    voters = [await community.user(f"voter{number}") for number in range(12)]
    topic = await community.store.topics.create(owner_id=owner.user_id, title="hot")
    old = await community.ask_topic(topic.id, CreatePost(by=owner, title="old"))
    community.clock.advance(HOT_PERIOD)
    young = await community.ask_topic(topic.id, CreatePost(by=owner, title="young"))
    await community.ask_topic(topic.id, VotePost(by=voters[0], post_id=young.id, value=1))

    async def hot_titles() -> list[str]:
        posts = await community.store.posts.list_for_topic(topic.id, sort="hot")
        return [post.title for post in posts]

    for voter in voters[:9]:  # 9 votes on the old post: less than a factor 10
        await community.ask_topic(topic.id, VotePost(by=voter, post_id=old.id, value=1))
    assert await hot_titles() == ["young", "old"]
    for voter in voters[9:]:  # 12 votes: more than 10 times the young post's score
        await community.ask_topic(topic.id, VotePost(by=voter, post_id=old.id, value=1))
    assert await hot_titles() == ["old", "young"]
    assert score_worth_of_age(HOT_PERIOD) == pytest.approx(10.0)
    assert hot_rank(0, 1_700_000_000.0 + HOT_PERIOD) == pytest.approx(1.0)
    assert hot_rank(-5, old.created_at) < hot_rank(0, old.created_at) < hot_rank(5, old.created_at)


class FailOnce:
    """Proxies one store aggregate; the ``at``-th call of ``method`` raises instead."""

    def __init__(self, inner: object, method: str, at: int) -> None:
        self._inner = inner
        self._method = method
        self._at = at
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name != self._method:
            return attribute

        async def failing(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._at:
                raise RuntimeError("injected storage failure")
            return await attribute(*args, **kwargs)

        return failing


class FlakyStore:
    """A store whose post creation fails once, and whose event log fails once later."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.posts = FailOnce(inner.posts, "create", at=8)
        self.channel_events = FailOnce(inner.channel_events, "append", at=20)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def test_a_crashing_topic_actor_loses_no_acknowledged_post(
    store: Store, clock: FakeClock
) -> None:
    flaky: Store = FlakyStore(store)  # type: ignore[assignment]
    acknowledged: list[Post] = []
    crashed: list[str] = []
    async with open_community(flaky, clock) as community:
        author = await community.user("author")
        topic = await store.topics.create(owner_id=author.user_id, title="crashy")

        async def publish(number: int) -> None:
            try:
                post = await community.ask_topic(
                    topic.id, CreatePost(by=author, title=f"post {number}")
                )
            except ActorCrashed as error:
                crashed.append(error.error_type)
            else:
                acknowledged.append(post)

        async with trio.open_nursery() as nursery:
            for number in range(30):
                nursery.start_soon(publish, number)
        acknowledged.append(
            await community.ask_topic(topic.id, CreatePost(by=author, title="after"))
        )
        statistics = community.registry.actor_statistics(TOPIC, topic.id)

    assert crashed == ["RuntimeError", "RuntimeError"]
    assert len(acknowledged) == 29
    assert statistics is not None and statistics.restarts == 2
    stored_ids = [post.id for post in await store.posts.list_for_topic(topic.id, limit=100)]
    acked_ids = [post.id for post in acknowledged]
    assert len(set(stored_ids)) == len(stored_ids)
    assert set(acked_ids) <= set(stored_ids)
    # the post whose event failed is stored but was never acknowledged or announced
    assert len(stored_ids) == len(acked_ids) + 1
    assert (await store.topics.get(topic.id)).post_count == len(stored_ids)
    events = await store.channel_events.since(f"topic:{topic.id}", after_seq=0, limit=100)
    assert [event.seq for event in events] == list(range(1, len(acked_ids) + 1))
    assert sorted(_post_ids(events)) == sorted(acked_ids)


def _post_ids(events: Sequence[ChannelEvent]) -> list[str]:
    return [msgspec.json.decode(event.data)["post"]["id"] for event in events]
