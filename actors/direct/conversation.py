"""The direct-message conversation actor: one per pair of users, the single writer of
``dm:<conversation id>``.

Contract:

* Only the two participants act here (``forbidden`` otherwise); the actor id is
  :func:`storage.keys.conversation_id` of the pair, so the first send opens it.
* A send carries text, a GIF URL and attachments, at least one of them (``invalid``
  otherwise); attachments must be files the sender uploaded
  (:func:`services.file_ownership.require_own_files`, ``invalid`` naming the id and
  nothing else).  Checked in the actor, so REST and WebSocket sends are the same.
* Sends, edits and typing need that neither participant blocked the other (checked in
  storage on every command: blocks change over REST); unsending and reading do not.
* Every sequenced event is stored — the message in ``store.direct_messages``, then a
  row of the channel's log (:mod:`actors.direct.log`) — **before** it is published,
  and the ``ack`` carries the same ``seq``: acknowledged means stored.
* A send repeating a ``nonce`` of the same user among the conversation's last
  :data:`RECENT_NONCES` log rows is answered with the original ``message_accepted``; the
  nonces are kept in the log and reloaded on activation, so this holds across restarts.
* ``mark_read`` marks the messages up to that ``seq`` read in storage, stores the read
  position (``store.read_positions``), sends the other participant a ``read_receipt``
  and the reader's own ``user:`` channel one with ``read_channel`` (their other
  devices); read positions never move backwards.
* Each sent message notifies the recipient (``direct_message``) unless they muted the
  conversation.  A refusal is a :class:`DomainError` and never restarts the actor.
"""

from __future__ import annotations

import collections

from actors.chat.notices import unmuted
from actors.chat.read_marks import publish_read_position
from actors.direct.access import owns_message, partner_in
from actors.direct.commands import (
    CheckParticipant,
    EditDirect,
    HideDirect,
    MarkDirectRead,
    SendDirect,
    SetDirectTyping,
    UnsendDirect,
)
from actors.direct.log import (
    CREATED,
    DELETED,
    EDITED,
    LoggedReference,
    decode_reference,
    direct_channel,
    encode_reference,
    to_chat_message,
)
from actors.realtime.hub import Hub
from actors.runtime.actor import Actor, ActorContext
from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import (
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReadReceipt,
    TypingChanged,
)
from protocol.control_frames import MessageAccepted
from protocol.enums import NotificationKind
from protocol.errors import ErrorCode
from protocol.server_frames import ServerFrame
from services.content_filter import ContentFilter
from services.content_screening import report_flagged, screen
from services.errors import DomainError
from services.file_ownership import require_own_files
from services.friends import require_dm_allowed
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import DirectMessage

RECENT_NONCES = 256
SNIPPET = 200


def _what_it_carries(message: DirectMessage) -> str:
    """The notification text of a message without text: what it carries instead."""
    if message.gif_url is not None:
        return "sent a GIF"
    count = len(message.attachment_ids)
    return f"sent {count} attachment{'' if count == 1 else 's'}"


class DirectConversationActor(Actor):
    """See the module docstring."""

    __slots__ = (
        "_channel", "_filter", "_head", "_hub", "_read_positions", "_recent_sends", "_stale",
        "_store",
    )

    def __init__(
        self,
        context: ActorContext,
        store: Store,
        hub: Hub,
        content_filter: ContentFilter | None = None,
    ) -> None:
        super().__init__(context)
        self._store = store
        self._hub = hub
        self._filter = content_filter or ContentFilter.from_rules()
        self._channel = direct_channel(context.address.id)
        self._head: str | None = None
        self._stale = False
        self._read_positions: dict[str, int] = {}
        self._recent_sends: collections.OrderedDict[tuple[str, str], MessageAccepted] = (
            collections.OrderedDict()
        )

    async def on_start(self) -> None:
        """Reload the newest head and the nonces of the last :data:`RECENT_NONCES` log rows,
        so a send retried across a restart or a move is not stored twice."""
        events = self._store.channel_events
        last_seq = await events.last_seq(self._channel)
        if not last_seq:
            return
        recent = await events.since(
            self._channel, after_seq=max(0, last_seq - RECENT_NONCES), limit=RECENT_NONCES
        )
        self._head = decode_reference(recent[-1]).head
        for row in recent:
            reference = decode_reference(row)
            if row.kind == CREATED and reference.nonce is not None:
                self._recent_sends[(reference.by, reference.nonce)] = MessageAccepted(
                    channel=self._channel, seq=row.seq, message_id=reference.message_id
                )

    def on_dependency_failure(self, error: Exception) -> None:
        # A cut-off write may have been applied: the head and nonces are read again.
        self._stale = True

    async def on_receive(self, message: object) -> object:
        if self._stale:
            self._head = None
            self._recent_sends.clear()
            await self.on_start()
            self._stale = False
        match message:
            case SendDirect():
                return await self._send(message)
            case EditDirect():
                return await self._edit(message)
            case UnsendDirect():
                return await self._unsend(message)
            case HideDirect(user_id=user_id, message_id=message_id):
                self._partner(user_id)
                await self._message(message_id, viewer_id=None)
                await self._store.direct_messages.delete_for(message_id, user_id)
                return None
            case MarkDirectRead(user_id=user_id, up_to_seq=up_to_seq):
                await self._mark_read(user_id, up_to_seq)
                return None
            case SetDirectTyping(user_id=user_id, state=state):
                await self._require_unblocked(user_id)
                self._publish(TypingChanged(channel=self._channel, user_id=user_id, state=state))
                return None
            case CheckParticipant(user_id=user_id):
                self._partner(user_id)
                return None
            case _:
                self.unhandled(message)

    # ------------------------------------------------------------------ checks

    def _partner(self, user_id: str) -> str:
        return partner_in(self.address.id, user_id)

    async def _require_unblocked(self, user_id: str) -> str:
        """The partner of ``user_id``, when both exist and neither blocked the other."""
        partner = self._partner(user_id)
        users = {user.id: user for user in await self._store.users.get_many([user_id, partner])}
        if partner not in users or user_id not in users:
            raise DomainError(ErrorCode.NOT_FOUND, "no such user")
        if partner in users[user_id].blocked_user_ids:
            raise DomainError(ErrorCode.FORBIDDEN, "you blocked this user")
        if user_id in users[partner].blocked_user_ids:
            raise DomainError(ErrorCode.FORBIDDEN, "this user does not accept your messages")
        return partner

    async def _message(self, message_id: str, viewer_id: str | None) -> DirectMessage:
        """The conversation's message ``message_id`` unless ``viewer_id`` deleted it for
        themselves; ``not_found`` otherwise."""
        try:
            found = await self._store.direct_messages.get(message_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such message") from None
        if found.conversation_id != self.address.id or viewer_id in found.hidden_for:
            raise DomainError(ErrorCode.NOT_FOUND, "no such message")
        return found

    async def _own_message(self, message_id: str, user_id: str) -> DirectMessage:
        found = await self._message(message_id, user_id)
        if found.deleted_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "the message was deleted")
        if not owns_message(user_id, found):
            raise DomainError(ErrorCode.FORBIDDEN, "only the author may do that")
        return found

    # ------------------------------------------------------------------ writes

    def _publish(self, event: ServerFrame) -> None:
        self._hub.publish(self._channel, BroadcastFrame(event))

    async def _log(self, kind: str, message_id: str, by: str, nonce: str | None = None) -> int:
        self._head = message_id if kind == CREATED else (self._head or message_id)
        reference = LoggedReference(message_id=message_id, by=by, head=self._head, nonce=nonce)
        row = await self._store.channel_events.append(
            self._channel, kind=kind, data=encode_reference(reference)
        )
        return row.seq

    async def _send(self, command: SendDirect) -> MessageAccepted:
        if command.nonce is not None:
            earlier = self._recent_sends.get((command.user_id, command.nonce))
            if earlier is not None:
                return earlier
        partner = await self._require_unblocked(command.user_id)
        await require_dm_allowed(self._store, command.user_id, partner)
        if not command.text.strip() and command.gif_url is None and not command.attachment_ids:
            raise DomainError(ErrorCode.INVALID, "a message needs text, a gif_url or attachments")
        await require_own_files(self._store, command.user_id, command.attachment_ids)
        verdict = screen(self._filter, command.text, "message")
        notify = await unmuted(self._store, [partner], [self.address.id])
        stored = await self._store.direct_messages.send(
            sender_id=command.user_id, recipient_id=partner, body=verdict.text,
            gif_url=command.gif_url, attachment_ids=command.attachment_ids,
        )
        await report_flagged(self._store, verdict, item_kind="direct_message", item_id=stored.id)
        seq = await self._log(CREATED, stored.id, command.user_id, command.nonce)
        self._publish(
            MessageCreated(
                channel=self._channel, seq=seq, message=to_chat_message(stored, command.nonce)
            )
        )
        accepted = MessageAccepted(channel=self._channel, seq=seq, message_id=stored.id)
        if command.nonce is not None:
            self._recent_sends[(command.user_id, command.nonce)] = accepted
            if len(self._recent_sends) > RECENT_NONCES:
                self._recent_sends.popitem(last=False)
        if notify:
            await self._notify(stored)
        return accepted

    async def _notify(self, message: DirectMessage) -> None:
        sender = await self._store.users.get(message.sender_id)
        await self.context.ref(NOTIFICATION_FEED, message.recipient_id).tell(
            Notify(
                kind=NotificationKind.DIRECT_MESSAGE,
                title=f"New message from {sender.username}",
                body=message.body[:SNIPPET] or _what_it_carries(message),
                actor_id=message.sender_id,
                subject=self._channel,
                object_id=message.id,
                link=f"/messages/{self.address.id}",
            )
        )

    async def _edit(self, command: EditDirect) -> MessageAccepted:
        await self._require_unblocked(command.user_id)
        await self._own_message(command.message_id, command.user_id)
        verdict = screen(self._filter, command.text, "message")
        edited = await self._store.direct_messages.edit(command.message_id, body=verdict.text)
        await report_flagged(self._store, verdict, item_kind="direct_message", item_id=edited.id)
        seq = await self._log(EDITED, edited.id, command.user_id)
        self._publish(
            MessageEdited(channel=self._channel, seq=seq, message=to_chat_message(edited))
        )
        return MessageAccepted(channel=self._channel, seq=seq, message_id=edited.id)

    async def _unsend(self, command: UnsendDirect) -> MessageAccepted:
        self._partner(command.user_id)
        await self._own_message(command.message_id, command.user_id)
        await self._store.notifications.redact(self._channel, command.message_id)
        await self._store.direct_messages.unsend(command.message_id)
        seq = await self._log(DELETED, command.message_id, command.user_id)
        self._publish(
            MessageDeleted(
                channel=self._channel, seq=seq, message_id=command.message_id,
                deleted_by=command.user_id,
            )
        )
        return MessageAccepted(channel=self._channel, seq=seq, message_id=command.message_id)

    async def _mark_read(self, user_id: str, up_to_seq: int) -> None:
        self._partner(user_id)
        events = self._store.channel_events
        up_to_seq = min(up_to_seq, await events.last_seq(self._channel))
        known = self._read_positions.get(user_id)
        if known is None:  # once per activation: the stored position
            stored = await self._store.read_positions.positions(user_id, [self._channel])
            known = self._read_positions[user_id] = stored.get(self._channel, 0)
        if up_to_seq < 1 or up_to_seq <= known:
            return
        (row,) = await events.since(self._channel, after_seq=up_to_seq - 1, limit=1)
        await self._store.direct_messages.mark_read(
            self.address.id, user_id, up_to_id=decode_reference(row).head
        )
        await self._store.read_positions.advance([(user_id, self._channel, up_to_seq)])
        self._read_positions[user_id] = up_to_seq
        self._publish(ReadReceipt(channel=self._channel, user_id=user_id, up_to_seq=up_to_seq))
        publish_read_position(self._hub, self._channel, user_id, up_to_seq)
