"""The node's offline delivery (docs/NOTIFICATIONS.md): its parts and their supervisor.

:func:`open_offline_delivery` builds, from the settings, the VAPID keys
(:func:`services.push.load_vapid_keys`, in a worker thread: file I/O), the push sender
(None when no key: Web Push is off), the delivery worker
(:class:`~actors.users.offline_delivery.OfflineDelivery`) reading the node's
:class:`~actors.users.offline_delivery.OfflineInbox`, and the digest job
(:class:`~services.digest.DigestJob`).  :func:`offline_delivery_supervisor` runs the
worker and the digest job as two restartable children of one supervisor.
"""

from __future__ import annotations

import dataclasses
import email.utils

import trio

from actors.users.offline_delivery import OfflineDelivery, OfflineInbox, RefFactory
from services.digest import DigestJob
from services.email import Mailer
from services.push import PushSender, VapidKeys, load_vapid_keys
from storage.protocols import Store
from supervisors.child import ChildSpec
from supervisors.supervisor import Supervisor
from topicsflow.settings import Profile, Settings


@dataclasses.dataclass(frozen=True, slots=True)
class OfflineDeliveryRuntime:
    """The running parts of offline delivery; ``keys`` is None when Web Push is off."""

    keys: VapidKeys | None
    worker: OfflineDelivery
    digest: DigestJob


def vapid_subject(settings: Settings) -> str:
    """The VAPID ``sub`` claim: the configured one, else ``mailto:`` the sender address."""
    if settings.delivery.vapid_subject:
        return settings.delivery.vapid_subject
    address = email.utils.parseaddr(settings.email_from)[1] or "admin@topicsflow.invalid"
    return f"mailto:{address}"


async def open_offline_delivery(
    settings: Settings, store: Store, mailer: Mailer, ref: RefFactory, inbox: OfflineInbox
) -> OfflineDeliveryRuntime:
    """The parts for ``settings`` (see the module docstring)."""
    delivery = settings.delivery
    keys = await trio.to_thread.run_sync(
        lambda: load_vapid_keys(
            delivery.vapid_private_key, settings.data_dir,
            generate=settings.profile is not Profile.PRODUCTION,
        )
    )
    push = None if keys is None else PushSender(
        keys, vapid_subject(settings), timeout=delivery.push_timeout_seconds,
        allow_private=delivery.push_allow_private,
    )
    digest = DigestJob(
        store, mailer, secret_key=settings.secret_key, public_url=settings.public_url,
        interval=delivery.digest_seconds, poll=delivery.digest_poll_seconds,
        items=delivery.digest_items,
    )
    worker = OfflineDelivery(
        inbox, store, ref, push, delivery, wake_digest=lambda: digest.wake.set()
    )
    return OfflineDeliveryRuntime(keys=keys, worker=worker, digest=digest)


def offline_delivery_supervisor(runtime: OfflineDeliveryRuntime) -> Supervisor:
    """A supervisor restarting the worker or the digest job after a crash."""
    return Supervisor(
        "offline-delivery",
        [
            ChildSpec("offline-delivery", runtime.worker.run),
            ChildSpec("digest", runtime.digest.run),
        ],
    )
