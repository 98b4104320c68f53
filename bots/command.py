"""``topicsflow bots seed|run``: seed bot accounts on a node, then run a load test.

    topicsflow bots seed --url http://127.0.0.1:8000 [--token OPS_TOKEN] \\
        --rooms 100,1000 [--idle-users N] --output accounts.json
    topicsflow bots seed --data-dir DIR | --mongodb-url URL  ...   (straight into a store)
    topicsflow bots run --accounts accounts.json --url ws://127.0.0.1:8000/ws \\
        [--workers 2] [--duration 10] [--publishers 5] [--rate 1] [--idle N] [--json PATH]

Each action is its own module (:mod:`bots.seed_command`, :mod:`bots.run_command`) with
its contract; neither reads the ``TOPICSFLOW_*`` settings (``seed`` only takes the ops
token from ``TOPICSFLOW_OPS_TOKEN`` when ``--token`` is absent).  Errors are one line on
stderr; exit status 0 done, 1 the node, store or run failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys

from bots.run_command import add_run_parser, run_run
from bots.seed_command import add_seed_parser, run_seed

EXIT_INTERRUPTED = 130


def add_bots_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``bots`` sub-command (with ``seed`` and ``run``) to the ``topicsflow`` parser."""
    bots = commands.add_parser(
        "bots", help="load-test bots: seed accounts on a node, run a scenario against it",
        description=(
            "Scenario-driven load-test bots on the client SDK. First `bots seed --url "
            "http://HOST:PORT` creates bot accounts and rooms on a running node and writes "
            "their credentials; then `bots run --accounts FILE --url ws://HOST:PORT/ws` "
            "runs a scenario against that same node (loopback only)."
        ),
    )
    actions = bots.add_subparsers(dest="bots_action", required=True, metavar="ACTION")
    add_seed_parser(actions)
    add_run_parser(actions)


def run_bots(arguments: argparse.Namespace) -> int:
    """Perform the ``bots`` action; return the exit status (130 when interrupted)."""
    try:
        if arguments.bots_action == "seed":
            return run_seed(arguments)
        return run_run(arguments)
    except KeyboardInterrupt:
        print("topicsflow: error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
