"""Where our node's code comes from, and seeding its store, in a child process.

Other work edits this working tree while benchmarks run, so a long run can pin the
server to a commit: :func:`prepare_source` with a revision (``HEAD``, a commit id)
extracts ``git archive <revision>`` into a directory and returns it with the commit
id; with ``"worktree"`` it returns the repository itself.  The node runs with that
directory as its working directory (``python -m`` puts it first on ``sys.path``, ahead
of the editable install).

:func:`seed` runs :func:`bots.seed.seed_accounts` from the same source in a child
process (so the harness never imports server code) and returns the accounts as the
JSON mapping of :meth:`bots.seed.SeededAccounts.to_json`:
``{"rooms": [{"channel", "tokens"}], "idle_tokens": [...]}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.node_process import REPOSITORY, node_environment

SEED_TIMEOUT_S = 900
_SEED_PROGRAM = """
import json, sys
from pathlib import Path
import trio
from bots.seed import seed_accounts
from topicsflow.settings import Profile, Settings
data_dir, sizes, idle = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
settings = Settings(profile=Profile.TESTING, data_dir=data_dir, secret_key="b" * 40)
accounts = trio.run(seed_accounts, settings, sizes, idle)
print(json.dumps(accounts.to_json()))
"""


def prepare_source(revision: str, directory: Path) -> tuple[Path, str]:
    """The node's source directory and its commit id (``revision``: worktree or a rev)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD" if revision == "worktree" else revision],
        cwd=REPOSITORY, capture_output=True, text=True, check=True,
    ).stdout.strip()
    if revision == "worktree":
        return REPOSITORY, commit + " (+ working tree)"
    directory.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit], cwd=REPOSITORY, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory, commit


def seed(source: Path, data_dir: Path, room_sizes: list[int], idle_users: int) -> dict[str, Any]:
    """Seed ``data_dir``'s embedded store from ``source``; the accounts as JSON data."""
    environment = node_environment(data_dir)
    result = subprocess.run(
        [sys.executable, "-c", _SEED_PROGRAM, str(data_dir), json.dumps(room_sizes),
         str(idle_users)],
        cwd=source, env=environment, capture_output=True, text=True, timeout=SEED_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-3000:]}")
    accounts: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return accounts
