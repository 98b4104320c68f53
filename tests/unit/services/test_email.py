"""Email delivery: outbox, SendGrid (over a mock transport) and SMTP (over a real socket)."""

from __future__ import annotations

import json

import httpx
import pytest
import trio

from services.email import (
    EmailDeliveryError,
    EmailMessage,
    OutboxMailer,
    SendGridMailer,
    SmtpConfig,
    SmtpMailer,
)
from services.email_templates import password_reset_email, verification_email

MESSAGE = EmailMessage(to="alice@example.org", subject="Hi", body="Hello <b>Alice</b>\n")


async def test_outbox_keeps_the_newest_messages() -> None:
    outbox = OutboxMailer(capacity=2)
    for number in range(3):
        await outbox.send(EmailMessage(to="a@example.org", subject=str(number), body=""))
    assert [message.subject for message in outbox.to("a@example.org")] == ["1", "2"]


def test_templates_carry_the_link_with_the_escaped_token() -> None:
    message = verification_email("a@example.org", "alice", "https://tf.example/", "to+k/en")
    assert "https://tf.example/verify-email?token=to%2Bk/en" in message.body
    reset = password_reset_email("a@example.org", "alice", "https://tf.example", "t")
    assert "reset-password?token=t" in reset.body


async def test_sendgrid_posts_plain_text_with_the_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    mailer = SendGridMailer("SG.key", "noreply@tf.example", client=client)
    await mailer.send(MESSAGE)
    await mailer.aclose()
    assert seen[0].headers["Authorization"] == "Bearer SG.key"
    body = json.loads(seen[0].content)
    assert body["content"] == [{"type": "text/plain", "value": MESSAGE.body}]
    assert body["personalizations"][0]["to"] == [{"email": "alice@example.org"}]


async def test_sendgrid_refusal_is_a_delivery_error() -> None:
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(401)))
    with pytest.raises(EmailDeliveryError, match="401"):
        await SendGridMailer("bad", "noreply@tf.example", client=client).send(MESSAGE)


async def serve_one_smtp_session(
    listener: trio.SocketListener, received: list[bytes]
) -> None:
    """Speak just enough SMTP to accept one message."""
    stream = await listener.accept()
    async with stream:
        buffer = b""

        async def reply(line: bytes) -> None:
            await stream.send_all(line + b"\r\n")

        await reply(b"220 fake ESMTP")
        in_data = False
        while True:
            chunk = await stream.receive_some()
            if not chunk:
                return
            buffer += chunk
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                if in_data:
                    if line == b".":
                        in_data = False
                        await reply(b"250 queued")
                    else:
                        received.append(line)
                    continue
                verb = line[:4].upper()
                if verb == b"EHLO":
                    await reply(b"250 fake")
                elif verb == b"DATA":
                    in_data = True
                    await reply(b"354 go on")
                elif verb == b"QUIT":
                    await reply(b"221 bye")
                    return
                else:
                    await reply(b"250 ok")


async def test_smtp_submits_the_message_over_a_real_socket() -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    received: list[bytes] = []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(serve_one_smtp_session, listeners[0], received)
        mailer = SmtpMailer(SmtpConfig(host="127.0.0.1", port=port, starttls=False), "n@tf.example")
        await mailer.send(MESSAGE)
    text = b"\n".join(received).decode()
    assert "Subject: Hi" in text
    assert "To: alice@example.org" in text
    assert "Hello <b>Alice</b>" in text


async def test_smtp_unreachable_is_a_delivery_error() -> None:
    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    port = listeners[0].socket.getsockname()[1]
    await listeners[0].aclose()
    mailer = SmtpMailer(SmtpConfig(host="127.0.0.1", port=port, starttls=False), "n@tf.example")
    with pytest.raises(EmailDeliveryError, match="SMTP delivery failed"):
        await mailer.send(MESSAGE)
