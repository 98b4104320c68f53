"""The account-jobs actor under failure, end to end on each store.

* A build that crashes the actor is retried by its restarted incarnation, and the
  export completes.
* An export and a deletion left ``building`` by a node that died are completed by
  another worker once their claims lapsed (a fake ``now``), not before; meanwhile the
  deletion cannot be cancelled.
* A download whose archive cannot be read does not spend the link; the next one does,
  once.
* An export whose builds keep dying becomes ``failed`` after its attempts.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import AsyncIterator

import httpx
import pytest

from actors.users import account_export_job
from actors.users.account_commands import ACCOUNT_JOBS, ACCOUNT_JOBS_ID
from actors.users.account_export import Archive
from actors.users.account_export import build_zip as real_zip
from actors.users.account_jobs import CLAIM_SECONDS, MAX_EXPORT_ATTEMPTS
from services.email import OutboxMailer
from storage.blob import LocalBlobStore
from tests.auth_support import AuthDriver, bearer
from tests.e2e.account_support import jobs_for
from tests.e2e.community_support import ok
from tests.store_support import on_each_store
from topicsflow.node import NodeHandle

pytestmark = on_each_store("node")


@pytest.fixture
async def driver(node: NodeHandle) -> AsyncIterator[AuthDriver]:
    assert isinstance(node.context.mailer, OutboxMailer)
    async with httpx.AsyncClient(base_url=node.base_url) as client:
        yield AuthDriver(client, node.context.mailer)


async def export_link(driver: AuthDriver, email: str) -> str:
    """The path and query of the download link mailed to ``email``."""
    (mail,) = await driver.mail(email, "data export is ready")
    (link,) = mail.links
    parts = urllib.parse.urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_a_crashing_build_is_restarted_and_the_export_completes(
    node: NodeHandle, driver: AuthDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    async def crashing_once(archive: Archive) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("injected failure in the builder")
        return await real_zip(archive)

    monkeypatch.setattr(account_export_job, "build_zip", crashing_once)
    account = await driver.signup("alice")
    requested = ok(await driver.client.post("/api/auth/export",
                                            headers=bearer(account.token)), 202)
    link = await export_link(driver, account.email)
    assert len(calls) == 2
    registry, store = node.context.registry, node.context.store
    assert registry is not None and store is not None
    statistics = registry.actor_statistics(ACCOUNT_JOBS, ACCOUNT_JOBS_ID)
    assert statistics is not None and statistics.restarts >= 1
    export = await store.account_requests.get(requested["id"])
    assert (export.state, export.attempts, export.claimed_by) == ("ready", 2, "")
    downloaded = await driver.client.get(link)
    assert downloaded.status_code == 200 and downloaded.content.startswith(b"PK")


async def test_work_left_building_by_a_dead_node_is_completed_once_its_claim_lapses(
    node: NodeHandle, driver: AuthDriver
) -> None:
    store = node.context.store
    assert store is not None
    requests = store.account_requests
    account = await driver.signup("alice")
    headers = bearer(account.token)
    due_at = ok(await driver.client.post("/api/auth/deletion", headers=headers),
                202)["due_at"] / 1000
    export = await requests.create(user_id=account.user_id, kind="export", due_at=0.0)
    # A node claims both, then dies: its claims hold until `lapse`.
    start = due_at + 1
    lapse = start + CLAIM_SECONDS
    for request_id in (export.id, (await requests.list_due("deletion", now=start))[0].id):
        claimed = await requests.claim(request_id, from_states=("pending",),
                                       to_state="building", claimant="dead-node/1",
                                       now=start, until=lapse)
        assert claimed is not None
    survivor = jobs_for(node, name="survivor")
    assert await survivor.jobs.run_once(now=lapse - 1) == 0
    assert (await requests.get(export.id)).state == "building"
    # While the erasure is claimed, it is still scheduled and can no longer be cancelled.
    assert ok(await driver.client.get("/api/auth/deletion", headers=headers))["scheduled"]
    refused = await driver.client.delete("/api/auth/deletion", headers=headers)
    assert refused.status_code == 409, refused.text

    assert await survivor.jobs.run_once(now=lapse + 1) == 2
    assert [notice.kind for _, notice in survivor.notified] == ["export_ready"]
    tombstone = await store.users.get(account.user_id)
    assert tombstone.email.endswith("@deleted.invalid")
    audit = await store.reports.list_audit(target_id=account.user_id)
    assert [entry.action for entry in audit] == ["account_deleted"]
    (deletion,) = await requests.list_for_user(account.user_id, "deletion")
    assert (deletion.state, deletion.attempts) == ("done", 2)
    assert await survivor.jobs.run_once(now=lapse + 2) == 0


async def test_a_failed_archive_read_leaves_the_link_usable(
    node: NodeHandle, driver: AuthDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await driver.signup("alice")
    ok(await driver.client.post("/api/auth/export", headers=bearer(account.token)), 202)
    link = await export_link(driver, account.email)

    @contextlib.asynccontextmanager
    async def unreadable(self: LocalBlobStore, key: str) -> AsyncIterator[AsyncIterator[bytes]]:
        raise OSError("injected failure reading the archive")
        yield  # pragma: no cover - makes this a generator

    with monkeypatch.context() as patched:
        patched.setattr(LocalBlobStore, "download", unreadable)
        failed = await driver.client.get(link)
        assert failed.status_code == 503, failed.text
        assert failed.json()["error"]["code"] == "unavailable"
    listed = ok(await driver.client.get("/api/auth/export", headers=bearer(account.token)))
    assert listed["exports"][0]["state"] == "ready"
    downloaded = await driver.client.get(link)
    assert downloaded.status_code == 200 and downloaded.content.startswith(b"PK")
    again = await driver.client.get(link)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
    listed = ok(await driver.client.get("/api/auth/export", headers=bearer(account.token)))
    assert listed["exports"][0]["state"] == "downloaded"


async def test_an_export_whose_builds_keep_dying_fails_after_its_attempts(
    node: NodeHandle, driver: AuthDriver
) -> None:
    store = node.context.store
    assert store is not None
    requests = store.account_requests
    account = await driver.signup("alice")
    export = await requests.create(user_id=account.user_id, kind="export", due_at=0.0)
    moment = 1.0
    for attempt in range(MAX_EXPORT_ATTEMPTS):
        claimed = await requests.claim(export.id, from_states=("pending", "building"),
                                       to_state="building", claimant=f"dead/{attempt}",
                                       now=moment, until=moment + CLAIM_SECONDS)
        assert claimed is not None
        moment += CLAIM_SECONDS + 1
    survivor = jobs_for(node, name="survivor")
    assert await survivor.jobs.run_once(now=moment) == 0
    failed = await requests.get(export.id)
    assert (failed.state, failed.error, failed.claimed_by) == ("failed", "build failed", "")
    assert survivor.notified == []
