"""Where each community stands in the three-stage engagement approach (段階的アプローチ).

Practice 11 of the METI practice collection (seed 001, from Kansai SEC-net) brings a community up in
three stages: (1) individual approaches: one-to-one relationships around a convener, a long list of
regional bodies, key-person candidates; (2) joint events in which every stakeholder holds a role, so
that the bodies tie to each other and not only to the convener; (3) routine events (定番化) planned and
run with the core bodies and key persons, which the community keeps going by itself. Practice 5 adds
the hand-over: a public body hosts first with an existing community as co-host, and from the next
year the community runs it.

The rules are data (``stage_rules.json``, one rule per line of the approach, each with the measure it
tests and a threshold), read into :data:`DEFAULT_RULES`; the code here computes the measures. A
community's stage is the highest stage whose rules, and those of every lower stage, are all met.

What counts as a community's event: an event or series in which the community itself holds a role
(主催・共催・後援・協力), or which one of its secretariat bodies organised or co-hosted for it: no other
community organised it, and the body is the secretariat of this community only or another body of
the community (a member, partner or secretariat body) also took part. A series' roles hold for each
of its editions. Only held events count.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field, model_validator

from secgraph.analysis import regions
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import display
from secgraph.analysis.network import (
    EVENT_PARTS,
    Scope,
    actor_network,
    community_circle,
    community_events,
    date_first_day,  # each written date parsed once (cached): asked for every event, membership and count
    date_last_day,
    employers_on,
    event_day,
    reuse,
    shared_inputs,
    snapshot_at,
    tie_index,
    tie_start,
)
from secgraph.model import geography
from secgraph.model.dates import fiscal_year, parse_date
from secgraph.model.graph import GraphData, community_of
from secgraph.model.listing import listed
from secgraph.model.records import Community, Event, EventSeries, Headcount, Relationship
from secgraph.model.vocabulary import (
    EVENT_ROLE_TYPES,
    SECTOR_GROUP_LABELS,
    USER_REL_TYPES,
    EventStatus,
    HeadcountKind,
    LongListStatus,
    MemberClass,
    RelType,
    Sector,
    SectorGroup,
    sector_group,
)

RULES_FILE = Path(__file__).with_name("stage_rules.json")

#: Event parts that are roles (attending is taking part, not holding a role).
ROLE_PARTS: tuple[RelType, ...] = (*EVENT_ROLE_TYPES, RelType.SPOKE_AT)
#: Roles that run an event.
RUNNING_ROLES: tuple[RelType, ...] = (RelType.ORGANISED, RelType.CO_HOSTED)
#: Ties that only say where someone works or what a unit belongs to: no tie between bodies.
STRUCTURAL_TIES: tuple[RelType, ...] = (RelType.WORKS_AT, RelType.SUB_UNIT_OF)
_EVENT_PART_SET: frozenset[RelType] = frozenset(EVENT_PARTS)


# --------------------------------------------------------------------------------------------------
# The rules, as data
# --------------------------------------------------------------------------------------------------


class StageRule(BaseModel):
    """One rule of the approach: met when ``measure`` is at least ``threshold``."""

    id: str
    stage: int = Field(ge=1, le=3)
    measure: str = Field(description="計算する量 / The measure the rule tests")
    threshold: float = Field(ge=0, description="基準値 / Threshold")
    params: dict[str, float] = Field(default_factory=dict, description="測り方の設定 / Settings of the measure")
    unit_ja: str = ""
    unit_en: str = ""
    ja: str
    en: str
    advice_ja: str
    advice_en: str


class StageLabel(BaseModel):
    stage: int = Field(ge=0, le=3)
    ja: str
    en: str


class StageRules(BaseModel):
    """The rules of the three-stage approach, as a user reads them in ``stage_rules.json``."""

    title_ja: str = ""
    title_en: str = ""
    source_ja: str = ""
    source_en: str = ""
    how_ja: str = ""
    how_en: str = ""
    stages: list[StageLabel]
    rules: list[StageRule]

    @model_validator(mode="after")
    def _check(self) -> StageRules:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique / ルールIDが重複しています")
        for rule in self.rules:
            if rule.measure not in MEASURES:
                known = ", ".join(sorted(MEASURES))
                raise ValueError(f"rule {rule.id}: unknown measure '{rule.measure}' (known: {known}) / 不明な測度です")
        if {label.stage for label in self.stages} != {0, 1, 2, 3}:
            raise ValueError("stages 0-3 each need a label / 段階0〜3の名称が必要です")
        return self

    @classmethod
    def from_file(cls, path: str | Path) -> StageRules:
        return cls.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))

    def adjusted(
        self,
        thresholds: Mapping[str, float] | None = None,
        params: Mapping[str, Mapping[str, float]] | None = None,
    ) -> StageRules:
        """The same rules with other thresholds or params, by rule id."""
        known = {rule.id for rule in self.rules}
        unknown = sorted((set(thresholds or {}) | set(params or {})) - known)
        if unknown:
            raise KeyError(f"unknown rule ids {unknown} / 不明なルールID: {', '.join(unknown)}")
        rules = []
        for rule in self.rules:
            changes: dict[str, object] = {}
            if thresholds and rule.id in thresholds:
                changes["threshold"] = float(thresholds[rule.id])
            if params and rule.id in params:
                changes["params"] = {**rule.params, **{k: float(v) for k, v in params[rule.id].items()}}
            rules.append(rule.model_copy(update=changes))
        return self.model_copy(update={"rules": rules})

    def label(self, stage: int) -> StageLabel:
        return next(label for label in self.stages if label.stage == stage)


# --------------------------------------------------------------------------------------------------
# One date's graph, with what every community needs looked up once
# --------------------------------------------------------------------------------------------------


def data_date(data: GraphData) -> dt.date:
    """The latest date the data knows of: a held event, the start of a tie a user wrote, or a count.

    Used as "now" when no date is given, so that a document's network is judged as it stood when
    the document was written and not against today's date.
    """
    # Every relationship is read: done once per data object inside ``shared_inputs`` (each date's
    # index without a date of its own asks again).
    return reuse("stage.data_date", data, None, lambda: _data_date(data))


def _data_date(data: GraphData) -> dt.date:
    days = [event_day(n) for n in data.nodes.values() if isinstance(n, Event) and n.status == EventStatus.HELD]
    days += [tie_start(r) for r in data.relationships.values() if r.type in USER_REL_TYPES]
    days += [parse_date(n.as_of).first_day() for n in data.nodes.values() if isinstance(n, Headcount)]
    return max(days, default=dt.date.today())


def partial_fiscal_year(text: str) -> int:
    """The fiscal year of a date as written. A date known only to the year ("2018") is taken at its
    middle: nine of its twelve months fall in the fiscal year of the same number."""
    day = parse_date(text)
    return day.year if day.month is None else fiscal_year(day.first_day())


def event_fiscal_year(event: Event) -> int:
    return partial_fiscal_year(event.start)


def latest_day(text: str, cap: dt.date) -> dt.date:
    """The last day a partial date may mean, not after ``cap``: "2020" was active until the end of
    2020 as far as anyone knows, so a year-only date does not make a body look dormant early."""
    return min(date_last_day(text), cap)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class TieMatrix:
    """An actor network as a sparse symmetric matrix over its actors in id order: entry (i, j) is
    1 + the number of the tie between actors i and j in :attr:`ties`.

    The ties among a community's circle (thousands of attendees at national scale) are then read
    by slicing rows and columns in C, instead of intersecting neighbour sets actor by actor."""

    #: Actor ids, sorted: row and column i is ``actors[i]``.
    actors: list[str]
    position: dict[str, int]
    matrix: sp.csr_matrix
    #: Each tie once, as (smaller id, larger id, the network's attributes of the tie).
    ties: list[tuple[str, str, dict]]
    weight: np.ndarray

    @classmethod
    def of(cls, network: nx.Graph) -> TieMatrix:
        actors = sorted(network)
        position = {a: i for i, a in enumerate(actors)}
        ties: list[tuple[str, str, dict]] = []
        first: list[int] = []
        second: list[int] = []
        # The network's own dicts, each tie taken from its smaller end (networkx's edge view costs
        # more per tie than the rest of the build).
        for a, neighbours in network.adjacency():
            i = position[a]
            for b, edge in neighbours.items():
                if a < b:
                    ties.append((a, b, edge))
                    first.append(i)
                    second.append(position[b])
        numbers = np.arange(1, len(ties) + 1, dtype=np.int64)
        rows, columns = np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
        matrix = sp.csr_matrix(
            (np.concatenate([numbers, numbers]), (np.concatenate([rows, columns]), np.concatenate([columns, rows]))),
            shape=(len(actors), len(actors)),
        )
        weight = np.array([edge["weight"] for _, _, edge in ties], dtype=np.float64)
        return cls(actors, position, matrix, ties, weight)

    def among(self, actors: Iterable[str]) -> tuple[np.ndarray, sp.csr_matrix]:
        """The rows of ``actors`` in the network (in id order) and the subgraph they induce."""
        rows = np.array(sorted({self.position[a] for a in actors if a in self.position}), dtype=np.int64)
        return rows, self.matrix[rows][:, rows]


class Part(NamedTuple):
    """An actor's part in an event: the relationship, and whether it was set on the event's series.

    A named tuple: hundreds of thousands are made at national scale, and a frozen dataclass costs
    several times as much to create."""

    actor_id: str
    type: RelType
    rel_id: str
    via_series: bool = False


class ActivityIndex:
    """One date's cut of the graph with the lookups every community needs, built once.

    The date is ``as_of``, or when none is given the latest date the data knows of (so that ties
    that have ended are left out, as on any other date)."""

    def __init__(self, data: GraphData, as_of: dt.date | None = None) -> None:
        self.as_of = as_of
        self.reference_date = as_of or data_date(data)
        self.data = snapshot_at(data, self.reference_date)
        # Shared with every other analysis of this snapshot inside ``shared_inputs``.
        ties = tie_index(self.data)
        self.by_from: Mapping[str, list[Relationship]] = ties.by_from
        self.by_to: Mapping[str, list[Relationship]] = ties.by_to
        #: Person → where they work on this date (``model.ties.current_employers``).
        self.employers: Mapping[str, str] = employers_on(self.data)
        self.staff: dict[str, list[str]] = defaultdict(list)
        for rel in self.data.relationships.values():
            if rel.type == RelType.WORKS_AT:
                self.staff[rel.to_id].append(rel.from_id)
        for ids in self.staff.values():
            ids.sort()
        self.editions: dict[str, list[Event]] = defaultdict(list)
        for node in self.data.nodes.values():
            if isinstance(node, Event) and node.series_id and node.status == EventStatus.HELD:
                self.editions[node.series_id].append(node)
        for events in self.editions.values():
            events.sort(key=lambda e: (event_day(e), e.id))
        self._activities: dict[str, CommunityActivity] = {}
        self._member_spans: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
        self._groups: dict[str, SectorGroup | None] = {}
        self._parts_of: dict[str, list[Part]] = {}
        self._series_parts: dict[str, list[Part]] = {}
        self._members_on: dict[tuple[str, dt.date], tuple[str, ...]] = {}
        self._membership_counts: dict[tuple[str, dt.date], MembershipCount] = {}
        self._source = data

    @cached_property
    def member_counts(self) -> dict[str, list[Headcount]]:
        """Community → its member counts on this date, by id: gathered in one pass over the nodes
        rather than one pass per community."""
        counts: dict[str, list[Headcount]] = defaultdict(list)
        for node in self.data.nodes.values():
            if isinstance(node, Headcount) and node.count_kind == HeadcountKind.MEMBERS:
                counts[node.subject_id].append(node)
        return {subject: sorted(rows, key=lambda h: h.id) for subject, rows in counts.items()}

    @cached_property
    def _member_ties(self) -> dict[str, list[Relationship]]:
        ties: dict[str, list[Relationship]] = defaultdict(list)
        for rel in self._source.relationships.values():
            if rel.type == RelType.MEMBER_OF:
                ties[rel.to_id].append(rel)
        return ties

    def member_ties(self, community_id: str) -> list[Relationship]:
        """Every membership of a community the data records, also those begun or ended after the
        cut date (for histories; what held on a day is ``tie_holds_on``)."""
        return self._member_ties.get(community_id, [])

    def member_spans(self, community_id: str) -> list[tuple[str, dt.date, dt.date | None]]:
        """(member, first day, last day or None while it holds) of every membership of
        :meth:`member_ties`: the dates parsed once, not once for every day a history asks about."""
        spans = self._member_spans.get(community_id)
        if spans is None:
            spans = [
                (r.from_id, tie_start(r), parse_date(r.end).last_day() if r.end is not None else None)
                for r in self.member_ties(community_id)
            ]
            self._member_spans[community_id] = spans
        return spans

    @cached_property
    def network(self) -> nx.Graph:
        """The country's actor network on this date (already cut, so no date is passed again)."""
        return actor_network(self.data, Scope())

    @cached_property
    def _neighbours(self) -> dict[str, dict[str, dict]]:
        """Each actor's neighbours in :attr:`network` → the tie's attributes: the network's own
        dicts (read, never changed), so that intersecting an actor's neighbours with a set of actors
        runs in C over the smaller of the two, and nothing is copied."""
        return dict(self.network.adjacency())

    def degrees_among(self, actors: Iterable[str]) -> dict[str, int]:
        """Each of ``actors`` in the network (sorted by id) → its number of ties to the others: the
        degrees of the subgraph the actors induce, without building it."""
        ties = self.ties
        rows, sub = ties.among(actors)
        # Every stored entry is a tie (numbers start at 1), so a row's entries are its degree.
        return dict(zip([ties.actors[i] for i in rows], np.diff(sub.indptr).tolist(), strict=True))

    def ties_among(self, actors: Iterable[str]) -> Iterator[tuple[str, str, dict]]:
        """Every tie of the network between two of ``actors``, once, as (smaller id, larger id,
        the tie's attributes), in id order: the edges of the subgraph the actors induce, without
        copying it (the copy walked every tie of every actor in the subgraph through networkx's views)."""
        neighbours = self._neighbours
        inside = {a for a in actors if a in neighbours}
        for a in sorted(inside):
            ties = neighbours[a]
            for b in sorted(ties.keys() & inside):
                if a < b:
                    yield a, b, ties[b]

    @cached_property
    def ties(self) -> TieMatrix:
        """:attr:`network` as a sparse matrix, shared by every index of this snapshot in a block."""
        return reuse("stage.tie_matrix", self.data, None, lambda: TieMatrix.of(self.network))

    @cached_property
    def ties_between_bodies(self) -> np.ndarray:
        """For each tie of :attr:`ties`, whether it says the two are tied as bodies: an event or a
        relationship other than where someone works or what a unit belongs to."""
        relationships = self.data.relationships
        return np.array(
            [
                bool(edge["events"]) or any(relationships[r].type not in STRUCTURAL_TIES for r in edge["relationships"])
                for _, _, edge in self.ties.ties
            ],
            dtype=bool,
        )

    @cached_property
    def affiliations(self) -> dict[str, set[str]]:
        """Community → the bodies it holds: members, secretariat, partners."""
        held: dict[str, set[str]] = defaultdict(set)
        for rel in self.data.relationships.values():
            if rel.type in (RelType.MEMBER_OF, RelType.SECRETARIAT_OF):
                held[rel.to_id].add(rel.from_id)
            elif rel.type == RelType.PARTNERS_WITH:
                held[rel.to_id].add(rel.from_id)
                held[rel.from_id].add(rel.to_id)
        return {c: bodies for c, bodies in sorted(held.items()) if isinstance(self.data.nodes.get(c), Community)}

    def name(self, node_id: str) -> str:
        return display(self.data, node_id)

    def group_of(self, actor_id: str) -> SectorGroup | None:
        """An organisation's sector group; a person's their current employer's; None when unknown."""
        # Asked for every member on every date of every history: looked up once per actor.
        if actor_id not in self._groups:
            self._groups[actor_id] = self._group_of(actor_id)
        return self._groups[actor_id]

    def _group_of(self, actor_id: str) -> SectorGroup | None:
        sector = getattr(self.data.nodes.get(actor_id), "sector", None)
        if sector:
            return sector_group(Sector(sector))
        employer = self.employers.get(actor_id)
        sector = getattr(self.data.nodes.get(employer), "sector", None) if employer else None
        return sector_group(Sector(sector)) if sector else None

    def is_government(self, actor_id: str) -> bool:
        sector = getattr(self.data.nodes.get(actor_id), "sector", None)
        return bool(sector) and sector_group(Sector(sector)) == SectorGroup.GOVERNMENT

    def parts(self, target_id: str, types: Iterable[RelType] = EVENT_PARTS) -> list[Part]:
        """Who took part in an event or series, and how; an edition inherits its series' parts."""
        wanted = set(types)
        if wanted <= _EVENT_PART_SET:
            # Asked for the same events by every rule, indicator and area: every part of a target
            # is made once, then only filtered by the kinds asked for (the order is kept).
            return [part for part in self._all_parts(target_id) if part.type in wanted]
        return self._parts(target_id, wanted)

    def _all_parts(self, target_id: str) -> list[Part]:
        found = self._parts_of.get(target_id)
        if found is None:
            # The series' parts an edition inherits are made once per series, not once per edition
            # (a series' relationships were read again for each of its editions).
            found = [
                Part(r.from_id, r.type, str(r.id)) for r in self.by_to.get(target_id, ()) if r.type in _EVENT_PART_SET
            ]
            node = self.data.nodes.get(target_id)
            if isinstance(node, Event) and node.series_id:
                found += self._inherited_parts(node.series_id)
            self._parts_of[target_id] = found
        return found

    def _inherited_parts(self, series_id: str) -> list[Part]:
        """The parts set on a series, as its editions inherit them."""
        found = self._series_parts.get(series_id)
        if found is None:
            found = self._series_parts[series_id] = [
                Part(r.from_id, r.type, str(r.id), via_series=True)
                for r in self.by_to.get(series_id, ())
                if r.type in _EVENT_PART_SET
            ]
        return found

    def _parts(self, target_id: str, wanted: set[RelType]) -> list[Part]:
        # The type as the relationship holds it (its code): a part's type is only compared with the
        # kinds asked for, and converting it to the enum again cost more than the rest of the lookup.
        found = [Part(r.from_id, r.type, str(r.id)) for r in self.by_to.get(target_id, []) if r.type in wanted]
        node = self.data.nodes.get(target_id)
        if isinstance(node, Event) and node.series_id:
            found += [
                Part(r.from_id, r.type, str(r.id), via_series=True)
                for r in self.by_to.get(node.series_id, [])
                if r.type in wanted
            ]
        return found

    def activity(self, community_id: str) -> CommunityActivity:
        if community_id not in self._activities:
            self._activities[community_id] = _build_activity(self, community_id)
        return self._activities[community_id]


def activity_index(data: GraphData, as_of: dt.date | None = None) -> ActivityIndex:
    """``ActivityIndex(data, as_of)``, or inside ``shared_inputs`` the one already built for this data
    and date: the stages, the health and the changes of one date then share its communities' activity."""
    return reuse("activity_index", data, as_of, lambda: ActivityIndex(data, as_of))


@dataclass
class CommunityActivity:
    """What one community is on one date: who belongs, who convenes, what it ran, with the ids."""

    index: ActivityIndex
    community: Community
    secretariat: list[str] = field(default_factory=list)
    conveners: list[str] = field(default_factory=list)
    convener_basis: Literal["secretariat", "officers", "community", "none"] = "none"
    members: list[str] = field(default_factory=list)
    member_rels: dict[str, list[Relationship]] = field(default_factory=dict)
    partners: dict[str, list[str]] = field(default_factory=dict)
    contacted: dict[str, list[str]] = field(default_factory=dict)
    long_listed: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    #: Held events the community ran, in date order; series it ran.
    events: list[Event] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    #: Event or series id → ids of the relationships that make it the community's.
    attribution: dict[str, list[str]] = field(default_factory=dict)
    headcounts: list[Headcount] = field(default_factory=list)
    #: ``series_records(self)``, once made.
    series_records: list[SeriesRecord] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.community.id

    @cached_property
    def role_counts(self) -> dict[str, list[str]]:
        """Actor → the community's events and series in which it held a role (not attending)."""
        held: dict[str, set[str]] = defaultdict(set)
        for event in self.events:
            for part in self.index.parts(event.id, ROLE_PARTS):
                held[part.actor_id].add(event.series_id if part.via_series and event.series_id else event.id)
        for series_id in self.series:
            for part in self.index.parts(series_id, ROLE_PARTS):
                held[part.actor_id].add(series_id)
        return {actor: sorted(targets) for actor, targets in sorted(held.items())}

    @cached_property
    def member_staff(self) -> set[str]:
        return {person for member in self.members for person in self.index.staff.get(member, [])}

    @cached_property
    def circle(self) -> set[str]:
        """The community's circle (``network.community_circle``)."""
        return community_circle(self.index.data, self.id)


def _build_activity(index: ActivityIndex, community_id: str) -> CommunityActivity:
    node = community_of(index.data, community_id)
    act = CommunityActivity(index=index, community=node)
    member_rels: dict[str, list[Relationship]] = defaultdict(list)
    for rel in index.by_to.get(community_id, []):
        if rel.type == RelType.SECRETARIAT_OF:
            act.secretariat.append(rel.from_id)
        elif rel.type == RelType.MEMBER_OF:
            member_rels[rel.from_id].append(rel)
        elif rel.type == RelType.PARTNERS_WITH:
            act.partners.setdefault(rel.from_id, []).append(str(rel.id))
        elif rel.type == RelType.LONG_LISTED:
            act.long_listed[rel.from_id] = (rel.status, str(rel.id))
    for rel in index.by_from.get(community_id, []):
        if rel.type == RelType.PARTNERS_WITH:
            act.partners.setdefault(rel.to_id, []).append(str(rel.id))
    act.secretariat = sorted(set(act.secretariat))
    act.members = sorted(member_rels)
    act.member_rels = dict(sorted(member_rels.items()))
    for source in [community_id, *act.secretariat]:
        for rel in index.by_from.get(source, []):
            if rel.type == RelType.CONTACTED:
                act.contacted.setdefault(rel.to_id, []).append(str(rel.id))
    act.partners = dict(sorted(act.partners.items()))
    act.contacted = dict(sorted(act.contacted.items()))
    act.long_listed = dict(sorted(act.long_listed.items()))
    _attribute_events(index, act)
    act.headcounts = list(index.member_counts.get(community_id, []))
    officers = [m for m, rels in act.member_rels.items() if any(r.member_class == MemberClass.OFFICER for r in rels)]
    runs_itself = any(r.type in (*RUNNING_ROLES, RelType.CONTACTED) for r in index.by_from.get(community_id, []))
    if act.secretariat:
        act.conveners, act.convener_basis = list(act.secretariat), "secretariat"
    elif officers:
        act.conveners, act.convener_basis = officers, "officers"
    elif runs_itself:
        act.conveners, act.convener_basis = [community_id], "community"
    return act


def _attribute_events(index: ActivityIndex, act: CommunityActivity) -> None:
    targets = community_events(index.data, act.id)
    events: dict[str, Event] = {}
    series: set[str] = set()
    for target, rel_ids in targets.items():
        node = index.data.nodes[target]
        act.attribution[target] = sorted(rel_ids)
        if isinstance(node, EventSeries):
            series.add(target)
            events.update((e.id, e) for e in index.editions.get(target, []))
        elif isinstance(node, Event) and node.status == EventStatus.HELD:
            events[node.id] = node
            if node.series_id:
                series.add(node.series_id)
    act.events = sorted(events.values(), key=lambda e: (event_day(e), e.id))
    act.series = sorted(series)
    act.attribution = dict(sorted(act.attribution.items()))


# --------------------------------------------------------------------------------------------------
# Scope: which communities, which areas
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A region or prefecture summarised over its communities."""

    code: str
    kind: Literal["region", "prefecture"]
    name: str
    name_en: str
    communities: tuple[str, ...]


def communities_in_scope(data: GraphData, scope: Scope) -> list[str]:
    """Ids of the communities a scope covers (see ``regions.communities_in_scope``)."""
    return [c.id for c in regions.communities_in_scope(data, scope)]


def scope_areas(data: GraphData, scope: Scope) -> list[Area]:
    """The areas a scope is summarised by: the 地域SECUNITY areas (MIC regions) for the country,
    the region or prefecture itself otherwise, none for one community."""
    if scope.community is not None:
        return []
    if scope.prefecture is not None:
        pref = geography.prefecture(scope.prefecture)
        return [Area(pref.code, "prefecture", pref.name, pref.name_en, tuple(communities_in_scope(data, scope)))]
    regions = (
        [geography.region(scope.region)]
        if scope.region is not None
        else [r for r in geography.regions() if r.kind == "mic"]
    )
    return [
        Area(r.code, "region", r.name, r.name_en, tuple(communities_in_scope(data, Scope(region=r.code))))
        for r in regions
    ]


def check_community(data: GraphData, scope: Scope) -> None:
    if scope.community is not None:
        community_of(data, scope.community)


# --------------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------------


@dataclass
class Measured:
    value: float
    evidence: list[Evidence] = field(default_factory=list)
    #: Next steps the graph suggests, shown when the rule is not met.
    advice: list[Advice] = field(default_factory=list)


def _names(act: CommunityActivity, ids: Iterable[str], limit: int = 5) -> str:
    return listed(list(ids), limit, "ja", act.index.name)


def _names_en(act: CommunityActivity, ids: Iterable[str], limit: int = 5) -> str:
    return listed(list(ids), limit, "en", act.index.name)


def _measure_conveners(act: CommunityActivity, rule: StageRule) -> Measured:
    if act.convener_basis == "none":
        return Measured(
            0,
            [
                evidence(
                    "rule", "事務局・役員の記録がなく、主催・接触もない", "no secretariat, officer, event or contact"
                )
            ],
        )
    basis = {
        "secretariat": (
            "事務局",
            "secretariat",
            [r for c in act.conveners for r in _rel_ids(act, c, RelType.SECRETARIAT_OF)],
        ),
        "officers": (
            "役員（事務局の記録なし）",
            "officers (no secretariat recorded)",
            _member_rel_ids(act, act.conveners),
        ),
        "community": (
            "コミュニティ自身（事務局・役員の記録なし、自ら主催・接触）",
            "the community itself (no secretariat or officer recorded; it organises or contacts)",
            [str(r.id) for r in act.index.by_from.get(act.id, []) if r.type in (*RUNNING_ROLES, RelType.CONTACTED)],
        ),
    }[act.convener_basis]
    return Measured(
        len(act.conveners),
        [
            evidence(
                "relationship",
                f"招集役は{basis[0]}: {_names(act, act.conveners)}",
                f"Convened by the {basis[1]}: {_names_en(act, act.conveners)}",
                [*act.conveners, *basis[2]],
            )
        ],
    )


def _rel_ids(act: CommunityActivity, from_id: str, rel_type: RelType) -> list[str]:
    return [str(r.id) for r in act.index.by_from.get(from_id, []) if r.type == rel_type and r.to_id == act.id]


def _member_rel_ids(act: CommunityActivity, members: Iterable[str]) -> list[str]:
    return [str(r.id) for m in members for r in act.member_rels.get(m, [])]


def _one_to_one(act: CommunityActivity) -> dict[str, list[str]]:
    """Kind of tie → bodies with that one-to-one tie to the community or its convener.

    The secretariat is left out (its ties are what is counted); officers who convene a community
    without a secretariat are its members and count."""
    excluded = {act.id, *act.secretariat}
    engaged = (LongListStatus.CONTACTED, LongListStatus.ENGAGED)
    kinds = {
        "members": [m for m in act.members if m not in excluded],
        "contacted": [c for c in act.contacted if c not in excluded],
        "long_list": [b for b, (status, _) in act.long_listed.items() if status in engaged and b not in excluded],
        "partners": [p for p in act.partners if p not in excluded],
    }
    return kinds


_TIE_LABELS = {
    "members": ("構成員", "members"),
    "contacted": ("接触先", "contacted"),
    "long_list": ("ロングリスト（接触済み・参画）", "long list (contacted or engaged)"),
    "partners": ("連携先", "partners"),
}


def _tie_rel_ids(act: CommunityActivity, kind: str, bodies: list[str]) -> list[str]:
    if kind == "members":
        return _member_rel_ids(act, bodies)
    if kind == "contacted":
        return [r for b in bodies for r in act.contacted[b]]
    if kind == "partners":
        return [r for b in bodies for r in act.partners[b]]
    return [act.long_listed[b][1] for b in bodies]


def _measure_one_to_one(act: CommunityActivity, rule: StageRule) -> Measured:
    kinds = _one_to_one(act)
    bodies = sorted({b for ids in kinds.values() for b in ids})
    found = [
        evidence(
            "relationship",
            f"{_TIE_LABELS[kind][0]} {len(ids)}: {_names(act, ids)}",
            f"{_TIE_LABELS[kind][1]} {len(ids)}: {_names_en(act, ids)}",
            [*ids, *_tie_rel_ids(act, kind, ids)],
        )
        for kind, ids in kinds.items()
        if ids
    ]
    if not found:
        found.append(evidence("number", "1対1の関係をもつ団体・人がいない", "no body or person with a one-to-one tie"))
    prospects = [b for b, (status, _) in act.long_listed.items() if status in (None, LongListStatus.PROSPECT)]
    advice = (
        [
            Advice(
                ja=f"ロングリストの未接触の団体に接触する: {_names(act, prospects)}",
                en=f"Contact the long-listed bodies not yet approached: {_names_en(act, prospects)}",
            )
        ]
        if prospects
        else []
    )
    return Measured(len(bodies), found, advice)


@dataclass(frozen=True)
class MembershipCount:
    """Named members and members known only as a number, on one date."""

    named: int
    counted: int
    #: The counted rows used (the latest date's), and their date.
    rows: tuple[Headcount, ...]
    named_by_group: dict[str, int]
    counted_by_group: dict[str, int]

    @property
    def estimate(self) -> int:
        """Counts often include bodies that are also named (the documents give both), so the larger
        of the two is taken rather than their sum."""
        return max(self.named, self.counted)

    @property
    def by_group(self) -> dict[str, int]:
        """Per sector group, the larger of named and counted members."""
        groups = sorted(set(self.named_by_group) | set(self.counted_by_group))
        return {g: max(self.named_by_group.get(g, 0), self.counted_by_group.get(g, 0)) for g in groups}


UNKNOWN_GROUP = "unknown"


def members_on(act: CommunityActivity, day: dt.date) -> list[str]:
    """Named members whose membership held on ``day`` (``network.tie_holds_on``). Read from the
    uncut graph, so that a member who has left since still counts on the earlier dates of a history."""
    # A history asks for each fiscal year's end, for the community and again for its area: once per day.
    key = (act.id, day)
    held = act.index._members_on.get(key)
    if held is None:
        found = {
            member
            for member, first, last in act.index.member_spans(act.id)
            if first <= day and (last is None or last >= day)
        }
        held = act.index._members_on[key] = tuple(sorted(found - {act.id}))
    return list(held)


def membership_count(act: CommunityActivity, day: dt.date | None = None) -> MembershipCount:
    """The community's members on ``day`` (default: the cut date): ties holding then, and the
    member counts of the latest date not after it."""
    day = day or act.index.reference_date
    # Read by the community's summary and again by its area's, on every fiscal year's end: made once.
    key = (act.id, day)
    count = act.index._membership_counts.get(key)
    if count is None:
        count = act.index._membership_counts[key] = _membership_count(act, day)
    return count


def _membership_count(act: CommunityActivity, day: dt.date) -> MembershipCount:
    named = members_on(act, day)
    dated = [h for h in act.headcounts if date_first_day(h.as_of) <= day]
    latest = max((h.as_of for h in dated), default=None, key=date_first_day)
    rows = tuple(h for h in dated if latest is not None and h.as_of == latest)
    totals = [h.count for h in rows if h.sector is None and h.group is None]
    split = [h for h in rows if h.sector is not None or h.group is not None]
    counted = max([*totals, sum(h.count for h in split)], default=0)
    counted_by_group: dict[str, int] = defaultdict(int)
    for h in split:
        group = sector_group(Sector(h.sector)) if h.sector else SectorGroup(h.group)
        counted_by_group[str(group)] += h.count
    named_by_group: dict[str, int] = defaultdict(int)
    for m in named:
        group = act.index.group_of(m)
        named_by_group[str(group) if group else UNKNOWN_GROUP] += 1
    return MembershipCount(
        named=len(named),
        counted=counted,
        rows=rows,
        named_by_group=dict(sorted(named_by_group.items())),
        counted_by_group=dict(sorted(counted_by_group.items())),
    )


def _measure_long_list(act: CommunityActivity, rule: StageRule) -> Measured:
    kinds = _one_to_one(act)
    kinds["long_list"] = [b for b in act.long_listed if b not in {act.id, *act.secretariat}]
    named = sorted({b for ids in kinds.values() for b in ids})
    count = membership_count(act)
    unnamed = max(0, count.counted - count.named)
    found = [
        evidence(
            "node",
            f"名前のある団体・人 {len(named)}: {_names(act, named)}",
            f"{len(named)} named bodies or people: {_names_en(act, named)}",
            named,
        )
    ]
    if unnamed:
        labels = "、".join(h.label or str(h.count) for h in count.rows)
        found.append(
            evidence(
                "number",
                f"人数だけ記録された構成員 {count.counted}"
                f"（名前のある構成員 {count.named} を超える {unnamed}）: {labels}",
                f"{count.counted} members counted (the {unnamed} beyond the {count.named} named): {labels}",
                [h.id for h in count.rows],
            )
        )
    return Measured(len(named) + unnamed, found)


def _key_person_candidates(act: CommunityActivity) -> dict[str, list[str]]:
    """Candidate → why (officer, special support, individual member, roles in events)."""
    excluded = {act.id, *act.secretariat}
    reasons: dict[str, list[str]] = defaultdict(list)
    for member, rels in act.member_rels.items():
        classes = {r.member_class for r in rels}
        if MemberClass.OFFICER in classes:
            reasons[member].append("officer")
        if MemberClass.SPECIAL_SUPPORT in classes:
            reasons[member].append("special_support")
        if act.index.data.nodes[member].kind == "Person":
            reasons[member].append("individual")
    for actor, targets in act.role_counts.items():
        reasons[actor].append(f"roles:{len(targets)}")
    return {a: r for a, r in sorted(reasons.items()) if a not in excluded}


def _measure_key_persons(act: CommunityActivity, rule: StageRule) -> Measured:
    candidates = _key_person_candidates(act)
    groups = {
        "officer": ("役員", "officers"),
        "special_support": ("特別支援構成員", "special support members"),
        "individual": ("個人の構成員", "individual members"),
        "roles": ("イベントで役割を担った人・団体", "held roles in the community's events"),
    }
    found = []
    for key, (ja, en) in groups.items():
        ids = [a for a, why in candidates.items() if any(w.split(":")[0] == key for w in why)]
        if not ids:
            continue
        among = set(ids)  # looked up for every role in every event: a set, not the list
        rel_ids = (
            [
                p.rel_id
                for e in [*(ev.id for ev in act.events), *act.series]
                for p in act.index.parts(e, ROLE_PARTS)
                if p.actor_id in among
            ]
            if key == "roles"
            else _member_rel_ids(act, ids)
        )
        found.append(
            evidence(
                "relationship",
                f"{ja} {len(ids)}: {_names(act, ids)}",
                f"{en} {len(ids)}: {_names_en(act, ids)}",
                [*ids, *rel_ids],
            )
        )
    if not found:
        found.append(evidence("number", "役割をもつ人・団体がいない", "nobody holds a role"))
    return Measured(len(candidates), found)


def _role_holders(act: CommunityActivity, event: Event) -> dict[str, list[str]]:
    holders: dict[str, list[str]] = defaultdict(list)
    for part in act.index.parts(event.id, ROLE_PARTS):
        if part.actor_id != act.id:
            holders[part.actor_id].append(part.rel_id)
    return dict(sorted(holders.items()))


def _group_label(group: str, lang: str = "ja") -> str:
    try:
        label = SECTOR_GROUP_LABELS[SectorGroup(group)]
    except ValueError:
        return group
    return label.ja if lang == "ja" else label.en


def _attribution(act: CommunityActivity, event: Event) -> list[str]:
    """The relationships that make an event the community's (on the event or on its series)."""
    return [*act.attribution.get(event.id, []), *act.attribution.get(event.series_id or "", [])]


def _measure_joint_events(act: CommunityActivity, rule: StageRule) -> Measured:
    min_bodies = int(rule.params.get("min_bodies", 3))
    min_groups = int(rule.params.get("min_sector_groups", 2))
    joint, nearest = [], []
    for event in act.events:
        holders = _role_holders(act, event)
        groups = sorted({str(g) for a in holders if (g := act.index.group_of(a)) is not None})
        row = (event, holders, groups)
        if len(holders) >= min_bodies and len(groups) >= min_groups:
            joint.append(row)
        else:
            nearest.append(row)
    found = [
        evidence(
            "event",
            f"{e.title}（{e.start}）: {len(h)}の団体・人が役割、{'・'.join(_group_label(g) for g in gs)}",
            f"{e.title} ({e.start}): {len(h)} bodies or people hold roles, "
            f"from {', '.join(_group_label(g, 'en') for g in gs)}",
            [e.id, *h, *(r for rels in h.values() for r in rels), *_attribution(act, e)],
        )
        for e, h, gs in joint
    ]
    advice = []
    if not joint:
        if nearest:
            e, h, gs = max(nearest, key=lambda row: (len(row[1]), len(row[2]), event_day(row[0]), row[0].id))
            found.append(
                evidence(
                    "event",
                    f"共同イベントなし。最も近いのは{e.title}（{e.start}）: {len(h)}の団体・人、{len(gs)}セクター群",
                    f"no joint event; the nearest is {e.title} ({e.start}): {len(h)} bodies or people, "
                    f"{len(gs)} sector groups",
                    [e.id, *h],
                )
            )
            advice.append(
                Advice(
                    ja=f"最も近いイベントは「{e.title}」（{len(h)}の団体・人、{len(gs)}セクター群）。"
                    "他のセクターの構成員に共催・後援・登壇を依頼する",
                    en=f"The nearest is '{e.title}' ({len(h)} bodies or people, {len(gs)} sector groups): "
                    "ask members of other sectors to co-host, support or speak",
                )
            )
        else:
            found.append(evidence("rule", "開催済みのイベントがない", "no held event"))
    return Measured(len(joint), found, advice)


def _measure_ties_among_bodies(act: CommunityActivity, rule: StageRule) -> Measured:
    """Ties of the actor network among the community's bodies and people, the community node itself
    (tied to every member by definition, it would make every network a star) and its secretariat
    (the convener) left out."""
    bodies = act.circle - {act.id} - set(act.secretariat)
    relationships = act.index.data.relationships

    def between_bodies(edge: dict) -> list[str]:
        return [r for r in edge["relationships"] if relationships[r].type not in STRUCTURAL_TIES]

    matrix = act.index.ties
    rows, sub = matrix.among(bodies)
    entries = sub.tocoo()
    upper = entries.row < entries.col  # each tie once
    numbers = entries.data[upper] - 1
    # Where someone works is no tie between bodies: a tie counts with an event or another relationship.
    kept = act.index.ties_between_bodies[numbers]
    numbers, first, second = numbers[kept], entries.row[upper][kept], entries.col[upper][kept]
    if not len(numbers):
        return Measured(
            0,
            [
                evidence(
                    "number",
                    "招集役を介さない団体どうしのつながりがない",
                    "no tie among the bodies apart from the convener",
                )
            ],
        )
    degree = np.bincount(np.concatenate([first, second]), minlength=len(rows))
    # Rows are in id order, so sorting by row breaks ties between equals by id.
    tied_rows = np.flatnonzero(degree)
    tied = [matrix.actors[rows[i]] for i in tied_rows[np.lexsort((tied_rows, -degree[tied_rows]))]]
    # Only the strongest 20 are shown with their evidence: the heaviest first, then by the two ids.
    shown = [matrix.ties[numbers[i]] for i in np.lexsort((second, first, -matrix.weight[numbers]))[:20]]
    return Measured(
        len(numbers),
        [
            evidence(
                "number",
                f"団体どうしのつながり {len(numbers)}本（{len(tied)}の団体・人）。多い順: {_names(act, tied)}",
                f"{len(numbers)} ties among {len(tied)} bodies or people; most tied: {_names_en(act, tied)}",
                sorted({i for _, _, edge in shown for i in (*between_bodies(edge), *edge["events"])}),
            )
        ],
    )


@dataclass(frozen=True)
class SeriesRecord:
    """A community's series as the stage-3 rules see it."""

    series_id: str
    editions: tuple[Event, ...]
    fiscal_years: tuple[int, ...]
    core: tuple[str, ...]
    self_run: bool
    handover: tuple[str, ...]  # the public bodies that hosted the first year, when handed over
    organisers_later: tuple[str, ...]


def _core_bodies(act: CommunityActivity) -> set[str]:
    """Members, their staff, and those with roles in two or more of the community's events."""
    repeat = {a for a, targets in act.role_counts.items() if len(targets) >= 2}
    return (set(act.members) | act.member_staff | repeat) - {act.id, *act.secretariat}


def series_records(act: CommunityActivity) -> list[SeriesRecord]:
    """The community's series with held editions: fiscal years, co-runners, who runs the later years."""
    # Three rules read them (recurring, co-run, self-run): made once per community.
    if act.series_records is None:
        act.series_records = _series_records(act)
    return act.series_records


def _series_records(act: CommunityActivity) -> list[SeriesRecord]:
    core = _core_bodies(act)
    own = {act.id, *act.members, *act.member_staff} | {s for s in act.secretariat if not act.index.is_government(s)}
    records = []
    for series_id in act.series:
        editions = tuple(act.index.editions.get(series_id, []))
        if not editions:
            continue
        years = sorted({event_fiscal_year(e) for e in editions})
        held_by_core = {p.actor_id for e in editions for p in act.index.parts(e.id, ROLE_PARTS) if p.actor_id in core}
        later = [e for e in editions if event_fiscal_year(e) > years[0]]
        runners_later = {e.id: {p.actor_id for p in act.index.parts(e.id, RUNNING_ROLES)} for e in later}
        self_run = bool(later) and all(runners & own for runners in runners_later.values())
        first_runners = {
            p.actor_id
            for e in editions
            if event_fiscal_year(e) == years[0]
            for p in act.index.parts(e.id, RUNNING_ROLES)
        }
        # Practice 5's hand-over: a public body outside the community hosted the first year.
        public_first = sorted(r for r in first_runners - own if act.index.is_government(r))
        records.append(
            SeriesRecord(
                series_id=series_id,
                editions=editions,
                fiscal_years=tuple(years),
                core=tuple(sorted(held_by_core)),
                self_run=self_run,
                handover=tuple(public_first) if self_run else (),
                organisers_later=tuple(sorted({r for rs in runners_later.values() for r in rs})),
            )
        )
    return records


def _years_text(years: Iterable[int], lang: str = "ja") -> str:
    years = list(years)
    if lang == "ja":
        return "・".join(f"{y}年度" for y in years)
    return ", ".join(f"FY{y}" for y in years)


def _series_evidence(act: CommunityActivity, record: SeriesRecord, ja_extra: str = "", en_extra: str = "") -> Evidence:
    n = len(record.fiscal_years)
    one = "（1年度のみ）" if n == 1 else ""
    return evidence(
        "event",
        f"{act.index.name(record.series_id)}: 開催済み{len(record.editions)}回、"
        f"{_years_text(record.fiscal_years)}{one}{ja_extra}",
        f"{act.index.name(record.series_id)}: {len(record.editions)} held editions in "
        f"{_years_text(record.fiscal_years, 'en')}{' (one fiscal year only)' if n == 1 else ''}{en_extra}",
        [record.series_id, *(e.id for e in record.editions)],
    )


def _one_off_candidates(act: CommunityActivity, records: list[SeriesRecord]) -> list[str]:
    """Events held once (not in a series, or in a series of one fiscal year): what could recur."""
    singles = [e.id for e in act.events if not e.series_id]
    singles += [r.series_id for r in records if len(r.fiscal_years) == 1]
    return sorted(set(singles))


def _measure_recurring(act: CommunityActivity, rule: StageRule) -> Measured:
    records = series_records(act)
    return _best_series(act, rule, records, [], [])


def _best_series(
    act: CommunityActivity,
    rule: StageRule,
    candidates: list[SeriesRecord],
    excluded: list[tuple[SeriesRecord, str, str]],
    advice: list[Advice],
) -> Measured:
    value = max((len(r.fiscal_years) for r in candidates), default=0)
    ordered = sorted(candidates, key=lambda r: (-len(r.fiscal_years), r.series_id))
    found = []
    for record in ordered:
        extra_ja = extra_en = ""
        if rule.measure != "recurring_series_fiscal_years" and record.core:
            extra_ja = f"。コア機関・キーパーソン: {_names(act, record.core)}"
            extra_en = f"; core bodies or key persons: {_names_en(act, record.core)}"
        if rule.measure == "self_run_series_fiscal_years":
            extra_ja += f"。初年度より後の主催・共催: {_names(act, record.organisers_later)}"
            extra_en += f"; organised after the first year by {_names_en(act, record.organisers_later)}"
            if record.handover:
                extra_ja += f"（引継ぎ: 初年度は{_names(act, record.handover)}が主催）"
                extra_en += f" (hand-over: {_names_en(act, record.handover)} hosted the first year)"
        found.append(_series_evidence(act, record, extra_ja, extra_en))
    for record, ja, en in excluded:
        found.append(_series_evidence(act, record, f"（対象外: {ja}）", f" (not counted: {en})"))
    if not candidates and not excluded:
        found.append(evidence("rule", "開催済みの回のあるシリーズがない", "no series with held editions"))
    if value < rule.threshold:
        singles = _one_off_candidates(act, series_records(act))
        if singles and rule.measure == "recurring_series_fiscal_years":
            advice = [
                *advice,
                Advice(
                    ja=f"定番化の候補（1年度だけ開催）: {_names(act, singles)}",
                    en=f"Could become routine (held in one fiscal year only): {_names_en(act, singles)}",
                ),
            ]
    return Measured(value, found, advice)


def _measure_co_run(act: CommunityActivity, rule: StageRule) -> Measured:
    records = series_records(act)
    candidates = [r for r in records if r.core]
    excluded = [
        (r, "コア機関・キーパーソンの役割なし", "no core body or key person held a role") for r in records if not r.core
    ]
    advice = [
        Advice(
            ja=f"「{act.index.name(r.series_id)}」に構成員・キーパーソンの共催・登壇を依頼する",
            en=f"Ask members or key persons to co-host or speak at '{act.index.name(r.series_id)}'",
        )
        for r, *_ in excluded
        if len(r.fiscal_years) >= rule.threshold
    ]
    return _best_series(act, rule, candidates, excluded, advice)


def _measure_self_run(act: CommunityActivity, rule: StageRule) -> Measured:
    records = [r for r in series_records(act) if r.core]
    candidates = [r for r in records if r.self_run]
    excluded = [
        (
            r,
            "初年度より後の回を公的機関などが主催" if len(r.fiscal_years) > 1 else "1年度のみ",
            "later editions run by a public body or others" if len(r.fiscal_years) > 1 else "one fiscal year only",
        )
        for r in records
        if not r.self_run
    ]
    advice = [
        Advice(
            ja=f"「{act.index.name(r.series_id)}」を次年度からコミュニティが主催する形に引き継ぐ（プラクティス5）",
            en=f"Hand '{act.index.name(r.series_id)}' over so that the community organises it "
            "from next year (practice 5)",
        )
        for r, *_ in excluded
        if len(r.fiscal_years) > 1
    ]
    return _best_series(act, rule, candidates, excluded, advice)


MeasureFunction = Callable[[CommunityActivity, StageRule], Measured]

#: The measures a rule may test, by the name the rules file uses.
MEASURES: dict[str, MeasureFunction] = {
    "conveners": _measure_conveners,
    "one_to_one_ties": _measure_one_to_one,
    "long_list": _measure_long_list,
    "key_person_candidates": _measure_key_persons,
    "joint_events": _measure_joint_events,
    "ties_among_bodies": _measure_ties_among_bodies,
    "recurring_series_fiscal_years": _measure_recurring,
    "co_run_series_fiscal_years": _measure_co_run,
    "self_run_series_fiscal_years": _measure_self_run,
}

DEFAULT_RULES = StageRules.from_file(RULES_FILE)


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


class RuleResult(BaseModel):
    """One rule evaluated for one community."""

    rule_id: str
    stage: int
    ja: str
    en: str
    measure: str
    threshold: float
    params: dict[str, float] = Field(default_factory=dict)
    value: float
    met: bool
    evidence: list[Evidence] = Field(default_factory=list)


class CommunityStage(BaseModel):
    community_id: str
    name: str
    stage: int = Field(ge=0, le=3)
    stage_ja: str
    stage_en: str
    #: Every rule, in the order of the rules file.
    rules: list[RuleResult]
    #: One item per rule met, with the numbers and the ids behind it.
    evidence: list[Evidence] = Field(default_factory=list)
    next_stage: int | None = None
    #: Rules of the next stage not yet met.
    missing: list[str] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.rule_id == rule_id)


class AreaStage(BaseModel):
    """A region's or prefecture's stage: the best of its communities, and the typical one (median)."""

    area: str
    kind: Literal["region", "prefecture"]
    name: str
    communities: list[str]
    best_stage: int | None
    best_communities: list[str]
    typical_stage: int | None = Field(description="中央値（低い方） / Median stage (lower median)")
    distribution: dict[int, int]
    evidence: list[Evidence] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)


class EngagementStages(BaseModel):
    scope: str
    as_of: dt.date = Field(description="判定日（指定がなければデータの最新日） / Date judged on")
    rules_title_ja: str
    rules_title_en: str
    communities: list[CommunityStage]
    areas: list[AreaStage]

    def community(self, community_id: str) -> CommunityStage:
        return next(c for c in self.communities if c.community_id == community_id)


def _format(text: str, rule: StageRule) -> str:
    return text.replace("min_bodies", _number(rule.params.get("min_bodies", 3))).replace(
        "min_sector_groups", _number(rule.params.get("min_sector_groups", 2))
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def evaluate_rules(act: CommunityActivity, rules: StageRules) -> list[tuple[StageRule, RuleResult, Measured]]:
    results = []
    for rule in rules.rules:
        measured = MEASURES[rule.measure](act, rule)
        results.append(
            (
                rule,
                RuleResult(
                    rule_id=rule.id,
                    stage=rule.stage,
                    ja=_format(rule.ja, rule),
                    en=_format(rule.en, rule),
                    measure=rule.measure,
                    threshold=rule.threshold,
                    params=dict(rule.params),
                    value=measured.value,
                    met=measured.value >= rule.threshold,
                    evidence=measured.evidence,
                ),
                measured,
            )
        )
    return results


def community_stage(act: CommunityActivity, rules: StageRules = DEFAULT_RULES) -> CommunityStage:
    """Evaluate every rule for one community and place it on the scale."""
    evaluated = evaluate_rules(act, rules)
    met_by_stage = {s: all(r.met for _, r, _ in evaluated if r.stage == s) for s in (1, 2, 3)}
    stage = 0
    for s in (1, 2, 3):
        if not met_by_stage[s]:
            break
        stage = s
    label = rules.label(stage)
    summary = [
        evidence(
            "rule",
            f"{r.rule_id} を満たす: {_number(r.value)}{rule.unit_ja}（基準 {_number(r.threshold)}以上）",
            f"{r.rule_id} met: {_number(r.value)} {rule.unit_en} (threshold {_number(r.threshold)})",
            sorted({i for e in r.evidence for i in e.ids}),
        )
        for rule, r, _ in evaluated
        if r.met
    ]
    next_stage = stage + 1 if stage < 3 else None
    missing = [(rule, r, m) for rule, r, m in evaluated if r.stage == next_stage and not r.met]
    advice = []
    for rule, r, measured in missing:
        advice.append(
            Advice(
                ja=f"{r.rule_id}（現在 {_number(r.value)}{rule.unit_ja}、基準 {_number(r.threshold)}以上）: "
                f"{rule.advice_ja}",
                en=f"{r.rule_id} (now {_number(r.value)} {rule.unit_en}, needs {_number(r.threshold)}): "
                f"{rule.advice_en}",
            )
        )
        advice.extend(measured.advice)
    higher = [s for s in (2, 3) if next_stage is not None and s > next_stage and met_by_stage[s]]
    if higher:
        advice.append(
            Advice(
                ja=f"第{'・'.join(map(str, higher))}段階のルールは満たしているが、第{next_stage}段階が欠けている",
                en=f"The rules of stage {', '.join(map(str, higher))} are met, but stage {next_stage} is incomplete",
            )
        )
    return CommunityStage(
        community_id=act.id,
        name=act.community.name,
        stage=stage,
        stage_ja=label.ja,
        stage_en=label.en,
        rules=[r for _, r, _ in evaluated],
        evidence=summary,
        next_stage=next_stage,
        missing=[r.rule_id for _, r, _ in missing],
        advice=advice,
    )


def area_stage(area: Area, stages: Mapping[str, CommunityStage], rules: StageRules = DEFAULT_RULES) -> AreaStage:
    """The best stage among an area's communities and the median one."""
    placed = sorted((stages[c] for c in area.communities if c in stages), key=lambda s: s.community_id)
    if not placed:
        return AreaStage(
            area=area.code,
            kind=area.kind,
            name=area.name,
            communities=[],
            best_stage=None,
            best_communities=[],
            typical_stage=None,
            distribution={},
            evidence=[evidence("number", f"{area.name}にコミュニティがない", f"no community in {area.name_en}")],
            advice=[
                Advice(
                    ja="第1段階から始める: 地域関係機関のロングリストを作り、キーパーソン候補に接触する",
                    en="Start at stage 1: build a long list of regional bodies and contact key-person candidates",
                )
            ],
        )
    values = [s.stage for s in placed]
    best = max(values)
    best_ids = [s.community_id for s in placed if s.stage == best]
    typical = statistics.median_low(values)
    distribution = {stage: values.count(stage) for stage in (0, 1, 2, 3)}
    best_label = rules.label(best)
    best_names = [s.name for s in placed if s.stage == best]
    found = [
        evidence(
            "number",
            f"{len(placed)}コミュニティ。最も進んでいるのは{best_label.ja}: {'、'.join(best_names)}。"
            f"中央値は第{typical}段階",
            f"{len(placed)} communities. Furthest: {best_label.en}: {', '.join(best_names)}. Median stage {typical}",
            best_ids,
        )
    ]
    lead = next(s for s in placed if s.stage == best)
    return AreaStage(
        area=area.code,
        kind=area.kind,
        name=area.name,
        communities=[s.community_id for s in placed],
        best_stage=best,
        best_communities=best_ids,
        typical_stage=typical,
        distribution=distribution,
        evidence=found,
        advice=lead.advice,
    )


def engagement_stage(
    data: GraphData, scope: Scope | None = None, *, rules: StageRules = DEFAULT_RULES
) -> EngagementStages:
    """Place each community in ``scope`` (and each region) on the three-stage approach.

    Definition: practice 11 of the METI practice collection (seed 001) with practice 5's hand-over;
    the rules and thresholds are data (:data:`DEFAULT_RULES`, ``stage_rules.json``; change them with
    :meth:`StageRules.adjusted` or :meth:`StageRules.from_file`). Stage s is reached when every rule
    of stages 1..s is met. Each community carries the evidence of every rule met and, for the next
    stage, the rules missing and what would meet them. An area's stage is the best of its
    communities (which ones, named) and the typical one (lower median).
    """
    scope = scope or Scope()
    check_community(data, scope)
    with shared_inputs():
        return stages_on(activity_index(data, scope.as_of), scope, rules)


def stages_on(index: ActivityIndex, scope: Scope, rules: StageRules = DEFAULT_RULES) -> EngagementStages:
    """:func:`engagement_stage` on an index already cut to the scope's date (to share it)."""
    placed = {cid: community_stage(index.activity(cid), rules) for cid in communities_in_scope(index.data, scope)}
    return EngagementStages(
        scope=scope.describe(),
        as_of=index.reference_date,
        rules_title_ja=rules.title_ja,
        rules_title_en=rules.title_en,
        communities=[placed[c] for c in sorted(placed)],
        areas=[area_stage(area, placed, rules) for area in scope_areas(index.data, scope)],
    )
