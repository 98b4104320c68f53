"""schemathesis drives a live node from its own ``/openapi.json``.

Every documented operation gets 15 generated requests (valid and invalid, derandomized
so runs repeat), each with a fresh user's bearer token. A 5xx, a response that does not
match its documented schema, status or content type, or a secured operation that
answers without credentials fails the test.

schemathesis calls the API synchronously (requests), so the node runs on its own trio
loop in a background thread; the test creates users there through ``trio.from_thread``.
The document is taken from the same app factory at collection time (schemathesis'
fixture-based loader does not run on pytest 9).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import trio
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from http_facade.app import create_app
from http_facade.context import FacadeContext
from services.tokens import new_token
from storage.keys import hash_token
from tests.e2e.gif_support import serve_fake_tenor
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    ignored_auth,
]
# Routes whose bodies are converted strictly (http_facade.validation.validate_body) must
# also refuse every schema-violating request; quart-schema's validate_request is lax.
STRICT_PREFIXES = (
    "/api/auth", "/api/users", "/api/reports", "/api/admin", "/api/friends",
    "/api/content-settings",
)


@dataclasses.dataclass
class LiveNode:
    """A node served from a background thread, and the way into its trio loop."""

    handle: NodeHandle
    trio_token: trio.lowlevel.TrioToken
    shutdown: trio.Event
    counter: int = 0

    def fresh_headers(self) -> dict[str, str]:
        """A new verified user's bearer token, from an address of its own.

        Rate limits are keyed on the user or the address, so none binds within a case
        (schemathesis also repeats a case without credentials, from the same address).
        """
        self.counter += 1
        token = trio.from_thread.run(self._make_user, self.counter, trio_token=self.trio_token)
        address = ipaddress.ip_address("10.0.0.0") + self.counter
        return {"Authorization": f"Bearer {token}", "X-Forwarded-For": str(address)}

    async def _make_user(self, number: int) -> str:
        store, sessions = self.handle.context.store, self.handle.context.sessions
        assert store is not None and sessions is not None
        user = await store.users.create(
            username=f"fuzz{number}", email=f"fuzz{number}@example.org", password_hash="-"
        )
        await store.users.set_email_verified(user.id, True)
        token = new_token()
        await sessions.create(
            token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
        )
        return token


@pytest.fixture(scope="module")
def live_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveNode]:
    settings_ = Settings(
        profile=Profile.TESTING,
        port=0,
        data_dir=Path(tmp_path_factory.mktemp("schemathesis")),
        secret_key="z" * 40,
        trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),),
    )
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def serve() -> None:
        shutdown = trio.Event()
        async with trio.open_nursery() as fakes:
            tenor_port = await fakes.start(serve_fake_tenor, [])
            with_gifs = dataclasses.replace(
                settings_, tenor_api_key="fuzz", tenor_url=f"http://127.0.0.1:{tenor_port}/v2"
            )
            async with trio.open_nursery() as nursery:
                handle = await nursery.start(serve_node, with_gifs, shutdown)
                holder["node"] = LiveNode(handle, trio.lowlevel.current_trio_token(), shutdown)
                started.set()
            fakes.cancel_scope.cancel()

    thread = threading.Thread(target=trio.run, args=(serve,), daemon=True)
    thread.start()
    assert started.wait(30), "the node did not start"
    node: LiveNode = holder["node"]
    yield node
    trio.from_thread.run_sync(node.shutdown.set, trio_token=node.trio_token)
    thread.join(30)


async def openapi_document() -> dict[str, Any]:
    """The document a node serves (the same app factory, without the services)."""
    app = create_app(FacadeContext(settings=Settings(profile=Profile.TESTING)))
    response = await app.test_client().get("/openapi.json")
    document: dict[str, Any] = await response.get_json()
    return document


# Loaded once at collection, so that each operation becomes its own test.
schema = schemathesis.openapi.from_dict(trio.run(openapi_document))


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case: Any, live_node: LiveNode) -> None:
    case.call_and_validate(
        base_url=live_node.handle.base_url,
        headers=live_node.fresh_headers(),
        checks=CHECKS + [negative_data_rejection] * case.path.startswith(STRICT_PREFIXES),
        timeout=10,
    )
