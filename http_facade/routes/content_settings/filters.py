"""The caller's content settings as the list routes pass them to the store.

``/api/topics`` leaves out the hidden topics; ``/api/posts`` (a topic's posts),
``/api/posts/recent`` and a post's comments leave out what hidden users signed (not
anonymous content: hiding must not reveal an alias), and the recent feed also leaves
out the hidden topics.  The store filters before paging (``storage.protocols.social``).
"""

from __future__ import annotations

from http_facade.node_access import store

MAX_HIDDEN = 500
"""How many topics and users, together, one user may hide."""


async def hidden_topics(user_id: str) -> list[str]:
    """The ids of the topics ``user_id`` hid."""
    return await store().hidden.hidden_ids(user_id, "topic", limit=MAX_HIDDEN)


async def hidden_users(user_id: str) -> list[str]:
    """The ids of the users ``user_id`` hid."""
    return await store().hidden.hidden_ids(user_id, "user", limit=MAX_HIDDEN)
