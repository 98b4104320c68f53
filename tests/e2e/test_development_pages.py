"""The development profile's pages: home, outbox, and the pages mailed links open.

A newcomer registers, reads the link, confirms, resets a password and logs in with
nothing but HTTP; none of these pages exists in the testing or production profile.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from services.email import DevelopmentMailer, EmailMessage, OutboxMailer
from tests.e2e.file_support import serve_test_node
from topicsflow.node import NodeHandle
from topicsflow.settings import Profile

PASSWORD = "correct horse battery staple"
JSON = {"Accept": "application/json"}


@pytest.fixture
async def development_node(tmp_path: Path) -> AsyncIterator[NodeHandle]:
    async with serve_test_node(tmp_path, profile=Profile.DEVELOPMENT, webapp_path="/") as node:
        yield node


async def register(api: httpx.AsyncClient, username: str) -> None:
    answer = await api.post("/api/auth/register", json={
        "username": username, "email": f"{username}@example.org", "password": PASSWORD,
    })
    assert answer.status_code == 202


async def newest_link(api: httpx.AsyncClient, address: str) -> str:
    """Path and query of the newest link mailed to ``address``, read from the outbox."""
    outbox = await api.get("/dev/outbox", params={"to": address}, headers=JSON)
    assert outbox.status_code == 200
    messages = outbox.json()["messages"]
    assert messages and {message["to"] for message in messages} == {address}
    link = urlsplit(messages[0]["links"][0])
    return f"{link.path}?{link.query}"


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


async def log_in(api: httpx.AsyncClient, username: str, password: str) -> int:
    answer = await api.post("/api/auth/login", json={"login": username, "password": password})
    return answer.status_code


async def test_home_says_what_runs_and_links_onwards(development_node: NodeHandle) -> None:
    async with httpx.AsyncClient(base_url=development_node.base_url) as api:
        home = await api.get("/dev")
    assert home.status_code == 200
    assert home.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in home.headers["content-security-policy"]
    for target in (
        'href="/docs"', 'href="/dev/outbox"', 'href="/ops/status"', "sqlite", "/ws", 'href="/"',
    ):
        assert target in home.text


async def test_register_confirm_and_log_in_with_http_alone(
    development_node: NodeHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="topicsflow.dev_mail")
    async with httpx.AsyncClient(base_url=development_node.base_url) as api:
        await register(api, "ada")
        link = await newest_link(api, "ada@example.org")
        assert link.startswith("/verify-email?token=")
        assert await log_in(api, "ada", PASSWORD) != 200
        for _ in range(2):  # opening the link (a preview, a reload) does not spend it
            page = await api.get(link)
            assert page.status_code == 200
            assert f'value="{token_of(link)}"' in page.text
        confirmed = await api.post("/verify-email", data={"token": token_of(link)})
        assert confirmed.status_code == 200
        assert "confirmed" in confirmed.text
        again = await api.post("/verify-email", data={"token": token_of(link)})
        assert again.status_code == 400
        assert "not valid" in again.text
        assert await log_in(api, "ada", PASSWORD) == 200
    logged = [record.getMessage() for record in caplog.records
              if record.name == "topicsflow.dev_mail"]
    assert any(token_of(link) in message and "ada@example.org" in message
               for message in logged)


async def test_a_password_reset_completes_on_the_node(development_node: NodeHandle) -> None:
    async with httpx.AsyncClient(base_url=development_node.base_url) as api:
        await register(api, "bob")
        verification = await newest_link(api, "bob@example.org")
        await api.post("/verify-email", data={"token": token_of(verification)})
        asked = await api.post("/api/auth/password-reset", json={"email": "bob@example.org"})
        assert asked.status_code == 202
        link = await newest_link(api, "bob@example.org")
        assert link.startswith("/reset-password?token=")
        form = await api.get(link)
        assert 'type="password"' in form.text
        weak = await api.post("/reset-password", data={"token": token_of(link), "password": "x"})
        assert weak.status_code == 400
        new_password = "a much longer new passphrase"
        changed = await api.post(
            "/reset-password", data={"token": token_of(link), "password": new_password}
        )
        assert changed.status_code == 200
        assert await log_in(api, "bob", PASSWORD) == 401
        assert await log_in(api, "bob", new_password) == 200


async def test_the_outbox_page_shows_mail_text_as_text(development_node: NodeHandle) -> None:
    mailer = development_node.context.mailer
    assert isinstance(mailer, OutboxMailer)
    await mailer.send(EmailMessage(
        to="eve@example.org", subject="<b>bold</b>", body="<script>alert(1)</script>",
        links=("javascript:alert(1)",),
    ))
    async with httpx.AsyncClient(base_url=development_node.base_url) as api:
        page = await api.get("/dev/outbox", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>bold" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'href="javascript:' not in page.text


@pytest.mark.parametrize("profile", [Profile.TESTING, Profile.PRODUCTION])
async def test_no_development_page_outside_development(tmp_path: Path, profile: Profile) -> None:
    async with serve_test_node(tmp_path, profile=profile) as node:
        async with httpx.AsyncClient(base_url=node.base_url) as api:
            for path in (
                "/", "/dev", "/dev/outbox", "/verify-email?token=x", "/reset-password?token=x",
            ):
                answer = await api.get(path)
                assert answer.status_code == 404, path
                assert answer.json()["error"]["code"] == "not_found"
        assert not isinstance(node.context.mailer, DevelopmentMailer)
