"""What each community is on one date: who belongs, who convenes, what it ran, with the ids.

:class:`ActivityIndex` cuts the graph to one date and holds the lookups every community needs;
:class:`CommunityActivity` is one community on that date. The stages, the health indicators, the
changes between two dates, the profiles and the charts all read the same index, so that a community
is the same community in each of them.

What counts as a community's event: an event or series in which the community itself holds a role
(主催・共催・後援・協力), or which one of its secretariat bodies organised or co-hosted for it: no other
community organised it, and the body is the secretariat of this community only or another body of
the community (a member, partner or secretariat body) also took part. A series' roles hold for each
of its editions. Only held events count, and only within the community's life (from ``founded``, or
its first own record: ``network.community_life_start``). A series' stated cadence (年2回 since 2017)
gives it held years without dated editions (:func:`stated_fiscal_years`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal, NamedTuple, TypeVar

import networkx as nx
import numpy as np

from secgraph.analysis.facts import display
from secgraph.analysis.index import NetworkArrays, network_arrays_on
from secgraph.analysis.network import (
    EVENT_PARTS,
    Scope,
    actor_network,
    community_circle,
    community_events,
    community_life_start,
    date_first_day,  # each written date parsed once (cached): asked for every event, membership and count
    date_last_day,
    employers_on,
    event_day,
    held,
    reference_day,
    relationships_of_type,
    reuse,
    snapshot_at,
    staff_by_employer,
    tie_index,
    tie_start,
)
from secgraph.model.dates import fiscal_year, parse_date
from secgraph.model.graph import GraphData, community_of
from secgraph.model.headcounts import sum_headcounts
from secgraph.model.records import Community, Event, EventSeries, Headcount, Relationship
from secgraph.model.vocabulary import (
    EVENT_ROLE_TYPES,
    HeadcountKind,
    MemberClass,
    RelType,
    Sector,
    SectorGroup,
    sector_group,
)

if TYPE_CHECKING:
    from secgraph.analysis.stage.measures import SeriesRecord

T = TypeVar("T")

#: Event parts that are roles (attending is taking part, not holding a role).
ROLE_PARTS: tuple[RelType, ...] = (*EVENT_ROLE_TYPES, RelType.SPOKE_AT)
#: Roles that run an event.
RUNNING_ROLES: tuple[RelType, ...] = (RelType.ORGANISED, RelType.CO_HOSTED)
#: Ties that only say where someone works or what a unit belongs to: no tie between bodies.
STRUCTURAL_TIES: tuple[RelType, ...] = (RelType.WORKS_AT, RelType.SUB_UNIT_OF)
_EVENT_PART_SET: frozenset[RelType] = frozenset(EVENT_PARTS)


def partial_fiscal_year(text: str) -> int:
    """The fiscal year of a date as written. A date known only to the year ("2018") is taken at its
    middle: nine of its twelve months fall in the fiscal year of the same number."""
    day = parse_date(text)
    return day.year if day.month is None else fiscal_year(day.first_day())


def event_fiscal_year(event: Event) -> int:
    return partial_fiscal_year(event.start)


def stated_span(series: EventSeries, day: dt.date, since: dt.date = dt.date.min) -> tuple[dt.date, dt.date] | None:
    """The days a series' stated cadence covers: from its ``since`` (else the date the statement was
    observed, ``as_of``) to its ``until`` (else ``as_of``), no later than ``day`` and not before
    ``since`` (a community's life). None without a cadence or when nothing is left."""
    if not series.cadence:
        return None
    first = max(date_first_day(series.since or series.as_of), since)
    last = min(date_last_day(series.until or series.as_of), day)
    return (first, last) if first <= last else None


def stated_fiscal_years(series: EventSeries, day: dt.date, since: dt.date = dt.date.min) -> tuple[int, ...]:
    """The fiscal years of :func:`stated_span`. Stated, not dated: these years hold events as a
    document says, without the events' own dates. A ``since`` known only to the year ("2017") is
    read as that fiscal year (``partial_fiscal_year``)."""
    span = stated_span(series, day, since)
    if span is None:
        return ()
    first, last = span
    start = partial_fiscal_year(series.since) if series.since and first == date_first_day(series.since) else None
    return tuple(range(start if start is not None else fiscal_year(first), fiscal_year(last) + 1))


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
        self.reference_date = reference_day(data, as_of)
        self.data = snapshot_at(data, self.reference_date)  # records_as_of, its day found once
        # Shared with every other analysis of this snapshot inside ``shared_inputs``.
        ties = tie_index(self.data)
        self.by_from: Mapping[str, list[Relationship]] = ties.by_from
        self.by_to: Mapping[str, list[Relationship]] = ties.by_to
        #: Person → where they work on this date (``model.ties.current_employers``).
        self.employers: Mapping[str, str] = employers_on(self.data)
        self.editions: dict[str, list[Event]] = defaultdict(list)
        for node in self.data.nodes.values():
            if held(node) and node.series_id:
                self.editions[node.series_id].append(node)
        for events in self.editions.values():
            events.sort(key=lambda e: (event_day(e), e.id))
        self._activities: dict[str, CommunityActivity] = {}
        self._member_spans: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
        self._groups: dict[str, SectorGroup | None] = {}
        self._parts_of: dict[str, list[Part]] = {}
        self._series_parts: dict[str, list[Part]] = {}
        self._kept: dict[Hashable, object] = {}
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
        for rel in relationships_of_type(self._source, RelType.MEMBER_OF):
            ties[rel.to_id].append(rel)
        return ties

    @cached_property
    def employees(self) -> dict[str, list[str]]:
        """Organisation → the people whose current employer it is (:attr:`employers` turned round)."""
        found: dict[str, list[str]] = defaultdict(list)
        for person, employer in self.employers.items():
            found[employer].append(person)
        return dict(found)

    def kept(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, made once per index and ``key``: what the analyses derive from this date's cut
        and ask for again (a community's members on a day, its parts), held with the index."""
        if key not in self._kept:
            self._kept[key] = build()
        return self._kept[key]  # type: ignore[return-value]

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
                (r.from_id, tie_start(r), date_last_day(r.end) if r.end is not None else None)
                for r in self.member_ties(community_id)
            ]
            self._member_spans[community_id] = spans
        return spans

    @cached_property
    def network(self) -> nx.Graph:
        """The country's actor network on this date (already cut, so no date is passed again)."""
        return actor_network(self.data, Scope())

    def ties_among(self, actors: Iterable[str]) -> Iterator[tuple[str, str, dict]]:
        """Every tie of the network between two of ``actors``, once, as (smaller id, larger id,
        the tie's attributes), in id order: the edges of the subgraph the actors induce, without
        copying it (a copy would walk every tie of every actor in the subgraph through networkx's views)."""
        neighbours = self.ties.neighbours
        inside = {a for a in actors if a in neighbours}
        for a in sorted(inside):
            ties = neighbours[a]
            for b in sorted(ties.keys() & inside):
                if a < b:
                    yield a, b, ties[b]

    @cached_property
    def ties(self) -> NetworkArrays:
        """:attr:`network` in array form (``index.network_arrays_on``: on a date other than the data's
        own, made without building :attr:`network`), shared by every index of this snapshot in a block."""
        return network_arrays_on(self._source, self.reference_date, self.data)

    @cached_property
    def ties_between_bodies(self) -> np.ndarray:
        """For each tie of :attr:`ties` (in tie order), whether it says the two are tied as bodies: an event or a
        relationship other than where someone works or what a unit belongs to."""
        relationships = self.data.relationships
        return np.array(
            [
                bool(edge["events"]) or any(relationships[r].type not in STRUCTURAL_TIES for r in edge["relationships"])
                for edge in self.ties.tie_data
            ],
            dtype=bool,
        )

    @cached_property
    def affiliations(self) -> dict[str, set[str]]:
        """Community → the bodies it holds: members, secretariat, partners."""
        held: dict[str, set[str]] = defaultdict(set)
        for rel in relationships_of_type(self.data, RelType.MEMBER_OF, RelType.SECRETARIAT_OF, RelType.PARTNERS_WITH):
            held[rel.to_id].add(rel.from_id)
        for rel in relationships_of_type(self.data, RelType.PARTNERS_WITH):  # a partnership holds both ways
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
            # The parts an edition inherits from its series are made once per series and shared by
            # all its editions.
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
        # kinds asked for, and converting it to the enum would cost more than the rest of the lookup.
        found = [Part(r.from_id, r.type, str(r.id)) for r in self.by_to.get(target_id, []) if r.type in wanted]
        node = self.data.nodes.get(target_id)
        if isinstance(node, Event) and node.series_id:
            found += [
                Part(r.from_id, r.type, str(r.id), via_series=True)
                for r in self.by_to.get(node.series_id, [])
                if r.type in wanted
            ]
        return found

    def stated_fiscal_years(self, series_id: str, since: dt.date = dt.date.min) -> tuple[int, ...]:
        """The fiscal years in which a series' stated cadence says it was held (:func:`stated_fiscal_years`),
        up to this index's date and not before ``since`` (a community's life)."""
        series = self.data.nodes.get(series_id)
        if not isinstance(series, EventSeries):
            return ()
        return stated_fiscal_years(series, self.reference_date, since)

    def activity(self, community_id: str) -> CommunityActivity:
        if community_id not in self._activities:
            self._activities[community_id] = _build_activity(self, community_id)
        return self._activities[community_id]


def activity_index(data: GraphData, as_of: dt.date | None = None) -> ActivityIndex:
    """``ActivityIndex(data, as_of)``, or inside ``shared_inputs`` the one already built for this data
    and day (no date and the data's own date are one day): the stages, the health, the changes and
    the charts and documents of one day then share its communities' activity."""
    day = reference_day(data, as_of)
    return reuse("activity_index", data, day, lambda: ActivityIndex(data, day))


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
    #: The first day the community is known to exist (``network.community_life_start``).
    life_start: dt.date = dt.date.min
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
        staff = staff_by_employer(self.index.data)
        return {person for member in self.members for person in staff.get(member, ())}

    @cached_property
    def circle(self) -> set[str]:
        """The community's circle (``network.community_circle``)."""
        return community_circle(self.index.data, self.id)

    @cached_property
    def circle_numbers(self) -> np.ndarray:
        """The numbers of the circle's actors in the index's network (``NetworkArrays.numbers``): the
        stage and the health read the ties among a circle, and an area's among its circles together."""
        return self.index.ties.numbers(self.circle)


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
    act.life_start = community_life_start(index.data, act.id)
    events: dict[str, Event] = {}
    series: set[str] = set()
    for target, rel_ids in targets.items():
        node = index.data.nodes[target]
        act.attribution[target] = sorted(rel_ids)
        if isinstance(node, EventSeries):
            series.add(target)
            events.update((e.id, e) for e in index.editions.get(target, []) if event_day(e) >= act.life_start)
        elif held(node):
            events[node.id] = node
            if node.series_id:
                series.add(node.series_id)
    act.events = sorted(events.values(), key=lambda e: (event_day(e), e.id))
    act.series = sorted(series)
    act.attribution = dict(sorted(act.attribution.items()))


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
    def build() -> tuple[str, ...]:
        found = {
            member
            for member, first, last in act.index.member_spans(act.id)
            if first <= day and (last is None or last >= day)
        }
        return tuple(sorted(found - {act.id}))

    return list(act.index.kept(("members_on", act.id, day), build))


def membership_count(act: CommunityActivity, day: dt.date | None = None) -> MembershipCount:
    """The community's members on ``day`` (default: the cut date): ties holding then, and the
    member counts of the latest date not after it."""
    day = day or act.index.reference_date
    # Read by the community's summary and again by its area's, on every fiscal year's end: made once.
    return act.index.kept(("membership_count", act.id, day), lambda: _membership_count(act, day))


def _membership_count(act: CommunityActivity, day: dt.date) -> MembershipCount:
    named = members_on(act, day)
    dated = [h for h in act.headcounts if date_first_day(h.as_of) <= day]
    latest = max((h.as_of for h in dated), default=None, key=date_first_day)
    rows = tuple(h for h in dated if latest is not None and h.as_of == latest)
    summed = sum_headcounts(rows)
    named_by_group: dict[str, int] = defaultdict(int)
    for m in named:
        group = act.index.group_of(m)
        named_by_group[str(group) if group else UNKNOWN_GROUP] += 1
    return MembershipCount(
        named=len(named),
        counted=summed.count if summed else 0,
        rows=rows,
        named_by_group=dict(sorted(named_by_group.items())),
        counted_by_group=summed.by_group if summed else {},
    )
