"""Every route of ``/api/auth`` and ``/api/users``, checked from the OpenAPI document.

* Each operation documents its request and response types, every request string is
  bounded, and request bodies refuse unknown fields.
* Only an explicit list of operations is open to anonymous callers; every other one
  answers 401 without a valid session, whatever else the request carries.
* An email address appears only in the caller's own profile.
* Malformed JSON, a wrong content type, wrong types, unknown fields and oversized
  strings are answered with a 4xx in the error shape, never a 5xx.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.auth_support import AppUnderTest, account_in_store, bearer, open_app_driver

PREFIXES = ("/api/auth", "/api/users")
PUBLIC_OPERATIONS = {
    ("post", "/api/auth/register"),
    ("post", "/api/auth/verify-email"),
    ("post", "/api/auth/verify-email/resend"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/login/two-factor"),
    ("post", "/api/auth/logout"),
    ("post", "/api/auth/password-reset"),
    ("post", "/api/auth/password-reset/complete"),
    ("post", "/api/auth/login/passkey/options"),
    ("post", "/api/auth/login/passkey"),
    ("post", "/api/auth/login/email-code/send"),
    ("post", "/api/auth/login/email-code"),
    ("get", "/api/auth/username-available"),
    ("get", "/api/users/{user_id}"),
    ("get", "/api/users/by-name/{username}"),
    ("get", "/api/users/{user_id}/avatar"),  # profiles are public, and so are avatars
}
BINARY_OPERATIONS = {("get", "/api/users/{user_id}/avatar")}
"""Operations answering bytes (an image), whose success body is not JSON: only their
errors are in the schema."""
OWN_PROFILE_PATHS = {"/api/users/me"}


@pytest.fixture
async def proxied() -> AsyncIterator[AppUnderTest]:
    proxy = ipaddress.ip_network("198.51.100.1/32")
    async with open_app_driver(trusted_proxies=(proxy,)) as opened:
        yield opened


@pytest.fixture
async def document(proxied: AppUnderTest) -> dict[str, Any]:
    response = await proxied.driver.client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        if path.startswith(PREFIXES):
            for method, operation in item.items():
                yield method, path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def strings_in(
    document: dict[str, Any], schema: dict[str, Any], seen: set[str]
) -> Iterator[dict[str, Any]]:
    """Every string schema reachable from ``schema``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return
        seen.add(name)
    schema = resolve(document, schema)
    if schema.get("type") == "string":
        yield schema
    for child in [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]:
        yield from strings_in(document, child, seen)
    for key in ("items", "additionalProperties", "propertyNames"):
        if isinstance(schema.get(key), dict):
            yield from strings_in(document, schema[key], seen)


def concrete(path: str) -> str:
    return path.replace("{user_id}", "0" * 26).replace("{session_id}", "a" * 24).replace(
        "{username}", "someone"
    )


async def test_every_operation_is_typed_and_bounded(document: dict[str, Any]) -> None:
    found = list(operations(document))
    assert len(found) >= 25
    for method, path, operation in found:
        success = [code for code in operation["responses"] if code.startswith("2")]
        if (method, path) in BINARY_OPERATIONS:
            assert not success and "default" in operation["responses"], (method, path)
            continue
        assert success and "default" in operation["responses"], (method, path)
        for code in success:
            assert "schema" in operation["responses"][code]["content"]["application/json"]
        request_schemas = [parameter["schema"] for parameter in operation["parameters"]
                           if parameter["in"] == "query"]
        if "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert resolve(document, body).get("additionalProperties") is False, (method, path)
            request_schemas.append(body)
        for schema in request_schemas:
            for string in strings_in(document, schema, set()):
                assert "maxLength" in string or "enum" in string, (method, path, string)


async def test_only_the_listed_operations_are_open_to_anonymous_callers(
    document: dict[str, Any], proxied: AppUnderTest
) -> None:
    client = proxied.driver.client
    open_operations = set()
    for number, (method, path, operation) in enumerate(operations(document)):
        if not operation.get("security"):
            open_operations.add((method, path))
            continue
        for headers in ({}, bearer("not-a-session"), {"Authorization": "Basic eDp5"}):
            response = await client.request(
                method, concrete(path), json={},
                headers={**headers, "X-Forwarded-For": f"203.0.113.{number}"},
            )
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["error"]["code"] == "unauthorized"
    assert open_operations == PUBLIC_OPERATIONS


async def test_email_addresses_appear_only_in_my_own_profile(document: dict[str, Any]) -> None:
    def has_email(schema: dict[str, Any], seen: set[str]) -> bool:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name in seen:
                return False
            seen.add(name)
        schema = resolve(document, schema)
        children = [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]
        if isinstance(schema.get("items"), dict):
            children.append(schema["items"])
        return "email" in schema.get("properties", {}) or any(
            has_email(child, seen) for child in children
        )

    for method, path, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                schema = response["content"]["application/json"]["schema"]
                if has_email(schema, set()):
                    assert path in OWN_PROFILE_PATHS and operation.get("security"), (method, path)


def hostile_bodies(
    document: dict[str, Any], body_schema: dict[str, Any]
) -> list[tuple[bytes, str]]:
    schema = resolve(document, body_schema)
    fields = list(schema.get("properties", {}))
    huge = {name: "x" * 300_000 for name in fields}
    numbers = {name: 12345 for name in fields}
    return [
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"[" * 20_000 + b"]" * 20_000, "application/json"),
        (b'{"a": NaN}', "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (httpx.Request("POST", "/", json=huge).content, "application/json"),
        (httpx.Request("POST", "/", json=numbers).content, "application/json"),
        (b'{"unexpected_field": true}', "application/json"),
        (b"username=a&password=b", "application/x-www-form-urlencoded"),
        (b"plain", "text/plain"),
    ]


async def test_hostile_bodies_get_4xx_in_the_error_shape(
    document: dict[str, Any], proxied: AppUnderTest
) -> None:
    client = proxied.driver.client
    checked = 0
    for number, (method, path, operation) in enumerate(operations(document)):
        if "requestBody" not in operation:
            continue
        account = await account_in_store(proxied, f"hostile{number}")
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        for attempt, (content, content_type) in enumerate(hostile_bodies(document, body_schema)):
            response = await client.request(
                method, concrete(path), content=content,
                headers={
                    **bearer(account.token),
                    "Content-Type": content_type,
                    "X-Forwarded-For": f"203.0.{number}.{attempt}",
                },
            )
            assert 400 <= response.status_code < 500, (method, path, content[:40])
            assert set(response.json()["error"]) == {"code", "message"}
            checked += 1
    assert checked >= 100


async def test_oversized_path_parameters_are_not_found(proxied: AppUnderTest) -> None:
    account = await account_in_store(proxied, "walker")
    client = proxied.driver.client
    long_id = "9" * 5000
    for method, path in [
        ("get", f"/api/users/{long_id}"),
        ("get", f"/api/users/by-name/{long_id}"),
        ("put", f"/api/users/me/blocks/{long_id}"),
        ("delete", f"/api/users/me/blocks/{long_id}"),
        ("delete", f"/api/auth/sessions/{long_id}"),
    ]:
        response = await client.request(method, path, headers=bearer(account.token))
        assert response.status_code == 404, (method, path)
