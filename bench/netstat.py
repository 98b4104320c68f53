"""The kernel's packet drops and TCP recoveries, machine-wide, to put beside a step.

On loopback a dropped packet is not lost to a cable: the sending CPU's backlog queue
(``net.core.netdev_max_backlog`` packets, 1,000 by default) was full, because the
process writing on that CPU outran the softirq that drains it.  TCP then resends the
packet after a tail-loss probe (milliseconds) or a retransmission timeout (200 ms at
least): one dropped packet can hold a subscriber's stream for 200 ms, which is a p99
of 200 ms in a step whose server kept up.  :func:`network_counters` reads the counters
that show it; :func:`counter_delta` is what a step added.  The counters are the whole
machine's (server and loadgens alike), so they describe the step, not one process.
"""

from __future__ import annotations

from pathlib import Path

_TCP_COUNTERS = {
    ("Tcp", "RetransSegs"): "tcp_retransmitted_segments",
    ("TcpExt", "TCPTimeouts"): "tcp_retransmission_timeouts",
    ("TcpExt", "TCPLossProbes"): "tcp_loss_probes",
}


def _softnet_drops(text: str) -> int:
    """Packets dropped because a CPU's backlog queue was full: the second column of
    ``/proc/net/softnet_stat`` (hexadecimal, one line per CPU), summed."""
    return sum(int(line.split()[1], 16) for line in text.splitlines() if line.strip())


def _snmp_values(text: str) -> dict[tuple[str, str], int]:
    """``/proc/net/snmp`` or ``/proc/net/netstat``: pairs of lines, names then values."""
    values: dict[tuple[str, str], int] = {}
    lines = text.splitlines()
    for names, numbers in zip(lines[::2], lines[1::2], strict=False):
        prefix, _, header = names.partition(":")
        _, _, row = numbers.partition(":")
        for name, number in zip(header.split(), row.split(), strict=False):
            if number.lstrip("-").isdigit():
                values[(prefix, name)] = int(number)
    return values


def network_counters(proc: Path = Path("/proc")) -> dict[str, int]:
    """Backlog drops and TCP recovery counters now; ``{}`` where ``/proc`` lacks them."""
    counters: dict[str, int] = {}
    try:
        counters["backlog_drops"] = _softnet_drops(
            (proc / "net" / "softnet_stat").read_text(encoding="ascii"))
        values: dict[tuple[str, str], int] = {}
        for name in ("snmp", "netstat"):
            values.update(_snmp_values((proc / "net" / name).read_text(encoding="ascii")))
    except (OSError, ValueError, IndexError):
        return {}
    for key, label in _TCP_COUNTERS.items():
        if key in values:
            counters[label] = values[key]
    return counters


def counter_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """What happened between two :func:`network_counters` readings."""
    return {name: after[name] - before[name] for name in after if name in before}


def netdev_backlog(proc: Path = Path("/proc")) -> int | None:
    """``net.core.netdev_max_backlog``, or ``None`` when it cannot be read."""
    try:
        return int((proc / "sys" / "net" / "core" / "netdev_max_backlog").read_text("ascii"))
    except (OSError, ValueError):
        return None
