"""The registry of analyses is the one list every caller reads: each analysis is served, exported, run
from the terminal and drawn as tables under its one slug, and the terminal and the API give the same
answer for the same parameters."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from secgraph.analysis.registry import ANALYSES, SCOPE_FIELDS, analysis_named
from secgraph.api.app import create_app
from secgraph.api.settings import ApiSettings
from secgraph.cli import build_parser
from secgraph.cli.analyse import ANALYSIS_ROWS
from secgraph.export.analysis_tables import TABLE_BUILDERS
from secgraph.io.importer import load
from secgraph.store import StoreSettings
from secgraph.store.embedded import EmbeddedStore
from tests.conftest import SEED_DATA
from tests.test_api_world import auth, make_keys
from tests.test_cli import env, run  # noqa: F401  (env is a fixture)

#: Parameters for each analysis, as query values (a list is a repeated parameter); on the seed data.
ASKED: dict[str, dict[str, str | list[str]]] = {
    "key-persons": {"region": "mic-kyushu", "limit": "5", "kind": ["Person"]},
    "brokers-between": {"group_a": "police", "group_b": "university", "limit": "3"},
    "isolated-regions": {"region": "mic-shikoku", "region_kind": "mic"},
    "missing-sectors": {"prefecture": "大阪府", "need": ["insurer", "university,kosen"], "suggestions": "2"},
    "stage": {"as_of": "2020-03-31"},
    "health": {"region": "mic-kinki", "dormant_months": "6"},
    "changes": {"earlier": "2019-04-01", "later": "2021-03-31"},
}


def argv(values: dict[str, str | list[str]]) -> list[str]:
    """The same values as command-line options."""
    out: list[str] = []
    for name, value in values.items():
        for one in value if isinstance(value, list) else [value]:
            out += ["--" + name.replace("_", "-"), one]
    return out


def _app(folder: Path) -> TestClient:
    app = create_app(ApiSettings(store=StoreSettings(db_path=folder / "graph.db"), keys_path=folder / "keys.db"))
    return TestClient(app, raise_server_exceptions=False)


def test_every_analysis_is_served_exported_run_and_tabled_under_its_slug(env: Path) -> None:  # noqa: F811
    slugs = list(ANALYSES)
    assert len(set(slugs)) == len(slugs) and all(s == s.lower() and "_" not in s for s in slugs)
    assert len({a.result for a in ANALYSES.values()}) == len(slugs), "one result model per analysis"
    paths = _app(env).app.openapi()["paths"]
    served = {p.removeprefix("/analyses/"): paths[p]["get"] for p in paths if p.startswith("/analyses/")}
    exported = [p.removeprefix("/exports/analyses/") for p in paths if p.startswith("/exports/analyses/")]
    assert list(served) == slugs and exported == slugs
    for slug, route in served.items():
        analysis = ANALYSES[slug]
        answer = route["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": f"#/components/schemas/{analysis.result.__name__}"}, slug
        assert route["summary"] == f"{analysis.title.ja} / {analysis.title.en}"
        own = [p["name"] for p in route["parameters"] if p["name"] not in SCOPE_FIELDS]
        assert own == list(analysis.own_parameters), slug
    parser = build_parser()
    analyse = parser.parse_args(["analyse", "stage"])
    assert analyse.analysis == "stage"
    for slug in slugs:
        assert parser.parse_args(["analyse", slug]).analysis == slug
        assert parser.parse_args(["export", "table", slug]).analysis == slug
    with pytest.raises(SystemExit):
        parser.parse_args(["analyse", "key_persons"])  # one spelling
    assert list(ANALYSIS_ROWS) == slugs
    assert set(TABLE_BUILDERS) == {a.result for a in ANALYSES.values()}
    with pytest.raises(KeyError, match="key-persons"):
        analysis_named("key_person_candidates")
    assert set(ASKED) == set(slugs)


def test_the_terminal_and_the_api_answer_alike(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    store = EmbeddedStore(env / "graph.db")
    assert load(store, SEED_DATA, progress=False).ok
    store.close()
    _, keys = make_keys(env / "keys.db")
    with _app(env) as client:
        for slug, values in ASKED.items():
            code, out, err = run(capsys, "analyse", slug, *argv(values), "--json")
            assert code == 0, (slug, err)
            answer = client.get(f"/analyses/{slug}?{urlencode(values, doseq=True)}", headers=auth(keys.admin))
            assert answer.status_code == 200, (slug, answer.text)
            assert json.loads(out) == answer.json(), slug
            code, table, err = run(capsys, "analyse", slug, *argv(values))
            assert code == 0 and "----" in table, (slug, err)


@pytest.mark.parametrize(
    ("slug", "values", "field", "said"),
    [
        ("changes", {"earlier": "2021-04-01", "later": "2020-04-01"}, "later", "later is before earlier"),
        ("isolated-regions", {"period_start": "2020-04-01"}, "period_end", "give both period_start and period_end"),
        ("missing-sectors", {"need": ["spaceport"]}, "need", "unknown Sector 'spaceport'"),
        ("brokers-between", {"group_a": "police"}, "group_b", "needs --group-b"),
    ],
)
def test_a_bad_parameter_is_refused_alike(
    env: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    slug: str,
    values: dict[str, str | list[str]],
    field: str,
    said: str,
) -> None:
    _, keys = make_keys(env / "keys.db")
    with _app(env) as client:
        answer = client.get(f"/analyses/{slug}?{urlencode(values, doseq=True)}", headers=auth(keys.admin))
    assert answer.status_code == 422 and field in {e["field"] for e in answer.json()["errors"]}, answer.text
    code, _, err = run(capsys, "analyse", slug, *argv(values))
    assert code != 0 and said in err and "Traceback" not in err


def test_changes_takes_two_dates_and_no_as_of(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    changes = ANALYSES["changes"]
    assert "as_of" not in changes.parameters.model_fields and {"earlier", "later"} <= set(changes.own_parameters)
    assert all("as_of" in a.parameters.model_fields for a in ANALYSES.values() if a is not changes)
    assert all(set(SCOPE_FIELDS) - {"as_of"} <= set(a.parameters.model_fields) for a in ANALYSES.values())
    code, _, err = run(
        capsys, "analyse", "changes", "--earlier", "2020-01-01", "--later", "2021-01-01", "--as-of", "2021-03-31"
    )
    assert code != 0 and "changes does not take --as-of" in err
    code, _, err = run(capsys, "analyse", "stage", "--limit", "3")
    assert code != 0 and "stage does not take --limit" in err


def test_equal_parameters_are_one_cache_entry() -> None:
    missing = ANALYSES["missing-sectors"]
    one = missing.parameters_of(region="近畿", need=["university,kosen", "保険"])
    other = missing.parameters_of(region="mic-kinki", need=["kosen,university", "insurer"])
    assert one == other and hash(one) == hash(other)
    assert [n.code for n in one.needs] == ["kosen+university", "insurer"]
    key_persons = ANALYSES["key-persons"]
    assert key_persons.parameters_of(kind=["Person", "Organisation"]) == key_persons.parameters_of(
        kind=["Organisation", "Person", "Person"]
    )
    with pytest.raises(TypeError):
        ANALYSES["stage"].run(None, key_persons.parameters_of())  # type: ignore[arg-type]
