"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291).

Contract:

* :func:`load_vapid_keys` gives the node's VAPID key pair: from the configured key (PEM,
  or base64url of the raw 32-byte scalar or of DER), else from
  ``<data dir>/vapid_private.pem``, generated there (mode 0600) when ``generate`` (the
  development and testing profiles); None when neither (push is off).  Blocking file I/O:
  call it from a worker thread.  The private key never appears in logs or reprs.
* :class:`PushSender` sends one payload to one subscription with ``pywebpush`` (blocking,
  requests-based) in a worker thread under a :class:`trio.CapacityLimiter`, with a
  timeout, no redirects and no proxy from the environment.  The endpoint's host is
  checked first (:func:`services.webhook_targets.resolve_public`: public addresses only
  unless allowed).  It answers a :data:`PushOutcome`: ``delivered``; ``gone`` (404 or 410:
  drop the subscription); ``refused`` (the endpoint may not be reached); ``retry`` (any
  other failure).  It never raises for a push service's answer.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import requests
import trio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from services.webhook_targets import TargetRefused, resolve_public

logger = logging.getLogger(__name__)

KEY_FILE = "vapid_private.pem"
PushOutcome = Literal["delivered", "gone", "refused", "retry"]
TOKEN_SECONDS = 12 * 3600
"""Lifetime of one VAPID JWT (RFC 8292 caps it at 24 hours)."""


def b64url(data: bytes) -> str:
    """Unpadded base64url, as Web Push keys are written."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded (or padded) base64url; ``ValueError`` when it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("not base64url") from error


@dataclasses.dataclass(frozen=True, slots=True)
class VapidKeys:
    """The node's VAPID key pair; ``public_key`` is the browsers' applicationServerKey."""

    private_key: ec.EllipticCurvePrivateKey = dataclasses.field(repr=False)

    @property
    def public_key(self) -> str:
        """The uncompressed P-256 public point, base64url."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM or base64url (raw scalar or DER); ``ValueError``."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text)
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the VAPID key must be a P-256 (secp256r1) private key")
    return key


def load_vapid_keys(configured: str | None, data_dir: Path, *, generate: bool) -> VapidKeys | None:
    """See the module docstring."""
    if configured is not None:
        return VapidKeys(parse_private_key(configured))
    path = data_dir / KEY_FILE
    if path.exists():
        return VapidKeys(parse_private_key(path.read_text()))
    if not generate:
        return None
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    logger.info("generated a VAPID key pair in %s", path)
    return VapidKeys(key)


@dataclasses.dataclass(frozen=True, slots=True)
class PushTarget:
    """Where one push goes: a subscription's endpoint and its RFC 8291 keys."""

    endpoint: str
    p256dh: str
    auth: str = dataclasses.field(repr=False)


class PushSender:
    """Sends Web Push messages; see the module docstring."""

    def __init__(
        self, keys: VapidKeys, subject: str, *, timeout: float = 10.0,
        allow_private: bool = False, concurrency: int = 4, ttl: int = 86400,
    ) -> None:
        self._vapid = Vapid02(private_key=keys.private_key)
        self._subject = subject
        self._timeout = timeout
        self._allow_private = allow_private
        self._limiter = trio.CapacityLimiter(concurrency)
        self._ttl = ttl

    async def send(self, target: PushTarget, payload: bytes) -> PushOutcome:
        """Deliver ``payload`` (at most 3 kB) to ``target`` once; see the module docstring."""
        try:
            await resolve_public(target.endpoint, allow_private=self._allow_private)
        except TargetRefused as error:
            logger.info("push endpoint refused: %s", error)
            return "refused"
        with trio.move_on_after(self._timeout * 2):
            status = await trio.to_thread.run_sync(
                self._post, target, payload, limiter=self._limiter, abandon_on_cancel=True
            )
            if status in (404, 410):
                return "gone"
            return "delivered" if status is not None and status < 300 else "retry"
        return "retry"

    def _post(self, target: PushTarget, payload: bytes) -> int | None:
        parts = urlsplit(target.endpoint)
        claims = {
            "sub": self._subject,
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + TOKEN_SECONDS,
        }
        with requests.Session() as session:
            session.trust_env = False
            session.max_redirects = 0
            try:
                response = webpush(
                    {"endpoint": target.endpoint,
                     "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                    data=payload, vapid_private_key=self._vapid, vapid_claims=claims,
                    timeout=self._timeout, ttl=self._ttl, requests_session=session,
                )
            except WebPushException as error:
                answer = error.response
                return None if answer is None else int(answer.status_code)
            except (requests.RequestException, ValueError) as error:
                logger.info("push failed: %s", type(error).__name__)
                return None
        return int(getattr(response, "status_code", 201))
