"""A synthetic country: seeded, deterministic graphs shaped like the real 地域SECUNITY network, at any size.

    .venv/bin/python bench/synthetic.py --size M --seed 1 --out /tmp/m.json   # a JSON export others can load
    .venv/bin/python bench/synthetic.py --size M --check                      # determinism and counts only

Sizes (``parse_size``): ``S`` is the seed data itself (``seed_data/`` loaded into a temporary embedded
store, ``snapshot()``); ``M`` is the national size of issue 8 (20,000 organisations, 60,000 people,
8,000 events, about 600,000 relationships); ``L`` is ten times M; ``0.1M`` (any factor before ``M``)
is M scaled down or up.

What it is shaped on (the seed data's proportions, and the country's):

- **Geography**: the 47 prefectures in their METI and MIC areas; organisations and people spread by
  each prefecture's population (2020 census, ``PREFECTURE_POPULATION``); about a tenth of the
  organisations are national (no prefecture: vendors, telecoms, associations, agencies), as in the seed
  data where national bodies are named beside local ones.
- **Organisations by sector**: the bodies a prefecture has one of (police, the prefectural
  government, its board of education, its SME federation; one METI and one MIC bureau per area; a
  dozen national agencies) at every size, and the rest drawn by ``SECTOR_SHARES``: many SMEs and
  companies, IT vendors, chambers and societies of commerce, universities; few insurers, banks, media.
- **Communities**: prefectural ones by population (Tokyo many, Tottori one), one per MIC area
  (地域SECUNITY), one programme per METI area, a few national ones with no region, and working groups
  that are sub-units of another community. Each has a secretariat (police, prefecture, bureau or
  chamber), members with member classes and start (and some end) dates, partners, contacts and a long
  list.
- **People** work at one organisation at a time; about a third moved (WORKS_AT with start and end,
  then the next employer), staff drawn heavier to large bodies. Some are individual members.
- **Events** from FY2008 to 2026, more each year, most in annual series run by a community (roles
  set on the series or the edition), with co-hosts, supporters, cooperators, 1–4 speakers (SPOKE_AT,
  people from vendors, universities, police) and named attendees (ATTENDED), mostly local people and
  members' staff. ATTENDED is the bulk of the ties: about 600,000 relationships for 8,000 events
  leaves ~45 named attendees an event once the other ties are counted.

The graph is what ``EmbeddedStore.snapshot()`` gives: the built-in prefectures and regions, every
written relationship and the relationships derived from the nodes' fields (LOCATED_IN, IN_SERIES,
COUNTS, IN_REGION); "relationships" counts them all.

Records are validated (``model_validate``), as the importer would: measured here, building them with
``model_construct`` instead saves nothing (pydantic 2's ``model_construct`` runs in Python, its
validation in Rust: both cost about 10 µs a relationship, and generating 0.1M took 2.8 s either way;
``construct_vs_validate`` measures it in every benchmark run, the figure is in
``bench/results/at_scale.md``). ``--construct`` builds them unvalidated; the graph is the same.

Same size and seed → the same graph: one ``random.Random(seed)``, nothing drawn while iterating a set,
ids numbered in creation order (``fingerprint`` hashes the sorted ids and ends).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import math
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secgraph.model import geography
from secgraph.model.graph import GraphData, derived_relationships, geography_graph
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
from secgraph.model.vocabulary import Sector, label

REPO = Path(__file__).resolve().parents[1]
SEED_DATA = REPO / "seed_data"

#: Issue 8's national size; L is ten times it.
M_ORGANISATIONS = 20_000
M_PEOPLE = 60_000
M_EVENTS = 8_000
L_FACTOR = 10.0

SOURCE = "synthetic country (bench/synthetic.py)"
#: The latest date in the synthetic data: events after it are planned.
DATA_DATE = "2025-06-30"
FIRST_FISCAL_YEAR = 2008
LAST_FISCAL_YEAR = 2026

#: Population in thousands by JIS code, 2020 census (rounded): where bodies, people and communities are.
PREFECTURE_POPULATION: dict[str, int] = {
    "01": 5225, "02": 1238, "03": 1211, "04": 2302, "05": 960, "06": 1068, "07": 1833, "08": 2867,
    "09": 1933, "10": 1939, "11": 7345, "12": 6284, "13": 14048, "14": 9237, "15": 2201, "16": 1035,
    "17": 1133, "18": 767, "19": 810, "20": 2048, "21": 1979, "22": 3633, "23": 7542, "24": 1770,
    "25": 1414, "26": 2578, "27": 8838, "28": 5465, "29": 1324, "30": 923, "31": 553, "32": 671,
    "33": 1888, "34": 2800, "35": 1342, "36": 720, "37": 950, "38": 1335, "39": 692, "40": 5135,
    "41": 811, "42": 1312, "43": 1738, "44": 1124, "45": 1070, "46": 1588, "47": 1467,
}  # fmt: skip

#: Share of the organisations beyond the fixed institutions, by sector: many SMEs, few banks and media.
SECTOR_SHARES: dict[str, float] = {
    "sme": 0.42, "company": 0.12, "it_vendor": 0.10, "security_vendor": 0.025, "consultancy": 0.02,
    "telecom": 0.005, "medical": 0.04, "municipality": 0.04, "support_organisation": 0.01,
    "university": 0.025, "kosen": 0.003, "vocational_school": 0.012, "research_institute": 0.005,
    "chamber_of_commerce": 0.025, "society_of_commerce": 0.03, "economic_federation": 0.005,
    "industry_association": 0.03, "insurer": 0.005, "bank": 0.01, "media": 0.01, "npo": 0.02,
    "grassroots_community": 0.005, "professional_body": 0.01, "other": 0.008,
}  # fmt: skip
#: Share of each sector's bodies that are national (no prefecture).
NATIONAL_SHARE: dict[str, float] = {
    "security_vendor": 0.35, "it_vendor": 0.12, "consultancy": 0.35, "telecom": 0.4, "insurer": 0.5,
    "industry_association": 0.3, "economic_federation": 0.3, "media": 0.2, "professional_body": 0.4,
    "npo": 0.2, "company": 0.05, "research_institute": 0.3, "other": 0.2,
}  # fmt: skip
#: How many staff a body has, relative to an SME (the mean of a log-normal draw).
STAFF_WEIGHT: dict[str, float] = {
    "police": 8, "prefecture": 10, "meti_bureau": 6, "mic_bureau": 6, "national_agency": 12,
    "board_of_education": 4, "sme_federation": 3, "municipality": 3, "university": 8, "security_vendor": 6,
    "it_vendor": 4, "telecom": 10, "consultancy": 4, "company": 3, "chamber_of_commerce": 3,
    "support_organisation": 3, "research_institute": 4, "media": 3, "bank": 4, "insurer": 4,
}  # fmt: skip
#: Sectors that send speakers, by weight.
SPEAKER_SECTORS: dict[str, float] = {
    "security_vendor": 5, "it_vendor": 3, "university": 3, "police": 3, "consultancy": 2, "national_agency": 2,
    "telecom": 1, "insurer": 1, "professional_body": 1, "kosen": 1, "prefecture": 1,
}  # fmt: skip
#: Sectors a community's members come from, by weight (SMEs and their support bodies first).
MEMBER_SECTORS: dict[str, float] = {
    "sme": 1.0, "company": 1.0, "it_vendor": 3.0, "security_vendor": 4.0, "consultancy": 2.0, "telecom": 3.0,
    "chamber_of_commerce": 6.0, "society_of_commerce": 4.0, "sme_federation": 8.0, "economic_federation": 5.0,
    "industry_association": 4.0, "university": 5.0, "kosen": 5.0, "vocational_school": 3.0, "municipality": 2.0,
    "support_organisation": 6.0, "police": 8.0, "prefecture": 8.0, "board_of_education": 3.0, "bank": 4.0,
    "insurer": 4.0, "media": 2.0, "npo": 3.0, "professional_body": 4.0, "medical": 1.0,
}  # fmt: skip
#: Event types by weight, with the mean number of named attendees of each.
EVENT_TYPES: dict[str, tuple[float, float]] = {
    "seminar": (40, 72), "workshop": (12, 32), "exercise": (8, 38), "ctf": (4, 50), "lt": (4, 38),
    "meeting": (15, 15), "forum": (4, 175), "briefing": (6, 50), "lecture_series": (5, 45), "campaign": (2, 28),
}  # fmt: skip
FAMILY_NAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
                "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水")  # fmt: skip
GIVEN_NAMES = ("翔太", "大輔", "健一", "直樹", "拓也", "美咲", "陽子", "恵", "裕子", "真由美", "誠", "浩", "隆", "聡",
               "亮", "彩", "愛", "智子", "剛", "和也")  # fmt: skip
#: Sectors whose staff rotate (人事異動).
ROTATING_SECTORS = frozenset(
    {"police", "prefecture", "meti_bureau", "mic_bureau", "national_agency", "board_of_education", "municipality"}
)
JOB_TITLES = ("担当", "主任", "係長", "課長", "部長", "代表取締役", "教授", "准教授", "主任研究員", "警部補")


@dataclass(frozen=True)
class Size:
    """A graph size: the seed data (``factor`` None) or M scaled by ``factor``."""

    label: str
    factor: float | None

    def counts(self) -> dict[str, int]:
        """Organisations, people and events this size asks for (empty for the seed data)."""
        if self.factor is None:
            return {}
        return {
            "organisations": round(M_ORGANISATIONS * self.factor),
            "people": round(M_PEOPLE * self.factor),
            "events": round(M_EVENTS * self.factor),
        }


def parse_size(text: str) -> Size:
    """``S``, ``M``, ``L``, or a factor of M (``0.1M``, ``M/4``)."""
    text = text.strip()
    if text.upper() == "S":
        return Size("S", None)
    if text.upper() == "M":
        return Size("M", 1.0)
    if text.upper() == "L":
        return Size("L", L_FACTOR)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)M|M/(\d+(?:\.\d+)?)", text, flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"size {text!r}: use S, M, L, a factor of M such as 0.1M, or M/4")
    factor = float(match.group(1)) if match.group(1) else 1.0 / float(match.group(2))
    if factor <= 0:
        raise ValueError(f"size {text!r} must be larger than zero")
    return Size(text, factor)


# ---------------------------------------------------------------------------------------------- drawing


class Draw:
    """Weighted draws from a fixed list, by bisection on cumulative weights (``random.choices`` re-sums
    the weights on every call)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))

    def __bool__(self) -> bool:
        return bool(self.items)

    def one(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]

    def distinct(self, rng: random.Random, k: int, tries: int = 4) -> list[Any]:
        """Up to ``k`` distinct items (fewer when the list is short), in the order drawn."""
        chosen: dict[Any, None] = {}
        for _ in range(k * tries):
            if len(chosen) >= min(k, len(self.items)):
                break
            chosen[self.one(rng)] = None
        return list(chosen)


def _day(rng: random.Random, first_year: int, last_year: int) -> str:
    """A date in fiscal years ``first_year``..``last_year`` (April to March)."""
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    calendar_year = year + (month <= 3)
    return f"{calendar_year:04d}-{month:02d}-{rng.randint(1, 28):02d}"


def _fiscal_year(day: str) -> int:
    year, month = int(day[:4]), int(day[5:7])
    return year - (month <= 3)


# ---------------------------------------------------------------------------------------------- the country


@dataclass
class _Country:
    """What the generator keeps while it builds: records so far and the indexes that make draws local."""

    rng: random.Random
    validate: bool
    nodes: dict[str, Node] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    sector_of: dict[str, str] = field(default_factory=dict)
    prefecture_of: dict[str, str | None] = field(default_factory=dict)
    orgs_by_prefecture: dict[str | None, list[str]] = field(default_factory=lambda: defaultdict(list))
    orgs_by_sector: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    staff_weight: dict[str, float] = field(default_factory=dict)
    institution: dict[tuple[str, str], str] = field(default_factory=dict)
    people_by_prefecture: dict[str | None, list[str]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    communities: list[str] = field(default_factory=list)
    community_prefectures: dict[str, list[str]] = field(default_factory=dict)
    community_founded: dict[str, str] = field(default_factory=dict)
    community_members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    secretariat: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counter: itertools.count = field(default_factory=itertools.count)

    def make(self, model: type[Node] | type[Relationship], fields: dict[str, Any]) -> Any:
        fields = {"source": SOURCE, "as_of": fields.pop("as_of", DATA_DATE), **fields}
        return model.model_validate(fields) if self.validate else model.model_construct(**fields)

    def node(self, model: type[Node], **fields: Any) -> str:
        record = self.make(model, fields)
        self.nodes[record.id] = record
        return record.id

    def tie(self, rel_type: str, from_id: str, to_id: str, **fields: Any) -> None:
        rel_id = f"syn-r{next(self.counter):08d}"
        fields.setdefault("as_of", fields.get("start") or DATA_DATE)
        rel = self.make(Relationship, {"id": rel_id, "type": rel_type, "from_id": from_id, "to_id": to_id, **fields})
        self.relationships[rel_id] = rel


def _prefecture_draw(codes: Sequence[str] | None = None) -> Draw:
    codes = list(codes) if codes is not None else list(PREFECTURE_POPULATION)
    return Draw(codes, [PREFECTURE_POPULATION[c] for c in codes])


def _organisations(c: _Country, total: int) -> None:
    rng = c.rng
    n = itertools.count(1)

    def add(sector: str, prefecture: str | None, name: str) -> str:
        org_id = f"syn-org-{next(n):06d}"
        c.node(Organisation, id=org_id, name=name, sector=sector, prefecture=prefecture)
        c.sector_of[org_id] = sector
        c.prefecture_of[org_id] = prefecture
        c.orgs_by_prefecture[prefecture].append(org_id)
        c.orgs_by_sector[sector].append(org_id)
        c.staff_weight[org_id] = STAFF_WEIGHT.get(sector, 1.0) * rng.lognormvariate(0, 0.8)
        return org_id

    # The bodies every prefecture and area has exactly one of.
    for p in geography.prefectures():
        for sector, suffix in (
            ("police", "警察本部"),
            ("prefecture", "庁"),
            ("board_of_education", "教育委員会"),
            ("sme_federation", "中小企業団体中央会"),
        ):
            c.institution[sector, p.code] = add(sector, p.code, f"{p.name}{suffix}")
    for region in geography.regions():
        sector = "mic_bureau" if region.kind == "mic" else "meti_bureau"
        first = geography.prefectures_of_region(region.code)[0].code
        c.institution[sector, region.code] = add(sector, first, region.bureau)
    for i in range(12):
        add("national_agency", None, f"国の機関{i + 1}")
    sectors = Draw(list(SECTOR_SHARES), list(SECTOR_SHARES.values()))
    prefectures = _prefecture_draw()
    for i in range(max(0, total - len(c.sector_of))):
        sector = sectors.one(rng)
        national = rng.random() < NATIONAL_SHARE.get(sector, 0.0)
        prefecture = None if national else prefectures.one(rng)
        where = "全国" if prefecture is None else geography.prefecture(prefecture).short
        add(sector, prefecture, f"{where}の{label(Sector(sector))}{i + 1}")


def _people(c: _Country, total: int) -> None:
    rng = c.rng
    orgs = list(c.sector_of)
    employers = Draw(orgs, [c.staff_weight[o] for o in orgs])
    local = {p: Draw(ids, [c.staff_weight[o] for o in ids]) for p, ids in c.orgs_by_prefecture.items() if ids}
    for i in range(total):
        person_id = f"syn-per-{i + 1:06d}"
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
        c.node(Person, id=person_id, name=name, role_label="担当者")
        employer = employers.one(rng)
        # Public servants rotate every few years (人事異動), often within the same body; others move less.
        rotates = c.sector_of[employer] in ROTATING_SECTORS
        moves = rng.randint(1, 4) if rotates else (0 if rng.random() < 0.64 else (1 if rng.random() < 0.8 else 2))
        start = _day(rng, 1995, 2022)
        for move in range(moves + 1):
            end = None
            if move < moves:
                end = max(_day(rng, max(_fiscal_year(start), 2008), 2024), start)
            c.tie("WORKS_AT", person_id, employer, start=start, end=end, role=rng.choice(JOB_TITLES))
            c.staff[employer].append(person_id)
            if end is None:
                break
            start = end
            home = c.prefecture_of[employer]
            if rotates and rng.random() < 0.5:
                continue  # a new post in the same body
            # Most moves stay in the prefecture (a transfer, a new job nearby).
            employer = local[home].one(rng) if home in local and rng.random() < 0.7 else employers.one(rng)
        c.people_by_prefecture[c.prefecture_of[employer]].append(person_id)


def _community(
    c: _Country, name: str, region: str | None, prefectures: list[str], secretariat: list[str], parent: str | None
) -> str:
    rng = c.rng
    community_id = f"syn-com-{len(c.communities) + 1:05d}"
    founded = _day(rng, FIRST_FISCAL_YEAR - 3, 2023)
    status = rng.choices(("active", "proposed", "dissolved"), (0.92, 0.05, 0.03))[0]
    c.node(
        Community,
        id=community_id,
        name=name,
        region=region,
        prefectures=prefectures,
        founded=founded if rng.random() < 0.85 else None,
        status=status,
        as_of=founded,
    )
    c.communities.append(community_id)
    c.community_prefectures[community_id] = prefectures
    c.community_founded[community_id] = founded
    for body in secretariat:
        c.tie("SECRETARIAT_OF", body, community_id, start=founded, role="事務局")
        c.secretariat[community_id].append(body)
    if parent:
        c.tie("SUB_UNIT_OF", community_id, parent, start=founded)
    return community_id


def _communities(c: _Country, factor: float) -> None:
    rng = c.rng
    total_population = sum(PREFECTURE_POPULATION.values())
    for p in geography.prefectures():
        count = max(1, round(PREFECTURE_POPULATION[p.code] / total_population * 120 * factor))
        chambers = [o for o in c.orgs_by_prefecture[p.code] if c.sector_of[o] == "chamber_of_commerce"]
        police, government = c.institution["police", p.code], c.institution["prefecture", p.code]
        for i in range(count):
            # The first is run by the police and the prefecture together (as in Miyagi), later ones by
            # the prefecture, the police or a chamber of commerce.
            secretariat = [[police, government], [government], [police], [rng.choice(chambers or [police])]][
                min(i, 1 + i % 3)
            ]
            _community(c, f"{p.name}サイバーセキュリティ連絡会{i + 1}", p.mic_region, [p.code], secretariat, None)
    for region in geography.regions():
        codes = [p.code for p in geography.prefectures_of_region(region.code)]
        bureau = c.institution[("mic_bureau" if region.kind == "mic" else "meti_bureau"), region.code]
        for i in range(max(1, round(factor))):
            if region.kind == "mic":
                _community(c, f"{region.name}地域SECUNITY{i + 1}", region.code, codes, [bureau], None)
            else:
                _community(c, f"{region.bureau}サイバーセキュリティ事業{i + 1}", region.code, [], [bureau], None)
    agencies = c.orgs_by_sector["national_agency"]
    for i in range(max(2, round(8 * factor))):
        _community(c, f"全国サイバーセキュリティ協議会{i + 1}", None, [], [rng.choice(agencies)], None)
    # Working groups: sub-units of a community, in its area.
    for parent in rng.sample(c.communities, max(1, round(len(c.communities) * 0.1))):
        node = c.nodes[parent]
        _community(c, f"{node.name} ワーキンググループ", node.region, node.prefectures, c.secretariat[parent], parent)


def _members(c: _Country) -> None:
    rng = c.rng
    candidates: dict[tuple[str, ...], Draw] = {}
    all_orgs = list(c.sector_of)
    for community_id in c.communities:
        prefectures = c.community_prefectures[community_id]
        key = tuple(prefectures)
        if key not in candidates:
            pool = [o for p in prefectures for o in c.orgs_by_prefecture[p]] if prefectures else all_orgs
            pool += c.orgs_by_prefecture[None]  # national bodies join local communities too
            candidates[key] = Draw(pool, [MEMBER_SECTORS.get(c.sector_of[o], 0.2) for o in pool])
        size = min(1500, max(5, round(rng.lognormvariate(math.log(125), 0.9))))
        founded = c.community_founded[community_id]
        first = _fiscal_year(founded)
        for org_id in candidates[key].distinct(rng, size):
            if org_id in c.secretariat[community_id]:
                continue
            start = _day(rng, first, max(first, 2024))
            end = _day(rng, _fiscal_year(start), 2025) if rng.random() < 0.12 else None
            member_class = rng.choices(("corporate", "officer", "special_support", "supporting", "observer"),
                                       (0.8, 0.06, 0.05, 0.06, 0.03))[0]  # fmt: skip
            c.tie("MEMBER_OF", org_id, community_id, start=start, end=max(end, start) if end else None,
                  member_class=member_class)  # fmt: skip
            c.community_members[community_id].append(org_id)
        # Individual members: people of the area.
        local_people = [x for p in prefectures for x in c.people_by_prefecture[p]] if prefectures else []
        for person_id in rng.sample(local_people, min(len(local_people), round(size * 0.6))):
            start = _day(rng, first, max(first, 2024))
            c.tie("MEMBER_OF", person_id, community_id, start=start, member_class="individual")
        # The community's outreach: partners, contacts made by its secretariat, the long list.
        secretariat = c.secretariat[community_id]
        pool = candidates[key]
        for org_id in pool.distinct(rng, rng.randint(0, 30)):
            status = rng.choice(("prospect", "contacted", "engaged", "declined"))
            c.tie("LONG_LISTED", org_id, community_id, status=status, as_of=_day(rng, first, 2024))
        for org_id in pool.distinct(rng, rng.randint(0, 20)):
            if secretariat:
                c.tie("CONTACTED", secretariat[0], org_id, start=_day(rng, first, 2024), outcome="訪問")
        police = [c.institution["police", p] for p in prefectures[:2]]
        for partner in police + rng.sample(c.communities, min(2, len(c.communities))):
            if partner != community_id and rng.random() < 0.5:
                c.tie("PARTNERS_WITH", community_id, partner, start=_day(rng, first, 2024))
        if rng.random() < 0.3:
            c.node(
                Headcount,
                id=f"hc:{community_id}:members",
                subject_id=community_id,
                count_kind="members",
                count=size + rng.randint(0, 40),
                label=f"会員{size}者",
            )


def _events(c: _Country, total: int) -> None:
    rng = c.rng
    years = list(range(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR + 1))
    year_draw = Draw(years, [1 + (y - FIRST_FISCAL_YEAR) * 0.35 for y in years])  # more events each year
    activity = Draw(c.communities, [1 + len(c.community_members[x]) for x in c.communities])
    types = Draw(list(EVENT_TYPES), [w for w, _ in EVENT_TYPES.values()])
    speakers = Draw(
        [o for s in SPEAKER_SECTORS for o in c.orgs_by_sector[s] if c.staff[o]],
        [SPEAKER_SECTORS[c.sector_of[o]] for s in SPEAKER_SECTORS for o in c.orgs_by_sector[s] if c.staff[o]],
    )
    supporters = ("police", "prefecture", "mic_bureau", "meti_bureau", "chamber_of_commerce", "industry_association")
    support_draw = Draw([o for s in supporters for o in c.orgs_by_sector[s]], [1] * sum(
        len(c.orgs_by_sector[s]) for s in supporters))  # fmt: skip
    people_draw = {p: ids for p, ids in c.people_by_prefecture.items()}
    everyone = [x for ids in c.people_by_prefecture.values() for x in ids]
    series_count = itertools.count(1)
    made = 0
    while made < total:
        community_id = activity.one(rng)
        community = c.nodes[community_id]
        prefectures = c.community_prefectures[community_id] or [_prefecture_draw().one(rng)]
        event_type = types.one(rng)
        # Most events are editions of an annual series; a series runs for some years.
        editions = 1 if rng.random() < 0.2 else min(total - made, rng.randint(2, 12))
        first_year = min(year_draw.one(rng), LAST_FISCAL_YEAR - editions + 1)
        first_year = max(first_year, min(_fiscal_year(c.community_founded[community_id]), LAST_FISCAL_YEAR))
        series_id = None
        organiser = community_id if rng.random() < 0.75 or not c.secretariat[community_id] else rng.choice(
            c.secretariat[community_id])  # fmt: skip
        role_on_series = editions > 1 and rng.random() < 0.5
        if editions > 1:
            series_id = f"syn-ser-{next(series_count):05d}"
            c.node(EventSeries, id=series_id, name=f"{community.name} {event_type} シリーズ")
            if role_on_series:
                c.tie("ORGANISED", organiser, series_id, as_of=f"{first_year}-04-01", role="主催")
                for body in support_draw.distinct(rng, rng.randint(0, 2)):
                    c.tie("SUPPORTED", body, series_id, as_of=f"{first_year}-04-01", role="後援")
        mean_attendees = EVENT_TYPES[event_type][1]
        for edition in range(editions):
            made += 1
            event_id = f"syn-ev-{made:06d}"
            fiscal_year = min(first_year + edition, LAST_FISCAL_YEAR)
            start = _day(rng, fiscal_year, fiscal_year)
            status = "planned" if start > DATA_DATE else ("cancelled" if rng.random() < 0.02 else "held")
            prefecture = rng.choice(prefectures)
            attendees = min(400, max(3, round(rng.lognormvariate(math.log(mean_attendees), 0.6))))
            c.node(
                Event,
                id=event_id,
                title=f"{community.name} {event_type} 第{edition + 1}回",
                event_type=event_type,
                start=start,
                status=status,
                format=rng.choice(("onsite", "online", "hybrid")) if fiscal_year >= 2020 else "onsite",
                prefecture=prefecture,
                attendees=round(attendees * 1.3) if status == "held" else None,
                series_id=series_id,
                edition=edition + 1 if series_id else None,
                as_of=start,
            )
            if not role_on_series:
                c.tie("ORGANISED", organiser, event_id, as_of=start, role="主催")
            for body in support_draw.distinct(rng, rng.randint(0, 2)):
                if body != organiser:
                    c.tie(rng.choice(("CO_HOSTED", "SUPPORTED", "SUPPORTED")), body, event_id, as_of=start)
            if rng.random() < 0.15:
                other = rng.choice(c.communities)
                if other != community_id:
                    c.tie("CO_HOSTED", other, event_id, as_of=start, role="共催")  # 横連携
            for body in speakers.distinct(rng, rng.randint(0, 1)):
                c.tie("COOPERATED", body, event_id, as_of=start, role="協力")
            for body in speakers.distinct(rng, rng.randint(1, 4)):
                c.tie("SPOKE_AT", rng.choice(c.staff[body]), event_id, as_of=start, role="講演")
            if status != "held":
                continue
            # Named attendees: members' staff and people of the area, a few from elsewhere.
            members = c.community_members[community_id]
            local = people_draw.get(prefecture) or everyone
            chosen: dict[str, None] = {}
            for _ in range(attendees * 2):
                if len(chosen) >= attendees:
                    break
                roll = rng.random()
                if roll < 0.45 and members:
                    staff = c.staff[rng.choice(members)]
                    if staff:
                        chosen[rng.choice(staff)] = None
                elif roll < 0.95:
                    chosen[rng.choice(local)] = None
                else:
                    chosen[rng.choice(everyone)] = None
            for person_id in chosen:
                c.tie("ATTENDED", person_id, event_id, as_of=start)


def generate(size: Size | str, seed: int = 0, *, validate: bool = True) -> GraphData:
    """The synthetic country of ``size`` (``S`` is the seed data), as ``snapshot()`` would give it."""
    size = parse_size(size) if isinstance(size, str) else size
    if size.factor is None:
        return seed_graph()
    counts = size.counts()
    country = _Country(rng=random.Random(seed), validate=validate)
    _organisations(country, counts["organisations"])
    _people(country, counts["people"])
    _communities(country, size.factor)
    _members(country)
    _events(country, counts["events"])
    data = geography_graph()
    for node_id, node in country.nodes.items():
        data.nodes[node_id] = node
        for rel in derived_relationships(node):
            data.add_relationship(rel)
    data.relationships.update(country.relationships)
    return data


def seed_graph() -> GraphData:
    """The seed data, loaded into a temporary embedded store and read back (size S)."""
    from secgraph.io.importer import load
    from secgraph.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        load(store, SEED_DATA, progress=False)
        data = store.snapshot()
        store.close()
    return data


def fingerprint(data: GraphData) -> str:
    """A hash of the sorted node ids and kinds and the sorted relationships' ids, types, ends and dates."""
    digest = hashlib.sha256()
    for node_id in sorted(data.nodes):
        digest.update(f"{node_id}\t{data.nodes[node_id].kind}\n".encode())
    for rel_id in sorted(data.relationships):
        rel = data.relationships[rel_id]
        digest.update(f"{rel_id}\t{rel.type}\t{rel.from_id}\t{rel.to_id}\t{rel.start}\t{rel.end}\n".encode())
    return digest.hexdigest()


def summary(data: GraphData) -> dict[str, int]:
    """Nodes and relationships by kind, and the totals."""
    counts = data.counts()
    return {
        **counts,
        "nodes": len(data.nodes),
        "relationships": len(data.relationships),
    }


def construct_vs_validate(factor: float = 0.05, seed: int = 0, repeat: int = 3) -> dict[str, float]:
    """Median seconds to generate ``factor``·M with ``model_construct`` and with ``model_validate``,
    the two alternated (the machine is shared: alternating spreads its noise over both)."""
    size = Size(f"{factor}M", factor)
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeat):
        for validate in (False, True):
            started = time.perf_counter()
            generate(size, seed, validate=validate)
            timings[validate].append(time.perf_counter() - started)
    construct, validate = statistics.median(timings[False]), statistics.median(timings[True])
    return {
        "factor": factor,
        "repeat": repeat,
        "construct_s": round(construct, 3),
        "validate_s": round(validate, 3),
        "validate_x_construct": round(validate / construct, 2),
    }


def _timed(what: str, run: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = run()
    print(f"{what}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", help="S, M, L or a factor of M (0.1M, M/4); default M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--construct", action="store_true", help="build records with model_construct (unvalidated)")
    parser.add_argument("--out", type=Path, help="write the graph as a JSON export (json_graph.dump_graph)")
    parser.add_argument("--check", action="store_true", help="generate twice and compare fingerprints")
    args = parser.parse_args(argv)
    data = _timed("generate", lambda: generate(args.size, args.seed, validate=not args.construct))
    for kind, count in summary(data).items():
        print(f"{kind}\t{count}")
    print(f"fingerprint\t{fingerprint(data)}")
    if args.check:
        again = generate(args.size, args.seed, validate=not args.construct)
        same = fingerprint(again) == fingerprint(data)
        print(f"same seed, same graph\t{same}")
        if not same:
            raise SystemExit(1)
    if args.out:
        from secgraph.io.json_graph import dump_graph

        args.out.write_bytes(_timed("dump_graph", lambda: dump_graph(data)))
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
