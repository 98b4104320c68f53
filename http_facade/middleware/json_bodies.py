"""Request bodies parsed as strict JSON by msgspec.

Quart's own parsing decodes the body as text first and hands it to the standard library,
so a body that is not UTF-8, or nests arrays thousands deep, escapes as an unexpected
exception (500), and ``NaN`` or a lone surrogate slips through to fail later in storage.
:class:`StrictJsonRequest` parses the raw bytes with msgspec instead: invalid UTF-8,
malformed JSON, non-standard numbers, lone surrogates, runaway nesting and U+0000 in a
string (:mod:`protocol.nul_text`) all become 400 ``invalid`` in the error shape.
"""

from __future__ import annotations

from typing import Any

import msgspec
from quart import Quart
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from protocol.nul_text import NUL_REFUSED, json_has_nul

_DECODER = msgspec.json.Decoder()


def install_json_bodies(app: Quart, max_bytes: int) -> None:
    """Make ``app`` parse JSON request bodies with :class:`StrictJsonRequest` rules.

    A JSON body longer than ``max_bytes`` is refused with 413 even when it came without
    a ``Content-Length`` (chunked): the app's own body limit is the larger upload limit.

    Built on Quart's public extension points only: the app's ``request_class`` is
    subclassed and its documented ``get_json`` overridden (with ``get_data``,
    ``is_json`` and the same ``force``/``silent``/``cache`` contract).  The parsed body
    is cached in an attribute of this subclass, never in Quart's own private cache.
    """
    base = app.request_class

    class StrictJsonRequest(base):  # type: ignore[valid-type,misc]
        """The app's request class with a strict ``get_json``.

        Caching follows Quart's: with ``cache`` the result is kept per ``silent`` value,
        so a silent call after a failed strict one still answers None, and a strict call
        after a silent one still raises.
        """

        _strict_json: dict[bool, Any] | None = None
        """Parsed bodies by ``silent`` (None until the first cached parse)."""

        async def get_json(
            self, force: bool = False, silent: bool = False, cache: bool = True
        ) -> Any:
            parsed = self._strict_json
            if cache and parsed is not None and silent in parsed:
                return parsed[silent]
            if not (force or self.is_json):
                return None
            data: bytes = await self.get_data(cache=cache, as_text=False)
            if len(data) > max_bytes:
                raise RequestEntityTooLarge("the request body is too large")
            try:
                result = _DECODER.decode(data)
            except (msgspec.DecodeError, RecursionError) as error:
                if not silent:
                    raise BadRequest(f"the body is not valid JSON: {_describe(error)}") from None
                result = None
            else:
                if json_has_nul(data):
                    if not silent:
                        raise BadRequest(NUL_REFUSED)
                    result = None
            if cache:
                if parsed is None:
                    parsed = self._strict_json = {}
                parsed[silent] = result
            return result

    app.request_class = StrictJsonRequest


def _describe(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error)
