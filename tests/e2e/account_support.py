"""Helpers of the export and deletion tests (not a test module)."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import httpx

from actors.users.account_jobs import AccountJobs, AccountJobsParts
from actors.users.notification_feed import Notify
from services.email import EmailMessage, OutboxMailer
from storage.blob import LocalBlobStore
from tests.auth_support import Account
from tests.e2e.community_support import Person
from topicsflow.node import NodeHandle


def person(node: NodeHandle, account: Account) -> Person:
    """``account`` as a community :class:`Person` (its REST client: close it)."""
    api = httpx.AsyncClient(
        base_url=node.base_url, headers={"Authorization": f"Bearer {account.token}"}
    )
    return Person(user_id=account.user_id, token=account.token, api=api)


@dataclasses.dataclass
class JobsUnderTest:
    """The account jobs over a node's own stores, driven by a test's clock."""

    jobs: AccountJobs
    notified: list[tuple[str, Notify]]
    parts: AccountJobsParts


def jobs_for(node: NodeHandle, *, name: str = "test") -> JobsUnderTest:
    """A second worker of the account jobs over ``node``'s store, blobs, sessions and
    sockets (claiming as ``name``).

    The node runs its own actor (woken on export requests and by its schedule); a test
    calls ``run_once(now=…)`` on this one to pass a grace period or a claim's expiry
    without waiting.
    """
    context = node.context
    assert context.store is not None and context.sessions is not None
    mailer = context.mailer
    assert isinstance(mailer, OutboxMailer)
    settings = context.settings
    blobs = LocalBlobStore(settings.data_dir / "blobs", secret=b"s" * 32, base_url="http://x")
    notified: list[tuple[str, Notify]] = []

    async def notify(user_id: str, message: Notify) -> None:
        notified.append((user_id, message))

    async def mail(message: EmailMessage) -> None:
        mailer.messages.append(message)

    gateway = context.gateway
    parts = AccountJobsParts(
        store=context.store,
        sessions=context.sessions,
        mail=mail,
        link_for=lambda export: f"/unused/{export.id}",
        node=name,
        clock=time.time,
        blobs=lambda: blobs,
        connections=lambda: gateway,
    )
    return JobsUnderTest(AccountJobs(parts, notify), notified, parts)


def archive_text(files: dict[str, bytes]) -> str:
    """Every file of an archive, decoded, for looking for what must not be there."""
    return "\n".join(data.decode("utf-8", "replace") for data in files.values())


def entries(document: Any) -> list[Any]:
    assert isinstance(document, list)
    return document
