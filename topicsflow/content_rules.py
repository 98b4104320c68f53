"""The content filter's configuration: named word lists with an action, and an allow list.

Part of the configuration layer (with :mod:`topicsflow.settings`, which parses the rules
file at start so that a bad file stops the process with one line); the filter that
compiles these rules is :mod:`services.content_filter`.

Contract:

* :class:`ContentRules` holds :class:`ContentRule` entries and ``allow`` words.  A rule has a
  ``name`` (what verdicts and logs show; never the user's text), an ``action`` (``reject``,
  ``flag`` or ``mask``), its ``words`` and the ``contexts`` it applies to (all four by
  default: ``message``, ``post``, ``comment``, ``name``).  An occurrence lying entirely
  inside an occurrence of an ``allow`` word is ignored ("spamalot" may stay when "spam*"
  is masked).  Both are validated on construction, whether built in code or decoded.
* A word is a literal word or phrase: letters, digits, spaces, ``'``, ``-``, ``@`` and
  ``$``, at most 64 characters, optionally ending in ``*`` ("spam*" also matches
  "spammer").  Nothing else is accepted, and in particular no regular expressions: rules
  are applied to every message from every user, and one careless pattern such as
  ``(a+)+$`` would let any user stall a node by backtracking.  Literal words compile to
  one automaton whose time is linear in the text (:mod:`services.content_matcher`).
* :func:`load_content_rules` reads a ``.json`` or ``.toml`` file of this shape and raises
  :class:`ContentRulesError` (a :class:`ValueError`, so settings report it against
  ``TOPICSFLOW_CONTENT_RULES``) when it is missing, unreadable, too large or invalid::

      allow = ["spamalot"]

      [[rules]]
      name = "spam"
      action = "mask"
      words = ["spamword", "spam*", "buy now"]
      contexts = ["message", "post", "comment"]

* :data:`DEFAULT_CONTENT_RULES` is empty: the node ships no word list of its own.
"""

from __future__ import annotations

import collections
import string
from pathlib import Path
from typing import Literal

import msgspec

from topicsflow.content_text import normalise

Context = Literal["message", "post", "comment", "name"]
RuleAction = Literal["reject", "flag", "mask"]
CONTEXTS: tuple[Context, ...] = ("message", "post", "comment", "name")
MAX_WORD_LENGTH = 64
MAX_NAME_LENGTH = 64
MAX_FILE_BYTES = 1_048_576
_WORD_PUNCTUATION = frozenset(" '-@$")
_NAME_CHARACTERS = frozenset(string.ascii_letters + string.digits + "._-")


class ContentRulesError(ValueError):
    """The rules file is missing, unreadable or invalid; the message says which and where."""


def check_word(word: str) -> None:
    """Raise :class:`ValueError` unless ``word`` is in the safe subset described above."""
    literal = word.removesuffix("*")
    if not 1 <= len(word) <= MAX_WORD_LENGTH:
        raise ValueError(f"word {word[:MAX_WORD_LENGTH]!r} must have 1 to 64 characters")
    if any(not (character.isalnum() or character in _WORD_PUNCTUATION) for character in literal):
        raise ValueError(
            f"word {word!r} may hold only letters, digits, spaces, ' - @ $ and a final *"
            " (patterns are literal words, not regular expressions)"
        )
    if not normalise(literal).text:
        raise ValueError(f"word {word!r} has no letters or digits")


class ContentRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One named word list, the action taken on a match, and where it applies."""

    name: str
    action: RuleAction
    words: tuple[str, ...]
    contexts: tuple[Context, ...] = CONTEXTS

    def __post_init__(self) -> None:
        if not 1 <= len(self.name) <= MAX_NAME_LENGTH or not set(self.name) <= _NAME_CHARACTERS:
            raise ValueError("a rule name must have 1 to 64 letters, digits, '.', '_' or '-'")
        if not self.words:
            raise ValueError(f"rule {self.name!r} has no words")
        if not self.contexts:
            raise ValueError(f"rule {self.name!r} applies to no context")
        for word in self.words:
            check_word(word)


class ContentRules(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The whole configuration: the rules, in order, and the allow list."""

    rules: tuple[ContentRule, ...] = ()
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        counts = collections.Counter(rule.name for rule in self.rules)
        duplicates = sorted(name for name, count in counts.items() if count > 1)
        if duplicates:
            raise ValueError(f"rule names must be unique: {', '.join(duplicates)}")
        for word in self.allow:
            check_word(word)


DEFAULT_CONTENT_RULES = ContentRules()


def parse_content_rules(data: bytes, *, file_format: Literal["json", "toml"]) -> ContentRules:
    """Decode and validate rules from the bytes of a JSON or TOML document."""
    try:
        if file_format == "json":
            return msgspec.json.decode(data, type=ContentRules)
        return msgspec.toml.decode(data, type=ContentRules)
    except (msgspec.DecodeError, UnicodeDecodeError) as error:
        raise ContentRulesError(f"invalid content rules: {error}") from None


def load_content_rules(path: str | Path) -> ContentRules:
    """Read the rules file at ``path`` (``.json`` or ``.toml``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".toml"):
        raise ContentRulesError("expected a path to a .json or .toml file")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ContentRulesError(f"cannot read the rules file ({reason})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ContentRulesError(f"the rules file is larger than {MAX_FILE_BYTES} bytes")
    return parse_content_rules(data, file_format="json" if suffix == ".json" else "toml")
