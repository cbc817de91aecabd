"""Data exports: analysis tables as CSV and XLSX, the graph as GraphML, GEXF and JSON, the JSON export
loaded back as the same graph, and the export routes per role."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from secgraph import analysis
from secgraph.analysis.compare import Changes
from secgraph.analysis.facts import sector_need
from secgraph.analysis.network import Scope
from secgraph.export.analysis_tables import (
    ExportTable,
    analysis_tables,
    community_names,
    neutralise_formula,
    to_csv_bytes,
    to_xlsx_bytes,
)
from secgraph.export.graph_files import graph_gexf, graph_graphml, graph_in_scope, graph_json
from secgraph.io.importer import load
from secgraph.io.json_graph import dump_graph
from secgraph.model.graph import GraphData
from secgraph.model.records import NODE_TYPES
from secgraph.store import GraphStore
from secgraph.store.embedded import EmbeddedStore
from tests.builders import GraphBuilder
from tests.test_api_world import SECRET_NAMES, Api, embedded_api

BOM = b"\xef\xbb\xbf"
GEXF_NS = "{http://www.gexf.net/1.2draft}"
INJECTIONS = ('=HYPERLINK("http://x","y")', "@SUM(A1)", "-2+3")
PERSON_NAMES = ("山田 太郎", "Taro Yamada", "山田太郎")


def small() -> GraphData:
    """c (Osaka): secretariat s, member a from 2019, member b from May 2020; 山田 works at a and spoke
    at c's seminar e; d (Kumamoto) with its own member k, apart from c."""
    builder = (
        GraphBuilder()
        .community("c", prefectures=["27"], founded="2019-04")
        .org("s", "meti_bureau", name="近畿経済産業局")
        .org("a", "sme", "27", name="大阪テスト株式会社")
        .org("b", "university", "27", name="大阪テスト大学")
        .tie("SECRETARIAT_OF", "s", "c", start="2019-04-01")
        .tie("MEMBER_OF", "a", "c", start="2019-04-01")
        .tie("MEMBER_OF", "b", "c", start="2020-05-01")
        .event("e", "2020-06-01", prefecture="27", attendees=30)
        .tie("ORGANISED", "c", "e", start="2020-06-01")
        .community("d", prefectures=["43"])
        .org("k", "insurer", "43", name="熊本テスト保険")
        .tie("MEMBER_OF", "k", "d")
    )
    builder.person("p", works_at="a", name="山田 太郎").tie("SPOKE_AT", "p", "e", role="基調講演")
    data = builder.build()
    person = data.nodes["p"]
    data.nodes["p"] = person.model_copy(
        update={"name_en": "Taro Yamada", "aliases": ["山田太郎"], "role_label": "講師"}
    )
    return data


def rel_id(data: GraphData, rel_type: str, from_id: str, to_id: str) -> str:
    return next(
        str(r.id) for r in data.relationships.values() if (r.type, r.from_id, r.to_id) == (rel_type, from_id, to_id)
    )


def rows(table: ExportTable) -> list[list[object]]:
    return table.frame.to_numpy().tolist()


def by_key(tables: list[ExportTable]) -> dict[str, ExportTable]:
    return {t.key: t for t in tables}


def changes_of(data: GraphData) -> Changes:
    return analysis.changes_between(data, dt.date(2020, 1, 1), dt.date(2021, 1, 1))


# -- tables -----------------------------------------------------------------------------------------


def test_change_tables_are_exact() -> None:
    data = small()
    tables = by_key(analysis_tables(changes_of(data)))
    assert list(tables) == ["communities", "members", "events", "stage_rules", "health", "areas", "summary"]
    members = tables["members"]
    assert list(members.frame.columns) == [
        "ID / Id",
        "名称 / Name",
        "変化 / Change",
        "役割 / Role",
        "対象ID / Subject id",
        "対象 / Subject",
        "根拠 / Evidence",
        "根拠（英語） / Evidence (English)",
        "根拠の記録ID / Records behind it",
    ]
    assert rows(members) == [
        ["c", "c", "加入", "構成員", "b", "大阪テスト大学", "加入", "joined", rel_id(data, "MEMBER_OF", "b", "c")],
        # k's membership has no start: its date is when a list first showed it, not a join.
        [
            "d",
            "d",
            "初回確認",
            "構成員",
            "k",
            "熊本テスト保険",
            "初回確認（加入日の記録なし）: 2020-04-01",
            "first observed (no join date recorded): 2020-04-01",
            rel_id(data, "MEMBER_OF", "k", "d"),
        ],
    ]
    assert rows(tables["events"]) == [["c", "c", "e", "e", "2020-06-01", None, 30]]
    assert rows(tables["communities"])[0][:9] == ["c", "c", "継続", "○", 1, 0, 1, 0, 0]
    assert rows(tables["summary"]) == [
        ["対象範囲 / Scope", "全国 / national"],
        ["前回 / Earlier date", "2020-01-01"],
        ["今回 / Later date", "2021-01-01"],
    ]


def test_missing_sector_tables_are_exact() -> None:
    """c (Osaka) has a member a and no insurer; the Osaka insurer i sits with a in community d."""
    data = (
        GraphBuilder()
        .community("c", prefectures=["27"])
        .org("s", "meti_bureau")
        .tie("SECRETARIAT_OF", "s", "c")
        .org("a", "sme", "27")
        .tie("MEMBER_OF", "a", "c")
        .community("d", prefectures=["27"])
        .org("i", "insurer", "27", name="大阪テスト海上")
        .tie("MEMBER_OF", "i", "d")
        .tie("MEMBER_OF", "a", "d")
        .build()
    )
    result = analysis.missing_sectors(data, Scope(community="c"), needs=(sector_need(["insurer"]),))
    coverage, suggestions, summary = analysis_tables(result)
    assert [coverage.key, suggestions.key, summary.key] == ["coverage", "suggestions", "summary"]
    assert [coverage.title, suggestions.title, summary.title] == ["セクターの充足", "声をかける候補", "概要"]
    assert rows(coverage)[0] == [
        "c",
        "c",
        "コミュニティ",
        "insurer",
        "保険会社",
        "保険会社",
        "×",
        "×",  # not unknown: nothing is counted without a name
        "",
        "",
        "",
        "保険会社（保険会社）の構成員・事務局・人数の記録がない",
        "No member, secretariat or counted member of Insurer (Insurer)",
        "c",
        "大阪テスト海上をロングリストに加え、個別に訪問する（第1段階、保険会社）",
        "Add 大阪テスト海上 to the long list and visit it one-to-one (stage 1, Insurer)",
    ]
    assert rows(coverage)[1][:9] == [
        "mic-kinki",
        "近畿（近畿総合通信局管内）",
        "地域",
        "insurer",
        "保険会社",
        "保険会社",
        "○",
        "×",
        "i",
    ]
    (suggestion,) = rows(suggestions)
    assert suggestion[:14] == [
        "c",
        "c",
        "コミュニティ",
        "保険会社",
        1,
        "i",
        "大阪テスト海上",
        "保険会社",
        "大阪府",
        3.75,
        "同じ都道府県",
        "対象の都道府県",
        "○",
        None,
    ]
    assert suggestion[17:21] == ["d", 0.5, 1, 0]
    assert suggestion[21].split("\n")[0] == "大阪テスト海上は大阪府に所在（cの対象地域と同じ都道府県、強い理由）"
    assert suggestion[23] == "i, pref-27, d"
    assert rows(summary) == [
        ["対象範囲 / Scope", "コミュニティ: c / community: c"],
        ["必要なセクター / Required sectors", "保険会社"],
    ]


def test_a_body_not_yet_in_the_graph_is_marked_in_the_suggestion_table() -> None:
    """c (Osaka) has no police and the graph none in Osaka: the directory's 大阪府警察, marked 未登録."""
    data = GraphBuilder().community("c", prefectures=["27"]).org("a", "sme", "27").tie("MEMBER_OF", "a", "c").build()
    result = analysis.missing_sectors(data, Scope(community="c"), needs=(sector_need(["police"]),))
    suggestions = by_key(analysis_tables(result))["suggestions"]
    first = dict(zip(suggestions.frame.columns, rows(suggestions)[0], strict=True))
    assert first["名称 / Name"] == "大阪府警察" and first["団体ID / Organisation id"] is None
    assert first["グラフに登録 / In the graph"] == "未登録 / not yet in the graph"
    assert first["名簿の出典 / Directory source"] == "警察庁 都道府県警察一覧（2025-04-01時点）"
    assert first["管轄の区分 / Jurisdiction tier"] == "対象の都道府県"


def test_isolated_region_tables_are_exact() -> None:
    tables = by_key(analysis_tables(analysis.isolated_regions(small(), Scope(prefecture="28"))))
    assert list(tables) == [
        "prefectures",
        "regions",
        "detached_parts",
        "unlinked_communities",
        "single_bridges",
        "nearest_ties",
        "summary",
    ]
    (hyogo,) = rows(tables["prefectures"])
    gaps = "コミュニティがない、名前の分かる団体がない、活動（イベント開催・新たな関係）がない"
    assert hyogo[:8] == ["28", "兵庫県", "Hyogo", "近畿", "近畿", gaps, "", ""]
    assert hyogo[8].split("\n")[0] == f"兵庫県: {gaps}" and hyogo[10] == "pref-28"
    assert [row[:5] for row in rows(tables["nearest_ties"])] == [
        ["都道府県の空白: 兵庫県", "28", 1, "a", "大阪テスト株式会社"],
        ["都道府県の空白: 兵庫県", "28", 2, "b", "大阪テスト大学"],
        ["都道府県の空白: 兵庫県", "28", 3, "c", "c"],
    ]
    assert [len(rows(tables[key])) for key in ("regions", "detached_parts", "unlinked_communities")] == [0, 0, 0]


def test_key_person_table_ranks_and_numbers() -> None:
    candidates, summary = analysis_tables(analysis.key_person_candidates(small(), limit=5))
    table = candidates.frame
    assert list(table["順位 / Rank"]) == [1, 2, 3, 4, 5]
    assert all(isinstance(v, float) for v in table["得点 / Score"])
    assert table["得点 / Score"].is_monotonic_decreasing
    assert set(table["種類 / Kind"]) <= {"団体", "人物", "コミュニティ"}
    assert dict(rows(summary))["団体・個人の数 / Actors"] == 7


def seed_results(seed: GraphData) -> list[object]:
    kinki = Scope(region="mic-kinki")
    return [
        analysis.key_person_candidates(seed, kinki, limit=10),
        analysis.betweenness_between_groups(seed, "police", "university"),  # none between them in Kinki alone
        analysis.isolated_regions(seed, kinki),
        analysis.missing_sectors(seed, kinki),
        analysis.engagement_stage(seed, kinki),
        analysis.network_health(seed, kinki),
        analysis.changes_between(seed, dt.date(2019, 3, 31), dt.date(2021, 3, 31), kinki),
    ]


def test_every_analysis_of_the_seed_gives_bilingual_tables(seed: GraphData) -> None:
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for result in seed_results(seed):
        tables = analysis_tables(result)
        assert tables[-1].key == "summary" and any(len(t.frame) for t in tables[:-1]), type(result).__name__
        assert len({t.key for t in tables}) == len(tables) and all(re.fullmatch(r"[a-z_]+", t.key) for t in tables)
        assert all(len(t.title) <= 31 and japanese.search(t.title) for t in tables)
        for table in tables:
            assert all(" / " in str(c) and japanese.search(str(c).replace("ID", "識別子")) for c in table.frame.columns)
        again = analysis_tables(result)
        assert to_csv_bytes(tables) == to_csv_bytes(again) and to_xlsx_bytes(tables) == to_xlsx_bytes(again)


def test_tables_give_names_percentages_and_words(seed: GraphData) -> None:
    kinki = Scope(region="mic-kinki")
    names = community_names(seed)
    candidates, summary = analysis_tables(analysis.key_person_candidates(seed, kinki, limit=10), names)
    listed = [c for cell in candidates.frame["コミュニティ / Communities"] if cell for c in cell.split("、")]
    assert listed and set(listed) <= set(names.values()) and not set(listed) & set(names)  # names, not ids
    assert "ネットワークの分断度（%） / Fragmentation (%)" in dict(rows(summary))
    overview, indicators, _ = analysis_tables(analysis.network_health(seed, kinki), names)
    coverage = indicators.frame[indicators.frame["指標 / Indicator"] == "必要なセクターの充足率"]
    assert set(coverage["単位 / Unit"]) == {"%"}
    values = [v for v in coverage["値 / Value"] if v is not None]
    assert values and all(0 <= v <= 100 for v in values) and any(v > 1 for v in values)  # 50.0, not 0.5
    assert "必要なセクターの充足率（%） / Share of required sectors present (%)" in overview.frame.columns
    details = [d for d in indicators.frame["内訳 / Details"] if d]
    assert details and not [d for d in details if d.lstrip().startswith(("{", "[")) or '"' in d]  # no raw JSON


def test_an_unknown_result_is_refused() -> None:
    with pytest.raises(TypeError):
        analysis_tables(Scope.__new__(Scope))  # type: ignore[arg-type]


# -- writing tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+81-6-1234", "'+81-6-1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("  =1+1", "'  =1+1"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠A1", "'＠A1"),
        ("大阪府警察", "大阪府警察"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_formula_signs_are_neutralised(value: object, shown: object) -> None:
    assert neutralise_formula(value) == shown


def planted_injections() -> GraphData:
    builder = GraphBuilder().community("c", prefectures=["27"]).org("s", "police", "27", name="大阪府警察")
    builder.tie("SECRETARIAT_OF", "s", "c")
    for number, name in enumerate(INJECTIONS):
        builder.org(f"x{number}", "sme", "27", name=name).tie("MEMBER_OF", f"x{number}", "c")
    return builder.build()


def test_csv_starts_with_a_bom_uses_crlf_and_reads_back_the_same_japanese() -> None:
    candidates, _ = analysis_tables(analysis.key_person_candidates(small(), limit=5))
    body = to_csv_bytes([candidates])
    assert body.startswith(BOM)
    assert body.split(b"\n")[0].endswith(b"\r") and body.count(b"\r\n") >= 1 + len(candidates.frame)
    back = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == list(candidates.frame.columns)
    assert list(back["名称 / Name"]) == list(candidates.frame["名称 / Name"])
    assert "大阪テスト株式会社" in set(back["名称 / Name"])
    assert list(back["順位 / Rank"]) == [1, 2, 3, 4, 5]


def test_several_tables_make_a_zip_of_one_csv_each() -> None:
    tables = analysis_tables(changes_of(small()))
    body = to_csv_bytes(tables)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.namelist() == [f"{t.key}.csv" for t in tables]
        assert all(archive.read(name).startswith(BOM) for name in archive.namelist())
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert body == to_csv_bytes(analysis_tables(changes_of(small())))


def test_formula_injection_is_text_in_csv_and_xlsx_and_numbers_stay_numbers() -> None:
    candidates, summary = analysis_tables(analysis.key_person_candidates(planted_injections(), limit=10))
    assert set(INJECTIONS) <= set(candidates.frame["名称 / Name"])

    back = pd.read_csv(io.BytesIO(to_csv_bytes([candidates])), encoding="utf-8-sig", dtype=str)
    assert {f"'{name}" for name in INJECTIONS} <= set(back["名称 / Name"])
    assert not set(INJECTIONS) & set(back["名称 / Name"])

    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes([candidates, summary])))
    sheet = workbook["キーパーソン候補"]
    header = [cell.value for cell in sheet[1]]
    name_column, rank_column, score_column = (header.index(h) for h in ("名称 / Name", "順位 / Rank", "得点 / Score"))
    names = {}
    for row in sheet.iter_rows(min_row=2):
        names[row[name_column].value] = row[name_column].data_type
        assert row[rank_column].data_type == "n" and isinstance(row[rank_column].value, int)
        assert row[score_column].data_type == "n" and isinstance(row[score_column].value, int | float)
    for name in INJECTIONS:
        assert names[f"'{name}"] == "s"  # text, not a formula ("f")
    assert "f" not in {cell.data_type for row in sheet.iter_rows() for cell in row}


def test_xlsx_sheets_header_widths_and_fixed_dates() -> None:
    tables = analysis_tables(changes_of(small()))
    body = to_xlsx_bytes(tables)
    assert body == to_xlsx_bytes(analysis_tables(changes_of(small())))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert re.search(r"<dcterms:created[^>]*>2000-01-01T00:00:00Z<", core)
    assert re.search(r"<dcterms:modified[^>]*>2000-01-01T00:00:00Z<", core)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == [t.title for t in tables]
    sheet = workbook["加入と離脱"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert [cell.value for cell in sheet[1]] == list(tables[1].frame.columns)
    assert sheet["F2"].value == "大阪テスト大学"
    assert sheet.column_dimensions["F"].width >= 16  # 7 wide characters
    assert workbook.properties.creator == "secgraph"


# -- graph files ------------------------------------------------------------------------------------


def test_graphml_opens_with_every_attribute() -> None:
    data = small()
    graph = nx.read_graphml(io.BytesIO(graph_graphml(data)), force_multigraph=True)
    assert set(graph.nodes) == {"a", "b", "c", "d", "e", "k", "p", "s"}  # no prefecture or region nodes
    a = graph.nodes["a"]
    assert a["label"] == a["name"] == "大阪テスト株式会社"
    assert (a["kind"], a["kind_label"], a["sector"], a["sector_label"]) == (
        "Organisation",
        "団体",
        "sme",
        "中小企業・利用企業",
    )
    assert (a["sector_group"], a["sector_group_label"], a["prefecture"], a["prefecture_names"]) == (
        "industry",
        "産",
        "27",
        "大阪府",
    )
    assert a["source"] == "test" and a["confidential"] is False and a["as_of"] == "2020-04-01"
    assert graph.nodes["p"]["prefecture_names"] == "大阪府"  # through the employer
    assert graph.nodes["p"]["aliases"] == "山田太郎"
    assert graph.nodes["c"]["prefectures"] == "27" and graph.nodes["e"]["attendees"] == 30
    spoke = rel_id(data, "SPOKE_AT", "p", "e")
    edge = graph.edges["p", "e", spoke]
    assert (edge["type"], edge["label"], edge["role"], edge["source"]) == ("SPOKE_AT", "講演", "基調講演", "test")
    member = graph.edges["b", "c", rel_id(data, "MEMBER_OF", "b", "c")]
    assert member["start"] == "2020-05-01"
    assert graph.number_of_edges() == len(graph_in_scope(data).relationships)


def test_gexf_opens_with_networkx_and_is_plain_xml_in_the_gexf_namespace() -> None:
    data = small()
    body = graph_gexf(data)
    root = ET.fromstring(body)
    assert root.tag == f"{GEXF_NS}gexf"
    meta = root.find(f"{GEXF_NS}meta")
    assert meta is not None and meta.get("lastmodifieddate") == "2000-01-01"
    assert root.find(f"{GEXF_NS}graph") is not None
    graph = nx.read_gexf(io.BytesIO(body))
    assert graph.nodes["a"]["label"] == "大阪テスト株式会社" and graph.nodes["a"]["sector_group"] == "industry"
    spoke = rel_id(data, "SPOKE_AT", "p", "e")
    edges = {attributes["id"]: attributes for _, _, attributes in graph.edges(data=True)}
    assert edges[spoke]["rel_type"] == "SPOKE_AT" and edges[spoke]["role"] == "基調講演"
    assert edges[rel_id(data, "MEMBER_OF", "b", "c")]["start_date"] == "2020-05-01"
    assert set(edges) == set(graph_in_scope(data).relationships)


def test_graph_files_are_the_same_bytes_twice() -> None:
    for write in (graph_graphml, graph_gexf, graph_json):
        assert write(small()) == write(small()), write.__name__
        assert write(small(), Scope(community="c"), hide_names=True) == write(
            small(), Scope(community="c"), hide_names=True
        )


def test_a_scope_keeps_its_records_and_the_ties_among_them() -> None:
    data = small()
    community = graph_in_scope(data, Scope(community="c"))
    assert set(community.nodes) == {"a", "b", "c", "e", "p", "s"}
    assert all(r.from_id in community.nodes and r.to_id in community.nodes for r in community.relationships.values())
    assert set(graph_in_scope(data, Scope(prefecture="43")).nodes) == {"d", "k"}
    # the bureau has no prefecture: it is in Kinki's scope as the secretariat of a Kinki community
    assert set(graph_in_scope(data, Scope(region="mic-kinki", as_of=dt.date(2020, 1, 1))).nodes) == {"a", "b", "c", "s"}
    with pytest.raises(KeyError):
        graph_in_scope(data, Scope(community="nowhere"))


def test_hide_names_removes_every_person_name_from_every_format() -> None:
    data = small()
    for write in (graph_graphml, graph_gexf, graph_json):
        shown = write(data).decode("utf-8")
        assert all(name in shown for name in PERSON_NAMES), write.__name__  # the check can fail
        hidden = write(data, hide_names=True).decode("utf-8")
        assert not [name for name in PERSON_NAMES if name in hidden], write.__name__
        assert "講師(大阪テスト株式会社)" in hidden  # NFKC: the record keeps half-width brackets
        assert '"p"' not in hidden and "'p'" not in hidden


# -- the JSON export --------------------------------------------------------------------------------


def test_json_export_holds_every_user_record_with_every_field_sorted() -> None:
    data = small()
    document = json.loads(graph_json(data))
    assert (document["format"], document["version"], document["names_hidden"], document["scope"]) == (
        "secgraph-graph",
        1,
        False,
        None,
    )
    ids = [node["id"] for node in document["nodes"]]
    assert ids == sorted(ids) and set(ids) == {"a", "b", "c", "d", "e", "k", "p", "s"}
    for node in document["nodes"]:
        assert set(node) == set(NODE_TYPES[node["kind"]].model_fields) | {"kind"}
    types = sorted(r["type"] for r in document["relationships"])
    assert types == ["MEMBER_OF"] * 3 + ["ORGANISED", "SECRETARIAT_OF", "SPOKE_AT", "WORKS_AT"]  # none derived
    assert json.loads(graph_json(data, Scope(community="c")))["scope"] == "コミュニティ: c / community: c"


def test_json_export_loads_back_as_the_same_graph_on_both_stores(
    store: GraphStore, seed: GraphData, tmp_path: Path
) -> None:
    exported = graph_json(seed)
    (tmp_path / "backup.json").write_bytes(exported)
    report = load(store, tmp_path / "backup.json", progress=False)
    assert report.ok, "\n".join(map(str, report.errors))
    assert not report.merges
    restored = store.snapshot()
    assert graph_json(restored) == exported
    assert restored.nodes == seed.nodes and restored.relationships == seed.relationships
    again = load(store, tmp_path / "backup.json", progress=False)
    assert again.ok and not again.written


def test_an_export_with_names_hidden_loads_into_an_empty_store_only(seed: GraphData, tmp_path: Path) -> None:
    hidden = graph_json(seed, hide_names=True)
    (tmp_path / "hidden.json").write_bytes(hidden)
    empty = EmbeddedStore(tmp_path / "empty.db")
    try:
        report = load(empty, tmp_path / "hidden.json", progress=False)
        assert report.ok and report.written, "\n".join(map(str, report.errors))
        assert dump_graph(empty.snapshot(), names_hidden=True) == hidden
        assert load(empty, tmp_path / "hidden.json", progress=False).ok  # again: nothing to write
    finally:
        empty.close()
    full = EmbeddedStore(tmp_path / "full.db")
    try:
        (tmp_path / "backup.json").write_bytes(graph_json(seed))
        assert load(full, tmp_path / "backup.json", progress=False).ok
        before = full.snapshot()
        report = load(full, tmp_path / "hidden.json", progress=False)
        assert not report.ok and not report.written
        assert [(e.file, e.column) for e in report.errors] == [("hidden.json", "names_hidden")]
        assert "空の" in report.errors[0].reason
        assert full.snapshot() == before
    finally:
        full.close()


def broken_export(tmp_path: Path) -> Path:
    document = json.loads(graph_json(small()))
    position = next(i for i, node in enumerate(document["nodes"]) if node["id"] == "k")
    document["nodes"][position]["sector"] = "banana"
    document["nodes"][0]["colour"] = "red"
    document["relationships"].append({**document["relationships"][0], "id": "r-dangling", "to_id": "nowhere"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_bad_json_export_names_file_record_and_field_and_writes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        before = store.snapshot()
        path = broken_export(tmp_path)
        report = load(store, path, progress=False)
        assert not report.ok and not report.written
        document = json.loads(path.read_text(encoding="utf-8"))
        k = 1 + next(i for i, node in enumerate(document["nodes"]) if node["id"] == "k")
        found = {(e.file, e.row, e.column) for e in report.errors}
        assert ("broken.json:nodes", k, "sector") in found
        assert ("broken.json:nodes", 1, "colour") in found
        assert store.snapshot() == before
        # with the unknown field and the sector fixed, the dangling tie is named by its position
        document["nodes"][0].pop("colour")
        document["nodes"][k - 1]["sector"] = "insurer"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        report = load(store, path, progress=False)
        assert [(e.file, e.row, e.column) for e in report.errors] == [
            ("broken.json:relationships", len(document["relationships"]), "to_id")
        ]
        assert store.snapshot() == before
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "column", "reason"),
    [
        ('{"format": "secgraph-graph", "version": 1, "nodes": [{"kind": "Org', "", "not valid JSON"),
        ('{"format": "other", "nodes": []}', "format", "not a secgraph graph export"),
        ('{"format": "secgraph-graph", "version": 99}', "version", "version 99"),
        ('{"format": "secgraph-graph", "version": 1, "nodes": [{"kind": "Prefecture", "id": "x"}]}', "kind", "kind"),
        ('{"format": "secgraph-graph", "version": 1, "nodes": [7]}', "", "not an object"),
    ],
)
def test_unreadable_json_is_refused_with_a_reason(tmp_path: Path, content: str, column: str, reason: str) -> None:
    (tmp_path / "x.json").write_text(content, encoding="utf-8")
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        report = load(store, tmp_path / "x.json", progress=False)
    finally:
        store.close()
    assert not report.ok and not report.written
    assert [e.column for e in report.errors] == [column] and reason in report.errors[0].reason


def test_a_folder_reads_exports_and_passes_over_other_json(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "something else"}', encoding="utf-8")
    (folder / "backup.json").write_bytes(graph_json(small()))
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        report = load(store, folder, progress=False)
        assert report.ok and report.written and report.ignored_files == ["package.json"]
        assert report.added["Organisation"] == 4
    finally:
        store.close()


# -- the routes -------------------------------------------------------------------------------------


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from embedded_api(tmp_path)


def text_of(body: bytes) -> str:
    """Every piece of text in an export: a zip's (or workbook's) entries, or the file itself."""
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return body.decode("utf-8")


EXPORTS = (
    "/exports/graph",
    "/exports/graph?format=gexf",
    "/exports/graph?format=json",
    "/exports/analyses/key-persons",
    "/exports/analyses/key-persons?format=xlsx",
    "/exports/analyses/missing-sectors?table=coverage",
    "/exports/analyses/stage?format=xlsx",
    "/exports/analyses/health",
    "/exports/analyses/isolated-regions",
    "/exports/analyses/brokers-between?group_a=police&group_b=university",
    "/exports/analyses/changes?earlier=2020-01-01&later=2021-12-31&format=xlsx",
)


def test_media_types_and_file_names(api: Api) -> None:
    expected = {
        "/exports/graph": ("application/graphml+xml", "secgraph-graph.graphml"),
        "/exports/graph?format=gexf&community=com-a": ("application/gexf+xml", "secgraph-graph-com-a.gexf"),
        "/exports/graph?format=json&as_of=2021-03-31": ("application/json", "secgraph-graph-2021-03-31.json"),
        "/exports/analyses/stage?table=communities": ("text/csv; charset=utf-8", "secgraph-stage-communities.csv"),
        "/exports/analyses/stage": ("application/zip", "secgraph-stage.zip"),
        "/exports/analyses/stage?format=xlsx&region=mic-kinki": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "secgraph-stage-mic-kinki.xlsx",
        ),
    }
    for url, (media_type, filename) in expected.items():
        response = api.get("planner", url)
        assert response.status_code == 200, (url, response.text)
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
        assert response.headers["cache-control"] == "no-store"


def test_a_viewer_gets_no_names_in_any_export(api: Api) -> None:
    planner = text_of(api.get("planner", "/exports/graph?format=json").content)
    assert "山田" in planner and "秘密商事" in planner  # what the viewer must not get is there to leak
    for url in EXPORTS:
        response = api.get("viewer", url)
        assert response.status_code == 200, (url, response.text)
        text = text_of(response.content)
        assert not [name for name in SECRET_NAMES if name in text], url
    viewer_people = {p["id"] for p in api.get("viewer", "/people").json()["items"]}
    exported = json.loads(api.get("viewer", "/exports/graph?format=json").content)
    assert exported["names_hidden"] is True
    assert {n["id"] for n in exported["nodes"] if n["kind"] == "Person"} == viewer_people


def test_a_secretariat_gets_no_confidential_record(api: Api) -> None:
    confidential = ("秘密商事", "org-secret", "隠岐", "per-secret", "r-contact")
    for url in EXPORTS:
        response = api.get("sec_a", url)
        assert response.status_code == 200, (url, response.text)
        text = text_of(response.content)
        assert not [word for word in confidential if word in text], url
    assert "山田" in text_of(api.get("sec_a", "/exports/graph").content)


def test_hide_names_on_request(api: Api) -> None:
    for url in ("/exports/graph?format=gexf", "/exports/analyses/key-persons?table=candidates"):
        assert "山田" in text_of(api.get("planner", url).content), url
        assert "山田" not in text_of(api.get("planner", url + "&hide_names=true").content), url


def test_the_exported_table_is_the_cached_analysis(api: Api) -> None:
    cache = api.client.app.state.analyses  # type: ignore[attr-defined]
    api.get("planner", "/analyses/stage?region=mic-kinki")
    hits = cache.hits
    response = api.get("planner", "/exports/analyses/stage?region=mic-kinki&table=communities")
    assert response.status_code == 200 and cache.hits == hits + 1
    assert response.headers["x-graph-revision"] == api.get("planner", "/analyses/stage").headers["x-graph-revision"]
    table = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert list(table["ID / Id"]) == ["com-a"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/exports/analyses/stage?table=nope", 422),
        ("/exports/analyses/stage?format=pdf", 422),
        ("/exports/graph?format=png", 422),
        ("/exports/graph?community=nowhere", 404),
        ("/exports/analyses/stage?community=nowhere", 404),
        ("/exports/analyses/changes", 422),
    ],
)
def test_bad_requests(api: Api, url: str, status: int) -> None:
    response = api.get("planner", url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_needs_a_key(api: Api) -> None:
    assert api.client.get("/exports/graph").status_code == 401


def test_the_api_import_reads_the_json_export_in_a_zip(api: Api) -> None:
    exported = api.get("admin", "/exports/graph?format=json").content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("backup.json", exported)
    response = api.post("admin", "/imports", files={"file": ("backup.zip", buffer.getvalue(), "application/zip")})
    assert response.status_code == 200, response.text
    assert response.json()["ok"] and not response.json()["written"]  # the same graph: nothing to write


def test_japanese_cells_of_every_analysis_table_hold_no_raw_code(seed: GraphData) -> None:
    """Every registry analysis on the seed, as tables: no sector, need, gap, rule, indicator or kind code
    in a Japanese cell. Columns of ids and codes (コード, records behind a finding, the health
    indicators' machine details) and the English columns hold what they say."""
    from secgraph.analysis.registry import ANALYSES
    from secgraph.export.analysis_tables import COLUMNS
    from tests.test_cli_analyses import raw_codes

    pattern = raw_codes()
    machine = {"code", "details", "counted", "named_members", "people", "measure", "rule_id", "communities"}
    skipped = {COLUMNS[k] for k in COLUMNS if k in machine or k.endswith(("_en", "_ids", "_id", "id"))}
    needed = {
        "brokers-between": {"group_a": "police", "group_b": "university"},
        "changes": {"earlier": "2019-04-01", "later": "2021-03-31"},
    }
    checked = 0
    for slug, entry in ANALYSES.items():
        result = entry.run(seed, entry.parameters_of(**needed.get(slug, {})))
        for table in analysis_tables(result):
            for column in table.frame.columns:
                if column in skipped or column.endswith("/ English"):
                    continue
                for value in table.frame[column]:
                    if isinstance(value, str):
                        japanese = value.split(" / ")[0]  # a bilingual cell: the Japanese half
                        assert not pattern.findall(japanese), (slug, table.key, column, value[:200])
                        checked += 1
    assert checked > 1000
