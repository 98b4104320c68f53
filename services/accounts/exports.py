"""Data exports: asking for one, and the signed single-use link that downloads it.

Contract:

* :func:`request_export` (the route demands a recent authentication) records a
  ``pending`` export unless one is pending or being built (then that one is returned);
  at most :data:`EXPORTS_PER_USER` requests per day.  The node's account-jobs actor
  (:mod:`actors.users.account_jobs_actor`) builds it in the background, then announces
  it by notification and email with a link.
* The link is ``/api/exports/{id}/download?expires=…&signature=…``: an HMAC-SHA256 of
  the id and expiry under a key derived from the node's secret
  (:func:`sign_export_link`), valid until the archive's ``expires_at``
  (:data:`LINK_LIFETIME_SECONDS` after it was built).
* :func:`claim_download` checks the signature (constant time) and the expiry, then
  claims the ``ready`` export for one download, atomically, for
  :data:`DOWNLOAD_CLAIM_SECONDS`: while it is claimed (and once it is spent), any other
  use of the link, like any bad or expired link, is ``not_found``.
  :func:`finish_download` spends the link (``ready → downloaded``) once the whole archive
  was read; :func:`release_download` gives the claim back when the read failed, so the
  link still works.  A download whose node died mid-way frees the link when its claim
  lapses.  The link is therefore spent exactly once, by a complete read.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.throttle import Limit, spend_attempt
from services.errors import DomainError
from storage.errors import Conflict, NotFound
from storage.records.security import AccountRequest

EXPORTS_PER_USER = Limit(3, 86400.0)
LINK_LIFETIME_SECONDS = 48 * 3600.0
INVALID_LINK = "the download link is not valid, has expired or was used"
DOWNLOAD_CLAIM_SECONDS = 600.0


def link_key(secret_key: str) -> bytes:
    """The HMAC key of export links, derived from the node's secret."""
    return hashlib.sha256(b"topicsflow-export-links\n" + secret_key.encode()).digest()


def sign_export_link(key: bytes, export_id: str, expires_at: int) -> str:
    """The hex signature of a download link for ``export_id`` valid until ``expires_at``."""
    return hmac.new(key, f"{export_id}\n{expires_at}".encode(), hashlib.sha256).hexdigest()


def export_link(public_url: str, key: bytes, export: AccountRequest) -> str:
    """The full download link of a ready export."""
    expires_at = int(export.expires_at or 0)
    signature = sign_export_link(key, export.id, expires_at)
    return (
        f"{public_url.rstrip('/')}/api/exports/{export.id}/download"
        f"?expires={expires_at}&signature={signature}"
    )


async def request_export(
    services: AccountServices, user_id: str, client: ClientInfo
) -> AccountRequest:
    """Ask for an archive of the user's data; see the module docstring."""
    requests = services.secured().requests
    for existing in await requests.list_for_user(user_id, "export", limit=5):
        if existing.state in ("pending", "building"):
            return existing
    await spend_attempt(services.limiter, f"export:{user_id}", EXPORTS_PER_USER, "exports")
    export = await requests.create(user_id=user_id, kind="export", due_at=services.clock())
    await record_event(services, user_id, "export_requested", client=client)
    return export


async def list_exports(services: AccountServices, user_id: str) -> list[AccountRequest]:
    """The user's recent exports, newest first."""
    return await services.secured().requests.list_for_user(user_id, "export", limit=20)


async def claim_download(
    services: AccountServices,
    key: bytes,
    export_id: str,
    expires_at: int,
    signature: str,
    *,
    claimant: str,
) -> AccountRequest:
    """The export a valid, unused link names, now claimed for ``claimant``'s download."""
    expected = sign_export_link(key, export_id, expires_at)
    now = services.clock()
    if not hmac.compare_digest(expected, signature) or expires_at <= now:
        raise DomainError(ErrorCode.NOT_FOUND, INVALID_LINK)
    claimed = await services.secured().requests.claim(
        export_id, from_states=("ready",), to_state="ready", claimant=claimant, now=now,
        until=now + DOWNLOAD_CLAIM_SECONDS,
    )
    if claimed is None:  # unknown, not ready (deletions never are), in use or spent
        raise DomainError(ErrorCode.NOT_FOUND, INVALID_LINK)
    return claimed


async def finish_download(services: AccountServices, export_id: str, claimant: str) -> bool:
    """Spend the link of a download that read the whole archive; False when the claim
    was lost meanwhile (it lapsed and another download took it)."""
    try:
        await services.secured().requests.transition(
            export_id, from_states=("ready",), to_state="downloaded", claimant=claimant
        )
    except (Conflict, NotFound):
        return False
    return True


async def release_download(services: AccountServices, export_id: str, claimant: str) -> None:
    """Give back the claim of a download that failed: the link works again."""
    with contextlib.suppress(Conflict, NotFound):
        await services.secured().requests.transition(
            export_id, from_states=("ready",), to_state="ready", claimant=claimant
        )
