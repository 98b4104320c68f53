"""Strictly typed JSON request bodies, documented like quart-schema's own.

quart-schema's ``validate_request`` converts with msgspec's lax rules (``0`` or
``"true"`` become booleans, ``"5"`` an integer): right for query strings, which are all
text, but it lets wrongly typed JSON through.  :func:`validate_body` documents the body
exactly as ``validate_request`` does (the same OpenAPI entry, recorded with quart-schema's
public ``document_request``; the same 400 ``invalid`` on failure) and converts with
msgspec's strict rules, so a JSON value must already have the declared type.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from quart import request
from quart_schema import DataSource, RequestSchemaValidationError, document_request

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def validate_body(model: type[msgspec.Struct]) -> Callable[[Handler], Handler]:
    """Pass the JSON body, strictly converted to ``model``, as the ``data`` keyword."""

    def decorator(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def validated(*args: Any, **kwargs: Any) -> Any:
            payload = await request.get_json()
            try:
                data = msgspec.convert(payload, model, strict=True)
            except msgspec.ValidationError as error:
                raise RequestSchemaValidationError(error) from None
            return await handler(*args, data=data, **kwargs)

        # quart-schema's public decorator records the body exactly as validate_request does.
        return document_request(model, source=DataSource.JSON)(validated)  # type: ignore[return-value]

    return decorator
