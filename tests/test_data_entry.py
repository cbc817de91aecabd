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


# -- 2. merges remembered --------------------------------------------------------------------------

ORGS = "id,name,sector,source,as_of\n"


def test_a_later_load_may_refer_to_an_id_merged_away(
    store: GraphStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first"
    write(first / "a", "communities.csv", "id,name,source,as_of\nm-kept,関西サイバー協議会,資料A,2020-02\n")
    write(first / "b", "communities.csv", "id,name,source,as_of\nm-away,関西 サイバー 協議会,資料B,2020-02\n")
    report = load(store, first, progress=False)
    assert report.ok and [(m.merged_id, m.kept_id) for m in report.merges] == [("m-away", "m-kept")]
    assert store.get_node("m-away") is None
    assert store.get_node("m-kept").merged_ids == ["m-away"]  # type: ignore[union-attr]

    second = tmp_path / "second"
    write(second, "organisations.csv", ORGS + "m-org,乙株式会社,company,資料C,2021-04\n")
    write(second, "relationships.csv", "type,from_id,to_id,source,as_of\nMEMBER_OF,m-org,m-away,資料C,2021-04\n")
    report = load(store, second, progress=False)
    assert report.ok, report.errors
    assert [(r.merged_id, r.kept_id) for r in report.resolved] == [("m-away", "m-kept")]
    (tie,) = [r for r in store.relationships_of("m-org") if r.type == "MEMBER_OF"]
    assert tie.to_id == "m-kept"
    # loading the first folder's surviving record alone again keeps the merge remembered
    assert load(store, first / "a", progress=False).ok
    assert store.get_node("m-kept").merged_ids == ["m-away"]  # type: ignore[union-attr]
    assert load(store, first, progress=False).ok
    assert load(store, first, progress=False).written is False  # loading the same twice changes nothing


def test_the_load_command_says_when_it_resolves_a_merged_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECGRAPH_DB", str(tmp_path / "graph.db"))
    for name in ("NEO4J_URI", "SECGRAPH_STORE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    write(tmp_path / "one" / "a", "organisations.csv", ORGS + "x-kept,丙工業株式会社,company,資料A,2020\n")
    write(tmp_path / "one" / "b", "organisations.csv", ORGS + "x-away,丙工業(株),company,資料B,2020\n")
    assert main(["load", str(tmp_path / "one")]) == 0
    write(tmp_path / "two", "organisations.csv", "id,name,sector,parent_id,source,as_of\n"
          "x-unit,丙工業 大阪支店,company,x-away,資料C,2021\n")  # fmt: skip
    capsys.readouterr()
    assert main(["load", str(tmp_path / "two")]) == 0
    out = capsys.readouterr().out
    assert "merged-away ids resolved" in out and "x-away → x-kept" in out


def test_a_merged_id_survives_backup_and_restore(store: GraphStore, tmp_path: Path) -> None:
    from secgraph.io.backup import backup, restore

    write(tmp_path / "d" / "a", "organisations.csv", ORGS + "b-kept,丁商事株式会社,company,資料A,2020\n")
    write(tmp_path / "d" / "b", "organisations.csv", ORGS + "b-away,丁商事(株),company,資料B,2020\n")
    assert load(store, tmp_path / "d", progress=False).ok
    saved = tmp_path / "backup.json"
    backup(store, saved)
    store.clear()
    assert store.get_node("b-kept") is None
    restore(store, saved)
    assert store.get_node("b-kept").merged_ids == ["b-away"]  # type: ignore[union-attr]
    write(
        tmp_path / "e", "relationships.csv", "type,from_id,to_id,source,as_of\nPARTNERS_WITH,b-away,b-kept,資料C,2021\n"
    )
    report = load(store, tmp_path / "e", progress=False)
    assert report.ok and [r.kept_id for r in report.resolved] == ["b-kept"]


# -- 3. people across loads ------------------------------------------------------------------------


def _people_folder(folder: Path, person_id: str, name: str, talk: str) -> None:
    write(folder, "organisations.csv", ORGS + "p-org,戊システム株式会社,it_vendor,資料,2020\n")
    write(folder, "people.csv", f"id,name,source,as_of\n{person_id},{name},資料,2020\n")
    write(
        folder, "events.csv", f"id,title,event_type,start,source,as_of\n{talk},{talk}講演会,seminar,2020-05,資料,2020\n"
    )
    write(
        folder,
        "relationships.csv",
        "type,from_id,to_id,role,source,as_of\n"
        f"WORKS_AT,{person_id},p-org,部長,資料,2020\nSPOKE_AT,{person_id},{talk},,資料,2020\n",
    )


def test_people_merge_across_loads_and_a_not_same_entry_undoes_it(store: GraphStore, tmp_path: Path) -> None:
    _people_folder(tmp_path / "one", "p-a", "山田 太郎", "ev-1")
    assert load(store, tmp_path / "one", progress=False).ok
    _people_folder(tmp_path / "two", "p-b", "山田太郎", "ev-2")
    report = load(store, tmp_path / "two", progress=False)
    assert report.ok, report.errors
    assert [(m.kind, m.kept_id, m.merged_id) for m in report.merges] == [("Person", "p-a", "p-b")]
    assert store.get_node("p-b") is None
    assert store.get_node("p-a").merged_ids == ["p-b"]  # type: ignore[union-attr]
    talks = lambda pid: sorted(r.to_id for r in store.relationships_of(pid) if r.type == "SPOKE_AT")  # noqa: E731
    assert talks("p-a") == ["ev-1", "ev-2"]

    # a person of a name the store holds, without a shared employer, stays apart
    write(tmp_path / "three", "people.csv", "id,name,source,as_of\np-c,山田太郎,資料,2021\n")
    report = load(store, tmp_path / "three", progress=False)
    assert report.ok and report.merges == [] and store.get_node("p-c") is not None

    # the reviewer says p-b is not p-a: loaded with p-b's folder, the merge is undone
    write(tmp_path / "two", "not_same.csv", "person_id,other_id,source,as_of,note\np-a,p-b,確認者,2021,別人\n")
    report = load(store, tmp_path / "two", progress=False)
    assert report.ok, report.errors
    assert [(s.kept_id, s.split_id) for s in report.splits] == [("p-a", "p-b")]
    assert report.merges == []
    assert store.get_node("p-a").merged_ids == []  # type: ignore[union-attr]
    assert store.get_node("p-a").distinct_ids == ["p-b"]  # type: ignore[union-attr]
    assert talks("p-a") == ["ev-1"] and talks("p-b") == ["ev-2"]
    works = [r for r in store.relationships_of("p-a") if r.type == "WORKS_AT"]
    assert [r.to_id for r in works] == ["p-org"]  # p-a's own tie to the shared employer stays
    # and the entry is remembered: p-b's folder alone loads apart from now on
    (tmp_path / "two" / "not_same.csv").unlink()
    report = load(store, tmp_path / "two", progress=False)
    assert report.ok and report.merges == [] and report.written is False


def test_a_merged_person_keeps_what_only_the_other_record_said(store: GraphStore, tmp_path: Path) -> None:
    _people_folder(tmp_path / "one", "pm-a", "佐藤 花子", "ev-a")
    assert load(store, tmp_path / "one", progress=False).ok
    _people_folder(tmp_path / "two", "pm-b", "佐藤花子", "ev-b")
    write(
        tmp_path / "two",
        "people.csv",
        "id,name,name_en,aliases,role_label,source,as_of\npm-b,佐藤花子,Hanako Sato,鈴木 花子,講師,資料B,2021\n",
    )
    report = load(store, tmp_path / "two", progress=False)
    assert report.ok, report.errors
    kept = store.get_node("pm-a")
    assert [(m.kept_id, m.merged_id, m.conflicts) for m in report.merges] == [("pm-a", "pm-b", ())]
    assert (kept.name, kept.name_en, kept.aliases, kept.role_label) == (  # type: ignore[union-attr]
        "佐藤 花子", "Hanako Sato", ["鈴木 花子"], "講師"
    )  # fmt: skip
    assert kept.merged_ids == ["pm-b"] and kept.source == "資料 ; 資料B"  # type: ignore[union-attr]

    # a third record of her that disagrees is merged, and the disagreement reported, not written over
    _people_folder(tmp_path / "three", "pm-c", "佐藤 花子", "ev-c")
    write(tmp_path / "three", "people.csv", "id,name,name_en,source,as_of\npm-c,佐藤 花子,Hanako Satou,資料C,2022\n")
    report = load(store, tmp_path / "three", progress=False)
    assert report.ok, report.errors
    assert [(m.merged_id, m.conflicts) for m in report.merges] == [("pm-c", ("name_en: Hanako Sato ≠ Hanako Satou",))]
    assert store.get_node("pm-a").name_en == "Hanako Sato"  # type: ignore[union-attr]


def test_a_not_same_entry_must_name_people(store: GraphStore, tmp_path: Path) -> None:
    write(tmp_path, "organisations.csv", ORGS + "ns-org,己株式会社,company,資料,2020\n")
    write(tmp_path, "not_same.csv", "person_id,other_id,source,as_of\nns-org,ns-x,確認者,2021\n")
    report = load(store, tmp_path, progress=False)
    assert sorted(e.column for e in report.errors) == ["other_id", "person_id"]
    assert store.get_node("ns-org") is None


# -- 4. parent changes -----------------------------------------------------------------------------


def test_a_new_parent_replaces_the_sub_unit_tie(store: GraphStore, tmp_path: Path) -> None:
    header = "id,name,sector,parent_id,source,as_of\n"
    rows = "pa-1,庚ホールディングス,company,,資料,2020\npa-2,辛ホールディングス,company,,資料,2020\n"
    write(tmp_path, "organisations.csv", header + rows + "pa-u,庚システム部,company,pa-1,資料,2020\n")
    assert load(store, tmp_path, progress=False).ok
    parents = lambda: [r.to_id for r in store.relationships_of("pa-u") if r.type == "SUB_UNIT_OF"]  # noqa: E731
    assert parents() == ["pa-1"]
    write(tmp_path, "organisations.csv", header + rows + "pa-u,庚システム部,company,pa-2,資料,2021\n")
    assert load(store, tmp_path, progress=False).ok
    assert parents() == ["pa-2"]
    # the same through a write of the record (what the API's replace does)
    unit = store.get_node("pa-u")
    from secgraph.store import ChangeSet

    store.write(ChangeSet(nodes=[unit.model_copy(update={"parent_id": None})]))  # type: ignore[union-attr]
    assert parents() == []
    store.write(ChangeSet(nodes=[unit.model_copy(update={"parent_id": "pa-1"})]))  # type: ignore[union-attr]
    assert parents() == ["pa-1"]


def test_the_api_reads_and_ties_by_a_merged_id_and_replaces_a_parent(store: GraphStore, tmp_path: Path) -> None:
    from tests.test_api_world import build_api

    folder = tmp_path / "data"
    write(folder / "a", "organisations.csv", ORGS + "api-kept,壬電機株式会社,company,資料A,2020\n")
    write(folder / "b", "organisations.csv", ORGS + "api-away,壬電機(株),company,資料B,2020\n")
    for api in build_api(store, tmp_path):
        assert load(store, folder, progress=False).ok
        found = api.get("admin", "/organisations/api-away")
        assert found.status_code == 200 and found.json()["id"] == "api-kept"
        tie = {"type": "SUB_UNIT_OF", "from_id": "org-ins", "to_id": "api-away", "source": "api", "as_of": "2026"}
        created = api.post("admin", "/relationships", json=tie)
        assert created.status_code == 201, created.text
        assert created.json()["to_id"] == "api-kept"
        unit = api.get("admin", "/organisations/org-police").json()
        replaced = api.put("admin", "/organisations/org-police", json={**unit, "parent_id": "api-kept"})
        assert replaced.status_code == 200, replaced.text
        replaced = api.put("admin", "/organisations/org-police", json={**unit, "parent_id": "org-ins"})
        assert replaced.status_code == 200, replaced.text
        parents = [r.to_id for r in store.relationships_of("org-police") if r.type == "SUB_UNIT_OF"]
        assert parents == ["org-ins"]
        assert store.get_node("api-kept").merged_ids == ["api-away"]  # type: ignore[union-attr]


# -- 5. headcounts: parts of a whole, approximate counts -------------------------------------------


def test_a_part_of_headcount_is_never_added_to_its_whole(store: GraphStore, tmp_path: Path) -> None:
    from secgraph.analysis.activity import activity_index, membership_count
    from secgraph.viz.charts.membership_attendance import attendance_of

    write(tmp_path, "communities.csv", "id,name,source,as_of\nhc-com,癸協議会,資料,2021-03\n")
    write(
        tmp_path,
        "events.csv",
        "id,title,event_type,start,source,as_of\nhc-ev,指導者セミナー,seminar,2009-02-16,資料,2009-02-16\n",
    )
    write(
        tmp_path,
        "headcounts.csv",
        "subject_id,kind,sector,group,count,label,part_of,approximate,source,as_of\n"
        "hc-ev,attendees,chamber_of_commerce,,14,商工会議所関係者14名,,,資料,2009-02-16\n"
        "hc-ev,attendees,other,,39,その他39名,,,資料,2009-02-16\n"
        "hc-ev,attendees,professional_body,,18,ITC有資格者18名（内数）,総数,,資料,2009-02-16\n"
        "hc-com,members,,,60,会員約60名,,約,資料,2021-03\n"
        "hc-com,members,,industry,40,企業40社,,,資料,2021-03\n"
        "hc-com,members,university,,12,うち大学12校,企業40社,,資料,2021-03\n",
    )
    report = load(store, tmp_path, progress=False)
    assert report.ok, report.errors
    data = store.snapshot()
    assert attendance_of(data)["hc-ev"] == 53  # 14 + 39, the 18 ITC holders are among them
    members = membership_count(activity_index(data, dt.date(2021, 3, 31)).activity("hc-com"))
    assert members.counted == 60 and members.counted_by_group == {"industry": 40}
    (about,) = [n for n in data.nodes.values() if getattr(n, "label", None) == "会員約60名"]
    assert about.approximate is True  # type: ignore[attr-defined]


def test_part_of_must_name_a_count_of_the_same_subject(store: GraphStore, tmp_path: Path) -> None:
    write(tmp_path, "communities.csv", "id,name,source,as_of\nhp-com,子協議会,資料,2021-03\n")
    write(
        tmp_path,
        "headcounts.csv",
        "subject_id,kind,count,label,part_of,source,as_of\nhp-com,members,5,うち5社,会員100名,資料,2021-03\n",
    )
    report = load(store, tmp_path, progress=False)
    assert [(e.file, e.column) for e in report.errors] == [("headcounts.csv", "part_of")]
    assert store.get_node("hp-com") is None


# -- 6. stated and inferred ties -------------------------------------------------------------------


def _evidence_lines(value: object) -> list:
    from pydantic import BaseModel

    from secgraph.analysis.explain import Evidence

    if isinstance(value, Evidence):
        return [value]
    if isinstance(value, BaseModel):
        return [e for name in type(value).model_fields for e in _evidence_lines(getattr(value, name))]
    if isinstance(value, (list, tuple)):
        return [e for item in value for e in _evidence_lines(item)]
    if isinstance(value, dict):
        return [e for item in value.values() for e in _evidence_lines(item)]
    return []


def test_an_inferred_tie_is_marked_in_evidence_and_left_out_on_request(store: GraphStore, tmp_path: Path) -> None:
    from secgraph.analysis.registry import ANALYSES

    write(
        tmp_path,
        "organisations.csv",
        ORGS + "if-isco,丑情報産業協会,industry_association,資料,2020\nif-ins,寅海上保険株式会社,insurer,資料,2020\n",
    )
    write(tmp_path, "communities.csv", "id,name,source,as_of\nif-com,卯研究会,資料,2020\n")
    write(
        tmp_path,
        "relationships.csv",
        "type,from_id,to_id,certainty,source,as_of\n"
        "SECRETARIAT_OF,if-isco,if-com,inferred,資料,2020\n"
        "MEMBER_OF,if-ins,if-com,,資料,2020\n",
    )
    assert load(store, tmp_path, progress=False).ok
    data = store.snapshot()
    inferred = [r for r in data.relationships.values() if r.type == "SECRETARIAT_OF"]
    assert [r.certainty for r in inferred] == ["inferred"]
    stated = [r for r in data.relationships.values() if r.type == "MEMBER_OF"]
    assert [r.certainty for r in stated] == ["stated"]

    stage = ANALYSES["stage"]
    result = stage.run(data, stage.parameters_of(community="if-com"))
    lines = _evidence_lines(result)
    marked = [e for e in lines if e.inferred]
    assert marked and all(e.inferred == [str(inferred[0].id)] for e in marked)
    assert all(e.ja.endswith("（推定の関係を含む）") and e.en.endswith("(includes an inferred tie)") for e in marked)
    assert any("if-isco" in e.ids for e in marked)
    assert not [e for e in lines if "if-ins" in e.ids and e.inferred]  # a line on the stated tie only

    left_out = stage.run(data, stage.parameters_of(community="if-com", include_inferred="false"))
    lines = _evidence_lines(left_out)
    assert lines and not [e for e in lines if e.inferred or "if-isco" in e.ids]


def test_every_analysis_and_the_analyse_command_take_the_inferred_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from secgraph.analysis.registry import ANALYSES

    assert all("include_inferred" in analysis.own_parameters for analysis in ANALYSES.values())
    monkeypatch.setenv("SECGRAPH_DB", str(tmp_path / "graph.db"))
    for name in ("NEO4J_URI", "SECGRAPH_STORE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    write(tmp_path / "d", "organisations.csv", ORGS + "cl-org,午情報協会,industry_association,資料,2020\n")
    write(tmp_path / "d", "communities.csv", "id,name,source,as_of\ncl-com,未研究会,資料,2020\n")
    write(
        tmp_path / "d",
        "relationships.csv",
        "type,from_id,to_id,certainty,source,as_of\nSECRETARIAT_OF,cl-org,cl-com,inferred,資料,2020\n",
    )
    assert main(["load", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    assert main(["analyse", "stage", "--community", "cl-com", "--json"]) == 0
    assert "推定の関係を含む" in capsys.readouterr().out
    assert main(["analyse", "stage", "--community", "cl-com", "--include-inferred", "false", "--json"]) == 0
    out = capsys.readouterr().out
    assert "推定の関係を含む" not in out and "cl-org" not in json.dumps(json.loads(out)["communities"])


def test_the_api_leaves_inferred_ties_out_on_request(store: GraphStore, tmp_path: Path) -> None:
    import json

    from tests.test_api_world import build_api

    write(tmp_path / "d", "organisations.csv", ORGS + "ia-org,辰情報協会,industry_association,資料,2020\n")
    write(tmp_path / "d", "communities.csv", "id,name,source,as_of\nia-com,巳研究会,資料,2020\n")
    write(
        tmp_path / "d",
        "relationships.csv",
        "type,from_id,to_id,certainty,note,source,as_of\nSECRETARIAT_OF,ia-org,ia-com,推定,運営と解した,資料,2020\n",
    )
    for api in build_api(store, tmp_path):
        assert load(store, tmp_path / "d", progress=False).ok
        with_it = api.get("admin", "/analyses/stage", params={"community": "ia-com"})
        assert with_it.status_code == 200, with_it.text
        assert "推定の関係を含む" in with_it.text and "ia-org" in with_it.text
        without = api.get("admin", "/analyses/stage", params={"community": "ia-com", "include_inferred": "false"})
        assert without.status_code == 200, without.text
        assert "推定の関係を含む" not in without.text and "ia-org" not in json.dumps(without.json()["communities"])


def test_a_merged_persons_id_is_hidden_where_names_are(store: GraphStore, tmp_path: Path) -> None:
    from secgraph.access.visibility import Visibility, visible_graph

    _people_folder(tmp_path / "one", "p-yamada-a", "山田 花子", "ev-h1")
    _people_folder(tmp_path / "two", "p-yamada-b", "山田花子", "ev-h2")
    assert load(store, tmp_path / "one", progress=False).ok
    assert load(store, tmp_path / "two", progress=False).ok
    data = store.snapshot()
    assert any(r.merged_from == "p-yamada-b" for r in data.relationships.values())
    shown = visible_graph(data, Visibility.ANONYMISED, b"k" * 32)
    assert "p-yamada" not in repr(shown.nodes) + repr(shown.relationships)


def test_a_merged_id_stated_in_a_file_must_not_be_a_record(store: GraphStore, tmp_path: Path) -> None:
    write(
        tmp_path,
        "organisations.csv",
        "id,name,sector,merged_ids,source,as_of\nmi-1,申株式会社,company,mi-old|mi-2,資料,2020\nmi-2,酉株式会社,company,,資料,2020\n",
    )
    report = load(store, tmp_path, progress=False)
    assert [(e.row, e.column) for e in report.errors] == [(2, "merged_ids")] and "mi-2" in report.errors[0].reason
    write(
        tmp_path,
        "organisations.csv",
        "id,name,sector,merged_ids,source,as_of\nmi-1,申株式会社,company,mi-old,資料,2020\n",
    )
    assert load(store, tmp_path, progress=False).ok
    write(
        tmp_path / "later",
        "relationships.csv",
        "type,from_id,to_id,source,as_of\nPARTNERS_WITH,mi-old,mi-1,資料,2021\n",
    )
    report = load(store, tmp_path / "later", progress=False)
    assert report.ok and [(r.merged_id, r.kept_id) for r in report.resolved] == [("mi-old", "mi-1")]


# -- 7. the large-company sector -------------------------------------------------------------------


def test_a_large_user_company_is_its_own_sector_and_no_sme(store: GraphStore, tmp_path: Path) -> None:
    from secgraph.analysis import missing_sectors
    from secgraph.analysis.network import Scope
    from secgraph.model.vocabulary import Sector, SectorGroup, parse_term, sector_group

    assert parse_term(Sector, "大企業・ユーザー企業") is Sector.LARGE_COMPANY is parse_term(Sector, "大企業")
    assert sector_group(Sector.LARGE_COMPANY) is SectorGroup.INDUSTRY
    write(tmp_path, "organisations.csv", ORGS + "lc-1,亥電力株式会社,大企業・ユーザー企業,資料,2020\n")
    write(tmp_path, "communities.csv", "id,name,source,as_of\nlc-com,戌協議会,資料,2020\n")
    write(tmp_path, "relationships.csv", "type,from_id,to_id,source,as_of\nMEMBER_OF,lc-1,lc-com,資料,2020\n")
    assert load(store, tmp_path, progress=False).ok
    assert store.get_node("lc-1").sector == "large_company"  # type: ignore[union-attr]
    assert "sme" in missing_sectors(store.snapshot(), Scope(community="lc-com")).communities[0].missing
