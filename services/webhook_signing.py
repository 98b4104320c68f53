"""Signing webhook deliveries, and keeping the signing secrets sealed at rest.

Contract:

* A delivery is signed with HMAC-SHA256 keyed by the webhook's secret over
  ``f"{timestamp}.".encode() + body`` — ``timestamp`` the Unix time in whole seconds
  sent in ``X-TopicsFlow-Timestamp``, ``body`` the exact bytes sent.  The header
  ``X-TopicsFlow-Signature`` is ``v1=<lowercase hex digest>``.  :func:`verify` is the
  receiver's check (constant-time comparison, bounded clock skew).
* Secrets are shown once, when the webhook is created (:func:`new_secret`), and stored
  *sealed* (:class:`SecretBox`): AES-256-GCM under a key derived by HKDF-SHA256 from the
  node's ``TOPICSFLOW_SECRET_KEY``, bound to the webhook's id as associated data, so a
  copy of the database alone does not reveal them and a sealed secret cannot be moved to
  another webhook.  Changing the node key makes existing secrets unusable (deliveries
  fail ``refused``; recreate the webhooks).  Neither secrets nor signatures are logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SIGNATURE_HEADER = "X-TopicsFlow-Signature"
TIMESTAMP_HEADER = "X-TopicsFlow-Timestamp"
DELIVERY_HEADER = "X-TopicsFlow-Delivery"
EVENT_HEADER = "X-TopicsFlow-Event"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

_SEAL_PREFIX = "v1."
_NONCE_BYTES = 12


def new_secret() -> str:
    """A fresh signing secret (``whsec_`` and 43 URL-safe characters, 256 bits)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-TopicsFlow-Signature`` value of ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp_header: str | None,
    signature_header: str | None,
    body: bytes,
    *,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether ``signature_header`` signs ``body`` at ``timestamp_header`` with ``secret``
    and the timestamp is within ``tolerance`` seconds of ``now`` (replays older than that
    are refused; de-duplicate on the delivery id within it)."""
    if not timestamp_header or not signature_header or not timestamp_header.isdigit():
        return False
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signature_header.strip().encode())


class SecretBox:
    """Seals and opens webhook secrets with a key derived from the node's secret key."""

    __slots__ = ("_aead",)

    def __init__(self, node_secret_key: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None,
            info=b"topicsflow webhook secrets v1",
        ).derive(node_secret_key.encode())
        self._aead = AESGCM(key)

    def seal(self, webhook_id: str, secret: str) -> str:
        """``secret`` encrypted for storage, bound to ``webhook_id``."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), webhook_id.encode())
        return _SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, webhook_id: str, sealed: str) -> str | None:
        """The secret, or None when ``sealed`` was not sealed by this key for this webhook."""
        if not sealed.startswith(_SEAL_PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(_SEAL_PREFIX):].encode())
            plain = self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], webhook_id.encode()
            )
        except Exception:  # InvalidTag, binascii.Error: not ours
            return None
        return plain.decode()
