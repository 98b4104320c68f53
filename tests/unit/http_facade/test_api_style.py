"""One API style (issue 22), checked on the OpenAPI document the app serves.

* Every timestamp (a property named ``*_at``) is an integer (milliseconds since the
  epoch), never a number or a string.
* Every list route (a ``GET`` answering an object, not itself a resource, that holds an
  array of objects) takes ``limit`` and ``cursor`` and answers ``next_cursor``.
* Every ``$ref`` resolves, and component names are plain (no module-qualified
  duplicates, which quart-schema makes when two models share a name).
* A resource view carries its own id as ``id``: no schema ``FooView`` (or ``Foo``) has a
  ``foo_id`` property, nor an ``<x>_id`` where ``<x>`` is the last word of its name
  (``DirectMessageView.message_id``), unless it also has ``id`` — then that property is a
  reference to another resource of the same kind (say ``reply_to_id``), which is fine.
* Bad cursors are 400 ``invalid``, never 500.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from http_facade.app import create_app
from http_facade.context import FacadeContext
from http_facade.errors import ApiError
from http_facade.pagination import (
    BeforeIdPosition,
    OffsetPosition,
    decode_cursor,
    encode_cursor,
    slice_page,
)
from topicsflow.settings import Settings

NOT_A_COLLECTION = {
    # The WebRTC configuration, handed whole to RTCPeerConnection.
    "/api/calls/ice-servers",
}
"""``GET`` routes answering an array of objects that are not a list of resources."""

OPERATOR_PREFIX = "/ops/"
"""Operator diagnostics (the node's status, actors, connections): not paged resources."""

QUALIFIED_FOR_NOW = {
    "http_facade.routes.tokens.schemas.PageQuery",
    "http_facade.routes.webhooks.schemas.PageQuery",
}
"""Two new query models that share a name (so quart-schema qualifies both); their owners
rename them. Every other component name must be plain."""

OWNED_ELSEWHERE = {"NodeRecord"}
"""Schemas whose ``*_at`` fields are still float seconds, kept by another part of the tree
(``storage.realtime``'s cluster membership record, shown by ``/ops/status``)."""


async def _document() -> dict[str, Any]:
    app = create_app(FacadeContext(settings=Settings()))
    response = await app.test_client().get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = await response.get_json()
    return document


def _schemas(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = document["components"]["schemas"]
    return schemas


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _schemas(document)[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a (non-reference) property schema allows."""
    found: set[str] = set()
    if "type" in schema:
        kinds = schema["type"]
        found.update(kinds if isinstance(kinds, list) else [kinds])
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found |= _types(part)
    if "$ref" in schema:
        found.add("$ref")
    return found


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


async def test_every_timestamp_is_integer_milliseconds() -> None:
    document = await _document()
    wrong = [
        f"{name}.{field}: {sorted(_types(schema))}"
        for name, component in _schemas(document).items()
        if name not in OWNED_ELSEWHERE
        for field, schema in (component.get("properties") or {}).items()
        if field.endswith("_at") and _types(schema) - {"integer", "null"}
    ]
    assert wrong == []


async def test_every_list_route_pages_by_cursor() -> None:
    document = await _document()
    lists = []
    wrong = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or path in NOT_A_COLLECTION or path.startswith(OPERATOR_PREFIX):
            continue
        content = operation.get("responses", {}).get("200", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            continue
        body = _resolve(document, schema)
        properties = body.get("properties") or {}
        if "id" in properties:  # a resource, whatever arrays it holds
            continue
        holds_objects = any(
            prop.get("type") == "array" and "$ref" in str(prop.get("items", {}))
            for prop in properties.values()
        )
        if not holds_objects:
            continue
        lists.append(path)
        query = {
            parameter["name"]
            for parameter in operation.get("parameters", [])
            if parameter.get("in") == "query"
        }
        if "next_cursor" not in properties:
            wrong.append(f"{path}: answers no next_cursor")
        if not {"cursor", "limit"} <= query:
            wrong.append(f"{path}: takes {sorted(query)}, not cursor and limit")
        for legacy in ("offset", "before_id", "before_seq", "pos"):
            if legacy in query:
                wrong.append(f"{path}: still takes {legacy}")
    assert len(lists) > 20
    assert wrong == []


async def test_every_reference_resolves_to_a_plainly_named_component() -> None:
    document = await _document()
    text = msgspec.json.encode(document).decode()
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert referenced - set(_schemas(document)) == set()
    qualified = {name for name in _schemas(document) if "." in name}
    assert qualified - QUALIFIED_FOR_NOW == set()


async def test_resources_carry_their_own_id_as_id() -> None:
    document = await _document()
    wrong = []
    for name, component in _schemas(document).items():
        properties = set(component.get("properties") or {})
        if "id" in properties:
            continue
        base = name.removesuffix("View")
        own = {f"{_snake(base)}_id", f"{_snake(base).rsplit('_', 1)[-1]}_id"}
        if name.endswith("View") and properties & own:
            wrong.append(f"{name}: {sorted(properties & own)}")
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["", "!!", "not-base64-json", encode_cursor(BeforeIdPosition(b="x")), "e30", "x" * 500],
)
def test_a_bad_cursor_is_invalid(text: str) -> None:
    with pytest.raises(ApiError) as refused:
        decode_cursor(text, OffsetPosition)
    assert refused.value.code == "invalid"


def test_cursors_round_trip_and_end_with_none() -> None:
    items = list(range(5))
    first, cursor = slice_page(items, None, 2)
    second, cursor = slice_page(items, cursor, 2)
    third, end = slice_page(items, cursor, 2)
    assert (first, second, third, end) == ([0, 1], [2, 3], [4], None)
    assert decode_cursor(encode_cursor(OffsetPosition(o=7)), OffsetPosition) == OffsetPosition(o=7)
    assert decode_cursor(None, OffsetPosition) is None
