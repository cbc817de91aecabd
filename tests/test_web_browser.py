"""The web pages in Debian's headless Chromium (Playwright, as tests/browser.py): one server and one
browser for the module, a fresh browser context (its own cookies) per role.

Every request a page makes is recorded and routed: only this test's server on 127.0.0.1 is let
through, anything else is aborted and listed. Console errors and page errors are collected. Each
page is photographed at 1366×768 into test-artifacts/web/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, sync_playwright

from secgraph.api import ApiSettings, create_app
from secgraph.api.deps import SESSION_COOKIE
from secgraph.model.records import Organisation
from secgraph.store import ChangeSet, StoreSettings
from secgraph.store.embedded import EmbeddedStore
from tests.browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS, _allowed
from tests.test_api_http import serving
from tests.test_api_world import SECRET_NAMES, Keys, P, make_keys, world

SHOTS = ARTIFACTS / "web"
PERSON_NAMES = (*SECRET_NAMES, "山田 太郎", "Taro Yamada")
NEAR_INSURER = Organisation(
    id="org-near-ins", name="大阪テスト損害保険株式会社", sector="insurer", prefecture="27", **P
)
ORG_HEADER = "id,name,aliases,sector,prefecture,city,name_en,url,parent_id,source,as_of,confidential,note\n"
GOOD_CSV = (
    ORG_HEADER
    + "org-web-new,ウェブ読込テスト株式会社,,sme,27,,,,,web test §1,2021-03,,\n"
    + "org-web-dup,大阪府警察,,police,27,,,,,web test §1,2021-03,,\n"  # the same body as org-police: merged
)
BAD_CSV = (
    ORG_HEADER
    + "org-web-bad1,悪い行テスト株式会社,,nonsense-sector,27,,,,,web test §1,2021-03,,\n"
    + "org-web-bad2,日付誤りテスト株式会社,,sme,27,,,,,web test §1,not-a-date,,\n"
)


@dataclass
class Server:
    base: str
    keys: Keys
    store: EmbeddedStore


@dataclass
class Watch:
    """What a context's pages did: every request, what was blocked, console and page errors."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web")
    store = EmbeddedStore(tmp / "graph.db")
    try:
        store.write(world())
        store.write(ChangeSet(nodes=[NEAR_INSURER]))
        keys_store, keys = make_keys(tmp / "keys.db")
        settings = ApiSettings(store=StoreSettings(db_path=tmp / "unused.db"), keys_path=tmp / "keys.db")
        with serving(create_app(settings, store=store, keys=keys_store)) as base:
            yield Server(base, keys, store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), "chromium is not installed: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


#: The web pages (path, screenshot name); the map waits for the embedded view to be drawn.
PAGES = (
    ("/web/dashboard", "national"),
    ("/web/dashboard?area=mic-kinki", "dashboard-mic-kinki"),
    ("/web/communities/com-a?since=2020-01-01", "community"),
    ("/web/partners?community=com-a&need=insurer", "partners"),
    ("/web/map?area=mic-kinki", "map"),
    ("/web/data", "data"),
    ("/web/exports?area=mic-kinki", "exports"),
)
ROLE_LABELS = {"admin": "管理者", "planner": "企画担当", "sec_a": "コミュニティ事務局", "viewer": "閲覧者"}


@contextmanager
def signed_in(browser: Browser, server: Server, role: str) -> Iterator[tuple[Page, Watch]]:
    """A fresh context signed in as ``role`` through the sign-in page; after the block, asserts that
    nothing left 127.0.0.1 and nothing went wrong in the console."""
    context: BrowserContext = browser.new_context(viewport={"width": 1366, "height": 768}, service_workers="block")
    watch = Watch()
    origin = f"http://127.0.0.1:{urlsplit(server.base).port}"

    def route(route: Route) -> None:
        if _allowed(route.request.url, origin):
            route.continue_()
        else:
            watch.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(message.text)

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    page.on("response", lambda r: watch.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(server.base + "/")
        page.fill("#key", getattr(server.keys, role))
        page.click("form[action='/'] button[type=submit]")
        page.wait_for_url("**/web/dashboard")
        yield page, watch
        assert not watch.blocked, watch.blocked
        assert not watch.errors, watch.errors
        assert watch.requests and all(urlsplit(url).scheme in ("data", "about") or url.startswith(origin + "/")
                                      for url in watch.requests)  # fmt: skip
    finally:
        context.close()


def opened(page: Page, server: Server, path: str) -> Page:
    page.goto(server.base + path)
    if path.startswith("/web/map"):
        page.frame_locator("iframe.map").locator("body[data-sg-drawn]").wait_for(state="attached", timeout=60_000)
    if path.startswith("/web/communities/"):
        page.frame_locator("iframe.profile").locator("body").wait_for(state="attached")
    return page


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def everything_shown(page: Page) -> str:
    """The page's HTML and that of every frame in it (the embedded map and profile)."""
    return "\n".join(frame.content() for frame in page.frames)


@pytest.mark.parametrize("role", ["admin", "planner", "sec_a", "viewer"])
def test_each_role_signs_in_and_every_page_says_who_is_signed_in(browser: Browser, server: Server, role: str) -> None:
    with signed_in(browser, server, role) as (page, _watch):
        for path, name in PAGES:
            opened(page, server, path)
            assert ROLE_LABELS[role] in page.inner_text(".who .role"), path
            assert page.locator("main h1").count() == 1
            # usable on a 1366×768 office laptop: nothing wider than its screen (wide tables scroll inside)
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
            if role == "planner":
                assert shot(page, name).stat().st_size > 10_000
            elif path == "/web/dashboard?area=mic-kinki":
                shot(page, f"dashboard-{role}")
        if role == "planner":
            page.goto(server.base + "/web/dashboard?area=mic-kinki")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.className") == "skip"  # keyboard: skip to content first
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.tagName") == "A"
            page.emulate_media(media="print")
            assert page.locator("header nav").is_hidden() and page.locator("form.bar").is_hidden()
            shot(page, "dashboard-print")


def test_a_viewer_sees_no_person_name_on_any_page(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "viewer") as (page, _watch):
        for path, _name in PAGES:
            shown = everything_shown(opened(page, server, path))
            assert not [name for name in PERSON_NAMES if name in shown], path
        opened(page, server, "/web/dashboard?area=mic-kinki")
        assert "キーパーソン(京都テスト大学)" in page.content()  # by role and affiliation


def test_a_planner_adds_a_long_list_entry_and_sees_it(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "planner") as (page, _watch):
        opened(page, server, "/web/partners?community=com-a&need=insurer")
        row = page.locator("table.candidates tr", has_text=NEAR_INSURER.name)
        row.locator("button[data-action=long-list]").click()
        page.wait_for_url("**done=long-list**")
        assert "ロングリストに追加しました" in page.inner_text("main")
        entry = page.locator("table.longlist tr", has_text=NEAR_INSURER.name)
        assert "ロングリスト" in entry.inner_text()
        shot(page, "partners-added")
    ties = [r for r in server.store.snapshot().relationships.values() if r.type == "LONG_LISTED"]
    assert [(r.from_id, r.to_id) for r in ties] == [(NEAR_INSURER.id, "com-a")]


def test_a_secretariat_cannot_reach_another_communitys_write_forms(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "sec_a") as (page, _watch):
        opened(page, server, "/web/partners?community=com-b&need=police")
        assert page.locator("form[method=post][action='/web/partners']").count() == 0
        token = page.get_attribute("form[action='/web/sign-out'] input[name=csrf]", "value")
        before = server.store.revision()
        form = {"community": "com-b", "organisation": "org-police", "action": "long-list", "need": "police"}
        by_role = page.request.post(server.base + "/web/partners", form={**form, "csrf": token or ""})
        by_csrf = page.request.post(server.base + "/web/partners", form={**form, "csrf": "forged"})
        assert by_role.status == 403 and 'data-status="403"' in by_role.text()
        assert by_csrf.status == 403 and "CSRF" in by_csrf.text()
        assert server.store.revision() == before  # nothing written


def test_a_bad_upload_shows_its_row_table_and_writes_nothing(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "admin") as (page, _watch):
        before = server.store.revision()
        opened(page, server, "/web/data")
        page.set_input_files("#file", files=[{"name": "organisations.csv", "mimeType": "text/csv",
                                              "buffer": BAD_CSV.encode()}])  # fmt: skip
        page.click("button[value=load]")
        page.wait_for_selector("[data-outcome=refused]")
        rows = page.locator("table.problems tbody tr")
        assert rows.count() >= 2
        cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
        assert {c[0] for c in cells} == {"organisations.csv"}
        assert {"2", "3"} <= {c[1] for c in cells}
        assert {"sector", "as_of"} <= {c[2] for c in cells}
        assert all(re.search(r"[ぁ-んァ-ン一-龥]", c[3]) and re.search(r"[A-Za-z]", c[3]) for c in cells)
        shot(page, "data-refused")
        assert server.store.revision() == before


def test_a_good_upload_is_checked_then_loads(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "admin") as (page, _watch):
        opened(page, server, "/web/data")
        upload = [{"name": "organisations.csv", "mimeType": "text/csv", "buffer": GOOD_CSV.encode()}]
        page.set_input_files("#file", files=upload)
        page.click("button[value=check]")
        page.wait_for_selector("[data-outcome=checked]")
        merge = page.locator("table.merges tbody tr").all_inner_texts()
        assert len(merge) == 1 and "org-police" in merge[0] and "org-web-dup" in merge[0]  # to review
        assert "org-web-new" not in server.store.snapshot().nodes
        page.set_input_files("#file", files=upload)
        page.click("button[value=load]")
        page.wait_for_selector("[data-outcome=written]")
        shot(page, "data-loaded")
        loaded = server.store.snapshot().nodes
        assert loaded["org-web-new"].name == "ウェブ読込テスト株式会社" and "org-web-dup" not in loaded


def test_sign_out_ends_the_session(browser: Browser, server: Server) -> None:
    with signed_in(browser, server, "planner") as (page, _watch):
        session = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
        cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.click("form[action='/web/sign-out'] button")
        page.wait_for_url("**/?signed_out")
        shot(page, "signed-out")
        assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
        page.goto(server.base + "/web/dashboard")
        assert urlsplit(page.url).path == "/" and page.locator("#key").count() == 1
        replayed = page.request.get(server.base + "/me", headers={"Cookie": f"{SESSION_COOKIE}={session}"})
        assert replayed.status == 401
