"""Key-person candidates (キーパーソン候補): the people and bodies who hold the network together.

Stage 1 of the three-stage engagement approach (practice 11) asks a convener to find key-person
candidates and build one-to-one relationships with them. A candidate is someone who

- brokers between others: lies on many shortest paths (betweenness), across sectors and
  prefectures (Gould–Fernandez brokerage roles), with contacts that are not tied to each other
  (Burt's low constraint, large effective size);
- is active in several communities, or in several roles (member, secretariat, organiser, …);
- or on whom the network depends: if they left (a civil servant rotated out, 人事異動), part of the
  network would be cut off (Borgatti's fragmentation after removal).

``key_person_candidates`` ranks them with every measure and the reasons in words;
``betweenness_between_groups`` finds who links two chosen groups (two sectors, two prefectures).

Where it is measured: network measures on the actor network of the scope (``actor_network``) as it
stood on the scope's date; communities and roles over the whole graph on that date, since a key
person's reach beyond the scope is what makes them one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from functools import partial
from itertools import chain
from typing import Literal, TypeVar

import networkx as nx
import numpy as np
from pydantic import Field

from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import display
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.index import NetworkArrays, network_arrays
from secgraph.analysis.measures import (
    BETWEENNESS_EXACT_UP_TO,
    BROKERAGE_ROLES,
    burt_constraint,
    burt_effective_size,
    fragmentation_after_removal,
    fragmentation_from_pieces,
    gould_fernandez_brokerage,
    pairs_cut_off,
    removal_pieces,
    sampled_betweenness,
    sole_links,
)
from secgraph.analysis.network import (
    ACTOR_KINDS,
    EVENT_PARTS,
    Scope,
    actor_network,
    community_circles,
    employers_on,
    records_as_of,
    relationships_of_type,
    shared_inputs,
    started_beside,
)
from secgraph.analysis.tie_freshness import TIE_WINDOW_YEARS, fresh_ties, holding_removal_pieces, tie_window_start
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.model.listing import Lang, listed
from secgraph.model.records import Community, Event, Relationship
from secgraph.model.vocabulary import EVENT_ROLE_TYPES, RelType, Sector, parse_term, sector_label

#: The group of an actor without a prefecture (national bodies) in prefecture brokerage.
NATIONAL = "national"
#: The sector group of communities, which are actors of their own in the actor network.
COMMUNITY = "community"

#: Role types an actor can hold: code, relationships that show it, Japanese and English labels.
ROLE_TYPES: tuple[tuple[str, tuple[RelType, ...], str, str], ...] = (
    ("member", (RelType.MEMBER_OF,), "構成員", "member"),
    ("secretariat", (RelType.SECRETARIAT_OF,), "事務局", "secretariat"),
    ("organiser", (RelType.ORGANISED,), "主催", "organiser"),
    ("co_host", (RelType.CO_HOSTED,), "共催", "co-host"),
    ("supporter", (RelType.SUPPORTED, RelType.COOPERATED), "後援・協力", "supporter"),
    ("speaker", (RelType.SPOKE_AT,), "講演", "speaker"),
    ("attendee", (RelType.ATTENDED,), "参加", "attendee"),
)
_ROLE_OF: dict[str, str] = {str(t): code for code, types, _, _ in ROLE_TYPES for t in types}
_ROLE_LABEL: dict[str, tuple[str, str]] = {code: (ja, en) for code, _, ja, en in ROLE_TYPES}
_MEMBERSHIP: tuple[RelType, ...] = (RelType.MEMBER_OF, RelType.SECRETARIAT_OF)

_BROKERAGE_LABEL: dict[str, tuple[str, str]] = {
    "coordinator": ("調整役", "coordinator"),
    "itinerant": ("外部仲介役", "itinerant"),
    "representative": ("代理人", "representative"),
    "gatekeeper": ("門番", "gatekeeper"),
    "liaison": ("連絡役", "liaison"),
}

#: The measures the score averages, each normalised to [0, 1] on its magnitude; True where higher is better.
SCORE_COMPONENTS: dict[str, bool] = {
    "betweenness": True,
    "sector_brokerage": True,
    "prefecture_brokerage": True,
    "constraint": False,
    "effective_size": True,
    "communities": True,
    "role_types": True,
    "dependence": True,
}
#: Each component in words, Japanese and English, jargon explained in one plain line.
COMPONENT_LABELS: dict[str, tuple[str, str]] = {
    "betweenness": (
        "媒介中心性（他の者どうしの最短経路上にいる度合い）",
        "betweenness (on the shortest paths between others)",
    ),
    "sector_brokerage": (
        "セクター間の仲介の役割（つながっていない異なるセクターの二者の間に立つ回数）",
        "brokerage across sectors (times it stands between two unconnected others of different sectors)",
    ),
    "prefecture_brokerage": (
        "都道府県間の仲介の役割（つながっていない異なる都道府県の二者の間に立つ回数）",
        "brokerage across prefectures (times it stands between two unconnected others of different prefectures)",
    ),
    "constraint": (
        "構造的空隙の制約（相手どうしがつながっているほど高い。低いほど仲介的）",
        "Burt's constraint (higher when its contacts are tied to each other; lower is more of a broker)",
    ),
    "effective_size": (
        "実効規模（互いに重ならない相手の数）",
        "effective size (contacts not redundant with each other)",
    ),
    "communities": ("活動しているコミュニティの数", "communities it is active in"),
    "role_types": ("担っている役割の種類の数", "kinds of role it holds"),
    "dependence": (
        "依存（抜けると互いに到達できなくなる他の団体・個人の組の割合）",
        "dependence (share of the others' pairs its departure disconnects)",
    ),
}
#: The five things the score weighs equally, each the mean of its components: a measure read two ways
#: (brokerage by sector and by prefecture; Burt's constraint and effective size, one notion of
#: structural holes; communities and role types, one of reach) counts once, not twice.
SCORE_ASPECTS: dict[str, tuple[str, ...]] = {
    "betweenness": ("betweenness",),
    "brokerage": ("sector_brokerage", "prefecture_brokerage"),
    "structural_holes": ("constraint", "effective_size"),
    "reach": ("communities", "role_types"),
    "dependence": ("dependence",),
}

_DIGITS = 6


class BrokerageRoles(ResultModel):
    """Gould–Fernandez brokerage counts (ordered open two-paths; see ``gould_fernandez_brokerage``)."""

    coordinator: int = Field(0, description="調整役（同じ集団内の仲介） / Within its own group")
    itinerant: int = Field(0, description="外部仲介役（他集団内の仲介） / Inside another group")
    representative: int = Field(0, description="代理人（自集団から外へ） / From its group outwards")
    gatekeeper: int = Field(0, description="門番（外から自集団へ） / From outside into its group")
    liaison: int = Field(0, description="連絡役（異なる二集団の間） / Between two other groups")
    across_groups: int = Field(0, description="集団をまたぐ仲介の計（調整役以外） / All but coordinator")


class DependenceRisk(ResultModel):
    """What the network loses if the actor leaves (Borgatti's fragmentation of G − v)."""

    fragmentation_after: float = Field(description="抜けた後の分断度 / Fragmentation without the actor")
    fragmentation_increase: float = Field(
        description="抜けると互いに到達できなくなる、他の団体・個人どうしの組の割合（0以上）"
        " / Share of the other actors' pairs its departure disconnects (never negative)"
    )
    cut_off: int = Field(description="孤立する団体・個人の数 / Actors cut off from the rest of their component")
    cut_off_ids: list[str] = Field(default_factory=list, description="孤立する団体・個人 / Those actors")


class Actor(ResultModel):
    """Who a result item is about."""

    id: str
    kind: str = Field(description="Organisation, Person or Community")
    name: str
    sector: str | None = Field(description="セクター（人は所属先の） / Sector (a person's employer's)")
    prefectures: list[str]


def _actor(G: nx.Graph, v: str, sectors: dict[str, str | None]) -> dict[str, object]:
    attrs = G.nodes[v]
    return {
        "id": v,
        "kind": attrs["kind"],
        "name": attrs["name"],
        "sector": sectors[v],
        "prefectures": attrs["prefectures"],
    }


class KeyPersonCandidate(Actor):
    """One candidate, every measure behind its score, and the reasons in words."""

    score: float = Field(
        description="5つの観点（媒介・仲介・構造的空隙・広がり・依存）の平均 (0–1)"
        " / Mean of the five aspects (betweenness, brokerage, structural holes, reach, dependence)"
    )
    rank: int
    sole_link_between: list[str] = Field(
        default_factory=list,
        description="この団体・個人だけがつなぐコミュニティ（抜けると互いの間の経路がなくなる。該当すれば得点より先に並ぶ）"
        " / Communities it alone joins (without it no path runs between them; such candidates rank first)",
    )
    betweenness: float = Field(description="媒介中心性（正規化） / Normalised betweenness")
    sector_brokerage: BrokerageRoles
    prefecture_brokerage: BrokerageRoles
    constraint: float | None = Field(description="バートの制約（低いほど仲介的） / Burt's constraint")
    effective_size: float | None = Field(description="実効規模 / Burt's effective size")
    communities: list[str] = Field(description="活動しているコミュニティ / Communities active in")
    roles: list[str] = Field(description="担っている役割の種類 / Role types held")
    dependence: DependenceRisk
    components: dict[str, float] = Field(description="各指標の正規化値 (0–1) / Normalised components")
    evidence: list[Evidence]
    advice: list[Advice]


class KeyPersonCandidates(ResultModel):
    """Ranked key-person candidates of a scope, with the network they were measured on."""

    scope: str
    as_of: dt.date | None
    actors: int = Field(description="ネットワークの団体・個人の数 / Actors in the network")
    ties: int
    candidates_ranked: int = Field(description="順位付けした候補の数 / Actors of the chosen kinds ranked")
    fragmentation: float = Field(description="ネットワークの分断度 / Fragmentation of the network")
    betweenness_sampled: bool = Field(description="媒介中心性を標本推定したか / Betweenness estimated by sampling")
    score_components: list[str]
    candidates: list[KeyPersonCandidate]


class GroupBroker(Actor):
    """An actor on the shortest paths between two groups."""

    rank: int
    share: float = Field(description="二集団間の最短経路のうち通る割合 / Share of the paths between the groups")
    paths: float = Field(description="通る経路の数（分割計上） / Shortest paths through it (fractional)")
    evidence: list[Evidence]
    advice: list[Advice]


class GroupBrokers(ResultModel):
    scope: str
    by: Literal["sector", "prefecture"]
    group_a: list[str]
    group_b: list[str]
    pairs: int = Field(description="互いに到達できる二集団間の組の数 / Connected pairs between the groups")
    brokers: list[GroupBroker]


# -- what the graph says about each actor --------------------------------------------------------


def actor_sectors(data: GraphData, actors: Iterable[str]) -> dict[str, str | None]:
    """Each actor's sector: an organisation's own, a person's current employer's
    (``model.ties.current_employers``), ``community`` for a community; None when unknown."""
    employers = employers_on(data)
    result: dict[str, str | None] = {}
    for actor in actors:
        node = data.nodes[actor]
        if node.kind == "Community":
            result[actor] = COMMUNITY
        elif node.kind == "Person":
            employer = employers.get(actor)
            result[actor] = getattr(data.nodes[employer], "sector", None) if employer else None
        else:
            result[actor] = getattr(node, "sector", None)
    return result


def communities_active_in(data: GraphData) -> dict[str, dict[str, list[str]]]:
    """actor → community → relationship ids showing the actor is active in it.

    Active means member or secretariat of the community, or holding a part (organiser, co-host,
    supporter, speaker, attendee) in an event or series the community ran — an event run by several
    communities counts for each. A community is not counted as active in itself.
    """
    return _active_in(data.relationships.values(), _ran_by(data))


def _ran_by(data: GraphData) -> dict[str, set[str]]:
    """Event or series → the communities that ran it (an event also its series')."""
    ran_by: dict[str, set[str]] = defaultdict(set)
    for rel in relationships_of_type(data, *EVENT_ROLE_TYPES):
        if isinstance(data.nodes.get(rel.from_id), Community):
            ran_by[rel.to_id].add(rel.from_id)
    for node in data.nodes.values():
        if isinstance(node, Event) and node.series_id in ran_by:
            ran_by[node.id] |= ran_by[node.series_id]
    return ran_by


def _active_in(relationships: Iterable[Relationship], ran_by: dict[str, set[str]]) -> dict[str, dict[str, list[str]]]:
    """``communities_active_in`` as these relationships show it."""
    active: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel in relationships:
        if rel.type in _MEMBERSHIP:
            found = {rel.to_id}
        elif rel.type in EVENT_PARTS:
            found = ran_by.get(rel.to_id, set())
        else:
            continue
        for community in found - {rel.from_id}:
            active[rel.from_id][community].append(str(rel.id))
    return {a: {c: sorted(ids) for c, ids in sorted(cs.items())} for a, cs in active.items()}


def _active_counts(data: GraphData, ran_by: dict[str, set[str]]) -> dict[str, int]:
    """actor → how many communities it is active in: ``communities_active_in`` counted, without the
    relationship lists (one set per actor, no list per tie)."""
    reached: defaultdict[str, set[str]] = defaultdict(set)
    for rel in relationships_of_type(data, *_MEMBERSHIP):
        reached[rel.from_id].add(rel.to_id)
    for rel in relationships_of_type(data, *EVENT_PARTS):
        found = ran_by.get(rel.to_id)
        if found:
            reached[rel.from_id].update(found)
    return {a: len(cs) - (a in cs) for a, cs in reached.items()}


def roles_held(data: GraphData) -> dict[str, dict[str, list[str]]]:
    """actor → role type (``ROLE_TYPES``) → relationship ids showing it."""
    return _roles_in(data.relationships.values())


def _roles_in(relationships: Iterable[Relationship]) -> dict[str, dict[str, list[str]]]:
    """``roles_held`` as these relationships show it."""
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel in relationships:
        role = _ROLE_OF.get(str(rel.type))
        if role:
            roles[rel.from_id][role].append(str(rel.id))
    order = [code for code, *_ in ROLE_TYPES]
    return {a: {r: sorted(rs[r]) for r in order if r in rs} for a, rs in roles.items()}


def _role_type_counts(data: GraphData) -> dict[str, int]:
    """actor → how many role types it holds: ``roles_held`` counted (who holds each role type, then
    in how many of those an actor is)."""
    holders = ({rel.from_id for rel in relationships_of_type(data, *types)} for _, types, _, _ in ROLE_TYPES)
    return dict(Counter(chain.from_iterable(holders)))


def prefecture_group(prefectures: list[str]) -> str:
    """The prefecture an actor is grouped under for brokerage: its first, or ``national``."""
    return prefectures[0] if prefectures else NATIONAL


def _group_label(group: str, by: str, lang: str) -> str:
    if by == "prefecture":
        if group == NATIONAL:
            return "全国" if lang == "ja" else "national bodies"
        found = geography.prefecture(group)
        return found.name if lang == "ja" else found.name_en
    if group == COMMUNITY:
        return "コミュニティ" if lang == "ja" else "communities"
    return sector_label(group, lang)


#: A component or score: of one candidate, or of every candidate (an array, one entry each).
Score = TypeVar("Score", float, np.ndarray)


def _rounded(value: float) -> float:
    return round(value, _DIGITS)


def aspects_mean(components: Mapping[str, Score]) -> Score:
    """The score from the normalised components: the mean over ``SCORE_ASPECTS`` of each aspect's mean.

    Components may be arrays (one entry per candidate): each entry is then the same sums and
    quotients, in the same order, as for one candidate's floats.
    """
    return sum(sum(components[n] for n in names) / len(names) for names in SCORE_ASPECTS.values()) / len(SCORE_ASPECTS)


def _share_of_largest(values: dict[str, float]) -> dict[str, float]:
    """Each value over the largest of the candidates (all 0 when the largest is 0): twice another's
    value stays twice its component, and nothing is lifted off zero."""
    largest = max(values.values(), default=0.0)
    if not largest > 0:
        return dict.fromkeys(values, 0.0)
    # Divided as an array: the same quotients as one by one, for tens of thousands of candidates.
    shares = np.fromiter(values.values(), np.float64, len(values)) / largest
    return dict(zip(values, shares.tolist(), strict=True))


def _normalised(name: str, values: dict[str, float]) -> dict[str, float]:
    """A component on [0, 1] by its magnitude: constraint as 1 − c (Burt's constraint is 1 for one
    contact, lower for contacts not tied to each other; above 1, when contacts are tied, it counts as
    0; no ties, no freedom: 0); every other measure as its share of the largest value."""
    if name == "constraint":
        return {key: max(0.0, 1.0 - value) if math.isfinite(value) else 0.0 for key, value in values.items()}
    return _share_of_largest(values)


def _open_pairs_by_group(
    G: nx.Graph, v: Hashable, group: dict[Hashable, str | None], *, most: int = 2
) -> list[tuple[tuple[str, str], int, list[str]]]:
    """The pairs of groups v bridges most: unordered pairs of v's neighbours of two different
    groups that are not tied to each other. For the ``most`` commonest pairs of groups: the
    groups, how many such pairs, and the neighbours in at least one of them.

    ``_OpenPairs`` does the work; make one of those to ask about many nodes of one graph.
    """
    if G.is_directed():
        raise nx.NetworkXNotImplemented("not implemented for directed type")
    return _OpenPairs(NetworkArrays(G), group).top(v, most=most)


class _OpenPairs:
    """``_open_pairs_by_group`` for many nodes of one undirected graph and one grouping.

    Tallied per group (pairs of members less the ties among them), so a hub costs the sum of its
    neighbours' degrees rather than the square of its own; the neighbours' ties are read from the
    network's array form in numpy rather than walked in Python.
    """

    def __init__(self, arrays: NetworkArrays, group: Mapping[Hashable, str | None]) -> None:
        self.sk = sk = arrays
        known = [group.get(v) for v in sk.nodes]
        # Group numbers in the groups' sorted order, so comparing numbers compares the groups.
        self.names = sorted({g for g in known if g is not None})
        number = {g: i for i, g in enumerate(self.names)}
        self.code = np.array([-1 if g is None else number[g] for g in known], dtype=np.int64)
        self._around = np.zeros(sk.n, dtype=bool)

    def top(self, v: Hashable, *, most: int = 2) -> list[tuple[tuple[str, str], int, list[str]]]:
        sk, code = self.sk, self.code
        i = sk.index[v]
        neighbours = sk.target[sk.arcs_of[i] : sk.arcs_of[i + 1]]  # no self-loop in the array form
        neighbours = neighbours[code[neighbours] >= 0]
        groups = len(self.names)
        size = np.bincount(code[neighbours], minlength=groups)
        # The neighbours' arcs to other neighbours of v: (a, b) and (b, a) for each tie among them.
        degree = sk.degree[neighbours]
        total = int(degree.sum())
        starts = np.repeat(sk.arcs_of[neighbours] - (np.cumsum(degree) - degree), degree)
        arcs = starts + np.arange(total)
        self._around[neighbours] = True
        try:
            inside = self._around[sk.target[arcs]]
        finally:
            self._around[neighbours] = False
        a, b = sk.source[arcs[inside]], sk.target[arcs[inside]]
        ga, gb = code[a], code[b]
        later = gb > ga
        closed = np.bincount(ga[later] * groups + gb[later], minlength=groups * groups).reshape(groups, groups)
        present = np.flatnonzero(size)
        open_pairs = [
            ((self.names[x], self.names[y]), int(size[x] * size[y] - closed[x, y]), (x, y))
            for k, x in enumerate(present.tolist())
            for y in present[k + 1 :].tolist()
        ]
        top = sorted((item for item in open_pairs if item[1] > 0), key=lambda item: (-item[1], item[0]))[:most]

        def involved(x: int, y: int) -> set[Hashable]:
            # A neighbour takes part unless it is tied to every neighbour of the other group.
            members = neighbours[code[neighbours] == x]
            tied = np.bincount(a[gb == y], minlength=sk.n)[members] if len(a) else np.zeros(len(members), np.int64)
            return {sk.nodes[m] for m in members[tied < size[y]].tolist()}

        return [(pair, n, sorted(str(node) for node in involved(x, y) | involved(y, x))) for pair, n, (x, y) in top]


def _bridging_evidence(open_pairs: _OpenPairs, v: str, by: str, roles: dict[str, int]) -> list[Evidence]:
    across = sum(roles[r] for r in BROKERAGE_ROLES if r != "coordinator")
    if not across:
        return []
    what_ja, what_en = ("セクター", "sectors") if by == "sector" else ("都道府県", "prefectures")
    counts_ja = "・".join(f"{_BROKERAGE_LABEL[r][0]}{roles[r]}" for r in BROKERAGE_ROLES)
    counts_en = ", ".join(f"{_BROKERAGE_LABEL[r][1]} {roles[r]}" for r in BROKERAGE_ROLES)
    top = open_pairs.top(v)
    bridges_ja = "、".join(
        f"{_group_label(a, by, 'ja')}と{_group_label(b, by, 'ja')}をつなぐ（直接つながっていない{n}組）"
        for (a, b), n, _ in top
    )
    bridges_en = "; ".join(
        f"bridges {_group_label(a, by, 'en')} and {_group_label(b, by, 'en')} ({n} pair{'s' if n > 1 else ''} "
        "not tied directly)"
        for (a, b), n, _ in top
    )
    return [
        evidence(
            "number",
            f"{what_ja}間の仲介の役割（直接つながっていない二者の間に立つ回数：{counts_ja}）"
            + (f"：{bridges_ja}" if top else ""),
            f"brokers between {what_en} ({counts_en})" + (f": {bridges_en}" if top else ""),
            [x for _, _, ids in top for x in ids],
        )
    ]


# -- key-person candidates -----------------------------------------------------------------------


def key_person_candidates(
    data: GraphData,
    scope: Scope | None = None,
    *,
    limit: int | None = 20,
    kinds: Iterable[str] = ("Person", "Organisation"),
    local_only: bool = False,
    tie_window_years: int | None = TIE_WINDOW_YEARS,
) -> KeyPersonCandidates:
    """Rank the actors of ``kinds`` in ``scope`` as key-person candidates, with reasons.

    Measures (on the scope's actor network, all actors — communities too — taking part; with
    ``local_only`` the actors located nowhere, national bodies and their people, are left out of it):

    - ``betweenness``: normalised shortest-path betweenness, weights ignored (``sampled_betweenness``:
      exact up to 2,000 actors, then estimated within 0.01 by sampling shortest paths, seed 0).
    - ``sector_brokerage`` / ``prefecture_brokerage``: Gould–Fernandez roles with groups = the
      actor's sector (a person's employer's; communities form one group ``community``) or its first
      prefecture (``national`` when it has none); the component is the count across groups
      (all roles but coordinator).
    - ``constraint`` (weighted by tie strength) and ``effective_size`` (unweighted: non-redundant
      contacts) after Burt (1992).
    - ``communities``: how many communities the actor is active in (member, secretariat, or a part
      in an event a community ran); ``role_types``: how many of the ``ROLE_TYPES`` it holds.
    - ``dependence``: what its departure cuts off (``measures.pairs_cut_off``, after Borgatti 2006):
      the share of the other actors' pairs that reach each other now and would not without it —
      never negative, zero for anyone whose departure cuts nobody off.

    Score, on magnitudes: each component is normalised over the ranked candidates — constraint as
    1 − c (0 at or above 1, and for an actor without ties), every other measure as its share of the
    largest value (0 stays 0; twice another's value stays twice its component) — and the score is the
    mean of the five ``SCORE_ASPECTS`` (betweenness, brokerage, structural holes, reach, dependence),
    each the mean of its components, in [0, 1].

    A sole link between communities (コミュニティ間の唯一のつなぎ役): actor v is one when there are two
    communities A ≠ B of the scope (their own records among its actors) — their circles
    (``network.community_circle``) cut to the scope's actors, v left out of both, each holding an
    actor other than the community itself — such that in the scope's network without v, A's circle
    lies wholly within one piece P of v's component, and B's circle lies in v's component and has no
    member in P: every path between them runs through v (``measures.sole_links``).
    ``sole_link_between`` lists the communities it so joins. A community of which only its own
    record is left without v (a bureau's programme whose only tie is the bureau) is nobody v joins.
    Sole links are judged on the ties that still hold (``tie_freshness.fresh_ties``: some evidence in
    the last ``tie_window_years`` fiscal years; None: every tie), as the single bridges of
    ``isolated_regions`` are: a 2009 sponsorship makes nobody the only link today.

    Order: the sole links first, by score then id; then everyone else by score then id. ``limit``
    None returns every candidate.
    """
    with shared_inputs():
        return _key_person_candidates(data, scope or Scope(), limit, tuple(kinds), local_only, tie_window_years)


def _key_person_candidates(
    data: GraphData,
    scope: Scope,
    limit: int | None,
    kinds: tuple[str, ...],
    local_only: bool = False,
    tie_window_years: int | None = TIE_WINDOW_YEARS,
) -> KeyPersonCandidates:
    unknown = sorted(set(kinds) - set(ACTOR_KINDS))
    if unknown:
        raise ValueError(f"kinds must be among {', '.join(ACTOR_KINDS)}: {unknown} / 対象の種類が不正です")
    snapshot = records_as_of(data, scope.as_of)
    G = actor_network(data, scope, local_only=local_only)
    arrays = network_arrays(data, scope, local_only=local_only)
    pool = sorted(v for v, attrs in G.nodes(data=True) if attrs["kind"] in kinds)

    sectors = actor_sectors(snapshot, G.nodes)
    prefecture_of = {v: prefecture_group(attrs["prefectures"]) for v, attrs in G.nodes(data=True)}
    # Sampled betweenness runs in networkit's C++ without holding the GIL: on another core while the
    # measures below are taken.
    betweenness_soon = started_beside(partial(sampled_betweenness, G, arrays=arrays))
    sector_roles = gould_fernandez_brokerage(G, sectors, arrays=arrays)
    prefecture_roles = gould_fernandez_brokerage(G, prefecture_of, arrays=arrays)
    constraint = burt_constraint(G, weight="weight", arrays=arrays)
    effective_size = burt_effective_size(G, arrays=arrays)
    # One depth-first search gives the pieces, the fragmentation after each removal, the component
    # sizes (a node and its pieces) and, for the candidates shown, who would be cut off.
    removal = removal_pieces(G, arrays=arrays)
    pieces = removal.sizes
    # Who alone joins two of the scope's communities (their circles, cut to the scope's actors), on the
    # ties that still hold: the same search when every tie does.
    window_start = tie_window_start(snapshot, scope.as_of, tie_window_years)
    fresh = fresh_ties(data, scope, window_start, local_only=local_only)
    holding = removal if fresh.all() else holding_removal_pieces(data, scope, window_start, local_only=local_only)
    every_circle = community_circles(snapshot)
    circles = {c: every_circle[c] for c, attrs in G.nodes(data=True) if attrs["kind"] == "Community"}
    sole_link_sides = sole_links(G, circles, own={c: c for c in circles}, removal=holding)
    after = fragmentation_after_removal(G, pieces)
    disconnected = pairs_cut_off(G, pieces)
    fragmentation_now = fragmentation_from_pieces(G, pieces)
    component_size = {v: 1 + sum(parts) for v, parts in pieces.items()}
    # How many communities and role types each actor has, for all; which ones, for those shown.
    ran_by = _ran_by(snapshot)
    active_count = _active_counts(snapshot, ran_by)
    role_count = _role_type_counts(snapshot)

    def across(roles_of: dict[str, int]) -> int:
        return sum(roles_of[r] for r in BROKERAGE_ROLES if r != "coordinator")

    cut_off = {v: component_size[v] - 1 - (pieces[v][0] if pieces[v] else 0) for v in pool}
    betweenness = betweenness_soon.result()
    raw: dict[str, dict[str, float]] = {
        "betweenness": {v: _rounded(betweenness[v]) for v in pool},
        "sector_brokerage": {v: across(sector_roles[v]) for v in pool},
        "prefecture_brokerage": {v: across(prefecture_roles[v]) for v in pool},
        "constraint": {v: math.inf if math.isnan(constraint[v]) else _rounded(constraint[v]) for v in pool},
        "effective_size": {v: 0.0 if math.isnan(effective_size[v]) else _rounded(effective_size[v]) for v in pool},
        "communities": {v: active_count.get(v, 0) for v in pool},
        "role_types": {v: role_count.get(v, 0) for v in pool},
        "dependence": {v: _rounded(disconnected[v]) for v in pool},
    }
    normalised = {name: _normalised(name, raw[name]) for name in SCORE_COMPONENTS}
    # Every candidate's score at once, a column per component.
    columns = {
        name: np.fromiter(map(normalised[name].__getitem__, pool), np.float64, len(pool)) for name in SCORE_COMPONENTS
    }
    score = dict(zip(pool, map(_rounded, aspects_mean(columns).tolist()), strict=True))
    ranked = sorted(pool, key=lambda v: (v not in sole_link_sides, -score[v], v))
    shown = ranked if limit is None else ranked[:limit]
    betweenness_rank = {v: i + 1 for i, v in enumerate(sorted(pool, key=lambda v: (-raw["betweenness"][v], v)))}

    # Who each shown candidate bridges, by sector and by prefecture, from the network's array form.
    by_sector, by_prefecture = _OpenPairs(arrays, sectors), _OpenPairs(arrays, prefecture_of)
    shown_set = set(shown)
    theirs = [rel for rel in snapshot.relationships.values() if rel.from_id in shown_set]
    active, roles = _active_in(theirs, ran_by), _roles_in(theirs)
    candidates = []
    for rank, v in enumerate(shown, start=1):
        cut_ids = sorted(str(n) for n in removal.cut_off(v)) if cut_off[v] else []
        candidate = KeyPersonCandidate(
            **_actor(G, v, sectors),
            score=score[v],
            rank=rank,
            sole_link_between=sorted(c for side in sole_link_sides.get(v, ()) for c in side),
            betweenness=raw["betweenness"][v],
            sector_brokerage=BrokerageRoles(**sector_roles[v], across_groups=across(sector_roles[v])),
            prefecture_brokerage=BrokerageRoles(**prefecture_roles[v], across_groups=across(prefecture_roles[v])),
            constraint=None if math.isnan(constraint[v]) else raw["constraint"][v],
            effective_size=None if math.isnan(effective_size[v]) else raw["effective_size"][v],
            communities=list(active.get(v, {})),
            roles=list(roles.get(v, {})),
            dependence=DependenceRisk(
                fragmentation_after=_rounded(after[v]),
                fragmentation_increase=raw["dependence"][v],
                cut_off=cut_off[v],
                cut_off_ids=cut_ids,
            ),
            components={name: _rounded(normalised[name][v]) for name in SCORE_COMPONENTS},
            evidence=[],
            advice=[],
        )
        candidate.evidence = _candidate_evidence(
            snapshot,
            G,
            candidate,
            by_sector,
            by_prefecture,
            active.get(v, {}),
            roles.get(v, {}),
            sole_link_sides.get(v, []),
            fragmentation_now,
            betweenness_rank[v],
            len(pool),
        )
        candidate.advice = _candidate_advice(candidate)
        candidates.append(candidate)

    return KeyPersonCandidates(
        scope=scope.describe(),
        as_of=scope.as_of,
        actors=G.number_of_nodes(),
        ties=G.number_of_edges(),
        candidates_ranked=len(pool),
        fragmentation=_rounded(fragmentation_now),
        betweenness_sampled=G.number_of_nodes() > BETWEENNESS_EXACT_UP_TO,
        score_components=list(SCORE_COMPONENTS),
        candidates=candidates,
    )


def _candidate_evidence(
    data: GraphData,
    G: nx.Graph,
    c: KeyPersonCandidate,
    by_sector: _OpenPairs,
    by_prefecture: _OpenPairs,
    active: dict[str, list[str]],
    roles: dict[str, list[str]],
    sole_link_sides: list[list[str]],
    fragmentation_now: float,
    betweenness_rank: int,
    pool_size: int,
) -> list[Evidence]:
    first_ja = "。コミュニティ間の唯一のつなぎ役として得点より先に並ぶ" if sole_link_sides else ""
    first_en = "; ranked ahead of the scores as the only link between communities" if sole_link_sides else ""
    found = [
        evidence(
            "rule",
            f"スコア{c.score:.3f}＝媒介・仲介・構造的空隙・広がり・依存の5つの観点の平均（各指標は候補中の最大値を1とした値）"
            f"（{pool_size}候補中{c.rank}位{first_ja}）",
            f"score {c.score:.3f} = mean of five aspects (betweenness, brokerage, structural holes, reach, "
            f"dependence), each measure as a share of the largest among the candidates (rank {c.rank} of {pool_size}"
            f"{first_en})",
            [c.id],
        )
    ]
    if sole_link_sides:
        found.append(_sole_link_evidence(data, sole_link_sides))
    if c.betweenness > 0:
        found.append(
            evidence(
                "number",
                f"媒介中心性{c.betweenness:.3f}（{pool_size}候補中{betweenness_rank}位）：他の団体・個人どうしの最短経路の多くが通る",
                f"betweenness {c.betweenness:.3f} ({betweenness_rank} of {pool_size} candidates): many shortest "
                "paths between others pass through it",
                [c.id],
            )
        )
    found += _bridging_evidence(by_sector, c.id, "sector", c.sector_brokerage.model_dump())
    found += _bridging_evidence(by_prefecture, c.id, "prefecture", c.prefecture_brokerage.model_dump())
    if c.constraint is not None and c.effective_size is not None:
        found.append(
            evidence(
                "number",
                f"構造的空隙（互いにつながっていない相手どうしの間に立つこと）：制約{c.constraint:.3f}"
                "（相手どうしがつながっているほど高く、低いほど仲介的）・"
                f"実効規模{c.effective_size:.1f}（重複しない相手の数、直接の相手{G.degree(c.id)}）",
                f"structural holes: constraint {c.constraint:.3f} (lower = contacts not tied to each other), "
                f"effective size {c.effective_size:.1f} (non-redundant contacts, of {G.degree(c.id)} direct)",
                [c.id],
            )
        )
    if active:
        names = "、".join(display(data, k) for k in active)
        found.append(
            evidence(
                "relationship",
                f"{len(active)}つのコミュニティで活動（{names}）",
                f"active in {len(active)} communit{'y' if len(active) == 1 else 'ies'} "
                f"({', '.join(display(data, k) for k in active)})",
                [r for ids in active.values() for r in ids],
            )
        )
    if roles:
        found.append(
            evidence(
                "relationship",
                f"{len(roles)}種類の役割（{'、'.join(_ROLE_LABEL[r][0] for r in roles)}）",
                f"holds {len(roles)} kind{'s' if len(roles) > 1 else ''} of role "
                f"({', '.join(_ROLE_LABEL[r][1] for r in roles)})",
                [r for ids in roles.values() for r in ids],
            )
        )
    risk = c.dependence
    if risk.cut_off:
        who_ja = "この人" if c.kind == "Person" else "この団体"
        who_en = "they" if c.kind == "Person" else "it"
        found.append(
            evidence(
                "node",
                f"{who_ja}が抜けると{risk.cut_off}の団体・個人が孤立する"
                f"（分断度{fragmentation_now:.3f}→{risk.fragmentation_after:.3f}）",
                f"if {who_en} left, {risk.cut_off} actor{'s' if risk.cut_off > 1 else ''} would be cut off "
                f"(fragmentation {fragmentation_now:.3f} → {risk.fragmentation_after:.3f})",
                risk.cut_off_ids,
            )
        )
    return found


def _sole_link_evidence(data: GraphData, sides: list[list[str]]) -> Evidence:
    """「AとBをつなぐ唯一の団体・個人」: the communities it alone joins, those that reach each other
    without it named together as one side (「A・B」), smaller sides first."""
    ja, en = partial(_side_named, data, lang="ja"), partial(_side_named, data, lang="en")
    sides = sorted(sides, key=lambda side: (len(side), side[0]))
    if len(sides) == 2:
        joined_ja, whom = f"{ja(sides[0])}と{ja(sides[1])}", "両者"
        joined_en = f"between {en(sides[0])} and {en(sides[1])}"
    else:
        joined_ja, whom = listed(sides, 6, "ja", name=ja) + "の間", "互い"
        joined_en = f"among {listed(sides, 6, 'en', name=en)}"
    return evidence(
        "node",
        f"{joined_ja}をつなぐ唯一の団体・個人（抜けると{whom}の間の経路がなくなる）",
        f"the only link {joined_en} (without it no path runs between them)",
        [k for side in sides for k in side],
    )


def _side_named(data: GraphData, side: list[str], lang: Lang, most: int = 4) -> str:
    """The communities of one side: 「A・B ほか3」, "A / B and 3 more"."""
    return listed(side, most, lang, name=partial(display, data), between="・" if lang == "ja" else " / ")


def _candidate_advice(c: KeyPersonCandidate) -> list[Advice]:
    advice = [
        Advice(
            ja="個別に訪問し一対一の関係を築き、地域の取組への協力を相談する（第1段階）",
            en="Visit and build a one-to-one relationship; ask for their help with the regional effort (stage 1)",
        )
    ]
    if c.dependence.cut_off and c.kind == "Person":
        advice.append(
            Advice(
                ja="役割を複数人で分担し、同じ組織の後任・副担当ともつながっておく（人事異動でネットワークが途切れないように）",
                en="Share the role and get to know a deputy or successor in the same organisation, so the network "
                "does not hang on one person (staff rotation)",
            )
        )
    elif c.dependence.cut_off:
        advice.append(
            Advice(
                ja="この団体だけに頼らないよう、同じ相手とつながる別の団体にも役割を依頼する",
                en="Ask a second body to link the same actors, so the network does not hang on this one",
            )
        )
    if c.sole_link_between:
        advice.append(
            Advice(
                ja="つないでいるコミュニティどうしを直接引き合わせる場（共同イベント等）を設け、"
                f"この{'人' if c.kind == 'Person' else '団体'}だけに頼らないつながりを作る（第2段階）",
                en="Bring the communities it joins together directly (a joint event), so their link does not hang "
                f"on this one {'person' if c.kind == 'Person' else 'body'} (stage 2)",
            )
        )
    if len(c.communities) >= 2:
        advice.append(
            Advice(
                ja="関わるコミュニティどうしの共同イベントの橋渡し役を依頼する（第2段階）",
                en="Ask them to link the communities they are active in through a joint event (stage 2)",
            )
        )
    if len(c.roles) <= 1 and (c.sector_brokerage.across_groups or c.prefecture_brokerage.across_groups):
        advice.append(
            Advice(
                ja="次の共同イベントで講演・共催などの役割を依頼する",
                en="Offer a role (speaker, co-host) in the next joint event",
            )
        )
    return advice


# -- betweenness between two chosen groups -------------------------------------------------------


def _parse_groups(groups: str | Iterable[str], by: str) -> list[str]:
    items = [groups] if isinstance(groups, str) else list(groups)
    if by == "prefecture":
        return sorted({geography.prefecture(g).code for g in items})
    return sorted({COMMUNITY if g == COMMUNITY else str(parse_term(Sector, g)) for g in items})


def group_path_betweenness(G: nx.Graph, group_a: set, group_b: set) -> tuple[dict[Hashable, float], int]:
    """Betweenness counting only shortest paths between a node of ``group_a`` and one of ``group_b``.

    For each node v, the sum over unordered pairs {a, b} (a ≠ b, one in each group) of the share of
    a–b shortest paths through v (v ≠ a, b), with ``networkx.betweenness_centrality_subset``; and the
    number of such pairs that can reach each other. Undirected graphs only: networkx halves an
    undirected subset count, so the ordered sum is twice its value, less once each pair counted in
    both directions (both ends in both groups).
    """
    if G.is_directed():
        raise nx.NetworkXNotImplemented("not implemented for directed type")
    a, b = set(group_a) & set(G), set(group_b) & set(G)
    if len(a) > len(b):
        a, b = b, a  # symmetric: start the searches from the smaller group
    both = a & b
    ordered = nx.betweenness_centrality_subset(G, sorted(a), sorted(b), normalized=False)
    twice = nx.betweenness_centrality_subset(G, sorted(both), sorted(both), normalized=False) if both else {}
    paths = {v: 2 * ordered[v] - twice.get(v, 0.0) for v in G}
    pairs = 0
    for component in nx.connected_components(G):
        na, nb, no = len(a & component), len(b & component), len(both & component)
        pairs += na * nb - no - no * (no - 1) // 2
    return paths, pairs


def betweenness_between_groups(
    data: GraphData,
    group_a: str | Iterable[str],
    group_b: str | Iterable[str],
    scope: Scope | None = None,
    *,
    by: Literal["sector", "prefecture"] = "sector",
    limit: int | None = 20,
) -> GroupBrokers:
    """Who links two groups: betweenness counting only shortest paths between them.

    Groups are sectors (codes or labels; ``community`` for communities; a person counts under
    their employer's sector) or prefectures (codes or names; an actor counts in every prefecture it
    is located in). ``share`` is the share of the connected pairs between the groups whose shortest
    paths run through the actor (paths split evenly when there are several). Ordered by share, then id.
    """
    with shared_inputs():
        return _betweenness_between_groups(data, group_a, group_b, scope or Scope(), by, limit)


def _betweenness_between_groups(
    data: GraphData,
    group_a: str | Iterable[str],
    group_b: str | Iterable[str],
    scope: Scope,
    by: Literal["sector", "prefecture"],
    limit: int | None,
) -> GroupBrokers:
    first, second = _parse_groups(group_a, by), _parse_groups(group_b, by)
    G = actor_network(data, scope)
    sectors = actor_sectors(records_as_of(data, scope.as_of), G.nodes)
    if by == "sector":
        members_a = {v for v in G if sectors[v] in first}
        members_b = {v for v in G if sectors[v] in second}
    else:
        members_a = {v for v, attrs in G.nodes(data=True) if set(attrs["prefectures"]) & set(first)}
        members_b = {v for v, attrs in G.nodes(data=True) if set(attrs["prefectures"]) & set(second)}
    paths, pairs = group_path_betweenness(G, members_a, members_b)
    ranked = sorted((v for v in G if paths[v] > 1e-12), key=lambda v: (-_rounded(paths[v]), v))
    shown = ranked if limit is None else ranked[:limit]
    label_a_ja = "・".join(_group_label(g, by, "ja") for g in first)
    label_b_ja = "・".join(_group_label(g, by, "ja") for g in second)
    label_a_en = " / ".join(_group_label(g, by, "en") for g in first)
    label_b_en = " / ".join(_group_label(g, by, "en") for g in second)
    brokers = []
    for rank, v in enumerate(shown, start=1):
        share = _rounded(paths[v] / pairs) if pairs else 0.0
        brokers.append(
            GroupBroker(
                **_actor(G, v, sectors),
                rank=rank,
                share=share,
                paths=_rounded(paths[v]),
                evidence=[
                    evidence(
                        "number",
                        f"{label_a_ja}と{label_b_ja}の間の最短経路の{share:.0%}が通る（到達できる{pairs}組中、"
                        f"{paths[v]:.1f}組分）",
                        f"{share:.0%} of the shortest paths between {label_a_en} and {label_b_en} pass through it "
                        f"({paths[v]:.1f} of {pairs} connected pairs)",
                        [v],
                    )
                ],
                advice=[
                    Advice(
                        ja=f"{label_a_ja}と{label_b_ja}を直接引き合わせる場（共同イベント等）への協力を依頼する",
                        en=f"Ask for help bringing {label_a_en} and {label_b_en} together directly (a joint event)",
                    )
                ],
            )
        )
    return GroupBrokers(scope=scope.describe(), by=by, group_a=first, group_b=second, pairs=pairs, brokers=brokers)
