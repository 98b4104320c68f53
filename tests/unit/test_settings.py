"""Settings: defaults, validation messages naming the variable, profile rules."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from topicsflow.settings import Profile, SettingsError, load_settings

KEY = "k" * 40


def test_defaults_use_the_embedded_store_and_in_process_bus() -> None:
    settings = load_settings({})
    assert settings.profile is Profile.DEVELOPMENT
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == Path("data")
    assert settings.uses_embedded_store and not settings.uses_redis
    assert len(settings.secret_key) >= 32


def test_values_are_parsed() -> None:
    settings = load_settings({
        "TOPICSFLOW_PROFILE": "Production",
        "TOPICSFLOW_SECRET_KEY": KEY,
        "TOPICSFLOW_PORT": "9000",
        "TOPICSFLOW_MONGODB_URL": "mongodb://db.internal:27017/",
        "TOPICSFLOW_REDIS_URL": "redis://cache:6379/0",
        "TOPICSFLOW_CORS_ORIGINS": "https://a.example, https://b.example/",
        "TOPICSFLOW_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
        "TOPICSFLOW_LOG_LEVEL": "debug",
        "TOPICSFLOW_REDIS_PREFIX": "eu-1.topicsflow",
        "TOPICSFLOW_BATCH_LINGER_MS": "2.5",
        "TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS": "600",
    })
    assert settings.profile is Profile.PRODUCTION
    assert settings.port == 9000
    assert not settings.uses_embedded_store and settings.uses_redis
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert ipaddress.ip_address("10.1.2.3") in settings.trusted_proxies[0]
    assert settings.log_level == "DEBUG"
    assert settings.redis_prefix == "eu-1.topicsflow"
    assert settings.batch_linger_ms == 2.5
    assert load_settings({}).batch_linger_ms == 10.0
    assert settings.heartbeat_timeout_seconds == 600.0
    assert load_settings({}).heartbeat_timeout_seconds == 60.0


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TOPICSFLOW_PORT", "eighty", "expected an integer between 1 and 65535, got 'eighty'"),
        ("TOPICSFLOW_PORT", "70000", "expected an integer between 1 and 65535"),
        ("TOPICSFLOW_PROFILE", "staging", "expected one of development, production, testing"),
        ("TOPICSFLOW_MONGODB_URL", "postgres://x", "expected a URL starting with mongodb://"),
        ("TOPICSFLOW_REDIS_URL", "localhost:6379", "expected a URL starting with redis://"),
        ("TOPICSFLOW_CORS_ORIGINS", "example.org", "expected a comma-separated list of origins"),
        ("TOPICSFLOW_TRUSTED_PROXIES", "proxy.local", "expected a comma-separated list of IP"),
        ("TOPICSFLOW_SECRET_KEY", "short", "expected at least 32 characters"),
        ("TOPICSFLOW_REDIS_PREFIX", "a:b", "expected 1 to 64 letters, digits"),
        ("TOPICSFLOW_BATCH_LINGER_MS", "500", "between 0"),
        ("TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS", "5", "between 10"),
    ],
)
def test_invalid_values_name_the_variable(variable: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")
    assert expected in str(caught.value)


def test_secrets_are_never_echoed_in_errors_or_repr() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"TOPICSFLOW_MONGODB_URL": "ftp://user:hunter2@host"})
    assert "hunter2" not in str(caught.value)
    settings = load_settings({
        "TOPICSFLOW_SECRET_KEY": KEY,
        "TOPICSFLOW_REDIS_URL": "redis://:hunter2@cache:6379/0",
    })
    assert KEY not in repr(settings) and "hunter2" not in repr(settings)


def test_production_requires_a_secret_and_refuses_wildcard_cors() -> None:
    with pytest.raises(SettingsError, match="TOPICSFLOW_SECRET_KEY: required"):
        load_settings({"TOPICSFLOW_PROFILE": "production"})
    with pytest.raises(SettingsError, match="TOPICSFLOW_CORS_ORIGINS: a wildcard"):
        load_settings({
            "TOPICSFLOW_PROFILE": "production",
            "TOPICSFLOW_SECRET_KEY": KEY,
            "TOPICSFLOW_CORS_ORIGINS": "*",
        })


def test_email_backends_require_their_settings() -> None:
    assert load_settings({}).email_backend == "outbox"
    with pytest.raises(SettingsError, match="TOPICSFLOW_SMTP_HOST: required"):
        load_settings({"TOPICSFLOW_EMAIL_BACKEND": "smtp"})
    with pytest.raises(SettingsError, match="TOPICSFLOW_SENDGRID_API_KEY: required"):
        load_settings({"TOPICSFLOW_EMAIL_BACKEND": "sendgrid"})
    smtp = load_settings({
        "TOPICSFLOW_EMAIL_BACKEND": "SMTP",
        "TOPICSFLOW_SMTP_HOST": "mail.example",
        "TOPICSFLOW_SMTP_STARTTLS": "off",
    })
    assert smtp.email_backend == "smtp"
    assert smtp.smtp_host == "mail.example"
    assert smtp.smtp_starttls is False
    with pytest.raises(SettingsError, match="TOPICSFLOW_SMTP_STARTTLS: expected true or false"):
        load_settings({"TOPICSFLOW_SMTP_STARTTLS": "maybe"})
