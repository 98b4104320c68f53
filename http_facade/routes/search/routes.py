"""``/api/search``: messages, direct messages, posts, comments, topics and users.

Contract:

* Every route needs a login and counts as a read for the rate limits.  The query is
  data: only its words reach the store (:func:`storage.search_text.query_terms`), as
  FTS5 strings (SQLite) or index ranges (Mongo) — never as a pattern or query syntax.
* Permission comes first: the store restricts the matches to what the caller may read
  inside the query (``SearchQuery``'s docstring has the rules, those of
  ``actors/*/access.py``), before ranking and paging; deleted content is not indexed.
  A scope filter the caller may not read is refused like the matching read route
  (``room_id``: members, via the room actor; ``conversation_id``: participants,
  :func:`actors.direct.access.partner_in`), and every direct-message match is checked
  again with that rule.
* Results are ranked by relevance times recency; pages follow with ``next_cursor``
  through the best :data:`MAX_CANDIDATES` matches (``docs/SEARCH.md``).
"""

from __future__ import annotations

import time

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.chat.log import public_message_id
from actors.direct.access import partner_in
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import store
from http_facade.routes.messages.routes import participating
from http_facade.routes.pictures.subjects import PictureKind, with_pictures
from http_facade.routes.rooms.routes import readable_room
from http_facade.routes.search.schemas import (
    DirectSearchQuery,
    Fragment,
    MessageSearchQuery,
    SearchPage,
    SearchResult,
    TopicContentQuery,
    TopicSearchQuery,
    UserPage,
    UserSearch,
)
from http_facade.routes.users.schemas import PublicProfile
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.errors import DomainError
from services.principal import Principal
from services.search.paging import Cursor, decode_cursor, encode_cursor, page_after
from services.search.snippets import snippet
from storage.keys import fold
from storage.protocols.search import SearchHit, SearchKind, SearchQuery
from storage.search_text import query_terms, user_rank

MAX_CANDIDATES = 200
"""The best matches a query ranks; pages reach this far."""

blueprint = Blueprint("search", __name__, url_prefix="/api/search")
tag_blueprint(blueprint, ["search"])


def _cursor(text: str | None) -> Cursor | None:
    if text is None:
        return None
    try:
        return decode_cursor(text)
    except ValueError:
        raise ApiError(ErrorCode.INVALID, "cursor: not one this server issued") from None


def _fragments(text: str, terms: tuple[str, ...]) -> list[Fragment]:
    return [Fragment(text=part, highlighted=marked) for part, marked in snippet(text, terms)]


def _result(hit: SearchHit, terms: tuple[str, ...]) -> SearchResult:
    item_id, room_id, seq, conversation_id, topic_id = hit.key, None, None, None, None
    if hit.kind == "room_message":
        room_id, _, number = hit.key.rpartition(":")
        seq = int(number)
        item_id = public_message_id(seq)
    elif hit.kind == "direct_message":
        conversation_id = hit.scope
    else:
        topic_id = hit.scope
    return SearchResult(
        kind=hit.kind, id=item_id, room_id=room_id, seq=seq, conversation_id=conversation_id,
        topic_id=topic_id, post_id=hit.parent if hit.kind == "comment" else None,
        title=_fragments(hit.title, terms), snippet=_fragments(hit.body, terms),
        created_at=milliseconds(hit.created_at), score=hit.score,
    )


def _readable(principal: Principal, hit: SearchHit) -> bool:
    """The direct domain's rule, checked again on each direct-message match."""
    if hit.kind != "direct_message":
        return True
    try:
        partner_in(hit.scope, principal.user_id)
    except DomainError:
        return False
    return True


async def _search(
    principal: Principal, kind: SearchKind, q: str, limit: int, cursor_text: str | None,
    within: str | None = None,
) -> SearchPage:
    cursor = _cursor(cursor_text)
    terms = query_terms(q)
    if not terms:
        return SearchPage(results=[], next_cursor=None)
    now = cursor.now if cursor is not None else time.time()
    hits = await store().search.search(
        SearchQuery(kind=kind, terms=terms, user_id=principal.user_id,
                    is_admin=principal.is_admin, within=within, now=now,
                    limit=MAX_CANDIDATES)
    )
    readable = [hit for hit in hits if _readable(principal, hit)]
    after = None if cursor is None else (cursor.score, cursor.key)
    page, more = page_after(readable, lambda hit: (hit.score, hit.key), after, limit)
    next_cursor = (
        encode_cursor(Cursor(now=now, score=page[-1].score, key=page[-1].key))
        if more and page else None
    )
    return SearchPage(results=[_result(hit, terms) for hit in page], next_cursor=next_cursor)


@blueprint.get("/messages")
@login_required
@validate_querystring(MessageSearchQuery)
@validate_response(SearchPage)
async def search_messages(principal: Principal, query_args: MessageSearchQuery) -> SearchPage:
    """Messages of the rooms I am a member of (one room with ``room_id``)."""
    if query_args.room_id is not None:
        await readable_room(query_args.room_id, principal)
    return await _search(principal, "room_message", query_args.q, query_args.limit,
                         query_args.cursor, query_args.room_id)


@blueprint.get("/direct-messages")
@login_required
@validate_querystring(DirectSearchQuery)
@validate_response(SearchPage)
async def search_direct_messages(
    principal: Principal, query_args: DirectSearchQuery
) -> SearchPage:
    """Messages of my conversations, except those I deleted for myself."""
    within = None
    if query_args.conversation_id is not None:
        within = participating(principal, query_args.conversation_id)
    return await _search(principal, "direct_message", query_args.q, query_args.limit,
                         query_args.cursor, within)


@blueprint.get("/posts")
@login_required
@validate_querystring(TopicContentQuery)
@validate_response(SearchPage)
async def search_posts(principal: Principal, query_args: TopicContentQuery) -> SearchPage:
    """Posts (title and body) of the topics I may read (one topic with ``topic_id``)."""
    return await _search(principal, "post", query_args.q, query_args.limit,
                         query_args.cursor, query_args.topic_id)


@blueprint.get("/comments")
@login_required
@validate_querystring(TopicContentQuery)
@validate_response(SearchPage)
async def search_comments(principal: Principal, query_args: TopicContentQuery) -> SearchPage:
    """Comments of the topics I may read, on posts not deleted."""
    return await _search(principal, "comment", query_args.q, query_args.limit,
                         query_args.cursor, query_args.topic_id)


@blueprint.get("/topics")
@login_required
@validate_querystring(TopicSearchQuery)
@validate_response(SearchPage)
async def search_topics(principal: Principal, query_args: TopicSearchQuery) -> SearchPage:
    """Topics (title and description) I may see."""
    return await _search(principal, "topic", query_args.q, query_args.limit,
                         query_args.cursor)


@blueprint.get("/users")
@login_required
@validate_querystring(UserSearch)
@validate_response(UserPage)
async def search_users(principal: Principal, query_args: UserSearch) -> UserPage:
    """Users whose username is, starts with, or (3+ characters) contains the query;
    exact first, then prefixes, then shorter names.  Public profiles only."""
    cursor = _cursor(query_args.cursor)
    key = fold(query_args.q)
    found = await store().search.search_users(query_args.q, limit=MAX_CANDIDATES)

    def rank(user_key: tuple[str, str]) -> tuple[float, str]:
        name, user_id = user_key
        order = user_rank(name, key)
        return -float((3 if order is None else order) * 1000 + len(name)), f"{name}\n{user_id}"

    keyed = [((fold(user.username), user.id), user) for user in found]
    after = None if cursor is None else (cursor.score, cursor.key)
    page, more = page_after(keyed, lambda pair: rank(pair[0]), after, query_args.limit)
    next_cursor = None
    if more and page:
        score, last = rank(page[-1][0])
        next_cursor = encode_cursor(Cursor(now=0.0, score=score, key=last))
    profiles = await with_pictures(PictureKind.USER, [PublicProfile.of(user) for _, user in page])
    return UserPage(users=profiles, next_cursor=next_cursor)
