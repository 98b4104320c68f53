"""Throughput against latency for every server, one PNG per W1 room size.

:func:`plot_w1` reads the results of ``bench/compare.py`` and draws, for each room size,
p99 (log scale) against delivered messages/s for every server and repetition (one
colour per server, one line per repetition), with the latency limits of
:data:`bench.knee.LIMITS_MS` as dashed lines.
Files are ``<directory>/bench-w1-room<N>.png``.  matplotlib comes from
``bench/requirements.txt`` and runs on its non-interactive Agg backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.knee import LIMITS_MS

COLOURS = {"topicsflow": "tab:blue", "flask_socketio": "tab:red",
           "python_socketio": "tab:orange", "centrifugo": "tab:green",
           "flask_socketio_gevent": "tab:purple", "centrifugo_protobuf": "tab:olive",
           "centrifugo_protobuf_gogc": "tab:cyan", "centrifugo_history": "tab:brown"}
LABELS = {"topicsflow": "TopicsFlow (ours)", "flask_socketio": "Flask-SocketIO (eventlet)",
          "python_socketio": "python-socketio (uvicorn)", "centrifugo": "Centrifugo v6 (JSON)",
          "flask_socketio_gevent": "Flask-SocketIO (gevent)",
          "centrifugo_protobuf": "Centrifugo v6 (Protobuf)",
          "centrifugo_protobuf_gogc": "Centrifugo v6 (Protobuf, tuned GOGC)",
          "centrifugo_history": "Centrifugo v6 (Protobuf, tuned GOGC, history + recovery)"}


def plot_w1(results: dict[str, Any], directory: Path) -> list[Path]:
    """Write one plot per room size; return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    directory.mkdir(parents=True, exist_ok=True)
    rooms = sorted({room for rep in results["repetitions"] for server in rep.values()
                    for room in server.get("w1", {})}, key=lambda room: int(room.split("_")[1]))
    paths = []
    for room in rooms:
        figure, axes = pyplot.subplots(figsize=(9, 6))
        for name, colour in COLOURS.items():
            for index, rep in enumerate(results["repetitions"]):
                run = rep.get(name, {}).get("w1", {}).get(room)
                # Sorted: the knee search steps back down to bisect its brackets.
                points = sorted((step["delivered_per_s"], step["latency_ms"]["p99"])
                                for step in (run or {}).get("steps", [])
                                if step["latency_ms"]["p99"] is not None)
                if points:
                    axes.plot(*zip(*points, strict=True), marker=".", color=colour, alpha=0.6,
                              linewidth=1, label=LABELS[name] if index == 0 else None)
        for limit in LIMITS_MS:
            axes.axhline(limit, color="grey", linestyle="--", linewidth=0.8)
            axes.annotate(f"{limit:g} ms", (1, limit), xycoords=("axes fraction", "data"),
                          ha="right", va="bottom", fontsize="x-small", color="grey")
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("delivered messages/s")
        axes.set_ylabel("p99 publish-to-delivery latency, ms")
        size = room.split("_")[1]
        axes.set_title(f"W1 fan-out, rooms of {size}: p99 against delivered/s "
                       "(server on 1 core; one line per repetition)", fontsize="medium")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(loc="upper left", fontsize="small")
        path = directory / f"bench-w1-room{size}.png"
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        pyplot.close(figure)
        paths.append(path)
    return paths
