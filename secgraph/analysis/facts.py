"""Facts about a community that several analyses share: who belongs, who runs it, what it held,
which sectors it has — each with the records that show it.

A community's sectors come from its named members and secretariat *and* from membership known
only as counts (「企業14社」 counts as SMEs): the documents often give only numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from secgraph.analysis.network import editions_by_series, employers_on, reuse, shared_inputs, tie_index
from secgraph.model.graph import GraphData, community_of
from secgraph.model.listing import listed
from secgraph.model.records import Community, Event, EventSeries, Headcount, Node
from secgraph.model.vocabulary import (
    EVENT_ROLE_TYPES,
    SECTORS,
    HeadcountKind,
    RelType,
    Sector,
    SectorGroup,
    label,
    parse_term,
)


@dataclass(frozen=True)
class SectorNeed:
    """One sector a community is expected to have, satisfied by any of ``sectors``."""

    code: str
    ja: str
    en: str
    sectors: frozenset[Sector]


#: The default list of sectors a regional community should have (seed 000 §3.1, and the sectors the
#: product's users named: insurers, universities, police). A user may pass another list.
DEFAULT_SECTOR_NEEDS: tuple[SectorNeed, ...] = (
    SectorNeed("insurer", "保険会社", "Insurer", frozenset({Sector.INSURER})),
    SectorNeed("university", "大学・高専", "University or kosen", frozenset({Sector.UNIVERSITY, Sector.KOSEN})),
    SectorNeed("police", "警察", "Police", frozenset({Sector.POLICE})),
    SectorNeed("local_government", "自治体", "Local government", frozenset({Sector.PREFECTURE, Sector.MUNICIPALITY})),
    SectorNeed(
        "chamber",
        "商工会議所・商工会",
        "Chamber or society of commerce",
        frozenset({Sector.CHAMBER_OF_COMMERCE, Sector.SOCIETY_OF_COMMERCE}),
    ),
    SectorNeed(
        "bureau", "経済産業局・総合通信局", "METI or MIC bureau", frozenset({Sector.METI_BUREAU, Sector.MIC_BUREAU})
    ),
    SectorNeed(
        "vendor",
        "セキュリティ・ITベンダー",
        "Security or IT vendor",
        frozenset({Sector.SECURITY_VENDOR, Sector.IT_VENDOR}),
    ),
    SectorNeed("sme", "中小企業", "SMEs", frozenset({Sector.SME})),
)


def sector_need(sectors: list[str], code: str | None = None) -> SectorNeed:
    """A need made of the given sector codes or labels (for a user's own list): any of them meets it."""
    parsed = sorted(frozenset(parse_term(Sector, s) for s in sectors))
    return SectorNeed(
        code or "+".join(parsed),
        "・".join(label(s) for s in parsed),
        " or ".join(label(s, "en") for s in parsed),
        frozenset(parsed),
    )


@dataclass
class CommunityFacts:
    community: Community
    secretariat: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    #: Events and series the community itself held a role in (主催・共催・後援・協力), editions included.
    #: Which events a secretariat ran *for* a community is judged in activity.py (_attribute_events).
    events: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    headcounts: list[Headcount] = field(default_factory=list)
    #: Sector → evidence (ids of named bodies, or headcount labels).
    sectors: dict[str, list[str]] = field(default_factory=dict)


def communities(data: GraphData) -> list[Community]:
    return sorted((n for n in data.nodes.values() if isinstance(n, Community)), key=lambda c: c.id)


def community_facts(data: GraphData, community_id: str) -> CommunityFacts:
    """Who belongs to a community, who runs it, what it held and which sectors it has, with evidence.

    Looks up the community's own ties in ``network.tie_index`` (and the series' editions and member
    counts in indexes built once per data object inside ``shared_inputs``), so calling it for every
    community costs the communities' ties, not the graph's relationships once per community. Inside
    ``shared_inputs`` each community's facts are made once (a community's summary, its area's and
    the sector coverage all read them).
    """
    node = community_of(data, community_id)
    with shared_inputs():
        return reuse("community_facts", data, community_id, lambda: _community_facts(data, node))


def _community_facts(data: GraphData, node: Community) -> CommunityFacts:
    community_id = node.id
    ties = tie_index(data)
    facts = CommunityFacts(community=node)
    for rel in ties.by_to.get(community_id, []):
        if rel.type == RelType.SECRETARIAT_OF:
            facts.secretariat.append(rel.from_id)
        elif rel.type == RelType.MEMBER_OF:
            facts.members.append(rel.from_id)
    ran = {rel.to_id for rel in ties.by_from.get(community_id, []) if rel.type in EVENT_ROLE_TYPES}
    for item in ran:
        target = data.nodes.get(item)
        if isinstance(target, EventSeries):
            facts.series.append(item)
        elif isinstance(target, Event):
            facts.events.append(item)
    editions = editions_by_series(data)
    in_series = {e for series_id in facts.series for e in editions.get(series_id, [])}
    facts.events = sorted(set(facts.events) | in_series, key=lambda e: (data.nodes[e].start, e))  # type: ignore[attr-defined]
    facts.series.sort()
    facts.secretariat = sorted(set(facts.secretariat))
    facts.members = sorted(set(facts.members))
    facts.headcounts = list(_member_counts(data).get(community_id, []))
    evidence: dict[str, list[str]] = defaultdict(list)
    employers = employers_on(data)
    for body_id in sorted(set(facts.secretariat) | set(facts.members)):
        sector = getattr(data.nodes[body_id], "sector", None)
        if sector:
            evidence[sector].append(body_id)
        # A person who belongs brings the sector of where they work now (a key person from a university).
        employer = employers.get(body_id)
        employer_sector = getattr(data.nodes.get(employer), "sector", None) if employer else None
        if employer_sector:
            evidence[employer_sector].append(f"{body_id}@{employer}")
    for count in facts.headcounts:
        if count.sector and count.count > 0:
            evidence[count.sector].append(count.label or f"{count.count}")
    facts.sectors = {k: evidence[k] for k in sorted(evidence)}
    return facts


def _member_counts(data: GraphData) -> dict[str, list[Headcount]]:
    """Community id → its membership counts (「企業14社」), sorted by id; built once per data."""

    def build() -> dict[str, list[Headcount]]:
        counts: dict[str, list[Headcount]] = defaultdict(list)
        for node in data.nodes.values():
            if isinstance(node, Headcount) and node.count_kind == HeadcountKind.MEMBERS:
                counts[node.subject_id].append(node)
        return {subject: sorted(found, key=lambda h: h.id) for subject, found in counts.items()}

    return reuse("facts.member_counts", data, None, build)


def needs_met(facts: CommunityFacts, needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS) -> dict[str, list[str]]:
    """For each need, the evidence that meets it (empty list: missing)."""
    return {need.code: [e for sector in sorted(need.sectors) for e in facts.sectors.get(sector, [])] for need in needs}


def display(data: GraphData, node_id: str) -> str:
    node: Node | None = data.nodes.get(node_id)
    return node.display_name() if node else node_id


def names_of(data: GraphData, ids: Iterable[str], limit: int = 6) -> str:
    """The first ``limit`` display names, sorted by id, and how many more (for evidence text)."""
    return listed(sorted(ids), limit, name=lambda i: display(data, i))


#: The groups a count of members with neither sector nor group is read as counting: the documents'
#: 産学官個 (「県内の産・学・官の14機関」); finance and media bodies stand beside them and are named as such.
_COUNTED_GROUPS = frozenset(
    {SectorGroup.INDUSTRY, SectorGroup.ACADEMIA, SectorGroup.GOVERNMENT, SectorGroup.INDIVIDUAL}
)


def _counted_sectors(count: Headcount) -> frozenset[str]:
    """The sectors the members a count counts may be of: its sector, else its group's, else those of
    産学官個 (``_COUNTED_GROUPS``)."""
    if count.sector:
        return frozenset({str(count.sector)})
    groups = {count.group} if count.group else _COUNTED_GROUPS
    return frozenset(str(s) for s, term in SECTORS.items() if term.group in groups)


def unnamed_counts(data: GraphData, facts_of: list[CommunityFacts], need: SectorNeed) -> list[str]:
    """The membership counts that leave members unnamed and may hold ``need``'s sectors, by id.

    A count (「県内の産・学・官の14機関」, 「法人会員44社」) leaves members unnamed when it is larger than
    the named members and secretariat that could be among those it counts: of its sector, of its group
    (産学官個), or any for a count with neither (read as 産学官個, ``_COUNTED_GROUPS``). Such a count may
    hold a body of ``need`` when one of the need's sectors is among those it counts. A person counts
    under the sector of their employer.
    """
    employers = employers_on(data)
    found: set[str] = set()
    wanted = {str(s) for s in need.sectors}
    for facts in facts_of:
        named_sectors: list[str | None] = []
        for body_id in sorted(set(facts.members) | set(facts.secretariat)):
            node = data.nodes.get(body_id)
            sector = getattr(node, "sector", None)
            if sector is None and body_id in employers:
                sector = getattr(data.nodes.get(employers[body_id]), "sector", None)
            named_sectors.append(str(sector) if sector else None)
        for count in facts.headcounts:
            sectors = _counted_sectors(count)
            if not sectors & wanted:
                continue
            any_sector = not count.sector and not count.group
            named = sum(1 for s in named_sectors if any_sector or (s is not None and s in sectors))
            if count.count > named:
                found.add(count.id)
    return sorted(found)
