"""``/api/users``: my profile and preferences, public profiles, search, blocks, admins.

Contract:

* ``/api/users/me…`` act on the caller's own account (login required); nothing here
  reads or changes another user's private data.
* Public profiles (``/api/users/{id}``, ``/api/users/by-name/{username}``) need no login
  and never show an email address; search needs a login and shows public views only.
* The global admin flag is set only by an admin (or ``topicsflow admin grant``).
"""

from __future__ import annotations

from msgspec import UNSET
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import admin_required, login_required
from http_facade.pagination import ListQuery, after_offset, offset_of, slice_page
from http_facade.replies import Done
from http_facade.routes.pictures.subjects import PictureKind, with_picture, with_pictures
from http_facade.routes.users.schemas import (
    MAX_PREFERENCES,
    AdminFlag,
    AdminFlagUpdate,
    MyProfile,
    PreferencesUpdate,
    PreferencesView,
    ProfileUpdate,
    PublicProfile,
    UserList,
    UserSearchQuery,
)
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.accounts.identity_rules import USERNAME_MAX_LENGTH
from services.bans import RESERVED_KEYS
from services.principal import Principal
from storage.errors import Conflict
from storage.protocols.identity import UserStore
from storage.records import User

MAX_ID_LENGTH = 64

MAX_SEARCH_RESULTS = 1_000
"""How deep a username search may be paged."""

blueprint = Blueprint("users", __name__, url_prefix="/api/users")
tag_blueprint(blueprint, ["users"])


def users() -> UserStore:
    """The node's user store (503 ``unavailable`` on a bare app)."""
    store = current_context().store
    if store is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "users are not served by this node")
    return store.users


async def existing_user(user_id: str) -> User:
    """The user ``user_id`` names; 404 ``not_found`` otherwise."""
    if len(user_id) > MAX_ID_LENGTH:
        raise ApiError(ErrorCode.NOT_FOUND, "user not found")
    return await users().get(user_id)


@blueprint.get("/me")
@login_required
@validate_response(MyProfile)
async def my_profile(principal: Principal) -> MyProfile:
    """My account: profile, email, whether it is verified, two-factor state."""
    return await with_picture(PictureKind.USER, MyProfile.of(await users().get(principal.user_id)))


@blueprint.patch("/me")
@login_required
@validate_body(ProfileUpdate)
@validate_response(MyProfile)
async def update_my_profile(principal: Principal, data: ProfileUpdate) -> MyProfile:
    """Change my username, display name or bio (409 ``conflict`` for a taken username)."""
    store = users()
    if data.username is not UNSET:
        try:
            await store.change_username(principal.user_id, data.username)
        except Conflict:
            raise ApiError(ErrorCode.CONFLICT, "the username is taken") from None
    user = await store.update_profile(
        principal.user_id, display_name=data.display_name, bio=data.bio
    )
    return await with_picture(PictureKind.USER, MyProfile.of(user))


@blueprint.get("/me/preferences")
@login_required
@validate_response(PreferencesView)
async def my_preferences(principal: Principal) -> PreferencesView:
    """My preferences."""
    return PreferencesView(preferences=(await users().get(principal.user_id)).preferences)


@blueprint.patch("/me/preferences")
@login_required
@validate_body(PreferencesUpdate)
@validate_response(PreferencesView)
async def update_my_preferences(principal: Principal, data: PreferencesUpdate) -> PreferencesView:
    """Set some preferences; the others are kept (at most 100 in all)."""
    store = users()
    current = (await store.get(principal.user_id)).preferences
    if len(current.keys() | data.preferences.keys()) > MAX_PREFERENCES:
        raise ApiError(ErrorCode.INVALID, f"at most {MAX_PREFERENCES} preferences")
    reserved = sorted(RESERVED_KEYS & data.preferences.keys())
    if reserved:
        raise ApiError(ErrorCode.INVALID, f"{reserved[0]} is reserved for moderators")
    user = await store.update_preferences(principal.user_id, dict(data.preferences))
    return PreferencesView(preferences=user.preferences)


@blueprint.get("/me/blocks")
@login_required
@validate_querystring(ListQuery)
@validate_response(UserList)
async def my_blocks(principal: Principal, query_args: ListQuery) -> UserList:
    """The users I blocked."""
    store = users()
    me = await store.get(principal.user_id)
    blocked = await store.get_many(me.blocked_user_ids)
    page, cursor = slice_page(
        [PublicProfile.of(user) for user in blocked], query_args.cursor, query_args.limit
    )
    return UserList(users=await with_pictures(PictureKind.USER, page), next_cursor=cursor)


@blueprint.put("/me/blocks/<user_id>")
@login_required
@validate_response(Done)
async def block_user(principal: Principal, user_id: str) -> Done:
    """Block a user (blocking twice changes nothing)."""
    if user_id == principal.user_id:
        raise ApiError(ErrorCode.INVALID, "you cannot block yourself")
    await existing_user(user_id)
    await users().block(principal.user_id, user_id)
    return Done(message="blocked")


@blueprint.delete("/me/blocks/<user_id>")
@login_required
@validate_response(Done)
async def unblock_user(principal: Principal, user_id: str) -> Done:
    """Unblock a user."""
    if len(user_id) > MAX_ID_LENGTH:
        raise ApiError(ErrorCode.NOT_FOUND, "user not found")
    await users().unblock(principal.user_id, user_id)
    return Done(message="unblocked")


@blueprint.get("")
@login_required
@validate_querystring(UserSearchQuery)
@validate_response(UserList)
async def search_users(principal: Principal, query_args: UserSearchQuery) -> UserList:
    """Users whose username starts with ``q`` (case-insensitive), by username."""
    start = offset_of(query_args.cursor)
    if start + query_args.limit > MAX_SEARCH_RESULTS:
        raise ApiError(ErrorCode.INVALID, f"cursor: results end after {MAX_SEARCH_RESULTS}")
    window = await users().search(query_args.q, limit=start + query_args.limit + 1)
    found = window[start : start + query_args.limit]
    more = len(window) > start + query_args.limit
    return UserList(
        users=await with_pictures(PictureKind.USER, [PublicProfile.of(user) for user in found]),
        next_cursor=after_offset(start, len(found), query_args.limit, more),
    )


@blueprint.get("/by-name/<username>")
@validate_response(PublicProfile)
async def profile_by_name(username: str) -> PublicProfile:
    """The public profile of the user named ``username`` (case-insensitive)."""
    user = None
    if len(username) <= USERNAME_MAX_LENGTH:
        user = await users().find_by_username(username)
    if user is None:
        raise ApiError(ErrorCode.NOT_FOUND, "user not found")
    return await with_picture(PictureKind.USER, PublicProfile.of(user))


@blueprint.get("/<user_id>")
@validate_response(PublicProfile)
async def public_profile(user_id: str) -> PublicProfile:
    """A user's public profile (no email address)."""
    return await with_picture(PictureKind.USER, PublicProfile.of(await existing_user(user_id)))


@blueprint.put("/<user_id>/admin")
@admin_required
@validate_body(AdminFlagUpdate)
@validate_response(AdminFlag)
async def set_admin(principal: Principal, user_id: str, data: AdminFlagUpdate) -> AdminFlag:
    """Make a user a global admin or not (admins only)."""
    user = await existing_user(user_id)
    await users().set_admin(user.id, data.is_admin)
    return AdminFlag(user_id=user.id, is_admin=data.is_admin)
