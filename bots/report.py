"""The bots' progress line, final JSON report and its table.

Report keys (all figures cumulative over the measured phase unless noted):
``scenario``, ``workers``, ``connections`` (connected and subscribed before the start),
``connections_at_end``, ``sent``, ``received``, ``expected`` (sum over acknowledged
messages of their room's subscriber count), ``delivery_ratio`` (received / expected),
``errors``, ``sent_per_s`` and ``delivered_per_s`` (over ``duration``),
``latency_ms`` (``p50``, ``p90``, ``p99``, ``max`` publish-to-delivery, from the send
time in each message's text), ``bot_cpu_seconds`` and ``bot_cpu_seconds_per_worker``
(CPU seconds of each worker process over its whole life, connecting included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bots.metrics import BotStats
from bots.scenario import Scenario

REPORT_KEYS = (
    "scenario", "workers", "connections", "connections_at_end", "sent", "received",
    "expected", "delivery_ratio", "errors", "sent_per_s", "delivered_per_s", "latency_ms",
    "bot_cpu_seconds", "bot_cpu_seconds_per_worker",
)


def _milliseconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def progress_line(phase: str, stats: BotStats) -> str:
    """One line: phase, connections, sent, received, errors, p50/p99 latency so far."""
    return (
        f"[bots {phase}] connections={stats.connections} sent={stats.sent} "
        f"received={stats.received} errors={stats.errors} "
        f"p50={_milliseconds(stats.latency.percentile(0.5))}ms "
        f"p99={_milliseconds(stats.latency.percentile(0.99))}ms"
    )


def build_report(
    scenario: Scenario, final: BotStats, connected: BotStats, per_worker: Sequence[BotStats]
) -> dict[str, Any]:
    """The report of a finished run; see the module docstring for the keys."""
    latency = final.latency
    return {
        "scenario": scenario.summary(),
        "workers": len(per_worker),
        "connections": connected.connections,
        "connections_at_end": final.connections,
        "sent": final.sent,
        "received": final.received,
        "expected": final.expected,
        "delivery_ratio": round(final.received / final.expected, 4) if final.expected else None,
        "errors": final.errors,
        "sent_per_s": round(final.sent / scenario.duration, 1),
        "delivered_per_s": round(final.received / scenario.duration, 1),
        "latency_ms": {
            "p50": latency.percentile(0.5), "p90": latency.percentile(0.9),
            "p99": latency.percentile(0.99), "max": round(latency.max_ms, 3),
        },
        "bot_cpu_seconds": round(final.cpu_seconds, 3),
        "bot_cpu_seconds_per_worker": [round(stats.cpu_seconds, 3) for stats in per_worker],
    }


def render_table(report: dict[str, Any]) -> str:
    """The report as a two-column text table (the scenario omitted)."""
    rows: list[tuple[str, str]] = []
    for key in REPORT_KEYS[1:]:
        value = report[key]
        if isinstance(value, dict):
            rows.extend((f"{key}.{name}", str(inner)) for name, inner in value.items())
        else:
            rows.append((key, str(value)))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)
