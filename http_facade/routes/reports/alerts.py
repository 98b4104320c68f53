"""Report alerts: a new report notifies those who handle it, live.

Contract:

* Recipients: the owner and moderators of the report's topic (when it has one; at most
  :data:`MAX_ALERTED`) and the admins (at most :data:`MAX_ALERTED`), once each — never
  the reporter, and never the reported item's author (a moderator reported does not
  learn who reported them from an alert).
* Each gets a ``report`` notification through their feed actor: stored, then published
  on ``user:<id>`` (their open connections see it at once).  It names the report and
  the item's kind and carries the reason; not the reporter (``actor_id`` is empty).
* Best effort: the report is stored whatever happens to the alerts (``tell``, logged).
"""

from __future__ import annotations

from actors.users.notification_feed import NOTIFICATION_FEED, Notify
from http_facade.node_access import registry, store, tell_actor
from protocol.enums import NotificationKind
from storage.records import Report

MAX_ALERTED = 50
"""Moderators, and admins, alerted per report at most."""
SNIPPET = 200


async def alert_handlers(report: Report, author_id: str | None) -> list[str]:
    """Notify the handlers of a new ``report`` (see the module); returns who was told."""
    support = store().support
    handlers: list[str] = []
    if report.topic_id is not None:
        handlers.extend(await support.topic_moderator_ids(report.topic_id, limit=MAX_ALERTED))
    handlers.extend(await support.admin_ids(limit=MAX_ALERTED))
    excluded = {report.reporter_id, author_id}
    recipients = [user_id for user_id in dict.fromkeys(handlers) if user_id not in excluded]
    notice = Notify(
        kind=NotificationKind.REPORT,
        title=f"New report of a {report.item_kind.replace('_', ' ')}",
        body=report.reason[:SNIPPET],
        object_id=report.id,
        link=f"/moderation/reports/{report.id}",
    )
    nodes = registry()
    for user_id in recipients:
        await tell_actor(nodes, NOTIFICATION_FEED, user_id, notice)
    return recipients
