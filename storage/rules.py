"""Domain rules both backends apply identically: ranking, trees, votes, report states."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from storage.keys import fold
from storage.records import Comment, CommentSort, ReportState, VoteValue

if TYPE_CHECKING:
    from storage.records import Edit

HOT_EPOCH = 1_700_000_000.0
HOT_PERIOD = 45_000.0
MAX_PAGE = 1000
EDIT_HISTORY_LIMIT = 50

REPORT_SOURCES: dict[ReportState, frozenset[ReportState]] = {
    "open": frozenset({"resolved", "dismissed"}),
    "reviewing": frozenset({"open"}),
    "resolved": frozenset({"open", "reviewing"}),
    "dismissed": frozenset({"open", "reviewing"}),
}
"""For each target state, the states a report may move from."""


def hot_score(score: int, created_at: float) -> float:
    """Reddit-style hot rank: log-damped score plus a bonus growing with creation time."""
    order = math.log10(max(abs(score), 1))
    sign = (score > 0) - (score < 0)
    return round(sign * order + (created_at - HOT_EPOCH) / HOT_PERIOD, 7)


def vote_deltas(old: int, new: VoteValue) -> tuple[int, int, int]:
    """(score, upvotes, downvotes) increments for a vote moving from ``old`` to ``new``."""
    return new - old, int(new == 1) - int(old == 1), int(new == -1) - int(old == -1)


def check_vote(value: int) -> VoteValue:
    """Validate a vote value (ValueError otherwise)."""
    if value == 1:
        return 1
    if value == -1:
        return -1
    if value == 0:
        return 0
    raise ValueError(f"a vote is -1, 0 or 1, not {value!r}")


def page_limit(limit: int) -> int:
    """Validate a page size: 1..MAX_PAGE (ValueError otherwise)."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be within 1..{MAX_PAGE}, not {limit}")
    return limit


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Folded, stripped, de-duplicated tags in first-seen order."""
    seen: dict[str, None] = {}
    for tag in tags:
        key = fold(tag.strip())
        if key:
            seen[key] = None
    return tuple(seen)


def push_edit(history: Sequence[Edit], edit: Edit) -> tuple[Edit, ...]:
    """Append ``edit`` keeping the newest :data:`EDIT_HISTORY_LIMIT` versions."""
    return (*history, edit)[-EDIT_HISTORY_LIMIT:]


def _sibling_key(sort: CommentSort) -> Callable[[Comment], tuple[int, str]]:
    if sort == "top":
        return lambda comment: (comment.score, comment.id)
    return lambda comment: (0, comment.id)


def arrange_tree(comments: Iterable[Comment], sort: CommentSort) -> list[Comment]:
    """Flatten comments depth-first, siblings by ``sort``; orphans are dropped."""
    children: dict[str | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    key = _sibling_key(sort)
    for siblings in children.values():
        siblings.sort(key=key, reverse=sort != "old")
    ordered: list[Comment] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.id, [])))
    return ordered


def check_preferences(changes: dict[str, object]) -> None:
    """Preference names are non-empty and free of ``.`` and a leading ``$`` (ValueError)."""
    for key in changes:
        if not key or "." in key or key.startswith("$"):
            raise ValueError(f"invalid preference name {key!r}")


def check_emoji(emoji: str) -> str:
    """A reaction is 1..32 characters (ValueError otherwise)."""
    if not 1 <= len(emoji) <= 32:
        raise ValueError("a reaction is 1 to 32 characters")
    return emoji
