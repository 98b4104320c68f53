"""A FerretDB of a test's own, on a fresh database of the suite's PostgreSQL.

``scripts/services.py`` starts one PostgreSQL cluster for the suite and exports its URL
(``TOPICSFLOW_TEST_POSTGRESQL_URL``), its binaries (``TOPICSFLOW_TEST_POSTGRESQL_BIN``)
and the FerretDB binary (``TOPICSFLOW_FERRETDB_BIN``).  Tests that stop, pause or kill
their Mongo-wire server run a FerretDB process of their own over a database of their own
in that cluster: the outage is FerretDB's, the backend is the same as everywhere else.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from urllib.parse import urlsplit

import pytest


def _required(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        pytest.fail(f"{variable} is not set: run the suite through scripts/test", pytrace=False)
    return value


def own_ferretdb_command(port: int) -> list[str]:
    """Create a fresh PostgreSQL database and return the command line of a FerretDB that
    serves it on loopback ``port``."""
    binary = _required("TOPICSFLOW_FERRETDB_BIN")
    cluster = _required("TOPICSFLOW_TEST_POSTGRESQL_URL")
    binaries = _required("TOPICSFLOW_TEST_POSTGRESQL_BIN")
    address = urlsplit(cluster)
    database = f"test_{secrets.token_hex(6)}"
    subprocess.run(
        [os.path.join(binaries, "createdb"), "-h", address.hostname or "127.0.0.1",
         "-p", str(address.port), "-U", address.username or "postgres", database],
        check=True, capture_output=True, timeout=60,
    )
    return [binary, "--handler=postgresql",
            f"--postgresql-url={cluster}{database}?pool_max_conns=100",
            f"--listen-addr=127.0.0.1:{port}", "--telemetry=disable", "--state-dir=-",
            "--debug-addr=-", "--log-level=warn"]
