"""Network health of each community (and of each region's communities together), comparable
across communities: one summary with the same indicators, each with its evidence.

The indicators are those the practice collection supports (seed 001 §5.3): membership size and
growth over fiscal years; sector coverage and diversity; density and centralisation; how many bodies
share the secretariat; how much hangs on one person or body; members with a role; dormant members
(形骸化); event cadence and whether series continue; attendance trend; links to other communities
and regions.

"Now" is ``Scope.as_of`` when given, else the latest date the data knows of (so a document's network
is judged as it stood when written). Named members and members known only as counts both count;
since counts often include the named bodies, the larger of the two is taken (per sector group for
diversity), and for a region the counts beyond the named members are added community by community.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import Field

from secgraph.analysis.activity import (
    ROLE_PARTS,
    UNKNOWN_GROUP,
    ActivityIndex,
    CommunityActivity,
    activity_index,
    event_fiscal_year,
    latest_day,
    members_on,
    membership_count,
    months_before,
    partial_fiscal_year,
    stated_span,
)
from secgraph.analysis.areas import Area, check_community, community_ids_in_scope, scope_areas
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import (
    DEFAULT_SECTOR_NEEDS,
    CommunityFacts,
    SectorNeed,
    community_facts,
    needs_met,
    unnamed_counts,
)
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.index import InducedDegrees
from secgraph.analysis.measures import degree_centralization
from secgraph.analysis.network import (
    Scope,
    actor_prefectures,
    event_day,
    shared_inputs,
    tie_start,
)
from secgraph.model import geography
from secgraph.model.cadence import cadence_label, events_per_year
from secgraph.model.dates import fiscal_year, parse_date
from secgraph.model.graph import GraphData
from secgraph.model.listing import Lang, listed
from secgraph.model.records import Event, EventSeries
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, MemberClass, RelType, SectorGroup


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    ja: str
    en: str
    unit_ja: str
    unit_en: str


#: Every summary has these indicators, in this order, so that summaries compare line by line.
INDICATORS: tuple[IndicatorInfo, ...] = (
    IndicatorInfo("size", "規模（構成員数）", "Size (members)", "団体・個人", "bodies or people"),
    IndicatorInfo(
        "growth",
        "増加（前年度末からの増減）",
        "Growth (change since the previous fiscal year)",
        "団体・個人",
        "bodies or people",
    ),
    IndicatorInfo("sector_coverage", "必要なセクターの充足率", "Share of required sectors present", "割合", "share"),
    IndicatorInfo(
        "sector_diversity", "セクター群の多様性（Blau指数）", "Diversity of sector groups (Blau index)", "指数", "index"
    ),
    IndicatorInfo("density", "ネットワーク密度", "Network density", "割合", "share"),
    IndicatorInfo("centralisation", "次数中心化（Freeman）", "Degree centralisation (Freeman)", "指数", "index"),
    IndicatorInfo("secretariat_bodies", "事務局を担う団体の数", "Bodies sharing the secretariat", "団体", "bodies"),
    IndicatorInfo("dependence", "一人・一団体への依存", "Dependence on one person or body", "割合", "share"),
    IndicatorInfo("members_with_role", "役割をもつ構成員の割合", "Share of members with a role", "割合", "share"),
    IndicatorInfo(
        "dormant_members",
        "休眠している構成員（形骸化）",
        "Dormant members (hollowing-out)",
        "団体・個人",
        "bodies or people",
    ),
    IndicatorInfo("event_cadence", "直近12か月のイベント数", "Events in the last 12 months", "回", "events"),
    IndicatorInfo("series_continuity", "継続しているシリーズの割合", "Share of series that continue", "割合", "share"),
    IndicatorInfo(
        "attendance_trend",
        "参加者数の傾向（1年あたりの増減）",
        "Attendance trend (change per year)",
        "人/年",
        "people per year",
    ),
    IndicatorInfo("links", "他のコミュニティとのつながり", "Links to other communities", "コミュニティ", "communities"),
)
INDICATOR_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS)

#: Above this share one person or body carries the community (人事異動 risk).
DEPENDENCE_WARNING = 0.5


class Indicator(ResultModel):
    code: str
    ja: str
    en: str
    value: float | None = Field(description="値（計算できないときは空） / Value, empty when it cannot be computed")
    unit_ja: str
    unit_en: str
    details: dict[str, Any] = Field(default_factory=dict, description="値の内訳 / The numbers behind the value")
    evidence: list[Evidence] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)


class HealthSummary(ResultModel):
    """One community's (or one area's communities') health: the indicators of :data:`INDICATORS`."""

    subject: str = Field(description="コミュニティIDまたは地域・都道府県コード / Community id or area code")
    kind: Literal["community", "region", "prefecture"]
    name: str
    as_of: dt.date
    communities: list[str]
    indicators: list[Indicator]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def values(self) -> dict[str, float | None]:
        return {i.code: i.value for i in self.indicators}


class NetworkHealth(ResultModel):
    scope: str
    as_of: dt.date = Field(description="判定日（指定がなければデータの最新日） / Date judged on")
    dormant_months: int
    communities: list[HealthSummary]
    areas: list[HealthSummary]

    def community(self, community_id: str) -> HealthSummary:
        return next(c for c in self.communities if c.subject == community_id)

    def area(self, code: str) -> HealthSummary:
        return next(a for a in self.areas if a.subject == code)


# --------------------------------------------------------------------------------------------------
# Measures networkx lacks
# --------------------------------------------------------------------------------------------------


def blau_index(counts: Iterable[float]) -> float | None:
    """Blau's index of heterogeneity, 1 − Σ pᵢ², over category counts (Blau 1977, *Inequality and
    Heterogeneity*): the chance that two members drawn at random fall in different categories.
    0 when everyone is in one category; None when there is nobody."""
    values = [c for c in counts if c > 0]
    total = sum(values)
    if total == 0:
        return None
    return 1.0 - sum((c / total) ** 2 for c in values)


def _slope_per_year(points: list[tuple[dt.date, float]]) -> float | None:
    """Least-squares slope of value against time, per year; None without two distinct dates."""
    if len({d for d, _ in points}) < 2:
        return None
    xs = [d.toordinal() / 365.25 for d, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


# --------------------------------------------------------------------------------------------------
# A unit: one community, or an area's communities together
# --------------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    index: ActivityIndex
    acts: list[CommunityActivity]
    day: dt.date
    dormant_months: int

    @cached_property
    def ids(self) -> set[str]:
        return {a.id for a in self.acts}

    @cached_property
    def secretariat(self) -> list[str]:
        return sorted({s for a in self.acts for s in a.secretariat})

    def named_members(self, day: dt.date | None = None) -> list[str]:
        """The named members on ``day`` (default: the unit's), the unit's communities left out, in id order."""
        if len(self.acts) == 1:
            # Asked for every fiscal year's end: one community's are read as they are (they leave it out).
            return members_on(self.acts[0], day or self.day)
        return sorted({m for a in self.acts for m in members_on(a, day or self.day)} - self.ids)

    @cached_property
    def members(self) -> list[str]:
        return self.named_members()

    @cached_property
    def events(self) -> list[Event]:
        found = {e.id: e for a in self.acts for e in a.events}
        return sorted(found.values(), key=lambda e: (event_day(e), e.id))

    @cached_property
    def series(self) -> list[str]:
        return sorted({s for a in self.acts for s in a.series})

    def series_life_start(self, series_id: str) -> dt.date:
        """The earliest life start of the unit's communities that ran the series: its editions and
        stated years before that are no community's here."""
        return min((a.life_start for a in self.acts if series_id in a.series), default=dt.date.min)

    def stated_years(self, series_id: str) -> tuple[int, ...]:
        return self.index.stated_fiscal_years(series_id, self.series_life_start(series_id))

    @cached_property
    def ties(self) -> InducedDegrees:
        """The actor network among the unit's bodies and people (its communities' circles, the
        community nodes left out), read as degrees: all that density, centralisation and dependence
        need, so the subgraph is never copied."""
        ties = self.index.ties
        circles = np.unique(np.concatenate([a.circle_numbers for a in self.acts])) if self.acts else ties.numbers(())
        actors = np.setdiff1d(circles, ties.numbers(self.ids), assume_unique=True)
        return InducedDegrees(ties.degrees_among(actors))

    @cached_property
    def staff_of(self) -> dict[str, str]:
        """Person → the member organisation they act for: their current employer
        (``model.ties.current_employers``), when it is a member."""
        employees = self.index.employees
        return {person: body for body in self.members for person in employees.get(body, ())}

    @cached_property
    def roles(self) -> dict[str, set[str]]:
        """Actor → the unit's events and series in which it held a role (``ROLE_PARTS``; a role set on
        a series counts once, for the series), the unit's communities left out. An area's are its
        communities' together: an event two of them ran is one event of the area."""
        if len(self.acts) == 1:
            return _community_parts(self.index, self.acts[0], self.day).roles  # read as they are, not copied
        found: dict[str, set[str]] = defaultdict(set)
        for act in self.acts:
            for actor, targets in _community_parts(self.index, act, self.day).roles.items():
                if actor not in self.ids:
                    found[actor] |= targets
        return found

    @cached_property
    def last_part(self) -> dict[str, dt.date]:
        """Actor → the latest day it took part in one of the unit's events (``EVENT_PARTS``; the last
        day a partial date may mean, not after the unit's day), the unit's communities left out."""
        if len(self.acts) == 1:
            return _community_parts(self.index, self.acts[0], self.day).last  # read as they are, not copied
        found: dict[str, dt.date] = {}
        for act in self.acts:
            for actor, day in _community_parts(self.index, act, self.day).last.items():
                if actor in self.ids:
                    continue
                known = found.get(actor)
                if known is None or day > known:
                    found[actor] = day
        return found

    def name(self, node_id: str) -> str:
        return self.index.name(node_id)

    def names(self, ids: Iterable[str], limit: int = 5, lang: Lang = "ja") -> str:
        return listed(list(ids), limit, lang, self.name)


@dataclass(frozen=True)
class _CommunityParts:
    """Who took part in a community's events (an edition with its series' parts), read in one pass; the
    community itself left out."""

    #: Actor → the events and series in which it held a role (a role set on a series counts for the series).
    roles: dict[str, set[str]]
    #: Actor → the latest day it took part (the last day a partial date may mean, not after the day).
    last: dict[str, dt.date]


_ROLE_PART_SET: frozenset[RelType] = frozenset(ROLE_PARTS)


def _community_parts(index: ActivityIndex, act: CommunityActivity, day: dt.date) -> _CommunityParts:
    """The parts in the community's events, made once per index, community and day: its own summary and
    its area's read them."""

    def build() -> _CommunityParts:
        roles: dict[str, set[str]] = defaultdict(set)
        last: dict[str, dt.date] = {}
        for event in act.events:
            at = latest_day(event.start, day)
            for part in index.parts(event.id):
                if part.actor_id == act.id:
                    continue
                if (known := last.get(part.actor_id)) is None or at > known:
                    last[part.actor_id] = at
                if part.type in _ROLE_PART_SET:
                    roles[part.actor_id].add(event.series_id if part.via_series and event.series_id else event.id)
        return _CommunityParts(dict(roles), last)

    return index.kept(("health.community_parts", act.id, day), build)


@dataclass(frozen=True)
class _MemberDays:
    """When a community's members joined, as its memberships begun by a day say."""

    #: Member → the latest start of its memberships (the last day a partial date may mean).
    joined: dict[str, dt.date]
    #: Member → the first day it was seen on a list, for memberships with no start: a list's date says
    #: when the member was first seen on it, not when it joined.
    observed: dict[str, dt.date]


def _member_days(index: ActivityIndex, act: CommunityActivity, day: dt.date) -> _MemberDays:
    """The community's :class:`_MemberDays` on ``day``, made once per index, community and day: its own
    summary and its area's read them."""

    def build() -> _MemberDays:
        joined: dict[str, dt.date] = {}
        observed: dict[str, dt.date] = {}
        for member, rels in act.member_rels.items():
            for rel in rels:
                if tie_start(rel) > day:
                    continue
                if rel.start is None:
                    seen = latest_day(rel.as_of, day)
                    observed[member] = min(observed.get(member, seen), seen)
                else:
                    start = latest_day(rel.start, day)
                    joined[member] = max(joined.get(member, start), start)
        return _MemberDays(joined, observed)

    return index.kept(("health.member_days", act.id, day), build)


def _size_at(unit: _Unit, day: dt.date) -> tuple[int, int, int, list[str]]:
    """(size, named, counted beyond the named, headcount ids) on ``day``."""
    named = unit.named_members(day)
    extra = 0
    rows: list[str] = []
    for act in unit.acts:
        count = membership_count(act, day)
        extra += max(0, count.counted - count.named)
        rows += [h.id for h in count.rows]
    return len(named) + extra, len(named), extra, sorted(rows)


def _group_counts(unit: _Unit) -> dict[str, int]:
    named: dict[str, int] = defaultdict(int)
    for member in unit.members:
        group = unit.index.group_of(member)
        named[str(group) if group else UNKNOWN_GROUP] += 1
    extra: dict[str, int] = defaultdict(int)
    for act in unit.acts:
        count = membership_count(act, unit.day)
        for group, counted in count.counted_by_group.items():
            extra[group] += max(0, counted - count.named_by_group.get(group, 0))
    groups = sorted(set(named) | set(extra))
    return {g: named.get(g, 0) + extra.get(g, 0) for g in groups}


def _group_label(group: str, lang: str = "ja") -> str:
    if group == UNKNOWN_GROUP:
        return "不明" if lang == "ja" else "unknown"
    label = SECTOR_GROUP_LABELS[SectorGroup(group)]
    return label.ja if lang == "ja" else label.en


def _indicator(code: str, value: float | None, **fields: Any) -> Indicator:
    info = next(i for i in INDICATORS if i.code == code)
    if isinstance(value, float):
        value = round(value, 4)
    return Indicator(
        code=code, ja=info.ja, en=info.en, unit_ja=info.unit_ja, unit_en=info.unit_en, value=value, **fields
    )


# --------------------------------------------------------------------------------------------------
# The indicators
# --------------------------------------------------------------------------------------------------


def _size(unit: _Unit) -> Indicator:
    size, named, extra, rows = _size_at(unit, unit.day)
    found = [
        evidence("node", f"名前のある構成員 {named}", f"{named} named members", unit.members),
    ]
    if rows:
        found.append(
            evidence(
                "number",
                f"人数の記録（名前のある構成員を超える分 {extra}）",
                f"member counts ({extra} beyond the named members)",
                rows,
            )
        )
    return _indicator(
        "size",
        size,
        details={"named": named, "counted_beyond_named": extra, "secretariat": len(unit.secretariat)},
        evidence=found,
    )


def _growth(unit: _Unit) -> Indicator:
    reference_year = fiscal_year(unit.day)
    starts = [first for a in unit.acts for _, first, _ in unit.index.member_spans(a.id) if first <= unit.day]
    starts += [parse_date(h.as_of).first_day() for a in unit.acts for h in a.headcounts]
    if not starts:
        return _indicator("growth", None, evidence=[evidence("number", "構成員の記録がない", "no membership recorded")])
    by_year: dict[int, int] = {}
    for year in range(fiscal_year(min(starts)), reference_year + 1):
        year_end = min(dt.date(year + 1, 3, 31), unit.day)
        size = _size_at(unit, year_end)[0]
        if size or by_year:
            by_year[year] = size
    trail = " → ".join(f"{y}年度 {s}" for y, s in by_year.items())
    trail_en = " → ".join(f"FY{y} {s}" for y, s in by_year.items())
    found = [evidence("number", f"年度末の構成員数: {trail}", f"members at fiscal year end: {trail_en}")]
    current = by_year.get(reference_year, 0)
    founded = [a.community.founded for a in unit.acts]
    if reference_year - 1 in by_year:
        value: int | None = current - by_year[reference_year - 1]
    elif all(f and partial_fiscal_year(f) >= reference_year for f in founded):
        value = current  # founded this fiscal year: every member is new
        found.append(evidence("number", f"{reference_year}年度に設立", f"founded in FY{reference_year}"))
    else:
        value = None  # members known only from this year's documents: no change can be read
        found.append(
            evidence("number", "前年度末の構成員の記録がない", "no record of the members at the previous year's end")
        )
    return _indicator("growth", value, details={"by_fiscal_year": by_year}, evidence=found)


def _sector_coverage(unit: _Unit, needs: tuple[SectorNeed, ...]) -> Indicator:
    if not unit.acts:
        return _indicator("sector_coverage", None, evidence=[evidence("number", "コミュニティがない", "no community")])
    sectors: dict[str, list[str]] = defaultdict(list)
    facts_of: list[CommunityFacts] = []
    for act in unit.acts:
        facts = community_facts(unit.index.data, act.id)
        facts_of.append(facts)
        for sector, found in facts.sectors.items():
            sectors[sector] += found
    merged = CommunityFacts(
        community=unit.acts[0].community, sectors={k: sorted(set(v)) for k, v in sorted(sectors.items())}
    )
    met = needs_met(merged, needs)
    present = [n for n in needs if met[n.code]]
    # 不明, not missing: members counted beyond those named may hold it (the rule of missing_sectors)
    unknown = [n for n in needs if not met[n.code] and unnamed_counts(unit.index.data, facts_of, n)]
    missing = [n for n in needs if not met[n.code] and n not in unknown]
    found = [
        evidence("node", f"{n.ja}: あり", f"{n.en}: present", [i for i in met[n.code] if i in unit.index.data.nodes])
        for n in present
    ]
    advice = []
    if unknown:
        found.append(
            evidence(
                "rule",
                f"不明（人数だけ分かる構成員の中にいるかもしれない）: {'、'.join(n.ja for n in unknown)}",
                f"unknown (members counted but not named may include them): {', '.join(n.en for n in unknown)}",
            )
        )
    if missing:
        found.append(
            evidence(
                "rule",
                f"欠けているセクター: {'、'.join(n.ja for n in missing)}",
                f"missing sectors: {', '.join(n.en for n in missing)}",
            )
        )
        advice.append(
            Advice(
                ja=f"欠けているセクター（{'、'.join(n.ja for n in missing)}）の団体に参加を呼びかける",
                en=f"Invite bodies of the missing sectors ({', '.join(n.en for n in missing)})",
            )
        )
    return _indicator(
        "sector_coverage",
        len(present) / len(needs) if needs else None,
        details={
            "met": {n.code: met[n.code] for n in present},
            "missing": [n.code for n in missing],
            "unknown": [n.code for n in unknown],
        },
        evidence=found,
        advice=advice,
    )


def _sector_diversity(unit: _Unit) -> Indicator:
    counts = _group_counts(unit)
    known = {g: c for g, c in counts.items() if g != UNKNOWN_GROUP}
    value = blau_index(known.values())
    text = "、".join(f"{_group_label(g)} {c}" for g, c in known.items())
    text_en = ", ".join(f"{_group_label(g, 'en')} {c}" for g, c in known.items())
    found = [
        evidence("number", f"セクター群ごとの構成員: {text or 'なし'}", f"members by sector group: {text_en or 'none'}")
    ]
    if counts.get(UNKNOWN_GROUP):
        found.append(
            evidence(
                "number",
                f"セクター不明の構成員 {counts[UNKNOWN_GROUP]}（所属のない人、コミュニティ）は数えない",
                f"{counts[UNKNOWN_GROUP]} members of unknown sector (people without an employer, communities) left out",
            )
        )
    return _indicator("sector_diversity", value, details={"by_group": counts}, evidence=found)


def _density(unit: _Unit) -> Indicator:
    n, m = unit.ties.nodes, unit.ties.edges
    value = unit.ties.density() if n >= 2 else None
    return _indicator(
        "density",
        value,
        details={"nodes": n, "edges": m},
        evidence=[
            evidence(
                "number",
                f"コミュニティの団体・個人 {n}、そのつながり {m}（コミュニティ自身は除く）",
                f"{n} bodies and people of the community, {m} ties among them (the community node left out)",
            )
        ],
    )


def _centralisation(unit: _Unit) -> Indicator:
    ties = unit.ties
    if ties.nodes < 3:
        return _indicator(
            "centralisation", None, evidence=[evidence("number", "3未満の団体・個人", "fewer than 3 nodes")]
        )
    hub = ties.hub
    return _indicator(
        "centralisation",
        degree_centralization(ties.degree.values()),
        details={"hub": hub, "hub_degree": ties.degree[hub]},
        evidence=[
            evidence(
                "node",
                f"最も多くつながるのは{unit.name(hub)}（{ties.degree[hub]}本）",
                f"most tied: {unit.name(hub)} ({ties.degree[hub]} ties)",
                [hub],
            )
        ],
    )


def _secretariat_bodies(unit: _Unit) -> Indicator:
    rel_ids = [
        str(r.id)
        for a in unit.acts
        for s in a.secretariat
        for r in unit.index.by_from.get(s, [])
        if r.type == RelType.SECRETARIAT_OF and r.to_id == a.id
    ]
    advice = []
    if len(unit.secretariat) == 1:
        advice.append(
            Advice(
                ja="事務局が1団体だけ: 担当者の異動で活動が止まらないよう、共同事務局や引継ぎの仕組みを検討する",
                en="One body holds the secretariat: consider a joint secretariat or a hand-over routine so that "
                "staff rotation does not stop the activity",
            )
        )
    found = (
        [
            evidence(
                "relationship",
                f"事務局: {unit.names(unit.secretariat)}",
                f"secretariat: {unit.names(unit.secretariat, lang='en')}",
                [*unit.secretariat, *rel_ids],
            )
        ]
        if unit.secretariat
        else [evidence("rule", "事務局の記録がない", "no secretariat recorded")]
    )
    return _indicator("secretariat_bodies", len(unit.secretariat), evidence=found, advice=advice)


def _dependence(unit: _Unit) -> Indicator:
    by_actor = {actor: len(targets) for actor, targets in unit.roles.items()}
    roles = sum(by_actor.values())
    details: dict[str, Any] = {}
    found = []
    shares = []
    if roles:
        top = min(by_actor, key=lambda a: (-by_actor[a], a))
        share = by_actor[top] / roles
        shares.append(share)
        details.update(role_top=top, role_share=round(share, 4), roles=roles)
        found.append(
            evidence(
                "number",
                f"イベントでの役割 {roles} のうち {by_actor[top]} を{unit.name(top)}が担う",
                f"{unit.name(top)} holds {by_actor[top]} of {roles} event roles",
                [top],
            )
        )
    ties = unit.ties
    if ties.edges:
        hub = ties.hub
        share = ties.degree[hub] / ties.edges
        shares.append(share)
        details.update(tie_top=hub, tie_share=round(share, 4), ties=ties.edges)
        found.append(
            evidence(
                "number",
                f"つながり {ties.edges} のうち {ties.degree[hub]} が{unit.name(hub)}を通る",
                f"{ties.degree[hub]} of {ties.edges} ties involve {unit.name(hub)}",
                [hub],
            )
        )
    value = max(shares) if shares else None
    if not found:
        found.append(evidence("number", "イベントでの役割もつながりもない", "no event role and no tie"))
    advice = []
    if value is not None and value >= DEPENDENCE_WARNING:
        who = details["role_top"] if details.get("role_share", 0) >= details.get("tie_share", 0) else details["tie_top"]
        advice.append(
            Advice(
                ja=f"{unit.name(who)}に活動の半分以上がかかっている: "
                "異動・退任で止まらないよう、役割を他の構成員と分担する",
                en=f"Half or more of the activity hangs on {unit.name(who)}: share the roles with other members "
                "so that a rotation or departure does not stop it",
            )
        )
    return _indicator("dependence", value, details=details, evidence=found, advice=advice)


def _members_with_role(unit: _Unit) -> Indicator:
    people = sorted(set(unit.members) | set(unit.secretariat))
    if not people:
        return _indicator("members_with_role", None, evidence=[evidence("number", "構成員の記録がない", "no members")])
    with_role: dict[str, str] = {s: "secretariat" for s in unit.secretariat}
    for act in unit.acts:
        for member, rels in act.member_rels.items():
            if any(r.member_class in (MemberClass.OFFICER, MemberClass.SPECIAL_SUPPORT) for r in rels):
                with_role.setdefault(member, "officer")
    among = set(people)  # looked up for every role holder: a set, not the sorted list
    for actor in unit.roles:
        body = actor if actor in among else unit.staff_of.get(actor)
        if body:
            with_role.setdefault(body, "event_role")
    holders = sorted(a for a in people if a in with_role)
    without = sorted(a for a in people if a not in with_role)
    found = [
        evidence("node", f"役割あり {len(holders)}: {unit.names(holders)}", f"{len(holders)} with a role", holders),
    ]
    advice = []
    if without:
        found.append(
            evidence(
                "node", f"役割なし {len(without)}: {unit.names(without)}", f"{len(without)} without a role", without
            )
        )
        advice.append(
            Advice(
                ja="役割のない構成員に、意向に合った役割（登壇、企画への意見、自社の取組紹介など）を依頼する（プラクティス12）",
                en="Ask members without a role for one that fits what they want (speaking, advising on plans, "
                "presenting their own work) (practice 12)",
            )
        )
    return _indicator(
        "members_with_role",
        len(holders) / len(people),
        details={"with_role": len(holders), "members": len(people)},
        evidence=found,
        advice=advice,
    )


def _dormant_members(unit: _Unit) -> Indicator:
    members = unit.members
    if not members:
        return _indicator("dormant_members", None, evidence=[evidence("number", "構成員の記録がない", "no members")])
    last: dict[str, dt.date] = {}
    observed: dict[str, dt.date] = {}
    among = set(members)  # looked up for every member and everyone who took part: a set, not the sorted list
    for act in unit.acts:
        days = _member_days(unit.index, act, unit.day)
        for member, day in days.joined.items():
            if member in among:
                last[member] = max(last.get(member, day), day)
        for member, day in days.observed.items():
            if member in among:
                observed[member] = min(observed.get(member, day), day)
    for actor, day in unit.last_part.items():
        body = actor if actor in among else unit.staff_of.get(actor)
        if body:
            last[body] = max(last.get(body, day), day)
    since = months_before(unit.day, unit.dormant_months)
    # Only first observed on a list, never dated joining or taking part: how active is unknown.
    unknown = sorted(m for m in members if m not in last)
    dormant = sorted(m for m in members if m in last and last[m] < since)
    found = [
        evidence(
            "node",
            f"{since.isoformat()}以降、加入もイベントへの参加もない構成員 {len(dormant)}/{len(members)}: "
            f"{unit.names(dormant)}",
            f"{len(dormant)} of {len(members)} members neither joined nor took part in an event "
            f"since {since.isoformat()}",
            dormant,
        )
    ]
    if unknown:
        first = min((observed[m] for m in unknown if m in observed), default=None)
        found.append(
            evidence(
                "node",
                f"加入日も参加の記録もなく、名簿での初回確認のみの構成員 {len(unknown)}"
                f"{f'（初回確認 {first.isoformat()}〜）' if first else ''}: 休眠かどうか不明: {unit.names(unknown)}",
                f"{len(unknown)} members with no join date and no event part, only first observed on a list"
                f"{f' (first observed from {first.isoformat()})' if first else ''}: whether dormant is unknown",
                unknown,
            )
        )
    advice = (
        [
            Advice(
                ja="休眠している構成員に近況を聞き、意向に合った役割を依頼する（形骸化の防止、プラクティス12）",
                en="Ask dormant members how they are and offer them a role that fits "
                "(against hollowing-out, practice 12)",
            )
        ]
        if dormant
        else []
    )
    return _indicator(
        "dormant_members",
        len(dormant),
        details={
            "members": len(members),
            "share": round(len(dormant) / len(members), 4),
            "since": since.isoformat(),
            "last_active": {m: last[m].isoformat() for m in dormant if m in last},
            "unknown": len(unknown),
            "first_observed": {m: observed[m].isoformat() for m in unknown if m in observed},
        },
        evidence=found,
        advice=advice,
    )


def _stated_recent(unit: _Unit, since: dt.date) -> dict[str, int]:
    """Series → the events its stated cadence puts in (``since``, the unit's day] beyond its dated
    editions there: events a year times the share of the year its stated span covers (at least one;
    「定期的」 counts one)."""
    stated: dict[str, int] = {}
    for series_id in unit.series:
        series = unit.index.data.nodes.get(series_id)
        if not isinstance(series, EventSeries):
            continue
        span = stated_span(series, unit.day, max(unit.series_life_start(series_id), since))
        if span is None:
            continue
        first, last = span
        per_year = events_per_year(series.cadence) or 1
        expected = max(1, round(per_year * ((last - first).days + 1) / 365.25))
        # Dated editions in the window are among the stated ones, not more of them.
        dated = sum(1 for e in unit.events if e.series_id == series_id and since < latest_day(e.start, unit.day))
        if expected > dated:
            stated[series_id] = expected - dated
    return stated


def _event_cadence(unit: _Unit) -> Indicator:
    by_year: dict[int, int] = defaultdict(int)
    for event in unit.events:
        by_year[event_fiscal_year(event)] += 1
    since = months_before(unit.day, 12)
    recent = [e.id for e in unit.events if since < latest_day(e.start, unit.day)]
    stated = _stated_recent(unit, since)
    trail = "、".join(f"{y}年度 {n}回" for y, n in sorted(by_year.items()))
    trail_en = ", ".join(f"FY{y} {n}" for y, n in sorted(by_year.items()))
    stated_found = [
        evidence(
            "event",
            f"記載による開催（日付なし）: {unit.name(s)}（{cadence_label(_cadence_of(unit, s))}）直近12か月 約{n}回",
            f"stated, not dated: {unit.name(s)} ({cadence_label(_cadence_of(unit, s), 'en')}), "
            f"about {n} in the last 12 months",
            [s],
        )
        for s, n in stated.items()
    ]
    advice = []
    if not recent and not stated:
        advice.append(
            Advice(
                ja="直近12か月にイベントがない: 年1回など決まった時期の開催を計画する",
                en="No event in the last 12 months: plan events at a fixed time, such as once a year",
            )
        )
    return _indicator(
        "event_cadence",
        len(recent) + sum(stated.values()),
        details={
            "by_fiscal_year": dict(sorted(by_year.items())),
            "since": since.isoformat(),
            "dated": len(recent),
            "stated": stated,
        },
        evidence=[
            evidence(
                "event",
                f"開催済みのイベント（日付あり）: {trail or 'なし'}。直近12か月 {len(recent)}回",
                f"held events (dated): {trail_en or 'none'}; {len(recent)} in the last 12 months",
                recent,
            ),
            *stated_found,
        ],
        advice=advice,
    )


def _cadence_of(unit: _Unit, series_id: str) -> str:
    return str(getattr(unit.index.data.nodes.get(series_id), "cadence", None) or "regular")


def _longest_run(years: list[int]) -> int:
    best = run = 0
    for i, year in enumerate(years):
        run = run + 1 if i and year == years[i - 1] + 1 else 1
        best = max(best, run)
    return best


def _series_continuity(unit: _Unit) -> Indicator:
    reference_year = fiscal_year(unit.day)
    rows = {}
    for series_id in unit.series:
        born = unit.series_life_start(series_id)
        editions = [e for e in unit.index.editions.get(series_id, []) if born <= event_day(e) <= unit.day]
        stated = unit.stated_years(series_id)
        if not editions and not stated:
            continue
        years = sorted({event_fiscal_year(e) for e in editions} | set(stated))
        run = _longest_run(years)
        rows[series_id] = {
            "editions": len(editions),
            "fiscal_years": years,
            "stated_fiscal_years": list(stated),
            "longest_consecutive": run,
            "last_edition": editions[-1].start if editions else None,
            "continuing": run >= 2 and years[-1] >= reference_year - 1,
        }
    if not rows:
        return _indicator(
            "series_continuity", None, evidence=[evidence("event", "シリーズの開催記録がない", "no series held")]
        )
    continuing = [s for s, row in rows.items() if row["continuing"]]
    stopped = [s for s in rows if s not in continuing]
    found = [
        evidence(
            "event",
            f"{unit.name(s)}: {row['editions']}回、{'・'.join(str(y) for y in row['fiscal_years'])}年度、"
            f"最終 {row['last_edition'] or '日付なし'}"
            + (
                f"、うち記載による開催（日付なし）{len(row['stated_fiscal_years'])}年度"
                if row["stated_fiscal_years"]
                else ""
            )
            + f"{'（継続中）' if row['continuing'] else ''}",
            f"{unit.name(s)}: {row['editions']} editions, FY {', '.join(str(y) for y in row['fiscal_years'])}, "
            f"last {row['last_edition'] or 'not dated'}"
            + (
                f", {len(row['stated_fiscal_years'])} fiscal years stated, not dated"
                if row["stated_fiscal_years"]
                else ""
            )
            + f"{' (continuing)' if row['continuing'] else ''}",
            [s],
        )
        for s, row in rows.items()
    ]
    advice = (
        [
            Advice(
                ja=f"続いていないシリーズ（{unit.names(stopped)}）を、既存コミュニティとの共催で次年度につなげる（プラクティス5）",
                en=f"Carry the series that stopped ({unit.names(stopped, lang='en')}) into next year by co-hosting "
                "with an existing community (practice 5)",
            )
        ]
        if stopped
        else []
    )
    return _indicator(
        "series_continuity",
        len(continuing) / len(rows),
        details={"series": rows},
        evidence=found,
        advice=advice,
    )


def _attendance_trend(unit: _Unit) -> Indicator:
    points = [(event_day(e), float(e.attendees), e.id) for e in unit.events if e.attendees is not None]
    years = {fiscal_year(d) for d, _, _ in points}
    # A change per year is read only from two fiscal years or more: seventeen seminars in six weeks
    # say nothing about a year.
    slope = _slope_per_year([(d, v) for d, v, _ in points]) if len(years) >= 2 else None
    text = "、".join(f"{d.isoformat()} {int(v)}人" for d, v, _ in points)
    found = [
        evidence(
            "event",
            f"参加者数: {text or '記録なし'}",
            f"attendees: {', '.join(f'{d.isoformat()} {int(v)}' for d, v, _ in points) or 'none recorded'}",
            [i for _, _, i in points],
        )
    ]
    if len(years) == 1 and len(points) >= 2:
        found.append(
            evidence(
                "rule",
                f"参加者数の記録が{min(years)}年度だけのため、年あたりの傾向は出さない",
                f"attendance is recorded in FY{min(years)} only, so no trend per year is given",
            )
        )
    return _indicator(
        "attendance_trend",
        slope,
        details={"points": [{"event": i, "day": d.isoformat(), "attendees": int(v)} for d, v, i in points]},
        evidence=found,
    )


def _links(unit: _Unit) -> Indicator:
    own_bodies = set(unit.members) | set(unit.secretariat) | {p for a in unit.acts for p in a.partners}
    shared: dict[str, set[str]] = defaultdict(set)
    holders = _holders(unit.index)
    for body in own_bodies:
        for other in holders.get(body, ()):
            if other != body and other not in unit.ids:
                shared[other].add(body)
    for cid in unit.ids:
        for other, rel_ids in _direct_links(unit.index, cid).items():
            if other not in unit.ids:
                shared[other].update(rel_ids)
    own_regions = {r for c in unit.ids for r in _mic_regions(unit, c)}
    other_regions = sorted({r for c in shared for r in _mic_regions(unit, c)} - own_regions)
    found = [
        evidence(
            "node",
            f"{unit.name(c)}: 共通の団体・直接のつながり {len(ids)}",
            f"{unit.name(c)}: {len(ids)} shared bodies or direct ties",
            [c, *ids],
        )
        for c, ids in sorted(shared.items())
    ]
    advice = []
    if not shared:
        found.append(evidence("number", "共通の団体も直接のつながりもない", "no shared body and no direct tie"))
        advice.append(
            Advice(
                ja="他のコミュニティとのつながりがない: "
                "近隣のコミュニティと講師・構成員の交流や共催を検討する（横連携）",
                en="No link to another community: consider exchanging speakers or members, or co-hosting, with a "
                "neighbouring community",
            )
        )
    return _indicator(
        "links",
        len(shared),
        details={"communities": {c: sorted(ids) for c, ids in sorted(shared.items())}, "other_regions": other_regions},
        evidence=found,
        advice=advice,
    )


def _holders(index: ActivityIndex) -> dict[str, list[str]]:
    """Body → the communities that hold it (``ActivityIndex.affiliations`` turned round), made once per
    index: a unit's shared bodies are looked up from its own bodies, not by meeting every community."""

    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for community, bodies in index.affiliations.items():
            for body in bodies:
                found[body].append(community)
        return dict(found)

    return index.kept("health.holders", build)


def _direct_links(index: ActivityIndex, community_id: str) -> dict[str, list[str]]:
    """Other community → the ids of the community's direct ties to it (a contact is no link), made
    once per index and community: its own summary and its area's read them."""

    def build() -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for rel in [*index.by_from.get(community_id, []), *index.by_to.get(community_id, [])]:
            other = rel.to_id if rel.from_id == community_id else rel.from_id
            node = index.data.nodes.get(other)
            if node is not None and node.kind == "Community" and rel.type != RelType.CONTACTED:
                found[other].append(str(rel.id))
        return dict(found)

    return index.kept(("health.direct_links", community_id), build)


def _mic_regions(unit: _Unit, community_id: str) -> set[str]:
    """The MIC regions of a community's prefectures, made once per index and community (every unit that
    links to it asks)."""
    return unit.index.kept(
        ("health.mic_regions", community_id),
        lambda: {geography.prefecture(p).mic_region for p in actor_prefectures(unit.index.data, community_id)},
    )


def _summary(
    unit: _Unit,
    subject: str,
    kind: Literal["community", "region", "prefecture"],
    name: str,
    needs: tuple[SectorNeed, ...],
) -> HealthSummary:
    indicators = [
        _size(unit),
        _growth(unit),
        _sector_coverage(unit, needs),
        _sector_diversity(unit),
        _density(unit),
        _centralisation(unit),
        _secretariat_bodies(unit),
        _dependence(unit),
        _members_with_role(unit),
        _dormant_members(unit),
        _event_cadence(unit),
        _series_continuity(unit),
        _attendance_trend(unit),
        _links(unit),
    ]
    return HealthSummary(
        subject=subject,
        kind=kind,
        name=name,
        as_of=unit.day,
        communities=sorted(unit.ids),
        indicators=indicators,
    )


def area_health(
    index: ActivityIndex, area: Area, dormant_months: int, needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS
) -> HealthSummary:
    unit = _Unit(index, [index.activity(c) for c in area.communities], index.reference_date, dormant_months)
    return _summary(unit, area.code, area.kind, area.name, needs)


def community_health(
    index: ActivityIndex, community_id: str, dormant_months: int, needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS
) -> HealthSummary:
    act = index.activity(community_id)
    unit = _Unit(index, [act], index.reference_date, dormant_months)
    return _summary(unit, community_id, "community", act.community.name, needs)


def network_health(
    data: GraphData,
    scope: Scope | None = None,
    *,
    dormant_months: int = 12,
    as_of: dt.date | None = None,
    needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS,
) -> NetworkHealth:
    """One comparable health summary per community in ``scope``, and one per region (or prefecture)
    over its communities together.

    Indicators (:data:`INDICATORS`, each with its evidence): size (named members and counted ones)
    and growth since the previous fiscal year; coverage of ``needs`` and Blau's diversity over
    sector groups (Blau 1977); density and Freeman degree centralisation of the actor network among
    the community's bodies (Freeman 1979); bodies sharing the secretariat; the largest share of event
    roles or ties held by one person or body; share of members with a role; members with no
    membership start and no event part within ``dormant_months`` (形骸化); events in the last 12
    months; share of series with editions in consecutive fiscal years and one in the current or last;
    least-squares slope of attendees per year; other communities sharing members or partners, or tied
    directly, and their regions.

    ``as_of`` (or ``scope.as_of``) is the date judged on; by default the latest date in the data.
    """
    scope = scope or Scope()
    check_community(data, scope)
    with shared_inputs():
        return health_on(activity_index(data, as_of or scope.as_of), scope, dormant_months, needs)


def health_on(
    index: ActivityIndex,
    scope: Scope,
    dormant_months: int = 12,
    needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS,
) -> NetworkHealth:
    """:func:`network_health` on an index already cut to the date judged on (to share it)."""
    ids = community_ids_in_scope(index.data, scope)
    areas = scope_areas(index.data, scope)
    return NetworkHealth(
        scope=scope.describe(),
        as_of=index.reference_date,
        dormant_months=dormant_months,
        communities=[community_health(index, c, dormant_months, needs) for c in ids],
        areas=[area_health(index, a, dormant_months, needs) for a in areas],
    )
