"""The admin content and trash end-to-end tests on a node over the Mongo-wire server."""

import pytest

from tests.e2e.test_admin_content import *  # noqa: F403
from tests.integration.test_community_mongo import node  # noqa: F401

pytestmark = pytest.mark.mongo
