"""The analysis endpoints: every analysis for every role, on both stores; what each role may see;
cached until the next write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from secgraph.store import GraphStore
from tests.test_api_world import SECRET_NAMES, Api, build_api

P = {"source": "api test", "as_of": "2021-03"}
ROLES = ("admin", "planner", "sec_a", "viewer")
ENDPOINTS = (
    "/analyses/key-persons?limit=500",
    "/analyses/brokers-between?group_a=police&group_b=university",
    "/analyses/isolated-regions",
    "/analyses/missing-sectors",
    "/analyses/stage",
    "/analyses/health",
    "/analyses/changes?earlier=2020-04-01&later=2021-03-31",
    "/analyses/key-persons?community=com-a",
    "/analyses/key-persons?region=mic-kinki&local_only=true",
    "/analyses/missing-sectors?region=mic-kinki&need=insurer&need=university,kosen",
    "/analyses/stage?prefecture=大阪府&as_of=2021-03-31",
)


@pytest.fixture
def api(store: GraphStore, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(store, tmp_path)


@pytest.mark.parametrize("role", ROLES)
def test_every_analysis_answers_every_role(api: Api, role: str) -> None:
    for url in ENDPOINTS:
        response = api.get(role, url)
        assert response.status_code == 200, (url, response.text)
        assert response.json()


def test_key_persons_with_and_without_national_bodies(api: Api) -> None:
    """``local_only`` (the registry's parameter, so the API takes it as the command line does) leaves out
    the actors located nowhere: every candidate left has a prefecture, and some were dropped."""
    everyone = api.get("planner", "/analyses/key-persons?limit=500").json()["candidates"]
    local = api.get("planner", "/analyses/key-persons?limit=500&local_only=true").json()["candidates"]
    assert local and all(c["prefectures"] for c in local)
    assert any(not c["prefectures"] for c in everyone)


def test_viewers_see_no_personal_name_in_any_analysis(api: Api) -> None:
    for url in ENDPOINTS:
        text = api.get("viewer", url).text
        assert not [name for name in SECRET_NAMES if name in text], url


def test_confidential_records_stay_out_of_the_evidence(api: Api) -> None:
    url = "/analyses/key-persons?limit=500"
    assert "org-secret" in api.get("planner", url).text
    for role in ("sec_a", "viewer"):
        for endpoint in ENDPOINTS:
            text = api.get(role, endpoint).text
            assert "org-secret" not in text and "秘密商事" not in text, (role, endpoint)


def test_results_are_cached_until_the_next_write(api: Api) -> None:
    cache = api.client.app.state.analyses  # type: ignore[attr-defined]
    url = "/analyses/missing-sectors?community=com-a&need=insurer"
    first = api.get("admin", url).json()
    assert first["communities"][0]["missing"] == ["insurer"]
    hits = cache.hits
    assert api.get("admin", url).json() == first
    assert cache.hits == hits + 1
    tie = {"type": "MEMBER_OF", "from_id": "org-ins", "to_id": "com-a", **P}
    assert api.post("admin", "/relationships", json=tie).status_code == 201
    assert api.get("admin", url).json()["communities"][0]["missing"] == []


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/analyses/stage?community=com-nowhere", 404, None),
        ("/analyses/stage?region=atlantis", 422, "region"),
        ("/analyses/stage?community=com-a&region=mic-kinki", 422, "scope"),
        ("/analyses/missing-sectors?need=spaceport", 422, "need"),
        ("/analyses/changes?earlier=2021-04-01&later=2020-04-01", 422, "later"),
        ("/analyses/isolated-regions?period_start=2020-04-01", 422, "period_end"),
        ("/analyses/stage?as_of=someday", 422, "as_of"),
    ],
)
def test_bad_scopes_are_problems(api: Api, url: str, status: int, field: str | None) -> None:
    response = api.get("admin", url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field:
        assert field in {e.get("field") for e in response.json()["errors"]}


def test_a_community_hidden_from_a_role_is_not_found(api: Api) -> None:
    hidden = {"id": "com-hidden", "name": "秘密の会", "confidential": True, **P}
    assert api.post("admin", "/communities", json=hidden).status_code == 201
    assert api.get("planner", "/analyses/stage?community=com-hidden").status_code == 200
    assert api.get("viewer", "/analyses/stage?community=com-hidden").status_code == 404


def test_analyses_need_a_key(api: Api) -> None:
    assert api.client.get("/analyses/stage").status_code == 401


def test_each_answer_names_the_revision_it_describes(api: Api) -> None:
    first = api.get("planner", "/analyses/stage")
    revision = int(first.headers["X-Graph-Revision"])
    assert api.get("planner", "/analyses/stage").headers["X-Graph-Revision"] == str(revision)  # from the cache
    org = {"id": "org-new", "name": "新しい会社", "sector": "sme", "prefecture": "27", **P}
    created = api.post("admin", "/organisations", json=org)
    assert created.status_code == 201, created.text
    assert int(api.get("planner", "/analyses/stage").headers["X-Graph-Revision"]) > revision


def test_a_slow_analysis_is_answered_not_hung(store: GraphStore, tmp_path: Path) -> None:
    """With a time limit of zero every uncached analysis is 'too slow': the caller is told so at
    once, the computation goes on, and a retry gets the answer."""
    import time

    for api in build_api(store, tmp_path, analysis_time_limit_s=0):
        slow = api.get("planner", "/analyses/key-persons")
        assert slow.status_code == 503, slow.text
        assert slow.headers["retry-after"] == "5"
        assert "longer than 0 s" in slow.json()["detail"] and "秒を超えました" in slow.json()["detail"]
        for _ in range(600):  # the computation finishes in the background; bounded, not timed
            answer = api.get("planner", "/analyses/key-persons")
            if answer.status_code == 200:
                break
            time.sleep(0.05)
        assert answer.status_code == 200, answer.text
        assert answer.json()["candidates"]


def test_the_analysis_pool_comes_back_after_a_shutdown(api: Api) -> None:
    """A lifespan that ended (a test client closed, a server restarted in-process) must not leave
    analyses unable to run."""
    api.client.app.state.analyses.close()
    assert api.get("planner", "/analyses/stage").status_code == 200
