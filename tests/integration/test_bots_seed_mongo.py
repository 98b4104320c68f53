"""``topicsflow bots seed --mongodb-url``: direct seeding into the Mongo-wire server."""

from __future__ import annotations

from pathlib import Path

import pytest
import trio

from bots.accounts import SeededAccounts
from storage import open_store
from storage.keys import hash_token
from tests.integration.node_support import forget_services
from topicsflow.cli import main
from topicsflow.settings import Settings

pytestmark = pytest.mark.mongo


def test_direct_seeding_writes_the_named_database_and_says_so_on_one_line(
    tmp_path: Path, mongodb_url: str, unique_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "accounts.json"
    arguments = ["--mongodb-url", mongodb_url, "--mongodb-database", unique_name]
    try:
        assert main(["bots", "seed", *arguments, "--rooms", "2", "--output", str(output)]) == 0
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("topicsflow: bots seed wrote to MongoDB mongodb://")
        assert lines[0].endswith(f", database {unique_name}")
        token = SeededAccounts.load(output).rooms[0].tokens[1]

        async def session_exists() -> bool:
            async with open_store(mongodb_url, database=unique_name) as store:
                return await store.sessions.get(hash_token(token)) is not None

        assert trio.run(session_exists)
    finally:
        settings = Settings(mongodb_url=mongodb_url, mongodb_database=unique_name)
        trio.run(forget_services, settings)
