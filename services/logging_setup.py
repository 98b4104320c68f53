"""The node's log output: JSON lines in production, readable lines otherwise, secrets redacted.

Contract:

* :func:`configure_logging` installs one handler on the root logger, at
  ``TOPICSFLOW_LOG_LEVEL``, writing to standard error; calling it again replaces that
  handler rather than adding a second.  The ``production`` profile writes one JSON object per
  line (:class:`JsonFormatter`); ``development`` and ``testing`` write readable lines
  (:class:`ReadableFormatter`).
* Every record carries ``timestamp`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``
  and ``message``; ``request_id`` when it was logged while a request was handled (the
  :data:`REQUEST_ID` context variable, set by :mod:`http_facade.middleware.request_ids`);
  every field passed in ``extra=``; and ``exc_info`` (and ``stack_info``) rendered as a string.
* Redaction (:class:`RedactionFilter`): every ``extra`` field, and every key of the
  mappings nested in one, whose name looks sensitive (:func:`is_sensitive_name`: password,
  token, secret, authorization, cookie, totp, credential, api key, or a word such as
  ``code``, ``key``, ``otp``, ``pin``, ``signature``, or its plural) has its value replaced by
  ``"[redacted]"``; structs and dataclasses are turned into mappings first, so their fields
  are checked too.  A name like ``status_code`` is redacted as well: log ``status``.  The
  message and its ``%`` arguments are not inspected — never format a secret into a message.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
import sys
from collections.abc import Mapping
from typing import TextIO

import msgspec

from topicsflow.settings import Profile, Settings

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "topicsflow_request_id", default=None
)
"""The id of the request being handled by the current task, or None outside requests."""

REDACTED = "[redacted]"
UNLOGGABLE = "[unloggable]"
HANDLER_NAME = "topicsflow"
MAX_NESTING = 6
_SENSITIVE_FRAGMENTS = ("password", "passwd", "passphrase", "token", "secret",
                        "authorization", "cookie", "totp", "credential", "apikey")
_SENSITIVE_WORDS = frozenset({"code", "key", "otp", "pin", "signature"})
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "taskName",
}


def _name_words(name: str) -> list[str]:
    """``"accessToken"`` and ``"access_token"`` both give ``["access", "token"]``."""
    words: list[str] = []
    current: list[str] = []
    previous_is_lower = False
    for character in name:
        starts_word = not character.isalnum() or (character.isupper() and previous_is_lower)
        if starts_word and current:
            words.append("".join(current))
            current = []
        if character.isalnum():
            current.append(character.lower())
        previous_is_lower = character.islower() or character.isdigit()
    if current:
        words.append("".join(current))
    return words


def is_sensitive_name(name: str) -> bool:
    """Whether a field or parameter called ``name`` may hold a secret."""
    words = _name_words(name)
    joined = "".join(words)
    return any(fragment in joined for fragment in _SENSITIVE_FRAGMENTS) or any(
        word.removesuffix("s") in _SENSITIVE_WORDS for word in words
    )


def redact(value: object, depth: int = 0) -> object:
    """``value`` as plain data, with sensitive-named keys' values replaced (a copy)."""
    if depth == 0:
        try:
            value = msgspec.to_builtins(value, enc_hook=str, str_keys=True)
        except (TypeError, ValueError):
            # A value msgspec cannot represent (say, a dict keyed by tuples) is dropped
            # visibly rather than making the logging call itself raise.
            return UNLOGGABLE
    if depth >= MAX_NESTING:
        return "[nested too deep]"
    if isinstance(value, Mapping):
        return {
            key: REDACTED if is_sensitive_name(str(key)) else redact(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item, depth + 1) for item in value]
    return value


def record_fields(record: logging.LogRecord) -> dict[str, object]:
    """The ``extra`` fields of ``record``."""
    return {
        key: value for key, value in vars(record).items()
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
    }


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class RedactionFilter(logging.Filter):
    """Replaces the values of sensitive-named ``extra`` fields; see the module docstring."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in record_fields(record).items():
            setattr(record, key, REDACTED if is_sensitive_name(key) else redact(value))
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, fields as in the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = msgspec.json.Encoder(enc_hook=repr)

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            document["request_id"] = request_id
        for key, value in record_fields(record).items():
            document.setdefault(key, value)
        if record.exc_info:
            document["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack_info"] = self.formatStack(record.stack_info)
        return self._encoder.encode(document).decode()


class ReadableFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message key=value…`` and the traceback below it."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = msgspec.json.Encoder(enc_hook=repr)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        parts = [_timestamp(record), record.levelname, record.name]
        if request_id is not None:
            parts.append(f"[{request_id}]")
        parts.append(record.getMessage())
        parts.extend(
            f"{key}={self._encoder.encode(value).decode()}"
            for key, value in record_fields(record).items()
        )
        lines = [" ".join(parts)]
        if record.exc_info:
            lines.append(self.formatException(record.exc_info))
        if record.stack_info:
            lines.append(self.formatStack(record.stack_info))
        return "\n".join(lines)


def build_handler(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """The handler :func:`configure_logging` installs, writing to ``stream`` (stderr)."""
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.set_name(HANDLER_NAME)
    production = settings.profile is Profile.PRODUCTION
    handler.setFormatter(JsonFormatter() if production else ReadableFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactionFilter())
    return handler


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Route every logger through one handler for the profile, at the configured level."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(build_handler(settings, stream))
    root.setLevel(settings.log_level)
