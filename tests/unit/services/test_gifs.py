"""The Tenor client: shapes, caching per parameters, and failures that never hang."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import trio

from services.gifs import GifService, GifsNotConfigured, GifsUnavailable
from storage.realtime.memory import MemoryCache
from tests.tenor_support import TENOR_PAGE


def tenor(requests: list[httpx.Request], status: int = 200, body: Any = TENOR_PAGE) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, content=json.dumps(body).encode())

    return httpx.MockTransport(handle)


def service(transport: Any, *, key: str | None = "KEY", timeout: float = 5.0) -> GifService:
    return GifService(
        api_key=key,
        base_url="http://tenor.test/v2",
        cache=MemoryCache(trio.current_time),
        timeout=timeout,
        transport=transport,
    )


async def test_search_maps_results_and_caches_per_parameters() -> None:
    requests: list[httpx.Request] = []
    gifs = service(tenor(requests))
    page = await gifs.search("cats", limit=10, locale="en_US", pos=None)
    assert [gif.id for gif in page.results] == ["g1"]
    assert page.results[0].preview_url.endswith("g1-tiny.gif")
    assert (page.results[0].width, page.next) == (220, "20")
    assert requests[0].url.path == "/v2/search"
    assert requests[0].url.params["q"] == "cats"
    assert requests[0].url.params["key"] == "KEY"
    await gifs.search("cats", limit=10, locale="en_US", pos=None)
    assert len(requests) == 1
    await gifs.search("cats", limit=11, locale="en_US", pos=None)
    await gifs.search("cats", limit=10, locale="de_DE", pos=None)
    await gifs.trending(limit=10, locale="en_US", pos=None)
    assert len(requests) == 4
    assert requests[-1].url.path == "/v2/featured"


async def test_categories() -> None:
    requests: list[httpx.Request] = []
    body = {"tags": [{"searchterm": "happy", "image": "https://m.example/h.gif", "name": "#happy"}]}
    found = await service(tenor(requests, body=body)).categories(locale="en_US")
    assert found.categories[0].search_term == "happy"


async def test_failures_become_gifs_unavailable() -> None:
    with pytest.raises(GifsNotConfigured):
        await service(tenor([]), key=None).trending(limit=1, locale="en_US", pos=None)
    with pytest.raises(GifsUnavailable, match="500"):
        await service(tenor([], status=500)).trending(limit=1, locale="en_US", pos=None)
    with pytest.raises(GifsUnavailable, match="unreadable"):
        await service(tenor([], body=["x"])).trending(limit=1, locale="en_US", pos=None)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(GifsUnavailable, match="unreachable") as unreachable:
        await service(httpx.MockTransport(refuse)).trending(limit=1, locale="en_US", pos=None)
    assert "KEY" not in str(unreachable.value)


async def test_a_silent_upstream_times_out(autojump_clock: Any) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await trio.sleep_forever()
        raise AssertionError

    with pytest.raises(GifsUnavailable, match="in time"):
        await service(httpx.MockTransport(hang), timeout=2.0).search(
            "x", limit=1, locale="en_US", pos=None
        )
