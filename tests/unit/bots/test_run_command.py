"""``topicsflow bots run``: which node, which credentials, and one-line errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bots.accounts import SeededAccounts, SeededRoom
from topicsflow.cli import main

ACCOUNTS = SeededAccounts(rooms=(SeededRoom("chat_room:a", ("t1", "t2")),), idle_tokens=())


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The only line of standard error, which must be an error line."""
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("topicsflow: error: ")
    return lines[0].removeprefix("topicsflow: error: ")


@pytest.fixture
def accounts_file(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.json"
    ACCOUNTS.save(path)
    return path


def test_an_unreadable_credentials_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["bots", "run", "--accounts", str(missing)]) == 2
    assert one_error_line(capsys) == (
        f"cannot read the credentials file {missing}: No such file or directory"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"rooms": "all of them"}')
    assert main(["bots", "run", "--accounts", str(broken)]) == 2
    assert "not a bots credentials file" in one_error_line(capsys)


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["--url", "http://127.0.0.1:8000/ws"], "expected a ws:// URL"),
        (["--url", "ws://10.1.2.3:8000/ws"], "loopback"),
        (["--url", "ws://127.0.0.1:99999/ws"], "not a TCP port"),
        (["--duration", "0"], "duration"),
        (["--idle", "2"], "idle connections need seeded idle users"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    accounts_file: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], reason: str
) -> None:
    assert main(["bots", "run", "--accounts", str(accounts_file), *arguments]) == 2
    assert reason in one_error_line(capsys)


def test_credentials_without_rooms_or_idle_connections_have_nothing_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.json"
    SeededAccounts(rooms=(), idle_tokens=("i1",)).save(empty)
    assert main(["bots", "run", "--accounts", str(empty)]) == 2
    assert "nothing to run" in one_error_line(capsys)


def test_an_unreachable_node_exits_1_with_one_line_before_any_worker_starts(
    accounts_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"ws://127.0.0.1:{port}/ws"
    assert main(["bots", "run", "--accounts", str(accounts_file), "--url", url]) == 1
    assert one_error_line(capsys) == f"cannot reach {url}: connection refused"


def test_help_says_which_node_and_where_the_credentials_come_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["bots", "run", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for expected in (
        "--url URL", "ws://HOST:PORT/ws", "loopback only", "--accounts ACCOUNTS",
        "`topicsflow bots seed` wrote for that same node", "seeded for another node",
    ):
        assert expected in text, expected
