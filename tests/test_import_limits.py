"""Files that would exhaust memory (issue 15): a workbook of 1.6 KB declaring Excel's whole grid, and
rows, columns, cells and workbook parts past the limits of ``secgraph.io.limits``. Each is refused
with file, sheet, row and reason, writes nothing, and — over the API — holds up no other write while
it is read. On both stores."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from secgraph.access import KeyStore, Principal, Role
from secgraph.cli.common import EXIT_REFUSED
from secgraph.io.importer import load
from secgraph.io.limits import ReadLimits
from secgraph.store import GraphStore
from secgraph.store.embedded import EmbeddedStore
from tests.bombs import dimension_bomb, inline, workbook
from tests.neo4j_server import free_port
from tests.test_api_imports import api  # noqa: F401  (fixture)
from tests.test_api_world import Api, auth

DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "good"
SECGRAPH = [sys.executable, "-m", "secgraph.cli"]
#: The address space the refusing process gets: a tenth of what reading the bomb by its declared
#: dimension grew to.
MEMORY_LIMIT = 1536 * 1024 * 1024
BOMB = dimension_bomb()
HEADER = "id,name,sector,prefecture,source,as_of"
ROW = "{id},限界商事{id},sme,13,limits test,2026-11"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture
def store_env(store: GraphStore, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The environment under which ``secgraph`` opens the test's own store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SECGRAPH_"))}
    env |= {"LANG": "C.UTF-8", "SECGRAPH_KEYS": str(tmp_path / "keys.db")}
    if isinstance(store, EmbeddedStore):
        return env | {"SECGRAPH_STORE": "embedded", "SECGRAPH_DB": str(store.path)}
    target = request.getfixturevalue("neo4j_server")
    optional = {"NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password, "NEO4J_DATABASE": target.database}
    return env | {"SECGRAPH_STORE": "neo4j", "NEO4J_URI": target.uri} | {k: v for k, v in optional.items() if v}


def test_the_bomb_is_refused_by_the_command_line_within_a_memory_limit(
    store: GraphStore, store_env: dict[str, str], tmp_path: Path
) -> None:
    assert len(BOMB) < 2_000
    assert load(store, GOOD, progress=False).ok
    before, revision = store.snapshot(), store.revision()
    book = tmp_path / "members.xlsx"
    book.write_bytes(BOMB)
    result = subprocess.run(
        [*SECGRAPH, "--lang", "en", "load", str(book)],
        env=store_env,
        capture_output=True,
        text=True,
        timeout=600,  # only so that a regression fails instead of hanging the suite
        preexec_fn=_limit_memory,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_REFUSED, output
    assert "members.xlsx:団体 行1048576" in output, output
    assert "more than 256 columns" in output and "列が多すぎます" in output, output
    assert "nothing written" in output and "Traceback" not in output and "MemoryError" not in output, output
    assert store.snapshot() == before and store.revision() == revision


def test_the_bomb_is_refused_over_http_within_a_memory_limit(
    store: GraphStore, store_env: dict[str, str], tmp_path: Path
) -> None:
    admin, _ = KeyStore(tmp_path / "keys.db").create("admin", "bomb test")
    revision = store.revision()
    port = free_port()
    server = subprocess.Popen(
        [*SECGRAPH, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=store_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_limit_memory,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=auth(admin), timeout=600) as client:
            while True:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)  # not serving yet: ask again shortly rather than spin
            refused = client.post("/imports", files={"file": ("members.xlsx", BOMB, "application/octet-stream")})
            assert refused.status_code in (413, 422), refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            errors = refused.json()["errors"]
            assert [(e["file"], e["row"]) for e in errors] == [("members.xlsx:団体", 1_048_576)]
            assert "256 columns" in errors[0]["reason"] and "列が多すぎます" in errors[0]["reason"]
            assert client.get("/health").status_code == 200  # the service lived through it
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert store.revision() == revision


def test_a_write_is_not_held_up_while_an_upload_is_read(api: Api, tmp_path: Path) -> None:  # noqa: F811
    """The import reads its file from a pipe that the test fills only after a write through the API
    has been answered: the import is provably still reading while that write goes through, and only
    then sees that its file has too many columns."""
    imports = api.client.app.state.imports  # type: ignore[attr-defined]
    upload = tmp_path / "organisations.csv"
    os.mkfifo(upload)
    admin = Principal(key_id="limits-test", name="limits test", role=Role.ADMIN)
    outcomes: list[object] = []
    importing = threading.Thread(
        target=lambda: outcomes.append(imports.run(admin, upload, "organisations.csv", False, lambda _: None))
    )
    importing.start()
    with open(upload, "w", encoding="utf-8") as pipe:  # opens once the import opens the file to read it
        assert imports.graph.write_lock.acquire(blocking=False), "the import holds the write lock while reading"
        imports.graph.write_lock.release()
        written = api.post("admin", "/organisations", json={"name": "読込中に書く会社", "sector": "sme", **_P})
        assert written.status_code == 201, written.text
        assert not outcomes  # the import is still reading: its file is not finished
        revision = api.store.revision()
        pipe.write(HEADER + "," + ",".join(f"extra{i}" for i in range(300)) + "\n")
    importing.join()
    (outcome,) = outcomes
    assert outcome.status == 422  # type: ignore[attr-defined]
    assert "more than 256 columns" in outcome.problem.errors[0]["reason"]  # type: ignore[attr-defined]
    assert api.store.revision() == revision
    assert api.store.get_node(written.json()["id"]) is not None


_P = {"source": "limits test", "as_of": "2026-11"}


def _csv(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _refused(store: GraphStore, path: Path, limits: ReadLimits) -> list[tuple[str, int, str]]:
    before, revision = store.snapshot(), store.revision()
    report = load(store, path, limits=limits, progress=False)
    assert not report.ok and not report.written
    assert store.snapshot() == before and store.revision() == revision
    return [(e.file, e.row, e.reason) for e in report.errors]


def test_rows_columns_and_cells_of_a_csv_are_limited_as_it_is_read(store: GraphStore, tmp_path: Path) -> None:
    rows = [HEADER] + [ROW.format(id=f"lim-{i}") for i in range(5)]
    path = _csv(tmp_path / "rows", "organisations.csv", rows)
    assert _refused(store, path, ReadLimits(rows=4)) == [
        ("organisations.csv", 5, "more than 4 rows / 行が多すぎます（上限4行）")
    ]
    [(file, row, reason)] = _refused(store, path, ReadLimits(columns=5))
    assert (file, row) == ("organisations.csv", 1) and "more than 5 columns" in reason and "列が多すぎます" in reason
    # Cells are counted over the whole load: each file alone is within 40, the two together are not.
    _csv(tmp_path / "rows", "people.csv", ["id,name,source,as_of", "lim-p,限界 一郎,limits test,2026-11"])
    found = _refused(store, tmp_path / "rows", ReadLimits(cells=40))
    assert [(f, r) for f, r, _ in found] == [("people.csv", 2)] and "more than 40 cells" in found[0][2]


def test_blank_trailing_rows_and_cells_count_for_nothing(store: GraphStore, tmp_path: Path) -> None:
    """Trailing commas, blank lines, and a workbook declaring and formatting far more than it fills
    load as the data they hold, within limits that the data alone just meet."""
    limits = ReadLimits(rows=3, columns=6, cells=18)
    rows = [HEADER + ",,,,", ROW.format(id="lim-1") + ",,,,,,,,", "", ",,,,,,,", ROW.format(id="lim-2"), "", ""]
    report = load(store, _csv(tmp_path / "csv", "organisations.csv", rows), limits=limits, progress=False)
    assert report.ok, report.errors
    cells = "".join(
        inline(f"{col}{{row}}", "{" + key + "}") for col, key in zip("ABCDEF", HEADER.split(","), strict=True)
    )
    values = {"id": "lim-x{row}", "name": "限界工業{row}", "sector": "sme", "prefecture": "13", "source": "t"}
    blank_far_right = '<c r="XFD{row}" s="0"/>'

    def row(number: int, **fields: str) -> str:
        text = cells.format(row=number, **{k: v.format(row=number) for k, v in fields.items()})
        return f'<row r="{number}">{text}{blank_far_right.format(row=number)}</row>'

    header = {key: key for key in HEADER.split(",")}
    sheet = row(1, **header) + "".join(row(n, **values, as_of="2026-11") for n in (2, 3))
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook(sheet + '<row r="1048576"/>', before_data='<dimension ref="A1:XFD1048576"/>'))
    report = load(store, book, limits=limits, progress=False)
    assert report.ok, report.errors
    assert report.added["Organisation"] == 2


BLANK_CELLS = "<c/>" * 16_385


@pytest.mark.parametrize(
    ("sheet_data", "limits", "row", "fragment"),
    [
        (f'<row r="1">{inline("A1", "id")}</row><row r="2">{BLANK_CELLS}</row>', ReadLimits(), 2, "16,384 columns"),
        (f'<row r="1">{inline("A1", "id")}</row><row r="1048577"/>', ReadLimits(), 1_048_577, "1,048,576"),
        (f'<row r="1">{inline("A1", "id")}</row><row r="1e400"/>', ReadLimits(), 1, "not a number"),
        ('<row r="1"><c r="C1"/></row>' * 4, ReadLimits(laid_out_cells=10), 1, "lay out more than 10 cells"),
        ('<row r="1"><c r="A1"/></row>' * 10, ReadLimits(xml_elements=30), 1, "more than 30 XML elements"),
    ],
    ids=["one-row-past-excel", "row-past-excel", "row-number-not-a-number", "laid-out-cells", "xml-elements"],
)
def test_a_workbook_past_a_limit_is_refused_before_it_is_opened(
    store: GraphStore, tmp_path: Path, sheet_data: str, limits: ReadLimits, row: int, fragment: str
) -> None:
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook(sheet_data))
    [(file, found_row, reason)] = _refused(store, book, limits)
    assert (file, found_row) == ("book.xlsx:団体", row) and fragment in reason, reason


def test_a_workbook_that_unpacks_too_far_or_declares_entities_is_refused(store: GraphStore, tmp_path: Path) -> None:
    padded = tmp_path / "padded.xlsx"
    padded.write_bytes(workbook(f'<row r="1">{inline("A1", "id" + " " * 100_000)}</row>'))
    assert padded.stat().st_size < 5_000
    [(file, row, reason)] = _refused(store, padded, ReadLimits(unpacked_bytes=50_000))
    assert file.startswith("padded.xlsx:") and row == 0 and "unpacks to more than" in reason
    laughs = '<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    strings = (
        f'<?xml version="1.0"?>{laughs}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&b;</t></si></sst>"
    )
    entities = tmp_path / "entities.xlsx"
    entities.write_bytes(
        workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', parts={"xl/sharedStrings.xml": strings})
    )
    [(file, row, reason)] = _refused(store, entities, ReadLimits())
    assert file == "entities.xlsx:xl/sharedStrings.xml" and "DTD" in reason
    many = "".join(f"<si><t>{i}</t></si>" for i in range(30))
    table = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{many}</sst>'
    shared = tmp_path / "shared.xlsx"
    shared.write_bytes(workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', parts={"xl/sharedStrings.xml": table}))
    [(file, row, reason)] = _refused(store, shared, ReadLimits(cells=20))
    assert file == "shared.xlsx:xl/sharedStrings.xml" and "more than 20 shared strings" in reason
