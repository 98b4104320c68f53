"""Retention settings (``TOPICSFLOW_RETENTION_*``): how long the retention job keeps things.

Read by :func:`topicsflow.settings.load_settings` into :attr:`Settings.retention`; the
node hands them to :class:`supervisors.retention.RetentionJob`.  See docs/MODERATION.md.
"""

from __future__ import annotations

import dataclasses

DAY_SECONDS = 24 * 3600.0
HOUR_SECONDS = 3600.0


@dataclasses.dataclass(frozen=True, slots=True)
class RetentionSettings:
    """Retention periods, each in the unit its variable names."""

    deleted_days: float = 30.0
    """``TOPICSFLOW_RETENTION_DELETED_DAYS``: soft-deleted posts and comments stay
    restorable this long, then their content is purged."""
    invitation_days: float = 30.0
    """``TOPICSFLOW_RETENTION_INVITATION_DAYS``: pending topic and room invitations
    older than this are withdrawn."""
    stale_call_hours: float = 12.0
    """``TOPICSFLOW_RETENTION_CALL_HOURS``: a call still open in the log after this long
    is asked of its actor, which ends it as ``failed`` unless it is really live."""
    interval_seconds: float = 3600.0
    """``TOPICSFLOW_RETENTION_INTERVAL_SECONDS``: time between two sweeps."""

    @property
    def deleted_seconds(self) -> float:
        return self.deleted_days * DAY_SECONDS

    @property
    def invitation_seconds(self) -> float:
        return self.invitation_days * DAY_SECONDS

    @property
    def stale_call_seconds(self) -> float:
        return self.stale_call_hours * HOUR_SECONDS
