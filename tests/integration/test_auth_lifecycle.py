"""The whole auth lifecycle on a live node, on the embedded store and on the services."""

from __future__ import annotations

from services.passwords import PasswordHasher
from tests.auth_support import AuthDriver
from tests.integration.auth_flow import RESET_PASSWORD, full_lifecycle
from topicsflow.node import NodeHandle


async def test_the_whole_auth_lifecycle(live_node: NodeHandle, live_driver: AuthDriver) -> None:
    secrets = await full_lifecycle(live_node, live_driver)
    store = live_node.context.store
    assert store is not None and live_node.context.sessions is not None
    user = await store.users.find_by_username("alice")
    assert user is not None
    # What is stored is digests: argon2id for the password, nothing usable for the rest.
    assert user.password_hash.startswith("$argon2id$")
    assert (await PasswordHasher().verify(user.password_hash, RESET_PASSWORD)).matched
    assert user.totp_secret is None and user.backup_code_hashes == ()
    stored = str(user) + str(await live_node.context.sessions.list_for_user(user.id))
    for secret in secrets:
        assert secret not in stored
