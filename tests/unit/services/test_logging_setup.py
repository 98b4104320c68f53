"""Log output: JSON and readable formats, request ids, redaction of sensitive fields."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator

import msgspec
import pytest

from services.logging_setup import (
    HANDLER_NAME,
    REDACTED,
    REQUEST_ID,
    JsonFormatter,
    ReadableFormatter,
    build_handler,
    configure_logging,
    is_sensitive_name,
)
from topicsflow.settings import Profile, Settings


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """A production handler on a private logger, writing into the returned buffer."""
    stream = io.StringIO()
    handler = build_handler(Settings(profile=Profile.PRODUCTION), stream)
    logger = logging.getLogger("tests.logging_setup")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


LOGGER = logging.getLogger("tests.logging_setup")


def test_json_lines_carry_the_core_fields_and_extras(output: io.StringIO) -> None:
    LOGGER.info("hello %s", "world", extra={"user_id": "u1", "count": 3})
    [record] = records(output)
    assert record["level"] == "INFO"
    assert record["logger"] == "tests.logging_setup"
    assert record["message"] == "hello world"
    assert str(record["timestamp"]).endswith("Z") and "T" in str(record["timestamp"])
    assert (record["user_id"], record["count"]) == ("u1", 3)
    assert "request_id" not in record and "exc_info" not in record


def test_the_request_id_of_the_current_context_is_included(output: io.StringIO) -> None:
    token = REQUEST_ID.set("abc-123")
    try:
        LOGGER.warning("inside a request")
    finally:
        REQUEST_ID.reset(token)
    LOGGER.warning("outside")
    inside, outside = records(output)
    assert inside["request_id"] == "abc-123"
    assert "request_id" not in outside


def test_exceptions_are_rendered_as_a_string_field(output: io.StringIO) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        LOGGER.exception("failed")
    [record] = records(output)
    assert isinstance(record["exc_info"], str)
    assert "Traceback" in record["exc_info"] and "RuntimeError: boom" in record["exc_info"]


@dataclasses.dataclass
class Account:
    name: str
    password_hash: str


class Login(msgspec.Struct):
    username: str
    totp: str


def test_sensitive_extra_fields_are_redacted_at_any_depth(output: io.StringIO) -> None:
    details = {"password": "hunter2", "profile": {"name": "ann", "backup_codes": ["c1"]}}
    LOGGER.info(
        "login",
        extra={
            "details": details,
            "accessToken": "t0k3n",
            "Authorization": "Bearer xyz",
            "cookie": "topicsflow_session=s3ss",
            "account": Account("ann", "argon2-hash"),
            "login": Login("ann", "123456"),
            "attempts": [{"code": "999999"}],
            "status": 200,
        },
    )
    text = output.getvalue()
    for secret in ("hunter2", "c1", "t0k3n", "xyz", "s3ss", "argon2-hash", "123456", "999999"):
        assert secret not in text
    [record] = records(output)
    assert record["details"] == {"password": REDACTED, "profile": {"name": "ann",
                                                                   "backup_codes": REDACTED}}
    assert record["accessToken"] == REDACTED and record["Authorization"] == REDACTED
    assert record["account"] == {"name": "ann", "password_hash": REDACTED}
    assert record["login"] == {"username": "ann", "totp": REDACTED}
    assert record["status"] == 200
    assert details["password"] == "hunter2", "the caller's objects are not modified"


def test_values_msgspec_cannot_represent_do_not_break_logging(output: io.StringIO) -> None:
    LOGGER.info("odd", extra={"by_pair": {(1, 2): "x"}, "thing": object()})
    [record] = records(output)
    assert record["by_pair"] == "[unloggable]"
    assert str(record["thing"]).startswith("<object object")


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("password", True), ("new_password", True), ("accessToken", True),
        ("refresh-token", True), ("client_secret", True), ("Authorization", True),
        ("set-cookie", True), ("totp", True), ("code", True), ("backup_codes", True),
        ("api_key", True), ("X-Api-Key", True), ("otp", True), ("pin", True),
        ("user_id", False), ("status", False), ("path", False), ("encoding", False),
        ("postcode_area", False), ("monkey", False), ("keyboard", False),
    ],
)
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert is_sensitive_name(name) is sensitive


def test_readable_lines_for_development() -> None:
    stream = io.StringIO()
    handler = build_handler(Settings(profile=Profile.DEVELOPMENT), stream)
    assert isinstance(handler.formatter, ReadableFormatter)
    record = logging.LogRecord("probe", logging.ERROR, __file__, 1, "oops %d", (7,), None)
    record.route = "/x"
    record.password = "hunter2"
    token = REQUEST_ID.set("req-9")
    try:
        handler.handle(record)
    finally:
        REQUEST_ID.reset(token)
    line = stream.getvalue().strip()
    assert line.endswith(' ERROR probe [req-9] oops 7 route="/x" password="[redacted]"')


def test_profiles_choose_the_format() -> None:
    for profile, formatter in [
        (Profile.PRODUCTION, JsonFormatter),
        (Profile.DEVELOPMENT, ReadableFormatter),
        (Profile.TESTING, ReadableFormatter),
    ]:
        assert isinstance(build_handler(Settings(profile=profile)).formatter, formatter)


def test_configure_logging_replaces_its_own_handler_only() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        stream = io.StringIO()
        configure_logging(Settings(log_level="DEBUG"), stream)
        configure_logging(Settings(profile=Profile.PRODUCTION, log_level="WARNING"), stream)
        ours = [handler for handler in root.handlers if handler.get_name() == HANDLER_NAME]
        assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
        assert root.level == logging.WARNING
        assert all(handler in root.handlers for handler in saved_handlers)
        logging.getLogger("tests.anything").warning("through the root")
        assert json.loads(stream.getvalue())["message"] == "through the root"
    finally:
        for handler in list(root.handlers):
            if handler not in saved_handlers:
                root.removeHandler(handler)
        root.setLevel(saved_level)
