"""Tracing off (no ``TOPICSFLOW_OTLP_ENDPOINT``): nothing imported, nothing carried."""

from __future__ import annotations

import subprocess
import sys

from actors.runtime.messages import Envelope
from supervisors import tracing

PROBE = """
import sys
from topicsflow.node.services import open_node_services
from http_facade.app import create_app
from supervisors import tracing
assert tracing.capture() is None
with tracing.child_span("users.get"):
    pass
with tracing.request_span("GET /", "id") as span:
    assert span is None
print(sorted(name for name in sys.modules if name.startswith("opentelemetry")))
"""


def test_a_node_without_an_endpoint_never_imports_opentelemetry() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_envelopes_carry_no_trace_when_off() -> None:
    assert not tracing.enabled()
    assert Envelope("message").trace is None
    assert tracing.child_span("a") is tracing.child_span("b")  # one shared no-op
