"""The network of one graph revision in the forms the analyses read, each made once.

Inside ``network.shared_inputs`` (the API keeps one per revision of the graph) every form below is
built once per data object and scope and handed to every analysis that asks:

- ``network.snapshot_at`` — the records as they stood on a date;
- ``network.actor_network`` — the actor network as a frozen networkx graph;
- ``network_arrays`` — the same network in array form (:class:`NetworkArrays`: numbered nodes, CSR
  adjacency and weights, triangles, an igraph handle), which the measures and analyses read instead
  of walking the graph;
- ``activity.activity_index`` — who belongs where and what each community ran, on one date;
- ``network_index.network_index`` — the regional lookups of the isolated-regions and sectors analyses;
- ``network.community_circle`` — a community's circle (its one definition), and ``network.scoped_actor_ids``
  — the actors of a scope.
"""

from __future__ import annotations

from secgraph.analysis.index.arrays import InducedDegrees, NetworkArrays
from secgraph.analysis.network import Scope, actor_network, reuse
from secgraph.model.graph import GraphData

__all__ = ["InducedDegrees", "NetworkArrays", "network_arrays"]


def network_arrays(data: GraphData, scope: Scope | None = None, *, local_only: bool = False) -> NetworkArrays:
    """``actor_network(data, scope, local_only=…)`` in array form; inside ``shared_inputs`` made once per
    data, scope and ``local_only``."""
    scope = scope or Scope()
    return reuse(
        "network_arrays",
        data,
        (scope, local_only),
        lambda: NetworkArrays(actor_network(data, scope, local_only=local_only)),
    )
