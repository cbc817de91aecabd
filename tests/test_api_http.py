"""The service over real HTTP (uvicorn on 127.0.0.1): a smoke run, the failure limiter, and Neo4j
going away and coming back under the running service."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from secgraph.access import KeyStore
from secgraph.api import ApiSettings, create_app
from secgraph.store import StoreSettings
from tests.neo4j_server import Neo4jProcess, build_launcher, free_port
from tests.test_api_world import auth

P = {"source": "http test", "as_of": "2026-01"}


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields the base URL."""
    # Port 0: the kernel picks the port as uvicorn binds it, so a parallel test cannot take it
    # between a probe and the bind.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def embedded_app(tmp_path: Path, **limits: int) -> tuple[FastAPI, str]:
    keys = KeyStore(tmp_path / "keys.db")
    admin, _ = keys.create("admin", "http")
    settings = ApiSettings(store=StoreSettings(db_path=tmp_path / "graph.db"), keys_path=tmp_path / "keys.db", **limits)
    return create_app(settings, keys=keys), admin


def test_the_service_answers_over_http(tmp_path: Path) -> None:
    app, admin = embedded_app(tmp_path)
    with serving(app) as base, httpx.Client(base_url=base, headers=auth(admin), timeout=30) as client:
        assert client.get("/health").json()["reachable"] is True
        assert "text/html" in client.get("/docs").headers["content-type"]
        assert client.get("/openapi.json").json()["info"]["title"] == "secgraph API"
        good = Path(__file__).resolve().parent / "data" / "good" / "organisations.csv"
        imported = client.post("/imports", files={"file": ("organisations.csv", good.read_bytes(), "text/csv")})
        assert imported.status_code == 200 and imported.json()["written"] is True
        found = client.get("/search", params={"q": "トレンドマイクロ株式会社"}).json()
        assert found["total"] == 1 and found["items"][0]["kind"] == "Organisation"

        def body():  # type: ignore[no-untyped-def]
            for _ in range(30):
                yield b" " * 65_536  # ~2 MB, sent chunked without a Content-Length

        refused = client.post("/organisations", content=body(), headers={"content-type": "application/json"})
        assert refused.status_code == 413 and refused.headers["content-type"] == "application/problem+json"


def test_failed_keys_are_rate_limited_per_address(tmp_path: Path) -> None:
    app, admin = embedded_app(tmp_path, failed_auth_burst=3, failed_auth_per_minute=1)
    with serving(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        statuses = [client.get("/me", headers=auth("sg_00000000_guess")).status_code for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        blocked = client.get("/me", headers=auth("sg_00000000_another"))
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert client.get("/me", headers=auth(admin)).status_code == 200  # a valid key is never locked out
        assert client.get("/health").status_code == 200  # no key, no limit


def test_an_unopenable_embedded_store_answers_503(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    keys = KeyStore(tmp_path / "keys.db")
    admin, _ = keys.create("admin")
    settings = ApiSettings(store=StoreSettings(db_path=blocker / "graph.db"), keys_path=tmp_path / "keys.db")
    with serving(create_app(settings, keys=keys)) as base, httpx.Client(base_url=base, timeout=30) as client:
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["reachable"] is False
        listed = client.get("/organisations", headers=auth(admin))
        assert listed.status_code == 503 and listed.headers["retry-after"] == "5"
        assert listed.json()["type"] == "urn:secgraph:problem:store-unavailable"


@pytest.mark.neo4j
@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="needs a Neo4j this test may stop (none of its own)")
def test_neo4j_going_away_answers_503_and_the_service_recovers_by_itself(tmp_path: Path) -> None:
    build_launcher()
    port = free_port()
    keys = KeyStore(tmp_path / "keys.db")
    admin, _ = keys.create("admin")
    settings = ApiSettings(
        store=StoreSettings(kind="neo4j", neo4j_uri=f"bolt://127.0.0.1:{port}"), keys_path=tmp_path / "keys.db"
    )
    process = Neo4jProcess()  # this test's own server: the session's is never stopped
    with (
        serving(create_app(settings, keys=keys)) as base,
        httpx.Client(base_url=base, headers=auth(admin), timeout=60) as client,
    ):
        try:
            # Not started yet: the service is up and says the store is not.
            assert client.get("/health").status_code == 503
            assert client.get("/organisations").status_code == 503

            process.start(tmp_path / "neo4j", port=port)
            assert client.get("/health").json()["reachable"] is True  # opened on the next request
            org = {"id": "org-kept", "name": "書き込み確認", "sector": "sme", **P}
            assert client.post("/organisations", json=org).status_code == 201

            process.stop()
            down = client.get("/organisations")
            assert down.status_code == 503 and down.json()["status"] == 503
            refused = client.post("/organisations", json={**org, "id": "org-lost", "name": "書けない"})
            assert refused.status_code == 503

            process.restart()
            deadline = time.monotonic() + 60
            while (response := client.get("/organisations")).status_code != 200:
                assert time.monotonic() < deadline, response.text
                time.sleep(0.5)
            assert [o["id"] for o in response.json()["items"]] == ["org-kept"]  # acknowledged, still there
            assert client.get("/health").json()["reachable"] is True
        finally:
            process.stop()
