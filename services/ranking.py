"""How posts are ranked: the ``new``, ``old``, ``top`` and ``hot`` orders.

* ``new`` / ``old`` — by creation (ids are time-sortable), newest or oldest first.
* ``top`` — by ``score = upvotes - downvotes``, ties newest first.
* ``hot`` — votes with time decay, the formula Reddit published::

      hot = sign(score) * log10(max(|score|, 1)) + (created_at - EPOCH) / PERIOD

  with ``EPOCH`` = 1,700,000,000 s and ``PERIOD`` = 45,000 s (12.5 hours).  The first
  term is logarithmic: the first 10 votes count as much as the next 90.  The second
  grows with the post's creation time, so a post ``PERIOD`` seconds younger than
  another outranks it unless the older one has 10 times the score.  Ranks never change
  with the passage of time itself (only votes move them), so they can be stored and
  indexed: the stores recompute ``hot`` on every vote, and listing is a plain sort.

The stores apply :func:`hot_rank` (``storage.rules.hot_score``); this module documents
it and answers "how many votes is an age gap worth".
"""

from __future__ import annotations

from storage.rules import HOT_EPOCH, HOT_PERIOD, hot_score

__all__ = ["HOT_EPOCH", "HOT_PERIOD", "hot_rank", "score_worth_of_age"]


def hot_rank(score: int, created_at: float) -> float:
    """The ``hot`` rank of a post with ``score`` created at ``created_at`` (epoch s)."""
    return hot_score(score, created_at)


def score_worth_of_age(seconds: float) -> float:
    """The score factor an older post needs to tie a post ``seconds`` younger."""
    return float(10 ** (seconds / HOT_PERIOD))
