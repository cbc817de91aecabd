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


def test_dates_are_typed_as_in_the_data_files(env: dict[str, str]) -> None:
    """A planner types 令和元年度 as the documents write it: the network as it stood when that fiscal year
    ended, the same answer as its last day; a span's start is the first day of what it names."""
    as_written = secgraph(env, "analyse", "stage", "--as-of", "令和元年度", "--json")
    as_day = secgraph(env, "analyse", "stage", "--as-of", "2020-03-31", "--json")
    assert as_written.returncode == 0, as_written.stderr
    assert json.loads(as_written.stdout) == json.loads(as_day.stdout)
    assert json.loads(as_written.stdout) != json.loads(secgraph(env, "analyse", "stage", "--json").stdout)
    span = ("--period-start", "2019年度", "--period-end", "R2年度")
    by_year = secgraph(env, "analyse", "isolated-regions", *span, "--json")
    days = ("--period-start", "2019-04-01", "--period-end", "2021-03-31")
    by_day = secgraph(env, "analyse", "isolated-regions", *days, "--json")
    assert by_year.returncode == 0, by_year.stderr
    assert json.loads(by_year.stdout) == json.loads(by_day.stdout)

    wrong = secgraph(env, "--lang", "ja", "analyse", "stage", "--as-of", "2021年13月")
    assert wrong.returncode == 2 and "--as-of" in wrong.stderr and "2021年13月" in wrong.stderr, wrong.stderr


def test_a_suggestion_not_yet_in_the_graph_is_marked(env: dict[str, str]) -> None:
    """Seed 000: Fukuoka–Saga has no police, nor does the graph hold Fukuoka's or Saga's: the directory's."""
    table = secgraph(env, "--lang", "ja", "analyse", "missing-sectors", "--community", "s000-com-fukuoka-saga")
    assert table.returncode == 0, table.stderr
    assert re.search(r"警察: (福岡|佐賀)県警察（未登録）", table.stdout), table.stdout
    english = secgraph(env, "--lang", "en", "analyse", "missing-sectors", "--community", "s000-com-fukuoka-saga")
    assert re.search(r"Police: (福岡|佐賀)県警察 \(not yet in the graph\)", english.stdout), english.stdout


def test_hidden_names_leave_no_personal_name(env: dict[str, str]) -> None:
    people = Path(SEED_DATA / "000_mizuho_fy2020" / "people.csv").read_text(encoding="utf-8").splitlines()[1:]
    names = [line.split(",")[1] for line in people if line]
    shown = secgraph(env, "analyse", "key-persons", "--limit", "300", "--hide-names", "--json").stdout
    assert names and not [n for n in names if n in shown]
    assert any(n in secgraph(env, "analyse", "key-persons", "--limit", "300", "--json").stdout for n in names)


def test_an_unknown_community_is_a_clear_error(env: dict[str, str]) -> None:
    result = secgraph(env, "analyse", "stage", "--community", "nowhere")
    assert result.returncode != 0 and "nowhere" in result.stderr and "Traceback" not in result.stderr


def raw_codes() -> re.Pattern[str]:
    """The codes a Japanese reader must never see: sectors, needs, gaps, links, indicators, stage rules,
    record kinds, change states, score components."""
    from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS
    from secgraph.analysis.health import INDICATORS
    from secgraph.analysis.key_persons import SCORE_COMPONENTS
    from secgraph.analysis.regions.findings import GAP_LABELS
    from secgraph.analysis.stage.rules import DEFAULT_RULES
    from secgraph.model.vocabulary import KIND_LABELS, SECTORS

    codes = {str(s) for s in SECTORS} | {n.code for n in DEFAULT_SECTOR_NEEDS} | set(GAP_LABELS)
    codes |= {i.code for i in INDICATORS} | {r.id for r in DEFAULT_RULES.rules} | set(KIND_LABELS)
    codes |= set(SCORE_COMPONENTS) | {"new", "existing", "gone", "key_person"}
    alternatives = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_\-])({alternatives})(?![A-Za-z0-9_\-])")


#: The options an analysis needs besides its scope.
NEEDED = {"brokers-between": ("--group-a", "police", "--group-b", "university"),
          "changes": ("--earlier", "2019-04-01", "--later", "2021-03-31")}  # fmt: skip


def test_japanese_tables_of_every_analysis_hold_no_raw_code(env: dict[str, str]) -> None:
    from secgraph.analysis.registry import ANALYSES

    pattern = raw_codes()
    for slug in ANALYSES:
        for scope in ((), ("--region", "mic-kyushu")) if slug in ("key-persons", "missing-sectors") else ((),):
            table = secgraph(env, "--lang", "ja", "analyse", slug, *scope, *NEEDED.get(slug, ()))
            assert table.returncode == 0, table.stderr
            assert not pattern.findall(table.stdout), (slug, scope, sorted(set(pattern.findall(table.stdout))))
    # the check can fail: the English table names the same things in English, the JSON by code
    english = secgraph(env, "--lang", "en", "analyse", "key-persons", "--region", "mic-kyushu").stdout
    assert "Organisation" in english
    assert pattern.findall(secgraph(env, "analyse", "missing-sectors", "--json").stdout)
