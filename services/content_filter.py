"""The content filter: what happens to a post, comment, message or name before it is stored.

Contract:

* :meth:`ContentFilter.from_rules` compiles :class:`~topicsflow.content_rules.ContentRules`
  once; :meth:`ContentFilter.check` returns a :class:`Verdict` for one text in one context.
  The filter is immutable, holds no per-call state and may be shared by every actor.
* Matching is done on the normalised copy of :mod:`topicsflow.content_text` (case, spacing
  and punctuation between single letters, leetspeak, look-alike and invisible characters),
  on whole words: "spam" matches "SPAM", "s p a m", "5p4m" but not "spammer", which
  "spam*" matches.  Occurrences inside an ``allow`` word are ignored.
* The strongest action among the rules that matched wins: reject > flag > mask > allow.
  ``Verdict.text`` is the text to store: the original with every occurrence of a ``mask``
  rule replaced by as many ``*`` as it had characters (code points), every other character
  verbatim; ``flag`` rules mark the text for review but leave their words visible.  For
  ``reject`` the text is returned unchanged (it is refused, not stored); for ``allow`` it
  is the very same string.  ``Verdict.matched`` names the rules that matched, in rule
  order; it never holds the user's text, so it is safe to log.
* One check is linear in the length of the text plus the number of occurrences found, and
  user text is never interpreted as a pattern (see :mod:`topicsflow.content_rules` for why
  rules are literal words).
"""

from __future__ import annotations

import dataclasses
import types
from array import array
from collections.abc import Iterator
from typing import Literal

from services.content_matcher import KeywordMatcher
from topicsflow.content_rules import DEFAULT_CONTENT_RULES, ContentRules, Context
from topicsflow.content_text import MASK_CHARACTER, NormalisedText, normalise

Action = Literal["allow", "mask", "flag", "reject"]
_STRENGTH: types.MappingProxyType[Action, int] = types.MappingProxyType(
    {"allow": 0, "mask": 1, "flag": 2, "reject": 3}
)


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one text; see the module docstring."""

    action: Action
    text: str
    matched: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class _Target:
    """Where a compiled keyword came from: the index of its rule (or allow word)."""

    owner: int
    wildcard: bool


class _CompiledWords:
    """Words folded like user text, deduplicated, in one matcher."""

    def __init__(self, entries: list[tuple[str, int]]) -> None:
        targets: dict[str, list[_Target]] = {}
        for word, owner in entries:
            keyword = normalise(word.removesuffix("*")).text
            targets.setdefault(keyword, []).append(_Target(owner, word.endswith("*")))
        self.matcher = KeywordMatcher(list(targets))
        self.targets = tuple(tuple(found) for found in targets.values())

    def occurrences(self, normalised: NormalisedText) -> Iterator[tuple[int, int, _Target]]:
        """``(start, end, target)`` of every whole-word occurrence, wildcards extended."""
        for start, end, keyword in self.matcher.find_all(normalised.text):
            if not normalised.can_start[start]:
                continue
            for target in self.targets[keyword]:
                if target.wildcard:
                    yield start, normalised.token_end[end - 1], target
                elif normalised.can_end[end - 1]:
                    yield start, end, target


class ContentFilter:
    """Rules compiled for checking texts; build with :meth:`from_rules`."""

    __slots__ = ("_allow", "_rules", "_words")

    def __init__(self, rules: ContentRules) -> None:
        self._rules = rules.rules
        self._words = _CompiledWords(
            [(word, index) for index, rule in enumerate(rules.rules) for word in rule.words]
        )
        self._allow = _CompiledWords([(word, index) for index, word in enumerate(rules.allow)])

    @classmethod
    def from_rules(cls, rules: ContentRules = DEFAULT_CONTENT_RULES) -> ContentFilter:
        """Compile ``rules`` (the settings' ``content_rules``); linear in their size."""
        return cls(rules)

    def check(self, text: str, *, context: Context) -> Verdict:
        """The verdict on ``text`` written as a ``context`` (message, post, comment, name)."""
        if self._words.matcher.keyword_count == 0:
            return Verdict("allow", text)
        normalised = normalise(text)
        allowed_reach = self._allowed_reach(normalised)
        matched = [False] * len(self._rules)
        mask_reach: array[int] | None = None
        for start, end, target in self._words.occurrences(normalised):
            rule = self._rules[target.owner]
            if context not in rule.contexts:
                continue
            if allowed_reach is not None and allowed_reach[start] >= end:
                continue
            matched[target.owner] = True
            if rule.action == "mask":
                if mask_reach is None:
                    mask_reach = array("q", bytes(8 * (len(text) + 1)))
                origin = normalised.origin_start[start]
                mask_reach[origin] = max(mask_reach[origin], normalised.origin_end[end - 1])
        names = tuple(rule.name for rule, hit in zip(self._rules, matched, strict=True) if hit)
        action: Action = max(
            (rule.action for rule, hit in zip(self._rules, matched, strict=True) if hit),
            key=_STRENGTH.__getitem__,
            default="allow",
        )
        if action == "allow":
            return Verdict("allow", text)
        if action == "reject" or mask_reach is None:
            return Verdict(action, text, names)
        return Verdict(action, _masked(text, mask_reach), names)

    def _allowed_reach(self, normalised: NormalisedText) -> array[int] | None:
        """For each position, the furthest end of an allow occurrence starting at or before it.

        None when nothing in the text is allow-listed.
        """
        reach: array[int] | None = None
        for start, end, _target in self._allow.occurrences(normalised):
            if reach is None:
                reach = array("q", bytes(8 * (len(normalised.text) + 1)))
            reach[start] = max(reach[start], end)
        if reach is None:
            return None
        furthest = 0
        for position, value in enumerate(reach):
            furthest = max(furthest, value)
            reach[position] = furthest
        return reach


def _masked(text: str, mask_reach: array[int]) -> str:
    """``text`` with ``*`` wherever a span recorded in ``mask_reach`` (start → end) covers."""
    pieces: list[str] = []
    covered_until = 0
    for index, character in enumerate(text):
        covered_until = max(covered_until, mask_reach[index])
        pieces.append(MASK_CHARACTER if index < covered_until else character)
    return "".join(pieces)
