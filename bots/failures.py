"""How the bots report failure: one line, no traceback.

:class:`BotsFailure` carries a message fit for one line on standard error; the ``bots``
commands print it as ``topicsflow: error: <message>`` and exit non-zero.  Trio wraps
errors raised in nurseries in exception groups: :func:`sole_error` finds the one error
a group stands for, so that callers can handle it as if it had been raised alone.
"""

from __future__ import annotations

from typing import TypeVar

Wanted = TypeVar("Wanted", bound=BaseException)


class BotsFailure(Exception):
    """A failure of seeding or running bots, explained in one line."""


def leaves(error: BaseException) -> list[BaseException]:
    """The exceptions inside (possibly nested) exception groups, in order."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaves(inner)]
    return [error]


def sole_error(
    error: BaseException, wanted: type[Wanted] | tuple[type[Wanted], ...]
) -> Wanted | None:
    """The first leaf of ``error`` (itself, when not a group) if every leaf is ``wanted``.

    None otherwise: a cancellation, ``KeyboardInterrupt`` or an unexpected error among
    the leaves must keep propagating as it is.
    """
    found = leaves(error)
    if not all(isinstance(leaf, wanted) for leaf in found):
        return None
    first = found[0]
    assert isinstance(first, wanted)
    return first


def network_reason(error: BaseException) -> str:
    """Why a connection failed, in a few lower-case words ("connection refused").

    The first ``strerror`` of an ``OSError`` found in ``error``, the errors it was
    raised from or during, and the groups among them (trio reports each address it
    tried inside a group; its "Error connecting to (...): " prefix is dropped), else the
    error's own text, else its type's name.
    """
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror.rpartition("): ")[2].lower()
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(
            linked for linked in (current.__cause__, current.__context__) if linked is not None
        )
    return str(error) or type(error).__name__
