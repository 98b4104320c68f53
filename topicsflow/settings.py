"""The node's settings: one frozen object parsed once from ``TOPICSFLOW_*`` variables.

Contract:

* :func:`load_settings` reads a mapping (``os.environ`` by default), validates every value
  and returns a frozen :class:`Settings`.  The first invalid or missing value raises
  :class:`SettingsError` whose message names the variable, states what was expected and
  (except for secrets) what was found.  The CLI prints that one line and exits with 2.
* Profiles follow the seed's ``config.py``: ``development`` (default), ``production`` and
  ``testing``.  Production refuses to start without ``TOPICSFLOW_SECRET_KEY`` and with
  wildcard CORS.
* No ``TOPICSFLOW_MONGODB_URL`` means the embedded SQLite store under
  ``TOPICSFLOW_DATA_DIR``; no ``TOPICSFLOW_REDIS_URL`` means in-process sessions, caches,
  rate limits and bus.
* ``TOPICSFLOW_CONTENT_RULES`` names the content filter's rules file; it is read and
  validated here, once, so a bad file stops the start like any other bad value.
* ``TOPICSFLOW_CLUSTER=true`` turns on cluster mode (:mod:`topicsflow.cluster_settings`).
* ``TOPICSFLOW_RETENTION_*`` set the retention job's periods
  (:mod:`topicsflow.retention_settings`).
* ``TOPICSFLOW_WEBHOOKS_*`` set the outgoing webhooks' limits and target policy
  (:mod:`topicsflow.webhook_settings`).
* Secrets (:attr:`Settings.secret_key`, connection strings) are never part of ``repr``.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
import os
import re
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from topicsflow.cluster_settings import (
    ClusterSettings,
    check_cluster,
    default_node_id,
    parse_node_id,
)
from topicsflow.content_rules import DEFAULT_CONTENT_RULES, ContentRules, load_content_rules
from topicsflow.delivery_settings import DeliverySettings
from topicsflow.retention_settings import RetentionSettings
from topicsflow.webhook_settings import WebhookSettings

PREFIX = "TOPICSFLOW_"
ValueType = TypeVar("ValueType")


class SettingsError(ValueError):
    """A setting is missing or invalid; ``str(error)`` is the one-line explanation."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class Profile(enum.StrEnum):
    """Which defaults apply: as the seed's ``FLASK_ENV`` did."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TESTING = "testing"


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Everything the node reads from its environment; see README for each variable."""

    profile: Profile = Profile.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    mongodb_url: str | None = dataclasses.field(default=None, repr=False)
    mongodb_database: str = "topicsflow"
    redis_url: str | None = dataclasses.field(default=None, repr=False)
    redis_prefix: str = "topicsflow"
    secret_key: str = dataclasses.field(default="", repr=False)
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[IpNetwork, ...] = ()
    max_request_bytes: int = 1_048_576
    max_upload_bytes: int = 10_485_760
    azure_blob_connection_string: str | None = dataclasses.field(default=None, repr=False)
    azure_blob_container: str = "topicsflow"
    ops_token: str | None = dataclasses.field(default=None, repr=False)
    otlp_endpoint: str | None = None
    """OTLP/HTTP traces endpoint (e.g. ``http://collector:4318/v1/traces``); None: no tracing."""
    log_level: str = "INFO"
    shutdown_grace_seconds: float = 10.0
    dependency_deadline_seconds: float = 1.5
    """Longest wait for one call to Redis or MongoDB before it fails 503 ``unavailable``
    (``storage.dependency``: each dependency also has a circuit breaker)."""
    heartbeat_timeout_seconds: float = 60.0
    """Silence after which a WebSocket is closed (4009); the protocol's default.  Clients
    are told (``authenticated``) to send some frame, a ``ping`` when idle, every 5/12 of
    it (25 s of 60).  Large deployments raise it to spend less on idle connections."""
    batch_linger_ms: float = 10.0
    """The longest a busy chat room waits for its next messages to batch them with one it
    holds (``supervisors.batch_linger``); 0 never waits."""
    public_url: str = "http://127.0.0.1:8000"
    email_backend: str = "outbox"
    email_from: str = "TopicsFlow <noreply@topicsflow.invalid>"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = dataclasses.field(default=None, repr=False)
    smtp_starttls: bool = True
    sendgrid_api_key: str | None = dataclasses.field(default=None, repr=False)
    content_rules: ContentRules = dataclasses.field(default=DEFAULT_CONTENT_RULES, repr=False)
    ice_servers: tuple[str, ...] = ()
    turn_secret: str | None = dataclasses.field(default=None, repr=False)
    tenor_api_key: str | None = dataclasses.field(default=None, repr=False)
    tenor_url: str = "https://tenor.googleapis.com/v2"
    webapp_path: str | None = None
    """Where the reference web app is served (``/`` in development); None: not served."""
    retention: RetentionSettings = dataclasses.field(default_factory=RetentionSettings)
    account_deletion_grace_seconds: float = 14 * 86400.0
    """How long a requested account deletion can be cancelled (docs/AUTH.md "Deletion")."""
    cluster: ClusterSettings | None = None
    """None: a single node (the default)."""
    webhooks: WebhookSettings = dataclasses.field(default_factory=WebhookSettings)
    """Outgoing webhooks (``TOPICSFLOW_WEBHOOKS_*``, docs/WEBHOOKS.md)."""
    delivery: DeliverySettings = dataclasses.field(default_factory=DeliverySettings)
    """Offline delivery: Web Push and the email digest (docs/NOTIFICATIONS.md)."""

    @property
    def uses_embedded_store(self) -> bool:
        """True when no MongoDB URL is configured and SQLite under ``data_dir`` is used."""
        return self.mongodb_url is None

    @property
    def uses_redis(self) -> bool:
        """True when Redis carries sessions, caches, rate limits and the bus."""
        return self.redis_url is not None


def _parse_int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"expected an integer between {low} and {high}") from None
        if not low <= value <= high:
            raise ValueError(f"expected an integer between {low} and {high}")
        return value

    return parse


def _parse_float(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"expected a number between {low} and {high}") from None
        if not low <= value <= high:
            raise ValueError(f"expected a number between {low} and {high}")
        return value

    return parse


def _parse_url(*schemes: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            prefixes = " or ".join(scheme + "://" for scheme in schemes)
            raise ValueError(f"expected a URL starting with {prefixes}")
        return raw

    return parse


def _parse_origins(raw: str) -> tuple[str, ...]:
    origins = tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())
    for origin in origins:
        if origin != "*" and not _looks_like_origin(origin):
            raise ValueError("expected a comma-separated list of origins like https://example.org")
    return origins


def _looks_like_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.path


def _parse_networks(raw: str) -> tuple[IpNetwork, ...]:
    try:
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError:
        message = "expected a comma-separated list of IP addresses or CIDR networks"
        raise ValueError(message) from None


def _parse_choice(*choices: str, upper: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    return parse


_parse_email_backend = _parse_choice("outbox", "smtp", "sendgrid")
_parse_log_level = _parse_choice("DEBUG", "INFO", "WARNING", "ERROR", upper=True)


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _parse_key_prefix(raw: str) -> str:
    value = raw.strip()
    allowed = all(char.isascii() and (char.isalnum() or char in "-_.") for char in value)
    if not 1 <= len(value) <= 64 or not allowed:
        raise ValueError("expected 1 to 64 letters, digits, '-', '_' or '.'")
    return value


def _parse_ice_servers(raw: str) -> tuple[str, ...]:
    urls = tuple(item.strip() for item in raw.split(",") if item.strip())
    for url in urls:
        scheme, _, rest = url.partition(":")
        if scheme not in ("stun", "stuns", "turn", "turns") or not rest.strip("/"):
            raise ValueError("expected comma-separated stun:, stuns:, turn: or turns: URLs")
    return urls


WEBAPP_PATH = re.compile(r"/(?:[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*)?")


def _parse_webapp_path(raw: str) -> str:
    """``/`` or ``/segment[/segment…]`` (letters, digits, ``_``, ``-``); ``off`` disables."""
    if raw.strip().lower() == "off":
        return ""
    if not WEBAPP_PATH.fullmatch(raw.strip()):
        raise ValueError("expected a path such as / or /app, or off")
    return raw.strip()


def _parse_nonempty(raw: str) -> str:
    if not raw.strip():
        raise ValueError("expected a non-empty value")
    return raw.strip()


class _Reader:
    """Reads one variable at a time and wraps parse failures in :class:`SettingsError`."""

    def __init__(self, environment: Mapping[str, str]) -> None:
        self._environment = environment

    def get(
        self, name: str, parse: Callable[[str], ValueType], *, secret: bool = False
    ) -> ValueType | None:
        variable = PREFIX + name
        raw = self._environment.get(variable)
        if raw is None or raw == "":
            return None
        try:
            return parse(raw)
        except ValueError as error:
            shown = "" if secret else f", got {raw[:80]!r}"
            raise SettingsError(variable, f"{error}{shown}") from None


def _load_cluster(reader: _Reader, explicit_secret: bool) -> ClusterSettings | None:
    if not reader.get("CLUSTER", _parse_bool):
        return None
    missing = check_cluster(
        redis_url=reader.get("REDIS_URL", _parse_nonempty, secret=True),
        mongodb_url=reader.get("MONGODB_URL", _parse_nonempty, secret=True),
        explicit_secret=explicit_secret,
    )
    if missing is not None:
        raise SettingsError(PREFIX + missing[0], missing[1])
    defaults = ClusterSettings(node_id="")
    return ClusterSettings(
        node_id=reader.get("NODE_ID", parse_node_id) or default_node_id(),
        peer_host=reader.get("CLUSTER_HOST", _parse_nonempty) or defaults.peer_host,
        peer_port=reader.get("CLUSTER_PORT", _parse_int(0, 65535)) or defaults.peer_port,
        advertise_host=reader.get("CLUSTER_ADVERTISE_HOST", _parse_nonempty),
        lease_seconds=reader.get("LEASE_SECONDS", _parse_float(0.5, 300.0))
        or defaults.lease_seconds,
    )


def _load_delivery(reader: _Reader) -> DeliverySettings:
    defaults = DeliverySettings()
    subject = reader.get("VAPID_SUBJECT", _parse_nonempty)
    if subject is not None and not subject.startswith(("mailto:", "https:")):
        raise SettingsError(PREFIX + "VAPID_SUBJECT", "expected a mailto: or https: URL")
    allow_private = reader.get("PUSH_ALLOW_PRIVATE", _parse_bool)
    timeout = reader.get("PUSH_TIMEOUT_SECONDS", _parse_float(0.5, 120.0))
    attempts = reader.get("PUSH_ATTEMPTS", _parse_int(1, 20))
    digest = reader.get("DIGEST_SECONDS", _parse_float(1.0, 7 * 86400.0))
    return dataclasses.replace(
        defaults,
        vapid_private_key=reader.get("VAPID_PRIVATE_KEY", _parse_nonempty, secret=True),
        vapid_subject=subject,
        push_allow_private=defaults.push_allow_private if allow_private is None else allow_private,
        push_timeout_seconds=defaults.push_timeout_seconds if timeout is None else timeout,
        push_attempts=defaults.push_attempts if attempts is None else attempts,
        digest_seconds=defaults.digest_seconds if digest is None else digest,
    )


def _load_webhooks(reader: _Reader) -> WebhookSettings:
    defaults = WebhookSettings()
    allow_private = reader.get("WEBHOOKS_ALLOW_PRIVATE", _parse_bool)
    timeout = reader.get("WEBHOOKS_TIMEOUT_SECONDS", _parse_float(0.5, 120.0))
    base = reader.get("WEBHOOKS_RETRY_BASE_SECONDS", _parse_float(0.01, 3600.0))
    cap = reader.get("WEBHOOKS_RETRY_MAX_SECONDS", _parse_float(0.01, 7 * 86400.0))
    disable_after = reader.get("WEBHOOKS_DISABLE_AFTER", _parse_int(1, 10_000))
    return dataclasses.replace(
        defaults,
        allow_private=defaults.allow_private if allow_private is None else allow_private,
        timeout_seconds=defaults.timeout_seconds if timeout is None else timeout,
        retry_base_seconds=defaults.retry_base_seconds if base is None else base,
        retry_max_seconds=defaults.retry_max_seconds if cap is None else cap,
        disable_after=defaults.disable_after if disable_after is None else disable_after,
    )


def _load_retention(reader: _Reader) -> RetentionSettings:
    defaults = RetentionSettings()

    def value(name: str, parse: Callable[[str], float], default: float) -> float:
        parsed = reader.get("RETENTION_" + name, parse)
        return default if parsed is None else parsed

    return RetentionSettings(
        deleted_days=value("DELETED_DAYS", _parse_float(0.0, 3650.0), defaults.deleted_days),
        invitation_days=value(
            "INVITATION_DAYS", _parse_float(0.0, 3650.0), defaults.invitation_days
        ),
        stale_call_hours=value(
            "CALL_HOURS", _parse_float(0.1, 24.0 * 365), defaults.stale_call_hours
        ),
        interval_seconds=value(
            "INTERVAL_SECONDS", _parse_float(1.0, 7 * 24 * 3600.0), defaults.interval_seconds
        ),
    )


def listening_url(host: str, port: int) -> str:
    """``http://host:port`` of a node listening there: the public URL when none is set, so
    the links in a development node's mails open that node.  A wildcard address becomes
    the loopback one."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def load_settings(environment: Mapping[str, str] | None = None) -> Settings:
    """Parse and validate the settings; raise :class:`SettingsError` on the first problem."""
    reader = _Reader(os.environ if environment is None else environment)
    profile_name = reader.get("PROFILE", _parse_choice(*(p.value for p in Profile)))
    profile = Profile(profile_name or Profile.DEVELOPMENT)
    defaults = Settings()
    secret_key = reader.get("SECRET_KEY", _parse_nonempty, secret=True)
    explicit_secret = secret_key is not None
    if secret_key is None:
        if profile is Profile.PRODUCTION:
            raise SettingsError(PREFIX + "SECRET_KEY", "required in the production profile")
        secret_key = secrets.token_urlsafe(32)
    elif len(secret_key) < 32:
        raise SettingsError(PREFIX + "SECRET_KEY", "expected at least 32 characters")
    cors_origins = reader.get("CORS_ORIGINS", _parse_origins) or defaults.cors_origins
    if profile is Profile.PRODUCTION and "*" in cors_origins:
        raise SettingsError(PREFIX + "CORS_ORIGINS", "a wildcard is refused in production")

    def value(name: str, parse: Callable[[str], ValueType], default: ValueType) -> ValueType:
        parsed = reader.get(name, parse)
        return default if parsed is None else parsed

    email_backend = value("EMAIL_BACKEND", _parse_email_backend, defaults.email_backend)
    smtp_host = reader.get("SMTP_HOST", _parse_nonempty)
    sendgrid_api_key = reader.get("SENDGRID_API_KEY", _parse_nonempty, secret=True)
    if email_backend == "smtp" and smtp_host is None:
        raise SettingsError(PREFIX + "SMTP_HOST", "required when TOPICSFLOW_EMAIL_BACKEND=smtp")
    if email_backend == "sendgrid" and sendgrid_api_key is None:
        raise SettingsError(
            PREFIX + "SENDGRID_API_KEY", "required when TOPICSFLOW_EMAIL_BACKEND=sendgrid"
        )

    cluster = _load_cluster(reader, explicit_secret)
    host = value("HOST", _parse_nonempty, defaults.host)
    port = value("PORT", _parse_int(1, 65535), defaults.port)

    return Settings(
        cluster=cluster,
        profile=profile,
        host=host,
        port=port,
        data_dir=value("DATA_DIR", Path, defaults.data_dir),
        mongodb_url=reader.get("MONGODB_URL", _parse_url("mongodb", "mongodb+srv"), secret=True),
        mongodb_database=value("MONGODB_DATABASE", _parse_nonempty, defaults.mongodb_database),
        redis_url=reader.get("REDIS_URL", _parse_url("redis", "rediss", "unix"), secret=True),
        redis_prefix=value("REDIS_PREFIX", _parse_key_prefix, defaults.redis_prefix),
        secret_key=secret_key,
        cors_origins=cors_origins,
        trusted_proxies=value("TRUSTED_PROXIES", _parse_networks, defaults.trusted_proxies),
        max_request_bytes=value(
            "MAX_REQUEST_BYTES", _parse_int(1024, 1 << 30), defaults.max_request_bytes
        ),
        max_upload_bytes=value(
            "MAX_UPLOAD_BYTES", _parse_int(1024, 1 << 34), defaults.max_upload_bytes
        ),
        azure_blob_connection_string=reader.get(
            "AZURE_BLOB_CONNECTION_STRING", _parse_nonempty, secret=True
        ),
        azure_blob_container=value(
            "AZURE_BLOB_CONTAINER", _parse_nonempty, defaults.azure_blob_container
        ),
        ops_token=reader.get("OPS_TOKEN", _parse_nonempty, secret=True),
        otlp_endpoint=reader.get("OTLP_ENDPOINT", _parse_url("http", "https")),
        log_level=value("LOG_LEVEL", _parse_log_level, defaults.log_level),
        shutdown_grace_seconds=value(
            "SHUTDOWN_GRACE_SECONDS", _parse_float(0.0, 600.0), defaults.shutdown_grace_seconds
        ),
        dependency_deadline_seconds=value(
            "DEPENDENCY_DEADLINE_SECONDS", _parse_float(0.05, 60.0),
            defaults.dependency_deadline_seconds,
        ),
        heartbeat_timeout_seconds=value(
            "HEARTBEAT_TIMEOUT_SECONDS", _parse_float(10.0, 86400.0),
            defaults.heartbeat_timeout_seconds,
        ),
        batch_linger_ms=value(
            "BATCH_LINGER_MS", _parse_float(0.0, 100.0), defaults.batch_linger_ms
        ),
        public_url=value("PUBLIC_URL", _parse_url("http", "https"), listening_url(host, port)),
        email_backend=email_backend,
        email_from=value("EMAIL_FROM", _parse_nonempty, defaults.email_from),
        smtp_host=smtp_host,
        smtp_port=value("SMTP_PORT", _parse_int(1, 65535), defaults.smtp_port),
        smtp_username=reader.get("SMTP_USERNAME", _parse_nonempty),
        smtp_password=reader.get("SMTP_PASSWORD", _parse_nonempty, secret=True),
        smtp_starttls=value("SMTP_STARTTLS", _parse_bool, defaults.smtp_starttls),
        sendgrid_api_key=sendgrid_api_key,
        content_rules=value("CONTENT_RULES", load_content_rules, defaults.content_rules),
        ice_servers=value("ICE_SERVERS", _parse_ice_servers, defaults.ice_servers),
        turn_secret=reader.get("TURN_SECRET", _parse_nonempty, secret=True),
        tenor_api_key=reader.get("TENOR_API_KEY", _parse_nonempty, secret=True),
        tenor_url=value("TENOR_URL", _parse_url("http", "https"), defaults.tenor_url).rstrip("/"),
        webapp_path=value(
            "WEBAPP_PATH", _parse_webapp_path, "/" if profile is Profile.DEVELOPMENT else ""
        ) or None,
        retention=_load_retention(reader),
        webhooks=_load_webhooks(reader),
        delivery=_load_delivery(reader),
        account_deletion_grace_seconds=value(
            "ACCOUNT_DELETION_GRACE_SECONDS", _parse_float(0.0, 366 * 86400.0),
            defaults.account_deletion_grace_seconds,
        ),
    )
