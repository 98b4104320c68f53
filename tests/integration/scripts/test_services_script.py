"""``scripts/services.py start`` prints nothing but ``export`` lines on standard output.

``scripts/test`` evaluates that output, so a package manager that talks on standard output
must not reach it.  The test puts a stand-in ``apt-get`` first and alone on ``PATH``: it
writes to both streams, as Debian's does, and installs a ``redis-server`` that runs the
real one.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
SCRIPT = REPOSITORY / "scripts" / "services.py"

STAND_IN_APT_GET = """#!/bin/sh
echo "Selecting previously unselected package redis-server."
echo "apt-get $*" >&2
echo "$*" >> {calls}
if [ "$1" = install ]; then
    printf '#!/bin/sh\\nexec {redis} "$@"\\n' > {bin}/redis-server
    /bin/chmod +x {bin}/redis-server
fi
"""


def stand_in_bin(tmp_path: Path) -> Path:
    """A directory with the stand-in ``apt-get`` (and ``sudo``, for a non-root run)."""
    real_redis = shutil.which("redis-server")
    assert real_redis is not None, "redis-server is installed by scripts/services.py"
    directory = tmp_path / "bin"
    directory.mkdir()
    apt_get = directory / "apt-get"
    apt_get.write_text(STAND_IN_APT_GET.format(
        calls=shlex.quote(str(tmp_path / "apt-get.calls")), redis=shlex.quote(real_redis),
        bin=shlex.quote(str(directory)),
    ))
    sudo = directory / "sudo"
    sudo.write_text('#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n')
    for script in (apt_get, sudo):
        script.chmod(0o755)
    return directory


def test_start_prints_only_exports_while_apt_get_talks(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TOPICSFLOW_")
    }
    environment.update(PATH=str(stand_in_bin(tmp_path)), XDG_CACHE_HOME=str(tmp_path))
    state = tmp_path / "state.json"
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start", "--only", "redis", "--state", str(state)],
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )
    try:
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert lines, started.stderr
        assert [line for line in lines if not line.startswith("export ")] == []
        assert any(line.startswith("export TOPICSFLOW_TEST_REDIS_URL=") for line in lines)
        assert "Selecting previously" in started.stderr
        calls = (tmp_path / "apt-get.calls").read_text().splitlines()
        assert [call.split()[0] for call in calls] == ["update", "install"]
    finally:
        subprocess.run(
            [sys.executable, str(SCRIPT), "stop", "--state", str(state)],
            env=environment, check=False, timeout=60,
        )
