"""Isolated regions: where the network is thin, cut off, or hangs on one body.

Five findings, each with its evidence and the nearest ties that could connect it:

- **Prefectures** with no community (no community covers it: a community covers the prefectures it
  lists, else those of its region), no named body (no organisation located there — in a period: none
  with a tie during it), no local member (communities cover it but none of their members,
  secretariat, partners or event participants is located there: covered on paper only), or no activity (no event held
  there and no tie started by an actor located only there).
- **Regions** (MIC areas, the 地域SECUNITY areas, by default; METI areas optionally) with no community
  of their own or no activity.
- **Detached parts**: connected components of the actor network other than the largest (Harary 1969,
  ch. 2) — bodies with no path at all to the rest.
- **Communities without 横連携** (horizontal links): no shared member, no shared speaker or event
  participant, no shared event and no partnership with a community of another region.
- **Single bridges**: an organisation or person that is an articulation point (cut vertex) of the
  actor network (Hopcroft & Tarjan 1973): removing it cuts some actors off from the rest. Found in one
  depth-first search per component, not by removing each actor and recounting.

The nearest ties that could connect each finding are ranked in :mod:`.nearest_ties`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from secgraph.analysis.areas import (
    RegionKind,
    area_of,
    communities_in_scope,
    community_areas,
    covered_prefectures,
    other_region,
    region_kind,
)
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import names_of
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.measures import RemovalPieces
from secgraph.analysis.network import (
    DIRECT_TIES,
    EVENT_PARTS,
    Scope,
    TieIndex,
    community_circles,
    event_day,
    held,
    records_as_of,
    reuse,
    scoped_actor_ids,
    shared_inputs,
    tie_index,
    tie_start,
)
from secgraph.analysis.network_index import NetworkIndex, network_index
from secgraph.analysis.regions.nearest_ties import (
    NearestTie,
    NearestTieIndex,
    nearest_communities,
    nearest_ties_to,
    note_approachable,
)
from secgraph.analysis.tie_freshness import TIE_WINDOW_YEARS, fresh_ties, holding_removal_pieces, tie_window_start
from secgraph.model import geography
from secgraph.model.dates import parse_date
from secgraph.model.geography import prefecture_names
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, Relationship

DateSpan = tuple[dt.date, dt.date]
#: The ties that show activity, and that tie a body during a period: direct ties and event parts.
_ACTIVITY_TIES = frozenset({*DIRECT_TIES, *EVENT_PARTS})
Gap = Literal["no_community", "no_named_body", "no_local_member", "no_activity"]

GAP_LABELS: dict[str, tuple[str, str]] = {
    "no_community": ("コミュニティがない", "no community covers it"),
    "no_named_body": ("名前の分かる団体がない", "no named body"),
    "no_local_member": (
        "対象コミュニティに域内の団体が参加していない",
        "communities cover it but no body located there takes part",
    ),
    "no_activity": ("活動（イベント開催・新たな関係）がない", "no activity (no event held, no tie started)"),
}
# ---------------------------------------------------------------------------------------------- results


class IsolatedPrefecture(ResultModel):
    code: str
    name: str
    name_en: str
    mic_region: str
    meti_region: str
    gaps: list[Gap]
    communities: list[str] = Field(description="この県を対象とするコミュニティ / Communities covering it")
    named_bodies: list[str] = Field(description="県内に所在する団体 / Organisations located there")
    evidence: list[Evidence]
    advice: list[Advice]
    nearest_ties: list[NearestTie]


class IsolatedRegion(ResultModel):
    code: str
    kind: RegionKind
    name: str
    name_en: str
    gaps: list[Gap]
    prefectures: list[str]
    communities: list[str] = Field(description="この地域のコミュニティ / The region's own communities")
    prefectures_without_community: list[str]
    evidence: list[Evidence]
    advice: list[Advice]
    nearest_ties: list[NearestTie]


class DetachedPart(ResultModel):
    """A connected component of the actor network other than the largest."""

    actors: list[str]
    size: int
    prefectures: list[str]
    evidence: list[Evidence]
    advice: list[Advice]
    nearest_ties: list[NearestTie]


class UnlinkedCommunity(ResultModel):
    """A community with no 横連携: no tie to any community of another region."""

    community_id: str
    name: str
    areas: list[str]
    linked_in_same_region: list[str]
    linked_national: list[str] = Field(description="地域を持たない全国的なコミュニティとの関係 / National ones")
    evidence: list[Evidence]
    advice: list[Advice]
    nearest_ties: list[NearestTie]


class SingleBridge(ResultModel):
    """An organisation or person whose removal cuts actors off from the rest of their network."""

    actor_id: str
    name: str
    kind: str
    sector: str | None
    prefectures: list[str]
    cut_off: list[str] = Field(description="切り離されるアクター / Actors cut off")
    cut_off_count: int
    cut_off_by_prefecture: dict[str, int] = Field(description="切り離される団体・個人の所在 / Where they are")
    prefectures_cut_off_entirely: list[str]
    regions: list[str]
    remaining: int = Field(description="残る最大部分の大きさ / Size of the part that stays")
    evidence: list[Evidence]
    advice: list[Advice]
    nearest_ties: list[NearestTie]


class IsolatedRegions(ResultModel):
    scope: str
    period_start: dt.date | None
    period_end: dt.date | None
    region_kind: RegionKind
    prefectures: list[IsolatedPrefecture]
    regions: list[IsolatedRegion]
    detached_parts: list[DetachedPart]
    unlinked_communities: list[UnlinkedCommunity]
    national_communities: list[str] = Field(
        description="地域を持たず横連携の判定から外したコミュニティ / Communities with no region, not judged"
    )
    single_bridges: list[SingleBridge]
    tie_window_start: dt.date | None = Field(
        None,
        description="「だけでつながる」の判定に使う関係の最古の日（これより前の関係で、その後の記録がないものは使わない）"
        " / Bridges are judged on ties with evidence on or after this day",
    )
    stale_ties: int = Field(0, description="古いため橋渡しの判定から外した関係の数 / Ties left out as too old")


# ---------------------------------------------------------------------------------------------- index


@dataclass
class _Index(NearestTieIndex):
    """The network index plus what a period adds: who was tied in it and where activity happened.

    Activity is read when asked, place by place: whether a place has any is mostly known from its first
    event, and only the places reported list all of it.
    """

    period: DateSpan | None = None
    #: Community → the actors of its circle (members, secretariat, their people, its events' participants).
    circles: dict[str, set[str]] = field(default_factory=dict)
    #: Actor → the prefecture and areas it is local to (where its activity counts).
    places: dict[str, list[str]] = field(default_factory=dict)
    #: Prefecture / area code → the actors local to it (``places`` the other way round).
    local_actors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Prefecture / area code → the events held there within the period, and the communities' own
    #: events held within it where the community is local (even when held online).
    held_in: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: The relationships by their ends (``network.tie_index``).
    ties: TieIndex = field(default_factory=lambda: TieIndex({}, {}))
    #: An event id, or a tie's (start, as_of, end) → ``_tie_timing``'s answer, worked out once each.
    _timings: dict[object, tuple[bool, bool]] = field(default_factory=dict)
    #: Community → the communities it has a link with (``_linked_communities``), made on first use.
    _linked: dict[str, set[str]] | None = None
    #: The connected components of the actor network, made on first use.
    _components: list[set[str]] | None = None
    #: Community → ``local_to``'s answer, made on first use.
    _local: dict[str, dict[str, list[str]]] | None = None
    #: Prefecture → ``covering``'s answer, made on first use.
    _covering: dict[str, list[str]] | None = None

    def local_to(self, community_id: str) -> dict[str, list[str]]:
        """Prefecture → the bodies and people of the community's circle and partners located there
        (made once per community: every prefecture it covers asks)."""
        if self._local is None:
            self._local = {}
        found = self._local.get(community_id)
        if found is None:
            by_prefecture: dict[str, list[str]] = defaultdict(list)
            for a in self.circles.get(community_id, set()) | self.partners.get(community_id, set()):
                if a not in self.communities:
                    for p in self.located.get(a, set()):
                        by_prefecture[p].append(a)
            found = self._local[community_id] = dict(by_prefecture)
        return found

    def timing(self, rel: Relationship) -> tuple[bool, bool]:
        """``_tie_timing`` of a tie. Hundreds of thousands of parts fall on a few thousand events, and a
        tie's timing depends on nothing but its event or its dates: each is worked out once."""
        key = rel.to_id if isinstance(self.data.nodes.get(rel.to_id), Event) else (rel.start, rel.as_of, rel.end)
        found = self._timings.get(key)
        if found is None:
            found = self._timings[key] = _tie_timing(self, rel)
        return found

    def tied_during(self, actor_id: str) -> bool:
        """Whether the actor has a direct tie or an event part that held during the period."""
        return any(rel.type in _ACTIVITY_TIES and self.timing(rel)[0] for rel in self.ties.touching(actor_id))

    def activity_in(self, place: str) -> Iterator[str]:
        """Evidence of activity in a prefecture or area, as it is found (an id may come twice): the
        events held there (``held_in``), then every direct tie and event part started within the period
        by an actor local to it."""
        yield from self.held_in.get(place, ())
        for actor_id in self.local_actors.get(place, ()):
            for rel in self.ties.touching(actor_id):
                if rel.type in _ACTIVITY_TIES and self.timing(rel)[1]:
                    yield str(rel.id)

    def active(self, *places: str) -> bool:
        """Whether there is any activity in one of the places."""
        return any(next(self.activity_in(place), None) is not None for place in places)

    def activity(self, *places: str) -> list[str]:
        """Every piece of evidence of activity in the places, sorted."""
        return sorted({found for place in places for found in self.activity_in(place)})

    def covering(self, prefecture: str) -> list[str]:
        """The communities that cover a prefecture and exist during the period, sorted."""
        if self._covering is None:
            self._covering = defaultdict(list)
            for community_id in sorted(self.communities):
                community = self.communities[community_id]
                if _exists_during(community, self.period):
                    for code in covered_prefectures(community):
                        self._covering[code].append(community_id)
        return self._covering.get(prefecture, [])

    def linked(self) -> dict[str, set[str]]:
        """Community → the other communities it shares a tie, an event, a member or a circle actor with."""
        if self._linked is None:
            self._linked = _linked_communities(self)
        return self._linked

    def components(self) -> list[set[str]]:
        """The connected components of the actor network, largest first (then by their smallest id)."""
        if self._components is None:
            # Labelled in C on the array form, then grouped: the same sets as ``nx.connected_components``.
            count, labels = self.arrays.components
            members = np.argsort(labels, kind="stable")
            ends = np.cumsum(np.bincount(labels, minlength=count))[:-1]
            nodes = self.arrays.nodes
            found = [{nodes[i] for i in part.tolist()} for part in np.split(members, ends)] if len(nodes) else []
            self._components = sorted(found, key=lambda c: (-len(c), min(c)))
        return self._components


def _during(period: DateSpan | None, start: dt.date, end: dt.date | None) -> bool:
    if period is None:
        return True
    return start <= period[1] and (end is None or end >= period[0])


def _within(period: DateSpan | None, day: dt.date) -> bool:
    return period is None or period[0] <= day <= period[1]


def _held_within(node: object, period: DateSpan | None) -> bool:
    return held(node) and _within(period, event_day(node))


def _build_index(data: GraphData, period: DateSpan | None) -> _Index:
    """``network_index`` plus the period's ties and activity; inside ``shared_inputs`` built once per
    data object and period."""
    with shared_inputs():
        return reuse("regions.index", data, period, lambda: _new_index(data, period))


def _new_index(data: GraphData, period: DateSpan | None) -> _Index:
    base = network_index(data)  # shared with missing_sectors; only read here
    ix = _Index(**{f.name: getattr(base, f.name) for f in fields(NetworkIndex)}, period=period, ties=tie_index(data))
    ix.places = _places_of_actors(ix)
    for actor_id, places in ix.places.items():
        for where in places:
            ix.local_actors[where].append(actor_id)
    note_approachable(ix)
    circles = community_circles(data)  # all in one pass over the ties
    ix.circles = {c: circles[c] for c in sorted(ix.communities)}
    for event in data.nodes.values():
        if _held_within(event, period):
            for where in _event_places(event):  # type: ignore[arg-type]
                ix.held_in[where].add(event.id)
    # A community's own events count where the community is local, even when held online.
    for community_id in ix.communities:
        for event_id in ix.parts.get(community_id, set()):
            if _held_within(data.nodes.get(event_id), period):
                for where in ix.places.get(community_id, []):
                    ix.held_in[where].add(event_id)
    return ix


def _linked_communities(ix: _Index) -> dict[str, set[str]]:
    """For every community, the communities it is linked with: a partnership or membership between the
    two, an event both held a part in, a shared member or secretariat body, or a shared speaker or
    participant (an actor in both circles).

    Members, circle actors and events are matched each with their own kind (a member of one community
    in another's circle only is no shared member), and an actor that is itself one of the two
    communities does not link them. Each kind is a sparse incidence matrix, community × what it holds,
    less a community's own entry; its product with its transpose counts what each pair shares, so the
    cost is what the communities hold, not every pair of communities times their circles.
    """
    communities = sorted(ix.communities)
    n = len(communities)
    shared = sp.csr_array((n, n), dtype=np.float64)
    for holdings in (ix.members, ix.circles, ix.parts):
        column: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        for row, community_id in enumerate(communities):
            for item in holdings.get(community_id, ()):
                if item != community_id:  # a community in its own circle shares itself with no one
                    rows.append(row)
                    columns.append(column.setdefault(item, len(column)))
        incidence = sp.csr_array((np.ones(len(rows)), (rows, columns)), shape=(n, len(column)))
        shared = shared + incidence @ incidence.T
    linked: dict[str, set[str]] = {c: set() for c in communities}
    for a, b in zip(*(ends.tolist() for ends in shared.nonzero()), strict=True):
        if a != b:
            linked[communities[a]].add(communities[b])
    for pair in ix.community_ties:
        if len(pair) == 2:
            a, b = sorted(pair)
            linked[a].add(b)
            linked[b].add(a)
    return linked


def _places(ix: _Index, actor_id: str) -> list[str]:
    """The prefecture and areas an actor is local to: only where it is wholly inside. A community
    belongs to its own region first (a Kinki community listing Fukui is still a Kinki community)."""
    located = ix.located.get(actor_id, set())
    community = ix.communities.get(actor_id)
    places = sorted(located) if len(located) == 1 else []
    for kind in ("mic", "meti"):
        areas = community_areas(community, kind) if community else {area_of(p, kind) for p in located}
        if len(areas) == 1:
            places.extend(areas)
    return places


def _places_of_actors(ix: _Index) -> dict[str, list[str]]:
    """``_places`` of every actor of the network (the lists are shared: read only). Tens of thousands
    of bodies and people stand in a few hundred sets of prefectures: each set is placed once."""
    by_located: dict[frozenset[str], list[str]] = {}
    places: dict[str, list[str]] = {}
    for actor_id in ix.network.nodes:
        if actor_id in ix.communities:
            places[actor_id] = _places(ix, actor_id)
            continue
        located = frozenset(ix.located.get(actor_id, ()))
        if located not in by_located:
            by_located[located] = _places(ix, actor_id)
        places[actor_id] = by_located[located]
    return places


def _event_places(event: Event) -> list[str]:
    if not event.prefecture:
        return []
    prefecture = geography.prefecture(event.prefecture)
    return [prefecture.code, prefecture.mic_region, prefecture.meti_region]


def _tie_timing(ix: _Index, rel: Relationship) -> tuple[bool, bool]:
    """Whether a tie held during the period, and whether it started within it."""
    target = ix.data.nodes.get(rel.to_id)
    if isinstance(target, Event):
        # An event part is as old as the event: a 2009 seminar's sponsor is not tied in 2020.
        day = event_day(target)
        during = _within(ix.period, day)
        return during, during and held(target)
    end = parse_date(rel.end).last_day() if rel.end else None
    return _during(ix.period, tie_start(rel), end), _within(ix.period, tie_start(rel))


def _exists_during(community: Community, period: DateSpan | None) -> bool:
    return period is None or not community.founded or parse_date(community.founded).first_day() <= period[1]


# ---------------------------------------------------------------------------------------------- prefectures


def _scope_prefectures(ix: _Index, scope: Scope) -> list[str]:
    if scope.prefecture is not None:
        return [scope.prefecture]
    if scope.region is not None:
        return [p.code for p in geography.prefectures_of_region(scope.region)]
    if scope.community is not None:
        return sorted(ix.located.get(scope.community, set()))
    return [p.code for p in geography.prefectures()]


def _gap_summary(name: str, name_en: str, gaps: list[Gap], node_id: str) -> Evidence:
    return evidence(
        "rule",
        f"{name}: " + "、".join(GAP_LABELS[g][0] for g in gaps),
        f"{name_en}: " + "; ".join(GAP_LABELS[g][1] for g in gaps),
        [node_id],
    )


def _activity_evidence(name: str, name_en: str, activity: list[str]) -> Evidence:
    return evidence(
        "number",
        f"{name}での活動（開催イベント・開始した関係）: {len(activity)}件",
        f"Activity in {name_en} (events held, ties started): {len(activity)}",
        activity,
    )


def _isolated_prefecture(ix: _Index, code: str, limit: int) -> IsolatedPrefecture | None:
    prefecture = geography.prefecture(code)
    covering = ix.covering(code)
    bodies = [o for o in ix.organisations_by_prefecture.get(code, []) if ix.period is None or ix.tied_during(o)]
    local_members = sorted(a for c in covering for a in ix.local_to(c).get(code, []))
    gaps: list[Gap] = []
    if not covering:
        gaps.append("no_community")
    if not bodies:
        gaps.append("no_named_body")
    if covering and not local_members:
        gaps.append("no_local_member")
    if not ix.active(code):
        gaps.append("no_activity")
    if not gaps:
        return None
    activity = ix.activity(code)
    name, name_en = prefecture.name, prefecture.name_en
    found = [
        _gap_summary(name, name_en, gaps, geography.prefecture_node_id(code)),
        evidence(
            "node",
            f"{name}を対象とするコミュニティ: {names_of(ix.data, covering) if covering else 'なし'}",
            f"Communities covering {name_en}: {len(covering)}",
            covering,
        ),
        evidence(
            "node",
            f"{name}に所在する団体: {names_of(ix.data, bodies) if bodies else 'なし'}",
            f"Named bodies located in {name_en}: {len(bodies)}",
            bodies,
        ),
    ]
    if covering:
        found.append(
            evidence(
                "relationship",
                f"対象コミュニティの構成員・事務局・連携先・イベント参加者のうち{name}に所在するもの: "
                f"{names_of(ix.data, local_members) if local_members else 'なし'}",
                f"Members, secretariat, partners or event participants of those communities located in {name_en}: "
                f"{len(local_members)}",
                local_members,
            )
        )
    found.append(_activity_evidence(name, name_en, activity))
    advice: list[Advice] = []
    if "no_community" in gaps:
        advice.append(
            Advice(
                ja=f"近隣のコミュニティに{name}への対象拡大を働きかけ、県内の自治体・商工会議所・大学を個別訪問して"
                "ロングリストを作る（第1段階）",
                en=f"Ask a nearby community to extend to {name_en}; visit its local government, chambers and "
                "universities one-to-one and build a long list (stage 1)",
            )
        )
    if "no_local_member" in gaps or "no_named_body" in gaps:
        advice.append(
            Advice(
                ja=f"{name}の団体を対象コミュニティの構成員として招き、名簿上だけの対象地域にしない",
                en=f"Bring bodies of {name_en} into the communities that cover it, so that it is covered in "
                "practice, not only on paper",
            )
        )
    if "no_activity" in gaps:
        advice.append(
            Advice(
                ja=f"{name}で地元の団体が役割を持つ共同イベントを開く（第2段階）",
                en=f"Hold a joint event in {name_en} in which local bodies take roles (stage 2)",
            )
        )
    return IsolatedPrefecture(
        code=code,
        name=name,
        name_en=name_en,
        mic_region=prefecture.mic_region,
        meti_region=prefecture.meti_region,
        gaps=gaps,
        communities=covering,
        named_bodies=bodies,
        evidence=found,
        advice=advice,
        nearest_ties=nearest_ties_to(ix, {code}, set(), limit),
    )


# ---------------------------------------------------------------------------------------------- regions


def _scope_regions(ix: _Index, scope: Scope, kind: RegionKind) -> list[str]:
    if scope.region is not None:
        return [scope.region]
    areas = {area_of(p, kind) for p in _scope_prefectures(ix, scope)}
    return [r.code for r in geography.regions() if r.code in areas]


def _isolated_region(ix: _Index, code: str, limit: int) -> IsolatedRegion | None:
    region = geography.region(code)
    kind = region_kind(code)
    prefectures = sorted(p.code for p in geography.prefectures_of_region(code))
    own = sorted(
        c.id for c in ix.communities.values() if code in community_areas(c, kind) and _exists_during(c, ix.period)
    )
    uncovered = [p for p in prefectures if not ix.covering(p)]
    gaps: list[Gap] = []
    if not own:
        gaps.append("no_community")
    if not ix.active(code, *prefectures):
        gaps.append("no_activity")
    if not gaps:
        return None
    activity = ix.activity(code, *prefectures)
    found = [
        _gap_summary(f"{region.name}地域", region.name_en, gaps, geography.region_node_id(code)),
        evidence(
            "node",
            f"{region.name}地域のコミュニティ: {names_of(ix.data, own) if own else 'なし'}",
            f"Communities of {region.name_en}: {len(own)}",
            own,
        ),
        evidence(
            "number",
            f"コミュニティのない府県: {prefecture_names(uncovered) or 'なし'}（{len(uncovered)}/{len(prefectures)}）",
            f"Prefectures no community covers: {len(uncovered)} of {len(prefectures)}",
            [geography.prefecture_node_id(p) for p in uncovered],
        ),
        _activity_evidence(region.name, region.name_en, activity),
    ]
    advice = []
    if "no_community" in gaps:
        advice.append(
            Advice(
                ja=f"{region.bureau}を起点に、域内の団体へ個別アプローチしてコミュニティを立ち上げる（第1段階）",
                en=f"Starting from {region.bureau_en}, approach the region's bodies one-to-one and found a "
                "community (stage 1)",
            )
        )
    if "no_activity" in gaps:
        advice.append(
            Advice(
                ja=f"{region.name}で近隣地域のコミュニティと共同イベントを開く（第2段階）",
                en=f"Hold a joint event in {region.name_en} with a neighbouring region's community (stage 2)",
            )
        )
    return IsolatedRegion(
        code=code,
        kind=kind,
        name=region.name,
        name_en=region.name_en,
        gaps=gaps,
        prefectures=prefectures,
        communities=own,
        prefectures_without_community=uncovered,
        evidence=found,
        advice=advice,
        nearest_ties=nearest_ties_to(ix, set(prefectures), set(), limit),
    )


# ---------------------------------------------------------------------------------------------- components


def _detached_parts(ix: _Index, in_scope: set[str], limit: int) -> list[DetachedPart]:
    components = ix.components()
    if len(components) < 2:
        return []
    main = components[0]
    parts: list[DetachedPart] = []
    for component in components[1:]:
        if not component & in_scope:
            continue
        actors = sorted(component)
        places = set().union(*(ix.located.get(a, set()) for a in actors))
        # A component holds both ends of each of its actors' ties.
        ties = sorted({r for _, _, ids in ix.network.edges(actors, data="relationships") for r in ids})
        found = [
            evidence(
                "node",
                f"他とつながっていない部分: {names_of(ix.data, actors)}（{len(actors)}件、最大の部分は{len(main)}件）",
                f"A part with no path to the rest: {len(actors)} actors (the largest part has {len(main)})",
                actors,
            ),
            evidence(
                "relationship",
                f"この部分の内部の関係: {len(ties)}件",
                f"Ties inside this part: {len(ties)}",
                ties,
            ),
        ]
        advice = [
            Advice(
                ja=f"{names_of(ix.data, actors, 3)}を、近くのコミュニティの会合やイベントに招いて"
                "既存のネットワークとつなぐ",
                en="Invite this part to a nearby community's meetings or events to join it to the network",
            )
        ]
        parts.append(
            DetachedPart(
                actors=actors,
                size=len(actors),
                prefectures=sorted(places),
                evidence=found,
                advice=advice,
                nearest_ties=nearest_ties_to(ix, places, component, limit, within=main),
            )
        )
    return parts


# ---------------------------------------------------------------------------------------------- 横連携


def _unlinked_community(ix: _Index, community: Community, kind: RegionKind, limit: int) -> UnlinkedCommunity | None:
    own = community_areas(community, kind)
    # Only which communities it is linked with matters here, not what links them.
    links = sorted(ix.linked().get(community.id, set()))
    areas = {other: community_areas(ix.communities[other], kind) for other in links}
    if any(other_region(own, areas[other]) for other in links):
        return None
    same = sorted(other for other in links if areas[other])
    national = sorted(other for other in links if not areas[other])
    name = community.name
    area_names = "、".join(geography.region(a).name for a in sorted(own))
    found = [
        evidence(
            "node",
            f"{name}の地域: {area_names}。他地域のコミュニティとの共通の構成員・講師・参加者・イベント・連携はない",
            f"{name} belongs to {', '.join(sorted(own))}; it shares no member, speaker, participant, event or "
            "partnership with a community of another region",
            [community.id],
        ),
        evidence(
            "relationship",
            f"同じ地域内でつながるコミュニティ: {names_of(ix.data, same) if same else 'なし'}",
            f"Linked communities in the same region: {len(same)}",
            same,
        ),
    ]
    if national:
        found.append(
            evidence(
                "relationship",
                f"地域を持たない全国的なコミュニティとの関係: {names_of(ix.data, national)}",
                f"Links with national communities (no region): {len(national)}",
                national,
            )
        )
    advice = [
        Advice(
            ja=f"{name}の講師や事務局を他地域のコミュニティのイベントに送り、相手の講師を招く（横連携）",
            en=f"Send {name}'s speakers or secretariat to another region's community events and invite theirs "
            "in return (horizontal link)",
        )
    ]
    return UnlinkedCommunity(
        community_id=community.id,
        name=name,
        areas=sorted(own),
        linked_in_same_region=same,
        linked_national=national,
        evidence=found,
        advice=advice,
        nearest_ties=nearest_communities(ix, community, own, kind, limit),
    )


# ---------------------------------------------------------------------------------------------- bridges


def _cut_off(removal: RemovalPieces, v: str, at_least: int) -> tuple[list[str], int] | None:
    """What removing ``v`` cuts off: every piece of its component but the largest (ties in size go to
    the piece with the smallest id), sorted, and the largest piece's size. None when ``v`` is no cut
    vertex or cuts off fewer than ``at_least`` actors."""
    sizes = removal.sizes[v]  # largest first
    if len(sizes) < 2 or sum(sizes) - sizes[0] < at_least:
        return None
    return sorted(removal.cut_off(v)), sizes[0]


def _fresh_neighbours(ix: _Index, fresh: np.ndarray, actor_id: str) -> dict[str, dict]:
    """The actor's neighbours by a fresh tie (``tie_freshness.fresh_ties``) → that tie's attributes."""
    arrays = ix.arrays
    i = arrays.index[actor_id]
    arcs = slice(arrays.arcs_of[i], arrays.arcs_of[i + 1])
    ties = arrays.tie[arcs]
    kept = fresh[ties]
    return {
        arrays.nodes[j]: arrays.tie_data[t]
        for j, t in zip(arrays.target[arcs][kept].tolist(), ties[kept].tolist(), strict=True)
    }


def _single_bridges(
    ix: _Index,
    in_scope: set[str],
    kind: RegionKind,
    min_cut_off: int,
    limit: int,
    fresh: np.ndarray,
    removal: RemovalPieces,
) -> list[SingleBridge]:
    """Actors whose removal cuts others off, judged on the network's ``fresh`` ties (``tie_freshness.fresh_ties``),
    from ``removal``: ``tie_freshness.holding_removal_pieces`` of the whole network."""
    # The first actor of a component's search → the component, and its bodies by prefecture.
    components: dict[str, tuple[set[str], dict[str, set[str]]]] = {}
    bridges: list[SingleBridge] = []
    for actor_id, sizes in removal.sizes.items():
        if len(sizes) < 2 or ix.network.nodes[actor_id]["kind"] == "Community":
            continue  # no cut vertex; a community holding its own members together is what a community is
        found = _cut_off(removal, actor_id, min_cut_off)
        if found is None:
            continue
        cut_off, remaining = found
        if in_scope.isdisjoint(cut_off):
            continue
        if all(ix.network.nodes[a]["kind"] == "Person" for a in cut_off):
            continue  # a body's own staff hanging on it is not a region hanging on it
        order = removal.component(actor_id)
        if order[0] not in components:
            components[order[0]] = (set(order), _bodies_by_prefecture(ix, order))
        component, bodies_in = components[order[0]]
        joining = _fresh_neighbours(ix, fresh, actor_id)
        bridges.append(_bridge(ix, actor_id, cut_off, remaining, bodies_in, component, kind, limit, joining))
    return sorted(bridges, key=lambda b: (-len(b.prefectures_cut_off_entirely), -b.cut_off_count, b.actor_id))


def _bodies_by_prefecture(ix: _Index, actors: Iterable[str]) -> dict[str, set[str]]:
    """Prefecture → the organisations and people located there (communities only cover)."""
    found: dict[str, set[str]] = defaultdict(set)
    for a in actors:
        if ix.network.nodes[a]["kind"] != "Community":
            for p in ix.located.get(a, set()):
                found[p].add(a)
    return found


def _bridge(
    ix: _Index,
    actor_id: str,
    cut_off: list[str],
    remaining: int,
    bodies_in: dict[str, set[str]],
    component: set[str],
    kind: RegionKind,
    limit: int,
    fresh_neighbours: dict[str, dict],
) -> SingleBridge:
    node = ix.network.nodes[actor_id]
    by_prefecture = {p: len(a) for p, a in sorted(_bodies_by_prefecture(ix, cut_off).items())}
    cut_set = set(cut_off)
    entirely = sorted(p for p in by_prefecture if bodies_in[p] - {actor_id} <= cut_set)
    regions = sorted({area_of(p, kind) for p in by_prefecture})
    name = node["name"]
    joining = [fresh_neighbours[a] for a in cut_off if a in fresh_neighbours]
    ties = sorted({r for edge in joining for r in edge["relationships"]})
    events = sorted({e for edge in joining for e in edge["events"]})
    where_ja = "、".join(f"{geography.prefecture(p).name}{n}" for p, n in by_prefecture.items()) or "所在不明"
    where_en = ", ".join(f"{geography.prefecture(p).name_en} {n}" for p, n in by_prefecture.items()) or "unlocated"
    found = [
        evidence(
            "node",
            f"{name}がいなくなると{len(cut_off)}件のアクターが切り離される: {names_of(ix.data, cut_off)}",
            f"Without {name}, {len(cut_off)} actors are cut off from the rest ({remaining} stay connected)",
            cut_off,
        ),
        evidence(
            "number",
            f"切り離される団体・個人の所在: {where_ja}",
            f"Where the cut-off bodies and people are: {where_en}",
            [geography.prefecture_node_id(p) for p in by_prefecture],
        ),
        evidence(
            "relationship",
            f"{name}と切り離される側をつなぐ関係{len(ties)}件・イベント{len(events)}件",
            f"{len(ties)} ties and {len(events)} events join {name} to the cut-off side",
            ties + events,
        ),
    ]
    if entirely:
        found.append(
            evidence(
                "number",
                f"{prefecture_names(entirely)}のネットワークはすべて{name}経由でつながっている",
                f"All of {prefecture_names(entirely, 'en')}'s network connects only through {name}",
                [geography.prefecture_node_id(p) for p in entirely],
            )
        )
    advice = [
        Advice(
            ja=f"{name}以外にも切り離される側とつながる団体・個人を作る（共同イベントの役割分担、副担当の設置）。"
            "人事異動に備え、引継ぎ先を決めておく",
            en=f"Build a second tie to the cut-off side besides {name} (shared roles at joint events, a deputy); "
            "plan the hand-over before staff rotate",
        )
    ]
    places = set(by_prefecture) or set().union(*(ix.located.get(a, set()) for a in cut_off))
    return SingleBridge(
        actor_id=actor_id,
        name=name,
        kind=node["kind"],
        sector=node["sector"],
        prefectures=sorted(ix.located.get(actor_id, set())),
        cut_off=cut_off,
        cut_off_count=len(cut_off),
        cut_off_by_prefecture=by_prefecture,
        prefectures_cut_off_entirely=entirely,
        regions=regions,
        remaining=remaining,
        evidence=found,
        advice=advice,
        # Within what stays of the bridge's component once the bridge goes: the excluded are left out.
        nearest_ties=nearest_ties_to(ix, places, cut_set | {actor_id}, limit, within=component),
    )


# ---------------------------------------------------------------------------------------------- entry point


def isolated_regions(
    data: GraphData,
    scope: Scope | None = None,
    *,
    period: DateSpan | None = None,
    region_kind: RegionKind = "mic",
    ties_per_item: int = 5,
    min_cut_off: int = 2,
    tie_window_years: int | None = TIE_WINDOW_YEARS,
) -> IsolatedRegions:
    """Where the network is thin or cut off, each finding with its evidence, advice and nearest ties.

    ``period`` (first day, last day) limits "named body" and "activity" to what happened in it (no
    period: all the data); ``scope.as_of`` cuts the graph to a date first. Prefectures and regions come
    from the scope (a community's covered prefectures; a region's; one prefecture; or all 47 and every
    area of ``region_kind``). Detached parts, 横連携 and bridges are judged on the national network and
    kept when they touch the scope. A bridge is reported when at least ``min_cut_off`` actors hang on
    it (one body tied by a single tie is not yet a part of the network), and not for communities (a
    community holding its own members together is what a community is). Bridges are judged only on
    ties with some evidence in the last ``tie_window_years`` fiscal years up to the scope's date (or
    the latest date in the data); None judges them on every tie.
    """
    scope = scope or Scope()
    if period is not None and period[1] < period[0]:
        raise ValueError("period ends before it starts / 期間の終わりが始まりより前です")
    with shared_inputs():
        return _isolated_regions(data, scope, period, region_kind, ties_per_item, min_cut_off, tie_window_years)


def _isolated_regions(
    data: GraphData,
    scope: Scope,
    period: DateSpan | None,
    region_kind: RegionKind,
    ties_per_item: int,
    min_cut_off: int,
    tie_window_years: int | None = TIE_WINDOW_YEARS,
) -> IsolatedRegions:
    snapshot = records_as_of(data, scope.as_of)
    ix = _build_index(snapshot, period)
    window_start = tie_window_start(data, scope.as_of, tie_window_years)
    fresh = fresh_ties(snapshot, Scope(), window_start)  # the country's network: ix.arrays
    holding = holding_removal_pieces(snapshot, Scope(), window_start)
    in_scope = scoped_actor_ids(snapshot, scope)
    prefectures = [
        item for code in _scope_prefectures(ix, scope) if (item := _isolated_prefecture(ix, code, ties_per_item))
    ]
    regions = [
        item for code in _scope_regions(ix, scope, region_kind) if (item := _isolated_region(ix, code, ties_per_item))
    ]
    scoped_communities = communities_in_scope(snapshot, scope)
    national = [c.id for c in scoped_communities if not community_areas(c, region_kind)]
    unlinked = [
        item
        for c in scoped_communities
        if c.id not in national and (item := _unlinked_community(ix, c, region_kind, ties_per_item))
    ]
    return IsolatedRegions(
        scope=scope.describe(),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        region_kind=region_kind,
        prefectures=sorted(prefectures, key=lambda p: (-len(p.gaps), p.code)),
        regions=sorted(regions, key=lambda r: (-len(r.gaps), r.code)),
        detached_parts=_detached_parts(ix, in_scope, ties_per_item),
        unlinked_communities=unlinked,
        national_communities=national,
        single_bridges=_single_bridges(ix, in_scope, region_kind, min_cut_off, ties_per_item, fresh, holding),
        tie_window_start=window_start,
        stale_ties=int(np.count_nonzero(~fresh)),
    )
