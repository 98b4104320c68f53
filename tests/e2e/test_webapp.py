"""The web app over HTTP: where it is served, its Content-Security-Policy, its modules.

Its flows run in a real browser in ``test_webapp_browser.py``; here: the page is served at
``TOPICSFLOW_WEBAPP_PATH`` (``/`` in development, nowhere by default elsewhere), its
policy allows no inline code, and every module it imports (the SDK's too) is served as
JavaScript.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.file_support import serve_test_node
from topicsflow.settings import Profile, load_settings


async def test_the_app_is_served_at_its_path_with_a_strict_policy(tmp_path: Path) -> None:
    async with (
        serve_test_node(tmp_path, profile=Profile.PRODUCTION, webapp_path="/app") as node,
        httpx.AsyncClient(base_url=node.base_url) as api,
    ):
        page = await api.get("/app")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        directives = dict(
            [*part.strip().split(" ", 1), ""][:2] for part in policy.split(";")
        )
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert "unsafe" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert "<script>" not in page.text and " style=" not in page.text
        assert 'src="/app/assets/app.js"' in page.text
        assert (await api.get("/")).status_code == 404

        for module in ("app.js", "dom.js", "sdk/index.js", "sdk/client.js", "sdk/rest.js"):
            answer = await api.get(f"/app/assets/{module}")
            assert answer.status_code == 200, module
            assert "javascript" in answer.headers["content-type"], module
        app_js = (await api.get("/app/assets/app.js")).text
        assert "innerHTML" not in app_js and "insertAdjacentHTML" not in app_js
        assert (await api.get("/app/assets/app.css")).headers["content-type"].startswith(
            "text/css"
        )
        assert (await api.get("/app/assets/../routes.py")).status_code == 404


async def test_every_module_the_app_imports_is_served(tmp_path: Path) -> None:
    async with (
        serve_test_node(tmp_path, profile=Profile.TESTING, webapp_path="/") as node,
        httpx.AsyncClient(base_url=node.base_url) as api,
    ):
        pending, seen = ["app.js"], set()
        while pending:
            module = pending.pop()
            if module in seen:
                continue
            seen.add(module)
            answer = await api.get(f"/assets/{module}")
            assert answer.status_code == 200, module
            base = module.rsplit("/", 1)[0] + "/" if "/" in module else ""
            for target in re.findall(r"from '\./([\w./-]+)'", answer.text):
                pending.append(base + target)
        assert {"sdk/index.js", "sdk/client.js", "sdk/codecs.js", "sdk/errors.js"} <= seen


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "/"),
        ({"TOPICSFLOW_PROFILE": "production", "TOPICSFLOW_SECRET_KEY": "s" * 40}, None),
        ({"TOPICSFLOW_PROFILE": "testing", "TOPICSFLOW_WEBAPP_PATH": "/app/web"}, "/app/web"),
        ({"TOPICSFLOW_WEBAPP_PATH": "off"}, None),
    ],
)
def test_the_app_path_setting(environment: dict[str, str], expected: str | None) -> None:
    assert load_settings(environment).webapp_path == expected


def test_a_malformed_app_path_is_refused() -> None:
    with pytest.raises(Exception, match="TOPICSFLOW_WEBAPP_PATH"):
        load_settings({"TOPICSFLOW_WEBAPP_PATH": "app"})
