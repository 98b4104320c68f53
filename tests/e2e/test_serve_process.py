"""``topicsflow serve`` as a real process: it listens, answers, and drains on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.process_support import serve_process


async def test_serve_answers_healthz_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    async with serve_process(tmp_path) as served:
        async with httpx.AsyncClient(base_url=served.base_url) as client:
            health = await client.get("/healthz")
            missing = await client.get("/no-such-route")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        assert await served.stop() == 0
