"""Controlled vocabularies, each term with a Japanese and an English label.

Every vocabulary is a ``StrEnum`` whose value is the stable code stored in the graph and used in
CSV files. ``parse_term`` accepts the code, the Japanese label, the English label or a registered
synonym, so a secretariat can write 「警察」 or ``police`` in the same column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Label:
    ja: str
    en: str
    synonyms: tuple[str, ...] = ()


class SectorGroup(StrEnum):
    """The groups the documents use: 産学官個, with finance and media beside them."""

    INDUSTRY = "industry"
    ACADEMIA = "academia"
    GOVERNMENT = "government"
    INDIVIDUAL = "individual"
    FINANCE = "finance"
    MEDIA = "media"
    OTHER = "other"


SECTOR_GROUP_LABELS: dict[SectorGroup, Label] = {
    SectorGroup.INDUSTRY: Label("産", "Industry", ("産業",)),
    SectorGroup.ACADEMIA: Label("学", "Academia", ("学術",)),
    SectorGroup.GOVERNMENT: Label("官", "Government", ("行政",)),
    SectorGroup.INDIVIDUAL: Label("個", "Individuals / grassroots", ("個人",)),
    SectorGroup.FINANCE: Label("金融", "Finance"),
    SectorGroup.MEDIA: Label("メディア", "Media", ("報道",)),
    SectorGroup.OTHER: Label("その他", "Other"),
}


class Sector(StrEnum):
    POLICE = "police"
    METI_BUREAU = "meti_bureau"
    MIC_BUREAU = "mic_bureau"
    NATIONAL_AGENCY = "national_agency"
    PREFECTURE = "prefecture"
    MUNICIPALITY = "municipality"
    BOARD_OF_EDUCATION = "board_of_education"
    SUPPORT_ORGANISATION = "support_organisation"
    UNIVERSITY = "university"
    KOSEN = "kosen"
    VOCATIONAL_SCHOOL = "vocational_school"
    RESEARCH_INSTITUTE = "research_institute"
    CHAMBER_OF_COMMERCE = "chamber_of_commerce"
    SOCIETY_OF_COMMERCE = "society_of_commerce"
    SME_FEDERATION = "sme_federation"
    ECONOMIC_FEDERATION = "economic_federation"
    INDUSTRY_ASSOCIATION = "industry_association"
    SECURITY_VENDOR = "security_vendor"
    IT_VENDOR = "it_vendor"
    CONSULTANCY = "consultancy"
    TELECOM = "telecom"
    SME = "sme"
    LARGE_COMPANY = "large_company"
    COMPANY = "company"
    INSURER = "insurer"
    BANK = "bank"
    MEDIA = "media"
    NPO = "npo"
    GRASSROOTS_COMMUNITY = "grassroots_community"
    PROFESSIONAL_BODY = "professional_body"
    MEDICAL = "medical"
    OTHER = "other"


@dataclass(frozen=True)
class SectorInfo:
    label: Label
    group: SectorGroup


_I, _A, _G, _P, _F, _M, _O = (
    SectorGroup.INDUSTRY,
    SectorGroup.ACADEMIA,
    SectorGroup.GOVERNMENT,
    SectorGroup.INDIVIDUAL,
    SectorGroup.FINANCE,
    SectorGroup.MEDIA,
    SectorGroup.OTHER,
)

SECTORS: dict[Sector, SectorInfo] = {
    Sector.POLICE: SectorInfo(Label("警察", "Police", ("都道府県警察", "県警", "警察本部")), _G),
    Sector.METI_BUREAU: SectorInfo(
        Label("経済産業局", "METI regional bureau", ("経産局", "経済産業局等", "METI bureau")), _G
    ),
    Sector.MIC_BUREAU: SectorInfo(
        Label("総合通信局", "MIC telecom bureau", ("総通局", "総合通信事務所", "MIC bureau")), _G
    ),
    Sector.NATIONAL_AGENCY: SectorInfo(
        Label("国の機関", "National ministry or agency", ("国", "省庁", "独立行政法人", "national")), _G
    ),
    Sector.PREFECTURE: SectorInfo(Label("都道府県", "Prefectural government", ("県", "県庁")), _G),
    Sector.MUNICIPALITY: SectorInfo(Label("市区町村", "Municipality", ("自治体", "市町村")), _G),
    Sector.BOARD_OF_EDUCATION: SectorInfo(Label("教育委員会", "Board of education"), _G),
    Sector.SUPPORT_ORGANISATION: SectorInfo(
        Label("産業支援機関", "Public industry-support body", ("公設試", "振興財団", "支援機関")), _G
    ),
    Sector.UNIVERSITY: SectorInfo(Label("大学", "University", ("大学院",)), _A),
    Sector.KOSEN: SectorInfo(Label("高等専門学校", "Kosen (technical college)", ("高専",)), _A),
    Sector.VOCATIONAL_SCHOOL: SectorInfo(Label("専門学校", "Vocational school"), _A),
    Sector.RESEARCH_INSTITUTE: SectorInfo(Label("研究機関", "Research institute"), _A),
    Sector.CHAMBER_OF_COMMERCE: SectorInfo(Label("商工会議所", "Chamber of commerce"), _I),
    Sector.SOCIETY_OF_COMMERCE: SectorInfo(Label("商工会", "Society of commerce and industry"), _I),
    Sector.SME_FEDERATION: SectorInfo(Label("中小企業団体中央会", "SME federation", ("中央会",)), _I),
    Sector.ECONOMIC_FEDERATION: SectorInfo(Label("経済団体", "Economic federation", ("経済連合会", "経済同友会")), _I),
    Sector.INDUSTRY_ASSOCIATION: SectorInfo(
        Label("業界団体", "Industry association", ("工業会", "協同組合", "協会")), _I
    ),
    Sector.SECURITY_VENDOR: SectorInfo(Label("セキュリティベンダー", "Security vendor", ("セキュリティ企業",)), _I),
    Sector.IT_VENDOR: SectorInfo(
        Label("ITベンダー・代理店", "IT vendor or agent", ("IT企業", "代理店", "ITベンダー")), _I
    ),
    Sector.CONSULTANCY: SectorInfo(
        Label("コンサルティング・シンクタンク", "Consultancy or think-tank", ("シンクタンク",)), _I
    ),
    Sector.TELECOM: SectorInfo(Label("通信事業者", "Telecom operator"), _I),
    Sector.SME: SectorInfo(Label("中小企業・利用企業", "SME / user company", ("中小企業", "利用企業", "企業")), _I),
    Sector.LARGE_COMPANY: SectorInfo(
        Label("大企業・ユーザー企業", "Large user company", ("大企業", "ユーザー企業", "大手企業")), _I
    ),
    Sector.COMPANY: SectorInfo(Label("一般企業", "Other company"), _I),
    Sector.INSURER: SectorInfo(Label("保険会社", "Insurer", ("損害保険", "保険", "保険代理店")), _F),
    Sector.BANK: SectorInfo(Label("銀行", "Bank", ("金融機関", "信用金庫")), _F),
    Sector.MEDIA: SectorInfo(Label("報道機関", "Media", ("新聞", "放送", "メディア")), _M),
    Sector.NPO: SectorInfo(Label("NPO・非営利団体", "NPO / non-profit", ("NPO", "非営利団体")), _P),
    Sector.GRASSROOTS_COMMUNITY: SectorInfo(
        Label("有志コミュニティ", "Grassroots community", ("草の根", "勉強会")), _P
    ),
    Sector.PROFESSIONAL_BODY: SectorInfo(Label("専門家団体", "Professional body", ("士業", "支援士会")), _P),
    Sector.MEDICAL: SectorInfo(Label("医療機関", "Medical", ("医療", "病院")), _I),
    Sector.OTHER: SectorInfo(Label("その他", "Other"), _O),
}

#: Sectors whose bodies act only within their own territory — a prefecture's police and government, a
#: municipality and its board of education, the METI or MIC bureau of an area: a community can ask only
#: those of its own prefectures and bureau areas (national police bodies aside: they have no territory).
JURISDICTION_SECTORS: frozenset[Sector] = frozenset(
    {
        Sector.POLICE,
        Sector.PREFECTURE,
        Sector.MUNICIPALITY,
        Sector.BOARD_OF_EDUCATION,
        Sector.METI_BUREAU,
        Sector.MIC_BUREAU,
    }
)
#: Sectors with no national body: every one of them stands in a prefecture (a bureau serves an area;
#: an SME works where it is). One recorded without a prefecture is somewhere the data does not say,
#: not a national body.
LOCAL_SECTORS: frozenset[Sector] = frozenset(
    {
        Sector.SME,
        Sector.PREFECTURE,
        Sector.MUNICIPALITY,
        Sector.BOARD_OF_EDUCATION,
        Sector.METI_BUREAU,
        Sector.MIC_BUREAU,
        Sector.UNIVERSITY,
        Sector.KOSEN,
        Sector.VOCATIONAL_SCHOOL,
    }
)
#: The bureau sectors and the kind of area (``Region.kind``) each serves.
BUREAU_AREA_KINDS: dict[Sector, str] = {Sector.METI_BUREAU: "meti", Sector.MIC_BUREAU: "mic"}


class EventType(StrEnum):
    SEMINAR = "seminar"
    LECTURE_SERIES = "lecture_series"
    WORKSHOP = "workshop"
    EXERCISE = "exercise"
    CTF = "ctf"
    LT = "lt"
    BRIEFING = "briefing"
    MEETING = "meeting"
    FORUM = "forum"
    CAMPAIGN = "campaign"
    OTHER = "other"


EVENT_TYPES: dict[EventType, Label] = {
    EventType.SEMINAR: Label("セミナー", "Seminar", ("講演会", "研修")),
    EventType.LECTURE_SERIES: Label("連続講座", "Lecture series", ("リレー講座", "講座")),
    EventType.WORKSHOP: Label("ワークショップ", "Workshop", ("勉強会",)),
    EventType.EXERCISE: Label("演習", "Exercise", ("インシデント演習", "訓練")),
    EventType.CTF: Label("CTF", "CTF", ("競技",)),
    EventType.LT: Label("LT大会", "Lightning talks", ("LT",)),
    EventType.BRIEFING: Label("説明会", "Briefing"),
    EventType.MEETING: Label("会議", "Meeting", ("会合", "総会", "検討会", "連絡会議")),
    EventType.FORUM: Label("フォーラム", "Forum", ("シンポジウム",)),
    EventType.CAMPAIGN: Label("キャンペーン", "Campaign", ("啓発活動",)),
    EventType.OTHER: Label("その他", "Other"),
}


class EventFormat(StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"


EVENT_FORMATS: dict[EventFormat, Label] = {
    EventFormat.ONSITE: Label("会場", "On-site", ("対面", "集合")),
    EventFormat.ONLINE: Label("オンライン", "Online", ("Web", "ウェビナー")),
    EventFormat.HYBRID: Label("ハイブリッド", "Hybrid", ("併用",)),
}


class EventStatus(StrEnum):
    HELD = "held"
    PLANNED = "planned"
    CANCELLED = "cancelled"


EVENT_STATUSES: dict[EventStatus, Label] = {
    EventStatus.HELD: Label("開催済", "Held", ("実施", "開催")),
    EventStatus.PLANNED: Label("予定", "Planned", ("計画",)),
    EventStatus.CANCELLED: Label("中止", "Cancelled"),
}


class MemberClass(StrEnum):
    CORPORATE = "corporate"
    INDIVIDUAL = "individual"
    SPECIAL_SUPPORT = "special_support"
    SUPPORTING = "supporting"
    OFFICER = "officer"
    OBSERVER = "observer"


MEMBER_CLASSES: dict[MemberClass, Label] = {
    MemberClass.CORPORATE: Label("法人会員", "Corporate member", ("正会員", "団体会員", "構成員", "会員")),
    MemberClass.INDIVIDUAL: Label("個人会員", "Individual member"),
    MemberClass.SPECIAL_SUPPORT: Label("特別支援構成員", "Special support member"),
    MemberClass.SUPPORTING: Label("賛助会員", "Supporting member"),
    MemberClass.OFFICER: Label("役員", "Officer", ("理事", "幹事", "会長", "委員")),
    MemberClass.OBSERVER: Label("オブザーバー", "Observer"),
}


class LongListStatus(StrEnum):
    PROSPECT = "prospect"
    CONTACTED = "contacted"
    ENGAGED = "engaged"
    DECLINED = "declined"


class Certainty(StrEnum):
    """How a tie is known: a document states it, or whoever entered the data inferred it."""

    STATED = "stated"
    INFERRED = "inferred"


CERTAINTIES: dict[Certainty, Label] = {
    Certainty.STATED: Label("明記", "Stated", ("記載",)),
    Certainty.INFERRED: Label("推定", "Inferred", ("推測",)),
}


LONG_LIST_STATUSES: dict[LongListStatus, Label] = {
    LongListStatus.PROSPECT: Label("候補", "Prospect"),
    LongListStatus.CONTACTED: Label("接触済", "Contacted"),
    LongListStatus.ENGAGED: Label("参画", "Engaged"),
    LongListStatus.DECLINED: Label("辞退", "Declined"),
}


class CommunityStatus(StrEnum):
    ACTIVE = "active"
    PROPOSED = "proposed"
    DISSOLVED = "dissolved"


COMMUNITY_STATUSES: dict[CommunityStatus, Label] = {
    CommunityStatus.ACTIVE: Label("活動中", "Active"),
    CommunityStatus.PROPOSED: Label("構想中", "Proposed", ("計画", "仮")),
    CommunityStatus.DISSOLVED: Label("解散", "Dissolved", ("休止",)),
}


class HeadcountKind(StrEnum):
    MEMBERS = "members"
    ATTENDEES = "attendees"
    APPLICANTS = "applicants"


HEADCOUNT_KINDS: dict[HeadcountKind, Label] = {
    HeadcountKind.MEMBERS: Label("構成員数", "Members"),
    HeadcountKind.ATTENDEES: Label("参加者数", "Attendees", ("参加者",)),
    HeadcountKind.APPLICANTS: Label("申込者数", "Applicants", ("申込者",)),
}


class RelType(StrEnum):
    SECRETARIAT_OF = "SECRETARIAT_OF"
    MEMBER_OF = "MEMBER_OF"
    ORGANISED = "ORGANISED"
    CO_HOSTED = "CO_HOSTED"
    SUPPORTED = "SUPPORTED"
    COOPERATED = "COOPERATED"
    SPOKE_AT = "SPOKE_AT"
    ATTENDED = "ATTENDED"
    WORKS_AT = "WORKS_AT"
    LOCATED_IN = "LOCATED_IN"
    PARTNERS_WITH = "PARTNERS_WITH"
    SUB_UNIT_OF = "SUB_UNIT_OF"
    CONTACTED = "CONTACTED"
    LONG_LISTED = "LONG_LISTED"
    IN_SERIES = "IN_SERIES"
    IN_REGION = "IN_REGION"
    COUNTS = "COUNTS"
    ABOUT = "ABOUT"


REL_TYPES: dict[RelType, Label] = {
    RelType.SECRETARIAT_OF: Label("事務局", "Secretariat of", ("共同事務局",)),
    RelType.MEMBER_OF: Label("構成員", "Member of", ("会員", "加盟")),
    RelType.ORGANISED: Label("主催", "Organised"),
    RelType.CO_HOSTED: Label("共催", "Co-hosted"),
    RelType.SUPPORTED: Label("後援", "Supported"),
    RelType.COOPERATED: Label("協力", "Cooperated", ("協賛",)),
    RelType.SPOKE_AT: Label("講演", "Spoke at", ("講師", "登壇")),
    RelType.ATTENDED: Label("参加", "Attended", ("出席", "受講")),
    RelType.WORKS_AT: Label("所属", "Works at", ("勤務",)),
    RelType.LOCATED_IN: Label("所在", "Located in"),
    RelType.PARTNERS_WITH: Label("連携", "Partners with", ("提携", "協定")),
    RelType.SUB_UNIT_OF: Label("下部組織", "Sub-unit of", ("部会", "分科会")),
    RelType.CONTACTED: Label("接触", "Contacted", ("訪問", "面談")),
    RelType.LONG_LISTED: Label("ロングリスト", "On the long list of"),
    RelType.IN_SERIES: Label("シリーズ", "Edition of series"),
    RelType.IN_REGION: Label("管轄", "In region"),
    RelType.COUNTS: Label("人数", "Counts"),
    RelType.ABOUT: Label("メモ対象", "Note about"),
}

#: Relationship types a user writes in relationships.csv. The others are derived from node fields
#: (an organisation's prefecture, an event's series, a headcount's subject, a note's subject).
USER_REL_TYPES: tuple[RelType, ...] = (
    RelType.SECRETARIAT_OF,
    RelType.MEMBER_OF,
    RelType.ORGANISED,
    RelType.CO_HOSTED,
    RelType.SUPPORTED,
    RelType.COOPERATED,
    RelType.SPOKE_AT,
    RelType.ATTENDED,
    RelType.WORKS_AT,
    RelType.PARTNERS_WITH,
    RelType.SUB_UNIT_OF,
    RelType.CONTACTED,
    RelType.LONG_LISTED,
)

#: Relationship types that only state a record's own field (an organisation's, event's or community's
#: place, an event's series, a headcount's or note's subject) or the built-in geography (a prefecture's
#: regions). Such a tie holds whenever both its records are there: it has no dates of its own.
DERIVED_REL_TYPES: tuple[RelType, ...] = (
    RelType.LOCATED_IN,
    RelType.IN_SERIES,
    RelType.COUNTS,
    RelType.ABOUT,
    RelType.IN_REGION,
)

#: The four event roles of 主催・共催・後援・協力, strongest first.
EVENT_ROLE_TYPES: tuple[RelType, ...] = (
    RelType.ORGANISED,
    RelType.CO_HOSTED,
    RelType.SUPPORTED,
    RelType.COOPERATED,
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "").replace("_", "")


def _index(labels: dict[E, Label]) -> dict[str, E]:
    index: dict[str, E] = {}
    for term, label in labels.items():
        for key in (term.value, term.name, label.ja, label.en, *label.synonyms):
            index.setdefault(_fold(key), term)
    return index


_SECTOR_LABELS = {sector: info.label for sector, info in SECTORS.items()}
LABELS: dict[type[StrEnum], dict] = {
    Sector: _SECTOR_LABELS,
    SectorGroup: SECTOR_GROUP_LABELS,
    EventType: EVENT_TYPES,
    EventFormat: EVENT_FORMATS,
    EventStatus: EVENT_STATUSES,
    MemberClass: MEMBER_CLASSES,
    LongListStatus: LONG_LIST_STATUSES,
    Certainty: CERTAINTIES,
    HeadcountKind: HEADCOUNT_KINDS,
    CommunityStatus: COMMUNITY_STATUSES,
    RelType: REL_TYPES,
}
_INDEXES: dict[type[StrEnum], dict[str, StrEnum]] = {
    vocabulary: _index(labels) for vocabulary, labels in LABELS.items()
}


def parse_term(vocabulary: type[E], text: str) -> E:
    """Return the term of ``vocabulary`` named by ``text`` (code, Japanese or English label)."""
    term = _INDEXES[vocabulary].get(_fold(text))
    if term is None:
        known = ", ".join(f"{t.value}（{LABELS[vocabulary][t].ja}）" for t in vocabulary)
        raise ValueError(f"unknown {vocabulary.__name__} '{text}' / 不明な値です。使える値: {known}")
    return term  # type: ignore[return-value]


def label(term: StrEnum, lang: str = "ja") -> str:
    entry: Label = LABELS[type(term)][term]
    return entry.ja if lang == "ja" else entry.en


def sector_group(sector: Sector) -> SectorGroup:
    return SECTORS[sector].group


#: The kinds of record, as people call them (the one table: maps, profiles, tables and files read it).
KIND_LABELS: dict[str, Label] = {
    "Organisation": Label("団体", "Organisation"),
    "Person": Label("人物", "Person"),
    "Community": Label("コミュニティ", "Community"),
    "EventSeries": Label("イベントシリーズ", "Event series"),
    "Event": Label("イベント", "Event"),
    "Headcount": Label("人数", "Headcount"),
    "Note": Label("メモ", "Note"),
}
#: The sector code the analyses give a community, which is an actor of its own and has no sector.
COMMUNITY_SECTOR = "community"


def kind_label(kind: str, lang: str = "ja") -> str:
    """A record kind (``Organisation``, ``Person`` …) in Japanese or English; an unknown kind as given."""
    entry = KIND_LABELS.get(kind)
    if entry is None:
        return kind
    return entry.ja if lang == "ja" else entry.en


def sector_label(sector: str | None, lang: str = "ja") -> str:
    """A sector code in Japanese or English: 不明 / unknown when there is none (a person without an
    employer), コミュニティ for a community; a code outside the vocabulary as given."""
    if not sector:
        return "不明" if lang == "ja" else "unknown"
    if sector == COMMUNITY_SECTOR:
        return kind_label("Community", lang)
    if sector in SECTORS:
        return label(Sector(sector), lang)
    return sector
