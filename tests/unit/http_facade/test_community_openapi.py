"""The OpenAPI document describes every topic, post and comment route."""

from __future__ import annotations

import re

from http_facade.app import create_app
from http_facade.context import FacadeContext
from topicsflow.settings import Settings

BLUEPRINTS = ("topics", "topic_members", "posts", "comments")


async def test_every_community_route_is_in_the_document_with_its_bodies() -> None:
    app = create_app(FacadeContext(settings=Settings()))
    document = await (await app.test_client().get("/openapi.json")).get_json()
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in BLUEPRINTS]
    assert len(rules) >= 35
    for rule in rules:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            responses = operation["responses"]
            success = [status for status in responses if status.startswith("2")]
            assert success, (method, path)
            assert "application/json" in responses[success[0]]["content"], (method, path)
            assert operation.get("security"), (method, path)
            if method in {"POST", "PUT", "PATCH"} and "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                assert "$ref" in schema or "properties" in schema
    create = document["paths"]["/api/posts"]["post"]["requestBody"]["content"]
    schema = create["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert schema["properties"]["title"]["maxLength"] == 300
    assert schema["properties"]["body"]["maxLength"] == 40_000
    assert schema["additionalProperties"] is False
    listing = document["paths"]["/api/topics"]["get"]["parameters"]
    assert {parameter["name"] for parameter in listing} == {"sort", "tag", "q", "cursor", "limit"}


async def test_unknown_community_ids_are_404_in_the_error_shape() -> None:
    app = create_app(FacadeContext(settings=Settings()))
    response = await app.test_client().get("/api/topics/zzz")
    assert response.status_code == 401
    assert (await response.get_json())["error"]["code"] == "unauthorized"
