"""The actor network of one date and who belongs where, indexed once for the regional analyses.

``isolated_regions`` and ``missing_sectors`` read the same index: inside ``shared_inputs`` it is
built once per data object and only read afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from secgraph.analysis.index import NetworkArrays, network_arrays
from secgraph.analysis.network import (
    EVENT_PARTS,
    actor_network,
    editions_by_series,
    prefectures_by_actor,
    reuse,
    shared_inputs,
)
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Organisation
from secgraph.model.vocabulary import RelType

#: Relationships that tie two communities directly.
COMMUNITY_TIES: tuple[RelType, ...] = (
    RelType.PARTNERS_WITH,
    RelType.MEMBER_OF,
    RelType.SECRETARIAT_OF,
    RelType.SUB_UNIT_OF,
)


@dataclass
class NetworkIndex:
    """The actor network and who belongs where, computed once per data object.

    Read-only once built: inside ``shared_inputs`` the same index serves every analysis of the block.
    """

    data: GraphData
    network: nx.Graph
    #: The same network in array form (``index.network_arrays``).
    arrays: NetworkArrays
    communities: dict[str, Community] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    #: Actor → prefectures it is located in (organisations, people via employer, communities' coverage).
    located: dict[str, set[str]] = field(default_factory=dict)
    #: Actor → communities it is a member or secretariat of.
    memberships: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: Community → members and secretariat; community → partners (PARTNERS_WITH either way).
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    partners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: {community, community} → the relationships joining the two directly.
    community_ties: dict[frozenset[str], list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Actor → events and series it held a part in (a series' editions included).
    parts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: Sector → its organisations' ids, sorted; prefecture → the organisations located there, sorted.
    organisations_by_sector: dict[str, list[str]] = field(default_factory=dict)
    organisations_by_prefecture: dict[str, list[str]] = field(default_factory=dict)


def network_index(data: GraphData) -> NetworkIndex:
    """Index ``data`` (already cut to its date) for ``isolated_regions`` and ``missing_sectors``.

    Inside ``shared_inputs`` it is built once per data object and shared (it is only read).
    """

    def build() -> NetworkIndex:
        ix = NetworkIndex(data=data, network=actor_network(data), arrays=network_arrays(data))
        _fill(ix)
        return ix

    with shared_inputs():
        return reuse("network_index", data, None, build)


_MEMBERSHIPS = frozenset({RelType.MEMBER_OF, RelType.SECRETARIAT_OF})
_PARTS = frozenset(EVENT_PARTS)
_BETWEEN_COMMUNITIES = frozenset(COMMUNITY_TIES)


def _fill(ix: NetworkIndex) -> None:
    data = ix.data
    for node in data.nodes.values():
        if isinstance(node, Community):
            ix.communities[node.id] = node
        elif isinstance(node, Organisation):
            ix.organisations[node.id] = node
    # Where the network places its actors (its nodes' ``prefectures``), shared with it: only read.
    ix.located = prefectures_by_actor(data)
    editions = editions_by_series(data)
    communities, partnership = ix.communities, RelType.PARTNERS_WITH
    parts, memberships, members, partners = ix.parts, ix.memberships, ix.members, ix.partners
    for rel in data.relationships.values():
        kind, from_id, to_id = rel.type, rel.from_id, rel.to_id
        if kind in _PARTS:  # most relationships: each one's work kept to a few lookups
            held = parts[from_id]
            held.add(to_id)
            if to_id in editions:
                held.update(editions[to_id])
            continue
        if kind in _MEMBERSHIPS and to_id in communities:
            memberships[from_id].add(to_id)
            members[to_id].add(from_id)
        elif kind == partnership:
            partners[to_id].add(from_id)
            partners[from_id].add(to_id)
        if kind in _BETWEEN_COMMUNITIES and from_id in communities and to_id in communities:
            ix.community_ties[frozenset((from_id, to_id))].append(str(rel.id))
    by_sector: dict[str, list[str]] = defaultdict(list)
    by_prefecture: dict[str, list[str]] = defaultdict(list)
    for org_id in sorted(ix.organisations):
        org = ix.organisations[org_id]
        if org.sector:
            by_sector[org.sector].append(org_id)
        if org.prefecture:
            by_prefecture[org.prefecture].append(org_id)
    ix.organisations_by_sector = dict(by_sector)
    ix.organisations_by_prefecture = dict(by_prefecture)
