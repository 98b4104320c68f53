"""The content filter at the REST edge: names chosen by users, and free text.

Names (usernames, topic titles, room names) are identities shown everywhere, so any
match of a rule — reject, flag or mask — refuses the name with 400 ``invalid`` rather
than storing a masked or flagged one.  Other text (descriptions) is screened like a
message: rejected, or stored masked.
"""

from __future__ import annotations

from http_facade.context import current_context
from protocol.errors import ErrorCode
from services.content_filter import ContentFilter
from services.content_screening import screen
from services.errors import DomainError


def _filter() -> ContentFilter:
    return current_context().content_filter or ContentFilter.from_rules()


def screen_name(name: str, what: str = "name") -> str:
    """``name`` unchanged when no rule matches it; 400 ``invalid`` otherwise."""
    verdict = _filter().check(name, context="name")
    if verdict.action != "allow":
        raise DomainError(ErrorCode.INVALID, f"this {what} is not allowed")
    return name


def screen_description(text: str) -> str:
    """``text`` as it may be stored (masked where a mask rule matched)."""
    return screen(_filter(), text, "message").text
