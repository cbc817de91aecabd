"""Loading data sets: all or nothing, with row-level reasons, merges listed, idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from secgraph.io.importer import load
from secgraph.store import GraphStore

DATA = Path(__file__).parent / "data"
GOOD = DATA / "good"
BROKEN = DATA / "broken"


def test_a_good_folder_loads_with_merges_listed(store: GraphStore) -> None:
    report = load(store, GOOD, progress=False)
    assert report.ok, report.errors
    assert report.written
    # 「(株)トレンドマイクロ」 is 「トレンドマイクロ株式会社」: one node, the first id kept.
    merges = [(m.kept_id, m.merged_id) for m in report.merges]
    assert merges == [("t-com-ksn", "t-com-ksn2"), ("t-org-trend", "t-org-trend2")]
    assert store.get_node("t-org-trend2") is None
    trend = store.get_node("t-org-trend")
    assert trend is not None and trend.source == "test §2 ; test §3"
    assert trend.prefecture == "13"  # filled from the merged record  # type: ignore[attr-defined]
    members = sorted(r.from_id for r in store.relationships_of("t-com-ksn") if r.type == "MEMBER_OF")
    assert members == ["t-org-ins", "t-org-trend"]
    secretariat = [r.from_id for r in store.relationships_of("t-com-ksn") if r.type == "SECRETARIAT_OF"]
    assert len(secretariat) == 2
    event = store.get_node("t-ev-2")
    assert event is not None and event.start == "2019-11-05" and event.event_type == "lecture_series"  # type: ignore[attr-defined]
    assert report.added["Headcount"] == 3
    # A count on the merged community now counts the kept one.
    assert {h.subject_id for h in store.nodes("Headcount")} == {"t-com-ksn"}


def test_loading_twice_changes_nothing(store: GraphStore) -> None:
    load(store, GOOD, progress=False)
    before, revision = store.snapshot(), store.revision()
    again = load(store, GOOD, progress=False)
    assert again.ok and not again.written
    assert not again.added and not again.updated
    assert store.snapshot() == before and store.revision() == revision


def test_check_only_writes_nothing(store: GraphStore) -> None:
    before = store.snapshot()
    report = load(store, GOOD, check_only=True, progress=False)
    assert report.ok and not report.written and report.added
    assert store.snapshot() == before


def test_a_later_load_merges_into_what_the_store_has(store: GraphStore, tmp_path: Path) -> None:
    load(store, GOOD, progress=False)
    (tmp_path / "organisations.csv").write_text(
        "id,name,aliases,sector,source,as_of\nu-org-1,経済産業省 近畿経済産業局,,meti_bureau,user,2021-04\n",
        encoding="utf-8",
    )
    report = load(store, tmp_path, progress=False)
    assert report.ok
    assert [(m.kept_id, m.merged_id) for m in report.merges] == [("t-org-kinki-meti", "u-org-1")]


def test_shift_jis_with_and_without_bom(store: GraphStore, tmp_path: Path) -> None:
    text = "id,name,sector,prefecture,source,as_of\nsj-1,熊本県警察,警察,熊本県,利用者,令和2年4月\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "organisations.csv").write_bytes(text.encode("cp932"))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "organisations.csv").write_bytes(
        b"\xef\xbb\xbf" + text.replace("sj-1", "sj-2").replace("熊本県警察", "長崎県警察").encode("utf-8")
    )
    report = load(store, tmp_path, progress=False)
    assert report.ok, report.errors
    assert report.encodings == {"a/organisations.csv": "cp932", "b/organisations.csv": "utf-8"}
    node = store.get_node("sj-1")
    assert node is not None and node.name == "熊本県警察" and node.as_of == "2020-04"  # type: ignore[attr-defined]


def test_an_excel_workbook_loads_like_the_folder(store: GraphStore, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "団体"
    sheet.append(["id", "name", "sector", "prefecture", "source", "as_of"])
    sheet.append(["x-1", "テスト信用金庫", "bank", 43, "利用者", "2021-04-01"])
    communities = workbook.create_sheet("communities")
    communities.append(["id", "name", "region", "source", "as_of"])
    communities.append(["x-c", "テスト協議会", "九州", "利用者", "2021-04-01"])
    relationships = workbook.create_sheet("関係")
    relationships.append(["type", "from_id", "to_id", "source", "as_of"])
    relationships.append(["構成員", "x-1", "x-c", "利用者", "2021-04-01"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)
    report = load(store, path, progress=False)
    assert report.ok, report.errors
    assert store.get_node("x-1").prefecture == "43"  # type: ignore[union-attr]
    assert [r.to_id for r in store.relationships_of("x-1") if r.type == "MEMBER_OF"] == ["x-c"]


EXPECTED: dict[str, list[tuple[str, int, str, str]]] = {
    # case: [(file, row, column, a fragment of the reason)]
    "unknown_sector": [("organisations.csv", 2, "sector", "spaceport")],
    "unknown_prefecture": [("organisations.csv", 2, "prefecture", "ムー大陸")],
    "impossible_date": [("events.csv", 2, "start", "2021-02-30")],
    "unparseable_date": [("events.csv", 2, "start", "来週の水曜")],
    "end_before_start": [("events.csv", 2, "end", "before start")],
    "not_a_number": [("events.csv", 2, "attendees", "integer")],
    "dangling_reference": [("relationships.csv", 2, "to_id", "b-com-missing")],
    "wrong_endpoint_kind": [("relationships.csv", 2, "from_id", "cannot start at a Organisation")],
    "unknown_member_class": [("relationships.csv", 2, "member_class", "platinum")],
    "duplicate_id": [("organisations.csv", 3, "id", "duplicate id 'b-org-1'")],
    "unknown_column": [("organisations.csv", 1, "secter", "unknown column")],
    "missing_column": [("organisations.csv", 2, "sector", "required")],
    "empty_name": [("organisations.csv", 2, "name", "required")],
    "missing_provenance": [
        ("organisations.csv", 2, "source", "required"),
        ("organisations.csv", 2, "as_of", "required"),
    ],
    "too_many_cells": [("organisations.csv", 2, "", "cells but the header has")],
    "formula_injection": [("organisations.csv", 2, "name", "formula")],
    "huge_cell": [("organisations.csv", 2, "name", "longer than")],
    "truncated": [("organisations.csv", 0, "", "malformed CSV")],
    "header_only_bad_bytes": [("organisations.csv", 0, "", "Shift_JIS")],
    "utf16_text": [("organisations.csv", 0, "", "UTF-16")],
    "empty_file": [("organisations.csv", 0, "", "empty")],
    "several_bad_rows": [
        ("organisations.csv", 2, "sector", "spaceport"),
        ("organisations.csv", 3, "prefecture", "ムー"),
        ("organisations.csv", 4, "as_of", "2099-13"),
    ],
    # each number beyond its range (records.MAX_*) is named; the largest allowed ones (row 3's
    # attendees, applicants, capacity) are not
    "number_out_of_range": [
        ("headcounts.csv", 2, "count", "between 0 and 10,000,000 / 人数・団体数は"),
        ("headcounts.csv", 3, "count", "between 0 and 10,000,000"),
        ("events.csv", 2, "attendees", "between 0 and 10,000,000"),
        ("events.csv", 2, "applicants", "between 0 and 10,000,000"),
        ("events.csv", 2, "satisfaction", "between 0 and 100 / 割合"),
        ("events.csv", 2, "edition", "between 1 and 10,000 / 回次は"),
        ("events.csv", 3, "edition", "between 1 and 10,000"),
    ],
    # JSON's "\ud800" escapes make strings no store can write: refused in names, lists, provenance, ties
    "lone_surrogate_in_json": [
        ("export.json:nodes", 1, "name", "character 6 (\\ud800) is a lone surrogate, not text / 6文字目"),
        ("export.json:nodes", 2, "aliases", "(\\udfff) is a lone surrogate"),
        ("export.json:nodes", 3, "source", "(\\udc80) is a lone surrogate"),
        ("export.json:relationships", 1, "role", "(\\ud83d) is a lone surrogate"),
    ],
    # a series' stated cadence must be one the reader knows, and its span in order
    "bad_series_cadence": [
        ("event_series.csv", 2, "cadence", "unknown cadence 'ときどき'"),
        ("event_series.csv", 3, "until", "until 2017 is before since 2019-04 / 終了が開始より前です"),
        ("event_series.csv", 4, "since", "2017-13"),
    ],
    # a sheet's XML naming a surrogate (&#xD800;) is found only while its rows are read
    "damaged_sheet_xml": [("book.xlsx:organisations", 0, "", "not well-formed XML")],
}


def test_the_corpus_covers_every_case() -> None:
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_a_broken_file_is_refused_and_changes_nothing(store: GraphStore, tmp_path: Path, case: str) -> None:
    load(store, GOOD, progress=False)
    before, revision = store.snapshot(), store.revision()
    # The broken file travels with a good data set: one bad row must stop all of it.
    folder = tmp_path / "upload"
    shutil.copytree(GOOD, folder / "a_good")
    shutil.copytree(BROKEN / case, folder / "b_broken")
    for name in ("organisations", "communities", "people", "event_series", "events", "relationships", "headcounts"):
        # Fresh ids so that the good half would be a real change if it were written.
        path = folder / "a_good" / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("t-", "n-"), encoding="utf-8")
    report = load(store, folder, progress=False)
    assert not report.ok and not report.written
    found = [(e.file.removeprefix("b_broken/"), e.row, e.column, e.reason) for e in report.errors]
    for file, row, column, fragment in EXPECTED[case]:
        assert any(f == file and r == row and c == column and fragment in reason for f, r, c, reason in found), (
            f"expected {file} 行{row} [{column}] '{fragment}', got {found}"
        )
    assert len(found) == len(EXPECTED[case]), found
    assert store.snapshot() == before and store.revision() == revision


def test_a_hundred_thousand_rows_with_one_bad_one_write_nothing(store: GraphStore, tmp_path: Path) -> None:
    """A national-size file: the one bad row near its end is named, and none of the rest is written."""
    load(store, GOOD, progress=False)
    before, revision = store.snapshot(), store.revision()
    folder = tmp_path / "big"
    folder.mkdir()
    rows = ["id,name,sector,prefecture,source,as_of"]
    rows += [f"big-{i:06d},大量会社{i:06d},sme,{1 + i % 47:02d},big file,2026-11" for i in range(100_000)]
    rows[99_990] = rows[99_990].replace(",sme,", ",warp-drive,")
    (folder / "organisations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = load(store, folder, progress=False)
    assert not report.ok and not report.written
    assert [(e.row, e.column) for e in report.errors] == [(99_991, "sector")]  # the header is row 1
    assert "warp-drive" in report.errors[0].reason
    assert store.snapshot() == before and store.revision() == revision


def test_a_series_cadence_is_read_in_japanese_and_english(store: GraphStore, tmp_path: Path) -> None:
    rows = [
        ("j-1", "年2回程度", "twice_a_year"),
        ("j-2", "隔月開催", "bimonthly"),
        ("j-3", "毎週", "weekly"),
        ("j-4", "定期的", "regular"),
        ("e-1", "monthly", "monthly"),
        ("e-2", "once a year", "yearly"),
        ("e-3", "Twice a year", "twice_a_year"),
        ("e-4", "年１２回", "monthly"),
    ]
    folder = tmp_path / "series"
    folder.mkdir()
    lines = ["id,name,cadence,since,until,source,as_of"]
    lines += [f"{i},シリーズ{i},{cadence},平成29年7月,,test,2021-02" for i, cadence, _ in rows]
    (folder / "event_series.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = load(store, folder, progress=False)
    assert report.ok, report.errors
    for i, _, code in rows:
        series = store.get_node(i)
        assert series is not None and (series.cadence, series.since) == (code, "2017-07")  # type: ignore[attr-defined]
