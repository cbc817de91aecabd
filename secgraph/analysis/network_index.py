"""The actor network of one date and who belongs where, indexed once for the regional analyses.

``isolated_regions`` and ``missing_sectors`` read the same index: inside ``shared_inputs`` it is
built once per data object and only read afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from secgraph.analysis.index import NetworkArrays, network_arrays
from secgraph.analysis.network import EVENT_PARTS, actor_network, reuse, shared_inputs
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, Organisation
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


def _fill(ix: NetworkIndex) -> None:
    data, network = ix.data, ix.network
    for node in data.nodes.values():
        if isinstance(node, Community):
            ix.communities[node.id] = node
        elif isinstance(node, Organisation):
            ix.organisations[node.id] = node
    ix.located = {a: set(network.nodes[a]["prefectures"]) for a in network.nodes}
    series_editions: dict[str, set[str]] = defaultdict(set)
    for node in data.nodes.values():
        if isinstance(node, Event) and node.series_id:
            series_editions[node.series_id].add(node.id)
    for rel in data.relationships.values():
        if rel.type in (RelType.MEMBER_OF, RelType.SECRETARIAT_OF) and rel.to_id in ix.communities:
            ix.memberships[rel.from_id].add(rel.to_id)
            ix.members[rel.to_id].add(rel.from_id)
        elif rel.type == RelType.PARTNERS_WITH:
            ix.partners[rel.to_id].add(rel.from_id)
            ix.partners[rel.from_id].add(rel.to_id)
        elif rel.type in EVENT_PARTS:
            ix.parts[rel.from_id] |= {rel.to_id, *series_editions.get(rel.to_id, ())}
        if rel.type in COMMUNITY_TIES and rel.from_id in ix.communities and rel.to_id in ix.communities:
            ix.community_ties[frozenset((rel.from_id, rel.to_id))].append(str(rel.id))
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
