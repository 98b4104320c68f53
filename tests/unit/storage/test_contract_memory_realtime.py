"""The realtime contract (and the session contract) on the in-process twins."""

import pytest

from storage.protocols import SessionStore
from storage.realtime import Realtime
from tests.unit.storage.contract_leases import *  # noqa: F403
from tests.unit.storage.contract_realtime import *  # noqa: F403
from tests.unit.storage.contract_sessions import *  # noqa: F403


@pytest.fixture
def sessions(realtime: Realtime) -> SessionStore:
    return realtime.sessions
