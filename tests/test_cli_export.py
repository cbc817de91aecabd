"""`secgraph export`: every map, chart, document, table and data file from the command line, scoped,
names hidden on request, a layout saved and reused."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from secgraph.io.importer import load
from secgraph.store.embedded import EmbeddedStore
from tests.conftest import SEED_DATA
from tests.test_cli import env, run  # noqa: F401  (env is a fixture)


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed data loaded into an embedded store once for the module, and the names of its people."""
    folder = tmp_path_factory.mktemp("seeded")
    store = EmbeddedStore(folder / "graph.db")
    assert load(store, SEED_DATA, progress=False).ok
    people = [n.name for n in store.nodes("Person")]
    store.close()
    (folder / "people.json").write_text(json.dumps(people, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def seeded(env: Path, seed_folder: Path) -> Path:  # noqa: F811
    """This test's own copy of the seeded store (the command line may write to what it opens)."""
    for file in seed_folder.iterdir():
        shutil.copy2(file, env / file.name)
    return env


def _people(folder: Path) -> list[str]:
    return json.loads((folder / "people.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("argv", "magic"),
    [
        (("map", "--region", "mic-kinki"), b"<!DOCTYPE html>"),
        (("map", "--format", "png", "--community", "s001-com-kansai-secnet"), b"\x89PNG"),
        (("map", "--format", "pdf", "--prefecture", "40"), b"%PDF"),
        (("chart", "coverage-map", "--format", "svg"), b"<?xml"),
        (("chart", "stage-by-year", "--region", "mic-kinki"), b"\x89PNG"),
        # the profile as HTML and the pack: with --hide-names in the test below
        (("profile", "s001-com-kansai-secnet"), b"%PDF"),
        (("table", "missing-sectors"), b"PK"),
        (("table", "stage", "--format", "csv", "--table", "communities"), "\ufeff".encode()),
        (("graph", "--format", "graphml", "--region", "mic-kinki"), b"<?xml"),
        (("graph", "--format", "gexf"), b"<?xml"),
        (("graph",), b"{"),
    ],
)
def test_each_export_writes_its_file(seeded: Path, capsys: pytest.CaptureFixture[str], argv, magic) -> None:  # type: ignore[no-untyped-def]
    target = seeded / "out" / "file"
    code, out, err = run(capsys, "export", *argv, "-o", str(target))
    assert code == 0, err
    assert target.read_bytes().startswith(magic)
    assert str(target) in out


def test_names_are_hidden_in_every_text_format(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    people = _people(seeded)
    assert people
    for argv in (
        ("map",),
        ("chart", "membership-attendance", "--format", "svg"),
        ("profile", "s001-com-kansai-secnet", "--format", "html"),
        ("table", "key-persons", "--format", "csv", "--table", "candidates"),
        ("graph",),
        ("graph", "--format", "graphml"),
    ):
        target = seeded / "hidden"
        code, out, err = run(capsys, "export", *argv, "--hide-names", "-o", str(target))
        assert code == 0, (argv, err)
        assert str(target) in out, argv
        if argv[0] == "profile":
            assert target.read_bytes().startswith(b"<!DOCTYPE html>")
        text = target.read_bytes().decode("utf-8-sig")
        assert not [name for name in people if name in text], argv
    pdf = seeded / "hidden.pdf"
    code, out, err = run(capsys, "export", "pack", "--region", "mic-tohoku", "--hide-names", "-o", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF") and str(pdf) in out
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "東北" in text and not [name for name in people if name in text]


def test_a_saved_layout_gives_the_same_map_again(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, first, second = seeded / "kinki.json", seeded / "first.html", seeded / "second.html"
    assert (
        run(
            capsys,
            "export",
            "map",
            "--region",
            "mic-kinki",
            "--seed",
            "7",
            "--save-layout",
            str(layout),
            "-o",
            str(first),
        )[0]
        == 0
    )
    # another seed, but the stored layout (and its seed) wins
    assert (
        run(
            capsys, "export", "map", "--region", "mic-kinki", "--seed", "1", "--layout", str(layout), "-o", str(second)
        )[0]
        == 0
    )
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(layout.read_text(encoding="utf-8"))["seed"] == 7


def test_default_names_and_refusals(seeded: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(seeded)
    assert run(capsys, "export", "table", "stage", "--format", "csv")[0] == 0
    with zipfile.ZipFile(seeded / "secgraph-stage.zip") as archive:  # several tables: one CSV each
        assert "communities.csv" in archive.namelist()
    code, _out, err = run(capsys, "export", "profile", "no-such-community")
    assert code == 2 and "no-such-community" in err
    code, _out, err = run(capsys, "export", "pack")
    assert code == 2 and "--region" in err
    code, _out, err = run(capsys, "export", "table", "stage", "--table", "nope")
    assert code == 2 and "communities" in err


def test_a_file_is_what_its_name_says(seeded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    several = seeded / "stage.csv"
    code, _out, err = run(capsys, "export", "table", "stage", "--format", "csv", "-o", str(several))
    assert code == 2 and "--table" in err and ".zip" in err and not several.exists()  # not a zip named .csv
    zipped = seeded / "stage.zip"
    assert run(capsys, "export", "table", "stage", "-o", str(zipped))[0] == 0  # .zip: the CSV tables, zipped
    assert zipfile.is_zipfile(zipped)
    svg = seeded / "coverage.svg"
    assert run(capsys, "export", "chart", "coverage-map", "-o", str(svg))[0] == 0  # the suffix picks the format
    assert svg.read_bytes().startswith(b"<?xml")
    clash = seeded / "clash.svg"
    code, _out, err = run(capsys, "export", "chart", "coverage-map", "--format", "png", "-o", str(clash))
    assert code == 2 and "--format png" in err and not clash.exists()
    code, _out, err = run(capsys, "export", "map", "-o", str(seeded / "map.docx"))
    assert code == 2 and ".docx" in err and not (seeded / "map.docx").exists()
