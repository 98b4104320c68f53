"""The mails of the account-security flows: login codes, exports, deletion.

Subjects never carry a secret (development nodes log subjects and links); a login code
is only in the body.
"""

from __future__ import annotations

from services.email import EmailMessage


def login_code_email(to: str, username: str, code: str, minutes: int) -> EmailMessage:
    """The one-time code that completes a login (or a step-up)."""
    body = (
        f"Hello {username},\n\n"
        f"Your TopicsFlow login code is {code}. It works once, for {minutes} minutes.\n\n"
        "If you did not try to log in, someone knows your password: change it now.\n"
    )
    return EmailMessage(to=to, subject="Your TopicsFlow login code", body=body)


def export_ready_email(to: str, username: str, link: str, hours: int) -> EmailMessage:
    """The signed, single-use link to a finished data export."""
    body = (
        f"Hello {username},\n\n"
        "The archive of your TopicsFlow data is ready. Download it here (the link works\n"
        f"once, for {hours} hours):\n\n{link}\n"
    )
    return EmailMessage(
        to=to, subject="Your TopicsFlow data export is ready", body=body, links=(link,)
    )


def deletion_scheduled_email(to: str, username: str, days: int) -> EmailMessage:
    """The deletion was asked for: it happens after the grace period unless cancelled."""
    body = (
        f"Hello {username},\n\n"
        f"Your TopicsFlow account will be deleted in {days} days. Log in and cancel the\n"
        "deletion before then to keep it. If you did not ask for this, change your\n"
        "password and cancel the deletion now.\n"
    )
    return EmailMessage(to=to, subject="Your TopicsFlow account will be deleted", body=body)


def deletion_done_email(to: str, username: str) -> EmailMessage:
    """The last mail to a deleted account's address."""
    body = (
        f"Hello {username},\n\n"
        "Your TopicsFlow account has been deleted as you asked. What you wrote in public\n"
        "places stays, shown as written by a deleted user.\n"
    )
    return EmailMessage(to=to, subject="Your TopicsFlow account was deleted", body=body)
