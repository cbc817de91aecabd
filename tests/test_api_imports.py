"""Imports over HTTP on both stores: all or nothing, the CLI's report, background jobs, unsafe files."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from secgraph.io.importer import plan_load
from secgraph.store import GraphStore
from tests.test_api import problem
from tests.test_api_world import Api, build_api

DATA = Path(__file__).resolve().parent / "data"
GOOD, BROKEN = DATA / "good", DATA / "broken"


@pytest.fixture
def api(store: GraphStore, tmp_path: Path) -> Iterator[Api]:
    """The world on each store kind, served by an app with a key of every role."""
    yield from build_api(store, tmp_path)


def zipped(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def upload(api: Api, role: str, name: str, content: bytes, query: str = ""):  # type: ignore[no-untyped-def]
    return api.post(role, f"/imports{query}", files={"file": (name, content, "application/octet-stream")})


def wait_for(api: Api, role: str, location: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = api.get(role, location).json()
        if job["status"] in ("done", "refused", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {location} did not finish")


def test_a_zip_is_loaded_with_the_same_report_as_the_command_line(api: Api, tmp_path: Path) -> None:
    expected, _ = plan_load(api.store, GOOD, progress=False)
    checked = upload(api, "admin", "good.zip", zipped(GOOD), "?check_only=true")
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert report["written"] is False and report["path"] == "good.zip"
    assert {k: report[k] for k in ("added", "updated", "merges", "errors")} == {
        k: expected.as_dict()[k] for k in ("added", "updated", "merges", "errors")
    }
    revision = api.store.revision()
    loaded = upload(api, "admin", "good.zip", zipped(GOOD)).json()
    assert loaded["written"] is True and loaded["revision"] > revision
    assert api.get("admin", "/organisations?q=トレンドマイクロ").json()["total"] == 1
    again = upload(api, "admin", "good.zip", zipped(GOOD)).json()
    assert again["written"] is False and not again["added"]  # loading twice changes nothing


def test_one_csv_file_and_one_workbook_load_alone(api: Api) -> None:
    csv_bytes = (GOOD / "organisations.csv").read_bytes()
    assert upload(api, "admin", "organisations.csv", csv_bytes).json()["added"]["Organisation"] >= 1
    book = Workbook()
    sheet = book.active
    sheet.title = "団体"
    sheet.append(["id", "name", "sector", "prefecture", "source", "as_of"])
    sheet.append(["x-org-1", "エクセル商事", "中小企業", "熊本県", "workbook", "令和3年4月"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload(api, "admin", "members.xlsx", buffer.getvalue()).json()
    assert report["added"] == {"Organisation": 1}
    assert api.get("admin", "/organisations/x-org-1").json()["as_of"] == "2021-04"


def test_a_json_export_uploads_back_as_the_same_graph(api: Api) -> None:
    """The backup made by GET /exports/graph?format=json restores through POST /imports."""
    exported = api.get("admin", "/exports/graph?format=json")
    assert exported.status_code == 200, exported.text
    before = api.store.snapshot()
    api.store.clear()
    assert api.store.snapshot() != before
    report = upload(api, "admin", "backup.json", exported.content).json()
    assert report["written"] is True, report
    assert api.store.snapshot() == before
    assert api.get("admin", "/exports/graph?format=json").content == exported.content


def test_a_json_export_with_a_lone_surrogate_is_refused_naming_record_and_field(api: Api) -> None:
    """JSON may escape half a character ("\\ud800"), which no store can write: the record and field
    are named and nothing is written."""
    document = api.get("admin", "/exports/graph?format=json").json()
    position, note = next((i, n) for i, n in enumerate(document["nodes"], start=1) if n["kind"] == "Note")
    note["text"] += "\ud800"
    before, revision = api.store.snapshot(), api.store.revision()
    body = problem(upload(api, "admin", "backup.json", json.dumps(document).encode("ascii")), 422)
    assert [(e["file"], e["row"], e["column"]) for e in body["errors"]] == [("backup.json:nodes", position, "text")]
    assert "lone surrogate" in body["errors"][0]["reason"] and "\\ud800" in body["errors"][0]["reason"]
    assert api.store.snapshot() == before and api.store.revision() == revision


@pytest.mark.parametrize(
    "case",
    [
        "several_bad_rows",
        "dangling_reference",
        "truncated",
        "formula_injection",
        "number_out_of_range",
        "lone_surrogate_in_json",
        "damaged_sheet_xml",
    ],
)
def test_one_bad_row_and_nothing_is_written(api: Api, tmp_path: Path, case: str) -> None:
    folder = tmp_path / "upload"
    shutil.copytree(GOOD, folder / "a_good")
    shutil.copytree(BROKEN / case, folder / "b_broken")
    before, revision = api.store.snapshot(), api.store.revision()
    body = problem(upload(api, "admin", "data.zip", zipped(folder)), 422)
    assert body["errors"] and all({"file", "row", "reason"} <= set(e) for e in body["errors"])
    assert all(e["file"].startswith("b_broken/") for e in body["errors"])
    assert body["report"]["ok"] is False and body["report"]["errors"] == [
        {k: e.get(k, "") for k in ("file", "row", "column", "reason")} for e in body["errors"]
    ]
    assert api.store.snapshot() == before and api.store.revision() == revision


def test_large_imports_run_as_jobs_that_report_progress(api: Api) -> None:
    accepted = upload(
        api, "planner", "notes.csv", b"id,about_id,text,source,as_of\nn-1,com-b,x,t,2021\n", "?background=true"
    )
    assert accepted.status_code == 202, accepted.text
    job = accepted.json()
    assert job["progress"]["steps"] == 3 and accepted.headers["location"] == f"/imports/{job['id']}"
    finished = wait_for(api, "planner", accepted.headers["location"])
    assert finished["status"] == "done" and finished["report"]["added"] == {"Note": 1}
    assert finished["progress"]["phase"] == "finished" and finished["finished_at"]
    assert api.get("admin", accepted.headers["location"]).status_code == 200  # admins see every job
    problem(api.get("sec_a", accepted.headers["location"]), 404)  # other keys do not
    problem(api.get("planner", "/imports/nope"), 404)


def test_a_refused_background_import_keeps_its_reasons(api: Api) -> None:
    content = zipped(BROKEN / "several_bad_rows")
    revision = api.store.revision()
    accepted = upload(api, "admin", "bad.zip", content, "?background=true")
    job = wait_for(api, "admin", accepted.headers["location"])
    assert job["status"] == "refused" and job["problem"]["status"] == 422
    assert len(job["problem"]["errors"]) == 3 and job["report"]["ok"] is False
    assert api.store.revision() == revision


@pytest.mark.parametrize("role", ["sec_a", "viewer"])
def test_only_admins_and_planners_import(api: Api, role: str) -> None:
    problem(upload(api, role, "notes.csv", b"id,about_id,text,source,as_of\nn-1,com-a,x,t,2021\n"), 403)


def test_a_planner_cannot_import_what_it_may_not_write(api: Api) -> None:
    revision = api.store.revision()
    body = problem(upload(api, "planner", "organisations.csv", (GOOD / "organisations.csv").read_bytes()), 403)
    assert any("notes" in e["reason"] for e in body["errors"])
    assert api.store.revision() == revision


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("data.txt", b"hello", 415),
        ("no-suffix", b"hello", 415),
        ("members.csv", b"id,name\n", 422),  # not a table name
        ("data.zip", b"not a zip", 422),
        ("book.xlsx", b"not a workbook", 422),
        ("backup.json", b'{"format": "something else"}', 422),
    ],
)
def test_unreadable_uploads_are_refused(api: Api, name: str, content: bytes, status: int) -> None:
    body = problem(upload(api, "admin", name, content), status)
    assert body["errors"]


def test_a_zip_may_not_write_outside_its_folder(api: Api, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../escaped/organisations.csv", "id,name\n")
    body = problem(upload(api, "admin", "evil.zip", buffer.getvalue()), 422)
    assert "unsafe path" in body["errors"][0]["reason"]


@pytest.fixture
def small_limits(store: GraphStore, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(
        store, tmp_path, max_import_bytes=50_000, max_unpacked_bytes=100_000, background_import_bytes=1
    )


def test_uploads_over_the_limits_answer_413_and_small_ones_go_to_the_background(small_limits: Api) -> None:
    api = small_limits
    problem(upload(api, "admin", "organisations.csv", b"id,name\n" + b"x" * 60_000), 413)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("organisations.csv", "id,name\n" + " " * 200_000)  # a small zip that unpacks big
    problem(upload(api, "admin", "bomb.zip", buffer.getvalue()), 413)
    assert upload(api, "admin", "notes.csv", b"id,about_id,text,source,as_of\n").status_code == 202
