"""GIF routes through a live node against a fake Tenor served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import httpx
import trio

from tests.e2e.conftest import log_in_new_user
from tests.e2e.file_support import bearer, serve_test_node
from tests.e2e.gif_support import serve_fake_tenor
from topicsflow.node import NodeHandle


async def test_search_goes_to_tenor_once_per_query(tmp_path: Path) -> None:
    paths: list[str] = []
    async with trio.open_nursery() as nursery:
        port = await nursery.start(serve_fake_tenor, paths)
        async with serve_test_node(
            tmp_path, tenor_api_key="KEY", tenor_url=f"http://127.0.0.1:{port}/v2"
        ) as node:
            alice = await log_in_new_user(node, "alice")
            async with httpx.AsyncClient(
                base_url=node.base_url, headers=bearer(alice.token)
            ) as api:
                first = await api.get("/api/gifs/search", params={"q": "cats", "limit": 5})
                assert first.status_code == 200, first.text
                assert first.json()["results"][0]["id"] == "g1"
                again = await api.get("/api/gifs/search", params={"q": "cats", "limit": 5})
                assert again.json() == first.json()
                assert len(paths) == 1
                assert paths[0].startswith("/v2/search?")
                trending = await api.get("/api/gifs/trending", params={"locale": "de_DE"})
                assert trending.status_code == 200
                assert len(paths) == 2
                bad = await api.get("/api/gifs/search", params={"q": "", "limit": 500})
                assert bad.status_code == 400
        nursery.cancel_scope.cancel()


async def test_without_a_key_gifs_are_503(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    async with httpx.AsyncClient(base_url=node.base_url, headers=bearer(alice.token)) as api:
        for path in ("/api/gifs/search?q=hi", "/api/gifs/trending", "/api/gifs/categories"):
            answer = await api.get(path)
            assert answer.status_code == 503
            assert answer.json()["error"]["code"] == "unavailable"
    async with httpx.AsyncClient(base_url=node.base_url) as stranger:
        assert (await stranger.get("/api/gifs/trending")).status_code == 401
