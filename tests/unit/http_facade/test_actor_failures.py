"""Actor failures over REST: the one mapping (``http_facade.errors.actor_failure``).

Three layers of evidence:

* the table itself, row by row (a pure function);
* real routes driven into every runtime error class through a router that raises it —
  among them each of the handlers that used to call ``ActorRef.ask`` directly;
* real actors in a real registry that crash, never answer (trio's mock clock, no
  sleeps), do not handle the message, are stopped, or are of a kind the node lacks.

The app runs in process (Quart's test app behind ``httpx.ASGITransport``): injecting
failing actor kinds and a mock clock is not practical in a served node.  The served
variant, a real crash over real HTTP, is ``tests/e2e/test_actor_failures_http.py``.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
import trio.testing

from actors.realtime.hub import Hub
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    ActorStopped,
    AskCycle,
    AskTimeout,
    DeliveryError,
    MailboxFull,
    MessageRejected,
    NotOwner,
    RestartIntensityExceeded,
    UnhandledMessage,
    UnknownActorKind,
)
from actors.runtime.ref import ActorRef, Address
from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.errors import RETRY_SECONDS, ActorFailure, actor_failure
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.tokens import new_token
from storage import open_store
from storage.keys import hash_token
from storage.protocols import Store
from storage.realtime import open_realtime
from supervisors.kind import ActorKind
from supervisors.registry import Registry
from topicsflow.settings import Profile, Settings

ROOM = Address("chat_room", "r1")
SECRET = "secret-detail-7f3a"
"""Text of an original exception: it must never reach a client."""

CRASHED_MESSAGE = "the command failed; it may or may not have taken effect"
UNSERVED_MESSAGE = "the request could not be served"

# (runtime error, status, code, Retry-After header)
TABLE: list[tuple[ActorError, int, ErrorCode, str | None]] = [
    (AskTimeout(ROOM, 5.0), 504, ErrorCode.TIMEOUT, None),
    (ActorCrashed(ROOM, "CheckMember", "RuntimeError", SECRET), 500, ErrorCode.INTERNAL, None),
    (MailboxFull(ROOM, 16), 503, ErrorCode.UNAVAILABLE, "1"),
    (UnknownActorKind("chat_room"), 503, ErrorCode.UNAVAILABLE, "1"),
    (ActorStopped(ROOM, SECRET), 503, ErrorCode.UNAVAILABLE, "1"),
    (NotOwner(ROOM, SECRET), 503, ErrorCode.UNAVAILABLE, "1"),
    (DeliveryError(SECRET), 503, ErrorCode.UNAVAILABLE, "1"),
    (AskCycle((ROOM, ROOM)), 500, ErrorCode.INTERNAL, None),
    (UnhandledMessage(ROOM, object()), 500, ErrorCode.INTERNAL, None),
    (MessageRejected(SECRET), 500, ErrorCode.INTERNAL, None),
    (RestartIntensityExceeded("actors", SECRET, 3, 5.0), 500, ErrorCode.INTERNAL, None),
]


def _name(row: tuple[ActorError, int, ErrorCode, str | None]) -> str:
    return type(row[0]).__name__


# ----------------------------------------------------------------------------- the table


@pytest.mark.parametrize("row", TABLE, ids=_name)
def test_each_runtime_error_has_its_row(
    row: tuple[ActorError, int, ErrorCode, str | None],
) -> None:
    error, status, code, retry_after = row
    failure = actor_failure(error)
    assert isinstance(failure, ActorFailure)
    assert (failure.status, failure.code) == (status, code)
    assert failure.retry_after == (None if retry_after is None else RETRY_SECONDS)
    assert SECRET not in failure.message and "chat_room" not in failure.message


def test_the_crash_row_says_the_outcome_is_unknown() -> None:
    crashed = actor_failure(ActorCrashed(ROOM, "CheckMember", "RuntimeError", SECRET))
    assert crashed.message == CRASHED_MESSAGE


def test_no_rest_handler_asks_or_tells_an_actor_directly() -> None:
    """Every REST path to an actor goes through ``node_access.ask_actor`` (the mapping)."""
    root = Path(__file__).resolve().parents[3] / "http_facade"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative == "node_access.py" or relative.startswith("websocket/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), relative)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"ask", "tell", "tell_nowait"}
            ):
                offenders.append(f"{relative}:{node.lineno} .{node.func.attr}(")
    assert offenders == []


# ----------------------------------------------------------------------------- harness


@dataclasses.dataclass
class Facade:
    """An in-process app over the in-memory store, with a caller who is logged in."""

    client: httpx.AsyncClient
    store: Store
    user_id: str
    headers: dict[str, str]


@contextlib.asynccontextmanager
async def open_facade(registry: object, *, admin: bool = False) -> AsyncIterator[Facade]:
    """A bare app whose registry is ``registry``; the caller is ``alice`` (admin or not)."""
    settings = Settings(profile=Profile.TESTING, secret_key="k" * 40)
    async with open_store(None, data_dir=None) as store, open_realtime(None) as realtime:
        user = await store.users.create(
            username="alice", email="alice@example.org", password_hash="unused"
        )
        if admin:
            await store.users.set_admin(user.id, True)
        token = new_token()
        await store.sessions.create(
            token_hash=hash_token(token), user_id=user.id, expires_at=time.time() + 3600
        )
        context = FacadeContext(
            settings=settings, store=store, realtime=realtime, sessions=store.sessions,
            hub=Hub(), registry=registry,  # type: ignore[arg-type]
        )
        app = create_app(context)
        async with app.test_app() as running:
            transport = httpx.ASGITransport(app=running.app, client=("198.51.100.1", 4000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver.local"
            ) as client:
                yield Facade(client, store, user.id, {"Authorization": f"Bearer {token}"})


class RaisingRouter:
    """A router whose every ask fails with ``error`` (the registry's seam, faked)."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.asked: list[tuple[Address, object]] = []

    async def send(self, address: Address, message: object) -> None:
        raise self.error

    def send_nowait(self, address: Address, message: object) -> None:
        raise self.error

    async def request(
        self, address: Address, message: object, timeout: float | None  # noqa: ASYNC109
    ) -> Any:
        self.asked.append((address, message))
        raise self.error


class RaisingRegistry:
    """Stands in for :class:`supervisors.registry.Registry`: refs to :class:`RaisingRouter`."""

    def __init__(self, error: Exception) -> None:
        self.router = RaisingRouter(error)

    def ref(self, kind: str, id: str) -> ActorRef:
        return ActorRef(self.router, Address(kind, id))


def assert_mapped(response: httpx.Response, status: int, code: ErrorCode) -> None:
    """The response is the error shape with ``status`` and ``code``, free of internals."""
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code.value
    for internal in (SECRET, "chat_room/", "RuntimeError", "CheckMember", "Traceback"):
        assert internal not in response.text


# ----------------------------------------------------------------------------- routes


@pytest.mark.parametrize("row", TABLE, ids=_name)
async def test_a_room_read_maps_every_runtime_error(
    row: tuple[ActorError, int, ErrorCode, str | None],
) -> None:
    error, status, code, retry_after = row
    registry = RaisingRegistry(error)
    async with open_facade(registry) as facade:
        response = await facade.client.get("/api/chat-rooms/r1", headers=facade.headers)
    assert_mapped(response, status, code)
    assert response.headers.get("Retry-After") == retry_after
    assert registry.router.asked, "the route never reached the actor"


async def test_a_domain_refusal_passes_unchanged() -> None:
    refusal = DomainError(ErrorCode.FORBIDDEN, "you are not a member of this room")
    async with open_facade(RaisingRegistry(refusal)) as facade:
        response = await facade.client.get("/api/chat-rooms/r1", headers=facade.headers)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden", "message": "you are not a member of this room"
    }


Request = Callable[[Facade], Any]


async def _file_of_someone_else(facade: Facade) -> httpx.Response:
    record = await facade.store.files.create(
        owner_id="someone-else", name="a.png", content_type="image/png", size=3, blob_key="k"
    )
    return await facade.client.get(
        f"/api/files/{record.id}", params={"room_id": "r1", "seq": 1}, headers=facade.headers
    )


async def _warn_on_a_report(facade: Facade) -> httpx.Response:
    offender = await facade.store.users.create(
        username="mallory", email="mallory@example.org", password_hash="unused"
    )
    report = await facade.store.reports.create(
        reporter_id=facade.user_id, item_kind="user", item_id=offender.id, reason="spam"
    )
    response = await facade.client.post(
        f"/api/reports/{report.id}/actions",
        json={"action": "warn", "reason": "stop"},
        headers=facade.headers,
    )
    reopened = await facade.store.reports.get(report.id)
    assert reopened.state == "open"  # the effect failed: the report is open again
    return response


def _call(method: str, path: str, body: object = None) -> Request:
    async def request(facade: Facade) -> httpx.Response:
        return await facade.client.request(method, path, json=body, headers=facade.headers)

    return request


FORMERLY_DIRECT: dict[str, Request] = {
    "get room": _call("GET", "/api/chat-rooms/r1"),
    "room members": _call("GET", "/api/chat-rooms/r1/members"),
    "room history": _call("GET", "/api/chat-rooms/r1/messages"),
    "update room": _call("PATCH", "/api/chat-rooms/r1", {"name": "renamed"}),
    "delete room": _call("DELETE", "/api/chat-rooms/r1"),
    "join room": _call("POST", "/api/chat-rooms/r1/join"),
    "leave room": _call("POST", "/api/chat-rooms/r1/leave"),
    "invite": _call("POST", "/api/chat-rooms/r1/invitations", {"user_id": "u2"}),
    "kick": _call("POST", "/api/chat-rooms/r1/kick", {"user_id": "u2"}),
    "file via a room message": _file_of_someone_else,
    "warn from a report": _warn_on_a_report,
}


@pytest.mark.parametrize("name", list(FORMERLY_DIRECT))
async def test_handlers_that_asked_directly_map_a_crash(name: str) -> None:
    """A crash is 500 ``internal`` with the mapped message, not the generic 500."""
    crash = ActorCrashed(ROOM, "Command", "RuntimeError", SECRET)
    async with open_facade(RaisingRegistry(crash), admin=True) as facade:
        response = await FORMERLY_DIRECT[name](facade)
    assert_mapped(response, 500, ErrorCode.INTERNAL)
    assert response.json()["error"]["message"] == CRASHED_MESSAGE


@pytest.mark.parametrize("name", list(FORMERLY_DIRECT))
async def test_handlers_that_asked_directly_map_a_timeout(name: str) -> None:
    async with open_facade(RaisingRegistry(AskTimeout(ROOM, 5.0)), admin=True) as facade:
        response = await FORMERLY_DIRECT[name](facade)
    assert_mapped(response, 504, ErrorCode.TIMEOUT)


async def test_a_file_stays_hidden_from_a_non_member() -> None:
    refusal = DomainError(ErrorCode.FORBIDDEN, "you are not a member of this room")
    async with open_facade(RaisingRegistry(refusal)) as facade:
        response = await _file_of_someone_else(facade)
    assert response.status_code == 404


# ----------------------------------------------------------------------------- real actors


class ScriptedRoom(Actor):
    """A ``chat_room`` actor that fails as its id says: ``crashes``, ``hangs``
    (until ``released``), ``unhandled``; any other id answers None."""

    reached = trio.Event()
    released = trio.Event()

    async def on_receive(self, message: object) -> object:
        match self.address.id:
            case "crashes":
                raise RuntimeError(SECRET)
            case "hangs":
                type(self).reached.set()
                await type(self).released.wait()
                return None
            case "unhandled":
                self.unhandled(message)
            case _:
                return None


def scripted_room(context: ActorContext) -> Actor:
    return ScriptedRoom(context)


@pytest.fixture
def scripted() -> type[ScriptedRoom]:
    """:class:`ScriptedRoom` with fresh events for this test."""
    ScriptedRoom.reached = trio.Event()
    ScriptedRoom.released = trio.Event()
    return ScriptedRoom


@contextlib.asynccontextmanager
async def running_registry() -> AsyncIterator[Registry]:
    registry = Registry([ActorKind("chat_room", scripted_room, ask_timeout=5.0)])
    async with trio.open_nursery() as nursery:
        await nursery.start(registry.run)
        try:
            yield registry
        finally:
            ScriptedRoom.released.set()
            await registry.aclose()


async def test_a_crashing_actor_is_500_internal(scripted: type[ScriptedRoom]) -> None:
    async with running_registry() as registry, open_facade(registry) as facade:
        response = await facade.client.get("/api/chat-rooms/crashes", headers=facade.headers)
        assert_mapped(response, 500, ErrorCode.INTERNAL)
        assert response.json()["error"]["message"] == CRASHED_MESSAGE
        again = await facade.client.get("/api/chat-rooms/crashes", headers=facade.headers)
        assert again.status_code == 500  # restarted, and crashing again: never a hang


async def test_an_actor_that_never_answers_is_504_timeout(
    scripted: type[ScriptedRoom], mock_clock: trio.testing.MockClock
) -> None:
    async with running_registry() as registry, open_facade(registry) as facade:
        responses: list[httpx.Response] = []

        async def read_room() -> None:
            responses.append(
                await facade.client.get("/api/chat-rooms/hangs", headers=facade.headers)
            )

        async with trio.open_nursery() as nursery:
            nursery.start_soon(read_room)
            await scripted.reached.wait()  # the ask is in the actor's turn
            mock_clock.jump(5.0 + 0.001)  # past the kind's ask_timeout: no real waiting
        (response,) = responses
        assert_mapped(response, 504, ErrorCode.TIMEOUT)


async def test_an_unhandled_message_is_500_internal(scripted: type[ScriptedRoom]) -> None:
    async with running_registry() as registry, open_facade(registry) as facade:
        response = await facade.client.get("/api/chat-rooms/unhandled", headers=facade.headers)
    assert_mapped(response, 500, ErrorCode.INTERNAL)
    assert response.json()["error"]["message"] == UNSERVED_MESSAGE


async def test_a_stopped_registry_is_503_unavailable(scripted: type[ScriptedRoom]) -> None:
    registry = Registry([ActorKind("chat_room", scripted_room)])
    async with trio.open_nursery() as nursery:
        await nursery.start(registry.run)
        await registry.aclose()  # the node drains: ActorStopped for every new ask
        async with open_facade(registry) as facade:
            response = await facade.client.get("/api/chat-rooms/r1", headers=facade.headers)
    assert_mapped(response, 503, ErrorCode.UNAVAILABLE)
    assert response.headers["Retry-After"] == "1"


async def test_a_kind_the_node_lacks_is_503_unavailable(scripted: type[ScriptedRoom]) -> None:
    async with running_registry() as registry, open_facade(registry) as facade:
        response = await facade.client.get("/api/topics/t1", headers=facade.headers)
    assert_mapped(response, 503, ErrorCode.UNAVAILABLE)
    assert response.json()["error"]["message"] == "this node does not serve that"


async def test_a_healthy_actor_still_answers(scripted: type[ScriptedRoom]) -> None:
    async with running_registry() as registry, open_facade(registry) as facade:
        room = await facade.store.rooms.create(owner_id=facade.user_id, name="Lounge")
        response = await facade.client.get(f"/api/chat-rooms/{room.id}", headers=facade.headers)
    assert response.status_code == 200, response.text
