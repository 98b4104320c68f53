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
from quart_schema import (
    APIKeySecurityScheme,
    DataSource,
    HttpSecurityScheme,
    Info,
    OpenAPIProvider,
    QuartSchema,
    RequestSchemaValidationError,
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
    every model the document declares is added here.

    Only quart-schema's documented extension points are used: the constructor it calls
    (``openapi_provider_class(app, extension)``) and the ``schema``/``build_*`` hooks
    its docstrings say may be overridden.  The models are the ones the ``build_*`` hooks
    are handed while :meth:`schema` builds the document (request bodies, query strings,
    responses of every documented, non-hidden HTTP route), so no attribute of the app
    or of the view functions is read here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._declared_models: set[type[msgspec.Struct]] = set()
        """The msgspec models seen by the ``build_*`` hooks during one :meth:`schema`."""

    def schema(self) -> dict[str, Any]:
        # Synchronous: no other schema() can interleave between clear() and the read.
        self._declared_models.clear()
        document = super().schema()
        models = sorted(self._declared_models, key=lambda model: model.__qualname__)
        self._declared_models.clear()
        if models:
            _, components = msgspec.json.schema_components(
                models, ref_template="#/components/schemas/{name}"
            )
            document["components"]["schemas"] = {
                **components,
                **document["components"]["schemas"],
            }
        return document

    def _declare(self, model: object) -> None:
        if isinstance(model, type) and issubclass(model, msgspec.Struct):
            self._declared_models.add(model)

    def build_request_body(
        self, model: Any, source: DataSource
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        self._declare(model)
        return super().build_request_body(model, source)

    def build_querystring_parameters(
        self, model: Any
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        self._declare(model)
        return super().build_querystring_parameters(model)

    def build_response_object(
        self, model: Any, headers_model: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        self._declare(model)
        return super().build_response_object(model, headers_model)

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
