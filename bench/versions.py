"""The versions behind a benchmark run, for its JSON results.

:func:`collect` returns a JSON-ready dict:

* ``python``: the interpreter's version and implementation;
* ``bench_packages``: the installed version of every distribution of
  ``bench/requirements.txt`` (the peers, plots and profiling) and of what the peers run
  on beyond those names (:data:`PEER_EXTRAS`: uvicorn's standard extras, greenlet);
* ``runtime_packages``: those of our main runtime libraries (:data:`RUNTIME_PACKAGES`);
* ``go``: ``go version``;
* ``centrifugo``: the version asked of the module proxy
  (:data:`bench.toolchain.CENTRIFUGO_VERSION`), the cached binary's own ``version``
  output (``go install`` sets no version string, so it reads ``v0.0.0``) and the module
  version recorded in the binary by the Go toolchain (``go version -m``), or
  ``"not built"``;
* ``loadgen_source_sha256``: the hash the loadgen binary is cached under
  (:func:`bench.toolchain.loadgen_source_hash`);
* ``git``: the repository's ``HEAD`` commit, whether tracked files differ from it
  (``dirty``) and how many untracked files there are.

Every subprocess runs with a :data:`TIMEOUT_S` bound and nothing raises: an entry that
cannot be found reads ``"unknown"`` (``"not installed"`` for a missing distribution).
"""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
from pathlib import Path
from typing import Any

from bench import toolchain

REPOSITORY = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("trio", "hypercorn", "wsproto", "quart", "quart-trio", "msgspec")
# What uvicorn[standard] brings and the peers run on, beyond the requirement lines' names.
PEER_EXTRAS = ("websockets", "httptools", "uvloop", "greenlet")
TIMEOUT_S = 10.0
UNKNOWN = "unknown"


def _run(command: list[str], *, cwd: Path | None = None) -> subprocess.CompletedProcess[str] | None:
    """``command`` run to completion within :data:`TIMEOUT_S`, or None if it could not be."""
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S,
            stdin=subprocess.DEVNULL, check=False,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _output(command: list[str], *, cwd: Path | None = None) -> str:
    """``command``'s stripped standard output, or ``"unknown"`` on any failure."""
    result = _run(command, cwd=cwd)
    if result is None or result.returncode != 0:
        return UNKNOWN
    return result.stdout.strip() or UNKNOWN


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
    except Exception:  # a broken distribution's metadata must not fail a run
        return UNKNOWN


def _bench_distributions() -> list[str]:
    try:
        names = [name for name, _ in toolchain.requirement_lines()]
    except Exception:  # an unreadable requirements file is reported, not raised
        names = []
    return [*names, *(name for name in PEER_EXTRAS if name not in names)]


def _centrifugo() -> dict[str, str]:
    built: dict[str, str] = {"requested": toolchain.CENTRIFUGO_VERSION}
    binary = toolchain.CENTRIFUGO_CACHE / "centrifugo"
    if not binary.exists():
        built["binary_version"] = built["module_version"] = "not built"
        return built
    built["binary_version"] = _output([str(binary), "version"])
    built["module_version"] = UNKNOWN
    module_info = _output(["go", "version", "-m", str(binary)])
    for line in module_info.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[0] == "mod" and fields[1] == toolchain.CENTRIFUGO_MODULE:
            built["module_version"] = fields[2]
    return built


def _git() -> dict[str, Any]:
    commit = _output(["git", "rev-parse", "HEAD"], cwd=REPOSITORY)
    status = _run(["git", "status", "--porcelain"], cwd=REPOSITORY)
    if status is None or status.returncode != 0:
        return {"commit": commit, "dirty": UNKNOWN, "untracked_files": UNKNOWN}
    lines = status.stdout.splitlines()
    untracked = sum(1 for line in lines if line.startswith("??"))
    return {"commit": commit, "dirty": len(lines) > untracked, "untracked_files": untracked}


def _loadgen_hash() -> str:
    try:
        return toolchain.loadgen_source_hash()
    except Exception:  # unreadable sources are reported, not raised
        return UNKNOWN


def collect() -> dict[str, Any]:
    """The versions; see the module docstring."""
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "bench_packages": {name: _distribution_version(name) for name in _bench_distributions()},
        "runtime_packages": {name: _distribution_version(name) for name in RUNTIME_PACKAGES},
        "go": _output(["go", "version"]),
        "centrifugo": _centrifugo(),
        "loadgen_source_sha256": _loadgen_hash(),
        "git": _git(),
    }
