"""What a notification keeps once the content it quotes is deleted."""

from __future__ import annotations

import msgspec

from storage.records import Notification


def redacted(notification: Notification, title: str | None = None) -> Notification:
    """``notification`` with its quoted text (``data.body``) emptied and, when ``title`` is
    given, its title replaced; kind, links and read state stay."""
    data = dict(notification.data)
    if data.get("body"):
        data["body"] = ""
    if title is not None and "title" in data:
        data["title"] = title
    if data == notification.data:
        return notification
    return msgspec.structs.replace(notification, data=data)
