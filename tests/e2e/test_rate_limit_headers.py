"""Limited routes tell their callers where they stand: RateLimit-* and, on 429, Retry-After."""

from __future__ import annotations

import httpx

from http_facade.middleware.rate_limits import DEFAULT_LIMITS, RateClass
from topicsflow.node import NodeHandle


async def test_each_answer_carries_the_allowance_and_a_429_when_to_retry(
    node: NodeHandle,
) -> None:
    limit = DEFAULT_LIMITS[RateClass.REGISTRATION]
    async with httpx.AsyncClient(base_url=node.base_url) as api:
        answers = [await api.post("/api/auth/register", json={}) for _ in range(limit.count + 1)]
        health = await api.get("/healthz")
    spent, refused = answers[:-1], answers[-1]
    assert {answer.status_code for answer in spent} == {400}
    assert [answer.headers["RateLimit-Limit"] for answer in answers] == [str(limit.count)] * (
        limit.count + 1
    )
    assert [int(answer.headers["RateLimit-Remaining"]) for answer in spent] == list(
        range(limit.count - 1, -1, -1)
    )
    resets = [int(answer.headers["RateLimit-Reset"]) for answer in spent]
    assert resets == sorted(resets) and 0 < resets[-1] <= limit.period
    assert refused.status_code == 429
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) >= 1
    assert int(refused.headers["RateLimit-Reset"]) >= 1
    assert "RateLimit-Limit" not in health.headers
