"""Passwords, tokens, TOTP secrets and backup codes never reach the logs.

One documented exception: a development node logs each mail with its links, so the
single-use link tokens it mailed appear in ``topicsflow.dev_mail`` records (and only there).

The whole auth lifecycle runs with every logger at DEBUG (the storage drivers' command
logs included) and the access log on, and not one of the secrets the lifecycle used may
appear in any record the node wrote — in its message or in any of its extra fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.email import OutboxMailer
from tests.auth_support import AuthDriver
from tests.integration.api_token_flow import token_flow
from tests.integration.auth_flow import full_lifecycle
from tests.integration.auth_security_flow import security_flow
from tests.integration.node_support import BACKENDS, node_settings, run_node
from topicsflow.node import NodeHandle
from topicsflow.settings import Profile

# The test's own HTTP and WebSocket clients log what they receive (Set-Cookie included);
# they are not the node.
TEST_CLIENT_LOGGERS = ("httpx", "httpcore", "trio-websocket", "trio_websocket", "bots")
DEVELOPMENT_MAIL_LOGGER = "topicsflow.dev_mail"


@pytest.fixture(params=BACKENDS)
async def logged_node(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    unique_name: str,
    caplog: pytest.LogCaptureFixture,
) -> AsyncIterator[NodeHandle]:
    """A development-profile node (access log on) whose every log record is captured."""
    caplog.set_level(logging.DEBUG)
    settings = node_settings(request, tmp_path, unique_name, profile=Profile.DEVELOPMENT)
    access_log = logging.getLogger("hypercorn.access")
    async for handle in run_node(settings):
        # Hypercorn's access logger writes to stdout and does not propagate: listen too.
        access_log.addHandler(caplog.handler)
        try:
            yield handle
        finally:
            access_log.removeHandler(caplog.handler)


async def test_no_secret_is_logged(
    logged_node: NodeHandle, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(logged_node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=logged_node.base_url) as client:
        driver = AuthDriver(client, logged_node.context.mailer)
        secrets = await full_lifecycle(logged_node, driver)
        # Passkey challenges and signatures, emailed codes, export link signatures too.
        secrets += await security_flow(logged_node, driver)
        # Personal access tokens: created, used on REST and the WebSocket, revoked.
        secrets += await token_flow(logged_node, driver)
    text = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''} "
        + " ".join(str(value) for value in vars(record).values())
        for record in caplog.records
        if not record.name.startswith((*TEST_CLIENT_LOGGERS, DEVELOPMENT_MAIL_LOGGER))
    )
    # The development profile logs mails with their links on purpose (docs/AUTH.md): those
    # records may carry the mailed link tokens and nothing else of the secrets.
    mailed = {
        re.split("token=|signature=", link, maxsplit=1)[1]
        for message in logged_node.context.mailer.messages for link in message.links
    }
    mail_log = [record.getMessage() for record in caplog.records
                if record.name == DEVELOPMENT_MAIL_LOGGER]
    assert mailed and mail_log
    assert [line for line in mail_log
            if any(secret in line for secret in secrets if secret not in mailed)] == []
    assert "/api/auth/login" in text, "the access log was not captured"
    assert len(secrets) >= 20
    leaked = [line for line in text.splitlines() if any(secret in line for secret in secrets)]
    assert leaked == []
