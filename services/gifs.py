"""GIF search through Tenor v2, cached, bounded in time.

Contract:

* :class:`GifService` serves :meth:`~GifService.search`, :meth:`~GifService.trending`
  and :meth:`~GifService.categories` from Tenor's v2 API (``search``, ``featured``,
  ``categories``), reduced to :class:`Gif` / :class:`GifCategory` shapes.
* Answers are cached for :data:`CACHE_SECONDS` under a key holding every parameter
  (endpoint, query, limit, locale, position).
* Every upstream call is bounded by ``timeout`` seconds overall; a timeout, a transport
  error, a non-200 answer or an unreadable body raises :class:`GifsUnavailable` — never
  hangs, never leaks the API key into messages.
* Without an API key every call raises :class:`GifsNotConfigured` (a ``GifsUnavailable``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import httpx
import msgspec
import trio

from storage.realtime.protocols import Cache

CACHE_SECONDS = 300.0
Shape = TypeVar("Shape", bound=msgspec.Struct)
DEFAULT_TIMEOUT = 5.0


class GifsUnavailable(Exception):
    """The GIF provider could not answer; the message is safe to show."""


class GifsNotConfigured(GifsUnavailable):
    """No Tenor API key is configured on this node."""


class Gif(msgspec.Struct, frozen=True, kw_only=True):
    """One GIF: the full ``url`` and a small ``preview_url``."""

    id: str
    title: str
    url: str
    preview_url: str
    width: int = 0
    height: int = 0


class GifPage(msgspec.Struct, frozen=True, kw_only=True):
    """Results and the position of the next page (``next``; None at the end)."""

    results: list[Gif]
    next: str | None = None


class GifCategory(msgspec.Struct, frozen=True, kw_only=True):
    """A category: its search term and an illustrating image."""

    name: str
    search_term: str
    image_url: str


class GifCategories(msgspec.Struct, frozen=True, kw_only=True):
    """Every category Tenor suggests for a locale."""

    categories: list[GifCategory]


class _Media(msgspec.Struct, frozen=True):
    url: str = ""
    dims: list[int] = msgspec.field(default_factory=list)


class _Result(msgspec.Struct, frozen=True):
    id: str
    media_formats: dict[str, _Media]
    content_description: str = ""
    title: str = ""


class _Results(msgspec.Struct, frozen=True):
    results: list[_Result]
    next: str = ""


class _Tag(msgspec.Struct, frozen=True):
    searchterm: str
    image: str = ""
    name: str = ""


class _Tags(msgspec.Struct, frozen=True):
    tags: list[_Tag]


def _gif(result: _Result) -> Gif | None:
    full = result.media_formats.get("gif") or result.media_formats.get("mediumgif")
    if full is None or not full.url:
        return None
    preview = result.media_formats.get("tinygif") or full
    dims = full.dims if len(full.dims) == 2 else [0, 0]
    return Gif(
        id=result.id,
        title=(result.content_description or result.title)[:200],
        url=full.url,
        preview_url=preview.url or full.url,
        width=dims[0],
        height=dims[1],
    )


class GifService:
    """See the module docstring; ``transport`` lets tests replace the network."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str,
        cache: Cache | None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._cache = cache
        self._timeout = timeout
        self._transport = transport

    async def search(self, query: str, *, limit: int, locale: str, pos: str | None) -> GifPage:
        """GIFs matching ``query``."""
        params = {"q": query, "limit": str(limit), "locale": locale, "pos": pos or ""}
        return await self._page("search", params)

    async def trending(self, *, limit: int, locale: str, pos: str | None) -> GifPage:
        """Tenor's featured GIFs."""
        return await self._page(
            "featured", {"limit": str(limit), "locale": locale, "pos": pos or ""}
        )

    async def categories(self, *, locale: str) -> GifCategories:
        """Suggested categories."""
        raw = await self._cached("categories", {"locale": locale})
        tags = self._decode(raw, _Tags).tags
        return GifCategories(
            categories=[
                GifCategory(
                    name=tag.name or tag.searchterm, search_term=tag.searchterm, image_url=tag.image
                )
                for tag in tags
            ]
        )

    async def _page(self, endpoint: str, params: dict[str, str]) -> GifPage:
        raw = await self._cached(endpoint, params)
        decoded = self._decode(raw, _Results)
        gifs = [gif for gif in map(_gif, decoded.results) if gif is not None]
        return GifPage(results=gifs, next=decoded.next or None)

    @staticmethod
    def _decode(raw: bytes, shape: type[Shape]) -> Shape:
        try:
            return msgspec.json.decode(raw, type=shape)
        except msgspec.DecodeError:
            raise GifsUnavailable("the GIF provider sent an unreadable answer") from None

    async def _cached(self, endpoint: str, params: Mapping[str, str]) -> bytes:
        if self._api_key is None:
            raise GifsNotConfigured("GIF search is not configured on this node")
        key = ("gifs", endpoint, *(f"{name}={params[name]}" for name in sorted(params)))
        if self._cache is None:
            return await self._fetch(endpoint, params)
        return await self._cache.get_or_set(
            key, lambda: self._fetch(endpoint, params), ttl=CACHE_SECONDS
        )

    async def _fetch(self, endpoint: str, params: Mapping[str, str]) -> bytes:
        assert self._api_key is not None
        query = {name: value for name, value in params.items() if value}
        query.update(key=self._api_key, client_key="topicsflow", media_filter="gif,tinygif")
        try:
            with trio.fail_after(self._timeout):
                async with httpx.AsyncClient(
                    timeout=self._timeout, transport=self._transport
                ) as client:
                    response = await client.get(f"{self._base_url}/{endpoint}", params=query)
                    body = await response.aread()
        except (trio.TooSlowError, httpx.TimeoutException):
            raise GifsUnavailable("the GIF provider did not answer in time") from None
        except httpx.HTTPError as error:
            raise GifsUnavailable(
                f"the GIF provider is unreachable ({type(error).__name__})"
            ) from None
        if response.status_code != 200:
            raise GifsUnavailable(f"the GIF provider answered {response.status_code}")
        return body
