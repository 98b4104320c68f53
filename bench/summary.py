"""Medians over repetitions, ours/peer ratios per repetition, and the targets of issue 11.

Input is ``repetitions``: one mapping per repetition, ``{server: {"w1": {"room_<N>":
run_w1 result}, "w2": run_w2 result}}``.  Output, per room size, every server's
headline W1 figures per repetition and their median, the ratio ours/peer of the
delivered-msgs/s figure per repetition and its median, and the same for W2's bytes per
connection.  :func:`targets` checks the medians against the issue's targets.
"""

from __future__ import annotations

import statistics
from typing import Any

OURS = "topicsflow"
W1_RATIO_TARGETS = {
    "flask_socketio": 3.0, "flask_socketio_gevent": 3.0, "python_socketio": 1.5, "centrifugo": 0.5,
}
P99_AT_5000_TARGET_MS = 50.0
W2_TARGET_BYTES = 30 * 1024


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return round(statistics.median(present), 3) if present else None


def _ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or not peer:
        return None
    return round(ours / peer, 3)


def summarise_w1(repetitions: list[dict[str, Any]]) -> dict[str, Any]:
    """Per room size: figures per server and ours/peer ratios, per repetition and median."""
    rooms = sorted({room for rep in repetitions for server in rep.values()
                    for room in server.get("w1", {})}, key=lambda room: int(room.split("_")[1]))
    summary: dict[str, Any] = {}
    for room in rooms:
        servers: dict[str, Any] = {}
        for name in dict.fromkeys(name for rep in repetitions for name in rep):
            runs = [rep.get(name, {}).get("w1", {}).get(room) for rep in repetitions]
            throughput = [run["max_delivered_per_s_p99_le_200ms"] if run else None
                          for run in runs]
            p99 = [run["p99_ms_at_5000_per_s"] if run else None for run in runs]
            servers[name] = {
                "max_delivered_per_s_p99_le_200ms": throughput,
                "median_max_delivered_per_s": _median(throughput),
                "p99_ms_at_5000_per_s": p99, "median_p99_ms_at_5000_per_s": _median(p99),
            }
        ratios: dict[str, Any] = {}
        ours = servers.get(OURS)
        for name, figures in servers.items():
            if name == OURS or ours is None:
                continue
            per_rep = [_ratio(a, b) for a, b in zip(
                ours["max_delivered_per_s_p99_le_200ms"],
                figures["max_delivered_per_s_p99_le_200ms"], strict=True)]
            ratios[name] = {"per_repetition": per_rep, "median": _median(per_rep),
                            "target": W1_RATIO_TARGETS.get(name)}
        summary[room] = {"servers": servers, "ratio_ours_over_peer": ratios}
    return summary


def summarise_w2(repetitions: list[dict[str, Any]]) -> dict[str, Any]:
    """Bytes per idle connection per server: per repetition, median, ratio ours/peer."""
    servers: dict[str, Any] = {}
    for name in dict.fromkeys(name for rep in repetitions for name in rep):
        runs = [rep.get(name, {}).get("w2") for rep in repetitions]
        values = [run["rss_bytes_per_connection"] if run else None for run in runs]
        servers[name] = {"bytes_per_connection": values, "median": _median(values)}
    ours = servers.get(OURS)
    ratios = {}
    if ours is not None:
        for name, figures in servers.items():
            if name != OURS:
                per_rep = [_ratio(a, b) for a, b in zip(
                    ours["bytes_per_connection"], figures["bytes_per_connection"], strict=True)]
                ratios[name] = {"per_repetition": per_rep, "median": _median(per_rep)}
    return {"servers": servers, "ratio_ours_over_peer": ratios}


def targets(w1: dict[str, Any], w2: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 11 with the measured median and whether it is met."""
    checks: list[dict[str, Any]] = []
    for room, figures in w1.items():
        for peer, ratio in figures["ratio_ours_over_peer"].items():
            if ratio["target"] is not None:
                checks.append({"figure": f"W1 {room} delivered/s ours/{peer}",
                               "target": f">= {ratio['target']}", "measured": ratio["median"],
                               "met": ratio["median"] is not None
                               and ratio["median"] >= ratio["target"]})
        ours = figures["servers"].get(OURS)
        if ours is not None:
            p99 = ours["median_p99_ms_at_5000_per_s"]
            checks.append({"figure": f"W1 {room} ours p99 ms at 5,000 deliveries/s",
                           "target": f"<= {P99_AT_5000_TARGET_MS}", "measured": p99,
                           "met": p99 is not None and p99 <= P99_AT_5000_TARGET_MS})
    ours_w2 = w2["servers"].get(OURS)
    if ours_w2 is not None:
        value = ours_w2["median"]
        checks.append({"figure": "W2 ours bytes per idle connection",
                       "target": f"<= {W2_TARGET_BYTES}", "measured": value,
                       "met": value is not None and value <= W2_TARGET_BYTES})
    return checks
