"""A whole graph, or a batch of changes to one, as records; and what follows from the records.

Some relationships are not written by users but follow from a node's own fields (an organisation is
located in its prefecture, an event is an edition of its series, a headcount counts its subject).
``derived_relationships`` makes them, so both stores hold exactly the same ties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from secgraph.model import geography
from secgraph.model.records import (
    ENDPOINTS,
    NODE_TYPES,
    Community,
    Event,
    Headcount,
    Node,
    Note,
    Organisation,
    PrefectureNode,
    RegionNode,
    Relationship,
)
from secgraph.model.vocabulary import RelType

BUILT_IN_SOURCE = "secgraph 都道府県・地域表 / built-in prefecture and region table"
BUILT_IN_AS_OF = "2026-01-01"


class CommunityNotFound(KeyError):
    """No community with this id in the graph (or in the part of it the caller may see)."""

    def __init__(self, community_id: str):
        super().__init__(f"community '{community_id}' not found / コミュニティ「{community_id}」が見つかりません")
        self.community_id = community_id

    def __str__(self) -> str:  # KeyError's own would show the message in quotes
        return str(self.args[0])


def community_of(data: GraphData, community_id: str) -> Community:
    """The community ``community_id`` in ``data``; ``CommunityNotFound`` when there is none."""
    node = data.nodes.get(community_id)
    if not isinstance(node, Community):
        raise CommunityNotFound(community_id)
    return node


@dataclass
class GraphData:
    """Nodes and relationships by id, in a deterministic order."""

    nodes: dict[str, Node] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    #: Whether this is a view with personal names removed (``access.visibility``, a viewer's view):
    #: hiding names in it again changes nothing, and whatever is drawn from it says names are hidden.
    names_hidden: bool = field(default=False, compare=False)
    #: The day this graph was cut on when it is the records as they stood on that day
    #: (``analysis.network.snapshot_at``), else None: that day is its "now", so cutting it again on
    #: its own date leaves it as it is.
    cut_on: dt.date | None = field(default=None, compare=False)

    def add_node(self, node: Node) -> None:
        self.nodes[node.id] = node

    def add_relationship(self, relationship: Relationship) -> None:
        assert relationship.id is not None
        self.relationships[relationship.id] = relationship

    def sorted(self) -> GraphData:
        return GraphData(
            nodes=dict(sorted(self.nodes.items())),
            relationships=dict(sorted(self.relationships.items())),
            names_hidden=self.names_hidden,
            cut_on=self.cut_on,
        )

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node in self.nodes.values():
            counts[node.kind] = counts.get(node.kind, 0) + 1
        for rel in self.relationships.values():
            counts[str(rel.type)] = counts.get(str(rel.type), 0) + 1
        return dict(sorted(counts.items()))


def _derived(rel_type: RelType, node: Node, to_id: str) -> Relationship:
    return Relationship(
        type=rel_type,
        from_id=node.id,
        to_id=to_id,
        source=node.source,
        as_of=node.as_of,
        confidential=node.confidential,
    )


def derived_relationships(node: Node) -> Iterator[Relationship]:
    """The ties that a node's own fields state."""
    if isinstance(node, Organisation):
        if node.prefecture:
            yield _derived(RelType.LOCATED_IN, node, geography.prefecture_node_id(node.prefecture))
        if node.parent_id:
            yield _derived(RelType.SUB_UNIT_OF, node, node.parent_id)
    elif isinstance(node, Event):
        if node.prefecture:
            yield _derived(RelType.LOCATED_IN, node, geography.prefecture_node_id(node.prefecture))
        if node.series_id:
            yield _derived(RelType.IN_SERIES, node, node.series_id)
    elif isinstance(node, Community):
        if node.region:
            yield _derived(RelType.LOCATED_IN, node, geography.region_node_id(node.region))
        for code in node.prefectures:
            yield _derived(RelType.LOCATED_IN, node, geography.prefecture_node_id(code))
    elif isinstance(node, Headcount):
        yield _derived(RelType.COUNTS, node, node.subject_id)
    elif isinstance(node, Note):
        yield _derived(RelType.ABOUT, node, node.about_id)


def referenced_ids(node: Node) -> Iterator[tuple[str, str]]:
    """(field, id) for every other record a node's fields name."""
    for field_name in ("parent_id", "series_id", "subject_id", "about_id"):
        value = getattr(node, field_name, None)
        if value:
            yield field_name, value


def merged_aliases(data: GraphData) -> dict[str, str]:
    """Every id merged away (名寄せ) → the id of the record it became, from the records' ``merged_ids``."""
    return {
        alias: node.id
        for node in data.nodes.values()
        for alias in getattr(node, "merged_ids", ())
        if alias not in data.nodes
    }


def geography_graph() -> GraphData:
    """The 47 prefectures and the METI and MIC regions, with each prefecture's two regions."""
    data = GraphData()
    common = {"source": BUILT_IN_SOURCE, "as_of": BUILT_IN_AS_OF}
    for region in geography.regions():
        data.add_node(
            RegionNode(
                id=geography.region_node_id(region.code),
                code=region.code,
                region_kind=region.kind,  # type: ignore[arg-type]
                name=region.name,
                name_en=region.name_en,
                bureau=region.bureau,
                **common,
            )
        )
    for prefecture in geography.prefectures():
        node = PrefectureNode(
            id=geography.prefecture_node_id(prefecture.code),
            code=prefecture.code,
            name=prefecture.name,
            name_en=prefecture.name_en,
            meti_region=prefecture.meti_region,
            mic_region=prefecture.mic_region,
            **common,
        )
        data.add_node(node)
        for region_code in (prefecture.meti_region, prefecture.mic_region):
            data.add_relationship(_derived(RelType.IN_REGION, node, geography.region_node_id(region_code)))
    return data


def endpoint_error(rel: Relationship, from_kind: str | None, to_kind: str | None) -> str | None:
    """Why ``rel`` may not join these kinds, or None when it may."""
    if from_kind is None:
        return f"from_id '{rel.from_id}' is not defined / 起点「{rel.from_id}」が定義されていません"
    if to_kind is None:
        return f"to_id '{rel.to_id}' is not defined / 終点「{rel.to_id}」が定義されていません"
    allowed_from, allowed_to = ENDPOINTS[RelType(rel.type)]
    if from_kind not in allowed_from:
        return (
            f"{rel.type} cannot start at a {from_kind} (allowed: {', '.join(sorted(allowed_from))}) "
            f"/ この関係は{from_kind}から始められません"
        )
    if to_kind not in allowed_to:
        return (
            f"{rel.type} cannot end at a {to_kind} (allowed: {', '.join(sorted(allowed_to))}) "
            f"/ この関係は{to_kind}で終われません"
        )
    return None


def node_from_properties(kind: str, properties: dict) -> Node:
    return NODE_TYPES[kind].model_validate(properties)


def all_relationships(nodes: Iterable[Node], written: Iterable[Relationship]) -> list[Relationship]:
    """The written relationships plus those derived from the nodes' fields."""
    relationships = list(written)
    for node in nodes:
        relationships.extend(derived_relationships(node))
    return relationships
