"""One JSON error shape for every REST response that is not a success.

Every error body is ``{"error": {"code": CODE, "message": TEXT}}`` where ``CODE`` is an
:class:`protocol.errors.ErrorCode`, the same codes the WebSocket protocol uses; a
:class:`DomainError`'s ``details`` add documented fields to the error object (``ban`` on
a banned user's login, :class:`services.bans.AccountBanned`).  Handlers,
actors and services raise :class:`services.errors.DomainError` (the facade's own checks
raise its subclass :class:`ApiError`); the app factory turns it, and every HTTP error
Quart raises itself (404, 405, 413…), into that shape; a storage ``NotFound`` becomes 404
and ``StorageUnavailable`` 503 ``unavailable``.  A failure of the actor runtime (no answer,
a crash, a message not delivered) is mapped by :func:`actor_failure`, the one table from
:mod:`actors.runtime.errors` to statuses and codes; handlers meet it through
:func:`http_facade.node_access.ask_actor`, and an :class:`~actors.runtime.errors.ActorError`
that escapes a handler anyway is mapped by the same table.  An unexpected exception
becomes ``internal`` with status 500 and is logged with its traceback — its text never
reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from quart import Quart, Response, jsonify
from werkzeug.exceptions import HTTPException

from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    AskCycle,
    AskTimeout,
    DeliveryError,
    MailboxFull,
    MessageRejected,
    UnknownActorKind,
)
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
    """The REST error for a runtime failure of an ask; the one mapping of the facade.

    ==========================  ======  ===============  =====================================
    runtime error               status  code             meaning for the client
    ==========================  ======  ===============  =====================================
    ``AskTimeout``              504     ``timeout``      no answer in time; the command may
                                                         still take effect (retry, or check)
    ``ActorCrashed``            500     ``internal``     the handler failed; the command may
                                                         or may not have taken effect
    ``MailboxFull``             503     ``unavailable``  the actor is overloaded; nothing was
                                                         enqueued
    ``UnknownActorKind``        503     ``unavailable``  this node does not host that kind
    ``ActorStopped``,           503     ``unavailable``  not delivered: the node is draining,
    ``NotOwner``, any other                              the actor is restarting or moved
    ``DeliveryError``
    ``AskCycle``,               500     ``internal``     a server bug, refused before the
    ``UnhandledMessage``, any                            actor acted: nothing was done
    other non-domain
    ``MessageRejected``
    any other ``ActorError``    500     ``internal``     e.g. ``RestartIntensityExceeded``
    ==========================  ======  ===============  =====================================

    Every 503 carries ``Retry-After: 1`` (:data:`RETRY_SECONDS`).

    A :class:`~services.errors.DomainError` is a refusal, not a failure: it is never
    passed here and reaches the client unchanged (its own code and status).  The client
    sees only the status, the code and the fixed message of the row — never the actor's
    address, the message type or the original exception, which stay in the server's log.
    """
    match error:
        case AskTimeout():
            return ActorFailure(ErrorCode.TIMEOUT, "no answer in time; retry")
        case ActorCrashed():
            return ActorFailure(
                ErrorCode.INTERNAL, "the command failed; it may or may not have taken effect"
            )
        case MailboxFull():
            return _unavailable("too busy right now; retry")
        case UnknownActorKind():
            return _unavailable("this node does not serve that")
        case DeliveryError():
            return _unavailable("not available right now; retry")
        case AskCycle() | MessageRejected():
            return ActorFailure(ErrorCode.INTERNAL, "the request could not be served")
        case _:
            return ActorFailure(ErrorCode.INTERNAL, "internal server error")


def _unavailable(message: str) -> ActorFailure:
    return ActorFailure(ErrorCode.UNAVAILABLE, message, retry_after=RETRY_SECONDS)


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
