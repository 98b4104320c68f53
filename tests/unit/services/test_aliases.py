"""Anonymous aliases: stable within a topic, unlinkable across topics and secrets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aliases import AliasMaker

ALIAS = re.compile(r"anon-[0-9a-f]{12}")
IDS = st.text(alphabet="0123456789abcdef", min_size=1, max_size=26)


@given(topic=IDS, other_topic=IDS, user=IDS)
def test_aliases_are_stable_per_topic_and_differ_across_topics(
    topic: str, other_topic: str, user: str
) -> None:
    maker = AliasMaker("s" * 32)
    alias = maker.alias(topic, user)
    assert ALIAS.fullmatch(alias)
    assert maker.alias(topic, user) == alias
    assert AliasMaker("s" * 32).alias(topic, user) == alias
    assert user not in alias.removeprefix("anon-") or len(user) < 4
    if other_topic != topic:
        assert maker.alias(other_topic, user) != alias


def test_aliases_depend_on_the_secret_and_the_user() -> None:
    first, second = AliasMaker("first secret"), AliasMaker(b"second secret")
    assert first.alias("t", "u1") != second.alias("t", "u1")
    assert first.alias("t", "u1") != first.alias("t", "u2")
    assert first.alias("t1", "u") != first.alias("t", "1u")
    with pytest.raises(ValueError):
        AliasMaker("")
