"""The topic actor's view of its topic: the record, who holds which role, and the policy.

:class:`TopicPolicy` belongs to one topic actor and is only used inside its turns, so its
role cache stays exact: every join, leave, ban and role change of the topic goes through
that actor, which updates the cache as it writes.  Bans and invitations are read from
storage when needed (a ban's expiry is decided by the store's clock).  The rules it
applies are :mod:`actors.community.access`; this module only gathers the facts.
"""

from __future__ import annotations

from actors.community.access import Need, may_act_as_owner, topic_refusal
from actors.community.topic_commands import TopicAccess
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Ban, Role, Topic

MAX_CACHED_ROLES = 4096


class TopicPolicy:
    """See the module docstring."""

    __slots__ = ("_roles", "_store", "_topic_id", "topic")

    def __init__(self, store: Store, topic_id: str) -> None:
        self._store = store
        self._topic_id = topic_id
        self.topic: Topic | None = None
        self._roles: dict[str, Role | None] = {}

    async def load(self) -> None:
        """(Re)read the topic record, deleted or not."""
        try:
            self.topic = await self._store.topics.get(self._topic_id, include_deleted=True)
        except NotFound:
            self.topic = None

    def require_topic(self) -> Topic:
        """The topic; ``not_found`` when it does not exist or is deleted."""
        if self.topic is None or self.topic.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such topic")
        return self.topic

    def replace_topic(self, topic: Topic) -> None:
        """Adopt the record a write returned."""
        self.topic = topic

    async def role_of(self, user_id: str) -> Role | None:
        """The user's role, or None when not a member."""
        if user_id in self._roles:
            return self._roles[user_id]
        membership = await self._store.topics.members.get(self._topic_id, user_id)
        role = None if membership is None else membership.role
        self.remember(user_id, role)
        return role

    def remember(self, user_id: str, role: Role | None) -> None:
        """Record a role this actor just wrote (None: no longer a member)."""
        self._roles.pop(user_id, None)
        self._roles[user_id] = role
        if len(self._roles) > MAX_CACHED_ROLES:
            del self._roles[next(iter(self._roles))]

    async def ban_of(self, user_id: str) -> Ban | None:
        """The ban of ``user_id`` in force now, if any."""
        return await self._store.topics.members.get_ban(self._topic_id, user_id)

    async def is_invited(self, user_id: str) -> bool:
        """Whether ``user_id`` holds a pending invitation to this topic."""
        invitations = await self._store.topics.members.list_invitations(user_id)
        return any(invitation.scope_id == self._topic_id for invitation in invitations)

    async def check(self, by: Principal, need: Need) -> TopicAccess:
        """:class:`TopicAccess` when ``by`` may do ``need``
        (:func:`~actors.community.access.topic_refusal`); ``forbidden`` otherwise.

        The invitation and the ban are read from storage only when they can change the
        answer (a non-member seeing an invite-only topic; a reader writing).
        """
        if need is Need.VIEW:
            await self.load()
        topic = self.require_topic()
        role = await self.role_of(by.user_id)

        def refusal(invited: bool, banned: bool) -> str | None:
            return topic_refusal(by, topic, role, need, invited=invited, banned=banned)

        invited = refusal(False, False) != refusal(True, False) and await self.is_invited(
            by.user_id
        )
        banned = refusal(invited, False) != refusal(invited, True) and (
            await self.ban_of(by.user_id) is not None
        )
        reason = refusal(invited, banned)
        if reason is not None:
            raise DomainError(ErrorCode.FORBIDDEN, reason)
        return TopicAccess(topic=topic, role=role, is_admin=by.is_admin)

    def require_owner(self, by: Principal) -> Topic:
        """The topic when ``by`` may act as its owner
        (:func:`~actors.community.access.may_act_as_owner`); ``forbidden`` otherwise."""
        topic = self.require_topic()
        if not may_act_as_owner(by, topic):
            raise DomainError(ErrorCode.FORBIDDEN, "only the topic's owner may do this")
        return topic
