#!/usr/bin/env python3
"""Provision, start and stop the real services the test suite talks to.

Standard library only: it runs before the virtual environment exists.

    services.py ensure                 install/build what is missing (idempotent, cached)
    services.py start --state FILE     start Redis, FerretDB and Azurite on free loopback
                                       ports, find Chromium; print ``export NAME=VALUE``
                                       lines for ``eval``
    services.py stop --state FILE      stop what ``start`` started, by pid

A URL already given in the environment wins: ``TOPICSFLOW_TEST_REDIS_URL``,
``TOPICSFLOW_TEST_MONGODB_URL``, ``TOPICSFLOW_TEST_AZURE_BLOB_CONNECTION_STRING`` and
``TOPICSFLOW_TEST_CHROMIUM`` are passed through and the matching service is not started
(or, for Chromium, not installed).  A service that cannot be
provisioned or started is reported on stderr and its variable is left unset, so the tests
that need it fail with a message pointing at its log (they never skip).

Facts about the services:

* Redis comes from Debian's ``redis-server`` package and runs without persistence.
* FerretDB 1.24.2 (MongoDB wire protocol) is built from its module
  source fetched through the Go module proxy.  Its ``build/version/version.txt`` is
  generated in the upstream repository and absent from the module zip, and a binary built
  from a wrapper module reports FerretDB as its main module on current Go, so the source
  is copied, the version file written, and the copy built.  The binary is cached.
* FerretDB stores into PostgreSQL (Debian's ``postgresql`` package), its main backend:
  a private cluster is created in the work directory (as the ``postgres`` user when run
  as root, since PostgreSQL refuses root), listening on loopback only, with
  ``synchronous_commit=off`` and a 100 ms WAL writer: an acknowledged write reaches the
  disk within about 100 ms, which is MongoDB's default (``w: 1`` without ``j``).  Measured
  against FerretDB's SQLite backend on this machine kind, a ``find_one`` by ``_id`` takes
  0.6 ms instead of 6.6 ms (``docs/STORAGE.md``).  ``TOPICSFLOW_TEST_POSTGRESQL_URL``
  names the cluster (``postgres://…/`` without a database) for tests that start a
  FerretDB of their own.
* Azurite (blob service only) comes from the npm registry, installed into the cache.
  ``--skipApiVersionCheck`` lets the newer Python SDK talk to it.
* Chromium, for the browser tests, comes from Debian's ``chromium`` package; nothing is
  started (each test launches its own headless browser through Playwright), only its path
  is exported.  Playwright never downloads a browser here.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FERRETDB_VERSION = "1.24.2"
AZURITE_RANGE = "3"
# Azurite's well-known development account (public, documented by Azure; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
READY_TIMEOUT_S = 60.0
# FerretDB holds one PostgreSQL connection per open update statement (storage/mongo/bulk.py);
# its default pool of 50 deadlocks under a few nodes' worth of concurrent writers.
FERRETDB_POOL = 300
POSTGRESQL_MAX_CONNECTIONS = 600

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "topicsflow"
FERRETDB_BIN = CACHE / f"ferretdb-{FERRETDB_VERSION}"
AZURITE_DIR = CACHE / "azurite"
AZURITE_BIN = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"


def log(message: str) -> None:
    print(f"services: {message}", file=sys.stderr, flush=True)


def run(command: list[str], **kwargs: object) -> None:
    """Run a provisioning step with all of its output on standard error.

    ``start`` prints ``export`` lines that the caller evaluates, so nothing a package
    manager or compiler says may reach standard output.
    """
    log("$ " + " ".join(command))
    subprocess.run(  # type: ignore[call-overload]
        command, check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr.fileno(),
        stderr=sys.stderr.fileno(), **kwargs,
    )


def apt_install(package: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    run([*prefix, "apt-get", "update", "-qq"], env=env)
    run([*prefix, "apt-get", "install", "-y", "-qq", package], env=env)


def ensure_redis() -> None:
    if shutil.which("redis-server"):
        return
    apt_install("redis-server")


def postgresql_bin() -> Path | None:
    """The newest installed PostgreSQL server's ``bin`` directory, if any."""
    versions = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")
                if path.parent.parent.name.isdigit()]
    versions.sort(key=lambda binaries: int(binaries.parent.name))
    return versions[-1] if versions else None


def ensure_postgresql() -> None:
    if postgresql_bin() is not None:
        return
    apt_install("postgresql")
    if postgresql_bin() is None:
        raise RuntimeError("the postgresql package installed no initdb")


def ensure_ferretdb() -> None:
    ensure_postgresql()
    if FERRETDB_BIN.exists():
        return
    if not shutil.which("go"):
        raise RuntimeError("Go is required to build FerretDB and was not found on PATH")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        module = f"github.com/FerretDB/FerretDB@v{FERRETDB_VERSION}"
        listing = subprocess.run(
            ["go", "mod", "download", "-json", module],
            check=True, stdout=subprocess.PIPE, stderr=sys.stderr.fileno(), text=True, cwd=work,
            stdin=subprocess.DEVNULL,
        )
        source = Path(json.loads(listing.stdout)["Dir"])
        tree = Path(work) / "src"
        shutil.copytree(source, tree)
        for path in [tree, *tree.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        (tree / "build" / "version" / "version.txt").write_text(f"v{FERRETDB_VERSION}\n")
        partial = FERRETDB_BIN.with_name(FERRETDB_BIN.name + ".partial")
        env = dict(os.environ, CGO_ENABLED="0")
        run(["go", "build", "-trimpath", "-o", str(partial), "./cmd/ferretdb"], cwd=tree, env=env)
        partial.rename(FERRETDB_BIN)


def ensure_azurite() -> None:
    if AZURITE_BIN.exists():
        return
    if not shutil.which("npm"):
        raise RuntimeError("npm is required to install Azurite and was not found on PATH")
    AZURITE_DIR.mkdir(parents=True, exist_ok=True)
    if not (AZURITE_DIR / "package.json").exists():
        manifest = '{"name": "topicsflow-azurite", "private": true}\n'
        (AZURITE_DIR / "package.json").write_text(manifest)
    run(["npm", "install", "--no-audit", "--no-fund", "--silent", f"azurite@{AZURITE_RANGE}"],
        cwd=AZURITE_DIR)


def ensure_chromium() -> None:
    if chromium_path():
        return
    apt_install("chromium")
    if not chromium_path():
        raise RuntimeError("the chromium package installed no chromium executable")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


ENSURE = {
    "redis": ensure_redis,
    "mongo": ensure_ferretdb,
    "azurite": ensure_azurite,
    "chromium": ensure_chromium,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on port {port} within {READY_TIMEOUT_S:.0f} s")


def spawn(name: str, command: list[str], workdir: Path, **options: object
          ) -> subprocess.Popen[bytes]:
    log_file = (workdir / f"{name}.log").open("wb")
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, **options,
    )


def start_redis(workdir: Path) -> tuple[dict[str, int], dict[str, str]]:
    port = free_port()
    data = workdir / "redis"
    data.mkdir(exist_ok=True)
    process = spawn("redis", [
        "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", str(data), "--protected-mode", "yes",
    ], workdir)
    wait_for_port(port, process, "redis-server")
    return {"redis": process.pid}, {"TOPICSFLOW_TEST_REDIS_URL": f"redis://127.0.0.1:{port}/0"}


def ferretdb_command(port: int, postgresql_url: str) -> list[str]:
    """The command line that serves FerretDB on ``port``, storing into ``postgresql_url``."""
    return [
        str(FERRETDB_BIN), "--handler=postgresql", f"--postgresql-url={postgresql_url}",
        f"--listen-addr=127.0.0.1:{port}", "--telemetry=disable", "--state-dir=-",
        "--debug-addr=-", "--log-level=warn",
    ]


def as_postgres_user() -> dict[str, object]:
    """``Popen`` arguments that drop root to the ``postgres`` account (PostgreSQL refuses
    to run as root); nothing otherwise."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def start_postgresql(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private PostgreSQL cluster in ``workdir``; its process and ``postgres://`` URL."""
    binaries = postgresql_bin()
    assert binaries is not None  # ensure_postgresql ran first
    data = workdir / "postgresql"
    data.mkdir()
    if os.geteuid() == 0:
        workdir.chmod(0o711)  # the postgres account must reach its directory
        shutil.chown(data, "postgres", "postgres")
    log_path = workdir / "postgresql-initdb.log"
    with log_path.open("wb") as initdb_log:
        subprocess.run(
            [str(binaries / "initdb"), "-D", str(data / "cluster"), "-A", "trust",
             "-U", "postgres", "-E", "UTF8", "--no-instructions"],
            check=True, stdin=subprocess.DEVNULL, stdout=initdb_log, stderr=subprocess.STDOUT,
            **as_postgres_user(),  # type: ignore[arg-type]
        )
    port = free_port()
    process = spawn("postgresql", [
        str(binaries / "postgres"), "-D", str(data / "cluster"), "-p", str(port),
        "-k", str(data), "-c", "listen_addresses=127.0.0.1",
        "-c", f"max_connections={POSTGRESQL_MAX_CONNECTIONS}",
        "-c", "synchronous_commit=off", "-c", "wal_writer_delay=100ms",
    ], workdir, **as_postgres_user())
    wait_for_port(port, process, "postgresql")
    create_database(binaries, port, "ferretdb", workdir / "postgresql-createdb.log")
    return process, f"postgres://postgres@127.0.0.1:{port}/"


def create_database(binaries: Path, port: int, name: str, log_path: Path) -> None:
    """Create database ``name`` in the cluster on ``port`` (trust over loopback)."""
    with log_path.open("ab") as createdb_log:
        subprocess.run(
            [str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
             name],
            check=True, stdin=subprocess.DEVNULL, stdout=createdb_log, stderr=subprocess.STDOUT,
        )


def start_mongo(workdir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """PostgreSQL, then FerretDB over it; their pids in start order."""
    postgresql, postgresql_url = start_postgresql(workdir)
    port = free_port()
    process = spawn("ferretdb", ferretdb_command(
        port, postgresql_url + f"ferretdb?pool_max_conns={FERRETDB_POOL}"), workdir)
    try:
        wait_for_port(port, process, "ferretdb")
    except RuntimeError:
        os.killpg(postgresql.pid, signal.SIGINT)
        raise
    binaries = postgresql_bin()
    return {"postgresql": postgresql.pid, "ferretdb": process.pid}, {
        "TOPICSFLOW_TEST_MONGODB_URL": f"mongodb://127.0.0.1:{port}/",
        "TOPICSFLOW_TEST_POSTGRESQL_URL": postgresql_url,
        "TOPICSFLOW_TEST_POSTGRESQL_BIN": str(binaries),
    }


def start_azurite(workdir: Path) -> tuple[dict[str, int], dict[str, str]]:
    port = free_port()
    data = workdir / "azurite"
    data.mkdir(exist_ok=True)
    process = spawn("azurite", [
        str(AZURITE_BIN), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", str(data), "--skipApiVersionCheck", "--loose", "--silent",
    ], workdir)
    wait_for_port(port, process, "azurite")
    connection = (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
        f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )
    return {"azurite": process.pid}, {"TOPICSFLOW_TEST_AZURE_BLOB_CONNECTION_STRING": connection}


def start_chromium(workdir: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Nothing to start: the browser tests launch their own headless Chromium."""
    path = chromium_path()
    assert path is not None  # ensure_chromium ran first
    return {}, {"TOPICSFLOW_TEST_CHROMIUM": path}


SERVICES = {
    "chromium": ("TOPICSFLOW_TEST_CHROMIUM", start_chromium),
    "redis": ("TOPICSFLOW_TEST_REDIS_URL", start_redis),
    "mongo": ("TOPICSFLOW_TEST_MONGODB_URL", start_mongo),
    "azurite": ("TOPICSFLOW_TEST_AZURE_BLOB_CONNECTION_STRING", start_azurite),
}


def command_ensure(names: list[str]) -> int:
    failed = 0
    for name in names:
        try:
            ENSURE[name]()
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            log(f"could not provision {name}: {error}")
            failed += 1
    return 1 if failed else 0


def command_start(names: list[str], state_file: Path) -> int:
    """Start the services and print only ``export`` lines on standard output.

    File descriptor 1 points at standard error while the services are provisioned and
    started, so no child process (apt-get, go, npm) or library can write to the stream the
    caller evaluates; the exports go to the saved original at the end.
    """
    sys.stdout.flush()
    exports_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    with exports_stream:
        exports = start_services(names, state_file)
        for name, value in exports.items():
            exports_stream.write(f"export {name}={shlex.quote(value)}\n")
    return 0


def start_services(names: list[str], state_file: Path) -> dict[str, str]:
    """Provision and start ``names``; return the variables the tests read."""
    workdir = Path(tempfile.mkdtemp(prefix="topicsflow-services-"))
    state: dict[str, object] = {"workdir": str(workdir), "pids": {}}
    exports: dict[str, str] = {"TOPICSFLOW_TEST_SERVICES_DIR": str(workdir)}
    for name in names:
        variable, starter = SERVICES[name]
        if os.environ.get(variable):
            log(f"{name}: using {variable} from the environment")
            continue
        try:
            ENSURE[name]()
            pids, values = starter(workdir)
        except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
            log(f"{name} could not be started: {error} (log: {workdir / name}.log)")
            exports[f"TOPICSFLOW_TEST_{name.upper()}_ERROR"] = f"{error} (see {workdir})"
            continue
        exports.update(values)
        if not pids:
            log(f"{name} ready")
            continue
        state["pids"].update(pids)  # type: ignore[attr-defined]
        log(f"{name} started, pids {pids}")
    if FERRETDB_BIN.exists():
        exports["TOPICSFLOW_FERRETDB_BIN"] = str(FERRETDB_BIN)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state))
    return exports


def command_stop(state_file: Path) -> int:
    if not state_file.exists():
        return 0
    state = json.loads(state_file.read_text())
    # Last started, first stopped: FerretDB before the PostgreSQL it writes to, which
    # gets SIGINT (its fast shutdown; SIGTERM would wait for every client to leave).
    for name, pid in reversed(state.get("pids", {}).items()):
        try:
            os.killpg(pid, signal.SIGINT if name == "postgresql" else signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            log(f"{name} (pid {pid}) ignored SIGTERM; killing it")
            os.killpg(pid, signal.SIGKILL)
    shutil.rmtree(state.get("workdir", ""), ignore_errors=True)
    state_file.unlink()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["ensure", "start", "stop"])
    parser.add_argument("--state", type=Path, default=Path(".services/state.json"))
    parser.add_argument("--only", nargs="*", choices=sorted(SERVICES), default=sorted(SERVICES))
    arguments = parser.parse_args()
    if arguments.command == "ensure":
        return command_ensure(arguments.only)
    if arguments.command == "start":
        return command_start(arguments.only, arguments.state)
    return command_stop(arguments.state)


if __name__ == "__main__":
    sys.exit(main())
