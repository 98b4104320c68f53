"""Ids (storage/keys.py): time-sortable, unique, random in their low digits."""

from __future__ import annotations

import secrets

import pytest

from storage import keys
from storage.keys import IdGenerator


def test_ids_sort_in_issue_order_within_and_across_milliseconds() -> None:
    now = [1_700_000_000.0]
    generator = IdGenerator(lambda: now[0])
    issued = []
    for step in range(3000):
        if step % 700 == 0:
            now[0] += 0.001
        issued.append(generator.new_id())
    assert issued == sorted(issued)
    assert len(set(issued)) == len(issued)
    assert all(len(value) == 26 for value in issued)
    assert len({value[:12] for value in issued}) >= 4  # several milliseconds, in order


def test_a_clock_going_back_never_issues_a_smaller_id() -> None:
    now = [1_700_000_000.5]
    generator = IdGenerator(lambda: now[0])
    first = generator.new_id()
    now[0] -= 10
    assert generator.new_id() > first


def test_random_bytes_come_from_the_os_in_blocks_not_per_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[int] = []
    real = secrets.token_bytes

    def counted(size: int) -> bytes:
        drawn.append(size)
        value: bytes = real(size)
        return value

    monkeypatch.setattr(secrets, "token_bytes", counted)
    now = [1_700_000_000.0]
    generator = IdGenerator(lambda: now[0])
    first_random_parts = set()
    for _ in range(1000):
        now[0] += 0.001  # a new millisecond each time: a fresh random start
        first_random_parts.add(generator.new_id()[12:])
    assert len(first_random_parts) == 1000  # 55 random bits each: no repeats
    assert drawn and len(drawn) <= 3 and all(size == keys._RANDOM_BUFFER_BYTES for size in drawn)
