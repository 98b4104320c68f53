"""The JavaScript SDK's own tests (``clients/js/test``, Node's test runner) against a real node.

The node runs as a child process on a fixed port with a persistent data directory and a
fixed secret key, so it can be stopped and started again with its sessions and logs
intact.  The JS tests drive that through a tiny control server on another port:
``POST /stop`` (SIGTERM, wait for the drain) and ``POST /start`` (serve again, answer once
listening).  Node must be on ``PATH``; without it this test fails, it does not skip.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser_support import REPOSITORY, free_port

NODE_TESTS = REPOSITORY / "clients" / "js" / "test"
START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 30.0
RUN_DEADLINE_S = 240.0


class RestartableNode:
    """``topicsflow serve`` on one port and one data directory, stopped and started on demand."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.environment = {
            key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
        }
        self.environment.update(
            TOPICSFLOW_DATA_DIR=str(data_dir), TOPICSFLOW_PROFILE="development",
            TOPICSFLOW_SECRET_KEY="js-sdk-tests-secret-key-0123456789abcdef",
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.log = bytearray()
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            assert self.process is None, "already running"
            process = subprocess.Popen(
                [sys.executable, "-m", "topicsflow", "serve", "--port", str(self.port)],
                cwd=REPOSITORY, env=self.environment, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            listening = threading.Event()
            threading.Thread(target=self._collect, args=(process, listening), daemon=True).start()
            listening.wait(START_DEADLINE_S)
            if process.poll() is not None or not re.search(
                rf"serving on http://[\d.]+:{self.port}".encode(), self.log
            ):
                process.kill()
                raise RuntimeError(f"the node did not start: {self.log.decode(errors='replace')}")
            self.process = process

    def _collect(self, process: subprocess.Popen[bytes], listening: threading.Event) -> None:
        assert process.stderr is not None
        while chunk := os.read(process.stderr.fileno(), 65536):
            self.log.extend(chunk)
            if b"serving on" in self.log.split(b"\n---restart---\n")[-1]:
                listening.set()
        listening.set()

    def stop(self) -> None:
        with self.lock:
            process, self.process = self.process, None
            if process is None:
                return
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            self.log.extend(b"\n---restart---\n")


@contextmanager
def control_server(node: RestartableNode) -> Iterator[str]:
    """Serve ``POST /stop`` and ``POST /start`` for ``node``; yield the control URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            actions = {"/stop": node.stop, "/start": node.start}
            action = actions.get(self.path)
            status, text = 404, "unknown action"
            if action is not None:
                try:
                    action()
                    status, text = 200, "done"
                except Exception as error:
                    status, text = 500, str(error)
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def node_executable() -> str:
    """``node`` from ``PATH``; the tests use the SDK's own Node WebSocket, so no flag."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js 20 or later) is not on PATH; the JS SDK tests need it")
    return node


@pytest.mark.timeout(RUN_DEADLINE_S + 60)
def test_the_js_sdk_tests_pass_against_a_real_node(tmp_path: Path) -> None:
    command = [node_executable(), "--test", "--test-concurrency=1", str(NODE_TESTS)]
    node = RestartableNode(tmp_path, free_port())
    node.start()
    try:
        with control_server(node) as control_url:
            environment = dict(
                os.environ, TOPICSFLOW_TEST_URL=node.base_url,
                TOPICSFLOW_TEST_CONTROL_URL=control_url,
            )
            result = subprocess.run(
                command, cwd=REPOSITORY, env=environment, capture_output=True,
                timeout=RUN_DEADLINE_S, check=False, stdin=subprocess.DEVNULL,
            )
    finally:
        node.stop()
    output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    if result.returncode != 0:
        pytest.fail(
            f"node --test failed ({result.returncode}):\n{output}\n"
            f"--- node log ---\n{node.log.decode(errors='replace')[-4000:]}",
            pytrace=False,
        )
    assert re.search(r"^# fail 0$", output, re.MULTILINE), output
    passed = re.search(r"^# pass (\d+)$", output, re.MULTILINE)
    assert passed and int(passed.group(1)) >= 20, output
