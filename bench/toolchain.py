"""What the comparison benchmark needs beyond the server: pip packages and two Go binaries.

* :func:`ensure_requirements` pip-installs ``bench/requirements.txt`` into the running
  interpreter's environment (the project venv) when one of its distributions is missing;
  the server's runtime dependencies never include them.
* :func:`centrifugo_binary` builds Centrifugo (``go install …/centrifugo/v6@VERSION``
  through the Go module proxy) once into ``~/.cache/topicsflow/centrifugo-VERSION/``.
* :func:`loadgen_binary` builds ``bench/loadgen`` into ``~/.cache/topicsflow/`` under a
  name holding the hash of its sources, so an edited load generator is rebuilt.

Every build runs with a bounded timeout and raises ``RuntimeError`` with its output on
failure.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REQUIREMENTS = BENCH / "requirements.txt"
LOADGEN_SOURCE = BENCH / "loadgen"
CENTRIFUGO_MODULE = "github.com/centrifugal/centrifugo/v6"
CENTRIFUGO_VERSION = "v6.9.1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "topicsflow"
CENTRIFUGO_CACHE = CACHE / f"centrifugo-{CENTRIFUGO_VERSION}"
BUILD_TIMEOUT_S = 900


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    _log("$ " + " ".join(command))
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
        stdin=subprocess.DEVNULL, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def requirement_lines() -> list[tuple[str, str]]:
    """``(distribution name, requirement line)`` for every line of ``requirements.txt``."""
    lines = []
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        lines.append((re.split(r"[\[<>=!~ ]", line, maxsplit=1)[0], line))
    return lines


def ensure_requirements(only: tuple[str, ...] | None = None) -> None:
    """pip-install the bench requirements (or those named in ``only``) that are missing."""
    missing = []
    for name, line in requirement_lines():
        if only is not None and name not in only:
            continue
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(line)
    if missing:
        _run([sys.executable, "-m", "pip", "install", "-q", *missing])


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("Go is required to build the load generator and Centrifugo")
    return go


def centrifugo_binary() -> Path:
    """The cached Centrifugo binary, built on first use."""
    directory = CENTRIFUGO_CACHE
    binary = directory / "centrifugo"
    if not binary.exists():
        directory.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, GOBIN=str(directory))
        module = f"{CENTRIFUGO_MODULE}@{CENTRIFUGO_VERSION}"
        _run([_go(), "install", module], cwd=directory, env=env)
    return binary


def loadgen_source_hash() -> str:
    """SHA-256 (hex) of the loadgen's sources: its ``.go``, ``go.mod`` and ``go.sum``."""
    digest = hashlib.sha256()
    for path in sorted(LOADGEN_SOURCE.glob("*")):
        if path.suffix in {".go", ".mod", ".sum"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def loadgen_binary() -> Path:
    """The load generator built from the current sources (cached by their hash)."""
    binary = CACHE / f"loadgen-{loadgen_source_hash()[:16]}"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        _run([_go(), "build", "-o", str(binary), "."], cwd=LOADGEN_SOURCE)
    return binary
