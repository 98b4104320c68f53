"""What a username and an email address must look like.

The REST schemas carry the same limits (so the OpenAPI document states them); these
checks are what the account flows rely on, whoever calls them.
"""

from __future__ import annotations

import re

USERNAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$"
USERNAME_MAX_LENGTH = 32
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 64
BIO_MAX_LENGTH = 1000

_USERNAME = re.compile(USERNAME_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)


TOMBSTONE_PREFIX = "deleted-"
"""Usernames of deleted accounts start with this; nobody else may take such a name."""


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot be used, or None."""
    if not _USERNAME.fullmatch(username):
        return (
            "a username is 3 to 32 letters, digits, '_', '.' or '-' "
            "and starts with a letter, digit or '_'"
        )
    if username.casefold().startswith(TOMBSTONE_PREFIX):
        return f"usernames starting with '{TOMBSTONE_PREFIX}' are reserved"
    return None


def email_problem(email: str) -> str | None:
    """Why ``email`` does not look like a deliverable address, or None."""
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(email):
        return "the email address is not valid"
    if any(not character.isprintable() for character in email):
        return "the email address is not valid"
    return None


def looks_like_email(identifier: str) -> bool:
    """Whether a login identifier names an email address rather than a username."""
    return "@" in identifier
