"""The declared wire types: every actor message that may cross between nodes, and its reply.

An ask or a tell whose owner is another node crosses as the MessagePack of its message,
named by the stable wire name declared here; the reply crosses as the reply type declared
here, decoded with a decoder of exactly that type (:mod:`supervisors.cluster.codec`).  A
message type missing from :data:`DECLARED` cannot be forwarded: the sender refuses it with
``WireTypeError`` (a programming error), and a receiver refuses a frame naming it.

Adding a message an actor handles (a ``case`` of its ``on_receive``):

1. declare it below, under its actor kind, with the reply type its handler returns
   (``None`` for tells and for handlers that return nothing);
2. bump :data:`supervisors.cluster.wire.WIRE_VERSION` and the fingerprint pinned in
   ``tests/unit/supervisors/test_cluster_declared.py``, which fails until both are done,
   as it does when a declared message or reply type changes shape.

``tests/unit/supervisors/test_cluster_declared.py`` walks every actor's ``on_receive`` and
every commands module, so a forgotten declaration fails a test, not a cluster.
"""

from __future__ import annotations

from typing import Final

from actors.calls.commands import (
    AcceptCall,
    CallClosed,
    CheckCallAccess,
    DeclineCall,
    HangUp,
    IsLive,
    OpenCall,
    Pulse,
    RelaySignal,
    Ring,
    Tick,
)
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
from actors.chat.notices import RoomMessagePosted
from actors.community.post_commands import (
    CreateComment,
    DeleteComment,
    EditComment,
    PurgeComment,
    RestoreComment,
    VoteComment,
)
from actors.community.topic_commands import (
    AnswerInvitation,
    BanUser,
    CheckAccess,
    CreatePost,
    DeletePost,
    DeleteTopic,
    EditPost,
    InviteUser,
    JoinTopic,
    LeaveTopic,
    ListBans,
    PurgePost,
    RestorePost,
    RestoreTopic,
    SetRole,
    TopicAccess,
    TransferOwnership,
    UnbanUser,
    UpdateTopic,
    VotePost,
)
from actors.direct.commands import (
    CheckParticipant,
    EditDirect,
    HideDirect,
    MarkDirectRead,
    SendDirect,
    SetDirectTyping,
    UnsendDirect,
)
from actors.realtime.presence import PresenceView
from actors.users.account_commands import ExportRequested, RunAccountJobs
from actors.users.commands import (
    ConnectionClosed,
    ConnectionOpened,
    GetPresence,
    PrunePresence,
    SetConnectionPresence,
)
from actors.users.notification_feed import Notify
from actors.webhooks.commands import (
    Announce,
    DeleteWebhook,
    Deliver,
    EnableWebhook,
    Enqueue,
    PingWebhook,
    UpdateWebhook,
)
from protocol.control_frames import CallCreated, MessageAccepted, Sequenced
from storage.records import Ban, Comment, Invitation, Membership, Post, Room, VoteTally
from supervisors.cluster.codec import WireTypes, declare

DECLARED: Final = WireTypes([
    # chat_room (actors.chat.room)
    declare("PostMessage", PostMessage, MessageAccepted),
    declare("EditRoomMessage", EditRoomMessage, MessageAccepted),
    declare("DeleteRoomMessage", DeleteRoomMessage, MessageAccepted),
    declare("ReactToMessage", ReactToMessage, Sequenced),
    declare("SetTyping", SetTyping, None),
    declare("MarkRoomRead", MarkRoomRead, None),
    declare("CheckMember", CheckMember, None),
    declare("JoinRoom", JoinRoom, bool),
    declare("LeaveRoom", LeaveRoom, bool),
    declare("KickMember", KickMember, None),
    declare("InviteToRoom", InviteToRoom, None),
    declare("UpdateRoom", UpdateRoom, Room),
    declare("DeleteRoom", DeleteRoom, None),
    declare("SetMemberRole", SetMemberRole, str),
    declare("UnbanMember", UnbanMember, bool),
    # chat_notices (actors.chat.notices)
    declare("RoomMessagePosted", RoomMessagePosted, None),
    # topic (actors.community.topic)
    declare("CheckAccess", CheckAccess, TopicAccess),
    declare("UpdateTopic", UpdateTopic, TopicAccess),
    declare("DeleteTopic", DeleteTopic, TopicAccess),
    declare("RestoreTopic", RestoreTopic, TopicAccess),
    declare("TransferOwnership", TransferOwnership, TopicAccess),
    declare("JoinTopic", JoinTopic, Membership),
    declare("LeaveTopic", LeaveTopic, bool),
    declare("SetRole", SetRole, Membership),
    declare("InviteUser", InviteUser, Invitation),
    declare("AnswerInvitation", AnswerInvitation, Membership | None),
    declare("BanUser", BanUser, Ban),
    declare("UnbanUser", UnbanUser, bool),
    declare("ListBans", ListBans, list[Ban]),
    declare("CreatePost", CreatePost, Post),
    declare("EditPost", EditPost, Post),
    declare("DeletePost", DeletePost, Post),
    declare("RestorePost", RestorePost, Post),
    declare("PurgePost", PurgePost, Post),
    declare("VotePost", VotePost, VoteTally),
    # post (actors.community.post)
    declare("CreateComment", CreateComment, Comment),
    declare("EditComment", EditComment, Comment),
    declare("DeleteComment", DeleteComment, Comment),
    declare("RestoreComment", RestoreComment, Comment),
    declare("PurgeComment", PurgeComment, Comment),
    declare("VoteComment", VoteComment, VoteTally),
    # dm (actors.direct.conversation)
    declare("SendDirect", SendDirect, MessageAccepted),
    declare("EditDirect", EditDirect, MessageAccepted),
    declare("UnsendDirect", UnsendDirect, MessageAccepted),
    declare("HideDirect", HideDirect, None),
    declare("MarkDirectRead", MarkDirectRead, None),
    declare("SetDirectTyping", SetDirectTyping, None),
    declare("CheckParticipant", CheckParticipant, None),
    # user (actors.users.user)
    declare("ConnectionOpened", ConnectionOpened, None),
    declare("ConnectionClosed", ConnectionClosed, None),
    declare("SetConnectionPresence", SetConnectionPresence, None),
    declare("PrunePresence", PrunePresence, None),
    declare("GetPresence", GetPresence, PresenceView),
    # notification_feed (actors.users.notification_feed)
    declare("Notify", Notify, str),
    # account_jobs (actors.users.account_jobs_actor)
    declare("ExportRequested", ExportRequested, None),
    declare("RunAccountJobs", RunAccountJobs, None),
    # call_context, call, call_alarm (actors.calls.support, actors.calls.call)
    declare("OpenCall", OpenCall, CallCreated),
    declare("CallClosed", CallClosed, None),
    declare("Ring", Ring, None),
    declare("IsLive", IsLive, bool),
    declare("Tick", Tick, None),
    declare("CheckCallAccess", CheckCallAccess, None),
    declare("AcceptCall", AcceptCall, None),
    declare("DeclineCall", DeclineCall, None),
    declare("HangUp", HangUp, None),
    declare("RelaySignal", RelaySignal, None),
    declare("Pulse", Pulse, None),
    # webhook (actors.webhooks.webhook)
    declare("Enqueue", Enqueue, None),
    declare("Deliver", Deliver, None),
    declare("Announce", Announce, None),
    declare("UpdateWebhook", UpdateWebhook, None),
    declare("EnableWebhook", EnableWebhook, None),
    declare("DeleteWebhook", DeleteWebhook, None),
    declare("PingWebhook", PingWebhook, str),
])
"""The node's registry of wire types (module docstring)."""
