"""The content filter as the domain actors apply it to what users write.

:func:`screen` checks one text: a ``reject`` verdict becomes a
:class:`~services.errors.DomainError` (``invalid``), otherwise the verdict is returned and
the caller stores ``verdict.text`` (masked when a ``mask`` rule matched).
:func:`report_flagged` files a ``flag`` verdict for the moderators' review as a report
from the content filter; one report per item, repeats are ignored.
"""

from __future__ import annotations

import contextlib

from protocol.errors import ErrorCode
from services.content_filter import ContentFilter, Verdict
from services.errors import DomainError
from storage.errors import Conflict
from storage.protocols import Store
from topicsflow.content_rules import Context

CONTENT_FILTER_REPORTER = "content-filter"
"""The reporter id of the reports the content filter files."""


def screen(content_filter: ContentFilter, text: str, context: Context) -> Verdict:
    """The verdict on ``text``; ``invalid`` when a reject rule matched."""
    verdict = content_filter.check(text, context=context)
    if verdict.action == "reject":
        raise DomainError(ErrorCode.INVALID, f"the {context} was refused by the content filter")
    return verdict


async def report_flagged(
    store: Store, verdict: Verdict, *, item_kind: str, item_id: str, topic_id: str | None = None
) -> None:
    """Queue a flagged item for review (no-op for other verdicts)."""
    if verdict.action != "flag":
        return
    with contextlib.suppress(Conflict):
        await store.reports.create(
            reporter_id=CONTENT_FILTER_REPORTER, item_kind=item_kind, item_id=item_id,
            reason="content_filter", details=", ".join(verdict.matched), topic_id=topic_id,
        )
