"""The reference web app in a real browser (Chromium via Playwright), two users in two
browser contexts against a development node.

Ada and Bob register and confirm through the development outbox, log in, Ada creates a
topic and a room, both chat (typing indicator and read receipt seen), Bob reloads and
resumes without missing a message, and an ``<img src=x onerror=…>`` typed into every text
field shows as text.  Screenshots go to ``docs/screenshots/`` when
``TOPICSFLOW_UPDATE_SCREENSHOTS=1`` (the README shows them), to the test's temporary
directory otherwise.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.browser_support import REPOSITORY, served_node

PASSWORD = "correct horse battery staple"
XSS = '<img src=x onerror="window.__xss=1">'
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"


@pytest.fixture
def contexts(browser: Browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    first = browser.new_context(viewport={"width": 1280, "height": 860})
    second = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("TOPICSFLOW_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path


def watch_console(page: Page, problems: list[str]) -> None:
    """Record script errors and CSP violations the page reports."""

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda error: problems.append(str(error)))


def register_verify_and_log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("heading", name="Create an account").wait_for()
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Display name (optional)").fill(f"{username.title()} {XSS}")
    page.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    page.get_by_role("button", name="Find the mail in the development outbox").click()
    expect(page.locator("#auth-status")).to_contain_text("Found the confirmation mail")
    page.get_by_role("button", name="Confirm address").click()
    expect(page.locator("#auth-status")).to_contain_text("confirmed")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#connection")).to_have_text("Connected")


def send(page: Page, text: str) -> None:
    box = page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def message_texts(page: Page) -> list[str]:
    return page.locator("ol.messages li.message p.text").all_inner_texts()


def assert_no_injected_markup(page: Page) -> None:
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("window.__xss") is None


def test_two_users_register_chat_and_resume_in_the_web_app(
    contexts: tuple[BrowserContext, BrowserContext], tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    problems: list[str] = []
    with served_node(tmp_path, TOPICSFLOW_PROFILE="development") as node:
        ada, bob = (context.new_page() for context in contexts)
        watch_console(ada, problems)
        watch_console(bob, problems)

        home = httpx.get(node.base_url + "/")
        policy = home.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy

        ada.goto(node.base_url + "/")
        ada.get_by_role("heading", name="Create an account").wait_for()
        ada.screenshot(path=str(shots / "webapp-welcome.png"))
        register_verify_and_log_in(ada, node.base_url, "ada")
        register_verify_and_log_in(bob, node.base_url, "bob")

        # Ada: a topic and a room, user text full of markup.
        ada.get_by_text("New topic").click()
        ada.get_by_label("Topic title").fill(f"Gardening {XSS}")
        ada.get_by_label("Topic description").fill(f"What grows {XSS}")
        ada.get_by_role("button", name="Create topic").click()
        expect(ada.locator("#content h2").first).to_have_text(f"Gardening {XSS}")
        ada.get_by_label("New chat room").fill(f"general {XSS}")
        ada.get_by_role("button", name="Create room").click()
        expect(ada.locator("#content h2").first).to_have_text(f"# general {XSS}")
        room_url = ada.url
        assert re.search(r"#/room/[A-Za-z0-9_-]+$", room_url)

        # Bob: finds the topic, joins it, then the room through its link.
        bob.get_by_label("Search topics").fill("Gardening")
        bob.get_by_role("button", name="Search").click()
        bob.get_by_role("link", name=f"Gardening {XSS}").click()
        bob.get_by_role("button", name="Join this topic").click()
        expect(bob.get_by_text("you are member")).to_be_visible()
        bob.goto(room_url)
        bob.get_by_role("button", name="Join this room").click()
        expect(bob.locator("#content h2").first).to_have_text(f"# general {XSS}")

        # Chat both ways, with typing and a read receipt.
        send(ada, f"Hello Bob {XSS}")
        expect(bob.locator("li.message p.text").last).to_have_text(f"Hello Bob {XSS}")
        bob.get_by_label("Message", exact=True).press_sequentially("Hi A")
        expect(ada.locator("p.typing")).to_contain_text("is typing…")
        expect(ada.locator("p.typing")).to_contain_text("Bob")
        bob.get_by_label("Message", exact=True).press_sequentially("da!")
        bob.get_by_label("Message", exact=True).press("Enter")
        expect(ada.locator("li.message p.text").last).to_have_text("Hi Ada!")
        expect(ada.locator("p.typing")).to_be_empty()
        send(ada, "Can you see this?")
        expect(bob.locator("li.message p.text").last).to_have_text("Can you see this?")
        expect(ada.locator("li.message").last.locator("p.seen")).to_contain_text("Seen by Bob")
        ada.screenshot(path=str(shots / "webapp-chat-ada.png"))

        # Bob reloads; Ada writes while his page starts again; nothing is missed.
        bob.reload()
        send(ada, "Sent while you reloaded")
        expect(bob.locator("#connection")).to_have_text("Connected")
        expect(bob.locator("li.message p.text").last).to_have_text("Sent while you reloaded")
        send(ada, "And one more after")
        expect(bob.locator("li.message p.text").last).to_have_text("And one more after")
        expected = [
            f"Hello Bob {XSS}", "Hi Ada!", "Can you see this?", "Sent while you reloaded",
            "And one more after",
        ]
        assert message_texts(bob) == expected
        assert message_texts(ada) == expected
        bob.screenshot(path=str(shots / "webapp-chat-bob.png"))

        for page in (ada, bob):
            expect(page.get_by_text(f"Ada {XSS}").first).to_be_visible()
            assert_no_injected_markup(page)
    assert not [problem for problem in problems if "Content Security Policy" in problem], problems
    assert not [problem for problem in problems if "Uncaught" in problem], problems
