"""The messages TopicsFlow sends by email, as plain text.

Each function returns an :class:`~services.email.EmailMessage`.  Links are built from the
node's public URL and a token that is only ever sent here (its digest is what is stored).
"""

from __future__ import annotations

from urllib.parse import quote

from services.email import EmailMessage


def verification_email(to: str, username: str, public_url: str, token: str) -> EmailMessage:
    """Asks a new user to confirm their address."""
    link = f"{public_url.rstrip('/')}/verify-email?token={quote(token)}"
    body = (
        f"Hello {username},\n\n"
        "Please confirm your email address for TopicsFlow by opening this link:\n\n"
        f"{link}\n\n"
        "If you did not create an account, ignore this message.\n"
    )
    return EmailMessage(
        to=to, subject="Confirm your TopicsFlow email address", body=body, links=(link,)
    )


def password_reset_email(to: str, username: str, public_url: str, token: str) -> EmailMessage:
    """Carries a single-use, expiring password reset link."""
    link = f"{public_url.rstrip('/')}/reset-password?token={quote(token)}"
    body = (
        f"Hello {username},\n\n"
        "Someone asked to reset the password of your TopicsFlow account. To choose a new\n"
        f"password, open this link (it works once and expires soon):\n\n{link}\n\n"
        "If it was not you, ignore this message; your password stays as it is.\n"
    )
    return EmailMessage(
        to=to, subject="Reset your TopicsFlow password", body=body, links=(link,)
    )


def security_notice_email(to: str, username: str, event: str) -> EmailMessage:
    """Tells a user that something security-relevant happened to their account."""
    body = (
        f"Hello {username},\n\n"
        f"This is a notice that the following happened to your TopicsFlow account: {event}.\n\n"
        "If this was you, there is nothing to do. If not, reset your password at once.\n"
    )
    return EmailMessage(to=to, subject="TopicsFlow security notice", body=body)


def registration_attempt_email(to: str, username: str, public_url: str) -> EmailMessage:
    """Tells the owner of an address that someone tried to register it again.

    Sent instead of a verification link, so that registering answers the same whether
    or not the address already has an account.
    """
    body = (
        f"Hello {username},\n\n"
        "Someone tried to create a new TopicsFlow account with this email address, which\n"
        "already belongs to your account. No new account was created.\n\n"
        f"If it was you, log in at {public_url.rstrip('/')} or reset your password there.\n"
        "If it was not you, there is nothing to do.\n"
    )
    return EmailMessage(to=to, subject="Your TopicsFlow account already exists", body=body)
