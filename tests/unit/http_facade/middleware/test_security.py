"""The security baseline: client address, headers, CSRF, content type, CORS."""

from __future__ import annotations

import ipaddress

import pytest
from quart import Blueprint, jsonify
from quart_trio import QuartTrio

from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.middleware.security import SESSION_COOKIE, accepts_any_body, client_address
from topicsflow.settings import Profile, Settings

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),
        ("203.0.113.5", "1.2.3.4", "203.0.113.5"),  # untrusted peer: header ignored
        ("10.0.0.2", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        ("10.0.0.2", "not-an-ip, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("::1", "2001:db8::1", "2001:db8::1"),
        (None, None, "unknown"),
    ],
)
def test_client_address_believes_only_trusted_proxies(
    peer: str | None, forwarded: str | None, expected: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected


def make_app(**overrides: object) -> QuartTrio:
    settings = Settings(**overrides)  # type: ignore[arg-type]
    app = create_app(FacadeContext(settings=settings))
    probe = Blueprint("probe", __name__, url_prefix="/api/probe")

    @probe.post("/json")
    async def take_json() -> object:
        return jsonify({"ok": True})

    @probe.post("/upload")
    @accepts_any_body
    async def take_anything() -> object:
        return jsonify({"ok": True})

    app.register_blueprint(probe)
    return app


async def test_security_headers_are_set() -> None:
    client = make_app(profile=Profile.PRODUCTION).test_client()
    response = await client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "max-age" in response.headers["Strict-Transport-Security"]


async def test_cookie_authenticated_cross_site_post_is_refused() -> None:
    client = make_app(cors_origins=("https://app.example",)).test_client()
    client.set_cookie("localhost", SESSION_COOKIE, "token")
    hostile = await client.post(
        "/api/probe/json", json={}, headers={"Origin": "https://evil.example"}
    )
    assert hostile.status_code == 403
    assert (await hostile.get_json())["error"]["code"] == "forbidden"
    no_origin = await client.post("/api/probe/json", json={})
    assert no_origin.status_code == 403
    allowed = await client.post(
        "/api/probe/json", json={}, headers={"Origin": "https://app.example"}
    )
    assert allowed.status_code == 200
    referer = await client.post(
        "/api/probe/json", json={}, headers={"Referer": "https://app.example/page"}
    )
    assert referer.status_code == 200


async def test_bearer_requests_are_not_subject_to_the_origin_check() -> None:
    client = make_app().test_client()
    client.set_cookie("localhost", SESSION_COOKIE, "token")
    response = await client.post(
        "/api/probe/json", json={}, headers={"Authorization": "Bearer t", "Origin": "https://x.y"}
    )
    assert response.status_code == 200


async def test_api_bodies_must_be_json_unless_marked() -> None:
    client = make_app().test_client()
    form = await client.post("/api/probe/json", form={"a": "b"})
    assert form.status_code == 415
    assert (await form.get_json())["error"]["code"] == "unsupported"
    upload = await client.post(
        "/api/probe/upload", data=b"\x89PNG", headers={"Content-Type": "image/png"}
    )
    assert upload.status_code == 200


async def test_oversized_body_is_413_in_the_error_shape() -> None:
    client = make_app(max_request_bytes=1024).test_client()
    body = b"{" + b" " * 5000 + b"}"
    response = await client.post(
        "/api/probe/json",
        data=body,
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
    )
    assert response.status_code == 413
    assert (await response.get_json())["error"]["code"] == "too_large"


async def test_cors_preflight_answers_only_allowed_origins() -> None:
    client = make_app(cors_origins=("https://app.example",)).test_client()
    headers = {"Access-Control-Request-Method": "POST"}
    allowed = await client.options(
        "/api/probe/json", headers={**headers, "Origin": "https://app.example"}
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    refused = await client.options(
        "/api/probe/json", headers={**headers, "Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
