"""The records of the graph: organisations, people, communities, events and the ties between them.

Every record carries provenance (``source``: document and section, or who entered it; ``as_of``: the
date it was true) and may be marked ``confidential``. Field values are validated on construction,
and a rejected record names the field and the value.

Records are flat (strings, numbers, lists of strings) so that both stores hold them as they are:
Neo4j properties cannot be maps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from secgraph.model import geography
from secgraph.model.cadence import parse_cadence
from secgraph.model.dates import PartialDate, parse_date
from secgraph.model.names import normalise_text
from secgraph.model.vocabulary import (
    Certainty,
    CommunityStatus,
    EventFormat,
    EventStatus,
    EventType,
    HeadcountKind,
    LongListStatus,
    MemberClass,
    RelType,
    Sector,
    SectorGroup,
    parse_term,
)

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}$"
AUTO_ID = "auto"


def _date_text(value: Any) -> Any:
    """A date as its ISO text; a number (a year, 2020, in JSON) is read like the same digits as text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day).iso()
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return parse_date(normalise_text(str(value))).iso()
    return value  # a decimal, a list…: refused by the str it must become


def _term(vocabulary: type) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if value is None or value == "" or isinstance(value, vocabulary):
            return value or None
        return parse_term(vocabulary, normalise_text(str(value)))

    return BeforeValidator(parse)


def _cadence(value: Any) -> Any:
    if value is None or value == "":
        return None
    return parse_cadence(normalise_text(str(value))).value


def _text(value: Any) -> Any:
    return normalise_text(value) if isinstance(value, str) else value


def _optional_text(value: Any) -> Any:
    if isinstance(value, str):
        value = normalise_text(value)
        return value or None
    return value


def _prefecture_code(value: Any) -> Any:
    if value is None or value == "":
        return None
    return geography.prefecture(normalise_text(str(value))).code


def _region_code(value: Any) -> Any:
    if value is None or value == "":
        return None
    return geography.region(normalise_text(str(value))).code


def _text_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split("|")
    return [normalise_text(str(v)) for v in value if v is not None and normalise_text(str(v))]


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Name = Annotated[str, BeforeValidator(_text), StringConstraints(min_length=1, max_length=500)]
OptionalText = Annotated[Annotated[str, StringConstraints(max_length=20_000)] | None, BeforeValidator(_optional_text)]
DateText = Annotated[str | None, BeforeValidator(_date_text)]
RequiredDate = Annotated[str, BeforeValidator(_date_text)]
TextList = Annotated[list[Annotated[str, StringConstraints(max_length=500)]], BeforeValidator(_text_list)]
PrefectureCode = Annotated[str | None, BeforeValidator(_prefecture_code)]
RegionCode = Annotated[str | None, BeforeValidator(_region_code)]


def _prefecture_list(value: Any) -> Any:
    return [geography.prefecture(v).code for v in _text_list(value)]


PrefectureList = Annotated[list[str], BeforeValidator(_prefecture_list)]

# -- Numbers -----------------------------------------------------------------------------------------
# Every number a record holds has its range here, chosen from what it counts. A number beyond it is a
# slip of the keyboard or an attack, never data: 10^30 attendees would overflow the charts (and
# Neo4j's 64-bit integers), so it is refused where it comes in — the API (422) and every import (file,
# row, column) — and every store, analysis and drawing meets only numbers of a sane size.

#: People or bodies one count may state (members, attendees, applicants, capacity): Japan has about
#: 3.7 million enterprises, and no regional community, event or one count of it comes near 10 million.
MAX_COUNT = 10_000_000
#: Editions of one series (第n回): a monthly meeting would take over 800 years to reach 10,000.
MAX_EDITION = 10_000
#: A share of people, in per cent.
MAX_PERCENT = 100


def _not_a_truth_value(value: Any) -> Any:
    # JSON's true would otherwise count as 1.
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false / 数を入れてください（真偽値ではなく）")
    return value


def _within(low: int, high: int, what_en: str, what_ja: str) -> AfterValidator:
    def check(value: float) -> float:
        # NaN fails both comparisons, so a non-number is refused here too.
        if not low <= value <= high:
            raise ValueError(
                f"{what_en} must be between {low:,} and {high:,} / {what_ja}は{low:,}以上{high:,}以下にしてください"
            )
        return value

    return AfterValidator(check)


Count = Annotated[
    int,
    BeforeValidator(_not_a_truth_value),
    _within(0, MAX_COUNT, "a count of people or bodies", "人数・団体数"),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}),
]
Edition = Annotated[
    int,
    BeforeValidator(_not_a_truth_value),
    _within(1, MAX_EDITION, "an edition", "回次"),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_EDITION}),
]
Percent = Annotated[
    float,
    BeforeValidator(_not_a_truth_value),
    _within(0, MAX_PERCENT, "a percentage", "割合（%）"),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_PERCENT}),
]


def _not_before(end: str | None, start: str | None) -> str | None:
    if end is not None and start is not None and parse_date(end).last_day() < parse_date(start).first_day():
        raise ValueError(f"end {end} is before start {start} / 終了日 {end} が開始日 {start} より前です")
    return end


class Record(BaseModel):
    """What every node and relationship carries."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=True)

    source: Name = Field(
        description="出典（資料名と節、または入力者） / Source: document and section, or who entered it"
    )
    as_of: RequiredDate = Field(description="その事実が成り立っていた日付 / Date the fact was true")
    confidential: bool = Field(default=False, description="秘匿扱い / Confidential")
    note: OptionalText = Field(default=None, description="備考（出典の訂正など） / Note")

    @field_validator("confidential", mode="before")
    @classmethod
    def _parse_bool(cls, value: Any) -> Any:
        if isinstance(value, str):
            folded = value.strip().casefold()
            if folded in ("", "false", "0", "no", "いいえ", "否"):
                return False
            if folded in ("true", "1", "yes", "はい", "秘", "秘匿"):
                return True
        return value

    def properties(self) -> dict[str, Any]:
        """Flat, JSON- and Neo4j-ready properties, without empty values."""
        return {k: v for k, v in self.model_dump(mode="json").items() if v is not None and v != []}


class Node(Record):
    kind: ClassVar[str]
    id: Id = Field(description="一意の識別子 / Stable unique id")

    def display_name(self) -> str:
        return str(getattr(self, "name", None) or getattr(self, "title", None) or self.id)


class Mergeable(Node):
    """A record that others may be merged into (名寄せ): the ids merged away stay its aliases, so that
    a later load, a reference or an API call may still use them."""

    merged_ids: Annotated[list[Id], BeforeValidator(_text_list)] = Field(
        default_factory=list,
        description="名寄せで統合されたID（この記録を指す） / Ids merged into this record (resolve to it)",
    )

    @field_validator("merged_ids")
    @classmethod
    def _sorted_ids(cls, ids: list[str]) -> list[str]:
        # one order whatever the order of the merges, so that loading again changes nothing
        return sorted(set(ids))

    def with_merged(self, *ids: str) -> Mergeable:
        """This record with ``ids`` (and nothing of its own id) among its merged ids."""
        merged = sorted({*self.merged_ids, *ids} - {self.id})
        return self if merged == self.merged_ids else self.model_copy(update={"merged_ids": merged})


class Organisation(Mergeable):
    kind: ClassVar[str] = "Organisation"
    name: Name = Field(description="名称 / Name")
    aliases: TextList = Field(default_factory=list, description="別名 / Other names")
    sector: Annotated[Sector, _term(Sector)] = Field(description="セクター / Sector")
    prefecture: PrefectureCode = Field(default=None, description="都道府県（JISコード） / Prefecture")
    city: OptionalText = Field(default=None, description="市区町村 / City")
    name_en: OptionalText = Field(default=None, description="英語名 / English name")
    url: OptionalText = Field(default=None, description="ウェブサイト / Web site URL")
    parent_id: Id | None = Field(default=None, description="親組織 / Parent organisation")


class Person(Mergeable):
    kind: ClassVar[str] = "Person"
    name: Name = Field(description="氏名 / Name")
    name_en: OptionalText = Field(default=None, description="ローマ字氏名 / Romanised name")
    aliases: TextList = Field(default_factory=list, description="別名（旧姓など） / Other names")
    role_label: OptionalText = Field(
        default=None, description="氏名を伏せるときの表示（例: キーパーソン） / Shown when names are hidden"
    )
    distinct_ids: Annotated[list[Id], BeforeValidator(_text_list)] = Field(
        default_factory=list,
        description="同一人物ではないと確認された人物のID（名寄せしない） / People confirmed not to be this one",
    )

    @field_validator("distinct_ids")
    @classmethod
    def _sorted_distinct(cls, ids: list[str]) -> list[str]:
        return sorted(set(ids))


class Community(Mergeable):
    kind: ClassVar[str] = "Community"
    name: Name = Field(description="名称 / Name")
    abbreviation: OptionalText = Field(default=None, description="略称 / Abbreviation")
    aliases: TextList = Field(default_factory=list, description="別名 / Other names")
    name_en: OptionalText = Field(default=None, description="英語名 / English name")
    status: Annotated[CommunityStatus, _term(CommunityStatus)] = Field(
        default=CommunityStatus.ACTIVE, description="活動中・構想中・解散 / Active, proposed or dissolved"
    )
    legal_form: OptionalText = Field(default=None, description="法人格 / Legal form")
    founded: DateText = Field(default=None, description="設立 / Founded")
    region: RegionCode = Field(default=None, description="地域（総合通信局の管轄） / Region (MIC area)")
    prefectures: PrefectureList = Field(default_factory=list, description="対象都道府県 / Prefectures")
    url: OptionalText = Field(default=None, description="ウェブサイト / Web site URL")
    purpose: OptionalText = Field(default=None, description="設立の経緯・狙い / Background and aim")
    policy: OptionalText = Field(default=None, description="取組方針 / Policy")


class EventSeries(Mergeable):
    kind: ClassVar[str] = "EventSeries"
    name: Name = Field(description="シリーズ名 / Series name")
    name_en: OptionalText = Field(default=None, description="英語名 / English name")
    url: OptionalText = Field(default=None, description="ウェブサイト / Web site URL")
    cadence: Annotated[str | None, BeforeValidator(_cadence)] = Field(
        default=None, description="開催頻度（資料の記載: 年2回、隔月、毎週など） / How often it is held, as stated"
    )
    since: DateText = Field(default=None, description="開催開始（記載） / Held since (as stated)")
    until: DateText = Field(default=None, description="開催終了（記載） / Held until (as stated)")

    @field_validator("until")
    @classmethod
    def _span_in_order(cls, value: str | None, info: ValidationInfo) -> str | None:
        since = info.data.get("since")
        if value and since and parse_date(value).last_day() < parse_date(since).first_day():
            raise ValueError(f"until {value} is before since {since} / 終了が開始より前です")
        return value


class Event(Node):
    kind: ClassVar[str] = "Event"
    title: Name = Field(description="名称 / Title")
    event_type: Annotated[EventType, _term(EventType)] = Field(description="種別 / Type")
    start: RequiredDate = Field(description="開催日（開始） / Date or first day")
    end: DateText = Field(default=None, description="終了日 / Last day")
    status: Annotated[EventStatus, _term(EventStatus)] = Field(
        default=EventStatus.HELD, description="開催済・予定・中止 / Held, planned or cancelled"
    )
    format: Annotated[EventFormat | None, _term(EventFormat)] = Field(default=None, description="形式 / Format")
    prefecture: PrefectureCode = Field(default=None, description="開催都道府県 / Prefecture")
    city: OptionalText = Field(default=None, description="開催市区町村 / City")
    venue: OptionalText = Field(default=None, description="会場 / Venue")
    applicants: Count | None = Field(default=None, description="申込者数 / Applicants")
    attendees: Count | None = Field(default=None, description="参加者数 / Attendees")
    capacity: Count | None = Field(default=None, description="定員 / Capacity")
    url: OptionalText = Field(default=None, description="ウェブサイト / Web site URL")
    satisfaction: Percent | None = Field(default=None, description="満足度(%) / Satisfied (%)")
    series_id: Id | None = Field(default=None, description="シリーズ / Series")
    edition: Edition | None = Field(default=None, description="回次（第3回=3） / Edition")

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        return _not_before(end, info.data.get("start"))


class Headcount(Node):
    """Membership or attendance known only as a number (「企業14社」).

    Its id is derived from what it counts (subject, kind, sector or group, date, and the source's
    wording), so the same count loaded twice is one record and two counts of one subject are two.
    """

    kind: ClassVar[str] = "Headcount"
    id: Id = Field(default=AUTO_ID, description="自動で付与 / Derived from the fields")
    subject_id: Id = Field(description="数えられた対象（コミュニティ・イベント） / Community or event counted")
    count_kind: Annotated[HeadcountKind, _term(HeadcountKind)] = Field(description="種別 / What is counted")
    sector: Annotated[Sector | None, _term(Sector)] = Field(default=None, description="セクター / Sector")
    group: Annotated[SectorGroup | None, _term(SectorGroup)] = Field(
        default=None, description="セクター群（産学官個） / Sector group"
    )
    count: Count = Field(description="数 / Count")
    label: OptionalText = Field(default=None, description="原文の表現（例: 企業14社） / Source wording")
    part_of: OptionalText = Field(
        default=None,
        description="内数: この数を含む数（同じ対象・種別・日付の数の label、または総数なら total） "
        "/ The count this one is a subset of: the label of a count of the same subject, kind and date, "
        "or total",
    )
    approximate: bool = Field(default=False, description="概数（約60名） / Approximate (about 60)")

    @field_validator("approximate", mode="before")
    @classmethod
    def _parse_approximate(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in ("約", "概数"):
            return True
        return Record._parse_bool(value)

    @field_validator("part_of")
    @classmethod
    def _whole_named(cls, value: str | None) -> str | None:
        return "total" if value is not None and value.casefold() in ("total", "総数", "all") else value

    def derived_id(self) -> str:
        wording = hashlib.sha1(self.label.encode("utf-8")).hexdigest()[:8] if self.label else "-"
        return f"hc:{self.subject_id}:{self.count_kind}:{self.sector or self.group or 'all'}:{self.as_of}:{wording}"

    @model_validator(mode="after")
    def _derive_id(self) -> Headcount:
        if self.id == AUTO_ID:
            object.__setattr__(self, "id", self.derived_id())
        return self

    def with_subject(self, subject_id: str) -> Headcount:
        return Headcount.model_validate({**self.model_dump(), "subject_id": subject_id, "id": AUTO_ID})


class Note(Node):
    """A planner's or secretariat's note about a record."""

    kind: ClassVar[str] = "Note"
    about_id: Id = Field(description="対象 / Record the note is about")
    text: Name = Field(description="本文 / Text")
    author: OptionalText = Field(default=None, description="記入者 / Author")


class PrefectureNode(Node):
    kind: ClassVar[str] = "Prefecture"
    code: str
    name: str
    name_en: str
    meti_region: str
    mic_region: str


class RegionNode(Node):
    kind: ClassVar[str] = "Region"
    code: str
    region_kind: Literal["mic", "meti"]
    name: str
    name_en: str
    bureau: str


NODE_TYPES: dict[str, type[Node]] = {
    cls.kind: cls
    for cls in (Organisation, Person, Community, EventSeries, Event, Headcount, Note, PrefectureNode, RegionNode)
}

#: Kinds a user creates; prefectures and regions are built in.
USER_NODE_KINDS: tuple[str, ...] = ("Organisation", "Person", "Community", "EventSeries", "Event", "Headcount", "Note")

_ORG, _PER, _COM, _SER, _EV = "Organisation", "Person", "Community", "EventSeries", "Event"

#: Which kinds each relationship may join: (from kinds, to kinds).
ENDPOINTS: dict[RelType, tuple[frozenset[str], frozenset[str]]] = {
    RelType.SECRETARIAT_OF: (frozenset({_ORG, _COM}), frozenset({_COM})),
    RelType.MEMBER_OF: (frozenset({_ORG, _PER, _COM}), frozenset({_COM})),
    RelType.ORGANISED: (frozenset({_ORG, _COM, _PER}), frozenset({_EV, _SER})),
    RelType.CO_HOSTED: (frozenset({_ORG, _COM}), frozenset({_EV, _SER})),
    RelType.SUPPORTED: (frozenset({_ORG, _COM}), frozenset({_EV, _SER})),
    RelType.COOPERATED: (frozenset({_ORG, _COM, _PER}), frozenset({_EV, _SER})),
    RelType.SPOKE_AT: (frozenset({_PER, _ORG, _COM}), frozenset({_EV})),
    RelType.ATTENDED: (frozenset({_PER, _ORG, _COM}), frozenset({_EV})),
    RelType.WORKS_AT: (frozenset({_PER}), frozenset({_ORG})),
    RelType.PARTNERS_WITH: (frozenset({_COM, _ORG}), frozenset({_COM, _ORG})),
    RelType.SUB_UNIT_OF: (frozenset({_ORG, _COM}), frozenset({_ORG, _COM})),
    RelType.CONTACTED: (frozenset({_ORG, _PER, _COM}), frozenset({_ORG, _PER})),
    RelType.LONG_LISTED: (frozenset({_ORG}), frozenset({_COM})),
    RelType.LOCATED_IN: (frozenset({_ORG, _EV, _COM}), frozenset({"Prefecture", "Region"})),
    RelType.IN_SERIES: (frozenset({_EV}), frozenset({_SER})),
    RelType.IN_REGION: (frozenset({"Prefecture"}), frozenset({"Region"})),
    RelType.COUNTS: (frozenset({"Headcount"}), frozenset({_COM, _EV, _SER})),
    RelType.ABOUT: (frozenset({"Note"}), frozenset(NODE_TYPES)),
}


class Relationship(Record):
    """A tie between two records, with its role and the time it held."""

    type: Annotated[RelType, _term(RelType)] = Field(description="種別 / Type")
    from_id: Id = Field(description="起点 / From")
    to_id: Id = Field(description="終点 / To")
    id: Id | None = Field(default=None, description="識別子（空なら自動） / Id (derived when empty)")
    role: OptionalText = Field(default=None, description="役割・肩書・演題 / Role, title or talk")
    member_class: Annotated[MemberClass | None, _term(MemberClass)] = Field(
        default=None, description="会員区分 / Membership class"
    )
    start: DateText = Field(default=None, description="開始 / From date")
    end: DateText = Field(default=None, description="終了 / Until date")
    status: Annotated[LongListStatus | None, _term(LongListStatus)] = Field(
        default=None, description="ロングリストの状況 / Long-list status"
    )
    outcome: OptionalText = Field(default=None, description="接触の結果 / Outcome of a contact")
    certainty: Annotated[Certainty, _term(Certainty)] = Field(
        default=Certainty.STATED,
        description="確かさ: 資料に明記（stated）か推定（inferred）か / Stated by a document, or inferred",
    )
    merged_from: Id | None = Field(
        default=None,
        description="名寄せ前にこの関係が述べていた人物のID（名寄せを取り消すときに使う） "
        "/ The person id this tie was stated for before a merge (used to undo the merge)",
    )

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        return _not_before(end, info.data.get("start"))

    @model_validator(mode="after")
    def _check(self) -> Relationship:
        if self.member_class is not None and self.type != RelType.MEMBER_OF:
            raise ValueError("member_class is only for MEMBER_OF / 会員区分は構成員の関係にのみ使えます")
        if self.status is not None and self.type != RelType.LONG_LISTED:
            raise ValueError("status is only for LONG_LISTED / 状況はロングリストにのみ使えます")
        if self.id is None:
            # validate_assignment would re-run this validator; set the field directly.
            object.__setattr__(self, "id", self.derive_id())
        return self

    def derive_id(self) -> str:
        key = "|".join(str(v or "") for v in (self.type, self.from_id, self.to_id, self.role, self.start))
        return f"r-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"

    def with_ends(self, from_id: str, to_id: str) -> Relationship:
        """The same tie between other ids (after a merge); a derived id is derived again."""
        data = self.model_dump()
        derived = self.id == self.derive_id()
        data.update(from_id=from_id, to_id=to_id, id=None if derived else self.id)
        return Relationship.model_validate(data)


class NotSame(Record):
    """A reviewer's entry that two people are not the same (別人): they are never merged, and a
    merge already made of them is undone (``not_same.csv``)."""

    person_id: Id = Field(description="人物 / A person")
    other_id: Id = Field(description="別人である人物 / The person who is not the same")

    @model_validator(mode="after")
    def _two(self) -> NotSame:
        if self.person_id == self.other_id:
            raise ValueError("a person is always the same as themselves / 同じIDが2つ書かれています")
        return self


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
