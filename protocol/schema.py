"""JSON Schema of the v1 protocol, for clients written from the published schema.

:func:`export_schema` builds it from the frame structs themselves (via msgspec), so it
cannot drift from the code; ``docs/protocol-schema.json`` is its committed rendering and a
test keeps the two equal. Regenerate with::

    python -m protocol.schema --output docs/protocol-schema.json

The root validates any single frame of either direction; ``$defs/ClientFrame`` and
``$defs/ServerFrame`` are the two unions, discriminated by ``type``. Facts that JSON Schema
cannot express (subprotocols, close codes, HTTP statuses of error codes, limits) are in
the ``x-topicsflow`` extension object.
"""

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from protocol import limits
from protocol.client_frames import ClientFrame
from protocol.close_codes import CloseCode
from protocol.codecs import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK
from protocol.errors import ErrorCode
from protocol.server_frames import ServerFrame

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def export_schema() -> dict[str, Any]:
    """Return the JSON Schema of every client and server frame, as a fresh dict."""
    (client_schema, server_schema), components = msgspec.json.schema_components(
        (ClientFrame, ServerFrame), ref_template="#/$defs/{name}"
    )
    definitions: dict[str, Any] = dict(sorted(components.items()))
    definitions["ClientFrame"] = client_schema
    definitions["ServerFrame"] = server_schema
    # msgspec leaves Python defaults such as () in the schema; make it plain JSON data.
    definitions = msgspec.json.decode(msgspec.json.encode(definitions))
    _clean_descriptions(definitions)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "TopicsFlow wire protocol v1",
        "description": (
            "One WebSocket message is one frame: a client frame (ClientFrame) or a "
            "server frame (ServerFrame), tagged by its 'type' field. See docs/PROTOCOL.md."
        ),
        "anyOf": [{"$ref": "#/$defs/ClientFrame"}, {"$ref": "#/$defs/ServerFrame"}],
        "x-topicsflow": _protocol_facts(),
        "$defs": definitions,
    }


def _protocol_facts() -> dict[str, Any]:
    return {
        "revision": limits.PROTOCOL_REVISION,
        "subprotocols": {
            SUBPROTOCOL_JSON: "JSON, one text message per frame",
            SUBPROTOCOL_MSGPACK: "MessagePack, one binary message per frame",
        },
        "close_codes": {code.name.lower(): code.value for code in CloseCode},
        "error_codes": {code.value: code.http_status.value for code in ErrorCode},
        "limits": {
            "max_client_frame_bytes": limits.DEFAULT_MAX_CLIENT_FRAME_BYTES,
            "max_server_frame_bytes": limits.DEFAULT_MAX_SERVER_FRAME_BYTES,
            "replay_limit": limits.REPLAY_LIMIT,
            "heartbeat_interval_ms": limits.HEARTBEAT_INTERVAL_MS,
            "heartbeat_timeout_ms": limits.HEARTBEAT_TIMEOUT_MS,
            "authentication_timeout_ms": limits.AUTHENTICATION_TIMEOUT_MS,
            "typing_ttl_ms": limits.TYPING_TTL_MS,
        },
    }


def _clean_descriptions(node: Any) -> None:
    """Strip docstring indentation from every ``description``, in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = inspect.cleandoc(value)
            else:
                _clean_descriptions(value)
    elif isinstance(node, list):
        for item in node:
            _clean_descriptions(item)


def render_schema() -> str:
    """The schema as committed: 2-space indented JSON, non-ASCII kept, final newline."""
    return json.dumps(export_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the schema, or write it to ``--output``."""
    parser = argparse.ArgumentParser(
        prog="python -m protocol.schema", description="Export the protocol's JSON Schema."
    )
    parser.add_argument("--output", type=Path, help="write to this file instead of stdout")
    arguments = parser.parse_args(argv)
    text = render_schema()
    if arguments.output is None:
        sys.stdout.write(text)
    else:
        arguments.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
