"""Load: 50 concurrent clients for 60 s against `secgraph serve` on 127.0.0.1 (the seed data in the
embedded store), mixing reads, analyses and writes.

Checked afterwards: no error answer at all; every acknowledged write is in the store exactly once
(organisations by id, their membership ties by type and ends); and every analysis answer agrees
with every other answer for the same revision of the graph, and the answers for the final
revision equal the analysis computed here, directly, on the final data.

The figures reached (requests, per-kind counts, latency percentiles) go to
``test-artifacts/load.json``; nothing is asserted about time.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from secgraph.access import KeyStore
from secgraph.analysis.registry import analysis_named
from secgraph.io.importer import load
from secgraph.store.embedded import EmbeddedStore
from tests.neo4j_server import free_port

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CLIENTS = 50
DURATION_S = 60.0
WRITES_PER_CLIENT = 2  # each: an organisation and its membership tie (bounded: 100 + 100 writes)
P = {"source": "load test", "as_of": "2026-11"}
# Each as the service runs it: through the registry, which marks evidence resting on inferred ties.
ANALYSES = {
    f"/analyses/{slug}": lambda data, slug=slug: analysis_named(slug).run(data, analysis_named(slug).parameters_of())
    for slug in ("stage", "missing-sectors", "isolated-regions")
}
READS = ("/organisations?limit=50", "/search?q=大学", "/communities?limit=20", "/health", "/events?limit=20")


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    attempted: int = 0
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (organisation id, community id)
    answers: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))


async def _client(number: int, base: str, key: str, communities: list[str], tally: Tally, stop_at: float) -> None:
    rng = random.Random(number)
    writes_left = WRITES_PER_CLIENT
    # each client's writes fall at its own moments in the first two thirds of the run
    write_at = sorted(stop_at - DURATION_S + rng.uniform(0, DURATION_S * 2 / 3) for _ in range(writes_left))
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        while time.monotonic() < stop_at:
            roll = rng.random()
            started = time.perf_counter()
            if writes_left and time.monotonic() >= write_at[WRITES_PER_CLIENT - writes_left]:
                kind = "write"
                writes_left -= 1
                tally.attempted += 1
                org_id = f"load-{number:02d}-{writes_left}"
                community = rng.choice(communities)
                body = {
                    "id": org_id,
                    "name": f"負荷試験会社{number}-{writes_left}",
                    "sector": "sme",
                    "prefecture": "13",
                }
                response = await client.post("/organisations", json={**body, **P})
                if response.status_code == 201:
                    tie = {"type": "MEMBER_OF", "from_id": org_id, "to_id": community, **P}
                    response = await client.post("/relationships", json=tie)
                    if response.status_code == 201:
                        tally.acknowledged.append((org_id, community))
            elif roll < 0.4:
                kind = "analysis"
                path = rng.choice(sorted(ANALYSES))
                response = await client.get(path)
                if response.status_code == 200:
                    digest = hashlib.sha256(response.content).hexdigest()
                    tally.answers[(path, int(response.headers["X-Graph-Revision"]))].add(digest)
            else:
                kind = "read"
                response = await client.get(rng.choice(READS))
            tally.latencies[kind].append(time.perf_counter() - started)
            tally.statuses[(kind, response.status_code)] += 1
            if response.status_code >= 300:
                tally.failures.append(f"{response.request.method} {response.request.url}: {response.status_code}")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)


def test_fifty_clients_for_a_minute_lose_nothing_and_agree(tmp_path: Path) -> None:
    db = tmp_path / "graph.db"
    store = EmbeddedStore(db)
    assert load(store, REPO / "seed_data").ok
    communities = sorted(n.id for n in store.nodes("Community"))
    store.close()
    keys = KeyStore(tmp_path / "keys.db")
    admin, _ = keys.create("admin", "load test")
    port = free_port()
    env = {**os.environ, "SECGRAPH_DB": str(db), "SECGRAPH_KEYS": str(tmp_path / "keys.db"), "LANG": "C.UTF-8"}
    env.pop("NEO4J_URI", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "secgraph.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(600):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        tally = Tally()

        async def run_all() -> None:
            stop_at = time.monotonic() + DURATION_S
            await asyncio.gather(*(_client(i, base, admin, communities, tally, stop_at) for i in range(CLIENTS)))

        asyncio.run(run_all())
        final_answers = {
            path: httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {admin}"}, timeout=120)
            for path in ANALYSES
        }
    finally:
        server.terminate()
        server.wait(timeout=60)

    figures = {
        "clients": CLIENTS,
        "seconds": DURATION_S,
        "requests": sum(tally.statuses.values()),
        "statuses": {f"{kind} {status}": count for (kind, status), count in sorted(tally.statuses.items())},
        "attempted_writes": tally.attempted,
        "acknowledged_writes": len(tally.acknowledged),
        "revisions_seen_by_analyses": len({rev for _path, rev in tally.answers}),
        "latency_ms": {
            kind: {
                "p50": _percentile(values, 0.5),
                "p95": _percentile(values, 0.95),
                "p99": _percentile(values, 0.99),
                "mean": round(statistics.fmean(values) * 1000, 1),
                "max": round(max(values) * 1000, 1),
            }
            for kind, values in sorted(tally.latencies.items())
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")

    assert not tally.failures, tally.failures[:20]
    assert tally.attempted >= CLIENTS  # every client wrote
    assert len(tally.acknowledged) == tally.attempted  # and every write was answered 201

    store = EmbeddedStore(db)
    try:
        data = store.snapshot()
        written = sorted(n.id for n in store.nodes("Organisation") if n.id.startswith("load-"))
        assert written == sorted(org for org, _community in tally.acknowledged)  # each once, none extra
        ties = Counter(
            (r.from_id, r.to_id)
            for r in data.relationships.values()
            if r.type == "MEMBER_OF" and r.from_id.startswith("load-")
        )
        assert ties == Counter(tally.acknowledged)  # each tie exactly once
        revision = store.revision()
    finally:
        store.close()

    disagreeing = {key: len(digests) for key, digests in tally.answers.items() if len(digests) > 1}
    assert not disagreeing, disagreeing  # one answer per analysis and revision
    for path, response in final_answers.items():
        assert response.status_code == 200
        assert int(response.headers["X-Graph-Revision"]) == revision
        expected = ANALYSES[path](data)
        assert type(expected).model_validate(response.json()) == expected, path
