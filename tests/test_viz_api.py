"""The views over the API: the HTML map, the figure and stored layouts — what each role may see and
do, scoped like the analyses — and the served page drawn by a real browser with the network off."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from secgraph.access import KeyStore
from secgraph.access.visibility import pseudonym
from secgraph.api import ApiSettings, create_app
from secgraph.model.records import Organisation, Relationship
from secgraph.store import ChangeSet, StoreSettings
from secgraph.store.embedded import EmbeddedStore
from tests.browser import open_view
from tests.test_api_http import serving
from tests.test_api_world import SECRET_NAMES, Api, P, auth, embedded_api, make_keys, world

EVIL = "<script>window.__pwned=1</script>"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from embedded_api(tmp_path)


def _data_block(page: str) -> dict:
    match = re.search(r'<script id="sg-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _alias(api: Api, person_id: str) -> str:
    """A person's pseudonym as the service makes it (the key store's pseudonym key)."""
    return pseudonym(KeyStore(api.tmp / "keys.db").pseudonym_key(), "person", person_id)


# -- the HTML map --------------------------------------------------------------------------------


def test_planner_sees_the_map(api: Api) -> None:
    response = api.get("planner", "/views/network")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "大阪府警察" in response.text
    assert not re.search(r"""<(script|link)[^>]*\s(src|href)\s*=""", response.text, re.I)
    labels = {n["label"] for n in _data_block(response.text)["nodes"]}
    assert "秘密商事株式会社" in labels  # a planner sees confidential records
    assert not [label for label in labels if label.startswith("不足")]  # no ghost nodes unless asked
    assert "保険会社" in response.text  # community A lacks an insurer: its ✓/× table says so
    ghosts = {n["label"] for n in _data_block(api.get("planner", "/views/network?ghosts=true").text)["nodes"]}
    assert "不足: 保険会社 / Missing: Insurer" in ghosts


def test_viewer_sees_no_names_and_no_confidential_records(api: Api) -> None:
    text = api.get("viewer", "/views/network").text
    assert "大阪府警察" in text
    assert not [name for name in SECRET_NAMES if name in text]
    assert "氏名非表示 / Names hidden" in text
    for role in ("sec_a", "viewer"):
        text = api.get(role, "/views/network").text
        assert "org-secret" not in text and "秘密商事" not in text, role
    block = _data_block(api.get("viewer", "/views/network").text)
    person = next(n for n in block["nodes"] if n["label"][:4] == "キーパー")
    tooltip = "\n".join(block["lines"][i] for i in person["tip"])
    assert tooltip and "person-" not in tooltip  # not even the pseudonym is shown


def test_hide_names_option(api: Api) -> None:
    assert "山田" in api.get("planner", "/views/network").text
    hidden = api.get("planner", "/views/network?hide_names=true").text
    assert not [name for name in SECRET_NAMES if name in hidden]  # names, and confidential records too
    # the planner hiding names gets exactly the viewer's map
    assert hidden == api.get("viewer", "/views/network").text


def test_scoped_and_stable(api: Api) -> None:
    first = api.get("planner", "/views/network?region=mic-kinki&as_of=2021-03-31")
    assert first.status_code == 200
    assert first.text == api.get("planner", "/views/network?region=mic-kinki&as_of=2021-03-31").text
    assert "テスト海上保険株式会社" not in first.text  # Kyushu's insurer is not in Kinki
    download = api.get("planner", "/views/network?download=true")
    assert "attachment" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/views/network?community=com-nowhere", 404),
        ("/views/network?region=atlantis", 422),
        ("/views/network?community=com-a&region=mic-kinki", 422),
        ("/views/network?as_of=someday", 422),
        ("/views/network?layout=nothing", 404),
        ("/views/network?layout=../keys", 422),
        ("/views/network/figure?format=gif", 422),
        ("/views/network/figure?community=com-nowhere", 404),
        ("/views/layouts/nothing", 404),
    ],
)
def test_bad_requests(api: Api, url: str, status: int) -> None:
    response = api.get("planner", url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_needs_a_key(api: Api) -> None:
    for url in ("/views/network", "/views/network/figure", "/views/layouts", "/views/layouts/x"):
        assert api.client.get(url).status_code == 401
    assert api.client.put("/views/layouts/x").status_code == 401


# -- the figure ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media", "magic"),
    [("png", "image/png", b"\x89PNG"), ("svg", "image/svg+xml", b"<?xml"), ("pdf", "application/pdf", b"%PDF")],
)
def test_figure_formats(api: Api, fmt: str, media: str, magic: bytes) -> None:
    response = api.get("planner", f"/views/network/figure?format={fmt}&region=mic-kinki")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"] == f'attachment; filename="secgraph-network.{fmt}"'
    assert response.content.startswith(magic)
    again = api.get("planner", f"/views/network/figure?format={fmt}&region=mic-kinki")
    assert again.content == response.content


def test_figure_shows_viewers_no_names(api: Api) -> None:
    planner = api.get("planner", "/views/network/figure?format=svg").text
    assert "山田 太郎" in planner and "秘密商事株式会社" in planner  # the SVG keeps its texts: the check can fail
    for role in ("viewer", "sec_a"):
        svg = api.get(role, "/views/network/figure?format=svg").text
        assert "大阪府警察" in svg
        assert "秘密商事" not in svg and "org-secret" not in svg, role
    viewer = api.get("viewer", "/views/network/figure?format=svg").text
    assert not [name for name in SECRET_NAMES if name in viewer]
    hidden = api.get("planner", "/views/network/figure?format=svg&hide_names=true").text
    assert not [name for name in SECRET_NAMES if name in hidden]


# -- stored layouts ------------------------------------------------------------------------------


def test_only_administrators_and_planners_save_layouts(api: Api) -> None:
    for role in ("viewer", "sec_a"):
        refused = api.put(role, "/views/layouts/kinki")
        assert refused.status_code == 403, role
        assert refused.json()["errors"][0]["field"] == "role"
    assert not (api.tmp / "layouts").exists()
    for role in ("planner", "admin"):
        assert api.put(role, f"/views/layouts/by-{role}").status_code == 200
    assert api.get("viewer", "/views/layouts").json() == ["by-admin", "by-planner"]
    assert sorted(p.name for p in (api.tmp / "layouts").iterdir()) == ["by-admin.json", "by-planner.json"]


@pytest.mark.parametrize("name", ["bad.name", "%2E%2E", "x" * 65, "a%2Fb", "-x"])
def test_layout_names_are_checked(api: Api, name: str) -> None:
    response = api.put("planner", f"/views/layouts/{name}")
    assert response.status_code in (404, 422), response.text  # a slash never reaches the route
    assert not (api.tmp / "layouts").exists() or not list((api.tmp / "layouts").iterdir())


def test_layouts_show_no_names_or_confidential_records(api: Api) -> None:
    saved = api.put("planner", "/views/layouts/japan")  # the whole country: every actor
    assert saved.status_code == 200, saved.text
    planner = saved.json()["positions"]
    yamada, secret = _alias(api, "per-yamada"), _alias(api, "per-secret")
    assert {"org-police", "org-secret", yamada, secret} <= set(planner)  # a planner sees all of it
    stored = (api.tmp / "layouts" / "japan.json").read_text(encoding="utf-8")
    assert "per-yamada" not in stored and "山田" not in stored  # people are stored under pseudonyms
    for role in ("viewer", "sec_a"):
        response = api.get(role, "/views/layouts/japan")
        assert response.status_code == 200
        text = response.text
        assert not [name for name in SECRET_NAMES if name in text], role
        assert "org-secret" not in text and secret not in text, role
        assert set(response.json()["positions"]) == set(planner) - {"org-secret", secret}, role
        assert response.json()["scope"] == {"community": None, "region": None, "prefecture": None, "as_of": None}


def test_a_layout_gives_every_role_the_same_positions(api: Api) -> None:
    layout = api.put("planner", "/views/layouts/kinki?region=mic-kinki&seed=5").json()
    assert layout["seed"] == 5
    stored = layout["positions"]
    yamada = _alias(api, "per-yamada")

    def where(role: str, label_start: str, url: str = "/views/network?region=mic-kinki&layout=kinki") -> list:
        nodes = _data_block(api.get(role, url).text)["nodes"]
        return next([n["x"], n["y"]] for n in nodes if n["label"].startswith(label_start))

    assert where("planner", "大阪府警察") == stored["org-police"] == where("viewer", "大阪府警察")
    assert where("planner", "山田 太郎") == stored[yamada]  # the planner's map finds its people under pseudonyms
    assert where("viewer", "キーパーソン") == stored[yamada]
    assert where("planner", "大阪府警察", "/views/network?region=mic-kinki&seed=5") == stored["org-police"]
    # a new organisation joins: the old ones stay put, the new one is placed beside its community
    joined = ChangeSet(
        nodes=[Organisation(id="org-new", name="新規テスト銀行", sector="bank", prefecture="27", **P)],
        relationships=[Relationship(id="r-new", type="MEMBER_OF", from_id="org-new", to_id="com-a", **P)],
    )
    api.store.write(joined)
    assert where("viewer", "大阪府警察") == stored["org-police"]
    new, hub = where("viewer", "新規テスト銀行"), stored["com-a"]
    assert ((new[0] - hub[0]) ** 2 + (new[1] - hub[1]) ** 2) ** 0.5 == pytest.approx(70, abs=0.2)
    # saving on top of the old layout keeps it and adds the newcomer
    grown = api.put("planner", "/views/layouts/kinki-2?region=mic-kinki&layout=kinki").json()["positions"]
    assert grown["org-police"] == stored["org-police"] and "org-new" in grown


def test_damaged_layout_file(api: Api) -> None:
    (api.tmp / "layouts").mkdir()
    (api.tmp / "layouts" / "broken.json").write_text('{"positions": {"a": ["x", 1]}}', encoding="utf-8")
    response = api.get("viewer", "/views/layouts/broken")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert api.get("viewer", "/views/network?layout=broken").status_code == 500


def test_layouts_folder_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ApiSettings(keys_path=tmp_path / "keys.db").layouts_folder == tmp_path / "layouts"
    assert ApiSettings().layouts_folder == Path("var") / "layouts"
    monkeypatch.setenv("SECGRAPH_LAYOUTS", str(tmp_path / "elsewhere"))
    assert ApiSettings.from_env().layouts_folder == tmp_path / "elsewhere"


# -- the served page in a real browser -----------------------------------------------------------


def test_browser_draws_the_served_view(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        store.write(world())
        evil = Organisation(id="org-evil", name=EVIL, sector="sme", prefecture="27", **P)
        store.write(
            ChangeSet(
                nodes=[evil],
                relationships=[Relationship(id="r-evil", type="MEMBER_OF", from_id="org-evil", to_id="com-a", **P)],
            )
        )
        keys_store, keys = make_keys(tmp_path / "keys.db")
        settings = ApiSettings(store=StoreSettings(db_path=tmp_path / "unused.db"), keys_path=tmp_path / "keys.db")
        app = create_app(settings, store=store, keys=keys_store)
        with serving(app) as base:
            port = urlsplit(base).port
            url = f"{base}/views/network?region=mic-kinki"
            with open_view(url, local_port=port, headers=auth(keys.viewer)) as browser:
                nodes = browser.nodes()
                labels = {n["label"] for n in nodes}
                assert browser.drawn == str(len(nodes)) and len(nodes) >= 5
                assert {"大阪府警察", "テストA協議会", EVIL} <= labels
                assert browser.ink() > 1000  # the canvas is not blank
                assert browser.evaluate("typeof window.__pwned") == "undefined"  # the injected script never ran
                content = browser.page.content()
                assert not [name for name in SECRET_NAMES if name in content]
                assert not browser.console_errors and not browser.page_errors
                assert browser.requests and all(r.startswith(f"{base}/") for r in browser.requests)
                assert not browser.blocked  # no request left localhost
                shot = browser.screenshot("network_view_served.png")
        assert shot.stat().st_size > 10_000
    finally:
        store.close()
