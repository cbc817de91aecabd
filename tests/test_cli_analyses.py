"""`secgraph analyse`: every analysis from the terminal, as a table or as JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_DATA


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("cli")
    environment = {**os.environ, "SECGRAPH_DB": str(folder / "g.db"), "SECGRAPH_KEYS": str(folder / "k.db")}
    environment.pop("NEO4J_URI", None)
    assert secgraph(environment, "load", str(SEED_DATA)).returncode == 0
    return environment


def secgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secgraph", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("key-persons", "--region", "mic-kyushu", "--limit", "5"),
        ("isolated-regions",),
        ("missing-sectors", "--prefecture", "大阪府"),
        ("stage", "--as-of", "2020-03-31"),
        ("health", "--region", "mic-kinki"),
        ("changes", "--earlier", "2019-04-01", "--later", "2021-03-31"),
    ],
)
def test_each_analysis_prints_a_table_and_json(env: dict[str, str], args: tuple[str, ...]) -> None:
    table = secgraph(env, "--lang", "ja", "analyse", *args)
    assert table.returncode == 0, table.stderr
    assert "----" in table.stdout
    as_json = secgraph(env, "analyse", *args, "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)


def test_a_suggestion_not_yet_in_the_graph_is_marked(env: dict[str, str]) -> None:
    """Seed 000: Fukuoka–Saga has no police, nor does the graph hold Fukuoka's or Saga's: the directory's."""
    table = secgraph(env, "--lang", "ja", "analyse", "missing-sectors", "--community", "s000-com-fukuoka-saga")
    assert table.returncode == 0, table.stderr
    assert re.search(r"police: (福岡|佐賀)県警察（未登録）", table.stdout), table.stdout
    english = secgraph(env, "--lang", "en", "analyse", "missing-sectors", "--community", "s000-com-fukuoka-saga")
    assert re.search(r"police: (福岡|佐賀)県警察 \(not yet in the graph\)", english.stdout), english.stdout


def test_hidden_names_leave_no_personal_name(env: dict[str, str]) -> None:
    people = Path(SEED_DATA / "000_mizuho_fy2020" / "people.csv").read_text(encoding="utf-8").splitlines()[1:]
    names = [line.split(",")[1] for line in people if line]
    shown = secgraph(env, "analyse", "key-persons", "--limit", "300", "--hide-names", "--json").stdout
    assert names and not [n for n in names if n in shown]
    assert any(n in secgraph(env, "analyse", "key-persons", "--limit", "300", "--json").stdout for n in names)


def test_an_unknown_community_is_a_clear_error(env: dict[str, str]) -> None:
    result = secgraph(env, "analyse", "stage", "--community", "nowhere")
    assert result.returncode != 0 and "nowhere" in result.stderr and "Traceback" not in result.stderr
