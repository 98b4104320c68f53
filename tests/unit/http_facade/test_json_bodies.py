"""The strict JSON request class: msgspec parsing, its refusals and Quart's caching contract.

Exercised on a bare app's request class directly (no middleware in front), so that each
refusal is the request class's own: 400 for what is not strict JSON, 413 past the limit
whatever the headers declared (a chunked body has no Content-Length).
"""

from __future__ import annotations

from typing import Any

import pytest
from quart_trio import QuartTrio
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from http_facade.middleware.json_bodies import install_json_bodies

MAX_BYTES = 64 * 1024


def make_app() -> QuartTrio:
    app = QuartTrio(__name__)
    install_json_bodies(app, MAX_BYTES)
    return app


async def parse(data: bytes, **options: bool) -> Any:
    """``get_json(**options)`` of a POST with ``data`` as its JSON body."""
    app = make_app()
    async with app.test_request_context(
        "/", method="POST", data=data, headers={"Content-Type": "application/json"}
    ) as context:
        return await context.request.get_json(**options)


async def test_strict_json_is_parsed() -> None:
    assert await parse(b'{"a": [1, 2.5, "\\u00e9", null, true]}') == {
        "a": [1, 2.5, "é", None, True]
    }


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"{not json", "the body is not valid JSON"),
        (b"\xff\xfe\x00", "the body is not valid JSON"),
        (b'{"a": NaN}', "the body is not valid JSON"),
        (b'"\\ud800"', "the body is not valid JSON"),
        (b"[" * 20_000 + b"]" * 20_000, "nested too deeply"),
    ],
)
async def test_what_is_not_strict_json_is_a_bad_request(data: bytes, detail: str) -> None:
    with pytest.raises(BadRequest) as refused:
        await parse(data)
    assert detail in str(refused.value.description)


async def test_silent_parsing_answers_none_for_bad_json() -> None:
    assert await parse(b"{not json", silent=True) is None


async def test_a_body_past_the_limit_is_too_large_whatever_was_declared() -> None:
    with pytest.raises(RequestEntityTooLarge):
        await parse(b'"' + b"x" * MAX_BYTES + b'"')


async def test_a_body_that_is_not_declared_json_is_not_parsed_unless_forced() -> None:
    app = make_app()
    async with app.test_request_context(
        "/", method="POST", data=b'{"a": 1}', headers={"Content-Type": "text/plain"}
    ) as context:
        assert await context.request.get_json() is None
        assert await context.request.get_json(force=True) == {"a": 1}


async def test_results_are_cached_per_silent_like_quarts_own() -> None:
    app = make_app()
    async with app.test_request_context(
        "/", method="POST", data=b"{not json", headers={"Content-Type": "application/json"}
    ) as context:
        request = context.request
        assert await request.get_json(silent=True) is None
        assert await request.get_json(silent=True) is None
        with pytest.raises(BadRequest):
            await request.get_json()  # the silent result is not reused by a strict call
    async with app.test_request_context(
        "/", method="POST", data=b'{"a": 1}', headers={"Content-Type": "application/json"}
    ) as context:
        request = context.request
        first = await request.get_json()
        assert await request.get_json() is first
        assert await request.get_json(cache=False) == first


@pytest.mark.parametrize("data", [b'{"a": "x\\u0000"}', b'{"\\u0000": 1}', b'["\\\\\\u0000"]'])
async def test_nul_in_any_string_is_refused(data: bytes) -> None:
    with pytest.raises(BadRequest) as refused:
        await parse(data)
    assert "U+0000" in str(refused.value.description)
    assert await parse(data, silent=True) is None


async def test_the_text_backslash_u0000_is_kept() -> None:
    assert await parse(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}
