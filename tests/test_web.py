"""The web pages over HTTP (the browser's side is tests/test_web_browser.py): the session a key is
exchanged for, what it may and may not do, CSRF, and what each role's pages show.

Uses the API tests' world (tests/test_api_world.py) on the embedded store, served by the real app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from secgraph.access import KeyStore
from secgraph.access.sessions import SessionLimits, SessionStore
from secgraph.api.deps import SESSION_COOKIE
from secgraph.model.records import Organisation
from secgraph.store import ChangeSet
from tests.test_api_world import SECRET_NAMES, Api, P, embedded_api

#: Every page a signed-in browser can open, and what the pages embed or link to for reading.
PAGES = (
    "/web/dashboard",
    "/web/dashboard?area=mic-kinki",
    "/web/dashboard?area=27",
    "/web/communities/com-a?since=2020-01-01",
    "/web/partners?community=com-a&need=insurer",
    "/web/map?area=mic-kinki",
    "/web/exports?community=com-a",
    "/web/data",
    "/views/network?region=mic-kinki",
    "/documents/profiles/com-a?format=html&since=2020-01-01",
)


#: An insurer in community A's own prefecture, tied to nothing yet: A's partner finder offers it.
NEAR_INSURER = Organisation(
    id="org-near-ins", name="大阪テスト損害保険株式会社", sector="insurer", prefecture="27", **P
)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    for api in embedded_api(tmp_path):
        api.store.write(ChangeSet(nodes=[NEAR_INSURER]))
        yield api


def signed_in(api: Api, role: str, base_url: str = "http://testserver") -> TestClient:
    """A browser-like client of the same app holding ``role``'s session cookie (and no key)."""
    client = TestClient(api.client.app, base_url=base_url)
    answer = client.post("/", data={"key": getattr(api.keys, role)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/web/dashboard"
    return client


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]


def test_sign_in_gives_a_strict_httponly_cookie_whose_id_is_stored_only_hashed(api: Api) -> None:
    client = TestClient(api.client.app)
    answer = client.post("/", data={"key": api.keys.planner}, follow_redirects=False)
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain HTTP on 127.0.0.1: a Secure cookie would never come back
    session_id = client.cookies[SESSION_COOKIE]
    stored = (api.tmp / "keys.db").read_bytes()
    assert session_id.encode() not in stored and api.keys.planner.encode() not in stored
    page = client.get("/web/dashboard").text
    assert "企画担当" in page and "Planner" in page  # every page says who is signed in


def test_over_https_the_cookie_is_secure(api: Api) -> None:
    client = TestClient(api.client.app, base_url="https://testserver")
    answer = client.post("/", data={"key": api.keys.viewer}, follow_redirects=False)
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_key_signs_nobody_in(api: Api) -> None:
    client = TestClient(api.client.app)
    answer = client.post("/", data={"key": "sg_nothere_wrong"}, follow_redirects=False)
    assert answer.status_code == 401 and "無効" in answer.text and SESSION_COOKIE not in client.cookies
    assert client.get("/web/dashboard", follow_redirects=False).headers["location"] == "/"


def test_the_session_reads_the_api_but_writes_only_through_the_pages_forms(api: Api) -> None:
    client = signed_in(api, "planner")
    assert client.get("/me").json()["role"] == "planner"
    note = {"about_id": "com-b", "text": "クッキーだけで書く", **P}
    assert client.post("/notes", json=note).status_code == 401  # a write through the API needs the key
    assert api.post("planner", "/notes", json=note).status_code == 201  # the key still works as before


def test_revoking_the_key_ends_its_sessions(api: Api) -> None:
    client = signed_in(api, "viewer")
    assert client.get("/web/dashboard").status_code == 200
    keys = KeyStore(api.tmp / "keys.db")
    viewer_id = next(k.id for k in keys.list() if k.role == "viewer")
    keys.revoke(viewer_id)
    assert client.get("/web/dashboard", follow_redirects=False).headers["location"] == "/"
    assert client.get("/me").status_code == 401


def test_sessions_end_when_idle_and_after_the_absolute_limit(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    key, _ = keys.create("planner", "期限テスト")
    now = [1_000_000.0]
    sessions = SessionStore(keys, SessionLimits(idle_s=600, absolute_s=3600), clock=lambda: now[0])
    opened = sessions.open(key)
    assert opened is not None
    session_id = opened[0]
    now[0] += 590
    assert sessions.principal(session_id) is not None  # used: the idle clock starts again
    now[0] += 590
    assert sessions.principal(session_id) is not None
    now[0] += 601
    assert sessions.principal(session_id) is None  # idle too long
    second = sessions.open(key)
    assert second is not None
    for _ in range(7):  # used every 9 minutes, yet over the hour
        now[0] += 540
        alive = sessions.principal(second[0])
    assert alive is None
    assert sessions.open("sg_wrong_key") is None


def test_sign_out_ends_the_session(api: Api) -> None:
    client = signed_in(api, "sec_a")
    session_id = client.cookies[SESSION_COOKIE]
    page = client.get("/web/dashboard").text
    answer = client.post("/web/sign-out", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/")
    replay = TestClient(api.client.app, cookies={SESSION_COOKIE: session_id})
    assert replay.get("/web/dashboard", follow_redirects=False).status_code == 303
    assert replay.get("/me").status_code == 401


def _long_listed(api: Api, community: str) -> list[dict]:
    ties = api.get("admin", f"/relationships?node={community}&type=LONG_LISTED").json()["items"]
    return ties


def test_forged_posts_are_refused_and_write_nothing(api: Api) -> None:
    client = signed_in(api, "planner")
    form = {"community": "com-b", "organisation": "org-police", "action": "long-list", "need": "police"}
    no_token = client.post("/web/partners", data=form)
    wrong_token = client.post("/web/partners", data={**form, "csrf": "0" * 64})
    page = client.get("/web/partners?community=com-b").text
    other_site = client.post(
        "/web/partners", data={**form, "csrf": csrf_of(page)}, headers={"Origin": "http://evil.example"}
    )
    for answer in (no_token, wrong_token, other_site):
        assert answer.status_code == 403 and 'data-status="403"' in answer.text
    assert "CSRF" in no_token.text and "CSRF" in wrong_token.text
    assert _long_listed(api, "com-b") == []
    done = client.post("/web/partners", data={**form, "csrf": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303
    assert [t["from_id"] for t in _long_listed(api, "com-b")] == ["org-police"]


def test_a_secretariat_gets_no_write_forms_for_another_community_and_its_posts_are_refused(api: Api) -> None:
    client = signed_in(api, "sec_a")
    other = client.get("/web/partners?community=com-b&need=police").text
    own = client.get("/web/partners?community=com-a&need=insurer").text
    assert "熊本県警察" in other and 'method="post" action="/web/partners"' not in other
    assert 'data-action="long-list"' in own  # its own community's long list is its to write
    forged = client.post(
        "/web/partners",
        data={"community": "com-b", "organisation": "org-police", "action": "long-list", "csrf": csrf_of(other)},
    )
    assert forged.status_code == 403 and 'data-status="403"' in forged.text
    assert _long_listed(api, "com-b") == []
    token = csrf_of(own)
    mine = {"community": "com-a", "organisation": NEAR_INSURER.id, "action": "long-list", "csrf": token}
    assert client.post("/web/partners", data=mine, follow_redirects=False).status_code == 303
    assert [t["from_id"] for t in _long_listed(api, "com-a")] == [NEAR_INSURER.id]


def test_viewers_and_secretariats_cannot_import_from_the_page(api: Api) -> None:
    for role in ("viewer", "sec_a"):
        client = signed_in(api, role)
        page = client.get("/web/data").text
        assert 'enctype="multipart/form-data"' not in page
        answer = client.post(
            "/web/data",
            data={"csrf": csrf_of(page), "action": "load"},
            files={"file": ("organisations.csv", b"id,name\n", "text/csv")},
        )
        assert answer.status_code == 403


@pytest.mark.parametrize("role", ["admin", "planner", "sec_a", "sec_b", "viewer"])
def test_every_page_opens_for_every_role(api: Api, role: str) -> None:
    client = signed_in(api, role)
    for url in PAGES:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.text[:500])


def test_a_viewer_sees_no_person_name_on_any_page(api: Api) -> None:
    client = signed_in(api, "viewer")
    for url in PAGES:
        page = client.get(url).text
        assert not [name for name in (*SECRET_NAMES, "山田 太郎", "Taro Yamada") if name in page], url
    assert "キーパーソン(京都テスト大学)" in client.get("/web/dashboard?area=mic-kinki").text


def test_secretariats_see_no_confidential_record_on_any_page(api: Api) -> None:
    client = signed_in(api, "sec_a")
    for url in PAGES:
        page = client.get(url).text
        assert not [name for name in ("秘密商事", "隠岐", "per-secret", "org-secret") if name in page], url


def test_pages_say_what_is_wrong_with_a_bad_place_or_date(api: Api) -> None:
    client = signed_in(api, "planner")
    assert client.get("/web/dashboard?area=atlantis").status_code == 422
    assert client.get("/web/communities/com-nothere").status_code == 404
    assert client.get("/web/communities/com-a?since=2099-01-01").status_code == 422


def test_every_download_on_the_exports_page_comes_with_the_session(api: Api) -> None:
    client = signed_in(api, "viewer")
    page = client.get("/web/exports?area=mic-kinki").text
    links = [link.replace("&amp;", "&") for link in re.findall(r'<a href="([^"]+)" download>', page)]
    links.append("/documents/profiles/com-a?format=pdf")  # the community page's download
    assert len(links) > 20 and "/documents/committee-pack?region=mic-kinki" in links
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200 and answer.content, link
        media = answer.headers["content-type"]
        if media.startswith("text/") or "json" in media or "xml" in media:  # names readable in the bytes
            assert not [name for name in ("山田", "Yamada") if name in answer.text], link


def test_user_text_is_escaped_on_every_page(api: Api) -> None:
    evil = "<script>window.__pwned=1</script>"
    api.store.write(
        ChangeSet(
            nodes=[Organisation(id="org-evil", name=evil, sector="insurer", prefecture="27", **P)],
            relationships=[],
        )
    )
    client = signed_in(api, "planner")
    shown = 0
    for url in PAGES[:8]:
        page = client.get(url).text
        assert "<script" not in page, url  # the pages have no script, and user text cannot bring one
        shown += "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert shown >= 1  # the name is on a page (the partner finder offers it), escaped
