"""分析結果の表 / Analysis results as tables, written as CSV (Excel opens it with Japanese intact) or XLSX.

``analysis_tables(result)`` turns any analysis result (key persons, brokers between two groups,
isolated regions, missing sectors, stage, health, changes) into a list of ``ExportTable``: pandas
DataFrames with bilingual column headers (「名称 / Name」), rows in the order the analysis ranks them,
numbers as numbers, and evidence and advice flattened to text (one line per item; Japanese, English,
and the ids of the records behind them in three columns). Every analysis starts with a 概要 / summary
table of its scope and parameters, so a file says what it was computed on.

Writing them:
- ``to_csv_bytes`` — UTF-8 with a byte-order mark (without it Excel reads UTF-8 as Shift_JIS and the
  Japanese turns to mojibake) and CRLF line ends. One table gives one CSV; several give a zip with
  one CSV per table, named by the table's ASCII ``key`` (Windows' own zip tool garbles non-ASCII
  names), in the tables' order. A ``table`` column mixing differently shaped tables in one file
  would leave most cells empty; the API lets a caller ask for a single table as plain CSV instead.
- ``to_xlsx_bytes`` — one sheet per table with its Japanese title, header row bold and frozen,
  auto-filter, widths fitted to the text (wide characters count double).

Both are deterministic (same tables, same bytes: the workbook's created/modified dates and every zip
entry's timestamp are fixed) and both pass every cell through ``neutralise_formula``: text starting
with ``=``, ``+``, ``-``, ``@``, a tab or CR — also after leading spaces, and their full-width forms,
which Excel also reads as formula signs — gets a leading ``'`` so a spreadsheet shows it as text
instead of running it (OWASP, CSV injection). Numbers are left as numbers.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel

from secgraph.analysis.areas import PROXIMITY_LABELS
from secgraph.analysis.compare import Changes, CommunityChanges
from secgraph.analysis.explain import Advice, Evidence
from secgraph.analysis.health import HealthSummary, NetworkHealth
from secgraph.analysis.key_persons import COMPONENT_LABELS, ROLE_TYPES, GroupBrokers, KeyPersonCandidates
from secgraph.analysis.regions.findings import GAP_LABELS, IsolatedRegions
from secgraph.analysis.regions.nearest_ties import NearestTie
from secgraph.analysis.sectors import JURISDICTION_LABELS, NOT_IN_GRAPH, MissingSectors, SectorCoverage
from secgraph.analysis.stage.results import EngagementStages
from secgraph.analysis.stage.rules import rule_name
from secgraph.export.common import FIXED_TIMESTAMP
from secgraph.model import geography
from secgraph.model.geography import prefecture_names
from secgraph.model.graph import GraphData
from secgraph.model.vocabulary import kind_label, sector_label

#: Excel's limit on the characters of one cell; longer text is cut with "…" (the CSV keeps it whole).
EXCEL_CELL_LIMIT = 32_767
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
ZIP_MEDIA_TYPE = "application/zip"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_MARK = {True: "○", False: "×", None: None}
_ROLE_LABELS = {code: ja for code, _, ja, _ in ROLE_TYPES}
_REGION_KINDS = {"mic": "総合通信局の管轄", "meti": "経済産業局の管轄"}
_COMMUNITY_STATUS = {"new": "新設", "existing": "継続", "gone": "消滅"}
_MEMBER_ROLE = {"member": "構成員", "secretariat": "事務局"}
_MEMBER_CHANGE = {"joined": "加入", "first_observed": "初回確認", "left": "離脱"}

#: Column key -> bilingual header. One wording per meaning across every table.
COLUMNS: dict[str, str] = {
    "item": "項目 / Item",
    "value": "値 / Value",
    "rank": "順位 / Rank",
    "id": "ID / Id",
    "name": "名称 / Name",
    "kind": "種類 / Kind",
    "sector": "セクター / Sector",
    "prefectures": "都道府県 / Prefectures",
    "score": "得点 / Score",
    "sole_link_between": "唯一のつなぎ役としてつなぐコミュニティ（得点より先に並ぶ）"
    " / Communities it alone joins (ranked first)",
    "betweenness": "媒介中心性 / Betweenness",
    "sector_brokerage": "セクター間の仲介の役割（つながっていない二者の間に立つ回数） / Brokerage across sectors",
    "prefecture_brokerage": "都道府県間の仲介 / Brokerage across prefectures",
    "constraint": "制約（相手どうしがつながっているほど高い。低いほど仲介的） / Burt's constraint",
    "effective_size": "実効規模 / Effective size",
    "communities": "コミュニティ / Communities",
    "roles": "役割 / Roles",
    "fragmentation_increase": "依存（抜けると到達できなくなる他の団体・個人の組の割合）"
    " / Share of the others' pairs cut off if it left",
    "cut_off": "離脱時に孤立する団体・個人の数 / Actors cut off if it left",
    "share": "経路の割合（%） / Share of paths (%)",
    "paths": "通る経路の数 / Paths through it",
    "code": "コード / Code",
    "name_en": "英語名 / English name",
    "mic_region": "総合通信局の管轄 / MIC area",
    "meti_region": "経済産業局の管轄 / METI area",
    "gaps": "欠けているもの / Gaps",
    "named_bodies": "所在する団体 / Bodies located there",
    "region_kind": "地域区分 / Kind of region",
    "prefectures_without_community": "コミュニティのない都道府県 / Prefectures without a community",
    "size": "規模 / Size",
    "actors": "団体・個人 / Actors",
    "areas": "地域 / Areas",
    "linked_in_same_region": "同じ地域内のつながり / Linked in the same region",
    "linked_national": "全国的なコミュニティとのつながり / Linked national communities",
    "cut_off_count": "切り離される団体・個人の数 / Actors cut off",
    "cut_off_ids": "切り離される団体・個人 / Those actors",
    "prefectures_cut_off": "丸ごと切り離される都道府県 / Prefectures cut off entirely",
    "regions": "地域 / Regions",
    "remaining": "残る最大部分 / Size of the part that stays",
    "finding": "指摘 / Finding",
    "finding_id": "指摘の対象ID / Finding about",
    "proximity": "近さ / Nearness",
    "jurisdiction": "管轄の区分 / Jurisdiction tier",
    "in_graph": "グラフに登録 / In the graph",
    "directory_source": "名簿の出典 / Directory source",
    "network_distance": "ネットワーク上の距離 / Network distance",
    "subject_id": "対象ID / Subject id",
    "subject": "対象 / Subject",
    "need": "必要なセクター / Required sector",
    "need_sectors": "該当するセクター / Sectors that meet it",
    "met": "充足 / Met",
    "named_members": "名前のある構成員 / Named members",
    "people": "所属先で満たす個人 / People (person@employer)",
    "counted": "人数のみの記録 / Headcounts",
    "unknown": "不明（人数のみの構成員の中にいるかもしれない） / Unknown (members counted but not named)",
    "organisation_id": "団体ID / Organisation id",
    "prefecture": "都道府県 / Prefecture",
    "direct_ties": "既存の関係 / Ties already",
    "tied_members": "つながる構成員 / Members tied to it",
    "shared_events": "共通のイベント / Events in common",
    "shared_communities": "共通のコミュニティ / Communities in common",
    "link_prediction": "つながりの予測値 / Link prediction",
    "community_count": "参加コミュニティ数 / Communities it belongs to",
    "event_count": "関与イベント数 / Events it took part in",
    "stage": "段階 / Stage",
    "stage_name": "段階名 / Stage name",
    "next_stage": "次の段階 / Next stage",
    "missing_rules": "次の段階に足りないルール / Rules missing for the next stage",
    "rule_id": "ルールID / Rule id",
    "rule": "ルール / Rule",
    "measure": "測る量 / Measure",
    "threshold": "基準値 / Threshold",
    "best_stage": "最も進んだ段階 / Best stage",
    "best_communities": "最も進んだコミュニティ / Communities at the best stage",
    "typical_stage": "典型的な段階（中央値） / Typical stage (median)",
    "distribution": "段階ごとのコミュニティ数 / Communities per stage",
    "as_of": "基準日 / As of",
    "indicator": "指標 / Indicator",
    "unit": "単位 / Unit",
    "details": "内訳 / Details",
    "status": "状態 / Status",
    "changed": "変化あり / Changed",
    "joined": "加入数 / Joined",
    "left": "離脱数 / Left",
    "events_held": "開催数 / Events held",
    "stage_earlier": "前回の段階 / Stage before",
    "stage_later": "今回の段階 / Stage now",
    "change": "変化 / Change",
    "role": "役割 / Role",
    "event_id": "イベントID / Event id",
    "title": "名称 / Title",
    "start": "開催日 / Date",
    "series_id": "シリーズID / Series id",
    "attendees": "参加者数 / Attendees",
    "earlier_value": "前回の値 / Value before",
    "later_value": "今回の値 / Value now",
    "earlier_met": "前回の充足 / Met before",
    "later_met": "今回の充足 / Met now",
    "earlier": "前回 / Before",
    "later": "今回 / Now",
    "delta": "増減 / Change",
    "best_stage_earlier": "最も進んだ段階（前回） / Best stage before",
    "best_stage_later": "最も進んだ段階（今回） / Best stage now",
    "typical_stage_earlier": "典型的な段階（前回） / Typical stage before",
    "typical_stage_later": "典型的な段階（今回） / Typical stage now",
    "evidence": "根拠 / Evidence",
    "evidence_en": "根拠（英語） / Evidence (English)",
    "evidence_ids": "根拠の記録ID / Records behind it",
    "advice": "助言 / Advice",
    "advice_en": "助言（英語） / Advice (English)",
}


@dataclass(frozen=True)
class ExportTable:
    """One table of an analysis: ``key`` names it in a zip and in the API (ASCII), ``title`` is its
    sheet name (Japanese, at most 31 characters, as Excel allows)."""

    key: str
    title: str
    frame: pd.DataFrame


Row = dict[str, Any]


# -- cells ------------------------------------------------------------------------------------------


def _region_name(code: str) -> str:
    try:
        return geography.region(code).name
    except (KeyError, ValueError):
        return code


def _percent(ratio: float | None) -> float | None:
    """A ratio (0–1) as a percentage, to one decimal: 0.5 → 50.0 (the header says %)."""
    return None if ratio is None else round(100.0 * ratio, 1)


def _is_share(unit_en: str) -> bool:
    return unit_en == "share"


def _indicator_value(indicator: Any) -> object:
    if indicator is None:
        return None
    return _percent(indicator.value) if _is_share(indicator.unit_en) else indicator.value


def _details_text(details: Mapping[str, object]) -> str:
    """An indicator's details as words a reader can scan: 「named: 12; by_fiscal_year: 2019=40, 2020=62」
    (never raw JSON in a cell)."""

    def text(value: object) -> str:
        if isinstance(value, Mapping):
            return ", ".join(f"{k}={text(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
        if isinstance(value, list | tuple):
            return " / ".join(f"({text(v)})" if isinstance(v, Mapping) else text(v) for v in value) or "—"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    return "; ".join(f"{key}: {text(value)}" for key, value in sorted(details.items()))


def _named(ids: Iterable[str], names: Mapping[str, str]) -> str:
    """Communities by name (an id the data does not name stays as it is)."""
    return _joined(names.get(i, i) for i in ids)


def _joined(values: Iterable[object]) -> str:
    return "、".join(str(v) for v in values)


def _evidence(items: Sequence[Evidence]) -> Row:
    """Evidence as three cells: Japanese, English, and the records behind it (each once, in order)."""
    ids = dict.fromkeys(i for item in items for i in item.ids)
    return {
        "evidence": "\n".join(item.ja for item in items),
        "evidence_en": "\n".join(item.en for item in items),
        "evidence_ids": ", ".join(ids),
    }


def _advice(items: Sequence[Advice] | Advice) -> Row:
    listed = [items] if isinstance(items, Advice) else list(items)
    return {"advice": "\n".join(a.ja for a in listed), "advice_en": "\n".join(a.en for a in listed)}


def _table(key: str, title: str, columns: Sequence[str], rows: Iterable[Row]) -> ExportTable:
    """A table of ``rows`` (dicts keyed by column key) with the bilingual headers of ``columns``."""
    records = [[row.get(column) for column in columns] for row in rows]
    # object dtype: an integer column with a gap stays integers (pandas would make it 3.0)
    frame = pd.DataFrame(records, columns=[COLUMNS[c] for c in columns], dtype=object)
    return ExportTable(key, title, frame)


def _summary(items: Iterable[tuple[str, object]]) -> ExportTable:
    rows = [{"item": item, "value": value} for item, value in items]
    return _table("summary", "概要", ("item", "value"), rows)


EVIDENCE = ("evidence", "evidence_en", "evidence_ids")
ADVICE = ("advice", "advice_en")


# -- each analysis ----------------------------------------------------------------------------------


def _key_person_tables(result: KeyPersonCandidates, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("基準日 / As of", result.as_of.isoformat() if result.as_of else None),
            ("団体・個人の数 / Actors", result.actors),
            ("つながりの数 / Ties", result.ties),
            ("順位付けした候補数 / Candidates ranked", result.candidates_ranked),
            ("ネットワークの分断度（%） / Fragmentation (%)", _percent(result.fragmentation)),
            ("媒介中心性の標本推定 / Betweenness sampled", _MARK[result.betweenness_sampled]),
            ("得点の指標 / Score components", _joined(COMPONENT_LABELS[c][0] for c in result.score_components)),
        ]
    )
    columns = (
        "rank",
        "id",
        "name",
        "kind",
        "sector",
        "prefectures",
        "score",
        "sole_link_between",
        "betweenness",
        "sector_brokerage",
        "prefecture_brokerage",
        "constraint",
        "effective_size",
        "communities",
        "roles",
        "fragmentation_increase",
        "cut_off",
        *EVIDENCE,
        *ADVICE,
    )
    rows = [
        {
            "rank": c.rank,
            "id": c.id,
            "name": c.name,
            "kind": kind_label(c.kind),
            "sector": sector_label(c.sector),
            "prefectures": prefecture_names(c.prefectures),
            "score": c.score,
            "sole_link_between": _named(c.sole_link_between, names),
            "betweenness": c.betweenness,
            "sector_brokerage": c.sector_brokerage.across_groups,
            "prefecture_brokerage": c.prefecture_brokerage.across_groups,
            "constraint": c.constraint,
            "effective_size": c.effective_size,
            "communities": _named(c.communities, names),
            "roles": _joined(_ROLE_LABELS.get(r, r) for r in c.roles),
            "fragmentation_increase": _percent(c.dependence.fragmentation_increase),
            "cut_off": c.dependence.cut_off,
            **_evidence(c.evidence),
            **_advice(c.advice),
        }
        for c in result.candidates
    ]
    return [_table("candidates", "キーパーソン候補", columns, rows), summary]


def _group_text(codes: Iterable[str], by: str) -> str:
    if by == "prefecture":
        return prefecture_names(codes)
    return _joined(sector_label(c) for c in codes)


def _broker_tables(result: GroupBrokers, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("グループの種類 / Grouped by", "都道府県" if result.by == "prefecture" else "セクター"),
            ("グループA / Group A", _group_text(result.group_a, result.by)),
            ("グループB / Group B", _group_text(result.group_b, result.by)),
            ("到達できる組の数 / Connected pairs", result.pairs),
        ]
    )
    columns = ("rank", "id", "name", "kind", "sector", "prefectures", "share", "paths", *EVIDENCE, *ADVICE)
    rows = [
        {
            "rank": b.rank,
            "id": b.id,
            "name": b.name,
            "kind": kind_label(b.kind),
            "sector": sector_label(b.sector),
            "prefectures": prefecture_names(b.prefectures),
            "share": _percent(b.share),
            "paths": b.paths,
            **_evidence(b.evidence),
            **_advice(b.advice),
        }
        for b in result.brokers
    ]
    return [_table("brokers", "二つのグループをつなぐ団体・個人", columns, rows), summary]


def _gaps(gaps: Iterable[str]) -> str:
    return _joined(GAP_LABELS[g][0] for g in gaps)


def _nearest_rows(finding: str, finding_id: str, ties: Iterable[NearestTie]) -> list[Row]:
    return [
        {
            "finding": finding,
            "finding_id": finding_id,
            "rank": rank,
            "id": t.actor_id,
            "name": t.name,
            "kind": kind_label(t.kind),
            "sector": sector_label(t.sector),
            "prefectures": prefecture_names(t.prefectures),
            "proximity": PROXIMITY_LABELS[t.proximity][0] if t.proximity else None,
            "network_distance": t.network_distance,
            "communities": _joined(t.communities),
            "score": t.score,
            **_evidence(t.reasons),
            **_advice(t.advice),
        }
        for rank, t in enumerate(ties, start=1)
    ]


@dataclass(frozen=True)
class _Findings:
    """One kind of finding of the isolated-regions analysis: its table, its own cells, and what its
    nearest ties are listed under (a label and an id)."""

    key: str
    title: str
    columns: tuple[str, ...]
    items: Sequence[Any]
    cells: Callable[[int, Any], Row]
    about: Callable[[int, Any], tuple[str, str]]


def _isolated_tables(result: IsolatedRegions, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("期間の開始 / Period start", result.period_start.isoformat() if result.period_start else None),
            ("期間の終了 / Period end", result.period_end.isoformat() if result.period_end else None),
            ("地域区分 / Kind of region", _REGION_KINDS[result.region_kind]),
            ("地域を持たないコミュニティ / National communities", _named(result.national_communities, names)),
        ]
    )
    findings = (
        _Findings(
            "prefectures",
            "都道府県の空白",
            ("code", "name", "name_en", "mic_region", "meti_region", "gaps", "communities", "named_bodies"),
            result.prefectures,
            lambda _, p: {
                "code": p.code,
                "name": p.name,
                "name_en": p.name_en,
                "mic_region": _region_name(p.mic_region),
                "meti_region": _region_name(p.meti_region),
                "gaps": _gaps(p.gaps),
                "communities": _named(p.communities, names),
                "named_bodies": _joined(p.named_bodies),
            },
            lambda _, p: (f"都道府県の空白: {p.name}", p.code),
        ),
        _Findings(
            "regions",
            "地域の空白",
            ("code", "name", "region_kind", "gaps", "prefectures", "communities", "prefectures_without_community"),
            result.regions,
            lambda _, r: {
                "code": r.code,
                "name": r.name,
                "region_kind": _REGION_KINDS[r.kind],
                "gaps": _gaps(r.gaps),
                "prefectures": prefecture_names(r.prefectures),
                "communities": _named(r.communities, names),
                "prefectures_without_community": prefecture_names(r.prefectures_without_community),
            },
            lambda _, r: (f"地域の空白: {r.name}", r.code),
        ),
        _Findings(
            "detached_parts",
            "切り離された部分",
            ("rank", "size", "actors", "prefectures"),
            result.detached_parts,
            lambda number, part: {
                "rank": number,
                "size": part.size,
                "actors": _joined(part.actors),
                "prefectures": prefecture_names(part.prefectures),
            },
            lambda number, part: (f"切り離された部分 {number}", ", ".join(part.actors[:3])),
        ),
        _Findings(
            "unlinked_communities",
            "横連携のないコミュニティ",
            ("id", "name", "areas", "linked_in_same_region", "linked_national"),
            result.unlinked_communities,
            lambda _, u: {
                "id": u.community_id,
                "name": u.name,
                "areas": _joined(_region_name(a) for a in u.areas),
                "linked_in_same_region": _joined(u.linked_in_same_region),
                "linked_national": _joined(u.linked_national),
            },
            lambda _, u: (f"横連携なし: {u.name}", u.community_id),
        ),
        _Findings(
            "single_bridges",
            "一本橋でつながる部分",
            ("id", "name", "kind", "sector", "prefectures", "cut_off_count", "cut_off_ids", "prefectures_cut_off")
            + ("regions", "remaining"),
            result.single_bridges,
            lambda _, b: {
                "id": b.actor_id,
                "name": b.name,
                "kind": kind_label(b.kind),
                "sector": sector_label(b.sector),
                "prefectures": prefecture_names(b.prefectures),
                "cut_off_count": b.cut_off_count,
                "cut_off_ids": _joined(b.cut_off),
                "prefectures_cut_off": prefecture_names(b.prefectures_cut_off_entirely),
                "regions": _joined(_region_name(r) for r in b.regions),
                "remaining": b.remaining,
            },
            lambda _, b: (f"一本橋: {b.name}", b.actor_id),
        ),
    )
    tables: list[ExportTable] = []
    nearest: list[Row] = []
    for kind in findings:
        table_rows = []
        for number, item in enumerate(kind.items, start=1):
            table_rows.append({**kind.cells(number, item), **_evidence(item.evidence), **_advice(item.advice)})
            nearest += _nearest_rows(*kind.about(number, item), item.nearest_ties)
        tables.append(_table(kind.key, kind.title, (*kind.columns, *EVIDENCE, *ADVICE), table_rows))
    nearest_columns = ("finding", "finding_id", "rank", "id", "name", "kind", "sector", "prefectures", "proximity")
    nearest_columns += ("network_distance", "communities", "score", *EVIDENCE, *ADVICE)
    return [*tables, _table("nearest_ties", "つなぐことのできる近い相手", nearest_columns, nearest), summary]


def _missing_tables(result: MissingSectors, names: Mapping[str, str]) -> list[ExportTable]:
    need_names = {n.code: n.ja for s in [*result.communities, *result.regions] for n in s.needs}
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("必要なセクター / Required sectors", _joined(need_names.get(n, n) for n in result.needs)),
        ]
    )
    coverage_rows: list[Row] = []
    suggestion_rows: list[Row] = []
    subjects: list[SectorCoverage] = [*result.communities, *result.regions]
    for subject in subjects:
        about = {
            "subject_id": subject.subject_id,
            "subject": subject.name,
            "kind": "コミュニティ" if subject.kind == "community" else "地域",
        }
        for need in subject.needs:
            coverage_rows.append(
                {
                    **about,
                    "code": need.code,
                    "need": need.ja,
                    "need_sectors": _joined(sector_label(s) for s in need.sectors),
                    "met": _MARK[need.met],
                    "unknown": _MARK[need.unknown],
                    "named_members": _joined(need.named_members),
                    "people": _joined(need.people),
                    "counted": _joined(need.counted),
                    **_evidence(need.evidence),
                    **_advice(need.advice),
                }
            )
            for rank, s in enumerate(need.suggestions, start=1):
                suggestion_rows.append(
                    {
                        **about,
                        "need": need.ja,
                        "rank": rank,
                        "organisation_id": s.organisation_id,
                        "name": s.name,
                        "sector": sector_label(s.sector),
                        "prefecture": prefecture_names([s.prefecture] if s.prefecture else []),
                        "score": s.score,
                        "proximity": PROXIMITY_LABELS[s.proximity][0] if s.proximity else None,
                        "jurisdiction": JURISDICTION_LABELS[s.jurisdiction][0],
                        "in_graph": _MARK[True] if s.in_graph else " / ".join(NOT_IN_GRAPH),
                        "directory_source": f"{s.source}（{s.source_as_of}時点）" if s.source else None,
                        "direct_ties": _joined(s.direct_ties),
                        "tied_members": _joined(s.tied_members),
                        "shared_events": _joined(s.shared_events),
                        "shared_communities": _joined(s.shared_communities),
                        "link_prediction": s.link_prediction,
                        "community_count": s.communities,
                        "event_count": s.events,
                        **_evidence(s.reasons),
                        **_advice(s.advice),
                    }
                )
    return [
        _table(
            "coverage",
            "セクターの充足",
            ("subject_id", "subject", "kind", "code", "need", "need_sectors", "met", "unknown", "named_members")
            + ("people", "counted", *EVIDENCE, *ADVICE),
            coverage_rows,
        ),
        _table(
            "suggestions",
            "声をかける候補",
            ("subject_id", "subject", "kind", "need", "rank", "organisation_id", "name", "sector", "prefecture")
            + ("score", "proximity", "jurisdiction", "in_graph", "directory_source")
            + ("direct_ties", "tied_members", "shared_events", "shared_communities")
            + ("link_prediction", "community_count", "event_count", *EVIDENCE, *ADVICE),
            suggestion_rows,
        ),
        summary,
    ]


def _stage_tables(result: EngagementStages, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("判定日 / Judged on", result.as_of.isoformat()),
            ("判定ルール / Rules", f"{result.rules_title_ja} / {result.rules_title_en}"),
        ]
    )
    communities = [
        {
            "id": c.community_id,
            "name": c.name,
            "stage": c.stage,
            "stage_name": c.stage_ja,
            "next_stage": c.next_stage,
            "missing_rules": _joined(rule_name(r.ja) for r in c.rules if r.rule_id in c.missing),
            **_evidence(c.evidence),
            **_advice(c.advice),
        }
        for c in result.communities
    ]
    rules = [
        {
            "id": c.community_id,
            "name": c.name,
            "rule_id": r.rule_id,
            "stage": r.stage,
            "rule": r.ja,
            "measure": r.measure,
            "threshold": r.threshold,
            "value": r.value,
            "met": _MARK[r.met],
            **_evidence(r.evidence),
        }
        for c in result.communities
        for r in c.rules
    ]
    areas = [
        {
            "code": a.area,
            "name": a.name,
            "kind": "地域" if a.kind == "region" else "都道府県",
            "communities": _named(a.communities, names),
            "best_stage": a.best_stage,
            "best_communities": _named(a.best_communities, names),
            "typical_stage": a.typical_stage,
            "distribution": _joined(f"第{stage}段階 {count}" for stage, count in sorted(a.distribution.items())),
            **_evidence(a.evidence),
            **_advice(a.advice),
        }
        for a in result.areas
    ]
    return [
        _table(
            "communities",
            "コミュニティの段階",
            ("id", "name", "stage", "stage_name", "next_stage", "missing_rules", *EVIDENCE, *ADVICE),
            communities,
        ),
        _table(
            "rules",
            "ルールごとの判定",
            ("id", "name", "rule_id", "stage", "rule", "measure", "threshold", "value", "met", *EVIDENCE),
            rules,
        ),
        _table(
            "areas",
            "地域ごとの段階",
            ("code", "name", "kind", "communities", "best_stage", "best_communities", "typical_stage")
            + ("distribution", *EVIDENCE, *ADVICE),
            areas,
        ),
        summary,
    ]


_HEALTH_KINDS = {"community": "コミュニティ", "region": "地域", "prefecture": "都道府県"}


def _health_tables(result: NetworkHealth, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("判定日 / Judged on", result.as_of.isoformat()),
            ("休眠とみなす月数 / Months counted as dormant", result.dormant_months),
        ]
    )
    subjects: list[HealthSummary] = [*result.communities, *result.areas]
    # One column per indicator, in the order the analysis gives them.
    shares = {i.code for s in subjects for i in s.indicators if _is_share(i.unit_en)}
    indicators = {
        i.code: f"{i.ja}（%） / {i.en} (%)" if i.code in shares else f"{i.ja} / {i.en}"
        for s in subjects
        for i in s.indicators
    }
    overview_columns = [COLUMNS[c] for c in ("subject_id", "subject", "kind", "as_of")] + list(indicators.values())
    overview = [
        [s.subject, s.name, _HEALTH_KINDS[s.kind], s.as_of.isoformat()]
        + [_indicator_value(next((i for i in s.indicators if i.code == code), None)) for code in indicators]
        for s in subjects
    ]
    details = [
        {
            "subject_id": s.subject,
            "subject": s.name,
            "kind": _HEALTH_KINDS[s.kind],
            "code": i.code,
            "indicator": i.ja,
            "value": _indicator_value(i),
            "unit": "%" if _is_share(i.unit_en) else i.unit_ja,
            "details": _details_text(i.details) if i.details else None,
            **_evidence(i.evidence),
            **_advice(i.advice),
        }
        for s in subjects
        for i in s.indicators
    ]
    return [
        ExportTable("overview", "健全性の一覧", pd.DataFrame(overview, columns=overview_columns, dtype=object)),
        _table(
            "indicators",
            "指標と根拠",
            ("subject_id", "subject", "kind", "code", "indicator", "value", "unit", "details", *EVIDENCE, *ADVICE),
            details,
        ),
        summary,
    ]


def _change_tables(result: Changes, names: Mapping[str, str]) -> list[ExportTable]:
    summary = _summary(
        [
            ("対象範囲 / Scope", result.scope),
            ("前回 / Earlier date", result.earlier.isoformat()),
            ("今回 / Later date", result.later.isoformat()),
        ]
    )

    def about(c: CommunityChanges) -> Row:
        return {"id": c.community_id, "name": c.name}

    communities = [
        {
            **about(c),
            "status": _COMMUNITY_STATUS.get(c.status, c.status),
            "changed": _MARK[c.changed],
            "joined": len(c.joined),
            "left": len(c.left),
            "events_held": len(c.events),
            "stage_earlier": c.stage.earlier,
            "stage_later": c.stage.later,
            **_evidence(c.evidence),
        }
        for c in result.communities
    ]
    members = [
        {
            **about(c),
            "change": _MEMBER_CHANGE[m.change],
            "role": _MEMBER_ROLE[m.role],
            "subject_id": m.actor_id,
            "subject": m.name,
            **_evidence(m.evidence),
        }
        for c in result.communities
        for m in (*c.joined, *c.first_observed, *c.left)
    ]
    events = [
        {
            **about(c),
            "event_id": e.event_id,
            "title": e.title,
            "start": e.start,
            "series_id": e.series_id,
            "attendees": e.attendees,
        }
        for c in result.communities
        for e in c.events
    ]
    rules = [
        {
            **about(c),
            "rule_id": r.rule_id,
            "stage": r.stage,
            "earlier_value": r.earlier_value,
            "later_value": r.later_value,
            "earlier_met": _MARK[r.earlier_met],
            "later_met": _MARK[r.later_met],
        }
        for c in result.communities
        for r in c.stage.rules
    ]
    health = [
        {
            "id": subject_id,
            "name": name,
            "code": d.code,
            "indicator": d.ja,
            "earlier": d.earlier,
            "later": d.later,
            "delta": d.delta,
        }
        for subject_id, name, deltas in (
            *((c.community_id, c.name, c.health) for c in result.communities),
            *((a.area, a.name, a.health) for a in result.areas),
        )
        for d in deltas
    ]
    areas = [
        {
            "code": a.area,
            "name": a.name,
            "best_stage_earlier": a.best_stage.earlier,
            "best_stage_later": a.best_stage.later,
            "typical_stage_earlier": a.typical_stage.earlier,
            "typical_stage_later": a.typical_stage.later,
        }
        for a in result.areas
    ]
    return [
        _table(
            "communities",
            "コミュニティの変化",
            ("id", "name", "status", "changed", "joined", "left", "events_held", "stage_earlier", "stage_later")
            + EVIDENCE,
            communities,
        ),
        _table("members", "加入と離脱", ("id", "name", "change", "role", "subject_id", "subject", *EVIDENCE), members),
        _table(
            "events", "開催したイベント", ("id", "name", "event_id", "title", "start", "series_id", "attendees"), events
        ),
        _table(
            "stage_rules",
            "段階ルールの変化",
            ("id", "name", "rule_id", "stage", "earlier_value", "later_value", "earlier_met", "later_met"),
            rules,
        ),
        _table("health", "指標の変化", ("id", "name", "code", "indicator", "earlier", "later", "delta"), health),
        _table(
            "areas",
            "地域の変化",
            ("code", "name", "best_stage_earlier", "best_stage_later", "typical_stage_earlier", "typical_stage_later"),
            areas,
        ),
        summary,
    ]


#: The tables of each analysis, keyed by its result model (``secgraph.analysis.registry`` names one per
#: analysis; a test checks that every analysis there has its builder here, and nothing else does).
TABLE_BUILDERS: dict[type[BaseModel], Callable[[Any, Mapping[str, str]], list[ExportTable]]] = {
    KeyPersonCandidates: _key_person_tables,
    GroupBrokers: _broker_tables,
    IsolatedRegions: _isolated_tables,
    MissingSectors: _missing_tables,
    EngagementStages: _stage_tables,
    NetworkHealth: _health_tables,
    Changes: _change_tables,
}


def analysis_tables(result: BaseModel, names: Mapping[str, str] | None = None) -> list[ExportTable]:
    """The tables of one analysis result: the main table first, the 概要 / summary last.
    ``names``: community id → name (``community_names(data)``), so that lists of communities read
    as names; an id without a name stays an id."""
    builder = TABLE_BUILDERS.get(type(result))
    if builder is None:
        raise TypeError(f"no tables for {type(result).__name__} / この結果は表にできません")
    return builder(result, names or {})


def community_names(data: GraphData) -> dict[str, str]:
    """Community id → its name, for ``analysis_tables``."""
    return {node_id: node.display_name() for node_id, node in data.nodes.items() if node.kind == "Community"}


# -- writing ----------------------------------------------------------------------------------------

_FORMULA_SIGNS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")


def neutralise_formula(value: object) -> object:
    """``value`` as a spreadsheet may show it without running it: text that Excel, LibreOffice or
    Google Sheets would take for a formula gets a leading ``'``; anything else (numbers) is unchanged."""
    if isinstance(value, str) and (value.startswith(("\t", "\r")) or value.lstrip().startswith(_FORMULA_SIGNS)):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return neutralise_formula(value)


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    """The frame's rows, every cell neutralised, missing values as None: what both writers write."""
    return [[_cell(value) for value in row] for row in frame.itertuples(index=False, name=None)]


def _zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``entries`` in order, every timestamp and permission fixed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def table_csv(table: ExportTable) -> bytes:
    """One table as CSV: UTF-8 with BOM, CRLF, formula-looking text neutralised."""
    frame = pd.DataFrame(_rows(table.frame), columns=table.frame.columns, dtype=object)
    return ("\ufeff" + frame.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def to_csv_bytes(tables: Sequence[ExportTable]) -> bytes:
    """One table as CSV; several as a zip of ``<key>.csv`` files (see the module's docstring)."""
    if len(tables) == 1:
        return table_csv(tables[0])
    return _zip((f"{table.key}.csv", table_csv(table)) for table in tables)


# XML 1.0 cannot hold these control characters; openpyxl refuses a cell with one.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_XML.sub("\ufffd", value)
    return text if len(text) <= EXCEL_CELL_LIMIT else text[: EXCEL_CELL_LIMIT - 1] + "…"


def _display_width(value: object) -> int:
    text = str(value) if value is not None else ""
    lines = text.split("\n") or [""]
    return max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in lines)


def to_xlsx_bytes(tables: Sequence[ExportTable], *, title: str = "secgraph") -> bytes:
    """The tables as one workbook, one sheet each (see the module's docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        headers = [str(c) for c in table.frame.columns]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = wrapped
        rows = _rows(table.frame)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
        for index, header in enumerate(headers, start=1):
            widest = max([_display_width(header) // 2 + 2] + [_display_width(r[index - 1]) for r in rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.alignment = wrapped
    properties = workbook.properties
    properties.creator = "secgraph"
    properties.title = title
    properties.created = properties.modified = FIXED_TIMESTAMP
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # ExcelWriter, not Workbook.save: save() stamps the modified date with the current time.
        ExcelWriter(workbook, archive).write_data()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as written:
        return _zip((info.filename, written.read(info)) for info in written.infolist())
