"""``topicsflow bots seed``: create bot accounts and rooms on a node, write credentials.

Contract:

* ``--url URL`` (a running node's ``http(s)://`` address, local or remote, any store)
  seeds through the REST API (:mod:`bots.rest_seed`) with ``--token`` or
  ``TOPICSFLOW_OPS_TOKEN``: the node's ops token or an admin's session token.
* ``--data-dir DIR`` or ``--mongodb-url URL`` writes straight into that store instead
  (:mod:`bots.seed`), faster, and prints one line on stderr naming the store written
  (never its credentials).  ``TOPICSFLOW_*`` settings are never read for it.
* Exactly one of these is required; anything else exits 2 with one line.  So do bad
  counts and an ``--output`` whose directory does not exist (checked before seeding).
* The credentials go to ``--output`` (owner-only), a summary line to stdout.  A node or
  store that fails, refuses or cannot be reached exits 1 with one line: no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx
import trio

from bots.accounts import SeededAccounts
from bots.failures import BotsFailure, sole_error
from bots.node_api import NodeApi, parse_base_url
from bots.rest_seed import seed_over_rest
from bots.seed import seed_store
from bots.seed_plan import SeedPlan, parse_room_sizes, plan_seed
from bots.store_target import DEFAULT_DATABASE, StoreTarget
from storage.errors import StorageError, StorageUnavailable

EXIT_FAILED = 1
EXIT_USAGE = 2
OPS_TOKEN_VARIABLE = "TOPICSFLOW_OPS_TOKEN"  # noqa: S105 - the variable's name

DESCRIPTION = """\
Create bot users, each with a login session, and rooms they are members of; write
their session tokens to --output for `topicsflow bots run`.

Which node: --url, the base URL of a running node (http://host:port; local or remote,
whatever its stores). Accounts are made by POST /api/admin/bot-accounts with the
node's ops token (its TOPICSFLOW_OPS_TOKEN) or an admin's session token, given as
--token or in TOPICSFLOW_OPS_TOKEN; the bots then create their rooms and invite
each other in.

For speed, --data-dir DIR (a node's TOPICSFLOW_DATA_DIR: its embedded store) or
--mongodb-url URL writes straight into that store instead. Nothing is taken from the
TOPICSFLOW_* settings, and sessions written this way are not seen by nodes that keep
sessions in Redis (TOPICSFLOW_REDIS_URL): use --url for those.

The tokens work only on the node (or cluster) they were seeded for. Exit status: 0
done, 1 the node or store failed, 2 bad arguments."""


def add_seed_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``seed`` to the ``bots`` actions."""
    seed = actions.add_parser(
        "seed", help="create bot accounts and rooms on a node (--url) or in its store",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    node = seed.add_argument_group("seed through a running node (recommended)")
    node.add_argument("--url", help="the node's base URL, e.g. http://127.0.0.1:8000")
    node.add_argument(
        "--token", help=f"the node's ops token or an admin's session token "
        f"(default: {OPS_TOKEN_VARIABLE})",
    )
    store = seed.add_argument_group("or write straight into the node's store")
    store.add_argument("--data-dir", type=Path, help="the node's TOPICSFLOW_DATA_DIR")
    store.add_argument("--mongodb-url", help="the node's MongoDB URL")
    store.add_argument(
        "--mongodb-database", default=DEFAULT_DATABASE,
        help=f"database, unless the URL names one (default: {DEFAULT_DATABASE})",
    )
    seed.add_argument("--rooms", default="10", help="comma-separated room sizes (members)")
    seed.add_argument("--idle-users", type=int, default=0, help="users without a room")
    seed.add_argument(
        "--output", required=True, type=Path, help="where to write the credentials (JSON)"
    )


def run_seed(arguments: argparse.Namespace) -> int:
    """Carry out ``bots seed``; return the exit status (see the module docstring)."""
    try:
        if arguments.url is None and arguments.data_dir is None and arguments.mongodb_url is None:
            raise ValueError(
                "bots seed needs a node: --url http://HOST:PORT (or, to write straight into "
                "its store, --data-dir DIR or --mongodb-url URL)"
            )
        plan = plan_seed(parse_room_sizes(arguments.rooms), arguments.idle_users)
        output: Path = arguments.output
        if not output.parent.is_dir():
            raise ValueError(f"--output: no directory {output.parent}")
        if arguments.url is not None:
            if arguments.data_dir is not None or arguments.mongodb_url is not None:
                raise ValueError("--url seeds through the node: drop --data-dir/--mongodb-url")
            accounts = _seed_node(arguments, plan)
        else:
            accounts = _seed_store(arguments, plan)
    except ValueError as error:
        return _fail(str(error), EXIT_USAGE)
    except BotsFailure as failure:
        return _fail(str(failure), EXIT_FAILED)
    try:
        accounts.save(output)
    except OSError as error:
        return _fail(f"cannot write {output}: {error.strerror or error}", EXIT_FAILED)
    idle = len(accounts.idle_tokens)
    print(f"seeded {len(accounts.rooms)} rooms, {idle} idle users; credentials in {output}")
    return 0


def _seed_node(arguments: argparse.Namespace, plan: SeedPlan) -> SeededAccounts:
    """Seed through the node at ``--url`` (``ValueError`` for bad arguments)."""
    base_url = parse_base_url(arguments.url)
    token = arguments.token or os.environ.get(OPS_TOKEN_VARIABLE)
    if not token:
        raise ValueError(
            f"--url needs the node's ops token or an admin's session token: --token or "
            f"{OPS_TOKEN_VARIABLE}"
        )

    async def seed() -> SeededAccounts:
        async with httpx.AsyncClient() as http:
            return await seed_over_rest(NodeApi(base_url, http), token, plan)

    return trio.run(seed)


def _seed_store(arguments: argparse.Namespace, plan: SeedPlan) -> SeededAccounts:
    """Seed the store named by ``--data-dir`` or ``--mongodb-url``; one line on stderr."""
    target = StoreTarget(
        data_dir=arguments.data_dir, mongodb_url=arguments.mongodb_url,
        mongodb_database=arguments.mongodb_database,
    )
    problem = target.problem()
    if problem is not None:
        raise ValueError(problem)
    try:
        accounts = trio.run(seed_store, target, plan)
    except (StorageError, BaseExceptionGroup) as error:
        failure = sole_error(error, StorageError)
        if failure is None:
            raise
        if isinstance(failure, StorageUnavailable):
            raise BotsFailure(f"cannot reach {target.describe()}") from None
        raise BotsFailure(f"seeding {target.describe()} failed: {failure}") from None
    print(f"topicsflow: bots seed wrote to {target.describe()}", file=sys.stderr)
    return accounts


def _fail(message: str, status: int) -> int:
    print(f"topicsflow: error: {message}", file=sys.stderr)
    return status
