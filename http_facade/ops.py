"""Operations endpoints: liveness and readiness.

``GET /healthz`` answers 200 while the process serves requests.  ``GET /readyz`` runs
every readiness probe of the node concurrently under a deadline and answers 200 when all
pass, 503 otherwise, naming each dependency's state (never its address or credentials).
"""

from __future__ import annotations

import trio
from quart import Blueprint, Response, jsonify

from http_facade.context import ReadinessProbe, current_context

PROBE_TIMEOUT_S = 2.0

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
async def healthz() -> Response:
    """Liveness: the process is up and serving."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
async def readyz() -> Response:
    """Readiness: storage, Redis and the other dependencies answer within the deadline."""
    probes = current_context().readiness
    states: dict[str, str] = {}

    async def run_probe(name: str, probe: ReadinessProbe) -> None:
        try:
            with trio.fail_after(PROBE_TIMEOUT_S):
                await probe()
        except trio.TooSlowError:
            states[name] = "timeout"
        except Exception:  # any failure of a dependency means "not ready"
            states[name] = "unavailable"
        else:
            states[name] = "ok"

    async with trio.open_nursery() as nursery:
        for name, probe in probes.items():
            nursery.start_soon(run_probe, name, probe)
    ready = all(state == "ok" for state in states.values())
    response = jsonify({"status": "ok" if ready else "unavailable", "checks": states})
    response.status_code = 200 if ready else 503
    return response
