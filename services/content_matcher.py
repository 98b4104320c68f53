"""Find every occurrence of many literal keywords in one pass (Aho-Corasick).

Contract:

* :class:`KeywordMatcher` is built once from a fixed sequence of keywords and is immutable
  afterwards; :meth:`KeywordMatcher.find_all` yields ``(start, end, keyword_index)`` for
  every occurrence, overlapping ones included, in order of ``end``.
* The time of :meth:`~KeywordMatcher.find_all` is linear in the length of the text plus the
  number of occurrences, whatever the keywords and the text: each character advances the
  automaton by one edge, and every failure step it takes is paid for by an earlier advance.
  Nothing is backtracked and no regular expression is involved, so no input can make it
  slow.  Building is linear in the total length of the keywords.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence


class KeywordMatcher:
    """An Aho-Corasick automaton over literal (already normalised) keywords."""

    __slots__ = ("_edges", "_failures", "_lengths", "_outputs")

    def __init__(self, keywords: Sequence[str]) -> None:
        edges: list[dict[str, int]] = [{}]
        own_outputs: list[list[int]] = [[]]
        for keyword_index, keyword in enumerate(keywords):
            if not keyword:
                raise ValueError("keywords must not be empty")
            state = 0
            for character in keyword:
                following = edges[state].get(character)
                if following is None:
                    following = len(edges)
                    edges[state][character] = following
                    edges.append({})
                    own_outputs.append([])
                state = following
            own_outputs[state].append(keyword_index)
        failures = [0] * len(edges)
        outputs: list[tuple[int, ...]] = [()] * len(edges)
        pending = deque(edges[0].values())
        while pending:
            state = pending.popleft()
            outputs[state] = (*own_outputs[state], *outputs[failures[state]])
            for character, following in edges[state].items():
                fallback = failures[state]
                while fallback and character not in edges[fallback]:
                    fallback = failures[fallback]
                failures[following] = edges[fallback].get(character, 0)
                pending.append(following)
        self._edges = tuple(edges)
        self._failures = tuple(failures)
        self._outputs = tuple(outputs)
        self._lengths = tuple(len(keyword) for keyword in keywords)

    @property
    def keyword_count(self) -> int:
        """How many keywords the matcher was built from."""
        return len(self._lengths)

    def find_all(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Every occurrence as ``(start, end, keyword_index)``; ``text[start:end]`` is it."""
        edges, failures, outputs = self._edges, self._failures, self._outputs
        lengths = self._lengths
        state = 0
        for position, character in enumerate(text):
            following = edges[state].get(character)
            while following is None and state:
                state = failures[state]
                following = edges[state].get(character)
            state = following or 0
            for keyword_index in outputs[state]:
                yield position + 1 - lengths[keyword_index], position + 1, keyword_index
