"""The composition root: one process is one node (docs/ARCHITECTURE.md, "The node").

:func:`serve_node` runs a node until its shutdown event is set; :mod:`.services` opens the
node's parts and :mod:`.tree` runs its children.
"""

from topicsflow.node.services import NodeServices, open_node_services
from topicsflow.node.tree import NodeHandle, hypercorn_config, serve_asgi, serve_node

__all__ = [
    "NodeHandle",
    "NodeServices",
    "hypercorn_config",
    "open_node_services",
    "serve_asgi",
    "serve_node",
]
