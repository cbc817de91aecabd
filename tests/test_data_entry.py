"""Data entry as secretariats write it (issue 17): fiscal years in every date column, merged ids that
stay usable, people merged across loads and split again, parent changes, part-of headcounts,
inferred ties, and the large-company sector. Every store test runs on both stores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from secgraph.cli import main
from secgraph.io.importer import load
from secgraph.model.dates import ACCEPTED_FORMS, parse_date
from secgraph.store import GraphStore


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))


# -- 1. fiscal years -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["FY2023", "2023年度", "令和5年度", "R5年度", "Ｒ５年度", "２０２３年度", "ＦＹ２０２３", "fy 2023"]
)
def test_a_fiscal_year_is_april_to_march(text: str) -> None:
    day = parse_date(text)
    assert (day.iso(), day.first_day(), day.last_day()) == ("FY2023", dt.date(2023, 4, 1), dt.date(2024, 3, 31))


def test_reiwa_gannendo_is_fiscal_2019() -> None:
    assert parse_date("令和元年度").iso() == "FY2019"


def test_the_error_message_lists_only_forms_that_parse() -> None:
    with pytest.raises(ValueError) as refused:
        parse_date("来年度")
    assert ACCEPTED_FORMS in str(refused.value)
    for form in ACCEPTED_FORMS.replace(" or ", ", ").split(", "):
        parse_date(form)


def test_every_date_column_takes_a_fiscal_year(store: GraphStore, tmp_path: Path) -> None:
    write(tmp_path, "organisations.csv", "id,name,sector,source,as_of\no-1,甲株式会社,company,利用者,令和5年度\n")
    write(
        tmp_path,
        "communities.csv",
        "id,name,founded,source,as_of\nc-1,甲協議会,R2年度,利用者,FY2023\n",
    )
    write(
        tmp_path,
        "events.csv",
        "id,title,event_type,start,end,source,as_of\ne-1,年度内セミナー,seminar,2023年度,2023年度,利用者,2023年度\n",
    )
    write(
        tmp_path,
        "relationships.csv",
        "type,from_id,to_id,start,end,source,as_of\nMEMBER_OF,o-1,c-1,令和2年度,令和元年度,利用者,2023年度\n",
    )
    report = load(store, tmp_path, progress=False)
    # end (FY2019) before start (FY2020) is refused, with the fiscal years compared as periods
    assert [(e.file, e.column) for e in report.errors] == [("relationships.csv", "end")]
    write(
        tmp_path,
        "relationships.csv",
        "type,from_id,to_id,start,end,source,as_of\nMEMBER_OF,o-1,c-1,令和2年度,令和5年度,利用者,2023年度\n",
    )
    report = load(store, tmp_path, progress=False)
    assert report.ok, report.errors
    assert store.get_node("o-1").as_of == "FY2023"  # type: ignore[union-attr]
    assert store.get_node("c-1").founded == "FY2020"  # type: ignore[union-attr]
    assert store.get_node("e-1").start == "FY2023"  # type: ignore[union-attr]
    (tie,) = [r for r in store.relationships_of("o-1") if r.type == "MEMBER_OF"]
    assert (tie.start, tie.end) == ("FY2020", "FY2023")


def test_load_check_passes_on_a_cp932_folder_dated_in_nendo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECGRAPH_DB", str(tmp_path / "graph.db"))
    for name in ("NEO4J_URI", "SECGRAPH_STORE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    folder = tmp_path / "事務局データ"
    write(
        folder,
        "organisations.csv",
        "id,name,sector,prefecture,source,as_of\nk-1,高知県警察,警察,高知県,事務局,令和5年度\n",
        "cp932",
    )
    write(
        folder,
        "communities.csv",
        "id,name,founded,region,source,as_of\nk-com,高知サイバー協議会,令和元年度,四国,事務局,２０２３年度\n",
        "cp932",
    )
    write(
        folder,
        "relationships.csv",
        "type,from_id,to_id,start,source,as_of\n事務局,k-1,k-com,R2年度,事務局,FY2023\n",
        "cp932",
    )
    code = main(["load", "--check", str(folder)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "checked, no problems" in out
