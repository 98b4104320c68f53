"""``topicsflow bots run``: run a load-test scenario against a node with seeded bots.

Contract:

* ``--accounts FILE`` is the credentials file ``topicsflow bots seed`` wrote for the node
  ``--url`` names (its ``ws://…/ws`` endpoint, loopback only).  Bad arguments, a scenario
  the credentials cannot fill, and a credentials file that cannot be read or parsed
  exit 2 with one line.
* Before any worker starts, one bot connects (:mod:`bots.preflight`): a node that
  cannot be reached, has no WebSocket endpoint there, or refuses the tokens (seeded for
  another node, expired) exits 1 with one line saying so.  So does a run that fails
  (:mod:`bots.runner`) or a report that cannot be written.  No traceback in any case.
* A progress line goes to stderr every second, the report as a table to stdout (and as
  JSON to ``--json``).  Exit 0 when the run completed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import trio

from bots.accounts import CredentialsError, SeededAccounts
from bots.failures import BotsFailure
from bots.preflight import check_node
from bots.report import render_table
from bots.runner import run_scenario
from bots.scenario import Scenario, connection_specs

EXIT_FAILED = 1
EXIT_USAGE = 2

DESCRIPTION = """\
Run a scenario against a node: every seeded room member connects over the WebSocket
protocol and subscribes to its room, some of them publish, the rest read; a report of
deliveries and latencies follows.

Which node: --url, the node's WebSocket endpoint (ws://HOST:PORT/ws, loopback only).
Credentials: --accounts, the file `topicsflow bots seed` wrote for that same node
(bots seed --url http://HOST:PORT ...). Tokens seeded for another node, or expired,
are refused: the command says so and exits 1 before starting.

Exit status: 0 done, 1 the node refused or the run failed, 2 bad arguments or an
unreadable credentials file."""


def add_run_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` to the ``bots`` actions."""
    run = actions.add_parser(
        "run", help="run a scenario against a node with seeded bots",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--accounts", required=True, type=Path,
        help="credentials file written by `topicsflow bots seed` for this node",
    )
    run.add_argument(
        "--url", default="ws://127.0.0.1:8000/ws",
        help="the node's WebSocket URL, loopback only (default: ws://127.0.0.1:8000/ws)",
    )
    run.add_argument("--workers", type=int, default=2, help="bot processes")
    run.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    run.add_argument("--publishers", type=int, default=1, help="publishers per room")
    run.add_argument("--rate", type=float, default=1.0, help="messages/s per publisher")
    run.add_argument("--subscribers", type=int, help="cap on subscribers per room")
    run.add_argument("--idle", type=int, default=0, help="extra idle connections")
    run.add_argument("--msgpack", action="store_true", help="use the msgpack subprotocol")
    run.add_argument("--json", dest="json_path", help="also write the report as JSON here")


def run_run(arguments: argparse.Namespace) -> int:
    """Carry out ``bots run``; return the exit status (see the module docstring)."""
    scenario = Scenario(
        url=arguments.url, workers=arguments.workers, duration=arguments.duration,
        publishers_per_room=arguments.publishers, rate=arguments.rate,
        subscribers_per_room=arguments.subscribers, idle_connections=arguments.idle,
        subprotocol="topicsflow.v1.msgpack" if arguments.msgpack else "topicsflow.v1.json",
    )
    try:
        scenario.validate()
        accounts = SeededAccounts.load(arguments.accounts)
        if not connection_specs(scenario, accounts):
            raise ValueError(f"{arguments.accounts} seeds no room and --idle is 0: nothing to run")
    except (ValueError, CredentialsError) as error:
        return _fail(str(error), EXIT_USAGE)
    try:
        report = trio.run(_checked_run, scenario, accounts, str(arguments.accounts))
    except BotsFailure as failure:
        return _fail(str(failure), EXIT_FAILED)
    print(render_table(report))
    if arguments.json_path:
        try:
            Path(arguments.json_path).write_text(
                json.dumps(report, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as error:
            return _fail(f"cannot write {arguments.json_path}: {error.strerror}", EXIT_FAILED)
    return 0


async def _checked_run(
    scenario: Scenario, accounts: SeededAccounts, source: str
) -> dict[str, Any]:
    await check_node(scenario.url, accounts, scenario.subprotocol, source)
    return await run_scenario(scenario, accounts)


def _fail(message: str, status: int) -> int:
    print(f"topicsflow: error: {message}", file=sys.stderr)
    return status
