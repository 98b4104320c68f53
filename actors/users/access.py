"""Who may read a user's own channel: the users domain's access rule.

``user:<id>`` carries that user's notifications (their feed).  Only its owner may
subscribe to it (:class:`actors.community.channels.UserChannels`) or mark it read
(:class:`actors.users.notification_reads.FeedReads`); admins are no exception.  A pure
function over the :class:`~services.principal.Principal`, like the other domains'
access rules (``actors/<domain>/access.py``).
"""

from __future__ import annotations

from services.principal import Principal


def owns_user_channel(principal: Principal, user_id: str) -> bool:
    """Whether ``principal`` may read ``user:<user_id>``: only that user."""
    return principal.user_id == user_id
