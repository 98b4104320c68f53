"""Sample a running server with py-spy while a workload runs, and summarise the samples.

:func:`py_spy_record` runs ``py-spy record --format raw`` (collapsed stacks, one
``frame;frame;... count`` line per distinct stack) against ``pid`` for the duration of
the block and stops it with SIGINT, which makes py-spy write its file.
:func:`hot_functions` reads such a file and returns the functions with the largest
share of samples, by self time (the leaf frame) and by inclusive time (anywhere on the
stack).  py-spy comes from ``bench/requirements.txt``; it needs ptrace rights (root or
``kernel.yama.ptrace_scope=0``).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

STOP_TIMEOUT_S = 30.0


@contextlib.contextmanager
def py_spy_record(pid: int, output: Path, *, rate: int = 100) -> Iterator[None]:
    """Record ``pid`` with py-spy into ``output`` while the block runs."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    process = subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", str(rate),
         "--output", str(output), "--nonblocking"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def hot_functions(path: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """``{"self": [(frame, share)], "inclusive": [...]}``, the ``top`` of each."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return {"self": [], "inclusive": []}
    return {
        "self": [(frame, round(n / total, 3)) for frame, n in own.most_common(top)],
        "inclusive": [(frame, round(n / total, 3)) for frame, n in inclusive.most_common(top)],
    }
