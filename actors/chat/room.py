"""The chat-room actor: one per room, the single writer of its messages and members.

Contract:

* Every sequenced event is appended to the room's log (:mod:`actors.chat.log`)
  **before** it is published to the hub, and the sender's ``ack`` carries the same
  ``seq`` — acknowledged means stored.  Edits, deletions and reactions also update the
  message row in place, so history over REST shows the current state.
* Posts that queue up while the actor is busy are handled as one batch
  (``on_receive_batch``): checked one by one in arrival order, stored in one
  ``append_many`` with consecutive seqs, then published and acknowledged in that order.
  A busy room thus writes once per batch, and its throughput does not depend on the
  store's latency; a refusal answers its own post only.
* A send carrying a ``nonce`` already seen from the same user among the room's last
  :data:`RECENT_NONCES` sends is answered with the original ``message_accepted`` and not
  stored again (retries after a reconnect).  Nonces are stored with the messages and
  reloaded on activation, so this holds across restarts and cluster failover.
* Cluster mode: appends carry the activation's lease token (``context.fence``); when a
  newer owner already wrote, the store refuses and the send fails ``unavailable`` (retry:
  it reaches the new owner), so a stale owner never writes after its successor.
* Each member may send :data:`FLOOD_BURST` messages at once, then :data:`FLOOD_RATE` per
  second in the room; beyond that the send is refused ``rate_limited`` with a retry time.
  A room in slow mode (``slow_mode_seconds``) also makes each member but its moderators
  wait that long between two messages.
* The content filter runs on every new and edited text: ``reject`` refuses it
  (``invalid``), ``mask`` stores the masked text, ``flag`` stores it and files a report
  for the room's moderators.
* Membership is checked on every command.  The actor caches who is a member and who it
  found not banned; both caches stay exact because joins, leaves and bans of the room go
  through this actor too (and a ban only ever ends by itself), so a send costs no store
  read once the sender was seen (:class:`~actors.chat.members.RoomMembers`, owned by
  the actor).  A room of at most ``MEMBER_PRELOAD`` members loads them all on start, so
  even first sends cost no read: otherwise each new sender's reads would hold every send
  behind it.  Typing and read receipts are ephemeral: published, never stored.  Read
  positions are stored, once per batch of ``mark_read`` (:mod:`actors.chat.read_marks`),
  and never move backwards.
* A refusal (not a member, banned, not the author, unknown room) is a
  :class:`DomainError`; it never restarts the actor.  Nor does an unavailable store: the
  turn's senders get ``unavailable`` (outcome unknown: retry with the same nonce), and
  before its next command the room re-reads its nonces and members, so a retried send
  whose first write was applied after all is answered, not stored twice.  A crash
  restarts it from storage (``on_start``): the sequence comes from the store, so nothing
  acknowledged is lost and no seq is issued twice.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence
from typing import Any

import outcome
import trio

from actors.chat.access import exempt_from_slow_mode, may_delete_message, may_edit_message
from actors.chat.commands import (
    CheckMember,
    DeleteRoom,
    DeleteRoomMessage,
    EditRoomMessage,
    InviteToRoom,
    JoinRoom,
    KickMember,
    LeaveRoom,
    MarkRoomRead,
    PostMessage,
    ReactToMessage,
    SetMemberRole,
    SetTyping,
    UnbanMember,
    UpdateRoom,
)
from actors.chat.log import (
    TEXT_KIND,
    LoggedEvent,
    message_seq,
    public_message_id,
    to_chat_message,
)
from actors.chat.log_writer import RoomLogWriter
from actors.chat.members import RoomMembers
from actors.chat.moderators import set_member_role, unban_member
from actors.chat.notices import notify_room_message
from actors.chat.read_marks import RoomReadMarks
from actors.realtime.hub import Hub
from actors.runtime.actor import Actor, ActorContext
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import (
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
    TypingChanged,
)
from protocol.control_frames import MessageAccepted, Sequenced
from protocol.enums import ReactionAction
from protocol.errors import ErrorCode
from services.content_filter import ContentFilter, Verdict
from services.content_screening import report_flagged, screen
from services.errors import DomainError
from services.file_ownership import require_own_files
from services.token_bucket import TokenBucket
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Message, MessageDraft, Role, Room

CHAT_ROOM = "chat_room"
RECENT_NONCES = 1024
FLOOD_RATE = 1.0
"""Messages per second a member may keep sending in one room."""
FLOOD_BURST = 10
"""Messages a member may send at once before the rate applies."""


class ChatRoomActor(Actor):
    """See the module docstring."""

    __slots__ = (
        "_channel",
        "_filter",
        "_flood",
        "_last_post",
        "_log",
        "_members",
        "_read_marks",
        "_recent_sends",
        "_room",
        "_stale",
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
        self._filter = content_filter or ContentFilter.from_rules()
        self._room: Room | None = None
        self._stale = False
        self._flood: dict[str, TokenBucket] = {}
        self._last_post: dict[str, float] = {}
        self._recent_sends: collections.OrderedDict[tuple[str, str], MessageAccepted] = (
            collections.OrderedDict()
        )
        self._channel = channel_name(ChannelKind.CHAT_ROOM, context.address.id)
        self._read_marks = RoomReadMarks(context.address.id, self._channel, store, hub)
        self._log = RoomLogWriter(context.address.id, self._channel, store, hub, context)
        self._members = RoomMembers(
            context.address.id, self._channel, store, hub, self._log, context
        )

    async def on_start(self) -> None:
        try:
            self._room = await self._store.rooms.get(self.address.id)
        except NotFound:
            self._room = None
            return
        await self._members.preload()
        log = await self._store.messages.reopen(
            self.address.id, recent=RECENT_NONCES, fence=self.context.fence
        )
        self._read_marks.note_seq(log.last_seq)
        for author_id, nonce, seq in log.nonces:
            self._recent_sends[(author_id, nonce)] = MessageAccepted(
                channel=self._channel, seq=seq, message_id=public_message_id(seq)
            )

    def on_dependency_failure(self, error: Exception) -> None:
        # A cut-off write may have been applied (a message stored, a member gone): the
        # nonces and the member cache are read again before the next command.
        self._stale = True

    async def _refresh_if_stale(self) -> None:
        if self._stale:
            self._members.forget()
            self._recent_sends.clear()
            await self.on_start()
            self._stale = False

    async def on_receive(self, message: object) -> object:
        await self._refresh_if_stale()
        match message:
            case PostMessage():  # the runtime sends posts to on_receive_batch
                return (await self._post_batch([message]))[0].unwrap()
            case EditRoomMessage() | DeleteRoomMessage():
                return await self._change(message)
            case ReactToMessage():
                return await self._react(message)
            case SetTyping(user_id=user_id, state=state):
                await self._require_member(user_id)
                self._log.publish(
                    TypingChanged(channel=self._channel, user_id=user_id, state=state)
                )
                return None
            case MarkRoomRead():  # the runtime sends marks to on_receive_batch
                (marked,) = await self._read_marks.mark_batch([message], self._require_member)
                return marked.unwrap()
            case CheckMember(user_id=user_id):
                await self._require_member(user_id)
                return None
            case JoinRoom(user_id=user_id):
                return await self._members.join(self._require_room(), user_id)
            case LeaveRoom(user_id=user_id):
                self._require_room()
                return await self._members.leave(user_id)
            case KickMember():
                self._require_room()
                await self._members.kick(message)
                return None
            case InviteToRoom():
                await self._members.invite(self._require_room(), message)
                return None
            case UpdateRoom():
                self._require_room()
                self._room = await self._members.update(message)
                return self._room
            case SetMemberRole():
                self._require_room()
                return await set_member_role(self._store, self.address.id, message)
            case UnbanMember():
                self._require_room()
                return await unban_member(self._store, self.address.id, message)
            case DeleteRoom():
                self._require_room()
                self._room = await self._members.delete(message)
                return None
            case _:
                self.unhandled(message)

    def batches(self, message: object) -> bool:
        return isinstance(message, PostMessage | MarkRoomRead)

    async def on_receive_batch(self, messages: Sequence[object]) -> list[outcome.Outcome[Any]]:
        """Posts and read marks queued together.  The marks go first, in one write
        (:mod:`actors.chat.read_marks`): should it fail, no post of the batch was stored
        yet, and all of them are answered ``unavailable`` (retry with the same nonce)."""
        await self._refresh_if_stale()
        marks = [(i, m) for i, m in enumerate(messages) if isinstance(m, MarkRoomRead)]
        if not marks:
            return await self._post_batch(messages)
        results: list[outcome.Outcome[Any]] = [outcome.Value(None)] * len(messages)
        marked = await self._read_marks.mark_batch([m for _, m in marks], self._require_member)
        for (index, _), result in zip(marks, marked, strict=True):
            results[index] = result
        posts = [(i, m) for i, m in enumerate(messages) if not isinstance(m, MarkRoomRead)]
        if posts:
            posted = await self._post_batch([m for _, m in posts])
            for (index, _), result in zip(posts, posted, strict=True):
                results[index] = result
        return results

    # ------------------------------------------------------------------ checks

    def _require_room(self) -> Room:
        if self._room is None or self._room.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such chat room")
        return self._room

    async def _require_member(self, user_id: str) -> None:
        self._require_room()
        await self._members.require_member(user_id)

    async def _message(self, message_id: str) -> Message:
        try:
            row = await self._store.messages.get(self.address.id, message_seq(message_id))
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such message") from None
        if row.kind != TEXT_KIND:
            raise DomainError(ErrorCode.NOT_FOUND, "no such message")
        return row

    # ------------------------------------------------------------------ writes

    async def _check_slow_mode(self, user_id: str) -> None:
        room = self._require_room()
        if room.slow_mode_seconds <= 0 or exempt_from_slow_mode(await self._members.role(user_id)):
            return
        now = trio.current_time()
        wait = self._last_post.get(user_id, -math.inf) + room.slow_mode_seconds - now
        if wait > 0:
            raise DomainError(
                ErrorCode.RATE_LIMITED, "slow mode: wait before sending again", retry_after=wait
            )
        self._last_post[user_id] = now

    def _check_flood(self, user_id: str) -> None:
        bucket = self._flood.get(user_id)
        if bucket is None:
            if len(self._flood) > 10_000:
                self._flood.clear()
            bucket = self._flood[user_id] = TokenBucket(rate=FLOOD_RATE, burst=FLOOD_BURST)
        now = trio.current_time()
        if not bucket.take(now):
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                "you are sending too fast in this room",
                retry_after=bucket.seconds_until_token(now),
            )

    async def _report_flagged(self, seq: int, verdict: Verdict) -> None:
        await report_flagged(
            self._store, verdict, item_kind="room_message",
            item_id=f"{self.address.id}:{public_message_id(seq)}",
            topic_id=self._require_room().topic_id,
        )

    async def _post_batch(self, commands: Sequence[object]) -> list[outcome.Outcome[Any]]:
        """Posts queued together: each checked in order, all stored in one append, then
        each published and acknowledged in order.  A refusal answers its own post only;
        a retry of a post of the same batch (same nonce) gets that post's answer."""
        replies: list[MessageAccepted | DomainError | None] = [None] * len(commands)
        to_store: list[tuple[int, PostMessage, Verdict, MessageDraft]] = []
        first_of_nonce: dict[tuple[str, str], int] = {}
        repeats: list[tuple[int, int]] = []
        for index, command in enumerate(commands):
            assert isinstance(command, PostMessage)  # batches() admits nothing else
            key = None if command.nonce is None else (command.user_id, command.nonce)
            if key is not None and key in first_of_nonce:
                repeats.append((index, first_of_nonce[key]))
                continue
            try:
                prepared = await self._prepare_post(command)
            except DomainError as refusal:
                replies[index] = refusal
                continue
            if isinstance(prepared, MessageAccepted):
                replies[index] = prepared
                continue
            if key is not None:
                first_of_nonce[key] = index
            to_store.append((index, command, *prepared))
        if to_store:
            drafts = [draft for *_, draft in to_store]
            try:
                rows = await self._log.append_many(drafts)
            except DomainError as refusal:
                for index, *_ in to_store:
                    replies[index] = refusal
            else:
                stored = [(index, command, verdict, row)
                          for (index, command, verdict, _), row in zip(to_store, rows, strict=True)]
                await self._publish_posts(stored)
                for index, command, _, row in stored:
                    replies[index] = await self._acknowledge_post(command, row)
        for index, first in repeats:
            replies[index] = replies[first]
        return [
            outcome.Error(reply) if isinstance(reply, DomainError) else outcome.Value(reply)
            for reply in replies
        ]

    async def _prepare_post(
        self, command: PostMessage
    ) -> MessageAccepted | tuple[Verdict, MessageDraft]:
        """The checks of a post: its earlier acknowledgement when it is a retry (same
        nonce), else the filter's verdict and the draft to store."""
        await self._require_member(command.user_id)
        if command.nonce is not None:
            earlier = self._recent_sends.get((command.user_id, command.nonce))
            if earlier is not None:
                return earlier
        self._check_flood(command.user_id)
        await self._check_slow_mode(command.user_id)
        await require_own_files(self._store, command.user_id, command.attachment_ids)
        verdict = screen(self._filter, command.text, "message")
        if command.reply_to is not None:
            await self._message(command.reply_to)
        return verdict, MessageDraft(
            author_id=command.user_id,
            body=verdict.text,
            reply_to_id=command.reply_to,
            attachment_ids=command.attachment_ids,
            nonce=command.nonce,
            gif_url=command.gif_url,
        )

    async def _publish_posts(
        self, stored: Sequence[tuple[int, PostMessage, Verdict, Message]]
    ) -> None:
        """After the store: report what the filter flagged, then publish the new messages
        in one hub call (a subscriber gets them in one write)."""
        for _, _, verdict, row in stored:
            self._read_marks.note_seq(row.seq)
            await self._report_flagged(row.seq, verdict)
        self._log.publish_many([
            MessageCreated(
                channel=self._channel, seq=row.seq, message=to_chat_message(row, command.nonce)
            )
            for _, command, _, row in stored
        ])

    async def _acknowledge_post(self, command: PostMessage, stored: Message) -> MessageAccepted:
        """After the publication: notify, remember the nonce, acknowledge."""
        await notify_room_message(self.context.ref, self.address.id, stored)
        accepted = MessageAccepted(
            channel=self._channel, seq=stored.seq, message_id=public_message_id(stored.seq)
        )
        if command.nonce is not None:
            self._recent_sends[(command.user_id, command.nonce)] = accepted
            if len(self._recent_sends) > RECENT_NONCES:
                self._recent_sends.popitem(last=False)
        return accepted

    async def _change(self, command: EditRoomMessage | DeleteRoomMessage) -> MessageAccepted:
        by_admin = isinstance(command, DeleteRoomMessage) and command.is_admin
        if not by_admin:
            await self._require_member(command.user_id)
        target = await self._message(command.message_id)
        if target.deleted_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "the message was deleted")

        def deletes(role: Role | None) -> bool:
            return may_delete_message(command.user_id, target, role, is_admin=by_admin)

        allowed = (
            may_edit_message(command.user_id, target)
            if isinstance(command, EditRoomMessage)
            else await self._members.allowed(deletes, command.user_id)
        )
        if not allowed:
            raise DomainError(ErrorCode.FORBIDDEN, "only the author (or a moderator) may do that")
        event: LoggedEvent
        if isinstance(command, EditRoomMessage):
            verdict = screen(self._filter, command.text, "message")
            edited = await self._store.messages.edit(self.address.id, target.seq, body=verdict.text)
            await self._report_flagged(target.seq, verdict)
            event = MessageEdited(channel=self._channel, seq=1, message=to_chat_message(edited))
        else:
            await self._store.notifications.redact(self._channel, public_message_id(target.seq))
            await self._store.messages.delete(self.address.id, target.seq)
            event = MessageDeleted(
                channel=self._channel,
                seq=1,
                message_id=command.message_id,
                deleted_by=command.user_id,
            )
        seq = await self._log.record(command.user_id, event)
        return MessageAccepted(channel=self._channel, seq=seq, message_id=command.message_id)

    async def _react(self, command: ReactToMessage) -> Sequenced:
        await self._require_member(command.user_id)
        target = await self._message(command.message_id)
        if target.deleted_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "the message was deleted")
        adding = command.action is ReactionAction.ADD
        users = next((r.user_ids for r in target.reactions if r.emoji == command.emoji), ())
        if (command.user_id in users) == adding:
            return Sequenced(channel=self._channel, seq=await self._last_seq())
        if adding:
            changed = await self._store.messages.add_reaction(
                self.address.id, target.seq, user_id=command.user_id, emoji=command.emoji
            )
        else:
            changed = await self._store.messages.remove_reaction(
                self.address.id, target.seq, user_id=command.user_id, emoji=command.emoji
            )
        count = next((r.count for r in changed.reactions if r.emoji == command.emoji), 0)
        event = ReactionChanged(
            channel=self._channel,
            seq=1,
            message_id=command.message_id,
            user_id=command.user_id,
            emoji=command.emoji,
            action=command.action,
            count=count,
        )
        return Sequenced(channel=self._channel, seq=await self._log.record(command.user_id, event))

    async def _last_seq(self) -> int:
        return await self._store.messages.last_seq(self.address.id)
