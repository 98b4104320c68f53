"""bench/netstat.py reads the kernel's drop and TCP recovery counters from /proc."""

from __future__ import annotations

from pathlib import Path

from bench.netstat import counter_delta, netdev_backlog, network_counters

SNMP = """Ip: Forwarding DefaultTTL
Ip: 1 64
Tcp: RtoAlgorithm ActiveOpens RetransSegs MaxConn
Tcp: 1 40 17 -1
"""
NETSTAT = """TcpExt: SyncookiesSent TCPLossProbes TCPTimeouts
TcpExt: 0 12 3
"""


def fake_proc(tmp_path: Path, softnet: str) -> Path:
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "softnet_stat").write_text(softnet)
    (tmp_path / "net" / "snmp").write_text(SNMP)
    (tmp_path / "net" / "netstat").write_text(NETSTAT)
    (tmp_path / "sys" / "net" / "core").mkdir(parents=True)
    (tmp_path / "sys" / "net" / "core" / "netdev_max_backlog").write_text("1000\n")
    return tmp_path


def test_counters_sum_the_drops_of_every_cpu_and_name_the_tcp_ones(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, "0000a000 000000ff 00000001\n0000b000 00000001 00000000\n")
    assert network_counters(proc) == {
        "backlog_drops": 256, "tcp_retransmitted_segments": 17,
        "tcp_retransmission_timeouts": 3, "tcp_loss_probes": 12,
    }
    assert netdev_backlog(proc) == 1000


def test_a_missing_or_garbled_proc_gives_nothing(tmp_path: Path) -> None:
    assert network_counters(tmp_path) == {}
    assert netdev_backlog(tmp_path) is None
    assert network_counters(fake_proc(tmp_path, "zz\n")) == {}


def test_the_delta_covers_the_names_read_both_times() -> None:
    before = {"backlog_drops": 5, "tcp_loss_probes": 1}
    after = {"backlog_drops": 9, "tcp_loss_probes": 4, "tcp_retransmission_timeouts": 2}
    assert counter_delta(before, after) == {"backlog_drops": 4, "tcp_loss_probes": 3}
