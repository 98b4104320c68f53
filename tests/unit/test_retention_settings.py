"""``TOPICSFLOW_RETENTION_*``: defaults, parsing, and the clear error of a bad value."""

from __future__ import annotations

import pytest

from topicsflow.retention_settings import RetentionSettings
from topicsflow.settings import SettingsError, load_settings


def test_defaults_keep_deleted_content_a_month() -> None:
    retention = load_settings({}).retention
    assert retention == RetentionSettings()
    assert retention.deleted_seconds == 30 * 24 * 3600.0
    assert retention.stale_call_seconds == 12 * 3600.0
    assert retention.interval_seconds == 3600.0


def test_each_period_is_read_from_its_variable() -> None:
    retention = load_settings({
        "TOPICSFLOW_RETENTION_DELETED_DAYS": "7",
        "TOPICSFLOW_RETENTION_INVITATION_DAYS": "0.5",
        "TOPICSFLOW_RETENTION_CALL_HOURS": "2",
        "TOPICSFLOW_RETENTION_INTERVAL_SECONDS": "60",
    }).retention
    assert retention == RetentionSettings(
        deleted_days=7.0, invitation_days=0.5, stale_call_hours=2.0, interval_seconds=60.0
    )
    assert retention.invitation_seconds == 12 * 3600.0


@pytest.mark.parametrize(
    ("name", "raw"),
    [("DELETED_DAYS", "soon"), ("CALL_HOURS", "0"), ("INTERVAL_SECONDS", "-1")],
)
def test_a_bad_period_names_its_variable(name: str, raw: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({f"TOPICSFLOW_RETENTION_{name}": raw})
    assert error.value.variable == f"TOPICSFLOW_RETENTION_{name}"
    assert "expected a number" in str(error.value)
