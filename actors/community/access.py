"""Who may do what in a topic, its posts and its comments: the community's access rules.

Every rule of the community domain that decides whether a principal may read, write,
moderate or own something is a pure function here, over the storage records and the
:class:`~services.principal.Principal` (or its ``is_admin`` flag, where the caller holds
only that).  Nothing here reads storage: callers look up roles, invitations and bans
and pass what they found.  The rules are applied by

* the topic actor (:class:`actors.community.topic_access.TopicPolicy` and the membership
  and post commands), which is also what ``topic:<id>`` and ``post:<id>`` subscriptions
  ask (``CheckAccess``);
* the post actor, on the :class:`~actors.community.topic_commands.TopicAccess` the topic
  actor answered;
* the REST facade where it decides without asking an actor (lists of topics, the feed,
  adding a room to a topic) and where it shows a caller's standing (``can_moderate``,
  anonymous authors).

Roles: a topic has exactly one ``owner`` (``Topic.owner_id``, who also holds the
``owner`` role), any number of ``moderator`` and ``member``; no role (None) means not a
member.  A global admin (``Principal.is_admin``) may do everything the table says
"admins" for, without any role in the topic.

=====================================  ===================================================
action                                 who may
=====================================  ===================================================
see the topic (``Need.VIEW``)          anyone for a public topic; members, invitees and
                                       admins for an invite-only one
read posts, comments, members;         anyone for a public topic; members and admins for
subscribe (``Need.READ``)              an invite-only one
post, comment, vote (``Need.WRITE``)   readers who are not banned; admins
moderate (``Need.MODERATE``): delete   owner, moderators, admins (:func:`may_moderate`)
others' items, invite, ban, unban,
list bans, edit the topic, see
anonymous authors
decide who may join (``is_private``)   owner, admins
delete the topic, set roles, transfer  owner, admins
restore a topic; restore or purge      admins only
deleted posts and comments
edit a post or a comment               its author only (not moderators, not admins)
delete a post or a comment             its author, owner, moderators, admins
ban a member                           moderators; a moderator only by the owner or an
                                       admin; the owner never
leave                                  anyone but the owner (who transfers first)
join                                   anyone not banned; an invite-only topic needs an
                                       invitation (admins do not)
add a chat room to the topic           owner, moderators (admins need a role too)
=====================================  ===================================================
"""

from __future__ import annotations

import enum

from services.principal import Principal
from storage.records import Comment, Post, Role, Topic

MODERATOR_ROLES: frozenset[Role] = frozenset({"owner", "moderator"})
"""The roles that moderate a topic."""

INVITE_ONLY = "this topic is invite-only"
BANNED = "you are banned from this topic"
MODERATORS_ONLY = "only the topic's moderators may do this"


class Need(enum.Enum):
    """What a caller wants to do with a topic, from least to most privileged."""

    VIEW = "view"
    """See the topic itself: anyone for public topics; members and invitees otherwise."""
    READ = "read"
    """Read posts, comments, members and the live channels: members of invite-only topics."""
    WRITE = "write"
    """Post, comment and vote: readers who are not banned."""
    MODERATE = "moderate"
    """Delete others' posts, ban, invite, see anonymous authors: owner and moderators."""


def holds_moderator_role(role: Role | None) -> bool:
    """Whether ``role`` moderates the topic: the owner and the moderators (admins aside)."""
    return role in MODERATOR_ROLES


def may_moderate(role: Role | None, *, is_admin: bool) -> bool:
    """The owner/moderator rule: ``role`` moderates, or the principal is a global admin.

    Moderating is deleting others' posts and comments, inviting, banning and unbanning,
    listing bans, editing the topic, and seeing the real authors of anonymous items.
    """
    return is_admin or holds_moderator_role(role)


def may_read_topic(principal: Principal, topic: Topic, role: Role | None) -> bool:
    """Whether ``principal`` (holding ``role``) may read ``topic``'s content: anyone for a
    public topic, members and admins for an invite-only one.  Invitees of an invite-only
    topic may only see the topic itself (:func:`topic_refusal` with ``Need.VIEW``)."""
    return principal.is_admin or not topic.is_private or role is not None


def topic_refusal(
    principal: Principal,
    topic: Topic,
    role: Role | None,
    need: Need,
    *,
    invited: bool = False,
    banned: bool = False,
) -> str | None:
    """Why ``principal`` may not do ``need`` in ``topic`` (shown to them, ``forbidden``),
    or None when they may.

    ``role`` is theirs in the topic; ``invited`` whether they hold a pending invitation;
    ``banned`` whether a ban is in force.  The rules (see the module's table): admins
    may do everything; an invite-only topic is read by members only, and seen also by
    invitees; writing needs no ban; moderating needs :func:`holds_moderator_role`.  A
    fact that cannot change the answer need not be looked up: the answer is the same
    whatever value it is given.
    """
    if principal.is_admin:
        return None
    if not may_read_topic(principal, topic, role):
        return None if need is Need.VIEW and invited else INVITE_ONLY
    if need is Need.WRITE and banned:
        return BANNED
    if need is Need.MODERATE and not holds_moderator_role(role):
        return MODERATORS_ONLY
    return None


def is_topic_owner(principal: Principal, topic: Topic) -> bool:
    """Whether ``principal`` owns ``topic`` (admins do not; the owner cannot leave)."""
    return topic.owner_id == principal.user_id


def may_act_as_owner(principal: Principal, topic: Topic) -> bool:
    """Whether ``principal`` may do what only the owner does — delete the topic, set
    roles, transfer the ownership: the owner and admins."""
    return principal.is_admin or is_topic_owner(principal, topic)


def may_change_privacy(principal: Principal, role: Role | None) -> bool:
    """Whether ``principal`` (holding ``role``) may decide who may join (make the topic
    invite-only or public): the owner and admins; moderators edit everything else."""
    return principal.is_admin or role == "owner"


def may_manage_trash(principal: Principal) -> bool:
    """Whether ``principal`` may restore a deleted topic, and restore or purge deleted
    posts and comments: global admins only."""
    return principal.is_admin


def join_refusal(
    principal: Principal, topic: Topic, *, invited: bool, banned: bool
) -> str | None:
    """Why ``principal`` may not join ``topic`` (``forbidden``), or None: a ban in force
    refuses everyone, admins too; an invite-only topic needs an invitation, except for
    admins."""
    if banned:
        return BANNED
    if topic.is_private and not invited and not principal.is_admin:
        return INVITE_ONLY
    return None


def ban_refusal(principal: Principal, role: Role | None, target_role: Role | None) -> str | None:
    """Why ``principal`` (holding ``role``, already allowed to moderate) may not ban a user
    holding ``target_role`` (``forbidden``), or None: nobody bans the owner; only the
    owner or an admin bans a moderator; moderators ban members and non-members."""
    if target_role == "owner":
        return "the owner cannot be banned"
    if holds_moderator_role(target_role) and not (principal.is_admin or role == "owner"):
        return "only the owner may ban a moderator"
    return None


def is_author(principal: Principal, author_id: str | None) -> bool:
    """Whether ``principal`` wrote the item whose author is ``author_id`` (None: a
    comment's tombstone, which nobody wrote any more)."""
    return author_id is not None and author_id == principal.user_id


def may_edit_post(principal: Principal, post: Post) -> bool:
    """Whether ``principal`` may change ``post``'s text: its author only."""
    return is_author(principal, post.author_id)


def may_delete_post(principal: Principal, post: Post, role: Role | None) -> bool:
    """Whether ``principal`` (holding ``role`` in the post's topic) may delete ``post``:
    its author, the topic's owner and moderators, admins."""
    return is_author(principal, post.author_id) or may_moderate(role, is_admin=principal.is_admin)


def may_edit_comment(principal: Principal, comment: Comment) -> bool:
    """Whether ``principal`` may change ``comment``'s text: its author only."""
    return is_author(principal, comment.author_id)


def may_delete_comment(principal: Principal, comment: Comment, role: Role | None) -> bool:
    """Whether ``principal`` (holding ``role`` in the topic) may delete ``comment``: its
    author, the topic's owner and moderators, admins."""
    return is_author(principal, comment.author_id) or may_moderate(
        role, is_admin=principal.is_admin
    )


def sees_real_author(viewer: Principal, author_id: str | None, *, moderates: bool) -> bool:
    """Whether ``viewer`` sees who wrote an anonymous item by ``author_id``: its author,
    and whoever moderates the topic (``moderates``: :func:`may_moderate` of the viewer)."""
    return moderates or is_author(viewer, author_id)


def may_add_room(role: Role | None) -> bool:
    """Whether the holder of ``role`` in a topic may add a chat room to it: the owner and
    the moderators.  Admins need a role too."""
    return holds_moderator_role(role)
