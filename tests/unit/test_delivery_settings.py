"""``TOPICSFLOW_VAPID_*``, ``TOPICSFLOW_PUSH_*`` and ``TOPICSFLOW_DIGEST_SECONDS``."""

from __future__ import annotations

import pytest

from topicsflow.settings import SettingsError, load_settings


def test_defaults_and_overrides() -> None:
    assert load_settings({}).delivery.digest_seconds == 3600.0
    delivery = load_settings({
        "TOPICSFLOW_VAPID_PRIVATE_KEY": "secret-key-text",
        "TOPICSFLOW_VAPID_SUBJECT": "mailto:ops@example.org",
        "TOPICSFLOW_PUSH_ALLOW_PRIVATE": "true",
        "TOPICSFLOW_PUSH_TIMEOUT_SECONDS": "3",
        "TOPICSFLOW_PUSH_ATTEMPTS": "5",
        "TOPICSFLOW_DIGEST_SECONDS": "600",
    }).delivery
    assert delivery.vapid_private_key == "secret-key-text"
    assert "secret-key-text" not in repr(delivery)
    assert (delivery.vapid_subject, delivery.push_allow_private) == ("mailto:ops@example.org", True)
    assert (delivery.push_timeout_seconds, delivery.push_attempts) == (3.0, 5)
    assert delivery.digest_seconds == 600.0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOPICSFLOW_VAPID_SUBJECT", "ops@example.org"),
        ("TOPICSFLOW_PUSH_ATTEMPTS", "0"),
        ("TOPICSFLOW_DIGEST_SECONDS", "0.1"),
    ],
)
def test_bad_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
