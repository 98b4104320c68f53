"""The content filter: evasions, actions, contexts, the allow list, rules files, linearity."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import services.content_filter
import services.content_matcher
import topicsflow.content_rules
import topicsflow.content_text
from services.content_filter import ContentFilter, Verdict
from services.content_matcher import KeywordMatcher
from topicsflow.content_rules import (
    ContentRule,
    ContentRules,
    ContentRulesError,
    load_content_rules,
    parse_content_rules,
)
from topicsflow.settings import SettingsError, load_settings

RULES = ContentRules(
    rules=(
        ContentRule(name="spam", action="mask", words=("spamword", "spam*", "buy now")),
        ContentRule(name="eggs", action="flag", words=("eggs",), contexts=("post", "comment")),
        ContentRule(name="scam", action="reject", words=("scam",)),
    ),
    allow=("spamalot",),
)
FILTER = ContentFilter.from_rules(RULES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a spamword here", "a ******** here"),
        ("a SpamWord here", "a ******** here"),
        ("s p a m", "*******"),
        ("s.p.a.m!", "*******!"),
        ("s-p-a-m and s_p_a_m", "******* and *******"),
        ("s*p*a*m", "*******"),
        ("x s p a m", "x *******"),
        ("5p4m", "****"),
        ("$p@m", "****"),
        ("5PAMW0RD", "********"),
        ("\u0455\u0440\u0430m", "****"),  # Cyrillic dze, er, a
        ("\uff53\uff50\uff41\uff4d", "****"),  # full-width
        ("sp\u200bam", "*****"),  # zero-width space inside
        ("s\u0308pam!", "*****!"),  # a combining mark stays inside the mask
        ("spammers", "********"),
        ("Buy   NOW!", "*********!"),
    ],
)
def test_evasions_are_masked_in_the_original_text(text: str, expected: str) -> None:
    verdict = FILTER.check(text, context="message")
    assert verdict == Verdict("mask", expected, ("spam",))


@pytest.mark.parametrize(
    "text", ["this pam", "aspamword", "scammer", "spa m", "buynow", "buy * now", "spamalot!"]
)
def test_only_whole_words_outside_the_allow_list_match(text: str) -> None:
    verdict = FILTER.check(text, context="message")
    assert verdict == Verdict("allow", text)


def test_the_allow_list_exempts_only_what_it_covers() -> None:
    verdict = FILTER.check("Spamalot, then spam", context="message")
    assert verdict.text == "Spamalot, then ****"


def test_the_strongest_action_wins_and_names_the_rules_in_order() -> None:
    masked_and_flagged = FILTER.check("eggs and spam", context="post")
    assert masked_and_flagged == Verdict("flag", "eggs and ****", ("spam", "eggs"))
    rejected = FILTER.check("eggs, spam and a sc4m", context="comment")
    assert rejected == Verdict("reject", "eggs, spam and a sc4m", ("spam", "eggs", "scam"))


def test_flag_keeps_its_words_and_rules_apply_only_in_their_contexts() -> None:
    assert FILTER.check("eggs", context="post") == Verdict("flag", "eggs", ("eggs",))
    assert FILTER.check("eggs", context="message") == Verdict("allow", "eggs")
    assert FILTER.check("eggs", context="name") == Verdict("allow", "eggs")


def test_the_default_rules_allow_everything_unchanged() -> None:
    text = "anything at all, spam included"
    verdict = ContentFilter.from_rules().check(text, context="name")
    assert verdict == Verdict("allow", text) and verdict.text is text


@pytest.mark.parametrize(
    ("word", "problem"),
    [
        ("(a+)+$", "not regular expressions"),
        ("sp.m", "not regular expressions"),
        ("sp*m", "not regular expressions"),
        ("spam**", "not regular expressions"),
        ("", "1 to 64 characters"),
        ("x" * 65, "1 to 64 characters"),
        ("'-'", "no letters or digits"),
    ],
)
def test_words_outside_the_safe_subset_are_refused(word: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ContentRule(name="bad", action="mask", words=(word,))


def test_rule_names_are_checked_and_unique() -> None:
    with pytest.raises(ValueError, match="rule name"):
        ContentRule(name="has space", action="mask", words=("spam",))
    rule = ContentRule(name="spam", action="mask", words=("spam",))
    with pytest.raises(ValueError, match="unique: spam"):
        ContentRules(rules=(rule, rule))


def test_rules_load_from_json_and_toml(tmp_path: Path) -> None:
    document = {
        "allow": ["spamalot"],
        "rules": [{"name": "spam", "action": "mask", "words": ["spam*"], "contexts": ["name"]}],
    }
    json_file = tmp_path / "rules.json"
    json_file.write_text(json.dumps(document))
    toml_file = tmp_path / "rules.TOML"
    toml_file.write_text(
        'allow = ["spamalot"]\n\n[[rules]]\nname = "spam"\naction = "mask"\n'
        'words = ["spam*"]\ncontexts = ["name"]\n'
    )
    expected = ContentRules(
        rules=(ContentRule(name="spam", action="mask", words=("spam*",), contexts=("name",)),),
        allow=("spamalot",),
    )
    assert load_content_rules(json_file) == expected
    assert load_content_rules(toml_file) == expected


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (b"{", "invalid content rules"),
        (b'{"rules": [{"name": "x", "action": "delete", "words": ["spam"]}]}', "rules[0].action"),
        (b'{"rules": [{"name": "x", "action": "mask", "words": ["a|b"]}]}', "regular expressions"),
        (b'{"rules": [], "extra": 1}', "unknown field `extra`"),
    ],
)
def test_invalid_documents_say_what_and_where(document: bytes, problem: str) -> None:
    with pytest.raises(ContentRulesError, match="invalid content rules") as caught:
        parse_content_rules(document, file_format="json")
    assert problem in str(caught.value)


def test_the_setting_reads_the_file_once_and_fails_fast(tmp_path: Path) -> None:
    assert load_settings({}).content_rules == ContentRules()
    rules_file = tmp_path / "rules.json"
    rules_file.write_text('{"rules": [{"name": "spam", "action": "reject", "words": ["spam"]}]}')
    settings = load_settings({"TOPICSFLOW_CONTENT_RULES": str(rules_file)})
    assert settings.content_rules.rules[0].name == "spam"
    cases = [
        (tmp_path / "missing.json", "cannot read the rules file"),
        (tmp_path / "rules.yaml", "expected a path to a .json or .toml file"),
    ]
    broken = tmp_path / "broken.toml"
    broken.write_text("rules = 3")
    cases.append((broken, "invalid content rules"))
    for path, problem in cases:
        with pytest.raises(SettingsError) as caught:
            load_settings({"TOPICSFLOW_CONTENT_RULES": str(path)})
        assert caught.value.variable == "TOPICSFLOW_CONTENT_RULES"
        assert str(caught.value).startswith(f"TOPICSFLOW_CONTENT_RULES: {problem}")


def test_the_filter_modules_never_use_regular_expressions() -> None:
    modules = [services.content_filter, services.content_matcher, topicsflow.content_rules,
               topicsflow.content_text]
    for module in modules:
        tree = ast.parse(Path(str(module.__file__)).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert not imported & {"re", "regex", "fnmatch"}, module.__name__


def test_a_megabyte_of_near_matches_is_processed() -> None:
    near_misses = "spa s p a sp am buy no 5p4 sbam scan sca m eggs " * 21_000
    assert len(near_misses) > 1_000_000
    assert FILTER.check(near_misses, context="message").action == "allow"
    hits = "spam s p a m spamalot " * 50_000
    verdict = FILTER.check(hits, context="message")
    assert verdict.text == "**** ******* spamalot " * 50_000


def test_a_long_run_of_single_letters_with_overlapping_words_is_linear() -> None:
    words = ContentRules(rules=(ContentRule(name="a", action="mask", words=("a", "aa", "a*")),))
    text = "a " * 50_000 + "bcd"
    verdict = ContentFilter.from_rules(words).check(text, context="message")
    assert verdict.text == "*" * 99_999 + " bcd"


@given(
    keywords=st.lists(st.text("abc", min_size=1, max_size=4), min_size=1, max_size=6),
    text=st.text("abc", max_size=40),
)
def test_the_matcher_finds_exactly_the_naive_occurrences(keywords: list[str], text: str) -> None:
    expected = {
        (start, start + len(keyword), index)
        for index, keyword in enumerate(keywords)
        for start in range(len(text) - len(keyword) + 1)
        if text.startswith(keyword, start)
    }
    assert set(KeywordMatcher(keywords).find_all(text)) == expected


PIECES = ["spam", "SPAM", "s p a m", "5p4m", "spamword", "spamalot", "eggs", "buy", "now",
          "scam", "x", "a", " ", "  ", ".", "*", "-", "\u200b", "\u0308", "\u0455", "\uff53", "ß"]
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=25).map("".join)
MASK_ONLY = ContentFilter.from_rules(
    ContentRules(rules=(RULES.rules[0],), allow=RULES.allow)
)


@settings(max_examples=300)
@given(TEXTS)
def test_masking_preserves_length_and_every_unmatched_character(text: str) -> None:
    verdict = FILTER.check(text, context="post")
    assert len(verdict.text) == len(text)
    assert all(new in (old, "*") for old, new in zip(text, verdict.text, strict=True))
    if verdict.action in ("allow", "reject"):
        assert verdict.text == text


@settings(max_examples=300)
@given(TEXTS)
def test_masking_is_idempotent(text: str) -> None:
    once = MASK_ONLY.check(text, context="message")
    twice = MASK_ONLY.check(once.text, context="message")
    assert twice == Verdict("allow", once.text)


NEUTRAL_WORDS = st.text("bcdfghjknqrvwxyz", min_size=1, max_size=8)
SEPARATORS = st.sampled_from([" ", ", ", ". ", "\n", " - "])


@given(st.lists(st.tuples(NEUTRAL_WORDS | st.just("Spamalot"), SEPARATORS), max_size=20))
def test_text_without_rule_words_is_returned_unchanged(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + separator for word, separator in parts)
    verdict = FILTER.check(text, context="comment")
    assert verdict == Verdict("allow", text) and verdict.text is text
