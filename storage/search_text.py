"""Search text as both stores see it: words, terms, the ranking formula, user ranks.

Contract:

* A query is data.  :func:`query_terms` keeps the first :data:`MAX_TERMS` words of at
  least :data:`MIN_TERM_LENGTH` characters, each cut to :data:`MAX_TERM_LENGTH`; a word is
  a run of letters and digits (``str.isalnum``), folded by :func:`fold_word` (NFKD,
  combining marks dropped, case-folded: ``Café`` = ``cafe``).  Nothing else of the query
  reaches a store: no operator, quote, wildcard or pattern can be expressed.
* Every query term matches as a *prefix* of a word of the item, and an item must match
  all of them.  SQLite's FTS5 tokenizer (``unicode61 remove_diacritics 2``) splits and
  folds alike; the Mongo index stores :func:`index_terms` of the text.
* Ranking: relevance (SQLite: BM25 with titles weighing :data:`TITLE_WEIGHT`; Mongo: the
  approximation in :mod:`storage.mongo.search`) times :func:`recency_boost`, which
  doubles the relevance of something new and fades to 1 over weeks
  (:data:`RECENCY_SCALE_S`).  Both stores compute it at the query's ``now``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from storage.keys import fold
from storage.records import User

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
MIN_TERM_LENGTH = 2
MAX_TERM_LENGTH = 32
MAX_INDEXED_TERMS = 200
"""Distinct terms the Mongo index keeps per item (the first ones of its text)."""
TITLE_WEIGHT = 2.0
RECENCY_SCALE_S = 7 * 86400.0
MIN_USER_SUBSTRING = 3
"""Substrings of usernames need this many characters (trigrams); shorter: prefixes only."""


def fold_word(word: str) -> str:
    """``word`` without accents, case-folded (see the module docstring)."""
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped).casefold()


def words(text: str) -> Iterator[str]:
    """The folded words of ``text``, in order (runs of letters and digits)."""
    start = None
    for index, character in enumerate(text):
        if character.isalnum():
            if start is None:
                start = index
        elif start is not None:
            yield fold_word(text[start:index])
            start = None
    if start is not None:
        yield fold_word(text[start:])


def query_terms(query: str) -> tuple[str, ...]:
    """The terms a query searches for (see the module docstring); may be empty."""
    terms: list[str] = []
    for word in words(query[:MAX_QUERY_LENGTH]):
        term = word[:MAX_TERM_LENGTH]
        if len(term) >= MIN_TERM_LENGTH and term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return tuple(terms)


def index_terms(*texts: str) -> dict[str, int]:
    """Term → occurrences of the words of ``texts`` (at most :data:`MAX_INDEXED_TERMS`)."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in words(text):
            term = word[:MAX_TERM_LENGTH]
            if term in counts:
                counts[term] += 1
            elif len(counts) < MAX_INDEXED_TERMS:
                counts[term] = 1
    return counts


def recency_boost(created_at: float, now: float) -> float:
    """The factor relevance is multiplied by: 2 for something new, towards 1 with age."""
    age = max(0.0, now - created_at)
    return 1.0 + 1.0 / (1.0 + age / RECENCY_SCALE_S)


def trigrams(key: str) -> set[str]:
    """The three-character substrings of a folded username (for substring search)."""
    return {key[index : index + 3] for index in range(len(key) - 2)}


def user_rank(username_key: str, query_key: str) -> int | None:
    """0 for the exact username, 1 for a prefix, 2 for another substring, None if no
    match: users are ordered by this, then by length, then alphabetically."""
    if username_key == query_key:
        return 0
    if username_key.startswith(query_key):
        return 1
    if len(query_key) >= MIN_USER_SUBSTRING and query_key in username_key:
        return 2
    return None


def rank_users(found: list[User], key: str, limit: int) -> list[User]:
    """The distinct matches of ``found`` ordered by rank, length, folded name; ``limit``."""
    ranked: dict[str, tuple[tuple[int, int, str, str], User]] = {}
    for user in found:
        name = fold(user.username)
        rank = user_rank(name, key)
        if rank is not None:
            ranked[user.id] = ((rank, len(name), name, user.id), user)
    return [user for _, user in sorted(ranked.values(), key=lambda pair: pair[0])][:limit]
