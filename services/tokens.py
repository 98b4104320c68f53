"""Opaque secrets: session tokens, single-use email tokens, backup codes.

Contract:

* :func:`new_token` returns a URL-safe random string with 256 bits of entropy; only its
  :func:`token_digest` (SHA-256, hex) is ever stored, so a leaked database holds no usable
  session or reset token.  A fast hash is right here: the input is random, not a password.
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


def token_digest(token: str) -> str:
    """The stored form of ``token``: SHA-256 as 64 hex characters."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


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
