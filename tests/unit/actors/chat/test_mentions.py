"""Finding ``@username`` mentions and ``@here`` in message text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from actors.chat.mentions import MAX_MENTIONS, Mentions, find_mentions, may_mention


def test_mentions_in_order_once_each() -> None:
    assert find_mentions("@bob hi @carol_2 and @bob again") == Mentions(
        usernames=("bob", "carol_2")
    )


def test_emails_and_short_or_glued_names_are_not_mentions() -> None:
    assert find_mentions("mail alice@example.org or x@yz, @ab, a@bob") == Mentions()


def test_trailing_punctuation_is_also_tried_without_it() -> None:
    assert find_mentions("thanks @bob.").usernames == ("bob.", "bob")
    assert find_mentions("(@dana-)").usernames == ("dana-", "dana")


def test_here_is_a_flag_not_a_username() -> None:
    assert find_mentions("@here: standup, @HERE.") == Mentions(here=True)
    assert find_mentions("@hereford").usernames == ("hereford",)


def test_mentions_are_capped() -> None:
    text = " ".join(f"@user{number:03}" for number in range(MAX_MENTIONS * 2))
    assert len(find_mentions(text).usernames) == MAX_MENTIONS


@given(st.text(max_size=400))
def test_any_text_is_parsed_and_only_text_with_at_signs_mentions(text: str) -> None:
    found = find_mentions(text)
    assert len(found.usernames) <= MAX_MENTIONS
    if not may_mention(text):
        assert found == Mentions()
    for username in found.usernames:
        assert f"@{username}" in text
