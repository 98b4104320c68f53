"""``topicsflow bots seed``: which node or store, and one-line errors with exit statuses."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import trio

from bots.accounts import SeededAccounts
from bots.store_target import StoreTarget
from storage import open_store
from topicsflow.cli import main


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's own ``TOPICSFLOW_*`` variables must not matter."""
    import os

    for name in [name for name in os.environ if name.startswith("TOPICSFLOW_")]:
        monkeypatch.delenv(name)


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The only line of standard error, which must be an error line."""
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("topicsflow: error: ")
    return lines[0].removeprefix("topicsflow: error: ")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def node_store(data_dir: Path) -> Path:
    """An embedded store in ``data_dir``, as a node's first start leaves it."""

    async def create() -> None:
        async with open_store(None, data_dir=data_dir):
            pass

    trio.run(create)
    return data_dir


def test_without_a_node_or_store_it_refuses_to_guess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOPICSFLOW_DATA_DIR", str(node_store(tmp_path / "data")))
    assert main(["bots", "seed", "--output", "a.json"]) == 2
    assert "--url http://HOST:PORT" in one_error_line(capsys)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["--url", "ws://127.0.0.1:8000/ws", "--token", "t"], "--url expects the node's http"),
        (["--url", "127.0.0.1:8000", "--token", "t"], "--url expects the node's http"),
        (["--url", "http://127.0.0.1:99999", "--token", "t"], "--url expects the node's http"),
        (["--url", "http://127.0.0.1:8000"], "--token or TOPICSFLOW_OPS_TOKEN"),
        (["--url", "http://127.0.0.1:8000", "--token", "t", "--data-dir", "."], "drop --data"),
        (["--data-dir", "nowhere"], "no embedded store in nowhere"),
        (["--data-dir", ".", "--mongodb-url", "mongodb://h"], "name one store"),
        (["--mongodb-url", "postgres://h/db"], "mongodb:// or mongodb+srv://"),
        (["--url", "http://127.0.0.1:8000", "--token", "t", "--rooms", "x"], "--rooms expects"),
        (["--url", "http://127.0.0.1:8000", "--token", "t", "--rooms", "0"], "1 to"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    arguments: list[str], reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["bots", "seed", *arguments, "--output", "a.json"]) == 2
    assert reason in one_error_line(capsys)
    assert not (tmp_path / "a.json").exists()


def test_an_output_directory_that_does_not_exist_is_refused_before_seeding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "missing" / "a.json"
    arguments = ["--data-dir", str(node_store(tmp_path / "data")), "--output", str(output)]
    assert main(["bots", "seed", *arguments]) == 2
    assert f"no directory {output.parent}" in one_error_line(capsys)


def test_an_unreachable_node_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    output = tmp_path / "a.json"
    assert main(["bots", "seed", "--url", url, "--token", "t", "--output", str(output)]) == 1
    assert one_error_line(capsys) == f"cannot reach {url}: connection refused"
    assert not output.exists()


def test_the_token_may_come_from_the_ops_token_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOPICSFLOW_OPS_TOKEN", "from-the-environment")
    url = f"http://127.0.0.1:{closed_port()}"
    assert main(["bots", "seed", "--url", url, "--output", str(tmp_path / "a.json")]) == 1
    assert "cannot reach" in one_error_line(capsys)


def test_direct_seeding_says_which_store_it_wrote_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = node_store(tmp_path / "data")
    output = tmp_path / "a.json"
    arguments = ["--data-dir", str(data_dir), "--rooms", "2,1", "--idle-users", "1"]
    assert main(["bots", "seed", *arguments, "--output", str(output)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"topicsflow: bots seed wrote to the embedded store {data_dir / 'topicsflow.sqlite3'}"
    ]
    assert captured.out == f"seeded 2 rooms, 1 idle users; credentials in {output}\n"
    accounts = SeededAccounts.load(output)
    assert [len(room.tokens) for room in accounts.rooms] == [2, 1]
    assert len(accounts.idle_tokens) == 1


def test_a_mongodb_store_is_described_without_its_credentials() -> None:
    target = StoreTarget(mongodb_url="mongodb://bob:s3cret@db1:27017,db2/?authSource=admin")
    assert target.problem() is None
    assert target.describe() == "MongoDB mongodb://db1:27017,db2, database topicsflow"
    named = StoreTarget(mongodb_url="mongodb+srv://bob:s3cret@cluster.example/prod?tls=true")
    assert named.describe() == "MongoDB mongodb+srv://cluster.example, database prod"
    assert "s3cret" not in repr(named)


def test_help_says_which_node_and_where_the_credentials_go(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["bots", "seed", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for expected in (
        "--url URL", "running node", "TOPICSFLOW_OPS_TOKEN", "--token TOKEN",
        "--data-dir DATA_DIR", "--mongodb-url MONGODB_URL", "--output OUTPUT",
        "topicsflow bots run", "not seen by nodes that keep sessions in Redis",
    ):
        assert expected in text, expected
