"""Request and response bodies of ``/api/content-settings``."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from protocol.fields import milliseconds
from storage.records.social import HiddenItem


class HiddenItemQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of what I hid (topics, users or both), newest first."""

    kind: Literal["topic", "user"] | None = None
    cursor: CursorText | None = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50


class HiddenItemView(msgspec.Struct, frozen=True, kw_only=True):
    """A topic or user I hid; ``label`` is its title or username ("" once it is gone)."""

    id: str
    kind: Literal["topic", "user"]
    target_id: str
    label: str
    created_at: int

    @classmethod
    def of(cls, item: HiddenItem, label: str) -> HiddenItemView:
        return cls(
            id=item.id,
            kind=item.kind,
            target_id=item.target_id,
            label=label,
            created_at=milliseconds(item.created_at),
        )


class HiddenItemPage(msgspec.Struct, frozen=True, kw_only=True):
    """What I hid; ``next_cursor`` pages on (None at the end)."""

    items: list[HiddenItemView]
    next_cursor: str | None
