"""A local Web Push service for end-to-end tests (not a test module).

:class:`PushReceiver` is a small HTTP server on loopback, run in a thread, playing the
push service: it records every request (path, headers, body) into a trio channel and
answers ``201``, or the statuses queued for a path with :meth:`PushReceiver.answer`.
:func:`verified_payload` checks a request as a push service would — the VAPID JWT
(ES256 over the key in ``k``, ``aud`` the receiver's origin, ``exp`` in the future and
within 24 hours) — and decrypts the RFC 8291 aes128gcm body with the subscription's
private key.  :class:`BrowserKeys` is the subscription's key pair, made with
``cryptography`` as a browser would.
"""

from __future__ import annotations

import base64
import dataclasses
import http.server
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import http_ece
import trio
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclasses.dataclass(frozen=True)
class PushRequest:
    """One request the push service received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass
class BrowserKeys:
    """A subscription's P-256 key pair and auth secret, as a browser makes them."""

    private_key: ec.EllipticCurvePrivateKey = dataclasses.field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = dataclasses.field(default_factory=lambda: secrets.token_bytes(16))

    def json(self, endpoint: str) -> dict[str, Any]:
        """``PushSubscription.toJSON()`` for ``endpoint``."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": endpoint, "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }


class PushReceiver:
    """See the module docstring; use :func:`push_receiver`."""

    def __init__(self, token: trio.lowlevel.TrioToken) -> None:
        self._token = token
        self._send, self.requests = trio.open_memory_channel[PushRequest](100)
        self._answers: dict[str, deque[int]] = defaultdict(deque)
        self.origin = ""

    def answer(self, path: str, *statuses: int) -> None:
        """Answer the next requests to ``path`` with ``statuses`` (then 201)."""
        self._answers[path].extend(statuses)

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def _received(self, request: PushRequest) -> int:
        trio.from_thread.run_sync(self._send.send_nowait, request, trio_token=self._token)
        answers = self._answers[request.path]
        return answers.popleft() if answers else 201

    async def next(self) -> PushRequest:
        return await self.requests.receive()


@contextmanager
def push_receiver() -> Iterator[PushReceiver]:
    """A :class:`PushReceiver` listening on a free loopback port for the block."""
    receiver = PushReceiver(trio.lowlevel.current_trio_token())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = receiver._received(PushRequest(
                path=self.path, headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            ))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def verified_payload(
    request: PushRequest, *, origin: str, vapid_public_key: str, keys: BrowserKeys
) -> dict[str, Any]:
    """The decrypted JSON payload of ``request``, after checking its VAPID JWT."""
    scheme, _, credentials = request.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in credentials.split(","))
    assert fields["k"] == vapid_public_key
    header, claims, signature = fields["t"].split(".")
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises
    decoded = json.loads(unb64(claims))
    assert decoded["aud"] == origin
    assert time.time() < decoded["exp"] <= time.time() + 24 * 3600
    assert decoded["sub"].startswith(("mailto:", "https:"))
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    plain = http_ece.decrypt(
        request.body, private_key=keys.private_key, auth_secret=keys.auth, version="aes128gcm"
    )
    payload: dict[str, Any] = json.loads(plain)
    return payload
