"""Plain definitions the regional analyses' fast paths are checked against (test-only).

``link_kinds`` is the definition of a 横連携 link between two communities, read pair by pair from the
regional index; ``isolated_regions`` finds the same links inverted (``_Index.linked``). ``cut_pieces``
lists the pieces each cut vertex leaves by removing it, where the analysis finds them in one search.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import networkx as nx

from secgraph.analysis.areas import community_areas, other_region
from secgraph.analysis.network import shared_inputs, snapshot_at
from secgraph.analysis.regions.findings import _build_index, _Index
from secgraph.model.graph import CommunityNotFound, GraphData


class Link(NamedTuple):
    community_id: str
    kinds: list[str]


def link_kinds(ix: _Index, a: str, b: str) -> list[str]:
    """What links communities ``a`` and ``b``: a partnership or membership between them, an event both
    held a part in, a shared member or secretariat body, a shared speaker or participant (an actor in
    both circles who is not a shared member)."""
    shared_members = (ix.members.get(a, set()) & ix.members.get(b, set())) - {a, b}
    shared = {
        "partnership": ix.community_ties.get(frozenset((a, b)), []),
        "shared_event": ix.parts.get(a, set()) & ix.parts.get(b, set()),
        "shared_member": shared_members,
        "shared_participant": (ix.circles.get(a, set()) & ix.circles.get(b, set())) - {a, b} - shared_members,
    }
    return [kind for kind, ids in shared.items() if ids]


def horizontal_links(
    data: GraphData, community_id: str, *, as_of: dt.date | None = None, region_kind: str = "mic"
) -> list[Link]:
    """The community's links with communities of another region (communities with no area do not count)."""
    with shared_inputs():
        ix = _build_index(snapshot_at(data, as_of), None)
        if community_id not in ix.communities:
            raise CommunityNotFound(community_id)
        own = community_areas(ix.communities[community_id], region_kind)
        return [
            Link(other, kinds)
            for other in sorted(ix.communities)
            if other != community_id
            and (kinds := link_kinds(ix, community_id, other))
            and other_region(own, community_areas(ix.communities[other], region_kind))
        ]


def cut_pieces(graph: nx.Graph) -> dict[str, list[list[str]]]:
    """Each cut vertex of ``graph`` → the pieces its connected component falls into without it, each
    sorted: the vertex removed and the rest of its component split into connected components."""
    pieces: dict[str, list[list[str]]] = {}
    for vertex in graph:
        rest = graph.subgraph(nx.node_connected_component(graph, vertex) - {vertex})
        found = sorted(sorted(c) for c in nx.connected_components(rest))
        if len(found) >= 2:
            pieces[vertex] = found
    return pieces
