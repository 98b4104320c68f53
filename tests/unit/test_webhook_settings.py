"""``TOPICSFLOW_WEBHOOKS_*`` parse into :attr:`Settings.webhooks`."""

from __future__ import annotations

import pytest

from topicsflow.settings import SettingsError, load_settings
from topicsflow.webhook_settings import WebhookSettings


def test_defaults_refuse_private_targets() -> None:
    assert load_settings({}).webhooks == WebhookSettings()
    assert WebhookSettings().allow_private is False


def test_the_variables_are_read() -> None:
    webhooks = load_settings(
        {
            "TOPICSFLOW_WEBHOOKS_ALLOW_PRIVATE": "true",
            "TOPICSFLOW_WEBHOOKS_TIMEOUT_SECONDS": "2.5",
            "TOPICSFLOW_WEBHOOKS_RETRY_BASE_SECONDS": "0.5",
            "TOPICSFLOW_WEBHOOKS_RETRY_MAX_SECONDS": "60",
            "TOPICSFLOW_WEBHOOKS_DISABLE_AFTER": "7",
        }
    ).webhooks
    assert (
        webhooks.allow_private, webhooks.timeout_seconds, webhooks.retry_base_seconds,
        webhooks.retry_max_seconds, webhooks.disable_after,
    ) == (True, 2.5, 0.5, 60.0, 7)


def test_a_bad_value_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="TOPICSFLOW_WEBHOOKS_DISABLE_AFTER"):
        load_settings({"TOPICSFLOW_WEBHOOKS_DISABLE_AFTER": "0"})
