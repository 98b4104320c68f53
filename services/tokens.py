"""Opaque secrets: session tokens, single-use email tokens, backup codes.

Contract:

* :func:`new_token` returns a URL-safe random string with 256 bits of entropy; only its
  :func:`storage.keys.hash_token` (SHA-256, hex) is ever stored, so a leaked database holds
  no usable session or reset token.  A fast hash is right here: the input is random.
* :func:`public_session_id` names a login session in APIs (listing, revoking) without
  exposing the stored digest.
* :func:`digests_match` compares digests in constant time.
* :func:`new_backup_codes` returns human-typable one-time codes (``xxxx-xxxx``, 40 bits
  each); :func:`normalise_backup_code` makes user input comparable with what was issued.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BACKUP_CODE_LENGTH = 8


def new_token() -> str:
    """A fresh random token for a session, a verification link or a reset link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def public_session_id(token_hash: str) -> str:
    """The id by which a session is shown and revoked: 24 hex digits derived from its hash."""
    return hashlib.sha256(b"session-id:" + token_hash.encode()).hexdigest()[:24]


def digests_match(left: str, right: str) -> bool:
    """Constant-time equality of two digests (or any two ASCII strings)."""
    return hmac.compare_digest(left.encode(), right.encode())


def new_backup_codes(count: int = 10) -> list[str]:
    """``count`` fresh one-time backup codes, formatted ``xxxx-xxxx``."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:]}")
    return codes


def normalise_backup_code(code: str) -> str:
    """User input as issued: lower case, without spaces or dashes."""
    return "".join(character for character in code.lower() if character.isalnum())
