"""Same data, same bytes, in any process: committees compare one meeting's outputs with the last's.

Tests inside one process cannot see an order that follows Python's string hashing (sets, dicts
filled from sets): it is the same for the whole process. So every output is made in two processes
with different ``PYTHONHASHSEED`` and compared byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secgraph.io.importer import load
from secgraph.store.embedded import EmbeddedStore
from tests.conftest import SEED_DATA

ANALYSES = ("key-persons", "isolated-regions", "missing-sectors", "stage", "health")

#: (file name, the ``secgraph`` arguments that write it): every kind of output, national and regional.
OUTPUTS: list[tuple[str, list[str]]] = [
    ("map-national.html", ["export", "map"]),
    ("map-kyushu.html", ["export", "map", "--region", "mic-kyushu"]),
    ("map-national.svg", ["export", "map", "--format", "svg"]),
    ("map-kyushu.pdf", ["export", "map", "--format", "pdf", "--region", "mic-kyushu"]),
    ("map-kyushu.png", ["export", "map", "--format", "png", "--region", "mic-kyushu"]),
    *[
        (f"chart-{chart}.svg", ["export", "chart", chart, "--format", "svg"])
        for chart in ("coverage-map", "membership-attendance", "sector-composition", "stage-by-year")
    ],
    ("chart-stage-kinki.pdf", ["export", "chart", "stage-by-year", "--format", "pdf", "--region", "mic-kinki"]),
    ("pack-kyushu.pdf", ["export", "pack", "--region", "mic-kyushu"]),
    *[(f"table-{name}.xlsx", ["export", "table", name, "--format", "xlsx"]) for name in ANALYSES],
    *[(f"graph.{fmt}", ["export", "graph", "--format", fmt, "--hide-names"]) for fmt in ("graphml", "gexf", "json")],
]

#: Run in each process: every output above, then every analysis as JSON.
_EXPORT_ALL = """
import contextlib, io, sys
from pathlib import Path
from secgraph.cli import main

out = Path(sys.argv[1])
outputs = {outputs!r}
for name, argv in outputs:
    code = main(["--lang", "ja", *argv, "-o", str(out / name)])
    assert code == 0, (name, code)
for analysis in {analyses!r}:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["--lang", "ja", "analyse", analysis, "--json"]) == 0, analysis
    (out / f"analysis-{{analysis}}.json").write_text(printed.getvalue(), encoding="utf-8")
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Every output written by two processes that hash strings differently, on one seeded store."""
    home = tmp_path_factory.mktemp("same-bytes")
    store = EmbeddedStore(home / "graph.db")
    assert load(store, SEED_DATA, progress=False).ok
    store.close()
    script = _EXPORT_ALL.format(outputs=OUTPUTS, analyses=ANALYSES)
    folders = [home / "first", home / "second"]
    running = []
    for folder, seed in zip(folders, ("1", "4242"), strict=True):
        folder.mkdir()
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "SECGRAPH_DB": str(home / "graph.db"),
            "SECGRAPH_KEYS": str(home / "keys.db"),
            "MPLCONFIGDIR": str(folder / "mpl"),
        }
        running.append(
            subprocess.Popen(
                [sys.executable, "-c", script, str(folder)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    for process in running:
        _, err = process.communicate(timeout=900)
        assert process.returncode == 0, err.decode("utf-8", "replace")[-3000:]
    return folders[0], folders[1]


def test_every_output_has_the_same_bytes_whatever_the_hash_seed(two_runs: tuple[Path, Path]) -> None:
    first, second = two_runs
    names = sorted(p.name for p in first.iterdir() if p.is_file())
    expected = sorted([name for name, _ in OUTPUTS] + [f"analysis-{a}.json" for a in ANALYSES])
    assert names == expected
    assert sorted(p.name for p in second.iterdir() if p.is_file()) == expected
    differing = [name for name in names if (first / name).read_bytes() != (second / name).read_bytes()]
    assert differing == []
    # the comparison is of real outputs, not of empty files
    assert all((first / name).stat().st_size > 200 for name in names)
