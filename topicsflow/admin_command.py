"""``topicsflow admin grant|revoke USERNAME``: set the global admin flag from the shell.

The bootstrap path for the first admin (afterwards admins can use the API).  It opens
the store the settings name, as ``topicsflow serve`` does, changes one user and prints
one line.  An unknown username exits with status 2; an unreachable store with 1.
"""

from __future__ import annotations

import argparse
import sys

import trio

from storage import open_store
from storage.errors import StorageUnavailable
from topicsflow.settings import Settings

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 1


def add_admin_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``admin`` sub-command to the ``topicsflow`` parser."""
    admin = commands.add_parser(
        "admin",
        help="grant or revoke a user's global admin flag",
        description=(
            "Grant or revoke the global admin flag of USERNAME in the store configured by "
            "TOPICSFLOW_MONGODB_URL (or the embedded store in TOPICSFLOW_DATA_DIR)."
        ),
    )
    admin.add_argument("action", choices=["grant", "revoke"], help="what to do")
    admin.add_argument("username", metavar="USERNAME", help="the user (case-insensitive)")


async def set_admin_flag(settings: Settings, username: str, is_admin: bool) -> str | None:
    """Set the flag; the user's canonical name, or None when there is no such user."""
    async with open_store(
        settings.mongodb_url, data_dir=settings.data_dir, database=settings.mongodb_database
    ) as store:
        user = await store.users.find_by_username(username)
        if user is None:
            return None
        await store.users.set_admin(user.id, is_admin)
        return user.username


def run_admin(settings: Settings, arguments: argparse.Namespace) -> int:
    """Carry out ``admin grant|revoke``; return the exit status."""
    granting = arguments.action == "grant"
    try:
        name = trio.run(set_admin_flag, settings, arguments.username, granting)
    except StorageUnavailable:
        print("topicsflow: error: the store cannot be reached", file=sys.stderr)
        return EXIT_UNAVAILABLE
    if name is None:
        print(f"topicsflow: error: no user named {arguments.username!r}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{name} is now an admin" if granting else f"{name} is no longer an admin")
    return 0
