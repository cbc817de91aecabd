"""The networks the analyses run on, cut to a scope and a date.

Two views of one graph:

- ``snapshot_at`` — the records as they stood on a date: events held by then, ties that had begun
  and not ended. A tie without a start date counts from its ``as_of`` (the date a document showed
  it), since nothing earlier is known of it.
- ``actor_network`` — an undirected, weighted graph of the actors (organisations, people,
  communities). Two actors are tied when a relationship joins them (member, secretariat, partner,
  works at, contacted) or when both held a role in the same event or series (organised, co-hosted,
  supported, cooperated, spoke, attended): co-participation is how ties between bodies form in the
  second engagement stage. Each tie keeps its evidence: the relationship ids and events behind it.

Scopes: a community (its members, secretariat and the events it held), a region or prefecture
(actors located there and the communities there), or the whole country.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar

import networkx as nx

from secgraph.model import geography
from secgraph.model.dates import parse_date
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, Headcount, Node, Organisation, Person, Relationship
from secgraph.model.vocabulary import EVENT_ROLE_TYPES, RelType

ACTOR_KINDS = ("Organisation", "Person", "Community")

#: Relationships that tie two actors directly.
DIRECT_TIES: tuple[RelType, ...] = (
    RelType.MEMBER_OF,
    RelType.SECRETARIAT_OF,
    RelType.PARTNERS_WITH,
    RelType.WORKS_AT,
    RelType.CONTACTED,
    RelType.SUB_UNIT_OF,
)
#: Relationships that give an actor a part in an event or series.
EVENT_PARTS: tuple[RelType, ...] = (*EVENT_ROLE_TYPES, RelType.SPOKE_AT, RelType.ATTENDED)

#: Weight of a tie by what made it: a shared secretariat binds more than a shared audience.
TIE_WEIGHTS: dict[str, float] = {
    RelType.SECRETARIAT_OF: 3.0,
    RelType.MEMBER_OF: 2.0,
    RelType.PARTNERS_WITH: 2.0,
    RelType.WORKS_AT: 2.0,
    RelType.SUB_UNIT_OF: 2.0,
    RelType.CONTACTED: 1.0,
    "co_event": 1.0,
}


@dataclass(frozen=True)
class Scope:
    """What an analysis looks at: one community, region or prefecture, or the country; on a date.

    ``region`` is a region code (``mic-kinki``, ``meti-kinki``); ``prefecture`` a JIS code.
    ``as_of`` None means "as the data stands now".
    """

    community: str | None = None
    region: str | None = None
    prefecture: str | None = None
    as_of: dt.date | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.community, self.region, self.prefecture)) > 1:
            raise ValueError("choose one of community, region, prefecture / 対象は一つだけ指定してください")
        if self.region is not None:
            object.__setattr__(self, "region", geography.region(self.region).code)
        if self.prefecture is not None:
            object.__setattr__(self, "prefecture", geography.prefecture(self.prefecture).code)

    def describe(self) -> str:
        """The scope in words, Japanese first: 「地域: 近畿（近畿総合通信局） / region: Kinki (mic-kinki)」."""
        if self.community:
            ja, en = f"コミュニティ: {self.community}", f"community: {self.community}"
        elif self.region:
            region = geography.region(self.region)
            ja, en = f"地域: {region.name}（{region.bureau}）", f"region: {region.name_en} ({region.code})"
        elif self.prefecture:
            prefecture = geography.prefecture(self.prefecture)
            ja, en = f"都道府県: {prefecture.name}", f"prefecture: {prefecture.name_en}"
        else:
            ja, en = "全国", "national"
        if self.as_of:
            ja, en = f"{ja}、{self.as_of.isoformat()}時点", f"{en}, as of {self.as_of.isoformat()}"
        return f"{ja} / {en}"


T = TypeVar("T")

#: What ``shared_inputs`` keeps: (what, id of the data, arguments) → (the data, the value built from it).
SharedInputs = dict[tuple[Hashable, ...], tuple[GraphData, Any]]
_shared: ContextVar[SharedInputs | None] = ContextVar("secgraph_shared_inputs", default=None)


@contextmanager
def shared_inputs(kept: SharedInputs | None = None) -> Iterator[SharedInputs]:
    """Inside the block, the same data object gives the same snapshot, tie index and actor network:
    each is built once and handed to every analysis that asks for it.

    Analyses only read their input, so sharing is safe as long as nobody changes the data during
    the block. ``kept`` lets a caller keep what was built beyond the block (the API keeps one per
    revision of the graph); without it an enclosing block's store is reused, or a new one made.
    """
    outer = _shared.get()
    store = kept if kept is not None else (outer if outer is not None else {})
    token = _shared.set(store)
    try:
        yield store
    finally:
        _shared.reset(token)


def reuse(what: str, data: GraphData, arguments: Hashable, build: Callable[[], T]) -> T:
    """``build()``, or inside ``shared_inputs`` what it built before for this data and these arguments."""
    store = _shared.get()
    if store is None:
        return build()
    key = (what, id(data), arguments)
    kept = store.get(key)
    if kept is not None and kept[0] is data:  # the same object, not a new one at a reused address
        return kept[1]
    value = build()
    store[key] = (data, value)
    return value


@dataclass(frozen=True)
class TieIndex:
    """Every relationship of a graph by its ends, each list in relationship-id order."""

    by_from: dict[str, list[Relationship]]
    by_to: dict[str, list[Relationship]]

    def touching(self, node_id: str) -> list[Relationship]:
        """Relationships from or to ``node_id``, those from it first."""
        return [*self.by_from.get(node_id, []), *self.by_to.get(node_id, [])]


def tie_index(data: GraphData) -> TieIndex:
    """The relationships of ``data`` by their ends, so a lookup costs the node's ties, not the graph's."""

    def build() -> TieIndex:
        by_from: dict[str, list[Relationship]] = defaultdict(list)
        by_to: dict[str, list[Relationship]] = defaultdict(list)
        for rel in sorted(data.relationships.values(), key=lambda r: str(r.id)):
            by_from[rel.from_id].append(rel)
            by_to[rel.to_id].append(rel)
        return TieIndex(by_from=dict(by_from), by_to=dict(by_to))

    return reuse("tie_index", data, None, build)


def tie_start(rel: Relationship) -> dt.date:
    """When a tie is first known to hold."""
    return parse_date(rel.start or rel.as_of).first_day()


def tie_holds_on(rel: Relationship, day: dt.date) -> bool:
    if tie_start(rel) > day:
        return False
    return rel.end is None or parse_date(rel.end).last_day() >= day


def event_day(event: Event) -> dt.date:
    return parse_date(event.start).first_day()


def snapshot_at(data: GraphData, day: dt.date | None) -> GraphData:
    """The graph as it stood on ``day``: later events, ties and communities left out."""
    if day is None:
        return data
    return reuse("snapshot", data, day, lambda: _snapshot(data, day))


def _snapshot(data: GraphData, day: dt.date) -> GraphData:
    nodes: dict[str, Node] = {}
    for node_id, node in data.nodes.items():
        if isinstance(node, Event) and event_day(node) > day:
            continue
        if isinstance(node, Community) and node.founded and parse_date(node.founded).first_day() > day:
            continue
        if isinstance(node, Headcount) and parse_date(node.as_of).first_day() > day:
            continue  # a count made later says nothing about the day
        nodes[node_id] = node
    relationships = {
        rel_id: rel
        for rel_id, rel in data.relationships.items()
        if rel.from_id in nodes and rel.to_id in nodes and tie_holds_on(rel, day)
    }
    return GraphData(nodes=nodes, relationships=relationships)


def _own_prefectures(node: Node) -> set[str]:
    """Where an organisation or community is, from its own fields."""
    if isinstance(node, Organisation):
        return {node.prefecture} if node.prefecture else set()
    if isinstance(node, Community):
        codes = set(node.prefectures)
        if not codes and node.region:
            codes = {p.code for p in geography.prefectures_of_region(node.region)}
        return codes
    return set()


def actor_prefectures(data: GraphData, actor_id: str) -> set[str]:
    """Prefecture codes an actor is located in: an organisation's own, a person's employers',
    a community's covered prefectures. For every actor at once, use ``prefectures_by_actor``."""
    node = data.nodes.get(actor_id)
    if not isinstance(node, Person):
        return _own_prefectures(node) if node is not None else set()
    return {
        p
        for rel in data.relationships.values()
        if rel.type == RelType.WORKS_AT and rel.from_id == actor_id and rel.to_id in data.nodes
        for p in _own_prefectures(data.nodes[rel.to_id])
    }


def prefectures_by_actor(data: GraphData) -> dict[str, set[str]]:
    """``actor_prefectures`` of every actor, in one pass over the ties: looking each person up
    on its own would scan every tie once per person."""
    return reuse("prefectures_by_actor", data, None, lambda: _prefectures_by_actor(data))


def _prefectures_by_actor(data: GraphData) -> dict[str, set[str]]:
    located = {n.id: _own_prefectures(n) for n in data.nodes.values() if n.kind in ACTOR_KINDS}
    for rel in data.relationships.values():
        if rel.type == RelType.WORKS_AT and isinstance(data.nodes.get(rel.from_id), Person) and rel.to_id in data.nodes:
            located[rel.from_id] |= _own_prefectures(data.nodes[rel.to_id])
    return located


def in_region(prefecture_code: str, region_code: str) -> bool:
    prefecture = geography.prefecture(prefecture_code)
    return region_code in (prefecture.meti_region, prefecture.mic_region)


def community_circle(data: GraphData, community_id: str) -> set[str]:
    """A community and the actors that belong to it: members, secretariat, their people, and
    those who held a part in the events and series the community (or its secretariat for it) ran."""
    circle = {community_id}
    for rel in data.relationships.values():
        if rel.to_id == community_id and rel.type in (RelType.MEMBER_OF, RelType.SECRETARIAT_OF):
            circle.add(rel.from_id)
    events = {
        rel.to_id for rel in data.relationships.values() if rel.from_id == community_id and rel.type in EVENT_ROLE_TYPES
    }
    events |= {e.id for e in data.nodes.values() if isinstance(e, Event) and e.series_id in events}
    for rel in data.relationships.values():
        if rel.to_id in events and rel.type in EVENT_PARTS:
            circle.add(rel.from_id)
        if rel.type == RelType.WORKS_AT and rel.to_id in circle:
            circle.add(rel.from_id)
    return {a for a in circle if a in data.nodes and data.nodes[a].kind in ACTOR_KINDS}


def scoped_actor_ids(data: GraphData, scope: Scope, located: dict[str, set[str]] | None = None) -> set[str]:
    """The actors a scope covers; ``located`` is ``prefectures_by_actor(data)`` when already made."""
    if scope.community is not None:
        if scope.community not in data.nodes:
            raise KeyError(f"community '{scope.community}' not found / コミュニティが見つかりません")
        return community_circle(data, scope.community)
    located = prefectures_by_actor(data) if located is None else located
    if scope.prefecture is not None:
        return {a for a, codes in located.items() if scope.prefecture in codes}
    if scope.region is not None:
        region = scope.region
        return {a for a, codes in located.items() if any(in_region(p, region) for p in codes)}
    return set(located)


def actor_network(data: GraphData, scope: Scope | None = None) -> nx.Graph:
    """The undirected weighted actor network of ``scope`` (default: the whole country, now).

    Node attributes: ``kind``, ``name``, ``sector`` (organisations), ``prefectures`` (sorted list).
    Edge attributes: ``weight``, ``relationships`` (sorted ids), ``events`` (sorted ids).

    The network is frozen (``nx.freeze``): inside ``shared_inputs`` every analysis gets the same one.
    """
    scope = scope or Scope()
    return reuse("actor_network", data, scope, lambda: nx.freeze(_actor_network(data, scope)))


def _actor_network(data: GraphData, scope: Scope) -> nx.Graph:
    data = snapshot_at(data, scope.as_of)
    located = prefectures_by_actor(data)
    actors = scoped_actor_ids(data, scope, located)
    graph = nx.Graph()
    for actor_id in sorted(actors):
        node = data.nodes[actor_id]
        graph.add_node(
            actor_id,
            kind=node.kind,
            name=node.display_name(),
            sector=getattr(node, "sector", None) or ("community" if node.kind == "Community" else None),
            prefectures=sorted(located[actor_id]),
        )

    def tie(a: str, b: str, weight: float, rel_id: str | None = None, event_id: str | None = None) -> None:
        if a == b or a not in actors or b not in actors:
            return
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, weight=0.0, relationships=[], events=[])
        edge = graph.edges[a, b]
        edge["weight"] += weight
        if rel_id and rel_id not in edge["relationships"]:
            edge["relationships"].append(rel_id)
        if event_id and event_id not in edge["events"]:
            edge["events"].append(event_id)

    parts: dict[str, set[str]] = defaultdict(set)
    series_of = {e.id: e.series_id for e in data.nodes.values() if isinstance(e, Event) and e.series_id}
    for rel in sorted(data.relationships.values(), key=lambda r: str(r.id)):
        if rel.type in DIRECT_TIES:
            tie(rel.from_id, rel.to_id, TIE_WEIGHTS[rel.type], rel_id=rel.id)
        elif rel.type in EVENT_PARTS:
            parts[rel.to_id].add(rel.from_id)
    # A series' organisers take part in each of its editions.
    for event_id, series_id in series_of.items():
        parts[event_id] |= parts.get(series_id, set())
    for event_id in sorted(parts):
        for a, b in combinations(sorted(parts[event_id]), 2):
            tie(a, b, TIE_WEIGHTS["co_event"], event_id=event_id)
    for _, _, edge in graph.edges(data=True):
        edge["relationships"].sort()
        edge["events"].sort()
    return graph
