"""The fault suite: real dependencies of the test's own, stopped, killed and replaced.

Each test starts its own Redis or Mongo-wire server (``tests/faults/dependencies.py``) —
never the suite's shared ones — and breaks it while a node serves.  ``scripts/test`` runs
the short form: each outage lasts ``OUTAGE_SECONDS`` (3 s).  The long form (30 s
outages) is the same tests with ``TOPICSFLOW_FAULT_SECONDS=30``: docs/STORAGE.md,
"Retries and outages".
"""

from __future__ import annotations

# Fixtures for the node and its people, as in the end-to-end tests.
from tests.e2e.conftest import node, people  # noqa: F401
