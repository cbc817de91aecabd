"""Plain definitions the regional analyses' fast paths are checked against (test-only).

``link_kinds`` is the definition of a 横連携 link between two communities, read pair by pair from the
regional index; ``isolated_regions`` finds the same links inverted (``_Index.linked``). ``cut_pieces``
lists the pieces each cut vertex leaves, from the analysis's own depth-first search.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import networkx as nx

from secgraph.analysis.areas import community_areas, other_region
from secgraph.analysis.network import shared_inputs, snapshot_at
from secgraph.analysis.regions.findings import _build_index, _cut_search, _Index
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


def cut_pieces(graph: nx.Graph, root: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    """The articulation points of ``root``'s component and, for each, the pieces its removal leaves:
    each cut-off subtree of the search, and for a non-root vertex the rest of the component.
    Returns the component's preorder and ``{cut vertex: [piece, ...]}``."""
    order, disc, size, separated = _cut_search(graph, root)
    pieces: dict[str, list[list[str]]] = {}
    for v, children in separated.items():
        if v == root and len(children) < 2:
            continue
        found = [order[disc[c] : disc[c] + size[c]] for c in children]
        if v != root:
            inside = {a for piece in found for a in piece}
            found.append([a for a in order if a != v and a not in inside])
        pieces[v] = found
    return order, pieces
