"""A store, hub and registry running the community actors on a fake clock (not tests)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

from actors.community.topic_commands import TOPIC
from actors.realtime.hub import Hub
from services.principal import Principal
from storage import Store
from supervisors.domain import actor_kinds
from supervisors.registry import Registry, open_registry
from tests.unit.storage.support import FakeClock

ALIAS_SECRET = "alias-secret-for-tests-" * 2


@dataclasses.dataclass(frozen=True)
class Community:
    """The pieces of a node the topic, post and feed actors need."""

    store: Store
    hub: Hub
    registry: Registry
    clock: FakeClock

    async def ask_topic(self, topic_id: str, message: object) -> Any:
        return await self.registry.ref(TOPIC, topic_id).ask(message)

    async def user(self, name: str) -> Principal:
        """A stored user, as the principal of a session."""
        user = await self.store.users.create(
            username=name, email=f"{name}@example.org", password_hash="unused"
        )
        return Principal(user_id=user.id, session_id=f"session-{name}")


@contextlib.asynccontextmanager
async def open_community(store: Store, clock: FakeClock) -> AsyncIterator[Community]:
    """Run the node's actor kinds over ``store`` until the block ends."""
    hub = Hub()
    kinds = actor_kinds(store, hub, alias_secret=ALIAS_SECRET, clock=clock.time)
    async with open_registry(kinds) as registry:
        yield Community(store=store, hub=hub, registry=registry, clock=clock)

