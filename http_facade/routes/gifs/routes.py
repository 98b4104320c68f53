"""``/api/gifs``: GIF search, trending and categories (Tenor v2, see :mod:`services.gifs`).

Contract: login required; answers are cached per query, limit, locale and position.
Pages follow the API's one pagination: ``cursor`` in, ``next_cursor`` out (the cursor
wraps Tenor's position).
Without ``TOPICSFLOW_TENOR_API_KEY`` every route answers 503 ``unavailable`` ("not
configured"); an upstream timeout or error is 503 ``unavailable`` too, within the
service's timeout.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.pagination import CursorText, Position, decode_cursor, next_cursor, slice_page
from protocol.errors import ErrorCode
from services.gifs import Gif, GifCategory, GifPage, GifService, GifsUnavailable
from services.principal import Principal

blueprint = Blueprint("gifs", __name__, url_prefix="/api/gifs")
tag_blueprint(blueprint, ["gifs"])

Locale = Annotated[str, Meta(pattern="^[a-z]{2}(_[A-Z]{2})?$", max_length=5)]
Limit = Annotated[int, Meta(ge=1, le=50)]
TenorPos = Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9._-]+$")]


class TenorPosition(Position, frozen=True, kw_only=True, tag="t"):
    """Where Tenor's next page starts (its ``next``)."""

    p: TenorPos


class SearchQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``q``: what to look for; ``cursor``: the ``next_cursor`` of the previous page."""

    q: Annotated[str, Meta(min_length=1, max_length=100)]
    limit: Limit = 20
    locale: Locale = "en_US"
    cursor: CursorText | None = None


class TrendingQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of trending GIFs."""

    limit: Limit = 20
    locale: Locale = "en_US"
    cursor: CursorText | None = None


class CategoriesQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Categories for ``locale``, a page of them."""

    locale: Locale = "en_US"
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=200)] = 100


class GifList(msgspec.Struct, frozen=True, kw_only=True):
    """GIFs; ``next_cursor`` asks for the next page (None at the end)."""

    results: list[Gif]
    next_cursor: str | None


class GifCategoryList(msgspec.Struct, frozen=True, kw_only=True):
    """Categories Tenor suggests for a locale; ``next_cursor`` pages on."""

    categories: list[GifCategory]
    next_cursor: str | None


def _pos(cursor: str | None) -> str | None:
    position = decode_cursor(cursor, TenorPosition)
    return None if position is None else position.p


def _list(page: GifPage) -> GifList:
    return GifList(
        results=page.results,
        next_cursor=next_cursor(None if page.next is None else TenorPosition(p=page.next)),
    )


def gif_service() -> GifService:
    """The service for this node's settings and cache."""
    context = current_context()
    settings = context.settings
    cache = context.realtime.cache if context.realtime is not None else None
    return GifService(api_key=settings.tenor_api_key, base_url=settings.tenor_url, cache=cache)


@blueprint.get("/search")
@login_required
@validate_querystring(SearchQuery)
@validate_response(GifList)
async def search(principal: Principal, query_args: SearchQuery) -> GifList:
    """GIFs matching ``q``."""
    try:
        return _list(await gif_service().search(
            query_args.q.strip(),
            limit=query_args.limit,
            locale=query_args.locale,
            pos=_pos(query_args.cursor),
        ))
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None


@blueprint.get("/trending")
@login_required
@validate_querystring(TrendingQuery)
@validate_response(GifList)
async def trending(principal: Principal, query_args: TrendingQuery) -> GifList:
    """Trending GIFs."""
    try:
        return _list(await gif_service().trending(
            limit=query_args.limit, locale=query_args.locale, pos=_pos(query_args.cursor)
        ))
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None


@blueprint.get("/categories")
@login_required
@validate_querystring(CategoriesQuery)
@validate_response(GifCategoryList)
async def categories(principal: Principal, query_args: CategoriesQuery) -> GifCategoryList:
    """GIF categories."""
    try:
        found = await gif_service().categories(locale=query_args.locale)
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None
    page, cursor = slice_page(found.categories, query_args.cursor, query_args.limit)
    return GifCategoryList(categories=page, next_cursor=cursor)
