"""The models at the edge of the API: request bodies (the records, with the id optional), pages,
relationships with their ends named, health, the caller, import jobs — and the examples the OpenAPI
page shows. The records' own fields are documented in Japanese and English by the model."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    create_model,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Id,
    Note,
    Organisation,
    Person,
    Relationship,
)

T = TypeVar("T")


class PageOf(BaseModel, Generic[T]):
    """One page of a list, in a stable order."""

    total: int = Field(description="条件に合う総件数 / How many match in all", examples=[123])
    offset: int = Field(description="先頭から飛ばした件数 / Items skipped", examples=[0])
    limit: int = Field(description="1ページの最大件数 / Page size", examples=[50])
    items: list[T] = Field(description="このページの項目 / Items on this page")


class RelationshipOut(Relationship):
    """A relationship, with the kind and name of each end so a list reads without further requests."""

    from_kind: str | None = Field(default=None, description="起点の種類 / Kind of the start", examples=["Organisation"])
    from_name: str | None = Field(default=None, description="起点の名称 / Name of the start", examples=["大阪府警察"])
    to_kind: str | None = Field(default=None, description="終点の種類 / Kind of the end", examples=["Community"])
    to_name: str | None = Field(default=None, description="終点の名称 / Name of the end", examples=["関西SEC-net"])


class Health(BaseModel):
    status: str = Field(
        description="ok（正常）/ unavailable（ストアに接続できない） / ok or unavailable",
        examples=["ok"],
    )
    store: str = Field(description="ストアの種類（embedded / neo4j） / Store kind", examples=["embedded"])
    reachable: bool = Field(description="ストアに到達できるか / Whether the store answers", examples=[True])
    revision: int | None = Field(default=None, description="ストアの書き込み回数 / Store write counter", examples=[42])


class Me(BaseModel):
    key_id: str = Field(description="キーのID（秘密ではない） / Key id (not the secret)", examples=["3f9a1c2b"])
    name: str = Field(description="キーの名前 / Key label", examples=["近畿局 企画担当"])
    role: str = Field(description="役割 / Role", examples=["planner"])
    role_ja: str = Field(description="役割（日本語） / Role in Japanese", examples=["企画担当（経済産業局）"])
    role_en: str = Field(description="役割（英語） / Role in English", examples=["Planner (METI / MIC bureau)"])
    community_id: str | None = Field(
        default=None, description="事務局キーのコミュニティ / Community of a secretariat key", examples=["com-kansai"]
    )
    sees_confidential: bool = Field(description="秘匿の記録が見えるか / Sees confidential records", examples=[True])
    sees_personal_names: bool = Field(description="個人名が見えるか / Sees personal names", examples=[True])


class Term(BaseModel):
    code: str = Field(description="コード / Code", examples=["police"])
    ja: str = Field(description="日本語 / Japanese label", examples=["警察"])
    en: str = Field(description="英語 / English label", examples=["Police"])
    group: str | None = Field(default=None, description="セクター群 / Sector group", examples=["government"])


class Vocabularies(BaseModel):
    sectors: list[Term] = Field(description="セクター / Sectors")
    event_types: list[Term] = Field(description="イベント種別 / Event types")
    relationship_types: list[Term] = Field(description="関係の種類（書き込めるもの） / Relationship types users write")
    prefectures: list[Term] = Field(description="都道府県（JISコード） / Prefectures (JIS codes)")
    regions: list[Term] = Field(description="地域（総合通信局・経済産業局の管轄） / Regions (MIC and METI areas)")


class ImportProgress(BaseModel):
    phase: str = Field(description="段階 / Phase: queued, validating, writing, finished", examples=["validating"])
    step: int = Field(description="何段階目か / Step number", examples=[1])
    steps: int = Field(description="全段階数 / Number of steps", examples=[3])
    ja: str = Field(description="段階の説明 / Phase in Japanese", examples=["検証中"])
    en: str = Field(description="Phase in English / 段階の説明（英語）", examples=["checking every row"])


class ImportJobOut(BaseModel):
    """A background import: poll until ``status`` is done, refused or failed."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(description="ジョブID / Job id", examples=["Zk3v1Q9xTq0aB2cd"])
    file: str = Field(description="送られたファイル名 / Uploaded file name", examples=["seed.zip"])
    check_only: bool = Field(description="検証のみ / Validate only", examples=[False])
    status: str = Field(
        description="状態 / Status: queued, running, done (完了), refused (拒否), failed (失敗)", examples=["running"]
    )
    progress: ImportProgress = Field(description="進み具合 / Progress")
    created_at: str = Field(description="受付時刻 / Accepted at (UTC)", examples=["2026-01-01T00:00:00+00:00"])
    finished_at: str | None = Field(default=None, description="終了時刻 / Finished at (UTC)")
    elapsed_s: float = Field(description="経過秒 / Seconds since accepted", examples=[1.5])
    report: dict[str, Any] | None = Field(default=None, description="読み込み報告（CLIと同じ） / Load report (CLI's)")
    problem: dict[str, Any] | None = Field(default=None, description="拒否・失敗の理由 / Why it was refused or failed")


class ImportReport(BaseModel):
    """The load report, exactly as ``secgraph load --json`` prints it."""

    model_config = ConfigDict(extra="allow")

    path: str = Field(description="送られたファイル名 / Uploaded file name", examples=["organisations.csv"])
    ok: bool = Field(description="問題がなかったか / No problems found", examples=[True])
    written: bool = Field(description="書き込んだか / Something was written", examples=[True])
    added: dict[str, int] = Field(description="種類ごとの追加件数 / Added per kind", examples=[{"Organisation": 3}])
    updated: dict[str, int] = Field(description="種類ごとの更新件数 / Updated per kind")
    unchanged: dict[str, int] = Field(description="変更なしの件数 / Unchanged per kind")
    merges: list[dict[str, Any]] = Field(description="名寄せ（どのIDがどのIDになったか） / Merges")
    errors: list[dict[str, Any]] = Field(description="行ごとの問題 / Row-level problems")
    ignored_files: list[str] = Field(description="読み飛ばしたファイル / Files passed over")
    encodings: dict[str, str] = Field(description="ファイルごとの文字コード / Encoding per file")
    revision: int | None = Field(default=None, description="書き込み後のリビジョン / Revision after writing")


class _Guarded(BaseModel):
    """A request body: a value of the wrong JSON type is invalid input (422), never a server error,
    even where a record's own validator assumes the type its schema promises."""

    @model_validator(mode="wrap")
    @classmethod
    def _wrong_types_are_invalid(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except TypeError as error:
            raise ValueError(f"a value has the wrong type: {error} / 値の型が違います") from None


def _input_model(record: type[BaseModel], optional_id: bool = True, **fields: Any) -> type[Any]:
    """The record as a request body; with ``optional_id`` the service makes an id when none comes.
    ``fields`` override the record's (create_model's field definitions)."""
    if not optional_id:
        return create_model(f"{record.__name__}Input", __base__=(record, _Guarded), __doc__=record.__doc__, **fields)
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{record.__name__}Input",
        __base__=(record, _Guarded),
        __doc__=f"{record.__doc__ or record.__name__} (id optional / IDは省略可)",
        id=(
            Id | None,
            Field(default=None, description="一意の識別子（省略時は自動） / Stable id (made when omitted)"),
        ),
        **fields,
    )


def _author_from_the_key(value: Any) -> None:
    # Refused rather than dropped: a client that sends an author believes it names who wrote the
    # note, and would be silently wrong. The answer shows the author the service recorded.
    if value is not None:
        raise ValueError(
            "the author is set from the API key; leave it out / 記入者はAPIキーから記録されます。送らないでください"
        )


OrganisationInput = _input_model(Organisation)
PersonInput = _input_model(Person)
CommunityInput = _input_model(Community)
EventSeriesInput = _input_model(EventSeries)
EventInput = _input_model(Event)
#: A note's author is the key that writes it (``services``): no field of the request, nor of its schema.
NoteInput = _input_model(
    Note,
    author=(SkipJsonSchema[Annotated[None, BeforeValidator(_author_from_the_key)]], Field(default=None, exclude=True)),
)
HeadcountInput = _input_model(Headcount, optional_id=False)  # its id always follows from its fields
RelationshipInput = _input_model(Relationship, optional_id=False)  # its id is optional already

_P = {"source": "近畿総合通信局 ヒアリング 2026-01", "as_of": "2026-01-15"}

#: Request examples per kind: (summary, value).
EXAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    "Organisation": {
        "insurer": {
            "summary": "保険会社 / An insurer",
            "value": {
                "id": "org-tokio-osaka",
                "name": "東京海上日動火災保険株式会社 大阪支店",
                "aliases": ["東京海上日動 大阪支店"],
                "sector": "insurer",
                "prefecture": "27",
                "city": "大阪市",
                **_P,
            },
        },
        "police": {
            "summary": "県警（IDは自動） / Prefectural police, id made by the service",
            "value": {"name": "和歌山県警察本部", "sector": "police", "prefecture": "30", **_P},
        },
    },
    "Person": {
        "speaker": {
            "summary": "講師 / A speaker",
            "value": {"id": "per-yamada", "name": "山田 太郎", "name_en": "Taro Yamada", "role_label": "講師", **_P},
        }
    },
    "Community": {
        "council": {
            "summary": "協議会 / A council",
            "value": {
                "id": "com-wakayama",
                "name": "和歌山サイバーセキュリティ協議会",
                "abbreviation": "和歌山CS協",
                "status": "proposed",
                "region": "mic-kinki",
                "prefectures": ["30"],
                "founded": "令和8年4月",
                **_P,
            },
        }
    },
    "EventSeries": {
        "series": {"summary": "連続セミナー / A recurring seminar", "value": {"name": "和歌山セキュリティ勉強会", **_P}}
    },
    "Event": {
        "seminar": {
            "summary": "セミナー / A seminar",
            "value": {
                "id": "ev-wakayama-2026-1",
                "title": "第1回 和歌山セキュリティ勉強会",
                "event_type": "seminar",
                "start": "2026-06-10",
                "status": "planned",
                "format": "hybrid",
                "prefecture": "30",
                "capacity": 80,
                "edition": 1,
                **_P,
            },
        }
    },
    "Headcount": {
        "members": {
            "summary": "構成員数 / Members known only as a number",
            "value": {
                "subject_id": "com-wakayama",
                "count_kind": "members",
                "sector": "sme",
                "count": 14,
                "label": "企業14社",
                **_P,
            },
        }
    },
    "Note": {
        "note": {
            "summary": "企画担当のメモ / A planner's note",
            "value": {"about_id": "com-wakayama", "text": "次回は保険会社と大学に声をかける。", **_P},
        }
    },
    "Relationship": {
        "member": {
            "summary": "構成員 / Membership",
            "value": {
                "type": "MEMBER_OF",
                "from_id": "org-tokio-osaka",
                "to_id": "com-wakayama",
                "member_class": "corporate",
                "start": "2026-04",
                **_P,
            },
        },
        "long_list": {
            "summary": "ロングリスト（企画担当） / Long list (planner)",
            "value": {
                "type": "LONG_LISTED",
                "from_id": "org-tokio-osaka",
                "to_id": "com-wakayama",
                "status": "prospect",
                **_P,
            },
        },
        "contact": {
            "summary": "接触（秘匿） / A confidential contact",
            "value": {
                "type": "CONTACTED",
                "from_id": "com-wakayama",
                "to_id": "org-tokio-osaka",
                "outcome": "次回の勉強会で講演を検討",
                "confidential": True,
                **_P,
            },
        },
    },
}
