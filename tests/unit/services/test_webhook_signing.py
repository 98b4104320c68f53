"""Webhook signatures, sealed secrets and the target policy."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

import pytest

from services.webhook_signing import SecretBox, new_secret, signature, verify
from services.webhook_targets import TargetRefused, check_url, is_public, resolve_public

BODY = b'{"id":"d_1","event":"ping","occurred_at":1,"data":{}}'


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"whsec_x", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signature("whsec_x", 1_700_000_000, BODY) == f"v1={expected}"


def test_verify_accepts_the_signature_and_refuses_tampering_and_staleness() -> None:
    header = signature("whsec_x", 1_700_000_000, BODY)
    assert verify("whsec_x", "1700000000", header, BODY, now=1_700_000_010)
    assert not verify("whsec_y", "1700000000", header, BODY, now=1_700_000_010)
    assert not verify("whsec_x", "1700000000", header, BODY + b" ", now=1_700_000_010)
    assert not verify("whsec_x", "1700000001", header, BODY, now=1_700_000_010)
    assert not verify("whsec_x", "1700000000", header, BODY, now=1_700_000_000 + 301)
    assert not verify("whsec_x", None, header, BODY, now=1_700_000_000)
    assert not verify("whsec_x", "-5", header, BODY, now=1_700_000_000)
    assert not verify("whsec_x", "1700000000", None, BODY, now=1_700_000_000)


def test_sealed_secrets_open_only_with_the_key_and_for_their_webhook() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    box = SecretBox("k" * 40)
    sealed = box.seal("w1", secret)
    assert secret not in sealed
    assert box.open("w1", sealed) == secret
    assert box.open("w2", sealed) is None  # bound to its webhook
    assert SecretBox("j" * 40).open("w1", sealed) is None  # and to the node key
    assert box.open("w1", "v1.not-base64!") is None
    assert box.open("w1", secret) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::",
        "255.255.255.255",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "http:///path", "https://user:pw@example.org/", "example.org",
     "http://example.org:0/", "http://example.org:99999/", "https://" + "a" * 2100 + ".org"],
)
def test_malformed_targets_are_refused(url: str) -> None:
    with pytest.raises(TargetRefused):
        check_url(url)


async def test_every_resolved_address_is_checked() -> None:
    for url in ("http://127.0.0.1:9/", "http://[::1]/", "http://localhost:8080/x",
                "https://10.1.2.3/", "http://169.254.169.254/latest/meta-data"):
        with pytest.raises(TargetRefused, match="non-public"):
            await resolve_public(url, allow_private=False)
    allowed = await resolve_public("http://localhost:8080/x", allow_private=True)
    assert all(address.is_loopback for address in allowed)
    assert await resolve_public("http://93.184.216.34/", allow_private=False) == [
        ipaddress.ip_address("93.184.216.34")
    ]
