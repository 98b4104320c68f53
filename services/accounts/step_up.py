"""Step-up: sensitive actions need an authentication made within the last window.

Contract:

* :func:`require_recent_authentication` passes when the session making the request was
  opened (a ``login`` event) or confirmed (a ``step_up`` event) at most
  :data:`STEP_UP_WINDOW_SECONDS` ago by ``services.clock``; otherwise it refuses with
  :class:`StepUpRequired` (403 ``forbidden`` with ``reauthenticate: true``).
* :func:`step_up_with_password` confirms the session with the password, plus a TOTP or
  backup code when TOTP is on; a user-verified passkey assertion confirms it alone
  (:mod:`services.accounts.passkey_login`).  Each check spends the attempts of its kind.
* Sensitive actions: changing the email address or the password, turning second
  factors on or off (TOTP, backup codes, emailed codes, passkeys), creating tokens,
  exporting data and deleting the account.
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.audit import LOGIN, STEP_UP, record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.credentials import check_password, second_factor_matches
from services.errors import DomainError

STEP_UP_WINDOW_SECONDS = 600.0


class StepUpRequired(DomainError):
    """403 ``forbidden`` with ``reauthenticate: true``: confirm it is you first."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.FORBIDDEN,
            "confirm it is you first (POST /api/auth/step-up), then try again",
            details={"reauthenticate": True},
        )


async def require_recent_authentication(
    services: AccountServices, user_id: str, session_id: str
) -> None:
    """Refuse with :class:`StepUpRequired` unless the session authenticated recently."""
    event = await services.secured().events.last_for_session(
        user_id, session_id, (LOGIN, STEP_UP)
    )
    if event is None or services.clock() - event.created_at > STEP_UP_WINDOW_SECONDS:
        raise StepUpRequired()


async def confirm_session(
    services: AccountServices, user_id: str, session_id: str, method: str, client: ClientInfo
) -> float:
    """Record that the session proved its user now; returns when the window closes."""
    await record_event(
        services, user_id, STEP_UP, method=method, session_id=session_id, client=client
    )
    return services.clock() + STEP_UP_WINDOW_SECONDS


async def step_up_with_password(
    services: AccountServices,
    *,
    user_id: str,
    session_id: str,
    password: str,
    code: str | None,
    client: ClientInfo,
) -> float:
    """Confirm the session with the password (and a code when TOTP is on)."""
    services.secured()
    user = await services.users.get(user_id)
    await check_password(services, user, password)
    if user.totp_secret is not None:
        if not code:
            raise DomainError(ErrorCode.FORBIDDEN, "a two-factor code is needed too")
        if not await second_factor_matches(services, user, code):
            raise DomainError(ErrorCode.FORBIDDEN, "the code is not correct")
        return await confirm_session(services, user_id, session_id, "two_factor", client)
    return await confirm_session(services, user_id, session_id, "password", client)
