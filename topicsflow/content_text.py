"""Text as the content filter compares it: folded, split into tokens, mapped to the original.

A leaf module of the configuration layer: the rules file's words are checked with it when
the settings load (:mod:`topicsflow.content_rules`), and the filter matches with it.

Contract:

* :func:`normalise` turns any text into a :class:`NormalisedText`: its tokens of folded word
  characters joined by single spaces, plus, for every position of that string, where in the
  original it came from.  Each original character is folded once and every step is linear
  in the length of the text.
* Folding, one original character at a time (:func:`fold_character`): case folding,
  compatibility decomposition (NFKD: full-width forms, ligatures and styled letters become
  plain ones), combining marks and invisible format characters (zero-width space and
  joiners, soft hyphen, byte-order mark) dropped, a small table of Cyrillic and Greek
  look-alikes mapped to Latin letters, and leetspeak folded: ``0``→o, ``1`` and ``l``→i,
  ``3``→e, ``4`` and ``@``→a, ``5`` and ``$``→s, ``7``→t.  Folding is many-to-one ("l", "i"
  and "1" are one letter here) and terms are folded the same way, so it only widens matches.
* A word character is one that is alphanumeric after folding; any other character separates
  tokens, and a dropped (invisible) character does neither.  A run of two or more tokens of
  one character each ("s p a m", "s.p.a.m") becomes one token in which every position is a
  word boundary, so a term spelled out that way is found even next to other single letters.
* A gap holding the mask character ``*`` (other than a lone ``*`` as in "s*p*a*m") is a
  hard break: tokens on either side are joined by ``|`` rather than a space, so neither a
  phrase nor a run of single letters spans it.  Masked words therefore never join their
  neighbours into new matches, which is what makes masking idempotent.
* ``origin_start[i]`` and ``origin_end[i]`` delimit the original characters position ``i``
  came from; the span includes the invisible characters that follow (a letter's combining
  marks), so masking a span never leaves orphaned marks.  ``can_start`` / ``can_end`` tell
  whether a term may begin / end at a position (token edges, or anywhere inside a run of
  single letters); ``token_end[i]`` is where the token holding ``i`` ends.
"""

from __future__ import annotations

import dataclasses
import types
import unicodedata
from array import array

_LEETSPEAK = types.MappingProxyType({
    "0": "o", "1": "i", "l": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s", "7": "t",
})
_LOOKALIKE_NAMES = types.MappingProxyType({
    "a": ("CYRILLIC SMALL LETTER A", "GREEK SMALL LETTER ALPHA"),
    "b": ("CYRILLIC SMALL LETTER VE", "GREEK SMALL LETTER BETA"),
    "c": ("CYRILLIC SMALL LETTER ES",),
    "d": ("CYRILLIC SMALL LETTER KOMI DE",),
    "e": ("CYRILLIC SMALL LETTER IE", "CYRILLIC SMALL LETTER IO", "GREEK SMALL LETTER EPSILON"),
    "g": ("LATIN SMALL LETTER SCRIPT G",),
    "h": ("CYRILLIC SMALL LETTER EN",),
    "i": (
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "CYRILLIC SMALL LETTER YI",
        "LATIN SMALL LETTER DOTLESS I", "GREEK SMALL LETTER IOTA",
    ),
    "j": ("CYRILLIC SMALL LETTER JE",),
    "k": ("CYRILLIC SMALL LETTER KA", "GREEK SMALL LETTER KAPPA"),
    "m": ("CYRILLIC SMALL LETTER EM",),
    "o": ("CYRILLIC SMALL LETTER O", "GREEK SMALL LETTER OMICRON"),
    "p": ("CYRILLIC SMALL LETTER ER", "GREEK SMALL LETTER RHO"),
    "s": ("CYRILLIC SMALL LETTER DZE",),
    "t": ("CYRILLIC SMALL LETTER TE", "GREEK SMALL LETTER TAU"),
    "u": ("GREEK SMALL LETTER UPSILON",),
    "v": ("GREEK SMALL LETTER NU",),
    "x": ("CYRILLIC SMALL LETTER HA", "GREEK SMALL LETTER CHI"),
    "y": ("CYRILLIC SMALL LETTER U",),
})
_FOLD_TABLE = types.MappingProxyType(str.maketrans({
    **_LEETSPEAK,
    **{unicodedata.lookup(name): latin
       for latin, names in _LOOKALIKE_NAMES.items() for name in names},
}))
_ASCII_FOLDS = tuple(chr(code).lower().translate(_FOLD_TABLE) for code in range(128))
_INVISIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
MASK_CHARACTER = "*"
HARD_BREAK = "|"


def fold_character(character: str) -> str:
    """The folded form of one character: usually one character, "" when it is invisible.

    An expansion holding letters or digits keeps only those, so it belongs to one token.
    """
    if character < "\x80":
        return _ASCII_FOLDS[ord(character)]
    decomposed = unicodedata.normalize("NFKD", character.casefold())
    visible = "".join(
        part for part in decomposed if unicodedata.category(part) not in _INVISIBLE_CATEGORIES
    )
    folded = visible.casefold().translate(_FOLD_TABLE)
    letters = "".join(unit for unit in folded if unit.isalnum())
    # One original character never straddles two tokens ("¼" is "1/4"), so that masking
    # whole original characters never takes letters from a neighbouring token.
    return letters or folded


@dataclasses.dataclass(frozen=True, slots=True)
class NormalisedText:
    """Folded tokens joined by single spaces, with the map back to the original text."""

    text: str
    origin_start: array[int]
    origin_end: array[int]
    can_start: bytearray
    can_end: bytearray
    token_end: array[int]


Token = tuple[int, int, bool]
"""A token's first and past-the-end word character, and whether a hard break precedes it."""


def _fold_into_tokens(text: str) -> tuple[str, array[int], array[int], list[Token]]:
    """Word characters (flat), the original span of each, and the tokens."""
    characters: list[str] = []
    origins = array("q")
    tokens: list[Token] = []
    invisible: list[int] = []
    token_start: int | None = None
    gap_length, gap_has_mask = 0, False
    for index, character in enumerate(text):
        folded = _ASCII_FOLDS[ord(character)] if character < "\x80" else fold_character(character)
        if not folded:
            invisible.append(index)
        for unit in folded:
            if unit.isalnum():
                if token_start is None:
                    token_start = len(characters)
                    hard_break = gap_has_mask and gap_length > 1
                    gap_length, gap_has_mask = 0, False
                characters.append(unit)
                origins.append(index)
                continue
            if token_start is not None:
                tokens.append((token_start, len(characters), hard_break))
                token_start = None
            gap_length += 1
            gap_has_mask = gap_has_mask or unit == MASK_CHARACTER
    if token_start is not None:
        tokens.append((token_start, len(characters), hard_break))
    return "".join(characters), origins, _span_ends(origins, invisible, len(text)), tokens


def _span_ends(origins: array[int], invisible: list[int], length: int) -> array[int]:
    """Where the span of each word character ends: after it and the invisibles that follow."""
    if not invisible:
        return array("q", [origin + 1 for origin in origins])
    hidden = bytearray(length + 1)
    for index in invisible:
        hidden[index] = 1
    ends = array("q", [0]) * (length + 1)
    ends[length] = length
    for index in range(length - 1, -1, -1):
        ends[index] = ends[index + 1] if hidden[index + 1] else index + 1
    return array("q", [ends[origin] for origin in origins])


def normalise(text: str) -> NormalisedText:
    """Fold and tokenise ``text`` as described in the module docstring."""
    characters, origins, span_ends, tokens = _fold_into_tokens(text)
    pieces: list[str] = []
    origin_start, origin_end, token_end = array("q"), array("q"), array("q")
    can_start, can_end = bytearray(), bytearray()
    length = 0

    def emit(first: int, stop: int, *, hard_break: bool, single_letters: bool) -> None:
        nonlocal length
        if length:
            pieces.append(HARD_BREAK if hard_break else " ")
            origin_start.append(origin_end[-1])
            origin_end.append(origin_end[-1])
            can_start.append(0)
            can_end.append(0)
            length += 1
            token_end.append(length)
        size = stop - first
        pieces.append(characters[first:stop])
        origin_start.extend(origins[first:stop])
        origin_end.extend(span_ends[first:stop])
        if single_letters:
            can_start.extend(b"\x01" * size)
            can_end.extend(b"\x01" * size)
        else:
            can_start.extend(b"\x01" + bytes(size - 1))
            can_end.extend(bytes(size - 1) + b"\x01")
        length += size
        token_end.extend(array("q", [length]) * size)

    position = 0
    while position < len(tokens):
        first, stop, hard_break = tokens[position]
        run_end = position
        while (
            run_end < len(tokens)
            and tokens[run_end][1] - tokens[run_end][0] == 1
            and (run_end == position or not tokens[run_end][2])
        ):
            run_end += 1
        if run_end - position >= 2:
            stop = tokens[run_end - 1][1]
            emit(first, stop, hard_break=hard_break, single_letters=True)
            position = run_end
        else:
            emit(first, stop, hard_break=hard_break, single_letters=False)
            position += 1
    return NormalisedText(
        "".join(pieces), origin_start, origin_end, can_start, can_end, token_end
    )
