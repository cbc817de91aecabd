"""Missing sector links, and whom to approach for each.

For each community (and each region: the union of its communities) the needs of a required list
(``facts.DEFAULT_SECTOR_NEEDS`` or the user's own, built with ``facts.sector_need``) are met or missing.
A need is met by a named member or secretariat body of the sector, by a member person who works at
one, or by members known only as a count (「企業14社」) — the documents often give only numbers.
A need no named or counted member meets is **unknown** (不明), not missing, when a count of members is
larger than the named members it could cover and may hold the need's sectors (``facts.unnamed_counts``):
「県内の産・学・官の14機関」 with none named may well include a university.

For each missing need, organisations of that sector are candidates to approach, first sorted by
**jurisdiction** and then, within each tier, ranked by a score:

1. bodies of the community's **own prefectures** (``regions.covered_prefectures``: the prefectures it
   lists, else those of its region; a community spanning two prefectures has both as its own) — a
   bureau counts when it serves one of them;
2. bodies of its **bureau area** (``regions.community_areas`` of the analysis's ``region_kind``: the
   MIC area by default, the METI area with ``region_kind="meti"``; its region's area, else the areas
   of its prefectures, so one listing prefectures of two areas without a region has both);
3. **national bodies**: recorded with no prefecture (a vendor or insurer known by its head office
   only, 日本商工会議所, a national police body);
4. bodies of **other areas** only when the community itself has already reached them (partner,
   contacted, long list, a shared event): a planner asks the bodies that can come to the meetings, and
   a university, insurer or chamber from the other end of Japan is no lead by link prediction alone.

A region (the union of its communities) has the region's prefectures as its own and the region as its
area. A community with neither prefectures nor a region has no own prefecture: only national bodies
(and those it has reached) are suggested to it.

Where a body is comes from the graph (its prefecture), and for a bureau from the reference directory
(``model.public_bodies``): the prefectures a bureau serves, which the directory lists under its name
and aliases. Bodies of the jurisdiction-bound sectors (``vocabulary.JURISDICTION_SECTORS``: police,
prefectural and municipal government, METI and MIC bureaus) are suggested only from tiers 1 and 3 —
never from another prefecture, even of the same area. A body of a sector with no national bodies
(``vocabulary.LOCAL_SECTORS``: SMEs, universities, kosen, governments, bureaus) recorded without a prefecture
is somewhere the graph does not say: it is not offered, unless the directory names it.

When the graph holds no body of a sector the directory lists (police, prefecture, bureaus, the
capital's chamber of commerce, national universities and kosen) for one of the community's own
prefectures, the directory's body is suggested after the graph's bodies of tier 1, marked
「未登録 / not yet in the graph」 with the directory's source (``Suggestion.in_graph``). A directory body
is matched against the graph by name and aliases first (``names.record_name_keys``), so one already in
the graph under another spelling is suggested as itself. The own prefectures are taken in order of how
many of the community's members and secretariat are located there.

Within a tier candidates are ranked by:

- **nearness**: located in (or, for a bureau, serving) a prefecture the community covers (strong), or
  in the same MIC or METI area (weaker);
- **ties already there**: a direct tie with the community (partner, contacted, on its long list, a
  shared event), members it already shares events or ties with;
- **link prediction**: the resource allocation index (Zhou, Lü & Zhang 2009) between the candidate and
  the community's members, summed over the members — common neighbours in the actor network, each
  weighted by 1/degree, so that a shared small circle counts more than a shared national hub
  (Liben-Nowell & Kleinberg 2007 compare the family; Adamic & Adar 2003 use 1/log degree);
- **active elsewhere**: the number of communities it belongs to and events it took part in.

An organisation already in the community (member or secretariat) is never suggested for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import Field

from secgraph.analysis.areas import (
    PROXIMITY_LABELS,
    Proximity,
    RegionKind,
    area_of,
    communities_in_scope,
    community_areas,
    covered_prefectures,
    proximity,
)
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import (
    DEFAULT_SECTOR_NEEDS,
    CommunityFacts,
    SectorNeed,
    community_facts,
    display,
    names_of,
    unnamed_counts,
)
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.index import NetworkArrays
from secgraph.analysis.network import Scope, records_as_of, reuse, shared_inputs, tie_index
from secgraph.analysis.network_index import NetworkIndex, network_index
from secgraph.model import geography
from secgraph.model.graph import CommunityNotFound, GraphData
from secgraph.model.names import record_name_keys
from secgraph.model.public_bodies import PublicBody, body_key, listed_rows, public_bodies
from secgraph.model.records import Headcount, Organisation
from secgraph.model.vocabulary import (
    BUREAU_AREA_KINDS,
    JURISDICTION_SECTORS,
    LOCAL_SECTORS,
    RelType,
    Sector,
    sector_label,
)

#: What each reason adds to a candidate's score. Nearness dominates: a body that can come to the
#: meetings is worth more than one tied through a national hub.
SUGGESTION_WEIGHTS: dict[str, float] = {
    "same_prefecture": 3.0,
    "same_mic_area": 1.5,
    "same_meti_area": 1.0,
    "direct_tie": 2.0,
    "per_tied_member": 0.5,
    "max_tied_members": 4,
    "max_link_prediction": 2.0,
    "per_community": 0.25,
    "per_event": 0.05,
    "max_activity": 1.0,
}
#: Relationships that show the community itself has already reached a body.
REACHED: tuple[RelType, ...] = (RelType.PARTNERS_WITH, RelType.CONTACTED, RelType.LONG_LISTED)

Jurisdiction = Literal["own_prefecture", "own_area", "national", "other_area"]
#: The jurisdiction tiers, in the order suggestions are shown.
JURISDICTION_LABELS: dict[str, tuple[str, str]] = {
    "own_prefecture": ("対象の都道府県", "the community's own prefecture"),
    "own_area": ("同じ管轄区域", "the community's bureau area"),
    "national": ("全国の機関", "national body"),
    "other_area": ("他地域（既に関係あり）", "another area, already tied"),
}
_TIER_ORDER: dict[str, int] = {tier: rank for rank, tier in enumerate(JURISDICTION_LABELS)}
#: The mark a body from the directory carries until it is added to the graph.
NOT_IN_GRAPH: tuple[str, str] = ("未登録", "not yet in the graph")


class Suggestion(ResultModel):
    """An organisation of a missing sector to approach, and why.

    A body of the reference directory that is not in the graph has no ``organisation_id``,
    ``in_graph`` false, and the directory's ``source``; its score and link prediction are 0.
    """

    organisation_id: str | None = Field(
        description="団体ID（未登録なら空） / Organisation id (none if not in the graph)"
    )
    name: str
    name_en: str | None = None
    sector: str
    prefecture: str | None
    score: float
    jurisdiction: Jurisdiction = Field(
        description="管轄の区分: 対象の都道府県・同じ管轄区域・全国・他地域"
        " / Own prefecture, own area, national, other area"
    )
    jurisdiction_prefectures: list[str] = Field(
        default_factory=list, description="所在・管轄の都道府県 / Prefectures it stands in or serves"
    )
    in_graph: bool = Field(default=True, description="グラフにあるか（未登録なら偽） / In the graph (false: 未登録)")
    source: str | None = Field(
        default=None, description="未登録の機関の出典（名簿） / Directory source of a body not in the graph"
    )
    source_as_of: str | None = Field(default=None, description="名簿の時点 / Date the directory reflects")
    proximity: Proximity | None = None
    direct_ties: list[str] = Field(default_factory=list, description="コミュニティとの既存の関係 / Ties already")
    tied_members: list[str] = Field(default_factory=list, description="既につながる構成員 / Members tied to it")
    shared_events: list[str] = Field(default_factory=list)
    shared_communities: list[str] = Field(default_factory=list)
    link_prediction: float = Field(description="資源配分指標の合計 / Summed resource allocation index")
    communities: int = Field(description="参加コミュニティ数 / Communities it belongs to")
    events: int = Field(description="関与イベント数 / Events it took part in")
    reasons: list[Evidence]
    advice: Advice

    def label(self, lang: str = "ja") -> str:
        """The name as a table shows it: a body not yet in the graph carries 「未登録 / not yet in the graph」."""
        if self.in_graph:
            return self.name
        return f"{self.name}（{NOT_IN_GRAPH[0]}）" if lang == "ja" else f"{self.name} ({NOT_IN_GRAPH[1]})"


class NeedCoverage(ResultModel):
    code: str
    ja: str
    en: str
    sectors: list[str]
    met: bool
    named_members: list[str] = Field(default_factory=list, description="名前のある構成員 / Named bodies")
    people: list[str] = Field(default_factory=list, description="所属先で満たす個人（個人@所属） / person@employer")
    counted: list[str] = Field(default_factory=list, description="人数のみの構成員 / Headcount ids")
    unknown: bool = Field(
        False,
        description="不明：名前のない構成員が数だけ記録され、その中にいるかもしれない"
        " / Unknown: members counted but not named may include it",
    )
    unnamed: list[str] = Field(
        default_factory=list,
        description="名前の分からない構成員を含む人数の記録 / Headcounts with members not named",
    )
    evidence: list[Evidence]
    suggestions: list[Suggestion] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)


class SectorCoverage(ResultModel):
    """The needs of one community, or of one region (the union of its communities)."""

    subject_id: str
    kind: Literal["community", "region"]
    name: str
    communities: list[str]
    met: list[str]
    missing: list[str]
    unknown: list[str] = Field(
        default_factory=list,
        description="不明（人数のみで名前のない構成員がいる） / Unknown: members counted but not named",
    )
    needs: list[NeedCoverage]
    evidence: list[Evidence]
    advice: list[Advice]


class MissingSectors(ResultModel):
    scope: str
    needs: list[str]
    communities: list[SectorCoverage]
    regions: list[SectorCoverage]


# ---------------------------------------------------------------------------------------------- coverage


def _coverage(data: GraphData, facts_of: list[CommunityFacts], need: SectorNeed) -> NeedCoverage:
    """Which members of these communities meet ``need``, from each community's facts."""
    named: set[str] = set()
    people: set[str] = set()
    counted: set[str] = set()
    found: list[Evidence] = []
    community_ids = [f.community.id for f in facts_of]
    for facts in facts_of:
        # facts names a counted member by its wording (or number); the sector tells two apart.
        counts = {(h.sector, h.label or str(h.count)): h for h in facts.headcounts}
        for sector in sorted(need.sectors):
            for item in facts.sectors.get(sector, []):
                if item in data.nodes:
                    named.add(item)
                elif "@" in item and all(part in data.nodes for part in item.split("@", 1)):
                    people.add(item)
                elif (sector, item) in counts:
                    counted.add(counts[sector, item].id)
    prefix_ja = "" if len(community_ids) == 1 else "地域のコミュニティの"
    prefix_en = "" if len(community_ids) == 1 else "the region's communities' "
    if named:
        found.append(
            evidence(
                "relationship",
                f"{prefix_ja}構成員・事務局の{need.ja}: {names_of(data, named)}",
                f"{need.en} among {prefix_en}members or secretariat: {len(named)}",
                sorted(named),
            )
        )
    if people:
        found.append(
            evidence(
                "relationship",
                f"{need.ja}に所属する個人会員: "
                + "、".join(f"{display(data, p)}（{display(data, e)}）" for p, e in _split(people)),
                f"Member people who work at a {need.en}: {len(people)}",
                sorted({i for pair in _split(people) for i in pair}),
            )
        )
    if counted:
        counts_found = [data.nodes[c] for c in sorted(counted)]
        labels = "、".join(f"{h.label or h.count}" for h in counts_found if isinstance(h, Headcount))
        found.append(
            evidence(
                "number",
                f"人数のみ分かる{need.ja}の構成員: {labels}",
                f"{need.en} members known only as counts: {len(counted)} record(s)",
                sorted(counted),
            )
        )
    met = bool(named or people or counted)
    unnamed = [] if met else unnamed_counts(data, facts_of, need)
    if unnamed:
        counts_unnamed = [data.nodes[c] for c in unnamed]
        labels_unnamed = "、".join(f"{h.label or h.count}" for h in counts_unnamed if isinstance(h, Headcount))
        found.append(
            evidence(
                "number",
                f"不明：{need.ja}の構成員は名前が分からないが、人数だけ分かる構成員（{labels_unnamed}）の中にいるかもしれない",
                f"Unknown: no {need.en} is named, but members known only as counts may include one "
                f"({len(unnamed)} record(s))",
                unnamed,
            )
        )
    elif not met:
        found.append(
            evidence(
                "rule",
                f"{need.ja}（{_sector_names(need)}）の構成員・事務局・人数の記録がない",
                f"No member, secretariat or counted member of {need.en} ({_sector_names(need, 'en')})",
                list(community_ids),
            )
        )
    advice: list[Advice] = []
    if unnamed:
        advice.append(
            Advice(
                ja=f"人数だけ分かる構成員の名簿を確認し、{need.ja}が含まれるか確かめる",
                en=f"Get the names of the members known only as counts and check whether a {need.en} is among them",
            )
        )
    if met and not named and not people:
        advice.append(
            Advice(
                ja=f"{need.ja}は人数のみで記録されている。連絡できるよう団体名を確認する",
                en=f"{need.en} is there only as a count; find the bodies' names so they can be contacted",
            )
        )
    return NeedCoverage(
        code=need.code,
        ja=need.ja,
        en=need.en,
        sectors=sorted(need.sectors),
        met=met,
        named_members=sorted(named),
        people=sorted(people),
        counted=sorted(counted),
        unknown=bool(unnamed),
        unnamed=unnamed,
        evidence=found,
        advice=advice,
    )


def _split(people: Iterable[str]) -> list[tuple[str, str]]:
    return [tuple(p.split("@", 1)) for p in sorted(people)]  # type: ignore[misc]


def _sector_names(need: SectorNeed, lang: str = "ja") -> str:
    return ("・" if lang == "ja" else ", ").join(sector_label(s, lang) for s in sorted(need.sectors))


# ---------------------------------------------------------------------------------------------- suggestions


def resource_allocation_to(ix: NetworkIndex, candidate: str, group: set[str]) -> float:
    """Σ over ``group`` of the resource allocation index between ``candidate`` and each member.

    Equal to ``sum(p for _, _, p in nx.resource_allocation_index(G, [(candidate, m) for m in group]))``:
    each common neighbour ``z`` passes 1/deg(z) of its resource to every group member it is tied to
    (Zhou, Lü & Zhang 2009). ``_LinkPrediction`` counts a group's ties once and scores any candidate from its own row.
    """
    return _LinkPrediction(ix.arrays, group).score(candidate)


class _LinkPrediction:
    """The summed resource allocation index between any actor and one group, read from the actor's row.

    With k(z) the group's members among z's neighbours, a candidate ``c`` outside the group scores
    Σ_{z ∈ N(c)} k(z)/deg(z); one inside it does not count itself, so each of its neighbours passes
    (k(z) − 1)/deg(z). k is counted once per group, for the actors next to it (the group's rows of the
    adjacency: the group's ties, not the whole network's), so a candidate costs its own degree, and a
    community its members' ties, however large the country. The terms are added one by one in the
    row's order (networkx's neighbour order), as the definition's loop adds them.
    """

    def __init__(self, arrays: NetworkArrays, group: set[str]):
        self.position = arrays.index
        self.matrix = arrays.adjacency_matrix
        self.degree = arrays.adjacency_degree
        self.group = group
        # A is symmetric, so the group's rows hold each actor once per member it is tied to.
        held = self.matrix[arrays.numbers(group)].indices
        #: The actors tied to the group, ascending, and how many of its members each is tied to.
        self.touched, counts = np.unique(held, return_counts=True)
        self.in_group = counts.astype(np.float64)

    def score(self, candidate: str) -> float:
        i = self.position.get(candidate)
        if i is None:
            return 0.0
        neighbours = self.matrix.indices[self.matrix.indptr[i] : self.matrix.indptr[i + 1]]
        if not len(neighbours) or not len(self.touched):
            return 0.0
        at = np.minimum(np.searchsorted(self.touched, neighbours), len(self.touched) - 1)
        in_group = np.where(self.touched[at] == neighbours, self.in_group[at], 0.0)
        # Every neighbour has a degree (the candidate); cumsum adds left to right, as the loop does.
        shares = (in_group - (1.0 if candidate in self.group else 0.0)) / self.degree[neighbours]
        return float(np.cumsum(shares)[-1])


class _Target:
    """A community or a region's communities, seen from outside: who is in, where it is.

    ``home`` are its own prefectures; ``areas`` its bureau areas, of kind ``area_kind`` ("mic" or "meti").
    """

    def __init__(
        self,
        ix: NetworkIndex,
        subject_id: str,
        name: str,
        community_ids: list[str],
        home: set[str],
        areas: set[str],
        area_kind: str,
    ):
        self.subject_id = subject_id
        self.name = name
        self.communities = set(community_ids)
        self.inside = set().union(*(ix.members.get(c, set()) for c in community_ids)) if community_ids else set()
        self.group = self.inside | self.communities
        self.home = home
        self.areas = areas
        self.area_kind = area_kind
        self.joined_by_members = set().union(*(ix.memberships.get(m, set()) for m in self.inside)) - self.communities
        self._ix = ix
        self._link: _LinkPrediction | None = None
        self._presence: dict[str, int] | None = None

    def presence(self) -> dict[str, int]:
        """Own prefecture → how many of the members and secretariat are located there."""
        if self._presence is None:
            located = self._ix.located
            self._presence = {p: sum(1 for m in self.inside if p in located.get(m, ())) for p in sorted(self.home)}
        return self._presence

    def home_in_order(self) -> list[str]:
        """The own prefectures, where most members and secretariat are first (then by JIS code)."""
        presence = self.presence()
        return sorted(self.home, key=lambda p: (-presence[p], p))

    def link_prediction(self) -> _LinkPrediction:
        """The group's link prediction scores, made once for all the needs of this subject."""
        if self._link is None:
            self._link = _LinkPrediction(self._ix.arrays, self.group)
        return self._link


def _reached(ix: NetworkIndex, target: _Target) -> dict[str, list[str]]:
    """Organisation → relationships by which the community has already reached it."""
    touching = {rel.id: rel for c in sorted(target.communities) for rel in tie_index(ix.data).touching(c)}
    found: dict[str, list[str]] = defaultdict(list)
    for rel in touching.values():
        if rel.type in REACHED:
            if rel.to_id in target.communities:
                found[rel.from_id].append(str(rel.id))
            elif rel.from_id in target.communities:
                found[rel.to_id].append(str(rel.id))
    return found


def _among(neighbours: Mapping[str, object] | None, among: set[str]) -> list[str]:
    """Which of ``among`` are neighbours, sorted; walks the smaller of the two."""
    if not neighbours:
        return []
    if len(among) < len(neighbours):
        return sorted(a for a in among if a in neighbours)
    return sorted(n for n in neighbours if n in among)


@dataclass(frozen=True)
class _Listed:
    """The graph read against the directory of public bodies: which organisation is which listed body,
    and where each organisation stands or serves."""

    #: Organisation → the directory's rows of the body it is (empty: not listed).
    rows: dict[str, tuple[PublicBody, ...]]
    #: Listed body (``public_bodies.body_key``) → the organisations that are it.
    in_graph: dict[tuple[str, str], list[str]]
    #: Organisation → the prefectures it stands in, or for a bureau serves (empty: national or unknown).
    serves: dict[str, frozenset[str]]
    #: Sector → the prefectures some organisation of it stands in or serves.
    served: dict[str, frozenset[str]]


def _listed(ix: NetworkIndex) -> _Listed:
    """Inside ``shared_inputs`` made once per data object."""

    def build() -> _Listed:
        rows: dict[str, tuple[PublicBody, ...]] = {}
        in_graph: dict[tuple[str, str], list[str]] = defaultdict(list)
        serves: dict[str, frozenset[str]] = {}
        served: dict[str, set[str]] = defaultdict(set)
        for org_id in sorted(ix.organisations):
            org = ix.organisations[org_id]
            found = listed_rows(record_name_keys(org), org.prefecture)
            if found:
                rows[org_id] = found
                in_graph[body_key(found[0])].append(org_id)
            serves[org_id] = _serves(org, found)
            if org.sector:
                served[org.sector] |= serves[org_id]
        return _Listed(rows, dict(in_graph), serves, {k: frozenset(v) for k, v in served.items()})

    return reuse("sectors.listed", ix.data, None, build)


def _serves(org: Organisation, rows: tuple[PublicBody, ...]) -> frozenset[str]:
    """Where a body stands, or for a bureau the prefectures it serves: the directory's rows for a listed
    bureau (and for a listed body the graph gives no prefecture), else the area of a bureau's seat, else
    its own prefecture. Empty when the graph does not place it."""
    if rows and (rows[0].sector in BUREAU_AREA_KINDS or not org.prefecture):
        return frozenset(row.prefecture for row in rows)
    kind = BUREAU_AREA_KINDS.get(org.sector)
    if kind is not None and org.prefecture:
        return frozenset(p.code for p in geography.prefectures_of_region(area_of(org.prefecture, kind)))
    return frozenset({org.prefecture}) if org.prefecture else frozenset()


def _tier(target: _Target, sector: str, serves: frozenset[str], reached: bool) -> Jurisdiction | None:
    """Which jurisdiction tier a body is in for ``target``; None: not to be suggested (see the module)."""
    if serves & target.home:
        return "own_prefecture"
    if not serves:
        return None if sector in LOCAL_SECTORS else "national"
    if sector in JURISDICTION_SECTORS:
        return None
    if {area_of(p, target.area_kind) for p in serves} & target.areas:
        return "own_area"
    return "other_area" if reached else None


@dataclass(frozen=True)
class _Candidate:
    """An organisation of the graph worth suggesting, with what its score was made of."""

    tier: Jurisdiction
    score: float
    org_id: str
    near: Proximity | None
    direct: list[str]
    direct_events: set[str]
    tied: list[str]
    link: float
    comms: int
    events: int

    @property
    def order(self) -> tuple[int, float, str]:
        return (_TIER_ORDER[self.tier], -self.score, self.org_id)


def _suggest(
    ix: NetworkIndex, target: _Target, need: SectorNeed, reached: dict[str, list[str]], limit: int
) -> list[Suggestion]:
    """The graph's candidates by tier, then score; the directory's bodies after the own prefectures'."""
    if limit <= 0:
        return []
    w = SUGGESTION_WEIGHTS
    graph = ix.network
    neighbours_of = ix.arrays.neighbours
    listed = _listed(ix)
    ranked: list[_Candidate] = []
    candidates = sorted({o for sector in need.sectors for o in ix.organisations_by_sector.get(sector, [])})
    for org_id in candidates:
        org = ix.organisations[org_id]
        if org_id in target.inside:
            continue
        neighbours = neighbours_of.get(org_id)  # the plain dict: membership tests in C, not through a view
        direct = sorted(set(reached.get(org_id, [])))
        direct_events: set[str] = set()
        for community_id in _among(neighbours, target.communities):
            edge = graph.edges[org_id, community_id]
            direct += [r for r in edge["relationships"] if r not in direct]
            direct_events |= set(edge["events"])
        serves = listed.serves[org_id]
        tier = _tier(target, org.sector, serves, bool(direct or direct_events))
        if tier is None:
            continue  # not this community's to ask (another jurisdiction), or the graph does not say where
        near = proximity(serves, target.home)
        tied = _among(neighbours, target.inside)
        link = target.link_prediction().score(org_id)
        comms, events = len(ix.memberships.get(org_id, set())), len(ix.parts.get(org_id, set()))
        activity = min(w["max_activity"], w["per_community"] * comms + w["per_event"] * events)
        score = (
            (w[near] if near else 0.0)
            + (w["direct_tie"] if direct or direct_events else 0.0)
            + w["per_tied_member"] * min(len(tied), w["max_tied_members"])
            + min(link, w["max_link_prediction"])
            + activity
        )
        if score <= 0:
            continue
        ranked.append(_Candidate(tier, round(score, 3), org_id, near, direct, direct_events, tied, link, comms, events))
    ranked.sort(key=lambda c: c.order)
    own = [c for c in ranked if c.tier == "own_prefecture"]
    shown: list[_Candidate | tuple[PublicBody, ...]] = [*own, *_from_directory(listed, target, need)]
    shown += [c for c in ranked if c.tier != "own_prefecture"]
    # Only the best are shown: their reasons and advice are written for them alone.
    return [
        _suggestion(ix, target, need, best)
        if isinstance(best, _Candidate)
        else _directory_suggestion(target, need, best)
        for best in shown[:limit]
    ]


def _from_directory(listed: _Listed, target: _Target, need: SectorNeed) -> list[tuple[PublicBody, ...]]:
    """The directory's bodies of the need's sectors for each own prefecture no graph body of that sector
    stands in or serves, leaving out those the graph holds under another name; each body once (a bureau
    serves several prefectures), with its rows for the own prefectures. Prefectures in ``home_in_order``."""
    found: dict[tuple[str, str], list[PublicBody]] = {}
    for prefecture in target.home_in_order():
        for sector in sorted(need.sectors, key=list(Sector).index):  # the vocabulary's order: universities first
            if prefecture in listed.served.get(sector, frozenset()):
                continue
            for body in public_bodies(prefecture, Sector(sector)):
                key = body_key(body)
                if key not in listed.in_graph:
                    found.setdefault(key, []).append(body)
    return [tuple(rows) for rows in found.values()]


def _suggestion(ix: NetworkIndex, target: _Target, need: SectorNeed, best: _Candidate) -> Suggestion:
    graph = ix.network
    org_id, tied = best.org_id, best.tied
    org = ix.organisations[org_id]
    shared_events = sorted(best.direct_events.union(*(graph.edges[org_id, m]["events"] for m in tied)))
    shared_communities = sorted(ix.memberships.get(org_id, set()) & target.joined_by_members)
    serves = _listed(ix).serves[org_id]
    reasons = _where(ix, target, org_id, best.tier, best.near, serves)
    reasons += _reasons(ix, target, org_id, best.direct, tied, shared_events, shared_communities, best.link)
    reasons += _activity_reason(ix, org_id, best.comms, best.events)
    name = display(ix.data, org_id)
    return Suggestion(
        organisation_id=org_id,
        name=name,
        name_en=org.name_en,
        sector=str(org.sector),
        prefecture=org.prefecture,
        score=best.score,
        jurisdiction=best.tier,
        jurisdiction_prefectures=sorted(serves),
        proximity=best.near,
        direct_ties=best.direct,
        tied_members=tied,
        shared_events=shared_events,
        shared_communities=shared_communities,
        link_prediction=round(best.link, 4),
        communities=best.comms,
        events=best.events,
        reasons=reasons,
        advice=_advice(ix, target, need, name, tied, best.direct),
    )


def _directory_suggestion(target: _Target, need: SectorNeed, rows: tuple[PublicBody, ...]) -> Suggestion:
    body = rows[0]
    bureau = body.sector in BUREAU_AREA_KINDS
    served = sorted(row.prefecture for row in rows)
    places = [geography.prefecture(p) for p in served]
    where_ja, where_en = "・".join(p.name for p in places), ", ".join(p.name_en for p in places)
    nodes = [geography.prefecture_node_id(p) for p in served]
    presence = sum(target.presence().get(p, 0) for p in served)
    sector_ja, sector_en = sector_label(body.sector, "ja"), sector_label(body.sector, "en")
    mark_ja, mark_en = NOT_IN_GRAPH
    reasons = [
        evidence(
            "node",
            f"【{mark_ja}】{body.name}は公的機関名簿にあるがグラフにない（出典: {body.source}、{body.as_of}時点）",
            f"[{mark_en}] {body.name_en} ({body.name}) is in the directory of public bodies but not in the graph"
            f" (source: {body.source}, as of {body.as_of})",
            nodes,
        ),
        evidence(
            "node",
            f"{body.name}は{where_ja}{'を管轄する' if bureau else 'の'}{sector_ja}"
            f"（{target.name}の対象の都道府県。構成員・事務局{presence}件が所在）",
            f"{body.name_en} is the {sector_en} {'serving' if bureau else 'of'} {where_en}, the own prefecture(s)"
            f" of {target.name} ({presence} member or secretariat bod(ies) there)",
            nodes,
        ),
    ]
    return Suggestion(
        organisation_id=None,
        name=body.name,
        name_en=body.name_en or None,
        sector=body.sector.value,
        prefecture=None if bureau else body.prefecture,
        score=0.0,
        jurisdiction="own_prefecture",
        jurisdiction_prefectures=served,
        in_graph=False,
        source=body.source,
        source_as_of=body.as_of.isoformat(),
        proximity="same_prefecture",
        link_prediction=0.0,
        communities=0,
        events=0,
        reasons=reasons,
        advice=Advice(
            ja=f"{body.name}（{mark_ja}）をグラフとロングリストに加え、個別に訪問する（第1段階、{need.ja}）",
            en=f"Add {body.name_en or body.name} ({mark_en}) to the graph and the long list, and visit it"
            f" one-to-one (stage 1, {need.en})",
        ),
    )


def _where(
    ix: NetworkIndex,
    target: _Target,
    org_id: str,
    tier: Jurisdiction,
    near: Proximity | None,
    serves: frozenset[str],
) -> list[Evidence]:
    """Where the body is, as its jurisdiction tier rests on it."""
    name = display(ix.data, org_id)
    org = ix.organisations[org_id]
    places = [geography.prefecture(p) for p in sorted(serves)]
    nodes = [org_id, *(geography.prefecture_node_id(p.code) for p in places)]
    if tier == "national":
        return [
            evidence(
                "node",
                f"{name}は所在の都道府県が記録されておらず、全国の機関として対象の都道府県・管轄区域の候補の次に示す",
                f"{name} has no prefecture in the graph: a national body, shown after the community's own"
                " prefectures and area",
                [org_id],
            )
        ]
    if tier == "other_area":
        return [
            evidence(
                "node",
                f"{name}は{'・'.join(p.name for p in places)}に所在し{target.name}の管轄区域の外だが、"
                "既に関係があるので示す",
                f"{name} is in {', '.join(p.name_en for p in places)}, outside the area of {target.name};"
                " shown because the community has already reached it",
                nodes,
            )
        ]
    if not near:
        return []
    strength_ja = "強い" if near == "same_prefecture" else "やや弱い"
    strength_en = "strong" if near == "same_prefecture" else "weaker"
    level_ja, level_en = PROXIMITY_LABELS[near]
    if org.prefecture and org.sector not in BUREAU_AREA_KINDS and serves == {org.prefecture}:
        where = places[0]
        return [
            evidence(
                "node",
                f"{name}は{where.name}に所在（{target.name}の対象地域と{level_ja}、{strength_ja}理由）",
                f"{name} is in {where.name_en}: {level_en} as {target.name} ({strength_en} reason)",
                nodes,
            )
        ]
    # A bureau serves an area, and a body the graph does not place is placed by the directory.
    rows = _listed(ix).rows.get(org_id, ())
    source_ja = f"（公的機関名簿: {rows[0].source}）" if rows else ""
    source_en = f" (directory of public bodies: {rows[0].source})" if rows else ""
    verb_ja, verb_en = ("を管轄", "serves") if org.sector in BUREAU_AREA_KINDS else ("に所在", "is in")
    return [
        evidence(
            "node",
            f"{name}は{'・'.join(p.name for p in places)}{verb_ja}{source_ja}"
            f"（{target.name}の対象地域と{level_ja}、{strength_ja}理由）",
            f"{name} {verb_en} {', '.join(p.name_en for p in places)}{source_en}: {level_en} as {target.name}"
            f" ({strength_en} reason)",
            nodes,
        )
    ]


def _reasons(
    ix: NetworkIndex,
    target: _Target,
    org_id: str,
    direct: list[str],
    tied: list[str],
    shared_events: list[str],
    shared_communities: list[str],
    link: float,
) -> list[Evidence]:
    reasons: list[Evidence] = []
    if direct:
        reasons.append(
            evidence(
                "relationship",
                f"{target.name}とは既に関係がある（連携・接触・ロングリスト・共同イベント）",
                f"Already tied to {target.name} (partner, contacted, long list or shared event)",
                direct,
            )
        )
    if tied:
        reasons.append(
            evidence(
                "relationship",
                f"構成員{len(tied)}件と既につながる: {names_of(ix.data, tied)}",
                f"Already tied to {len(tied)} member(s)",
                tied,
            )
        )
    if shared_events:
        reasons.append(
            evidence(
                "event",
                f"構成員と同じイベントに関与: {names_of(ix.data, shared_events)}",
                f"Took part in {len(shared_events)} event(s) with members",
                shared_events,
            )
        )
    if shared_communities:
        reasons.append(
            evidence(
                "relationship",
                f"構成員と同じコミュニティに参加: {names_of(ix.data, shared_communities)}",
                f"Shares {len(shared_communities)} other communit(ies) with members",
                shared_communities,
            )
        )
    if link > 0:
        reasons.append(
            evidence(
                "number",
                f"共通の知り合いによるつながりの予測値（資源配分指標の合計）: {link:.3f}",
                f"Link prediction through common neighbours (summed resource allocation index): {link:.3f}",
                [org_id],
            )
        )
    return reasons


def _activity_reason(ix: NetworkIndex, org_id: str, comms: int, events: int) -> list[Evidence]:
    if not comms and not events:
        return []
    name = display(ix.data, org_id)
    return [
        evidence(
            "number",
            f"{name}は他でも活動: コミュニティ{comms}、イベント{events}",
            f"{name} is active elsewhere: {comms} communities, {events} events",
            sorted(ix.memberships.get(org_id, set())),
        )
    ]


def _advice(
    ix: NetworkIndex, target: _Target, need: SectorNeed, name: str, tied: list[str], direct: list[str]
) -> Advice:
    if direct:
        return Advice(
            ja=f"既に関係のある{name}に、{target.name}の構成員としての参加を打診する（{need.ja}）",
            en=f"Ask {name}, already tied to {target.name}, to join as a member ({need.en})",
        )
    if tied:
        via = display(ix.data, tied[0])
        return Advice(
            ja=f"{via}の紹介で{name}を個別訪問し、{target.name}への参加を提案する（{need.ja}）",
            en=f"Visit {name} with an introduction from {via} and invite it to {target.name} ({need.en})",
        )
    return Advice(
        ja=f"{name}をロングリストに加え、個別に訪問する（第1段階、{need.ja}）",
        en=f"Add {name} to the long list and visit it one-to-one (stage 1, {need.en})",
    )


# ---------------------------------------------------------------------------------------------- entry point


def _subject(
    ix: NetworkIndex,
    target: _Target,
    kind: Literal["community", "region"],
    needs: tuple[SectorNeed, ...],
    limit: int,
) -> SectorCoverage:
    reached = _reached(ix, target)
    facts_of = [community_facts(ix.data, c) for c in sorted(target.communities)]
    covered: list[NeedCoverage] = []
    for need in needs:
        coverage = _coverage(ix.data, facts_of, need)
        if not coverage.met:
            coverage.suggestions = _suggest(ix, target, need, reached, limit)
            coverage.advice = [s.advice for s in coverage.suggestions[:1]] or [
                Advice(
                    ja=f"データに{need.ja}の候補がない。地域の{need.ja}を探してロングリストに加える",
                    en=f"No {need.en} is in the data: look for one in the region and add it to the long list",
                )
            ]
        covered.append(coverage)
    met = [c.code for c in covered if c.met]
    unknown = [c.code for c in covered if c.unknown]
    missing = [c.code for c in covered if not c.met and not c.unknown]
    labels = {n.code: n for n in needs}
    unknown_ja = "。不明（人数のみの構成員の中にいるかもしれない）: " + "、".join(labels[u].ja for u in unknown)
    unknown_en = "; unknown (members counted but not named): " + ", ".join(labels[u].en for u in unknown)
    found = [
        evidence(
            "rule",
            f"必要なセクター{len(needs)}のうち{len(met)}を満たす。欠けている: "
            + ("、".join(labels[m].ja for m in missing) or "なし")
            + (unknown_ja if unknown else ""),
            f"{len(met)} of {len(needs)} needed sectors met; missing: "
            + (", ".join(labels[m].en for m in missing) or "none")
            + (unknown_en if unknown else ""),
            sorted(target.communities),
        )
    ]
    advice = [a for c in covered if not c.met for a in c.advice[:1]]
    return SectorCoverage(
        subject_id=target.subject_id,
        kind=kind,
        name=target.name,
        communities=sorted(target.communities),
        met=met,
        missing=missing,
        unknown=unknown,
        needs=covered,
        evidence=found,
        advice=advice,
    )


def _regions_of(ix: NetworkIndex, scope: Scope, community_ids: list[str], kind: RegionKind) -> list[str]:
    if scope.region is not None:
        return [scope.region]
    areas = {a for c in community_ids for a in community_areas(ix.communities[c], kind)}
    if scope.prefecture is not None:
        areas = {area_of(scope.prefecture, kind)}
    return sorted(areas)


def missing_sectors(
    data: GraphData,
    scope: Scope | None = None,
    *,
    needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS,
    suggestions_per_sector: int = 5,
    region_kind: RegionKind = "mic",
) -> MissingSectors:
    """Which needed sectors each community and region has and lacks, and whom to approach for each gap.

    ``scope`` picks the communities (one; a region's, by their areas; those covering a prefecture; or
    all) and the date (``scope.as_of``). Regions are the areas of ``region_kind`` those communities
    belong to (or the scope's region), each judged on the union of all its communities. ``needs`` may
    be any list of ``SectorNeed`` (``facts.sector_need(["insurer"])`` builds one).
    """
    scope = scope or Scope()
    with shared_inputs():
        return _missing_sectors(data, scope, needs, suggestions_per_sector, region_kind)


def _missing_sectors(
    data: GraphData,
    scope: Scope,
    needs: tuple[SectorNeed, ...],
    suggestions_per_sector: int,
    region_kind: RegionKind,
) -> MissingSectors:
    snapshot = records_as_of(data, scope.as_of)
    ix = network_index(snapshot)
    if scope.community is not None and scope.community not in ix.communities:
        raise CommunityNotFound(scope.community)
    scoped = [c.id for c in communities_in_scope(snapshot, scope)]
    community_results = [
        _subject(
            ix,
            _Target(
                ix,
                c,
                ix.communities[c].name,
                [c],
                covered_prefectures(ix.communities[c]),
                community_areas(ix.communities[c], region_kind),
                region_kind,
            ),
            "community",
            needs,
            suggestions_per_sector,
        )
        for c in scoped
    ]
    region_results = []
    for code in _regions_of(ix, scope, scoped, region_kind):
        region = geography.region(code)
        members = [c.id for c in communities_in_scope(snapshot, Scope(region=code))]
        home = {p.code for p in geography.prefectures_of_region(code)}
        target = _Target(ix, code, f"{region.name}（{region.bureau}管内）", members, home, {code}, region.kind)
        region_results.append(_subject(ix, target, "region", needs, suggestions_per_sector))
    return MissingSectors(
        scope=scope.describe(),
        needs=[n.code for n in needs],
        communities=community_results,
        regions=region_results,
    )
