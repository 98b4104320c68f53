"""The OpenAPI 3.1 document and its docs page, generated from the handlers' msgspec types.

quart-schema reads the request/response types declared with ``validate_request``,
``validate_querystring`` and ``validate_response`` on each route, so the document cannot
drift from the code.  ``GET /openapi.json`` serves it and ``GET /docs`` a Swagger UI page.
Request bodies that fail validation become 400 ``invalid`` in the one error shape, with
msgspec's description of the first problem (which field, what was expected).
"""

from __future__ import annotations

import msgspec
from quart import Quart, Response
from quart_schema import QuartSchema, RequestSchemaValidationError
from quart_schema.openapi import APIKeySecurityScheme, HttpSecurityScheme, Info

from http_facade.errors import error_response
from http_facade.security import SESSION_COOKIE
from protocol.errors import ErrorCode


class ErrorDetail(msgspec.Struct, frozen=True):
    """What went wrong: a stable machine ``code`` and a human ``message``."""

    code: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True):
    """The body of every non-2xx response."""

    error: ErrorDetail


def install_openapi(app: Quart, version: str) -> QuartSchema:
    """Serve ``/openapi.json`` and ``/docs`` for ``app`` and map validation errors."""
    schema = QuartSchema(
        app,
        openapi_path="/openapi.json",
        swagger_ui_path="/docs",
        redoc_ui_path=None,
        scalar_ui_path=None,
        info=Info(
            title="TopicsFlow",
            version=version,
            description=(
                "REST API of TopicsFlow. Errors share one shape: "
                '`{"error": {"code": ..., "message": ...}}`.'
            ),
        ),
        security_schemes={
            "bearer": HttpSecurityScheme(scheme="bearer"),
            "session_cookie": APIKeySecurityScheme(name=SESSION_COOKIE, in_="cookie"),
        },
        conversion_preference="msgspec",
    )

    @app.errorhandler(RequestSchemaValidationError)
    async def handle_validation_error(error: RequestSchemaValidationError) -> Response:
        detail = str(error.validation_error) or "the request is not valid"
        return error_response(400, ErrorCode.INVALID, detail)

    return schema
