"""The web app's other flows in Chromium, two users: a TOTP login, a post with votes and a
comment tree, reactions, a direct message, notifications with the unread badge, and call
ringing (signalling only)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser_support import served_node

PASSWORD = "correct horse battery staple"
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def contexts(browser: Browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    first = browser.new_context(viewport={"width": 1280, "height": 860})
    second = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def make_user(api: httpx.Client, username: str) -> None:
    """Register and confirm ``username`` over HTTP (the outbox gives the token)."""
    email = f"{username}@example.org"
    assert api.post("/api/auth/register", json={
        "username": username, "email": email, "password": PASSWORD,
    }).status_code == 202
    outbox = api.get("/dev/outbox", params={"to": email}, headers={"Accept": "application/json"})
    token = parse_qs(urlsplit(outbox.json()["messages"][0]["links"][0]).query)["token"][0]
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 200


def enable_totp(api: httpx.Client, username: str) -> pyotp.TOTP:
    login = api.post("/api/auth/login", json={"login": username, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    setup = api.post("/api/auth/two-factor/setup", json={"password": PASSWORD}, headers=headers)
    totp = pyotp.TOTP(setup.json()["secret"])
    enabled = api.post("/api/auth/two-factor/enable", json={"code": totp.now()}, headers=headers)
    assert enabled.status_code == 200, enabled.text
    return totp


def log_in(page: Page, base_url: str, username: str, totp: pyotp.TOTP | None = None) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if totp is not None:
        # The next 30 s step's code: the current one was spent enabling TOTP (no replays),
        # and the server accepts one step of clock drift either side.
        code = totp.at(time.time() + 30)
        page.get_by_label("Code from your authenticator app (or a backup code)").fill(code)
        page.get_by_role("button", name="Verify code").click()
    expect(page.locator("#connection")).to_have_text("Connected")


def test_posts_votes_comments_reactions_dms_notifications_and_calls(
    contexts: tuple[BrowserContext, BrowserContext], tmp_path: Path
) -> None:
    with (
        served_node(tmp_path, TOPICSFLOW_PROFILE="development") as node,
        httpx.Client(base_url=node.base_url) as api,
    ):
        make_user(api, "ada")
        make_user(api, "bob")
        totp = enable_totp(api, "ada")
        ada, bob = (context.new_page() for context in contexts)
        log_in(ada, node.base_url, "ada", totp)
        log_in(bob, node.base_url, "bob")

        # A topic with a post; Bob joins, votes and comments; Ada replies in the tree.
        ada.get_by_text("New topic").click()
        ada.get_by_label("Topic title").fill("Orchards")
        ada.get_by_role("button", name="Create topic").click()
        expect(ada.locator("#content h2").first).to_have_text("Orchards")
        topic_url = ada.url
        ada.get_by_label("Title", exact=True).fill(f"Pruning {XSS}")
        ada.get_by_label("Text", exact=True).fill(f"When? {XSS}")
        ada.get_by_role("button", name="Publish").click()
        expect(ada.locator("li.post h3")).to_have_text(f"Pruning {XSS}")

        bob.goto(topic_url)
        bob.get_by_role("button", name="Join this topic").click()
        bob.get_by_role("button", name=f"Upvote Pruning {XSS}").click()
        expect(ada.locator("li.post .score")).to_have_text("1")
        bob.get_by_role("link", name=f"Pruning {XSS}").click()
        bob.get_by_label("Comment", exact=True).fill(f"In winter {XSS}")
        bob.get_by_role("button", name="Comment", exact=True).click()
        expect(ada.locator("#unread-badge")).not_to_have_text("0")
        ada.get_by_role("link", name=f"Pruning {XSS}").click()
        comment = ada.locator("li.comment").first
        expect(comment.locator("p.body").first).to_have_text(f"In winter {XSS}")
        comment.get_by_role("button", name="Reply").click()
        ada.get_by_label("Reply", exact=True).fill("Thanks!")
        ada.get_by_role("button", name="Reply", exact=True).last.click()
        expect(bob.locator("li.comment li.comment p.body")).to_have_text("Thanks!")

        # Notifications: the badge counts, the list shows them, "mark all" clears it.
        ada.get_by_role("button", name="Notifications").click()
        expect(ada.locator("ul.notifications li").first).to_be_visible()
        ada.get_by_role("button", name="Mark all as read").click()
        expect(ada.locator("#unread-badge")).to_have_text("0")

        # A room: a reaction, then a call that rings Bob.
        ada.goto(topic_url)
        ada.get_by_label("New chat room").fill("orchard-chat")
        ada.get_by_role("button", name="Create room").click()
        expect(ada.locator("#content h2").first).to_have_text("# orchard-chat")
        room_url = ada.url
        bob.goto(room_url)
        bob.get_by_role("button", name="Join this room").click()
        box = ada.get_by_label("Message", exact=True)
        box.fill("React to this")
        box.press("Enter")
        bob.locator("li.message").last.get_by_role("button", name="React with 👍").click()
        expect(ada.locator("li.message").last.locator(".reactions")).to_contain_text("👍 1")
        ada.get_by_role("button", name="Call the room").click()
        expect(bob.locator("#call-banner")).to_contain_text("Incoming audio call from")
        bob.locator("#call-banner").get_by_role("button", name="Accept").click()
        expect(ada.locator("#call-banner")).to_contain_text("active")
        expect(bob.locator("#call-banner")).to_contain_text("active")
        bob.locator("#call-banner").get_by_role("button", name="Hang up").click()
        expect(bob.locator("#call-banner")).to_contain_text("ended")

        # A direct message from Bob to Ada.
        bob.get_by_label("Recipient (username)").fill("ada")
        bob.get_by_label("First message").fill(f"Psst {XSS}")
        bob.get_by_role("button", name="Send", exact=True).first.click()
        expect(bob.locator("#content h2").first).to_contain_text("Direct messages with ada")
        expect(bob.locator("li.message p.text")).to_have_text(f"Psst {XSS}")
        ada.locator("#dm-list a").first.wait_for()
        ada.locator("#dm-list a").first.click()
        expect(ada.locator("li.message p.text")).to_have_text(f"Psst {XSS}")
        box = ada.get_by_label("Message", exact=True)
        box.fill("Hello back")
        box.press("Enter")
        expect(bob.locator("li.message p.text").last).to_have_text("Hello back")

        for page in (ada, bob):
            assert page.locator("img[src='x']").count() == 0
            assert page.evaluate("window.__xss") is None
