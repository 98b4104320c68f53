"""The storage contract on the Mongo-wire server (FerretDB in the suite)."""

import pytest

from storage import Store
from storage.protocols import SessionStore
from tests.unit.storage.contract_activity import *  # noqa: F403
from tests.unit.storage.contract_chat import *  # noqa: F403
from tests.unit.storage.contract_direct import *  # noqa: F403
from tests.unit.storage.contract_feeds import *  # noqa: F403
from tests.unit.storage.contract_identity import *  # noqa: F403
from tests.unit.storage.contract_moderation import *  # noqa: F403
from tests.unit.storage.contract_posts import *  # noqa: F403
from tests.unit.storage.contract_room_log import *  # noqa: F403
from tests.unit.storage.contract_sessions import *  # noqa: F403
from tests.unit.storage.contract_topics import *  # noqa: F403

pytestmark = pytest.mark.mongo


@pytest.fixture
def store(mongo_store: Store) -> Store:
    return mongo_store


@pytest.fixture
def sessions(mongo_store: Store) -> SessionStore:
    return mongo_store.sessions
