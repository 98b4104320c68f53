"""The domain's refusal: one exception every layer understands.

Actors and services raise :class:`DomainError` when they refuse a command (not a member,
not found, rate limited…).  The REST facade answers it with the code's HTTP status and the
error shape; the WebSocket session answers it with an ``error`` frame echoing the request
id.  The ``message`` is shown to the client, so it never carries secrets or internals.
``details`` are further fields of the REST error object, beside ``code`` and
``message``, each documented where it is raised (e.g. ``ban`` on a refused login,
:class:`services.bans.AccountBanned`); the WebSocket ``error`` frame and the cluster
wire (an actor's refusal asked from another node) do not carry them, so only refusals
raised on the node answering the request may rely on them.

It is an :class:`actors.runtime.errors.MessageRejected`: an actor that raises it is refused, not
restarted, and the asker receives it unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from actors.runtime.errors import MessageRejected
from protocol.errors import ErrorCode


class DomainError(MessageRejected):
    """A refusal with a stable ``code``, a human ``message`` and optional ``retry_after``.

    ``details`` (JSON-ready values, keys other than ``code`` and ``message``) are added
    to the REST error object; None or empty adds nothing.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        retry_after: float | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.details: Mapping[str, object] = {} if details is None else details

    def __repr__(self) -> str:
        return f"DomainError({self.code.value!r}, {self.message!r})"
