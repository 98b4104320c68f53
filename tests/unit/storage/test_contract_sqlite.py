"""The storage contract on the embedded SQLite store (in memory)."""

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
