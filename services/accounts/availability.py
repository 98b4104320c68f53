"""Whether a username can still be taken, for sign-up forms.

Contract: :func:`username_availability` answers from the username alone (it never takes
an email address, so it tells nothing about registered addresses), after spending one
attempt of the client's address (:data:`CHECKS_PER_CLIENT`).  A name that breaks the
rules or is reserved answers ``available: false`` with the ``problem``.
"""

from __future__ import annotations

import dataclasses

from services.accounts.context import AccountServices
from services.accounts.identity_rules import username_problem
from services.accounts.throttle import Limit, spend_attempt

CHECKS_PER_CLIENT = Limit(60, 600.0)


@dataclasses.dataclass(frozen=True, slots=True)
class Availability:
    """The answer: ``available``, or why not (``problem`` is None when merely taken)."""

    username: str
    available: bool
    problem: str | None = None


async def username_availability(
    services: AccountServices, username: str, client_address: str
) -> Availability:
    """See the module docstring."""
    await spend_attempt(
        services.limiter, f"username-check:{client_address}", CHECKS_PER_CLIENT, "name checks"
    )
    problem = username_problem(username)
    if problem is not None:
        return Availability(username=username, available=False, problem=problem)
    taken = await services.users.find_by_username(username) is not None
    return Availability(username=username, available=not taken)
