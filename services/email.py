"""Email delivery: SMTP, SendGrid's HTTP API, and an in-memory outbox.

Contract:

* A :class:`Mailer` has one method, ``send(message)``, which returns once the provider
  accepted the message and raises :class:`EmailDeliveryError` otherwise.  Callers treat a
  failure as "tell the user to retry", never as a crash.
* :class:`OutboxMailer` (development and testing) keeps the last ``capacity`` messages in
  memory, where tests read them; it never sends anything anywhere.  In the development
  profile :class:`DevelopmentMailer` also logs each message's links and serves the outbox
  at ``/dev/outbox``, whatever the backend.
* :class:`SmtpMailer` runs stdlib ``smtplib`` in a worker thread under a limiter;
  :class:`SendGridMailer` posts to SendGrid's v3 API with httpx and a timeout.
* Messages come from :mod:`services.email_templates`; user-supplied text inside them is
  plain text, never HTML.
"""

from __future__ import annotations

import collections
import dataclasses
import email.message
import logging
import smtplib
import ssl
from typing import Protocol

import httpx
import trio

SENDGRID_URL = "https://api.sendgrid.com/v3/mail/send"
development_logger = logging.getLogger("topicsflow.dev_mail")


class EmailDeliveryError(Exception):
    """The provider refused the message or could not be reached."""


@dataclasses.dataclass(frozen=True, slots=True)
class EmailMessage:
    """One outgoing plain-text message."""

    to: str
    subject: str
    body: str
    links: tuple[str, ...] = ()
    """The actionable links the body carries (verification, reset), for the development
    outbox and log; never sent as anything but the body's text."""


class Mailer(Protocol):
    """Something that delivers :class:`EmailMessage`; see the module docstring."""

    async def send(self, message: EmailMessage) -> None: ...


class OutboxMailer:
    """Keeps the newest ``capacity`` messages in memory instead of sending them."""

    def __init__(self, capacity: int = 1000) -> None:
        self.messages: collections.deque[EmailMessage] = collections.deque(maxlen=capacity)

    async def send(self, message: EmailMessage) -> None:
        self.messages.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages sent to ``address``, oldest first."""
        return [message for message in self.messages if message.to == address]


class DevelopmentMailer(OutboxMailer):
    """The development profile's mailer: every message is kept in the outbox (served at
    ``/dev/outbox``) and logged with its links, then handed to ``delegate`` when a real
    backend is configured.  Never used in production: links carry single-use secrets."""

    def __init__(self, delegate: Mailer | None = None, capacity: int = 1000) -> None:
        super().__init__(capacity)
        self._delegate = delegate

    async def send(self, message: EmailMessage) -> None:
        self.messages.append(message)
        development_logger.info(
            "mail to %s: %s%s", message.to, message.subject,
            "".join(f"\n    {link}" for link in message.links),
        )
        if self._delegate is not None:
            await self._delegate.send(message)


@dataclasses.dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to submit mail over SMTP."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    starttls: bool = True
    timeout_seconds: float = 15.0


class SmtpMailer:
    """Submits mail over SMTP from worker threads, at most ``concurrency`` at once."""

    def __init__(self, config: SmtpConfig, sender: str, concurrency: int = 2) -> None:
        self._config = config
        self._sender = sender
        self._limiter = trio.CapacityLimiter(concurrency)

    async def send(self, message: EmailMessage) -> None:
        await trio.to_thread.run_sync(self._send_sync, message, limiter=self._limiter)

    def _send_sync(self, message: EmailMessage) -> None:
        mime = email.message.EmailMessage()
        mime["From"] = self._sender
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime.set_content(message.body)
        config = self._config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.username and config.password:
                    smtp.login(config.username, config.password)
                smtp.send_message(mime)
        except (OSError, smtplib.SMTPException) as error:
            raise EmailDeliveryError(f"SMTP delivery failed: {type(error).__name__}") from error


class SendGridMailer:
    """Sends mail through SendGrid's v3 HTTP API."""

    def __init__(
        self, api_key: str, sender: str, *, client: httpx.AsyncClient | None = None,
        url: str = SENDGRID_URL,
    ) -> None:
        self._api_key = api_key
        self._sender = sender
        self._client = client or httpx.AsyncClient(timeout=15.0)
        self._url = url

    async def send(self, message: EmailMessage) -> None:
        payload = {
            "personalizations": [{"to": [{"email": message.to}]}],
            "from": {"email": self._sender},
            "subject": message.subject,
            "content": [{"type": "text/plain", "value": message.body}],
        }
        try:
            response = await self._client.post(
                self._url, json=payload, headers={"Authorization": f"Bearer {self._api_key}"}
            )
        except httpx.HTTPError as error:
            raise EmailDeliveryError(f"SendGrid unreachable: {type(error).__name__}") from error
        if response.status_code >= 300:
            raise EmailDeliveryError(f"SendGrid refused the message: {response.status_code}")

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def build_mailer(
    backend: str,
    *,
    sender: str,
    smtp: SmtpConfig | None = None,
    sendgrid_api_key: str | None = None,
    development: bool = False,
) -> Mailer:
    """The mailer for ``backend`` (``outbox``, ``smtp`` or ``sendgrid``), wrapped in a
    :class:`DevelopmentMailer` when ``development``."""
    if development:
        delegate = None if backend == "outbox" else build_mailer(
            backend, sender=sender, smtp=smtp, sendgrid_api_key=sendgrid_api_key
        )
        return DevelopmentMailer(delegate)
    if backend == "smtp":
        if smtp is None:
            raise ValueError("the smtp backend needs an SmtpConfig")
        return SmtpMailer(smtp, sender)
    if backend == "sendgrid":
        if not sendgrid_api_key:
            raise ValueError("the sendgrid backend needs an API key")
        return SendGridMailer(sendgrid_api_key, sender)
    return OutboxMailer()
