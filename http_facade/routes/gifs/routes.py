"""``/api/gifs``: GIF search, trending and categories (Tenor v2, see :mod:`services.gifs`).

Contract: login required; answers are cached per query, limit, locale and position.
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
from protocol.errors import ErrorCode
from services.gifs import GifCategories, GifPage, GifService, GifsUnavailable
from services.principal import Principal

blueprint = Blueprint("gifs", __name__, url_prefix="/api/gifs")
tag_blueprint(blueprint, ["gifs"])

Locale = Annotated[str, Meta(pattern="^[a-z]{2}(_[A-Z]{2})?$", max_length=5)]
Limit = Annotated[int, Meta(ge=1, le=50)]
Position = Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9._-]+$")]


class SearchQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """``q``: what to look for; ``pos``: the ``next`` of the previous page."""

    q: Annotated[str, Meta(min_length=1, max_length=100)]
    limit: Limit = 20
    locale: Locale = "en_US"
    pos: Position | None = None


class TrendingQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of trending GIFs."""

    limit: Limit = 20
    locale: Locale = "en_US"
    pos: Position | None = None


class CategoriesQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Categories for ``locale``."""

    locale: Locale = "en_US"


def gif_service() -> GifService:
    """The service for this node's settings and cache."""
    context = current_context()
    settings = context.settings
    cache = context.realtime.cache if context.realtime is not None else None
    return GifService(api_key=settings.tenor_api_key, base_url=settings.tenor_url, cache=cache)


@blueprint.get("/search")
@login_required
@validate_querystring(SearchQuery)
@validate_response(GifPage)
async def search(principal: Principal, query_args: SearchQuery) -> GifPage:
    """GIFs matching ``q``."""
    try:
        return await gif_service().search(
            query_args.q.strip(),
            limit=query_args.limit,
            locale=query_args.locale,
            pos=query_args.pos,
        )
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None


@blueprint.get("/trending")
@login_required
@validate_querystring(TrendingQuery)
@validate_response(GifPage)
async def trending(principal: Principal, query_args: TrendingQuery) -> GifPage:
    """Trending GIFs."""
    try:
        return await gif_service().trending(
            limit=query_args.limit, locale=query_args.locale, pos=query_args.pos
        )
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None


@blueprint.get("/categories")
@login_required
@validate_querystring(CategoriesQuery)
@validate_response(GifCategories)
async def categories(principal: Principal, query_args: CategoriesQuery) -> GifCategories:
    """GIF categories."""
    try:
        return await gif_service().categories(locale=query_args.locale)
    except GifsUnavailable as error:
        raise ApiError(ErrorCode.UNAVAILABLE, str(error)) from None
