"""``topicsflow bots seed|run``: pre-seed bot accounts, then run a load-test scenario.

    topicsflow bots seed --rooms 100,1000 [--idle-users N] --output accounts.json
    topicsflow bots run --accounts accounts.json --url ws://127.0.0.1:8000/ws \\
        [--workers 2] [--duration 10] [--publishers 5] [--rate 1] [--idle N] [--json PATH]

``seed`` writes users, sessions and rooms straight into the store the ``TOPICSFLOW_*``
settings name (see :mod:`bots.seed`); run it against the node's data directory (the
node may be running: SQLite is shared through its WAL).  ``run`` prints a progress line
to stderr every second and the final report as a table on stdout (and as JSON to
``--json``).  Exit status: 0 done, 1 the run failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import trio

from bots.report import render_table
from bots.runner import run_scenario
from bots.scenario import Scenario
from bots.seed import SeededAccounts, seed_accounts
from topicsflow.settings import Settings

EXIT_FAILED = 1
EXIT_USAGE = 2


def add_bots_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``bots`` sub-command (with ``seed`` and ``run``) to the ``topicsflow`` parser."""
    bots = commands.add_parser(
        "bots", help="load-test bots: seed accounts, run a scenario",
        description="Scenario-driven load-test bots on the client SDK (loopback only).",
    )
    actions = bots.add_subparsers(dest="bots_action", required=True, metavar="ACTION")
    seed = actions.add_parser("seed", help="create bot users, sessions and rooms in the store")
    seed.add_argument("--rooms", default="10", help="comma-separated room sizes (members)")
    seed.add_argument("--idle-users", type=int, default=0, help="users without a room")
    seed.add_argument("--output", required=True, help="where to write the accounts JSON")
    run = actions.add_parser("run", help="run a scenario against a node")
    run.add_argument("--accounts", required=True, help="accounts JSON written by seed")
    run.add_argument("--url", default="ws://127.0.0.1:8000/ws", help="the node's /ws URL")
    run.add_argument("--workers", type=int, default=2, help="bot processes")
    run.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    run.add_argument("--publishers", type=int, default=1, help="publishers per room")
    run.add_argument("--rate", type=float, default=1.0, help="messages/s per publisher")
    run.add_argument("--subscribers", type=int, help="cap on subscribers per room")
    run.add_argument("--idle", type=int, default=0, help="extra idle connections")
    run.add_argument("--msgpack", action="store_true", help="use the msgpack subprotocol")
    run.add_argument("--json", dest="json_path", help="also write the report as JSON here")


def run_bots(settings: Settings, arguments: argparse.Namespace) -> int:
    """Perform the ``bots`` action; return the exit status."""
    if arguments.bots_action == "seed":
        try:
            sizes = [int(size) for size in arguments.rooms.split(",") if size.strip()]
        except ValueError:
            print("topicsflow: error: --rooms expects integers like 100,1000", file=sys.stderr)
            return EXIT_USAGE
        accounts = trio.run(seed_accounts, settings, sizes, arguments.idle_users)
        accounts.save(Path(arguments.output))
        print(f"seeded {len(accounts.rooms)} rooms, {len(accounts.idle_tokens)} idle users")
        return 0
    scenario = Scenario(
        url=arguments.url, workers=arguments.workers, duration=arguments.duration,
        publishers_per_room=arguments.publishers, rate=arguments.rate,
        subscribers_per_room=arguments.subscribers, idle_connections=arguments.idle,
        subprotocol="topicsflow.v1.msgpack" if arguments.msgpack else "topicsflow.v1.json",
    )
    try:
        scenario.validate()
        accounts = SeededAccounts.load(Path(arguments.accounts))
    except (ValueError, OSError) as error:
        print(f"topicsflow: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = trio.run(run_scenario, scenario, accounts)
    except RuntimeError as error:
        print(f"topicsflow: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(render_table(report))
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0
