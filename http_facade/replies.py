"""Bodies of replies that carry no resource: shared by every blueprint."""

from __future__ import annotations

from typing import Literal

import msgspec


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    """The request was taken; what happens next is told by email (or not at all)."""

    status: Literal["accepted"] = "accepted"
    message: str


class Done(msgspec.Struct, frozen=True, kw_only=True):
    """The request took effect."""

    status: Literal["ok"] = "ok"
    message: str
