"""The ``topicsflow`` command: usage errors, settings errors, help text, Procfile."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from topicsflow.cli import build_parser, main, settings_for

REPOSITORY = Path(__file__).resolve().parents[2]


def test_invalid_setting_prints_one_line_naming_it_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOPICSFLOW_PORT", "not-a-port")
    assert main(["serve"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "topicsflow: error: TOPICSFLOW_PORT: expected an integer between 1 and 65535, "
        "got 'not-a-port'"
    ]


def test_out_of_range_port_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "99999"]) == 2
    assert "--port: expected an integer" in capsys.readouterr().err


def test_the_installed_command_exits_2_on_a_bad_setting() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "topicsflow", "serve"],
        env={"TOPICSFLOW_PROFILE": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, cwd=REPOSITORY, check=False, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "topicsflow: error: TOPICSFLOW_SECRET_KEY: required in the production profile"
    )


def test_serve_help_documents_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    help_text = capsys.readouterr().out
    assert "--host HOST" in help_text and "--port PORT" in help_text


def test_procfile_web_process_runs_serve_on_the_platform_port() -> None:
    lines = (REPOSITORY / "Procfile").read_text().splitlines()
    assert "web: topicsflow serve --host 0.0.0.0 --port $PORT" in lines


def test_protocol_schema_command_prints_the_committed_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["protocol-schema"]) == 0
    committed = (REPOSITORY / "docs" / "protocol-schema.json").read_text(encoding="utf-8")
    assert capsys.readouterr().out == committed


def test_admin_grant_and_revoke_set_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import trio

    from storage import open_store

    async def create_alice() -> None:
        async with open_store(None, data_dir=tmp_path) as store:
            await store.users.create(username="Alice", email="a@x.io", password_hash="h")

    async def is_admin() -> bool:
        async with open_store(None, data_dir=tmp_path) as store:
            user = await store.users.find_by_username("alice")
            assert user is not None
            return user.is_admin

    trio.run(create_alice)
    monkeypatch.setenv("TOPICSFLOW_DATA_DIR", str(tmp_path))
    assert main(["admin", "grant", "alice"]) == 0
    assert capsys.readouterr().out == "Alice is now an admin\n"
    assert trio.run(is_admin)
    assert main(["admin", "revoke", "ALICE"]) == 0
    assert capsys.readouterr().out == "Alice is no longer an admin\n"
    assert not trio.run(is_admin)


def test_admin_for_an_unknown_user_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOPICSFLOW_DATA_DIR", str(tmp_path))
    assert main(["admin", "grant", "nobody"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "topicsflow: error: no user named 'nobody'\n"
    assert captured.out == ""


def test_admin_refuses_other_actions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["admin", "promote", "alice"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_serve_tunes_the_garbage_collector_for_a_long_running_process() -> None:
    from topicsflow.cli import (
        GC_FIRST_GENERATION,
        GC_SECOND_GENERATION,
        GC_THIRD_GENERATION,
        tune_garbage_collector,
    )

    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == (
            GC_FIRST_GENERATION, GC_SECOND_GENERATION, GC_THIRD_GENERATION
        )
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.parametrize(
    ("flags", "environment", "public_url"),
    [
        (["--port", "9000"], {}, "http://127.0.0.1:9000"),
        (["--host", "0.0.0.0", "--port", "9001"], {}, "http://127.0.0.1:9001"),
        (["--host", "::1", "--port", "9002"], {}, "http://[::1]:9002"),
        ([], {"TOPICSFLOW_PORT": "9003"}, "http://127.0.0.1:9003"),
        (["--port", "9004"], {"TOPICSFLOW_PUBLIC_URL": "https://chat.example.org"},
         "https://chat.example.org"),
        (["--port", "0"], {}, "http://127.0.0.1:8000"),
    ],
)
def test_the_public_url_follows_the_listening_address_unless_set(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], environment: dict[str, str],
    public_url: str,
) -> None:
    """Links in a development node's mails open that node, wherever it listens."""
    for name in [name for name in os.environ if name.startswith("TOPICSFLOW_")]:
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    arguments = build_parser().parse_args(["serve", *flags])
    assert settings_for(arguments).public_url == public_url
