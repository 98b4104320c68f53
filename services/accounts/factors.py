"""Which second factors an account has, and the preference that turns email codes on.

A login asks for a second factor when TOTP is on or email codes are on; such a challenge
can then be completed with any method the account has (:func:`second_factor_methods`):
a TOTP or backup code, an emailed code (when on) or one of its passkeys.  A passkey
alone (discoverable, user-verified) is a whole login by itself.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from storage.records import User

Factor: TypeAlias = Literal["totp", "email_code", "passkey"]

EMAIL_CODES_KEY = "email_codes"
"""The reserved preference that turns emailed login codes on (True) for an account."""


def email_codes_on(user: User) -> bool:
    """Whether ``user`` turned emailed codes on as a second factor."""
    return user.preferences.get(EMAIL_CODES_KEY) is True


def needs_second_factor(user: User) -> bool:
    """Whether a right password must be followed by a second factor."""
    return user.totp_secret is not None or email_codes_on(user)


def second_factor_methods(user: User, passkey_count: int) -> list[Factor]:
    """The methods that complete ``user``'s login challenge, in a stable order."""
    methods: list[Factor] = []
    if user.totp_secret is not None:
        methods.append("totp")
    if email_codes_on(user):
        methods.append("email_code")
    if passkey_count:
        methods.append("passkey")
    return methods
