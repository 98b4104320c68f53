"""Snippets of found text with the matched words marked, as plain-text fragments.

Contract: :func:`snippet` returns at most about :data:`SNIPPET_CHARS` characters of
the text around its first match, as fragments ``(text, highlighted)`` whose
concatenation is the snippet (an ellipsis marks a cut).  A word is highlighted when a
query term is a prefix of its folded form (the stores' matching rule,
:mod:`storage.search_text`).  The text is never interpreted: no markup is added, so a
client renders fragments as text and nothing in the content can inject anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from storage.search_text import fold_word

SNIPPET_CHARS = 200
ELLIPSIS = "…"


def _word_spans(text: str) -> Iterator[tuple[int, int]]:
    start = None
    for index, character in enumerate(text):
        if character.isalnum():
            if start is None:
                start = index
        elif start is not None:
            yield start, index
            start = None
    if start is not None:
        yield start, len(text)


def matches(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """The spans of ``text``'s words that a term is a prefix of."""
    return [
        (start, end)
        for start, end in _word_spans(text)
        if any(fold_word(text[start:end]).startswith(term) for term in terms)
    ]


def snippet(
    text: str, terms: Sequence[str], limit: int = SNIPPET_CHARS
) -> list[tuple[str, bool]]:
    """Fragments of ``text`` around its first match (see the module docstring)."""
    spans = matches(text, terms)
    begin, end = 0, len(text)
    if len(text) > limit:
        first = spans[0][0] if spans else 0
        begin = max(0, first - limit // 3)
        if begin > 0:
            space = text.find(" ", begin, first)
            begin = space + 1 if space >= 0 else begin
        end = min(len(text), begin + limit)
    fragments: list[tuple[str, bool]] = []
    if begin > 0:
        fragments.append((ELLIPSIS, False))
    position = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        if start > position:
            fragments.append((text[position:start], False))
        fragments.append((text[start:stop], True))
        position = stop
    if position < end:
        fragments.append((text[position:end], False))
    if end < len(text):
        fragments.append((ELLIPSIS, False))
    return fragments
