"""Restart policy arithmetic: the intensity window and backoff delays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisors import Backoff, RestartIntensity, RestartType
from supervisors.policy import RestartWindow


@given(
    gaps=st.lists(st.floats(min_value=0.0, max_value=10.0), min_size=1, max_size=30),
    max_restarts=st.integers(min_value=0, max_value=5),
    period=st.floats(min_value=0.5, max_value=20.0),
)
def test_window_exceeds_exactly_when_too_many_restarts_fall_in_the_period(
    gaps: list[float], max_restarts: int, period: float
) -> None:
    window = RestartWindow(RestartIntensity(max_restarts, period))
    now, times = 0.0, []
    for gap in gaps:
        now += gap
        times.append(now)
        in_period = [time for time in times if time > now - period]
        assert window.record(now) == (len(in_period) > max_restarts)


def test_restart_types() -> None:
    assert RestartType.PERMANENT.restarts_after(crashed=False)
    assert RestartType.PERMANENT.restarts_after(crashed=True)
    assert RestartType.TRANSIENT.restarts_after(crashed=True)
    assert not RestartType.TRANSIENT.restarts_after(crashed=False)
    assert not RestartType.TEMPORARY.restarts_after(crashed=True)


def test_backoff_grows_and_caps() -> None:
    backoff = Backoff(initial=0.5, factor=3.0, maximum=4.0)
    assert [backoff.delay(count) for count in range(1, 5)] == [0.5, 1.5, 4.0, 4.0]


@pytest.mark.parametrize(
    "make",
    [
        lambda: RestartIntensity(max_restarts=-1),
        lambda: RestartIntensity(period=0),
        lambda: Backoff(factor=0.5),
    ],
)
def test_invalid_policies_fail_fast(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]
