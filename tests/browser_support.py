"""Pages in a real browser: Debian's Chromium driven by Playwright (its sync API).

``scripts/test`` installs Chromium (``scripts/services.py``) and exports its path as
``TOPICSFLOW_TEST_CHROMIUM``; a browser test without it **fails**.  Playwright never
downloads a browser here: it launches that executable.

Browser tests are plain (synchronous) test functions: Playwright's sync API owns its own
event loop, so the node under test runs as a child process (:func:`served_node`) rather
than on the test's trio loop.  ``tests/e2e/conftest.py`` makes the ``browser`` and ``page``
fixtures available to every end-to-end test.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import service_address

REPOSITORY = Path(__file__).resolve().parents[1]
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 30.0
# What a closed-network machine needs: no sandbox as root, and no background connections
# to Google's hosts (refused here, many at a time, and slow to give up on).
CHROMIUM_ARGUMENTS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session; each test gets its own context (``page``)."""
    executable = service_address("TOPICSFLOW_TEST_CHROMIUM", "chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGUMENTS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in a fresh context (own cookies and storage), closed afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@dataclasses.dataclass
class ServedNode:
    """A ``topicsflow serve`` child process: its base URL and everything it logged."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: bytearray

    def log_text(self) -> str:
        """What the node wrote to standard error so far."""
        return self.log.decode(errors="replace")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served_node(data_dir: Path, **variables: str) -> Iterator[ServedNode]:
    """Run ``python -m topicsflow serve`` on a free loopback port and ``data_dir`` (testing
    profile unless ``variables`` name another, no inherited ``TOPICSFLOW_*``) until the
    block ends, then SIGTERM it and wait for it to drain.

    The port is chosen here rather than by the kernel (``--port 0``) because the node's
    public URL, which its mailed links use, is derived from the port it is given."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(TOPICSFLOW_DATA_DIR=str(data_dir), TOPICSFLOW_PROFILE="testing")
    environment.update(variables)
    process = subprocess.Popen(
        [sys.executable, "-m", "topicsflow", "serve", "--port", str(free_port())],
        cwd=REPOSITORY, env=environment, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    log = bytearray()
    listening = threading.Event()
    found: list[str] = []

    def collect() -> None:
        assert process.stderr is not None
        while chunk := os.read(process.stderr.fileno(), 65536):
            log.extend(chunk)
            if not found and (match := re.search(rb"serving on (http://[\d.]+:\d+)", log)):
                found.append(match.group(1).decode())
                listening.set()
        listening.set()

    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    try:
        listening.wait(START_DEADLINE_S)
        assert found, f"serve did not start listening: {log.decode(errors='replace')}"
        yield ServedNode(found[0], process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        collector.join(5)
