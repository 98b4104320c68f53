"""The OpenAPI document is served, is 3.1, and validation errors use the error shape."""

from __future__ import annotations

import re

import msgspec
from quart import Blueprint, jsonify
from quart_schema import validate_request

from http_facade.app import create_app
from http_facade.context import FacadeContext
from topicsflow.settings import Settings


class Greeting(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    times: int = 1


def make_client():  # type: ignore[no-untyped-def]
    app = create_app(FacadeContext(settings=Settings()))
    probe = Blueprint("probe", __name__, url_prefix="/api/probe")

    @probe.post("/greet")
    @validate_request(Greeting)
    async def greet(data: Greeting) -> object:
        return jsonify({"text": f"hello {data.name}" * data.times})

    app.register_blueprint(probe)
    return app.test_client()


async def test_openapi_document_describes_routes() -> None:
    response = await make_client().get("/openapi.json")
    document = await response.get_json()
    assert document["openapi"].startswith("3.1")
    assert "/api/probe/greet" in document["paths"]
    assert "bearer" in document["components"]["securitySchemes"]


async def test_docs_page_is_served() -> None:
    response = await make_client().get("/docs")
    assert response.status_code == 200
    assert "openapi.json" in await response.get_data(as_text=True)


async def test_validation_errors_are_400_invalid_naming_the_field() -> None:
    client = make_client()
    wrong_type = await client.post("/api/probe/greet", json={"name": 5})
    assert wrong_type.status_code == 400
    body = await wrong_type.get_json()
    assert body["error"]["code"] == "invalid"
    assert "$.name" in body["error"]["message"]
    unknown = await client.post("/api/probe/greet", json={"name": "a", "admin": True})
    assert unknown.status_code == 400
    malformed = await client.post(
        "/api/probe/greet", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert (await malformed.get_json())["error"]["code"] == "invalid"
    fine = await client.post("/api/probe/greet", json={"name": "a", "times": 2})
    assert (await fine.get_json()) == {"text": "hello ahello a"}


async def test_every_reference_in_the_document_resolves() -> None:
    """Two schemas of one name once left a dangling ``$ref``, so those bodies went unchecked."""
    app = create_app(FacadeContext(settings=Settings()))
    document = await (await app.test_client().get("/openapi.json")).get_json()
    text = msgspec.json.encode(document).decode()
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert referenced
    assert referenced - set(document["components"]["schemas"]) == set()
