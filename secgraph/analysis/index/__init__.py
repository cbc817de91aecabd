"""The network of one graph revision in the forms the analyses read, each made once.

Inside ``network.shared_inputs`` (the API keeps one per revision of the graph) every form below is
built once per data object and scope and handed to every analysis that asks:

- ``network.snapshot_at`` — the records as they stood on a date; ``network.records_as_of`` — those an
  analysis reads (on its date, else on the data's own latest date: the one meaning of "now");
- ``network.actor_network`` — the actor network as a frozen networkx graph;
- ``network_arrays`` — the same network in array form (:class:`NetworkArrays`: numbered nodes, CSR
  adjacency and weights, triangles, an igraph handle), which the measures and analyses read instead
  of walking the graph; ``network_arrays_on`` — the country's network on a date in array form: on the
  data's own date made from its graph, on another without a graph, sharing what it can with the
  network of the data's own date;
- ``activity.activity_index`` — who belongs where and what each community ran, on one date;
- ``network_index.network_index`` — the regional lookups of the isolated-regions and sectors analyses;
- ``network.community_circle`` — a community's circle (its one definition), and ``network.scoped_actor_ids``
  — the actors of a scope.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from secgraph.analysis.index.arrays import InducedDegrees, NetworkArrays
from secgraph.analysis.network import (
    Scope,
    actor_network,
    actor_ties,
    data_date,
    made_actor_network,
    network_key,
    reuse,
    snapshot_at,
)
from secgraph.model.graph import GraphData

__all__ = ["InducedDegrees", "NetworkArrays", "network_arrays", "network_arrays_on"]


def network_arrays(data: GraphData, scope: Scope | None = None, *, local_only: bool = False) -> NetworkArrays:
    """``actor_network(data, scope, local_only=…)`` in array form; inside ``shared_inputs`` made once per
    network (the records of its day, the scope and ``local_only``: ``network.network_key``)."""
    records, dated = network_key(data, scope)
    return reuse(
        "network_arrays",
        records,
        (dated, local_only),
        lambda: NetworkArrays(actor_network(records, dated, local_only=local_only)),
    )


def network_arrays_on(data: GraphData, day: dt.date, snapshot: GraphData | None = None) -> NetworkArrays:
    """``network_arrays(snapshot_at(data, day))``: the country's actor network of ``data`` as it stood on
    ``day``, in array form, made once per data and day inside ``shared_inputs`` (and the same object
    ``network_arrays`` gives for the snapshot).

    On the data's own date they are made from its graph (``actor_network(data)``), which most
    analyses of that date read too, and hold the graph's own dicts. The analyses of another date read
    only the arrays, so theirs are made from the snapshot's ties (``network.actor_ties``) without
    building its graph. They are not the given network's with the ended ties left out: the cut
    changes ties (an ended membership, an event not yet held) and may add some (when a host's part
    has ended, the event's attendees are tied to its other parts). But most ties are the same, so
    when the network of ``data`` on its own date is already made, each tie that is the same in both
    (the same weight, relationships and events) shares its attribute dict rather than holding a copy.
    ``snapshot`` is ``snapshot_at(data, day)`` when the caller has it already.
    """
    snapshot = snapshot_at(data, day) if snapshot is None else snapshot
    return reuse("network_arrays", snapshot, (Scope(as_of=day), False), lambda: _arrays_on(data, snapshot))


def _arrays_on(data: GraphData, snapshot: GraphData) -> NetworkArrays:
    # Made as a graph first, the arrays share its dicts instead of holding a second copy of each.
    if snapshot.cut_on == data_date(data) or made_actor_network(snapshot) is not None:
        return NetworkArrays(actor_network(snapshot))
    given = made_actor_network(data)
    # The neighbour dicts of the network of data's own date as networkx holds them (read only).
    given_ties = dict(given.adjacency()) if given is not None else {}
    cut = actor_ties(snapshot)
    ties: list[tuple[str, str, dict[str, Any]]] = []
    for a, b, attributes in cut.ties():
        given_attributes = given_ties[a].get(b) if a in given_ties else None
        ties.append((a, b, given_attributes if given_attributes == attributes else attributes))
    return NetworkArrays.from_ties(cut.actors, ties)
