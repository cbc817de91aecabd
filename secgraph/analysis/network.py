"""The networks the analyses run on, cut to a scope and a date.

Two views of one graph:

- ``snapshot_at`` — the records as they stood on a date: events dated by then, ties that had begun
  and not ended. A tie without a start date counts from its ``as_of`` (the date a document showed
  it), since nothing earlier is known of it. Every analysis reads ``records_as_of``: the records on
  its date, or without one on the latest date the data knows of (``data_date``), so "now" is one day
  for all of them.
- ``actor_network`` — an undirected, weighted graph of the actors (organisations, people,
  communities). Each tie keeps its evidence: the relationship ids and events behind it.

How two actors are tied / つながりの決め方:

1. A relationship joins them (member, secretariat, partner, works at, contacted, sub-unit):
   構成員・事務局・連携・所属・接触・下部組織の関係があれば、つながる。
2. Both held a part other than attending in the same event or series (organised, co-hosted,
   supported, cooperated, spoke): 同じイベント（シリーズ）で主催・共催・後援・協力・講演の役割を
   担った者どうしは、つながる。
3. An attendee is tied to the event's hosts — those who organised or co-hosted the event or its
   series — not to the other attendees: 参加者は、そのイベント（シリーズ）の主催者・共催者とつながる。
   参加者どうしはつながらない。 If the event has no host, the attendees are tied to those who held
   its other parts (supporters, cooperators, speakers); if it has none either, to each other, the
   only evidence left: 主催者がいなければ他の役割を担った者と、それもいなければ参加者どうしがつながる。

Each event adds ``TIE_WEIGHTS["co_event"]`` to the tie and its id to the tie's ``events``. A series'
parts are parts in each of its editions. Who is tied at an event is decided on the whole event; a
scope only keeps the ties among its actors, so a scope's network is the country's network cut to the
scope (an attendee whose host is outside the scope has no tie from that event inside it).

Why attendees are tied to hosts, not to each other: the domain's second stage (第2段階 共同イベント・
ネットワーキング) is joint events planned so that every stakeholder has a role, where ties form
between the bodies themselves, not only with the convener; holding a part together is that tie.
Sitting in the same audience is not: a seminar of 50 attendees is not 1,225 relationships, and
counting it so would drown the ties between bodies in audience pairs. An attendee has met the hosts who
invited them, which is the tie kept. It also keeps the network linear in the number of parts
(attendees × hosts, a few per event) rather than quadratic in each audience, which the national
scale needs: tens of millions of audience pairs would not fit in memory.

Scopes (``scoped_actor_ids``, the one rule): a community (its circle, ``community_circle``: members,
secretariat, partners, contacts, their people and everyone in the events it ran), a region or
prefecture (actors located there and the communities there, and the actors located nowhere — national
bodies and their people — tied to one of them), or the whole country.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, replace
from itertools import chain, combinations
from typing import Any, TypeGuard, TypeVar

import networkx as nx

from secgraph.model import geography
from secgraph.model.graph import GraphData, community_of
from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Node,
    Organisation,
    Person,
    Relationship,
)
from secgraph.model.ties import current_employers
from secgraph.model.ties import date_first_day as date_first_day  # re-exported: the analyses read dates here
from secgraph.model.ties import date_last_day as date_last_day
from secgraph.model.ties import tie_holds_on as tie_holds_on
from secgraph.model.ties import tie_start as tie_start
from secgraph.model.vocabulary import EVENT_ROLE_TYPES, USER_REL_TYPES, EventStatus, RelType

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
#: The parts that make an actor a host of an event or series (主催・共催): attendees are tied to them.
HOSTING: tuple[RelType, ...] = (RelType.ORGANISED, RelType.CO_HOSTED)

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
    ``as_of`` None means "as the data stands now": on the latest date it knows of (``records_as_of``).
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
    The cycle collector is paused for the block (``collection_paused``).
    """
    outer = _shared.get()
    store = kept if kept is not None else (outer if outer is not None else {})
    token = _shared.set(store)
    try:
        with collection_paused():
            yield store
    finally:
        _shared.reset(token)


def started_beside(call: Callable[[], T]) -> Future[T]:
    """``call()`` begun on a thread of its own, in this context (so it shares this block's inputs).

    For work that does not hold the GIL (networkit's C++): it runs on another core while this
    thread goes on, and ``result()`` waits for it.
    """
    beside = ThreadPoolExecutor(max_workers=1)
    try:
        return beside.submit(copy_context().run, call)
    finally:
        beside.shutdown(wait=False)  # its thread ends when the call is done


def reuse(what: str, data: GraphData, arguments: Hashable, build: Callable[[], T]) -> T:
    """``build()``, or inside ``shared_inputs`` what it built before for this data and these arguments.

    ``build()`` runs with the cycle collector paused (``collection_paused``): what it makes is kept.
    """
    store = _shared.get()
    key = (what, id(data), arguments)
    if store is not None:
        kept = store.get(key)
        if kept is not None and kept[0] is data:  # the same object, not a new one at a reused address
            return kept[1]
    with collection_paused():
        value = build()
    if store is not None:
        store[key] = (data, value)
    return value


def already_made(what: str, data: GraphData, arguments: Hashable) -> Any | None:
    """What ``reuse(what, data, arguments, …)`` built before in this ``shared_inputs`` block, or None
    (nothing is built)."""
    store = _shared.get()
    kept = store.get((what, id(data), arguments)) if store is not None else None
    return kept[1] if kept is not None and kept[0] is data else None


@contextmanager
def collection_paused() -> Iterator[None]:
    """Inside the block, Python's cycle collector does not run.

    For the analyses of one graph (``shared_inputs``) and for building what they share (``reuse``):
    the network forms, indexes, snapshots and findings are millions of small dicts, lists and tuples
    that live until the analyses end, made next to the graph's records (millions more). Python walks
    every tracked object each time the objects made since its last full collection reach a quarter of
    those it holds, so with the collector running the five national analyses walked the whole graph
    again and again: a quarter of their time, without freeing anything (their peak memory is the
    same with it paused; bench/results/at_scale.md). Garbage without cycles is freed as ever; the
    rest at the next collection after the block.

    Blocks nest and may overlap in several threads (the API's): the collector is paused by the first
    block to begin and runs again, if it ran before, when the last one ends.
    """
    global _pausing, _was_collecting
    with _pause_lock:
        if _pausing == 0:
            _was_collecting = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pausing -= 1
            if _pausing == 0 and _was_collecting:
                gc.enable()


_pause_lock = threading.Lock()
#: How many ``collection_paused`` blocks are open, in any thread, and whether the collector ran
#: before the first of them.
_pausing = 0
_was_collecting = False


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
        for rel in relationships_by_id(data):
            by_from[rel.from_id].append(rel)
            by_to[rel.to_id].append(rel)
        return TieIndex(by_from=dict(by_from), by_to=dict(by_to))

    return reuse("tie_index", data, None, build)


def relationships_by_id(data: GraphData) -> list[Relationship]:
    """The relationships of ``data`` sorted by ``str(id)`` (read only: the tie index and the actor
    network read them in this order, and inside ``shared_inputs`` share one list per data object).

    They are stored under their ids, so sorting the (string) keys gives that order without a key
    function; a store whose keys are not the relationships' own ids is sorted by ``str(id)`` itself.
    """
    return reuse("relationships_by_id", data, None, lambda: _relationships_by_id(data))


def _relationships_by_id(data: GraphData) -> list[Relationship]:
    relationships = data.relationships
    if all(isinstance(key, str) and key == rel.id for key, rel in relationships.items()):
        return [relationships[key] for key in sorted(relationships)]
    return sorted(relationships.values(), key=lambda r: str(r.id))


def relationships_of_type(data: GraphData, *types: RelType) -> Iterable[Relationship]:
    """The relationships of ``data`` of these types: those of each type in the data's own order, the
    types one after the other as given (read only).

    Inside ``shared_inputs`` the relationships are sorted by type once per data object, so a question
    about a few types (who works where, who is a member, who ran an event) reads those ties and not
    the whole graph, most of which is attendance.
    """
    by_type = reuse("relationships_by_type", data, None, lambda: _relationships_by_type(data))
    return chain.from_iterable(by_type.get(kind, ()) for kind in dict.fromkeys(types))


def _relationships_by_type(data: GraphData) -> dict[RelType, list[Relationship]]:
    by_type: dict[RelType, list[Relationship]] = {}
    for rel in data.relationships.values():
        of_type = by_type.get(rel.type)
        if of_type is None:
            of_type = by_type[rel.type] = []
        of_type.append(rel)
    return by_type


def event_day(event: Event) -> dt.date:
    return date_first_day(event.start)


def held(node: object) -> TypeGuard[Event]:
    """Whether ``node`` is an event that took place: one recorded as held, not planned or cancelled.

    The one rule for which events happened: only held events are what a community ran (its events
    and its circle), a series' editions, a region's activity, and the data's latest date (a plan
    for a day already past that nobody marked held is not known to have happened: seed 001 is a
    February 2021 snapshot whose seminars for February–March are 「開催予定」). Whether an event ties
    the bodies that set out to run it is decided by its date alone (``records_as_of``), and so is
    the start of a community's life (setting out to run an event shows it existed)."""
    return isinstance(node, Event) and node.status == EventStatus.HELD


def snapshot_at(data: GraphData, day: dt.date | None) -> GraphData:
    """The graph as it stood on ``day``: later events, ties and communities left out. Its ``cut_on``
    is ``day`` (``data`` itself when that is its day already, or when ``day`` is None). For what an
    analysis reads, see ``records_as_of``."""
    if day is None or day == data.cut_on:
        return data
    return reuse("snapshot", data, day, lambda: _snapshot(data, day))


def records_as_of(data: GraphData, as_of: dt.date | None) -> GraphData:
    """The records an analysis reads: as they stood on ``as_of``, or when no date is given on the
    latest date the data knows of (``data_date``), the one meaning of "now". Either way ties that
    have ended and events dated after that day are left out: a person who has left an organisation
    does not link it now, and a seminar planned for later ties nobody yet. An event is cut by its
    date, not its status: the bodies that set out to run an event together on a day already past
    are tied by it even if no record says it was held (seed 003 counts the co-organisation of the
    Fukui forum of 2020-03-02, planned when it was written, as the edge between Kansai and Fukui),
    while what a community ran counts only its events that were held (``held``).

    A graph cut on a day (``GraphData.cut_on``) has that day as its own, so this leaves it as it is.
    """
    return snapshot_at(data, reference_day(data, as_of))


def reference_day(data: GraphData, as_of: dt.date | None) -> dt.date:
    """The day an analysis is of: ``as_of``, or when no date is given the latest date the data knows
    of (``data_date``). ``records_as_of`` gives the records of that day."""
    return as_of or data_date(data)


def data_date(data: GraphData) -> dt.date:
    """The latest date the data knows of: a held event, the start of a tie a user wrote, a count, or
    a series' stated cadence; for a graph cut on a day, that day. When it has none of these, the
    latest date a record showed one of its actors (``as_of``); today's date only for a graph with
    no actor at all.

    Used as "now" when no date is given, so that a document's network is judged as it stood when
    the document was written and not against today's date: the same data gives the same answers
    whatever day it is analysed on.
    """
    if data.cut_on is not None:
        return data.cut_on
    # Every relationship is read: done once per data object inside ``shared_inputs``.
    return reuse("data_date", data, None, lambda: _data_date(data))


def _data_date(data: GraphData) -> dt.date:
    days = [event_day(n) for n in data.nodes.values() if held(n)]
    days += [tie_start(r) for r in data.relationships.values() if r.type in USER_REL_TYPES]
    days += [date_first_day(n.as_of) for n in data.nodes.values() if isinstance(n, Headcount)]
    # A series' stated cadence is known from the day it was stated.
    days += [date_first_day(n.as_of) for n in data.nodes.values() if isinstance(n, EventSeries) and n.cadence]
    if not days:  # actors alone, with no dated tie or event between them
        days = [date_first_day(n.as_of) for n in data.nodes.values() if n.kind in ACTOR_KINDS]
    return max(days, default=dt.date.today())


def _snapshot(data: GraphData, day: dt.date) -> GraphData:
    nodes: dict[str, Node] = {}
    for node_id, node in data.nodes.items():
        if isinstance(node, Event) and event_day(node) > day:
            continue
        if isinstance(node, Community) and node.founded and date_first_day(node.founded) > day:
            continue
        if isinstance(node, Headcount) and date_first_day(node.as_of) > day:
            continue  # a count made later says nothing about the day
        nodes[node_id] = node
    relationships = {
        rel_id: rel
        for rel_id, rel in data.relationships.items()
        if rel.from_id in nodes and rel.to_id in nodes and _part_holds_on(rel, nodes[rel.to_id], day)
    }
    if len(nodes) == len(data.nodes) and len(relationships) == len(data.relationships):
        nodes, relationships = data.nodes, data.relationships  # nothing left out: the records are shared
    return GraphData(nodes=nodes, relationships=relationships, names_hidden=data.names_hidden, cut_on=day)


def _part_holds_on(rel: Relationship, target: Node, day: dt.date) -> bool:
    """``tie_holds_on``, except that a part in an event or series without a start of its own holds
    from what it is a part of: the event's day, or the start a series' stated cadence gives. A
    document written later that names who ran a 2019 event says who ran it in 2019."""
    if rel.start is None and rel.end is None and rel.type in _ALL_PARTS:
        if isinstance(target, Event):
            return event_day(target) <= day
        since = getattr(target, "since", None)
        if since and getattr(target, "cadence", None):
            return min(date_first_day(since), tie_start(rel)) <= day
    return tie_holds_on(rel, day)


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
    """Prefecture codes an actor is located in: an organisation's own, a person's current employer's
    (``model.ties.current_employers``, the one rule for where a person works: a fellowship at a Tokyo
    association does not place a vendor's engineer in Tokyo), a community's covered prefectures.
    For every actor at once, use ``prefectures_by_actor``."""
    node = data.nodes.get(actor_id)
    if not isinstance(node, Person):
        return _own_prefectures(node) if node is not None else set()
    employer = employers_on(data).get(actor_id)
    return _own_prefectures(data.nodes[employer]) if employer is not None else set()


def prefectures_by_actor(data: GraphData) -> dict[str, set[str]]:
    """``actor_prefectures`` of every actor, made once per data object inside ``shared_inputs``."""
    return reuse("prefectures_by_actor", data, None, lambda: _prefectures_by_actor(data))


def _prefectures_by_actor(data: GraphData) -> dict[str, set[str]]:
    located = {n.id: _own_prefectures(n) for n in data.nodes.values() if n.kind in ACTOR_KINDS}
    for person, employer in employers_on(data).items():
        if person in located and employer in data.nodes:
            located[person] = _own_prefectures(data.nodes[employer])
    return located


def in_region(prefecture_code: str, region_code: str) -> bool:
    prefecture = geography.prefecture(prefecture_code)
    return region_code in (prefecture.meti_region, prefecture.mic_region)


def editions_by_series(data: GraphData) -> dict[str, list[str]]:
    """The events of each series (by ``series_id``), in id order."""

    def build() -> dict[str, list[str]]:
        editions: dict[str, list[str]] = defaultdict(list)
        for node in data.nodes.values():
            if isinstance(node, Event) and node.series_id:
                editions[node.series_id].append(node.id)
        return {series_id: sorted(ids) for series_id, ids in editions.items()}

    return reuse("editions_by_series", data, None, build)


def employers_on(data: GraphData, day: dt.date | None = None) -> dict[str, str]:
    """``model.ties.current_employers(data, day)`` (the one rule for where a person works), made once
    per data object and day inside ``shared_inputs``."""
    return reuse(
        "current_employers",
        data,
        day,
        lambda: current_employers(data, day, works_at=relationships_of_type(data, RelType.WORKS_AT)),
    )


def _parts(ties: TieIndex, nodes: dict[str, Node], target_id: str, types: frozenset[RelType]) -> set[str]:
    """Who held a part of ``types`` in an event or series; an edition inherits its series' parts."""
    found = {r.from_id for r in ties.by_to.get(target_id, ()) if r.type in types}
    node = nodes.get(target_id)
    if isinstance(node, Event) and node.series_id:
        found |= {r.from_id for r in ties.by_to.get(node.series_id, ()) if r.type in types}
    return found


_ALL_PARTS, _HOSTING = frozenset(EVENT_PARTS), frozenset(HOSTING)


def community_life_start(data: GraphData, community_id: str) -> dt.date:
    """The first day a community is known to exist: its ``founded`` date, or else its first own record:
    the earliest of the date its record was observed, the first day of a tie to or from it (its
    start, else the date a document showed it), the day of an event it held a role in itself, and
    for a series it held a role in, its first held edition or the start of its stated cadence."""
    community = community_of(data, community_id)
    if community.founded:
        return date_first_day(community.founded)
    ties, nodes = tie_index(data), data.nodes
    days = [date_first_day(community.as_of)]
    for rel in (*ties.by_from.get(community_id, ()), *ties.by_to.get(community_id, ())):
        target = nodes.get(rel.to_id)
        if rel.from_id == community_id and rel.type in EVENT_ROLE_TYPES:
            if isinstance(target, Event):
                days.append(event_day(target))
            elif target is not None:
                editions = [nodes[e] for e in editions_by_series(data).get(rel.to_id, ())]
                days += [event_day(e) for e in editions if held(e)]
                if getattr(target, "since", None) and getattr(target, "cadence", None):
                    days.append(date_first_day(target.since))  # type: ignore[attr-defined]
        elif rel.type not in EVENT_ROLE_TYPES:
            days.append(tie_start(rel))
    return min(days)


def _held_in_life(node: Node | None, born: dt.date) -> bool:
    return held(node) and event_day(node) >= born


def community_events(data: GraphData, community_id: str) -> dict[str, list[str]]:
    """The events and series a community ran → the ids of the relationships that make them its own.

    A community ran what it held a role in itself (主催・共催・後援・協力), and what one of its
    secretariat bodies organised or co-hosted for it: an event no other community ran, where the
    body is secretariat of this community alone, or where another of the community's own bodies
    (member, partner, secretariat) took part. Secretariat bodies are read in id order; an event
    already the community's is not attributed again. Only events within the community's life count
    (from :func:`community_life_start`): what its secretariat body ran before the community
    existed is that body's, not the community's.
    """
    ties, nodes = tie_index(data), data.nodes
    born = community_life_start(data, community_id)

    def in_life(target_id: str) -> bool:
        target = nodes.get(target_id)
        return not isinstance(target, Event) or event_day(target) >= born

    targets: dict[str, list[str]] = defaultdict(list)
    for rel in ties.by_from.get(community_id, ()):
        if rel.type in EVENT_ROLE_TYPES and rel.to_id in nodes and in_life(rel.to_id):
            targets[rel.to_id].append(str(rel.id))
    own = ties.by_to.get(community_id, ())
    secretariat = sorted({r.from_id for r in own if r.type == RelType.SECRETARIAT_OF})
    bodies = (RelType.MEMBER_OF, RelType.SECRETARIAT_OF, RelType.PARTNERS_WITH)
    own_bodies = {r.from_id for r in own if r.type in bodies}
    own_bodies |= {r.to_id for r in ties.by_from.get(community_id, ()) if r.type == RelType.PARTNERS_WITH}
    for body in secretariat:
        runs_for = {r.to_id for r in ties.by_from.get(body, ()) if r.type == RelType.SECRETARIAT_OF}
        sole = runs_for == {community_id}
        for rel in ties.by_from.get(body, ()):
            if rel.type not in _HOSTING or rel.to_id in targets or not in_life(rel.to_id):
                continue
            runners = _parts(ties, nodes, rel.to_id, _HOSTING)
            if any(isinstance(nodes.get(r), Community) and r != community_id for r in runners):
                continue  # another community ran it: it is that community's event
            others = _parts(ties, nodes, rel.to_id, _ALL_PARTS) - {body}
            if sole or others & own_bodies:
                targets[rel.to_id].append(str(rel.id))
    return {target: sorted(ids) for target, ids in sorted(targets.items())}


def community_circle(data: GraphData, community_id: str) -> set[str]:
    """A community's circle: the actors (organisations, people, communities) that belong to it.

    - the community itself, its members and secretariat, its partners (連携) and the bodies it or its
      secretariat contacted;
    - the people who work at the community, at its members or at its secretariat;
    - everyone who held a part (roles or attendance) in what it ran (``community_events``): its held
      events (an edition with its series' parts), the series those belong to, and the series it ran
      with every held edition.

    The only definition of a circle: the stage, the health, community scopes, the regions' shared
    participants and the map's community filter all read it. Inside ``shared_inputs`` drawn once
    per data object and community.
    """
    return reuse("community_circle", data, community_id, lambda: _community_circle(data, community_id))


def _community_circle(data: GraphData, community_id: str) -> set[str]:
    ties, nodes = tie_index(data), data.nodes
    own_from, own_to = ties.by_from.get(community_id, ()), ties.by_to.get(community_id, ())
    belong = {r.from_id for r in own_to if r.type in (RelType.MEMBER_OF, RelType.SECRETARIAT_OF)}
    circle = {community_id, *belong}
    circle |= {r.from_id for r in own_to if r.type == RelType.PARTNERS_WITH}
    circle |= {r.to_id for r in own_from if r.type == RelType.PARTNERS_WITH}
    secretariat = {r.from_id for r in own_to if r.type == RelType.SECRETARIAT_OF}
    for source in (community_id, *sorted(secretariat)):
        circle |= {r.to_id for r in ties.by_from.get(source, ()) if r.type == RelType.CONTACTED}
    staff = staff_by_employer(data)
    for body in (community_id, *belong):
        circle |= staff.get(body, set())
    editions = editions_by_series(data)
    born = community_life_start(data, community_id)
    ran: set[str] = set()
    for target in community_events(data, community_id):
        node = nodes.get(target)
        if isinstance(node, Event):
            if held(node):
                ran.add(target)
                if node.series_id:
                    ran.add(node.series_id)
        else:
            ran.add(target)
            ran |= {e for e in editions.get(target, ()) if _held_in_life(nodes.get(e), born)}
    for target in ran:
        circle |= _parts(ties, nodes, target, _ALL_PARTS)
    return circle & actor_ids(data)


def actor_ids(data: GraphData) -> frozenset[str]:
    """The ids of the actors (organisations, people, communities) of ``data``."""
    return reuse("actor_ids", data, None, lambda: frozenset(i for i, n in data.nodes.items() if n.kind in ACTOR_KINDS))


def staff_by_employer(data: GraphData) -> dict[str, set[str]]:
    """Organisation or community → everyone who works there (a WORKS_AT tie, current or not)."""

    def build() -> dict[str, set[str]]:
        staff: dict[str, set[str]] = defaultdict(set)
        for rel in relationships_of_type(data, RelType.WORKS_AT):
            staff[rel.to_id].add(rel.from_id)
        return dict(staff)

    return reuse("staff_by_employer", data, None, build)


def community_circles(data: GraphData) -> dict[str, set[str]]:
    """``community_circle`` of every community of ``data``, by community id (in the data's order),
    with one tie index for all of them; inside ``shared_inputs`` made once per data object (read only:
    isolated regions and key persons share them)."""

    def build() -> dict[str, set[str]]:
        return {
            node_id: community_circle(data, node_id)
            for node_id, node in data.nodes.items()
            if isinstance(node, Community)
        }

    with shared_inputs():
        return reuse("community_circles", data, None, build)


def scoped_actor_ids(
    data: GraphData, scope: Scope, located: dict[str, set[str]] | None = None, *, local_only: bool = False
) -> set[str]:
    """The actors a scope covers — the one rule every analysis, view and export of a scope reads.

    - a community: its circle (``community_circle``);
    - a region or prefecture: the actors located there (``prefectures_by_actor``), and the actors
      located nowhere (national bodies, people working only at them) that have a tie in the
      country's actor network (``actor_network``) to one of those: 九経連 or a national vendor acting
      in Kyushu is part of Kyushu's network, though it has no prefecture;
    - the country: every actor.

    ``local_only`` leaves out the actors located nowhere (a community's national members too), so a
    planner can ask who holds the network together without the national bodies.
    ``located`` is ``prefectures_by_actor(data)`` when already made.
    """
    located = prefectures_by_actor(data) if located is None else located
    if scope.community is not None:
        community_of(data, scope.community)
        circle = community_circle(data, scope.community)
        return {a for a in circle if located.get(a)} if local_only else set(circle)
    if scope.prefecture is None and scope.region is None:
        return {a for a, codes in located.items() if codes} if local_only else set(located)
    if scope.prefecture is not None:
        inside = {a for a, codes in located.items() if scope.prefecture in codes}
    else:
        region = scope.region
        inside = {a for a, codes in located.items() if any(in_region(p, region) for p in codes)}  # type: ignore[arg-type]
    if local_only:
        return inside
    country = actor_network(data)
    acting = {a for a, codes in located.items() if not codes and a in country and any(b in inside for b in country[a])}
    return inside | acting


def actor_network(data: GraphData, scope: Scope | None = None, *, local_only: bool = False) -> nx.Graph:
    """The undirected weighted actor network of ``scope`` (default: the whole country, now), among
    the actors ``scoped_actor_ids`` gives (without those located nowhere when ``local_only``).

    Node attributes: ``kind``, ``name``, ``sector`` (organisations), ``prefectures`` (sorted list).
    Edge attributes: ``weight``, ``relationships`` (sorted ids), ``events`` (sorted ids).

    The network is frozen (``nx.freeze``): inside ``shared_inputs`` every analysis gets the same one.
    """
    records, dated = network_key(data, scope)
    return reuse(
        "actor_network",
        records,
        (dated, local_only),
        lambda: nx.freeze(_actor_network(records, dated, local_only)),
    )


def made_actor_network(data: GraphData, *, local_only: bool = False) -> nx.Graph | None:
    """``actor_network(data, local_only=…)`` when it is already made in this ``shared_inputs`` block,
    else None (nothing is built, the records of its date included)."""
    day = data_date(data)
    records = data if data.cut_on == day else already_made("snapshot", data, day)
    return None if records is None else already_made("actor_network", records, (Scope(as_of=day), local_only))


def network_key(data: GraphData, scope: Scope | None) -> tuple[GraphData, Scope]:
    """What a network of ``scope`` is made from and kept under: the records of its date
    (``records_as_of``) and the scope with that date, so that the network of a day is one object
    whether it was asked for with the data and the day, with the data and no day when that is the
    data's own date, or with the records of that day."""
    scope = scope or Scope()
    records = records_as_of(data, scope.as_of)
    return records, scope if scope.as_of == records.cut_on else replace(scope, as_of=records.cut_on)


def _actor_network(records: GraphData, scope: Scope, local_only: bool = False) -> nx.Graph:
    ties = actor_ties(records, scope, local_only)
    graph = nx.Graph()
    graph.add_nodes_from((actor_id, ties.actor_attributes(actor_id)) for actor_id in ties.actors)
    graph.add_edges_from(ties.ties())
    return graph


@dataclass(frozen=True)
class ActorTies:
    """The actor network as plain data, before it is a graph (``actor_ties``).

    ``actors`` are in id order; ``ties()`` gives each tie once as (a, b, its attributes in
    ``actor_network``) with a < b, in the order ``actor_network`` adds them to its graph: the pairs
    tied by a relationship in the order they were first met, then those tied only by events.
    """

    #: The data the network is of (already cut to the scope's date).
    data: GraphData
    actors: list[str]
    #: ``prefectures_by_actor(data)``.
    located: dict[str, set[str]]
    #: Pair tied by relationships → (the relationships' summed weight, their ids in id order).
    direct: dict[tuple[str, str], tuple[float, list[str]]]
    #: Pair → the events tying it, in id order.
    met: dict[tuple[str, str], list[str]]

    def actor_attributes(self, actor_id: str) -> dict[str, Any]:
        """An actor's node attributes in ``actor_network``."""
        node = self.data.nodes[actor_id]
        # Only an organisation has a sector: asking a pydantic record for a field it lacks costs an
        # exception inside pydantic, tens of thousands of times at national scale.
        sector = node.sector if isinstance(node, Organisation) else ("community" if node.kind == "Community" else None)
        return {
            "kind": node.kind,
            "name": node.display_name(),
            "sector": sector,
            "prefectures": sorted(self.located[actor_id]),
        }

    def ties(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Each tie with its attributes, a new dict each: ``weight`` (the direct ties' sum, then
        ``co_event`` added once per event), ``relationships`` and ``events`` (ids, in id order)."""
        co_event = TIE_WEIGHTS["co_event"]
        # With whole-number weights every partial sum is exact, so adding ``co_event`` once per event
        # is one multiplication (the same float); otherwise the events are added one after the other.
        whole = all(float(w).is_integer() for w in TIE_WEIGHTS.values())
        direct, met, nothing = self.direct, self.met, []
        for pair, (weight, ids) in direct.items():
            events = met.get(pair, nothing)
            total = weight + co_event * len(events) if whole else _add_times(weight, co_event, len(events))
            events = events if events is not nothing else []
            yield pair[0], pair[1], {"weight": total, "relationships": ids, "events": events}
        for pair, events in met.items():
            if pair not in direct:
                total = co_event * len(events) if whole else _add_times(0.0, co_event, len(events))
                yield pair[0], pair[1], {"weight": total, "relationships": [], "events": events}


def actor_ties(data: GraphData, scope: Scope | None = None, local_only: bool = False) -> ActorTies:
    """The actors and ties of ``actor_network(data, scope, local_only=…)`` without making the graph.

    Not kept inside ``shared_inputs``: a network is read as its graph or, on a date other than the
    data's own, as arrays made from these ties (``index.network_arrays_on``), and either keeps the
    ties' evidence lists; the pairs gathered on the way (a tenth of the graph's memory at national
    scale) are let go as soon as one of them is made.
    """
    records, dated = network_key(data, scope)
    return _actor_ties(records, dated, local_only)


def _actor_ties(data: GraphData, scope: Scope, local_only: bool) -> ActorTies:
    located = prefectures_by_actor(data)
    actors = scoped_actor_ids(data, scope, located, local_only=local_only)
    # Ties are gathered in plain dicts keyed by the sorted pair: the direct ties first, then those of
    # events, each in the order the pair was first met, which sets the edge order; the evidence is
    # appended in id order (relationships read by id, events taken by id), so it is sorted.
    direct: dict[tuple[str, str], tuple[float, list[str]]] = {}
    roles: dict[str, set[str]] = defaultdict(set)  # the parts other than attending, by event or series
    hosts: dict[str, set[str]] = defaultdict(set)
    attended: dict[str, set[str]] = defaultdict(set)
    direct_ties, event_parts, hosting, attending = set(DIRECT_TIES), set(EVENT_PARTS), set(HOSTING), RelType.ATTENDED
    for rel in relationships_by_id(data):
        kind = rel.type
        if kind in direct_ties:
            a, b = rel.from_id, rel.to_id
            if a == b or a not in actors or b not in actors:
                continue
            pair = (a, b) if a < b else (b, a)
            weight, ids = direct.get(pair) or (0.0, [])
            ids.append(str(rel.id))
            direct[pair] = (weight + TIE_WEIGHTS[kind], ids)
        elif kind == attending:
            attended[rel.to_id].add(rel.from_id)
        elif kind in event_parts:
            roles[rel.to_id].add(rel.from_id)
            if kind in hosting:
                hosts[rel.to_id].add(rel.from_id)

    met: defaultdict[tuple[str, str], list[str]] = defaultdict(list)  # pair → the events tying it

    def tie_pairs(event_id: str, pairs: Iterable[tuple[str, str]]) -> None:
        for pair in pairs:
            met[pair].append(event_id)

    series_of = {e.id: e.series_id for e in data.nodes.values() if isinstance(e, Event) and e.series_id}
    occasions = set(roles) | set(attended)
    # A series' parts are parts in each of its editions (its organisers host every one).
    occasions |= {event_id for event_id, series_id in series_of.items() if series_id in occasions}
    nobody: set[str] = set()
    for event_id in sorted(occasions):
        series_id = series_of.get(event_id)
        event_roles, event_hosts, event_attended = (
            roles.get(event_id, nobody),
            hosts.get(event_id, nobody),
            attended.get(event_id, nobody),
        )
        if series_id is not None:
            event_roles = event_roles | roles.get(series_id, nobody)
            event_hosts = event_hosts | hosts.get(series_id, nobody)
            event_attended = event_attended | attended.get(series_id, nobody)
        # Who is tied is decided on the whole event; the scope only cuts the ties to its actors, so a
        # scope's network is the country's network among the scope's actors.
        tie_pairs(event_id, combinations(sorted(a for a in event_roles if a in actors), 2))
        attendees = sorted(a for a in event_attended - event_roles if a in actors)
        if not attendees:
            continue
        anchors = event_hosts or event_roles
        if anchors:
            in_scope = sorted(h for h in anchors if h in actors)
            tie_pairs(event_id, ((a, h) if a < h else (h, a) for a in attendees for h in in_scope))
        else:
            tie_pairs(event_id, combinations(attendees, 2))
    return ActorTies(data=data, actors=sorted(actors), located=located, direct=direct, met=dict(met))


def _add_times(total: float, step: float, times: int) -> float:
    """``total`` with ``step`` added ``times`` times, one after the other (as the ties were counted)."""
    for _ in range(times):
        total += step
    return total
