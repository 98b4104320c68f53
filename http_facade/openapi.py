"""The OpenAPI 3.1 document and its docs page, generated from the handlers' msgspec types.

quart-schema reads the request/response types declared with ``validate_request``,
``validate_querystring`` and ``validate_response`` on each route, so the document cannot
drift from the code.  ``GET /openapi.json`` serves it and ``GET /docs`` a Swagger UI page.
Request bodies that fail validation become 400 ``invalid`` in the one error shape, with
msgspec's description of the first problem (which field, what was expected).

Every operation that documents its responses also documents the error shape as its
``default`` response, and a declared request body is marked required.
"""

from __future__ import annotations

from typing import Any

import msgspec
from quart import Quart, Response
from quart_schema import QuartSchema, RequestSchemaValidationError
from quart_schema.openapi import APIKeySecurityScheme, HttpSecurityScheme, Info, OpenAPIProvider
from quart_schema.validation import (
    QUART_SCHEMA_QUERYSTRING_ATTRIBUTE,
    QUART_SCHEMA_REQUEST_ATTRIBUTE,
    QUART_SCHEMA_RESPONSE_ATTRIBUTE,
)
from werkzeug.routing.rules import Rule

from http_facade.errors import error_response
from http_facade.middleware.security import SESSION_COOKIE
from protocol.errors import ErrorCode


class ErrorDetail(msgspec.Struct, frozen=True):
    """What went wrong: a stable machine ``code`` and a human ``message``."""

    code: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True):
    """The body of every non-2xx response."""

    error: ErrorDetail


_ERROR_SCHEMAS, _ERROR_COMPONENTS = msgspec.json.schema_components(
    [ErrorBody], ref_template="#/components/schemas/{name}"
)
_ERROR_RESPONSE = {
    "description": 'Any failure: `{"error": {"code": ..., "message": ...}}`.',
    "content": {"application/json": {"schema": _ERROR_SCHEMAS[0]}},
}


class ApiDocumentProvider(OpenAPIProvider):
    """quart-schema's document, plus the error shape and required request bodies.

    quart-schema keeps only the top-level component of each msgspec model, so structs
    nested in a request or response would be dangling references: every component of
    every declared model is added here.
    """

    def schema(self) -> dict[str, Any]:
        document = super().schema()
        models = sorted(self._declared_models(), key=lambda model: model.__qualname__)
        if models:
            _, components = msgspec.json.schema_components(
                models, ref_template="#/components/schemas/{name}"
            )
            document["components"]["schemas"] = {
                **components,
                **document["components"]["schemas"],
            }
        return document

    def _declared_models(self) -> set[type[msgspec.Struct]]:
        models: set[type[msgspec.Struct]] = set()
        for view in self._app.view_functions.values():
            declared: list[Any] = []
            request_model = getattr(view, QUART_SCHEMA_REQUEST_ATTRIBUTE, None)
            if request_model is not None:
                declared.append(request_model[0])
            declared.append(getattr(view, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, None))
            for response_model, _ in getattr(view, QUART_SCHEMA_RESPONSE_ATTRIBUTE, {}).values():
                declared.append(response_model)
            models.update(
                model for model in declared
                if isinstance(model, type) and issubclass(model, msgspec.Struct)
            )
        return models

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        paths, components = super().build_paths(rule)
        for path_item in paths.values():
            for method, operation in list(path_item.items()):
                # quart-schema shares one operation object between methods: copy first.
                operation = path_item[method] = dict(operation)
                documented = operation.get("responses")
                if documented:
                    responses = {str(status): item for status, item in documented.items()}
                    operation["responses"] = {**responses, "default": _ERROR_RESPONSE}
                    components.update(_ERROR_COMPONENTS)
                if "requestBody" in operation:
                    operation["requestBody"] = {**operation["requestBody"], "required": True}
        return paths, components


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
        openapi_provider_class=ApiDocumentProvider,
    )

    @app.errorhandler(RequestSchemaValidationError)
    async def handle_validation_error(error: RequestSchemaValidationError) -> Response:
        detail = str(error.validation_error) or "the request is not valid"
        return error_response(400, ErrorCode.INVALID, detail)

    return schema
