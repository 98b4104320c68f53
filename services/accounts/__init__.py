"""Accounts: registration, login with an optional second factor, sessions, recovery.

The logic of ``/api/auth`` lives here, free of HTTP; the handlers validate, call one
function and shape the answer.  Every function takes an :class:`AccountServices` (the
stores, the password hasher, the shared rate limiter, the email scheduler and the live
connections) and raises :class:`services.errors.DomainError` to refuse.

Modules: :mod:`.registration` (sign-up, email verification), :mod:`.login` (password,
two-factor challenge), :mod:`.sessions` (open, list, revoke), :mod:`.recovery` (reset,
change), :mod:`.two_factor` (TOTP enrolment, backup codes), :mod:`.credentials` (the
checks of secrets), :mod:`.throttle` (attempt counters).
"""

from services.accounts.context import AccountServices, ClientInfo, EmailSender, LiveConnections

__all__ = ["AccountServices", "ClientInfo", "EmailSender", "LiveConnections"]
