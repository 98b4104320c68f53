"""Frames stored under an earlier revision, read back under the current one.

Sequenced events are kept in channel logs as the JSON of their frame and replayed from
there, so rows written before revision 2 (issue 22) still name a snapshot's own id
``message_id`` / ``post_id`` / ``comment_id`` and ``kicked``'s end ``banned_until``.
:func:`upgrade_stored_frame` renames those fields in place before the frame is decoded;
rows already in the current shape pass unchanged. Timestamps on the wire were integer
milliseconds in revision 1 too, so no value changes.
"""

from __future__ import annotations

from typing import Any, Final

_OWN_IDS: Final = (("message", "message_id"), ("post", "post_id"), ("comment", "comment_id"))
"""Each snapshot field of an event, and the name its own id had in revision 1."""


def upgrade_stored_frame(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` of a stored frame (with its ``type``) in the current revision's shape."""
    for key, old in _OWN_IDS:
        payload = fields.get(key)
        if isinstance(payload, dict) and old in payload and "id" not in payload:
            payload["id"] = payload.pop(old)
    if fields.get("type") == "kicked" and "banned_until" in fields:
        fields["ban_expires_at"] = fields.pop("banned_until")
    return fields
