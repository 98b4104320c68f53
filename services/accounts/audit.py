"""The login audit: what each user can see (and export) of how their account was used.

Contract:

* Every new session (:func:`services.accounts.sessions.open_session`) records a
  ``login`` event with its public session id, the method (``password``, ``two_factor``,
  ``email_code``, ``passkey``, ``bot``), the client's address and user agent.
* A step-up (:mod:`services.accounts.step_up`) records ``step_up`` with the session it
  refreshed; changes of credentials record their own kinds (``passkey_added``,
  ``passkey_removed``, ``email_codes_on``, ``email_codes_off``, ``email_changed``,
  ``deletion_requested``, ``deletion_cancelled``, ``export_requested``).
* Nothing secret is ever recorded: no password, code, token or challenge.
* Without security stores (bare unit-test services) nothing is recorded.
"""

from __future__ import annotations

from services.accounts.context import AccountServices, ClientInfo

LOGIN = "login"
STEP_UP = "step_up"
USER_AGENT_MAX_LENGTH = 200


async def record_event(
    services: AccountServices,
    user_id: str,
    kind: str,
    *,
    method: str = "",
    session_id: str = "",
    client: ClientInfo | None = None,
) -> None:
    """Append one line to ``user_id``'s audit (see the module docstring)."""
    if services.security is None:
        return
    await services.security.events.append(
        user_id=user_id,
        kind=kind,
        method=method,
        session_id=session_id,
        ip_address=client.address if client is not None else "",
        user_agent=client.user_agent[:USER_AGENT_MAX_LENGTH] if client is not None else "",
    )
