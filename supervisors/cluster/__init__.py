"""Cluster mode: many nodes on Redis and MongoDB, one activation per actor cluster-wide.

* :mod:`~supervisors.cluster.placement` — leases with fencing tokens; owner look-up;
  forwarding through the registry's placement hook.
* :mod:`~supervisors.cluster.peers` / :mod:`~supervisors.cluster.peer_server` /
  :mod:`~supervisors.cluster.wire` — authenticated, versioned node-to-node links.
* :mod:`~supervisors.cluster.codec` / :mod:`~supervisors.cluster.declared` — what may
  cross them: the declared message and reply types (msgspec), and errors as data.
* :mod:`~supervisors.cluster.fanout` — one bus message per event per node.
* :mod:`~supervisors.cluster.node` — membership, heartbeat, join and leave.

See ``docs/CLUSTER.md`` for running N nodes and the guarantees.
"""
