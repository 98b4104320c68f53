"""The committed schema and PROTOCOL.md match the code."""

import json
from pathlib import Path

import pytest

from protocol import CLIENT_FRAME_TAGS, SERVER_FRAME_TAGS, CloseCode, ErrorCode
from protocol.schema import export_schema, main, render_schema

REPOSITORY = Path(__file__).resolve().parents[3]
SCHEMA_FILE = REPOSITORY / "docs" / "protocol-schema.json"
PROTOCOL_DOC = REPOSITORY / "docs" / "PROTOCOL.md"


def test_committed_schema_equals_the_export() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "docs/protocol-schema.json is stale: "
        "run python -m protocol.schema --output docs/protocol-schema.json"
    )


def test_schema_unions_are_discriminated_by_type() -> None:
    definitions = export_schema()["$defs"]
    for union, tags in (("ClientFrame", CLIENT_FRAME_TAGS), ("ServerFrame", SERVER_FRAME_TAGS)):
        discriminator = definitions[union]["discriminator"]
        assert discriminator["propertyName"] == "type"
        assert set(discriminator["mapping"]) == set(tags)


def test_export_returns_a_fresh_dict() -> None:
    first = export_schema()
    first["$defs"].clear()
    assert export_schema()["$defs"]


def test_main_prints_or_writes_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out) == export_schema()
    target = tmp_path / "schema.json"
    assert main(["--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_schema()


@pytest.mark.parametrize("tag", sorted({*CLIENT_FRAME_TAGS, *SERVER_FRAME_TAGS}))
def test_every_frame_tag_is_documented(tag: str) -> None:
    assert f"`{tag}`" in PROTOCOL_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(ErrorCode), ids=str)
def test_every_error_code_is_documented(code: ErrorCode) -> None:
    assert f"`{code.value}`" in PROTOCOL_DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("code", list(CloseCode), ids=lambda code: code.name)
def test_every_close_code_is_documented(code: CloseCode) -> None:
    assert f"| {code.value} |" in PROTOCOL_DOC.read_text(encoding="utf-8")
