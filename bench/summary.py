"""Spreads over repetitions, ours/peer ratios per latency limit, and the targets of issue 26.

Input is ``repetitions``: one mapping per repetition, ``{server: {"w1": {"room_<N>":
run_w1 result}, "w2": run_w2 result}}``.  Every figure is reported per repetition and as
``{"min", "median", "max"}`` over them (:func:`spread`).  Per room size and server:

* the knee at each latency limit (``max_delivered_per_s``: p99 ≤ 25, 50, 100, 200 ms);
* p99 at 5,000 deliveries/s, server CPU µs per delivery at 50,000 deliveries/s and the
  kernel's share of that CPU, and the loadgen's highest CPU share while publishing;
* ours/peer: the ratio of knees per repetition and limit, and of CPU per delivery.

The **best Centrifugo variant** at a limit is the one with the highest median knee; for
CPU per delivery, the lowest median.  :func:`targets` checks the medians against the
acceptance of issue 26.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.knee import LIMITS_MS

OURS = "topicsflow"
LIMIT_KEYS = tuple(f"p99_le_{limit:g}ms" for limit in LIMITS_MS)
CENTRIFUGO_PREFIX = "centrifugo"
CENTRIFUGO_TARGETS = {"p99_le_50ms": 1.0, "p99_le_200ms": 1.5}
PEER_TARGETS = {"flask_socketio": 3.0, "flask_socketio_gevent": 3.0, "python_socketio": 1.5}
CPU_RATIO_TARGET = 1.2
P99_AT_5000_TARGET_MS = 50.0
W2_TARGET_BYTES = 20_000
CPU_RATE = 50_000


def spread(values: list[float | None]) -> dict[str, float | None]:
    """``min``, ``median`` and ``max`` of the values present (``None`` when none are)."""
    present = [value for value in values if value is not None]
    if not present:
        return {"min": None, "median": None, "max": None}
    return {"min": min(present), "median": round(statistics.median(present), 3),
            "max": max(present)}


def _ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or not peer:
        return None
    return round(ours / peer, 3)


def _figure(values: list[float | None]) -> dict[str, Any]:
    return {"per_repetition": values, **spread(values)}


def _server_figures(runs: list[dict[str, Any] | None]) -> dict[str, Any]:
    return {
        "max_delivered_per_s": {
            key: _figure([run["max_delivered_per_s"][key] if run else None for run in runs])
            for key in LIMIT_KEYS},
        "p99_ms_at_5000_per_s": _figure(
            [run["p99_ms_at_5000_per_s"] if run else None for run in runs]),
        "server_cpu_us_per_delivery_at_50000_per_s": _figure(
            [run["server_cpu_us_per_delivery_at_50000_per_s"] if run else None
             for run in runs]),
        "server_kernel_share_at_50000_per_s": _figure(
            [_step_figure(run, CPU_RATE, "server_kernel_cpu_fraction") for run in runs]),
        "loadgen_cpu_share_max": _figure(
            [max((step["loadgen_cpu_share"] for step in run["steps"]), default=None)
             if run else None for run in runs]),
        "limit_reached": [run["limit_reached"] if run else None for run in runs],
    }


def _step_figure(run: dict[str, Any] | None, rate: int, key: str) -> float | None:
    """``key`` of the run's first step offering ``rate`` (None when there is none)."""
    for step in (run or {}).get("steps", []):
        if step["offered_per_s"] == rate:
            value = step.get(key)
            return None if value is None else float(value)
    return None


def _ratios(ours: dict[str, Any], peer: dict[str, Any]) -> dict[str, Any]:
    ratios: dict[str, Any] = {}
    for key in LIMIT_KEYS:
        pairs = zip(ours["max_delivered_per_s"][key]["per_repetition"],
                    peer["max_delivered_per_s"][key]["per_repetition"], strict=True)
        ratios[key] = _figure([_ratio(a, b) for a, b in pairs])
    cpu = "server_cpu_us_per_delivery_at_50000_per_s"
    pairs = zip(ours[cpu]["per_repetition"], peer[cpu]["per_repetition"], strict=True)
    ratios["cpu_per_delivery_at_50000_per_s"] = _figure([_ratio(a, b) for a, b in pairs])
    return ratios


def best_centrifugo(servers: dict[str, Any]) -> dict[str, str | None]:
    """Per limit, the Centrifugo variant with the highest median knee; ``"cpu"``: the one
    with the lowest median CPU per delivery at 50,000/s."""
    variants = {name: figures for name, figures in servers.items()
                if name.startswith(CENTRIFUGO_PREFIX)}
    best: dict[str, str | None] = {}
    for key in LIMIT_KEYS:
        ranked = [(figures["max_delivered_per_s"][key]["median"] or 0, name)
                  for name, figures in variants.items()]
        best[key] = max(ranked)[1] if ranked else None
    costs = [(figures["server_cpu_us_per_delivery_at_50000_per_s"]["median"], name)
             for name, figures in variants.items()
             if figures["server_cpu_us_per_delivery_at_50000_per_s"]["median"] is not None]
    best["cpu"] = min(costs)[1] if costs else None
    return best


def summarise_w1(repetitions: list[dict[str, Any]]) -> dict[str, Any]:
    """Per room size: figures per server, ours/peer ratios, the best Centrifugo variant."""
    rooms = sorted({room for rep in repetitions for server in rep.values()
                    for room in server.get("w1", {})}, key=lambda room: int(room.split("_")[1]))
    summary: dict[str, Any] = {}
    for room in rooms:
        servers = {
            name: _server_figures([rep.get(name, {}).get("w1", {}).get(room)
                                   for rep in repetitions])
            for name in dict.fromkeys(name for rep in repetitions for name in rep)
            if any(room in rep.get(name, {}).get("w1", {}) for rep in repetitions)
        }
        ours = servers.get(OURS)
        ratios = {name: _ratios(ours, figures) for name, figures in servers.items()
                  if ours is not None and name != OURS}
        summary[room] = {"servers": servers, "ratio_ours_over_peer": ratios,
                         "best_centrifugo": best_centrifugo(servers)}
    return summary


def summarise_w2(repetitions: list[dict[str, Any]]) -> dict[str, Any]:
    """Bytes per idle connection per server: per repetition and spread."""
    servers: dict[str, Any] = {}
    for name in dict.fromkeys(name for rep in repetitions for name in rep):
        runs = [rep.get(name, {}).get("w2") for rep in repetitions]
        if any(run is not None for run in runs):
            servers[name] = _figure(
                [run["rss_bytes_per_connection"] if run else None for run in runs])
    return {"servers": servers}


def _check(figure: str, target: str, measured: float | None, met: bool) -> dict[str, Any]:
    return {"figure": figure, "target": target, "measured": measured,
            "met": measured is not None and met}


def _peer_never_kept(figures: dict[str, Any], peer: str, key: str) -> bool:
    """Whether ``peer``'s knee at ``key`` is 0 in every repetition while ours is not."""
    theirs = figures["servers"][peer]["max_delivered_per_s"][key]
    ours = figures["servers"].get(OURS, {}).get("max_delivered_per_s", {}).get(key)
    return theirs["max"] == 0 and ours is not None and (ours["min"] or 0) > 0


def targets(w1: dict[str, Any], w2: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 26 with the measured median and whether it is met."""
    checks: list[dict[str, Any]] = []
    for room, figures in w1.items():
        ratios, best = figures["ratio_ours_over_peer"], figures["best_centrifugo"]
        for key, target in CENTRIFUGO_TARGETS.items():
            peer = best.get(key)
            if peer is not None and peer in ratios:
                value = ratios[peer][key]["median"]
                checks.append(_check(f"W1 {room} {key} ours/best Centrifugo ({peer})",
                                     f">= {target}", value, (value or 0) >= target))
        if best.get("cpu") in ratios:
            value = ratios[best["cpu"]]["cpu_per_delivery_at_50000_per_s"]["median"]
            checks.append(_check(
                f"W1 {room} CPU µs/delivery at 50,000/s ours/best Centrifugo ({best['cpu']})",
                f"<= {CPU_RATIO_TARGET}", value,
                value is not None and value <= CPU_RATIO_TARGET))
        for peer, target in PEER_TARGETS.items():
            if peer in ratios:
                for key in LIMIT_KEYS:
                    value = ratios[peer][key]["median"]
                    if value is None and _peer_never_kept(figures, peer, key):
                        # The peer kept this limit at no rate: any knee of ours beats it.
                        checks.append({"figure": f"W1 {room} {key} ours/{peer}",
                                       "target": f">= {target}", "measured": None,
                                       "met": True, "note": "the peer kept it at no rate"})
                        continue
                    checks.append(_check(f"W1 {room} {key} ours/{peer}", f">= {target}",
                                         value, (value or 0) >= target))
        ours = figures["servers"].get(OURS)
        if ours is not None:
            p99 = ours["p99_ms_at_5000_per_s"]["median"]
            checks.append(_check(f"W1 {room} ours p99 ms at 5,000 deliveries/s",
                                 f"<= {P99_AT_5000_TARGET_MS}", p99,
                                 p99 is not None and p99 <= P99_AT_5000_TARGET_MS))
    ours_w2 = w2["servers"].get(OURS)
    if ours_w2 is not None:
        value = ours_w2["median"]
        checks.append(_check("W2 ours bytes per idle connection", f"<= {W2_TARGET_BYTES}",
                             value, value is not None and value <= W2_TARGET_BYTES))
    return checks
