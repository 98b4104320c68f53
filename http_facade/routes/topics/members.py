"""``/api/topics/…``: membership, roles, ownership, invitations, bans and muting.

Contract:

* Joining twice is harmless (counts move once).  Invite-only topics are joined only by
  accepting an invitation; banned users cannot join until the ban expires or is lifted.
* The owner sets roles (moderator or member) and transfers ownership to a member (the
  previous owner stays as a moderator); moderators invite and ban; a ban removes the
  member and is announced as ``kicked`` on ``topic:<id>``.
* ``GET /api/topics/invitations`` lists the caller's own pending invitations.
* Muting a topic silences notifications from it for the caller (it does not hide posts).
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.topic_commands import (
    AnswerInvitation,
    BanUser,
    InviteUser,
    JoinTopic,
    LeaveTopic,
    ListBans,
    Need,
    SetRole,
    TransferOwnership,
    UnbanUser,
)
from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import ListQuery, after_offset, offset_of, slice_page
from http_facade.replies import Done
from http_facade.routes.community import ask_topic, topic_access
from http_facade.routes.pictures.subjects import PictureKind, with_picture
from http_facade.routes.topics.schemas import (
    BanCreate,
    BanList,
    BanView,
    InvitationCreate,
    InvitationList,
    InvitationView,
    MuteState,
    OwnershipTransfer,
    RoleChange,
    TopicMemberPage,
    TopicMemberQuery,
    TopicMemberView,
    TopicView,
)
from http_facade.validation import validate_body
from services.principal import Principal

blueprint = Blueprint("topic_members", __name__, url_prefix="/api/topics")
tag_blueprint(blueprint, ["topics"])


@blueprint.post("/<topic_id>/join")
@login_required
@validate_response(TopicMemberView)
async def join_topic(principal: Principal, topic_id: str) -> TopicMemberView:
    """Join (invite-only topics: with an invitation); joining again changes nothing."""
    return TopicMemberView.of(await ask_topic(topic_id, JoinTopic(by=principal)))


@blueprint.post("/<topic_id>/leave")
@login_required
@validate_response(Done)
async def leave_topic(principal: Principal, topic_id: str) -> Done:
    """Leave (the owner transfers the topic first)."""
    left = await ask_topic(topic_id, LeaveTopic(by=principal))
    return Done(message="left the topic" if left else "not a member")


@blueprint.get("/<topic_id>/members")
@login_required
@validate_querystring(TopicMemberQuery)
@validate_response(TopicMemberPage)
async def list_members(
    principal: Principal, topic_id: str, query_args: TopicMemberQuery
) -> TopicMemberPage:
    """Members in joining order (readers of the topic only)."""
    await topic_access(principal, topic_id, Need.READ)
    start = offset_of(query_args.cursor)
    members = await store().topics.members.list_members(
        topic_id, offset=start, limit=query_args.limit
    )
    full_page = len(members) == query_args.limit
    return TopicMemberPage(
        members=[TopicMemberView.of(member) for member in members],
        next_cursor=after_offset(start, len(members), query_args.limit, full_page),
    )


@blueprint.put("/<topic_id>/members/<user_id>/role")
@login_required
@validate_body(RoleChange)
@validate_response(TopicMemberView)
async def set_role(
    principal: Principal, topic_id: str, user_id: str, data: RoleChange
) -> TopicMemberView:
    """Make a member a moderator or a plain member (the owner or an admin)."""
    membership = await ask_topic(
        topic_id, SetRole(by=principal, user_id=checked_id(user_id, "member"), role=data.role)
    )
    return TopicMemberView.of(membership)


@blueprint.post("/<topic_id>/transfer")
@login_required
@validate_body(OwnershipTransfer)
@validate_response(TopicView)
async def transfer_ownership(
    principal: Principal, topic_id: str, data: OwnershipTransfer
) -> TopicView:
    """Hand the topic to a member; the previous owner becomes a moderator."""
    access = await ask_topic(topic_id, TransferOwnership(by=principal, user_id=data.user_id))
    return await with_picture(PictureKind.TOPIC, TopicView.of_access(access))


@blueprint.get("/invitations")
@login_required
@validate_querystring(ListQuery)
@validate_response(InvitationList)
async def my_invitations(principal: Principal, query_args: ListQuery) -> InvitationList:
    """My pending invitations, with the titles of topics that still exist."""
    invitations = await store().topics.members.list_invitations(principal.user_id)
    topics = await store().topics.get_many([invitation.scope_id for invitation in invitations])
    titles = {topic.id: topic.title for topic in topics}
    page, cursor = slice_page(
        [
            InvitationView.of(invitation, titles[invitation.scope_id])
            for invitation in invitations
            if invitation.scope_id in titles
        ],
        query_args.cursor,
        query_args.limit,
    )
    return InvitationList(invitations=page, next_cursor=cursor)


@blueprint.post("/<topic_id>/invitations")
@login_required
@validate_body(InvitationCreate)
@validate_response(InvitationView, 201)
async def invite(
    principal: Principal, topic_id: str, data: InvitationCreate
) -> tuple[InvitationView, int]:
    """Invite a user (moderators); inviting again keeps the first invitation."""
    invitation = await ask_topic(topic_id, InviteUser(by=principal, user_id=data.user_id))
    return InvitationView.of(invitation), 201


@blueprint.post("/<topic_id>/invitations/accept")
@login_required
@validate_response(TopicMemberView)
async def accept_invitation(principal: Principal, topic_id: str) -> TopicMemberView:
    """Accept my invitation: join the topic."""
    joined = await ask_topic(topic_id, AnswerInvitation(by=principal, accept=True))
    return TopicMemberView.of(joined)


@blueprint.post("/<topic_id>/invitations/decline")
@login_required
@validate_response(Done)
async def decline_invitation(principal: Principal, topic_id: str) -> Done:
    """Decline my invitation."""
    await ask_topic(topic_id, AnswerInvitation(by=principal, accept=False))
    return Done(message="invitation declined")


@blueprint.get("/<topic_id>/bans")
@login_required
@validate_querystring(ListQuery)
@validate_response(BanList)
async def list_bans(principal: Principal, topic_id: str, query_args: ListQuery) -> BanList:
    """Bans in force (moderators)."""
    bans = await ask_topic(topic_id, ListBans(by=principal))
    page, cursor = slice_page(
        [BanView.of(ban) for ban in bans], query_args.cursor, query_args.limit
    )
    return BanList(bans=page, next_cursor=cursor)


@blueprint.post("/<topic_id>/bans")
@login_required
@validate_body(BanCreate)
@validate_response(BanView, 201)
async def ban_user(principal: Principal, topic_id: str, data: BanCreate) -> tuple[BanView, int]:
    """Ban a user for a while or for good (moderators; the owner also bans moderators)."""
    ban = await ask_topic(
        topic_id,
        BanUser(
            by=principal,
            user_id=data.user_id,
            reason=data.reason,
            duration=None if data.duration_seconds is None else float(data.duration_seconds),
        ),
    )
    return BanView.of(ban), 201


@blueprint.delete("/<topic_id>/bans/<user_id>")
@login_required
@validate_response(Done)
async def unban_user(principal: Principal, topic_id: str, user_id: str) -> Done:
    """Lift a ban (moderators)."""
    lifted = await ask_topic(topic_id, UnbanUser(by=principal, user_id=checked_id(user_id, "ban")))
    return Done(message="ban lifted" if lifted else "no ban in force")


@blueprint.put("/<topic_id>/mute")
@login_required
@validate_response(MuteState)
async def mute_topic(principal: Principal, topic_id: str) -> MuteState:
    """Stop notifications from this topic (readers of the topic)."""
    access = await topic_access(principal, topic_id, Need.READ)
    await store().follows.mute(principal.user_id, access.topic.id)
    return MuteState(muted=True)


@blueprint.delete("/<topic_id>/mute")
@login_required
@validate_response(MuteState)
async def unmute_topic(principal: Principal, topic_id: str) -> MuteState:
    """Notify me from this topic again."""
    access = await topic_access(principal, topic_id, Need.VIEW)
    await store().follows.unmute(principal.user_id, access.topic.id)
    return MuteState(muted=False)
