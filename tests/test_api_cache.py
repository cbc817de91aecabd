"""Cached analysis answers go out as the bytes FastAPI would send (or those bytes gzipped, for a client
that accepts gzip), with a strong ETag and 304; a hit is answered without waiting on the store, yet a
write by anyone is seen at the next request; a remembered key check never outlives a revoke."""

from __future__ import annotations

import gzip
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from secgraph.access import KeyStore, Role
from secgraph.api.analysis_service import GZIP_FROM_BYTES, CachedAnswer, accepts_gzip
from secgraph.api.key_checks import KeyChecks
from secgraph.model.records import Organisation
from secgraph.store import ChangeSet, GraphStore
from secgraph.store.embedded import EmbeddedStore
from tests.test_api_analyses import ENDPOINTS
from tests.test_api_world import Api, P, auth, build_api, embedded_api

#: Analysis routes and the schema each declares for its 200 answer.
MODELS = {
    "/analyses/key-persons": "KeyPersonCandidates",
    "/analyses/brokers-between": "GroupBrokers",
    "/analyses/isolated-regions": "IsolatedRegions",
    "/analyses/missing-sectors": "MissingSectors",
    "/analyses/stage": "EngagementStages",
    "/analyses/health": "NetworkHealth",
    "/analyses/changes": "Changes",
}


@pytest.fixture
def api(store: GraphStore, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(store, tmp_path)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Api]:
    yield from embedded_api(tmp_path)


def cached_answers(api: Api) -> list[CachedAnswer]:
    cache = api.client.app.state.analyses  # type: ignore[attr-defined]
    return [entry for entry in cache._entries.values() if isinstance(entry, CachedAnswer)]


def fastapi_bytes(result: object) -> bytes:
    """What FastAPI itself sends for ``result`` from a route declaring its class as response model."""
    reference = FastAPI()
    reference.add_api_route("/r", lambda: result, response_model=type(result))
    with TestClient(reference) as client:
        return client.get("/r").content


#: A client that takes the answer as it is (no content coding).
AS_IT_IS = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize("role", ["planner", "viewer"])
def test_a_cached_answer_is_what_fastapi_would_send(api: Api, role: str) -> None:
    for url in ENDPOINTS:
        first, again = api.get(role, url, headers=AS_IT_IS), api.get(role, url, headers=AS_IT_IS)
        assert first.status_code == again.status_code == 200, (url, first.text)
        assert first.content == again.content and first.headers == again.headers, url
        assert first.headers["content-type"] == "application/json"
        assert int(first.headers["content-length"]) == len(first.content)
    answers = cached_answers(api)
    assert len(answers) == len(ENDPOINTS)
    for answer in answers:
        assert answer.body == fastapi_bytes(answer.result), type(answer.result).__name__


def raw(api: Api, role: str, url: str, encoding: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and the body's bytes as they came over the wire (not decoded)."""
    sent = {**api.as_(role), "Accept-Encoding": encoding, **headers}
    with api.client.stream("GET", url, headers=sent) as answer:
        return answer.status_code, dict(answer.headers), b"".join(answer.iter_raw())


@pytest.mark.parametrize("role", ["planner", "viewer"])
def test_a_client_that_accepts_gzip_gets_the_same_bytes_gzipped_under_a_tag_of_their_own(api: Api, role: str) -> None:
    for url in ENDPOINTS:
        status, plain_headers, plain = raw(api, role, url, "identity")
        assert status == 200 and "content-encoding" not in plain_headers, url
        status, headers, body = raw(api, role, url, "br;q=1.0, gzip;q=0.8, *;q=0.1")
        assert status == 200 and int(headers["content-length"]) == len(body), url
        assert "accept-encoding" in plain_headers["vary"].lower() and headers["vary"] == plain_headers["vary"]
        if len(plain) < GZIP_FROM_BYTES:
            assert body == plain and "content-encoding" not in headers, url
            continue
        assert headers["content-encoding"] == "gzip" and len(body) < len(plain), url
        assert gzip.decompress(body) == plain, url
        assert headers["etag"] != plain_headers["etag"], "a strong tag names one content coding"
        assert headers["x-graph-revision"] == plain_headers["x-graph-revision"]
        assert raw(api, role, url, "gzip", **{"If-None-Match": headers["etag"]})[:1] == (304,)
        # a copy held in the other coding is not the one this client would get
        assert raw(api, role, url, "gzip", **{"If-None-Match": plain_headers["etag"]})[0] == 200
        assert raw(api, role, url, "identity", **{"If-None-Match": plain_headers["etag"]})[0] == 304


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZip", True),
        ("x-gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("br, *;q=0.2", True),
        (None, False),
        ("", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),  # named with weight 0: refused, whatever * says
        ("*;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_as_http_says(header: str | None, accepted: bool) -> None:
    assert accepts_gzip(header) is accepted


def test_an_answer_gzips_the_same_every_time_and_a_short_one_not_at_all(api: Api) -> None:
    for url in ENDPOINTS:
        assert api.get("planner", url).status_code == 200, url
    for answer in cached_answers(api):
        again = CachedAnswer.of(answer.result, answer.revision + 1)
        assert (again.body, again.etag, again.gzipped, again.gzipped_etag) == (
            answer.body,
            answer.etag,
            answer.gzipped,
            answer.gzipped_etag,
        ), "no timestamp in the gzip header: an answer a write did not change keeps both tags"
    short = Organisation(id="org-short", name="短", sector="sme", **P)
    assert CachedAnswer.of(short, 1).gzipped is None


def test_a_hit_is_answered_while_the_store_is_busy_and_a_write_elsewhere_is_seen_at_once(embedded: Api) -> None:
    """A hit reads the store's revision on a connection of its own, without waiting; that read is as
    fresh as any: a write by another connection (another worker) is seen by the next request."""
    store = embedded.store
    assert isinstance(store, EmbeddedStore)
    url = "/analyses/stage"
    first = embedded.get("planner", url)
    assert first.status_code == 200
    held, done = threading.Event(), threading.Event()

    def hold_the_store() -> None:
        with store._lock:  # as a long snapshot or write does
            held.set()
            done.wait(20)

    holder = threading.Thread(target=hold_the_store)
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        hit = embedded.get("planner", url)
        assert holder.is_alive() and time.monotonic() - started < 10, "the hit waited for the store"
        assert hit.status_code == 200 and hit.content == first.content
        assert hit.headers["x-graph-revision"] == first.headers["x-graph-revision"]
    finally:
        done.set()
        holder.join()
    elsewhere = EmbeddedStore(store.path)
    try:
        elsewhere.write(ChangeSet(nodes=[Organisation(id="org-elsewhere", name="別ワーカーの書込", sector="sme", **P)]))
    finally:
        elsewhere.close()
    assert store.revision_at_once() == store.revision()
    after = embedded.get("planner", url)
    assert after.status_code == 200
    assert int(after.headers["x-graph-revision"]) == store.revision() > int(first.headers["x-graph-revision"])
    searched = embedded.get("planner", "/organisations/org-elsewhere")
    assert searched.status_code == 200


def test_the_revision_at_once_is_the_revision_and_nothing_after_closing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    assert store.revision_at_once() == store.revision()
    store.write(ChangeSet(nodes=[Organisation(id="org-one", name="一号", sector="sme", **P)]))
    assert store.revision_at_once() == store.revision()
    store.close()
    assert store.revision_at_once() is None


def test_analyses_of_one_revision_build_its_network_once(embedded: Api) -> None:
    cache = embedded.client.app.state.analyses  # type: ignore[attr-defined]
    assert embedded.get("admin", "/analyses/key-persons").status_code == 200
    (data, inputs), *others = cache._inputs.values()
    networks = {key: value for key, (_, value) in inputs.items() if key[0] == "actor_network"}
    assert not others and networks, "the first analysis keeps what it built for the revision's graph"
    assert embedded.get("admin", "/analyses/isolated-regions").status_code == 200
    assert embedded.get("admin", "/views/network").status_code == 200
    (same, after), *others = cache._inputs.values()
    assert same is data and not others, "later analyses and maps of the same graph reuse it"
    assert all(after[key][1] is network for key, network in networks.items())
    # A write makes a new graph; what was built for the old one is not used for it.
    tie = {"type": "MEMBER_OF", "from_id": "org-ins", "to_id": "com-a", **P}
    assert embedded.post("admin", "/relationships", json=tie).status_code == 201
    assert embedded.get("admin", "/analyses/key-persons").status_code == 200
    assert len(cache._inputs) == 2 and list(cache._inputs.values())[-1][0] is not data


def test_a_chart_or_document_is_drawn_once_per_revision_and_what_the_caller_may_see(embedded: Api) -> None:
    cache = embedded.client.app.state.analyses  # type: ignore[attr-defined]
    profile = "/documents/profiles/com-a?format=html"
    first = embedded.get("planner", profile)
    drawn = cache.misses
    assert first.status_code == 200 and "秘密商事" in first.text and "山田" in first.text
    assert embedded.get("planner", profile).content == first.content and cache.misses == drawn, "kept, not redrawn"
    # Another visibility is another drawing: confidential records and names stay out of it.
    secretariat, viewer = embedded.get("sec_a", profile), embedded.get("viewer", profile)
    assert cache.misses == drawn + 2
    assert "秘密商事" not in secretariat.text and "山田" not in viewer.text
    chart = "/charts/sector-composition?format=svg&community=com-a"
    assert embedded.get("planner", chart).content == embedded.get("planner", chart).content
    assert cache.misses == drawn + 3
    # A write makes the next request draw the graph after it.
    tie = {"type": "MEMBER_OF", "from_id": "org-ins", "to_id": "com-a", **P}
    assert embedded.post("admin", "/relationships", json=tie).status_code == 201
    after = embedded.get("planner", profile)
    assert cache.misses == drawn + 4 and after.content != first.content


def test_answers_carry_a_strong_etag_and_304_when_unchanged(api: Api) -> None:
    url = "/analyses/missing-sectors?community=com-a&need=insurer"
    first = api.get("admin", url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    for given in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        unchanged = api.get("admin", url, headers={"If-None-Match": given})
        assert unchanged.status_code == 304, given
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
        assert unchanged.headers["x-graph-revision"] == first.headers["x-graph-revision"]
    assert api.get("admin", url, headers={"If-None-Match": '"something else"'}).content == first.content

    tie = {"type": "MEMBER_OF", "from_id": "org-ins", "to_id": "com-a", **P}
    assert api.post("admin", "/relationships", json=tie).status_code == 201
    changed = api.get("admin", url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["communities"][0]["missing"] == []
    assert changed.headers["etag"] != etag
    assert int(changed.headers["x-graph-revision"]) > int(first.headers["x-graph-revision"])


def test_an_answer_unchanged_by_a_write_keeps_its_etag(api: Api) -> None:
    url = "/analyses/stage?community=com-b"
    before = api.get("planner", url)
    note = {"id": "note-new", "about_id": "com-a", "text": "メモ", **P}
    assert api.post("admin", "/notes", json=note).status_code == 201
    after = api.get("planner", url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 304
    assert int(after.headers["x-graph-revision"]) > int(before.headers["x-graph-revision"])


def test_roles_that_see_different_answers_get_different_tags(api: Api) -> None:
    url = "/analyses/key-persons?limit=500"
    planner, viewer = api.get("planner", url), api.get("viewer", url)
    assert planner.content != viewer.content and planner.headers["etag"] != viewer.headers["etag"]
    shown = api.get("viewer", url, headers={"If-None-Match": planner.headers["etag"]})
    assert shown.status_code == 200 and "org-secret" not in shown.text


def test_the_export_of_an_analysis_ignores_if_none_match(api: Api) -> None:
    etag = api.get("planner", "/analyses/stage").headers["etag"]
    exported = api.get("planner", "/exports/analyses/stage?table=communities", headers={"If-None-Match": etag})
    assert exported.status_code == 200 and exported.content and "etag" not in exported.headers
    hidden = api.get("planner", "/exports/analyses/key-persons?table=candidates&hide_names=true")
    assert hidden.status_code == 200 and "山田" not in hidden.content.decode("utf-8-sig")


def test_the_schema_still_names_each_answer(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path, model in MODELS.items():
        answer = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": f"#/components/schemas/{model}"}, path


# -- key checks -----------------------------------------------------------------------------------


def test_a_revoked_key_is_refused_at_the_next_request(embedded: Api) -> None:
    keys: KeyStore = embedded.client.app.state.keys  # type: ignore[attr-defined]
    token, info = keys.create(Role.PLANNER, "revoked soon")
    for _ in range(3):  # verified once, then remembered
        assert embedded.client.get("/analyses/stage", headers=auth(token)).status_code == 200
    keys.revoke(info.id)
    assert embedded.client.get("/analyses/stage", headers=auth(token)).status_code == 401


def test_a_key_revoked_by_another_process_is_refused_at_the_next_request(embedded: Api) -> None:
    keys: KeyStore = embedded.client.app.state.keys  # type: ignore[attr-defined]
    token, info = keys.create(Role.VIEWER, "revoked elsewhere")
    assert embedded.client.get("/me", headers=auth(token)).status_code == 200
    assert embedded.client.get("/me", headers=auth(token)).status_code == 200
    revoke = f"from secgraph.access import KeyStore; KeyStore({str(keys.path)!r}).revoke({info.id!r})"
    subprocess.run([sys.executable, "-c", revoke], check=True, cwd=Path(__file__).resolve().parents[1])
    assert embedded.client.get("/me", headers=auth(token)).status_code == 401


def test_key_checks_remember_only_valid_keys_and_only_for_a_while(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    token, info = keys.create(Role.ADMIN, "a")
    now = [0.0]
    checks = KeyChecks(keys, ttl_s=10, clock=lambda: now[0])
    assert checks.remembered(token) is None
    principal = checks.verify(token)
    assert principal is not None and principal.key_id == info.id
    assert checks.remembered(token) == principal
    assert checks.verify(token + "x") is None and checks.remembered(token + "x") is None
    now[0] = 10.0
    assert checks.remembered(token) is None  # expired: verified again from the file
    assert checks.verify(token) == principal
    other, _ = keys.create(Role.VIEWER, "b")  # any change to the file forgets what was remembered
    assert checks.remembered(token) is None
    assert checks.verify(other) is not None and checks.verify(token) == principal
    keys.revoke(info.id)
    assert checks.remembered(token) is None and checks.verify(token) is None
    checks.close()


# -- the graph after a write ----------------------------------------------------------------------


def held(api: Api) -> tuple[int, object]:
    """The revision and graph the service holds now, without asking the store."""
    return api.client.app.state.graph._data  # type: ignore[attr-defined]


def same_graph(a: object, b: object) -> bool:
    """Equal records in the same order (a snapshot is sorted by id)."""
    return list(a.nodes.items()) == list(b.nodes.items()) and list(a.relationships.items()) == list(  # type: ignore[attr-defined]
        b.relationships.items()  # type: ignore[attr-defined]
    )


#: Writes that touch derived ties (prefecture, region, parent, series, counts, notes), ties of their
#: own, replacements that move derived ties, and deletions of ties and of records.
WRITES: tuple[tuple[str, str, dict | None], ...] = (
    ("post", "/organisations", {"id": "org-n1", "name": "新規一号", "sector": "sme", "prefecture": "27", **P}),
    ("post", "/organisations", {"id": "org-n0", "name": "新規零号", "sector": "it_vendor", **P}),
    ("post", "/relationships", {"id": "r-n1-a", "type": "MEMBER_OF", "from_id": "org-n1", "to_id": "com-a", **P}),
    (
        "put",
        "/organisations/org-n1",
        {"id": "org-n1", "name": "新規一号", "sector": "sme", "prefecture": "13", "parent_id": "org-police", **P},
    ),
    ("post", "/communities", {"id": "com-n", "name": "新しい会", "region": "mic-kanto", "prefectures": ["13"], **P}),
    ("post", "/event-series", {"id": "ser-n", "name": "新シリーズ", **P}),
    (
        "post",
        "/events?organised_by=com-n",
        {"id": "ev-n", "title": "第1回", "event_type": "seminar", "start": "2021-03-01", "series_id": "ser-n", **P},
    ),
    ("post", "/headcounts", {"id": "hc-n", "subject_id": "com-n", "count_kind": "members", "count": 3, **P}),
    ("post", "/notes", {"id": "note-n", "about_id": "org-n1", "text": "連絡済み", **P}),
    ("delete", "/relationships/r-n1-a", None),
    ("delete", "/notes/note-n", None),
    ("delete", "/organisations/org-n0", None),
)


def test_after_each_write_the_service_holds_what_the_store_holds(api: Api) -> None:
    """The graph after a write is the one held with the touched records read back: it must be the
    store's whole graph, record for record and in the same order, on both stores."""
    graph = api.client.app.state.graph  # type: ignore[attr-defined]
    graph.snapshot()
    for method, url, body in WRITES:
        answer = getattr(api, method)("admin", url, **({"json": body} if body is not None else {}))
        assert answer.status_code in (200, 201, 204), (url, answer.text)
        revision, data = held(api)
        assert revision == api.store.revision(), url  # advanced by the write itself, not read again
        assert same_graph(data, api.store.snapshot()), url
    assert api.post("admin", "/organisations", json={"name": "新規一号", "sector": "sme", **P}).status_code == 409
    assert api.post("admin", "/communities", json={"name": "新しい会", **P}).status_code == 409


def test_a_write_by_someone_else_has_the_graph_read_whole(api: Api) -> None:
    graph = api.client.app.state.graph  # type: ignore[attr-defined]
    before, data = graph.snapshot()
    other = ChangeSet(nodes=[Organisation(id="org-other", name="外部書込", sector="sme", **P)])
    revision = api.store.write(other)
    # a write that does not follow the graph held right away is not applied to it
    graph._advance(
        before, data, revision + 1, ChangeSet(nodes=[Organisation(id="org-x", name="未書込", sector="sme", **P)])
    )
    assert held(api) == (before, data)
    body = {"id": "org-mine", "name": "自分の書込", "sector": "sme", **P}
    assert api.post("admin", "/organisations", json=body).status_code == 201
    revision, data = held(api)
    assert revision == api.store.revision() and {"org-other", "org-mine"} <= data.nodes.keys()
    assert same_graph(data, api.store.snapshot())
    duplicate = {"name": "外部書込", "sector": "sme", **P}
    assert api.post("admin", "/organisations", json=duplicate).status_code == 409


def test_an_analysis_queued_for_an_older_graph_gives_way_to_the_newest() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from secgraph.api.analysis_service import AnalysisCache, Superseded

    cache = AnalysisCache(workers=1, time_limit_s=30)
    release, started, computed = threading.Event(), threading.Event(), []

    def busy() -> str:
        started.set()
        release.wait(10)
        return "busy"

    def compute(revision: int) -> str:
        computed.append(revision)
        return f"answer {revision}"

    with ThreadPoolExecutor(3) as clients:
        blocking = clients.submit(cache.get_or_compute, "other", busy)
        assert started.wait(10)  # the one worker is busy: what follows waits in the queue
        older = clients.submit(cache.get_or_compute, ("stage", 1), lambda: compute(1), newer=("stage", 1))
        while ("stage", 1) not in cache._running:
            threading.Event().wait(0.01)
        newer = clients.submit(cache.get_or_compute, ("stage", 2), lambda: compute(2), newer=("stage", 2))
        with pytest.raises(Superseded):
            older.result(10)  # dropped before it ran: its caller asks again on the newest graph
        release.set()
        assert newer.result(10) == "answer 2" and blocking.result(10) == "busy"
    assert computed == [2]
    # a request that comes late for an older graph does not drop the newer one
    assert cache.get_or_compute(("stage", 1), lambda: compute(1), newer=("stage", 1)) == "answer 1"
    assert cache.get_or_compute(("stage", 2), lambda: compute(2), newer=("stage", 2)) == "answer 2"
    cache.close()


def test_a_request_asked_again_for_the_last_time_is_answered_under_a_stream_of_writes() -> None:
    """A caller sent away as often as ``ASKED_AGAIN_AT_MOST`` allows joins or queues its last run
    without ``newer``: a newer graph's request no longer drops it, so the caller gets an answer (of
    the revision it names) instead of a 503 while writes keep coming."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from secgraph.api.analysis_service import AnalysisCache

    cache = AnalysisCache(workers=1, time_limit_s=30)
    release, started = threading.Event(), threading.Event()

    def busy() -> str:
        started.set()
        release.wait(30)  # longer than any wait below: the queue stays as built
        return "busy"

    with ThreadPoolExecutor(4) as clients:
        blocking = clients.submit(cache.get_or_compute, "other", busy)
        assert started.wait(10)
        queued = clients.submit(cache.get_or_compute, ("stage", 1), lambda: "answer 1", newer=("stage", 1))
        while ("stage", 1) not in cache._running:
            threading.Event().wait(0.01)
        last_try = clients.submit(cache.get_or_compute, ("stage", 1), lambda: "answer 1")  # joins, pinned
        for _ in range(300):
            if ("stage", 1) not in cache._superseding:
                break
            threading.Event().wait(0.01)
        assert ("stage", 1) not in cache._superseding
        newer = clients.submit(cache.get_or_compute, ("stage", 2), lambda: "answer 2", newer=("stage", 2))
        release.set()
        assert last_try.result(10) == "answer 1" and queued.result(10) == "answer 1"
        assert newer.result(10) == "answer 2" and blocking.result(10) == "busy"
    cache.close()
