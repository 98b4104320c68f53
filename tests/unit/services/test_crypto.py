"""Passwords, tokens and TOTP: the secrets of the auth flow."""

from __future__ import annotations

import pytest

from services.passwords import PasswordHasher, password_problem
from services.tokens import (
    digests_match,
    new_backup_codes,
    new_token,
    normalise_backup_code,
    public_session_id,
)
from services.totp import STEP_SECONDS, accepted_step, current_code, new_totp_secret
from storage.keys import hash_token

FAST = {"time_cost": 1, "memory_kib": 8, "parallelism": 1}


async def test_password_hash_verifies_only_the_same_password() -> None:
    hasher = PasswordHasher(**FAST)
    encoded = await hasher.hash("correct horse battery")
    assert encoded.startswith("$argon2id$")
    assert "correct horse" not in encoded
    assert (await hasher.verify(encoded, "correct horse battery")).matched
    assert not (await hasher.verify(encoded, "correct horse battery!")).matched
    assert not (await hasher.verify("not a hash", "anything")).matched


async def test_changed_parameters_ask_for_a_rehash() -> None:
    old = await PasswordHasher(**FAST).hash("correct horse battery")
    stronger = PasswordHasher(time_cost=2, memory_kib=16, parallelism=1)
    result = await stronger.verify(old, "correct horse battery")
    assert result.matched
    assert result.rehash is not None
    assert (await stronger.verify(result.rehash, "correct horse battery")).rehash is None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("x" * 300, "at most 256"),
        ("aaaaaaaaaaaa", "distinct"),
        ("my-alice-password", "username"),
    ],
)
def test_weak_passwords_are_explained(password: str, problem: str) -> None:
    found = password_problem(password, username="alice", email="alice@example.org")
    assert found is not None
    assert problem in found


def test_good_password_has_no_problem() -> None:
    assert password_problem("tr0ub4dor & 3", username="alice") is None


def test_tokens_are_random_and_only_digests_are_compared() -> None:
    first, second = new_token(), new_token()
    assert first != second
    assert len(first) >= 43
    assert len(hash_token(first)) == 64
    assert digests_match(hash_token(first), hash_token(first))
    assert not digests_match(hash_token(first), hash_token(second))
    assert hash_token("\ud800") != hash_token("")
    session_id = public_session_id(hash_token(first))
    assert len(session_id) == 24
    assert session_id not in hash_token(first)


def test_backup_codes_are_distinct_and_normalise() -> None:
    codes = new_backup_codes(10)
    assert len(set(codes)) == 10
    code = codes[0]
    assert normalise_backup_code(f"  {code.upper()} ") == code.replace("-", "")


def test_totp_accepts_current_and_adjacent_steps_once() -> None:
    secret = new_totp_secret()
    now = 1_800_000_000.0
    code = current_code(secret, now)
    step = accepted_step(secret, code, None, now)
    assert step == int(now) // STEP_SECONDS
    assert accepted_step(secret, code, step, now) is None, "a replayed code is refused"
    late = now + STEP_SECONDS
    assert accepted_step(secret, code, None, late) == step, "one step of drift is allowed"
    assert accepted_step(secret, code, None, now + 3 * STEP_SECONDS) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_totp_codes_are_refused(code: str) -> None:
    assert accepted_step(new_totp_secret(), code, None, 1_800_000_000.0) is None
