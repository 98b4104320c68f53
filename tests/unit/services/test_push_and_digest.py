"""VAPID keys (configured, generated once, refused) and the digest's unsubscribe token."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.digest import unsubscribe_token, unsubscribed_user
from services.push import b64url, load_vapid_keys, parse_private_key


def test_keys_are_generated_once_then_read_back(tmp_path: Path) -> None:
    assert load_vapid_keys(None, tmp_path, generate=False) is None
    made = load_vapid_keys(None, tmp_path, generate=True)
    assert made is not None
    assert (tmp_path / "vapid_private.pem").stat().st_mode & 0o777 == 0o600
    again = load_vapid_keys(None, tmp_path, generate=False)
    assert again is not None and again.public_key == made.public_key
    assert repr(made) == "VapidKeys()"  # the key never shows


def test_configured_keys_in_each_form(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    forms = (pem, b64url(raw), b64url(der))
    loaded = [load_vapid_keys(text, tmp_path, generate=True) for text in forms]
    assert len({keys.public_key for keys in loaded if keys is not None}) == 1
    assert None not in loaded
    assert not (tmp_path / "vapid_private.pem").exists()
    other_curve = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(ValueError, match="P-256"):
        parse_private_key(other_curve)


def test_unsubscribe_tokens_are_bound_to_their_user_and_key() -> None:
    token = unsubscribe_token("k" * 40, "user-1")
    assert unsubscribed_user("k" * 40, token) == "user-1"
    assert unsubscribed_user("j" * 40, token) is None
    assert unsubscribed_user("k" * 40, token.replace("user-1", "user-2")) is None
    assert unsubscribed_user("k" * 40, "user-1.") is None
    assert unsubscribed_user("k" * 40, "no-dot") is None
    assert unsubscribed_user("k" * 40, "x" * 500) is None
