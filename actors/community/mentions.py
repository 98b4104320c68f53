"""Who a post or a comment mentions, and telling them: ``@username`` in topics.

Contract (called by the topic actor after a post is published or edited, and by the post
actor after a comment is, both once the item is stored and its event recorded):

* The mentions are those of :func:`services.mentions.find_mentions` (at most
  :data:`services.mentions.MAX_MENTIONS` usernames per item; ``@here`` means nothing in
  a topic).  On an edit only the usernames that the text before the edit did not mention
  are notified, so a mention is notified once however often the item is edited.
* A mentioned user is notified (``mention``) only when they may read the item: any user
  for a public topic, members and admins for an invite-only one
  (:func:`actors.community.access.may_read_topic`).  Never the author; never a user who
  blocked the author or whom the author blocked; never a user who muted the post, its
  topic or the author (``store.follows.mute``); never anyone in ``skip`` (the caller
  already notifies them of the same item, e.g. the replied comment's author).
* An anonymous item's notification names its alias, never its author: ``actor_id`` is
  the alias and the title does not carry the username.
* Best effort, like every notification: the item is already stored and acknowledged.
"""

from __future__ import annotations

import msgspec

from actors.community.access import may_read_topic
from actors.community.payloads import public_author
from actors.users.notification_feed import Notifier, Notify
from protocol.enums import NotificationKind
from services.mentions import find_mentions, may_mention
from services.principal import Principal
from storage.protocols import Store
from storage.records import Topic, User

SNIPPET = 300


class Mentioning(msgspec.Struct, frozen=True, kw_only=True):
    """An item that may mention users: where it is, who wrote it, what it says."""

    topic: Topic
    post_id: str
    post_title: str
    author_id: str
    alias: str | None
    text: str
    previous_text: str = ""
    subject: str
    object_id: str
    link: str


def mentioned_usernames(text: str, previous_text: str = "") -> list[str]:
    """The usernames ``text`` mentions that ``previous_text`` did not (case-folded)."""
    if not may_mention(text):
        return []
    before = (
        {name.casefold() for name in find_mentions(previous_text).usernames}
        if may_mention(previous_text) else set()
    )
    return [name for name in find_mentions(text).usernames if name.casefold() not in before]


class MentionNotices:
    """Notifies the users a community item mentions (module docstring)."""

    __slots__ = ("_notify", "_store")

    def __init__(self, store: Store, notify: Notifier) -> None:
        self._store = store
        self._notify = notify

    async def notify(self, item: Mentioning, skip: frozenset[str] = frozenset()) -> set[str]:
        """Notify the readers ``item`` newly mentions; returns the users notified."""
        names = mentioned_usernames(item.text, item.previous_text)
        if not names:
            return set()
        candidates = await self._candidates(names, item.author_id, skip)
        if not candidates:
            return set()
        targets = [item.post_id, item.topic.id, item.author_id]
        muted = await self._store.follows.muting([user.id for user in candidates], targets)
        readers = [
            user for user in candidates
            if user.id not in muted and await self._may_read(item.topic, user)
        ]
        shown = public_author(item.author_id, item.alias) or item.author_id
        name = item.alias if item.alias is not None else await self._username(item.author_id)
        for user in readers:
            await self._notify(
                user.id,
                Notify(
                    kind=NotificationKind.MENTION,
                    title=f"{name} mentioned you in {item.post_title}",
                    body=item.text[:SNIPPET],
                    actor_id=shown,
                    subject=item.subject,
                    object_id=item.object_id,
                    link=item.link,
                ),
            )
        return {user.id for user in readers}

    async def _candidates(
        self, names: list[str], author_id: str, skip: frozenset[str]
    ) -> list[User]:
        found: dict[str, User] = {}
        for name in names:
            user = await self._store.users.find_by_username(name)
            if user is None or user.id == author_id or user.id in skip:
                continue
            found.setdefault(user.id, user)
        if not found:
            return []
        author = await self._store.users.get_many([author_id])
        blocked_by_author = set(author[0].blocked_user_ids) if author else set()
        return [
            user for user in found.values()
            if author_id not in user.blocked_user_ids and user.id not in blocked_by_author
        ]

    async def _may_read(self, topic: Topic, user: User) -> bool:
        if not topic.is_private or user.is_admin:
            return True
        membership = await self._store.topics.members.get(topic.id, user.id)
        reader = Principal(user_id=user.id, session_id="", is_admin=user.is_admin)
        return may_read_topic(reader, topic, None if membership is None else membership.role)

    async def _username(self, user_id: str) -> str:
        users = await self._store.users.get_many([user_id])
        return users[0].username if users else "someone"
