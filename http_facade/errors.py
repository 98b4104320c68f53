"""One JSON error shape for every REST response that is not a success.

Every error body is ``{"error": {"code": CODE, "message": TEXT}}`` where ``CODE`` is an
:class:`protocol.errors.ErrorCode`, the same codes the WebSocket protocol uses; a
:class:`DomainError`'s ``details`` add documented fields to the error object (``ban`` on
a banned user's login, :class:`services.bans.AccountBanned`).  Handlers,
actors and services raise :class:`services.errors.DomainError` (the facade's own checks
raise its subclass :class:`ApiError`); the app factory turns it, and every HTTP error
Quart raises itself (404, 405, 413…), into that shape; a storage ``NotFound`` becomes 404
and ``StorageUnavailable`` 503 ``unavailable``.  A failure of the actor runtime (no answer,
a crash, a message not delivered) is mapped by :func:`actor_failure`, from the one table of
:mod:`actors.runtime.failures` (shared with the WebSocket) to statuses and codes;
handlers meet it through :func:`http_facade.node_access.ask_actor`, and an
:class:`~actors.runtime.errors.ActorError` that escapes a handler anyway is mapped by the
same table.  An unexpected exception becomes ``internal`` with status 500 and is logged
with its traceback — its text never reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from quart import Quart, Response, jsonify
from werkzeug.exceptions import HTTPException

from actors.runtime.errors import ActorError
from actors.runtime.failures import describe_failure
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import NotFound, StorageUnavailable

logger = logging.getLogger(__name__)

_CODE_BY_STATUS = {
    400: ErrorCode.INVALID,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.INVALID,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.TOO_LARGE,
    415: ErrorCode.UNSUPPORTED,
    422: ErrorCode.INVALID,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.UNAVAILABLE,
    504: ErrorCode.TIMEOUT,
}


class ApiError(DomainError):
    """A refusal raised by the facade itself; like :class:`DomainError`, plus a status.

    The status defaults to the code's own (:attr:`ErrorCode.http_status`);
    ``retry_after`` (seconds) becomes a ``Retry-After`` header.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, message, retry_after=retry_after)
        self.status = int(code.http_status) if status is None else status


class ActorFailure(ApiError):
    """An ask of an actor that ended without an answer, as :func:`actor_failure` maps it.

    Never a domain refusal: a handler that turns refusals into something else (a 404
    that discloses nothing, a fallback) lets this one through unchanged.
    """


RETRY_SECONDS = 1.0
"""The ``Retry-After`` of the 503 answers of :func:`actor_failure`."""


def actor_failure(error: ActorError) -> ActorFailure:
    """The REST error for a runtime failure of an ask: the row of
    :func:`actors.runtime.failures.describe_failure`, with the code's HTTP status
    (``timeout`` 504, ``unavailable`` 503, ``internal`` 500) and ``Retry-After:``
    :data:`RETRY_SECONDS` on the retryable rows."""
    failure = describe_failure(error)
    return ActorFailure(
        failure.code, failure.message,
        retry_after=RETRY_SECONDS if failure.retryable else None,
    )


def error_response(
    status: int,
    code: ErrorCode,
    message: str,
    retry_after: float | None = None,
    details: Mapping[str, object] | None = None,
) -> Response:
    """Build the error shape as a response with ``status``.

    ``details`` are further fields of the error object; they never replace ``code`` or
    ``message``.
    """
    error: dict[str, object] = {"code": code.value, "message": message}
    for key, value in (details or {}).items():
        error.setdefault(key, value)
    response = jsonify({"error": error})
    response.status_code = status
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after + 0.499)))
    return response


def install_error_handlers(app: Quart) -> None:
    """Route every error raised while handling a request into the one error shape."""

    @app.errorhandler(DomainError)
    async def handle_domain_error(error: DomainError) -> Response:
        status = error.status if isinstance(error, ApiError) else int(error.code.http_status)
        return error_response(
            status, error.code, error.message, error.retry_after, error.details
        )

    @app.errorhandler(HTTPException)
    async def handle_http_exception(error: HTTPException) -> Response:
        status = error.code or 500
        fallback = ErrorCode.INTERNAL if status >= 500 else ErrorCode.INVALID
        code = _CODE_BY_STATUS.get(status, fallback)
        return error_response(status, code, error.description or error.name)

    @app.errorhandler(NotFound)
    async def handle_not_found(error: NotFound) -> Response:
        return error_response(404, ErrorCode.NOT_FOUND, f"{error.kind} not found")

    @app.errorhandler(StorageUnavailable)
    async def handle_storage_unavailable(error: StorageUnavailable) -> Response:
        logger.warning("a request failed: storage is unavailable")
        return error_response(
            503, ErrorCode.UNAVAILABLE, "storage is unavailable; retry later", retry_after=1.0
        )

    @app.errorhandler(ActorError)
    async def handle_actor_failure(error: ActorError) -> Response:
        # Only runtime failures get here: a DomainError (an ActorError too) goes to its
        # own handler, which Quart prefers as the nearer class in the error's MRO.
        logger.warning("a request was not served: %s", error)
        failure = actor_failure(error)
        return error_response(
            failure.status, failure.code, failure.message, failure.retry_after
        )

    @app.errorhandler(Exception)
    async def handle_unexpected(error: Exception) -> Response:
        logger.exception("unhandled error while serving a request")
        return error_response(500, ErrorCode.INTERNAL, "internal server error")
