"""The credentials file: round trip, owner-only, one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.accounts import CredentialsError, SeededAccounts, SeededRoom

ACCOUNTS = SeededAccounts(
    rooms=(SeededRoom("chat_room:a", ("t1", "t2")),), idle_tokens=("i1",)
)


def test_saved_accounts_load_back_and_only_their_owner_may_read_them(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("old, readable by all")
    path.chmod(0o644)
    ACCOUNTS.save(path)
    assert SeededAccounts.load(path) == ACCOUNTS
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_format_is_the_one_bots_run_always_read(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text('{"rooms": [{"channel": "chat_room:a", "tokens": ["t1", "t2"]}]}')
    assert SeededAccounts.load(path) == SeededAccounts(
        rooms=(SeededRoom("chat_room:a", ("t1", "t2")),), idle_tokens=()
    )
    assert ACCOUNTS.to_json() == {
        "rooms": [{"channel": "chat_room:a", "tokens": ["t1", "t2"]}], "idle_tokens": ["i1"],
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read the credentials file"),
        ("not json", "is not JSON"),
        ("[]", "not a bots credentials file"),
        ('{"rooms": [{"channel": "c"}]}', "not a bots credentials file"),
        ('{"rooms": [], "idle_tokens": [1]}', "not a bots credentials file"),
    ],
)
def test_a_bad_file_is_one_credentials_error_naming_it(
    tmp_path: Path, content: str | None, reason: str
) -> None:
    path = tmp_path / "accounts.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CredentialsError) as raised:
        SeededAccounts.load(path)
    message = str(raised.value)
    assert str(path) in message and reason in message
    assert "\n" not in message
