"""Who a text addresses: ``@username`` mentions and ``@here`` (chat messages, posts,
comments).

A mention is ``@`` followed by a username (3 to 32 letters, digits, ``_``, ``.``, ``-``;
see :mod:`services.accounts.identity_rules`) and not preceded by a word character, so an
email address is not a mention.  ``@here`` is never a username mention.  A mention ending
in ``.`` or ``-`` (``hi @bob.``) is also tried without them.
"""

from __future__ import annotations

import re

import msgspec

MAX_MENTIONS = 20
"""Usernames looked up per item (message, post, comment) at most; further mentions are
ignored."""
HERE = "here"

_MENTION = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})")


class Mentions(msgspec.Struct, frozen=True, kw_only=True):
    """What a message addresses: candidate usernames in order, and whether ``@here``."""

    usernames: tuple[str, ...] = ()
    here: bool = False


def may_mention(text: str) -> bool:
    """Cheap pre-check: False when ``text`` cannot contain a mention."""
    return "@" in text


def find_mentions(text: str) -> Mentions:
    """The usernames ``text`` mentions (each at most once) and whether it says ``@here``."""
    usernames: dict[str, None] = {}
    here = False
    for match in _MENTION.finditer(text):
        name = match.group(1)
        trimmed = name.rstrip(".-")
        if trimmed.casefold() == HERE:
            here = True
            continue
        usernames.setdefault(name, None)
        if trimmed != name and len(trimmed) >= 3:
            usernames.setdefault(trimmed, None)
        if len(usernames) >= MAX_MENTIONS:
            break
    return Mentions(usernames=tuple(usernames)[:MAX_MENTIONS], here=here)
