"""GET /views/network: what each role may see, scoped like the analyses, a standalone HTML page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from secgraph.store.embedded import EmbeddedStore
from tests.test_api_world import SECRET_NAMES, Api, build_api


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        yield from build_api(store, tmp_path)
    finally:
        store.close()


def test_planner_sees_the_map(api: Api) -> None:
    response = api.get("planner", "/views/network")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "大阪府警察" in response.text
    assert not re.search(r"""<(script|link)[^>]*\s(src|href)\s*=""", response.text, re.I)


def test_viewer_sees_no_names_and_no_confidential_records(api: Api) -> None:
    text = api.get("viewer", "/views/network").text
    assert "大阪府警察" in text
    assert not [name for name in SECRET_NAMES if name in text]
    for role in ("sec_a", "viewer"):
        text = api.get(role, "/views/network").text
        assert "org-secret" not in text and "秘密商事" not in text, role


def test_hide_names_option(api: Api) -> None:
    assert "山田" in api.get("planner", "/views/network").text
    assert "山田" not in api.get("planner", "/views/network?hide_names=true").text


def test_scoped_and_stable(api: Api) -> None:
    first = api.get("planner", "/views/network?region=mic-kinki&as_of=2021-03-31")
    assert first.status_code == 200
    assert first.text == api.get("planner", "/views/network?region=mic-kinki&as_of=2021-03-31").text
    download = api.get("planner", "/views/network?download=true")
    assert "attachment" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/views/network?community=com-nowhere", 404),
        ("/views/network?region=atlantis", 422),
        ("/views/network?community=com-a&region=mic-kinki", 422),
        ("/views/network?as_of=someday", 422),
    ],
)
def test_bad_scope(api: Api, url: str, status: int) -> None:
    assert api.get("planner", url).status_code == status


def test_needs_a_key(api: Api) -> None:
    assert api.client.get("/views/network").status_code == 401
