"""The development profile's pages in a real browser (Chromium): a newcomer follows the
outbox to the verification link, confirms with the page's button, and the account logs in.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page

from tests.browser_support import served_node

PASSWORD = "correct horse battery staple"


def test_confirm_an_address_by_clicking_through_the_pages(page: Page, tmp_path: Path) -> None:
    with (
        served_node(tmp_path, TOPICSFLOW_PROFILE="development") as node,
        httpx.Client(base_url=node.base_url) as api,
    ):
        answer = api.post("/api/auth/register", json={
            "username": "newcomer", "email": "newcomer@example.org", "password": PASSWORD,
        })
        assert answer.status_code == 202

        page.goto(node.base_url + "/dev")
        page.get_by_role("link", name="outbox").first.click()
        page.get_by_text("newcomer@example.org").first.wait_for()
        page.locator("a[href*='/verify-email?token=']").first.click()
        page.get_by_role("button").click()
        page.locator("p.done").wait_for()

        login = api.post("/api/auth/login", json={"login": "newcomer", "password": PASSWORD})
        assert login.status_code == 200, login.text
