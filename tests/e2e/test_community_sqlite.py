"""The topic, post and comment contracts on a live node with the embedded SQLite store."""

from tests.e2e.community_support import people  # noqa: F401
from tests.e2e.contract_community_comments import *  # noqa: F403
from tests.e2e.contract_community_concurrency import *  # noqa: F403
from tests.e2e.contract_community_members import *  # noqa: F403
from tests.e2e.contract_community_posts import *  # noqa: F403
from tests.e2e.contract_community_realtime import *  # noqa: F403
from tests.e2e.contract_community_topics import *  # noqa: F403
