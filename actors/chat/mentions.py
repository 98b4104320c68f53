"""Who a chat message addresses: ``@username`` mentions and ``@here``.

The parser is shared with the community domain's post and comment mentions, so it lives
in :mod:`services.mentions`; this module keeps the chat domain's names for it.
"""

from __future__ import annotations

from services.mentions import HERE, MAX_MENTIONS, Mentions, find_mentions, may_mention

__all__ = ["HERE", "MAX_MENTIONS", "Mentions", "find_mentions", "may_mention"]
