"""The API under 50 concurrent clients: latency and throughput of cached analyses, reads and writes.

    .venv/bin/python bench/api_latency.py [--seconds 15] [--writes 200] [--no-profile] [--workers N]
                                          [--load-tool wrk|httpx]

``secgraph serve`` runs in its own process on 127.0.0.1 with the seed data in the embedded store
(``--workers N``: ``secgraph serve --workers N``, N worker processes; py-spy then samples them all).
The load comes from another process, so the server's GIL is not shared with the clients. Reads are
sent by Debian's ``wrk`` when installed (``bash run.sh bench`` installs it; a Lua script adds the key,
asks for gzip as every browser does, and rotates the paths), else, or with ``--load-tool httpx``, by
an asyncio httpx client started as a child process, which also inflates every answer on the cores the
server runs on. Writes always go through the httpx client (bounded in count). Every phase is bounded in
time (``--seconds``).

Phases, each with 50 connections, reported beside GET /health in the same run (the service's floor:
routing, a store ping, no key, no analysis):

1. cached analyses — every analysis endpoint computed once first (the cold times are reported), then
   only cache hits, since nothing is written; the target: p95 at most 1.2× GET /health's p95 in the
   same run (the service's floor on this machine), no errors;
2. plain reads — lists and search;
3. writes — new organisations, bounded in count;
4. mixed — analyses, reads and writes at once, as tests/test_load.py does, with py-spy sampling the
   server (when py-spy is on PATH, beside the Python, or named by $PY_SPY) to show where time goes.

Beside the load, the cost each write brings on is measured directly in this process on the same
data: reading the graph again, each visibility's view, every analysis computed again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/: its modules import each other by name
from neo4j_load import REPO, machine, write_results  # noqa: E402

NAME = "api_latency"
CONNECTIONS = 50
#: The cached analyses' p95 may be at most this many times GET /health's p95 measured in the same run.
TARGET_X_HEALTH = 1.2
BASELINE = "/health"
ANALYSES = (
    "/analyses/stage",
    "/analyses/missing-sectors",
    "/analyses/isolated-regions",
    "/analyses/key-persons",
    "/analyses/health",
    "/analyses/changes?earlier=2019-04-01&later=2021-03-31",
)
READS = (
    "/organisations?limit=50",
    "/search?q=" + urllib.parse.quote("大学"),
    "/communities?limit=20",
    "/events?limit=20",
    "/people?limit=50",
)
WRITE_PATH = "/organisations"

# Lua for wrk. args: key, paths …; each thread keeps its answers by status and done() writes one JSON
# object to $WRK_RESULT. (Writes go through the Python client: wrk's own clock runs the whole -d even
# when a thread stops early, so a bounded count would give no throughput.)
WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  paths = {}
  for i = 2, #args do paths[#paths + 1] = args[i] end
  n = 0
  statuses = {}
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Accept-Encoding"] = "gzip"
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local codes = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    if s then for code, count in pairs(s) do codes[code] = (codes[code] or 0) + count end end
  end
  local parts = {}
  for code, count in pairs(codes) do parts[#parts + 1] = string.format('"%d": %d', code, count) end
  local e = summary.errors
  local f = io.open(os.getenv("WRK_RESULT"), "w")
  f:write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"mean_ms": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}}',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, latency.mean / 1e3,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
  f:close()
end
"""


# -------------------------------------------------------------------------------- load tools


class Load:
    """One bounded load: ``connections`` clients on ``paths`` for ``seconds`` (writes: at most ``writes``),
    sent by ``tool`` (``"wrk"`` or ``"httpx"``, resolved once by the caller: ``run`` takes
    ``default_load_tool()`` when none is asked; writes always go through the Python client)."""

    def __init__(
        self,
        base: str,
        key: str,
        paths: tuple[str, ...],
        seconds: float,
        *,
        writes: int = 0,
        connections: int = CONNECTIONS,
        prefix: str = "bench",
        folder: Path,
        tool: str,
    ) -> None:
        self.base, self.key, self.paths, self.seconds = base, key, paths, seconds
        self.writes, self.connections, self.prefix = writes, connections, prefix
        self.result_path = folder / f"{prefix}-{time.monotonic_ns()}.json"
        self.folder = folder
        self.wrk = tool == "wrk" and not writes
        self.tool = "wrk" if self.wrk else "httpx (asyncio, separate process)"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Load:
        env = {**os.environ, "WRK_RESULT": str(self.result_path)}
        if self.wrk:
            threads = 2
            script = self.folder / "load.lua"
            if not script.is_file():  # loads started together share it: never rewritten under a running wrk
                script.write_text(WRK_SCRIPT, encoding="utf-8")
            command = [
                "wrk",
                f"-t{threads}",
                f"-c{self.connections}",
                f"-d{self.seconds:g}s",
                "--timeout",
                "120s",
                "-s",
                str(script),
                self.base,
                "--",
                self.key,
                *self.paths,
            ]
        else:
            spec = {
                "base": self.base,
                "key": self.key,
                "paths": self.paths,
                "seconds": self.seconds,
                "writes": self.writes,
                "connections": self.connections,
                "prefix": self.prefix,
                "out": str(self.result_path),
            }
            command = [sys.executable, __file__, "--client", json.dumps(spec)]
        self._proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return self

    def wait(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stderr is not None
        if self.wrk:
            # wrk is C and reports no CPU of its own: take it from the kernel as the process is reaped
            # (stopped if it outlives its phase by as long as the Python client may)
            watchdog = threading.Timer(self.seconds + 180, self._proc.kill)
            watchdog.start()
            try:
                err = self._proc.stderr.read()
                _, status, usage = os.wait4(self._proc.pid, 0)
            finally:
                watchdog.cancel()
            self._proc.returncode = os.waitstatus_to_exitcode(status)
        else:
            _, err = self._proc.communicate(timeout=self.seconds + 180)
        if self._proc.returncode != 0 or not self.result_path.is_file():
            raise RuntimeError(f"load tool failed ({self._proc.returncode}): {err.decode(errors='replace')[-2000:]}")
        figures = json.loads(self.result_path.read_text(encoding="utf-8"))
        if self.wrk:
            figures["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
        figures["per_s"] = round(figures["requests"] / figures["seconds"], 1) if figures["seconds"] else 0.0
        figures["error_count"] = sum(figures["errors"].values())
        figures["tool"] = self.tool
        figures["paths"] = list(self.paths)
        return figures

    def run(self) -> dict[str, Any]:
        return self.start().wait()


def default_load_tool() -> str:
    """wrk when installed (``bash run.sh bench`` installs it), else the Python client."""
    return "wrk" if shutil.which("wrk") else "httpx"


def _percentile_ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2) if ordered else 0.0


async def _client_load(spec: dict[str, Any]) -> dict[str, Any]:
    """The fallback load tool: ``connections`` asyncio clients, one connection each, as wrk does."""
    import httpx

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = Counter({"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0})
    headers = {"Authorization": f"Bearer {spec['key']}"}
    stop_at = time.monotonic() + spec["seconds"]
    per_client = -(-spec["writes"] // spec["connections"]) if spec["writes"] else 0
    # One TLS context for every client (the server is plain HTTP): httpx would otherwise load the CA
    # certificates once per client, fifty times at the start of each phase, on the server's cores.
    tls = ssl.create_default_context()

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=spec["base"], headers=headers, timeout=120, verify=tls) as http:
            n = 0
            while time.monotonic() < stop_at and (not per_client or n < per_client):
                n += 1
                started = time.perf_counter()
                try:
                    if per_client:
                        oid = f"{spec['prefix']}-{number}-{n}"
                        body = {"id": oid, "name": f"負荷計測{oid}", "sector": "sme", "prefecture": "13"}
                        answer = await http.post(spec["paths"][0], json={**body, "source": "bench", "as_of": "2026-11"})
                    else:
                        answer = await http.get(spec["paths"][n % len(spec["paths"])])
                except httpx.TimeoutException:
                    errors["timeout"] += 1
                    continue
                except httpx.TransportError:
                    errors["connect"] += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[answer.status_code] += 1
                if answer.status_code >= 400:
                    errors["status"] += 1

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(i) for i in range(spec["connections"])))
    seconds = time.perf_counter() - started
    return {
        # the load tool's own CPU: it shares the machine's cores with the server
        "client_cpu_s": round(time.process_time() - cpu_started, 3),
        "requests": len(latencies) + errors["timeout"] + errors["connect"],
        "seconds": round(seconds, 3),
        "p50_ms": _percentile_ms(latencies, 0.5),
        "p95_ms": _percentile_ms(latencies, 0.95),
        "p99_ms": _percentile_ms(latencies, 0.99),
        "max_ms": round(max(latencies, default=0) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else 0.0,
        "errors": dict(errors),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


# -------------------------------------------------------------------------------- the server


def py_spy() -> str | None:
    """py-spy on PATH, beside this Python, or named by $PY_SPY."""
    candidates = [os.environ.get("PY_SPY"), shutil.which("py-spy"), str(Path(sys.executable).parent / "py-spy")]
    return next((c for c in candidates if c and Path(c).is_file()), None)


class Server:
    """``secgraph serve`` on 127.0.0.1 over a copy of the seed data, with one admin key, in ``workers``
    worker processes."""

    def __init__(self, folder: Path, tree: Path = REPO, workers: int = 1) -> None:
        from secgraph.access import KeyStore
        from secgraph.io.importer import load
        from secgraph.store.embedded import EmbeddedStore
        from tests.neo4j_server import free_port

        folder.mkdir(parents=True, exist_ok=True)
        self.tree = tree
        self.db = folder / "graph.db"
        store = EmbeddedStore(self.db)
        if not load(store, REPO / "seed_data", progress=False).ok:
            raise RuntimeError("the seed data did not load")
        store.close()
        keys = KeyStore(folder / "keys.db")
        self.key, _ = keys.create("admin", "benchmark")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SECGRAPH_DB": str(self.db), "SECGRAPH_KEYS": str(folder / "keys.db"), "LANG": "C.UTF-8"}
        env.pop("NEO4J_URI", None)
        command = [sys.executable, "-m", "secgraph.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.workers = workers
        if workers > 1:  # not given otherwise: a tree from before the option serves too
            command += ["--workers", str(workers)]
        self.log_path = folder / "server.log"
        self.log = self.log_path.open("wb")
        # run from ``tree``: ``python -m`` puts the working folder first on sys.path, so that tree's
        # secgraph is the one served
        self.proc = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=tree)

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answered = httpx.get(f"{self.base}{BASELINE}", timeout=2).status_code == 200
                # any worker answers /health: wait for every one to have started
                started = self.log_path.read_bytes().count(b"Application startup complete.")
                if answered and started >= self.workers:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("secgraph serve exited before answering")
            time.sleep(0.2)
        raise RuntimeError("secgraph serve did not answer within 120 s")

    def warm(self, paths: tuple[str, ...]) -> dict[str, float]:
        """Each path asked until it answers 200 (a slow analysis answers 503 'still computing'), in every
        worker; the seconds each took cold (in the first worker asked)."""
        import httpx

        cold: dict[str, float] = {}
        headers = {"Authorization": f"Bearer {self.key}"}
        for path in paths:
            started = time.perf_counter()
            for _attempt in range(60):
                answer = httpx.get(f"{self.base}{path}", headers=headers, timeout=120)
                if answer.status_code == 200:
                    break
                if answer.status_code != 503:
                    raise RuntimeError(f"GET {path}: {answer.status_code} {answer.text[:300]}")
                time.sleep(1)
            cold[path] = round(time.perf_counter() - started, 3)
            if self.workers > 1:
                # each worker computes its own answers: ask again on fresh connections, which the
                # kernel hands to the workers at random (8 per worker miss one with odds ~2^-16)
                for _again in range(8 * self.workers):
                    for _attempt in range(60):
                        if httpx.get(f"{self.base}{path}", headers=headers, timeout=120).status_code != 503:
                            break
                        time.sleep(1)
        return cold

    def count_written(self, prefix: str) -> int:
        from secgraph.store.embedded import EmbeddedStore

        store = EmbeddedStore(self.db)
        try:
            return sum(1 for n in store.nodes("Organisation") if n.id.startswith(prefix))
        finally:
            store.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# -------------------------------------------------------------------------------- where time goes

#: Functions whose share of the server's GIL-holding samples the profile reports, by what they are.
PROFILE_MARKERS: dict[str, tuple[str, str]] = {
    "reading the whole graph again (GraphService.snapshot → store.snapshot)": ("snapshot", "store/embedded.py"),
    "building a role's view (visible_graph)": ("visible_graph", "access/visibility.py"),
    "building a view's indexes (GraphView)": ("__init__", "api/queries.py"),
    "analyses computed (AnalysisCache._compute)": ("_compute", "api/analysis_service.py"),
    "writing (GraphStore.write)": ("write", "store/base.py"),
    "write checks against the graph (_writing … _write)": ("_write", "api/services.py"),
    "duplicate-name check over every record (_name_conflicts)": ("_name_conflicts", "api/services.py"),
    "key check (KeyStore.verify)": ("verify", "access/keys.py"),
    "listing and search (find_nodes)": ("find_nodes", "api/queries.py"),
    "answers to JSON (FastAPI serialize_response)": ("serialize_response", "fastapi/routing.py"),
}


def _frames(stack: str) -> list[tuple[str, str]]:
    """py-spy raw frames 'Class.function (path:line)' as (function, path)."""
    out = []
    for frame in stack.split(";"):
        name, _, where = frame.partition(" (")
        out.append((name.strip(), where.rsplit(":", 1)[0]))
    return out


def _package(path: str) -> str:
    """The package (or standard-library module) of a frame's file; py-spy names files from their
    place on sys.path (``fastapi/routing.py``, ``threading.py``, ``secgraph/api/services.py``)."""
    return path.split("/")[0].removesuffix(".py") or "?"


def summarise_profile(raw: Path, seconds: float, rate: int) -> dict[str, Any]:
    """Shares of the GIL-holding samples: by marker, by the busiest secgraph functions (inclusive) and
    by the package the sampled line was in (where the CPU burns)."""
    total = 0
    marked: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = _frames(stack)
        for label, (function, path_part) in PROFILE_MARKERS.items():
            if any(
                (name == function or name.endswith("." + function)) and path_part in where for name, where in frames
            ):
                marked[label] += count
        seen = {f"{name} ({where})" for name, where in frames if _package(where) == "secgraph"}
        for name in seen:
            if "secgraph/cli/" not in name:
                inclusive[name] += count
        leaf[_package(frames[-1][1])] += count
    possible = seconds * rate

    def shares(counter: Counter[str], most: int) -> dict[str, float]:
        return {k: round(v / total, 3) for k, v in counter.most_common(most)} if total else {}

    return {
        "gil_samples": total,
        "gil_busy_share": round(total / possible, 2) if possible else None,
        "by_marker": shares(marked, len(PROFILE_MARKERS)),
        "top_secgraph_functions": shares(inclusive, 12),
        "by_package_of_sampled_line": shares(leaf, 10),
    }


def cache_hit_costs(repeat: int) -> dict[str, float]:
    """Milliseconds one cache hit takes through the whole app, in this process, one request at a time
    (FastAPI's TestClient: no network, no concurrency), with and without ``If-None-Match``, beside
    writing the cached result as JSON (``model_dump_json``: what each hit paid on top while the service
    validated and serialised the cached model on every hit; it now keeps the answer's bytes)."""
    from fastapi.testclient import TestClient
    from seed_analyses import median_seconds

    from secgraph.access import KeyStore
    from secgraph.api.app import create_app
    from secgraph.io.importer import load
    from secgraph.store.embedded import EmbeddedStore

    costs: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        load(store, REPO / "seed_data", progress=False)
        keys = KeyStore(Path(folder) / "keys.db")
        token, _ = keys.create("admin", "benchmark")
        with TestClient(create_app(store=store, keys=keys), headers={"Authorization": f"Bearer {token}"}) as client:
            costs[f"GET {BASELINE} (floor)"] = median_seconds(lambda: client.get(BASELINE), repeat)
            for path in ANALYSES:
                first = client.get(path)  # computed once: the rest are hits
                assert first.status_code == 200, path
                costs[f"GET {path.split('?')[0]} (hit)"] = median_seconds(lambda p=path: client.get(p), repeat)
                if "etag" in first.headers:
                    unchanged = {"If-None-Match": first.headers["etag"]}
                    costs[f"GET {path.split('?')[0]} (hit, 304 Not Modified)"] = median_seconds(
                        lambda p=path, h=unchanged: client.get(p, headers=h), repeat
                    )
            cache = client.app.state.analyses
            for key, entry in list(cache._entries.items()):
                result = getattr(entry, "result", entry)  # the cached answer holds the result beside its bytes
                costs[f"{key[0]}: model_dump_json of the cached result"] = median_seconds(
                    result.model_dump_json, repeat
                )
        store.close()
    return {k: round(v * 1000, 2) for k, v in costs.items()}


def direct_costs(repeat: int = 3) -> dict[str, dict[str, float]]:
    """Measured here, on the seed data, outside the server (median seconds):

    - what one write brings on for the next readers: the write itself (checks and the SQLite
      commit), the whole graph read again, each visibility's view rebuilt, every analysis again;
    - what every cache hit pays (``cache_hit_costs``).
    """
    from seed_analyses import analysis_runs, median_seconds

    from secgraph.access import Principal, Role, Visibility, visible_graph
    from secgraph.api.queries import GraphView
    from secgraph.api.services import GraphService, StoreHolder
    from secgraph.io.importer import load
    from secgraph.model.records import Organisation
    from secgraph.store import ChangeSet, StoreSettings
    from secgraph.store.embedded import EmbeddedStore

    per_write: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        load(store, REPO / "seed_data", progress=False)
        numbers = iter(range(10**6))

        def write_one() -> None:
            n = next(numbers)
            org = Organisation(id=f"bench-{n}", name=f"計測{n}", sector="sme", source="bench", as_of="2026-11")
            store.write(ChangeSet(nodes=[org]))

        per_write["store.write(one organisation): checks + SQLite commit"] = median_seconds(write_one, repeat)
        per_write["store.snapshot(): the whole graph read again"] = median_seconds(store.snapshot, repeat)
        service = GraphService(StoreHolder(StoreSettings(db_path=Path(folder) / "seed.db"), store), b"k" * 32)
        admin = Principal("bench", "benchmark", Role.ADMIN)
        service.snapshot()

        def service_write() -> None:
            n = next(numbers)
            org = Organisation(id=f"bench-{n}", name=f"計測{n}", sector="sme", source="bench", as_of="2026-11")
            service.create_node(admin, org)
            assert service.snapshot()[0] == store.revision()

        per_write["GraphService.create_node + the graph after it (touched records read back), one organisation"] = (
            median_seconds(service_write, repeat * 5)
        )
        data = store.snapshot()
        store.close()
    key = b"benchmark-pseudonym-key-32-bytes"
    for visibility in Visibility:
        per_write[f"view {visibility.value}: visible_graph + GraphView"] = median_seconds(
            lambda v=visibility: GraphView(0, visible_graph(data, v, key)), repeat
        )
    for name, analysis in analysis_runs().items():
        per_write[f"analysis {name}"] = median_seconds(lambda f=analysis: f(data), repeat)
    per_hit = cache_hit_costs(repeat * 7)  # milliseconds
    return {
        "per_write_s": {k: round(v, 4) for k, v in per_write.items()},
        "per_cache_hit_ms": per_hit,
        "seed": {"nodes": len(data.nodes), "relationships": len(data.relationships)},
    }


# -------------------------------------------------------------------------------- the run


def phase(server: Server, folder: Path, loads: dict[str, Load], seconds: float, profile: bool) -> dict[str, Any]:
    """``loads`` run together while py-spy samples the server; each load's figures and the profile."""
    spy = py_spy() if profile else None
    raw = folder / f"phase-{time.monotonic_ns()}.spy.txt"
    rate = 100
    sampler = None
    if spy:
        sampler = subprocess.Popen(
            [spy, "record", "--pid", str(server.proc.pid), "--gil", "--rate", str(rate), "--duration"]
            + [str(max(1, int(seconds))), "--format", "raw", "--output", str(raw), "--nonblocking"]
            + (["--subprocesses"] if server.workers > 1 else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    server_cpu = _cpu_seconds(server.proc.pid)
    for load in loads.values():
        load.start()
    figures: dict[str, Any] = {name: load.wait() for name, load in loads.items()}
    # the server's processes (the supervisor and its workers): CPU seconds over the phase
    figures["server_cpu_s"] = round(_cpu_seconds(server.proc.pid) - server_cpu, 3)
    # the machine is shared: how busy it was while this phase ran (1 min; 2 cores)
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    if sampler is None:
        figures["profile"] = {"error": "py-spy not found (pip install py-spy, or set PY_SPY)" if profile else "off"}
        return figures
    _, err = sampler.communicate(timeout=seconds + 60)
    if raw.is_file():
        figures["profile"] = summarise_profile(raw, seconds, rate)
    else:
        figures["profile"] = {"error": err.decode(errors="replace")[-1000:]}
    return figures


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its children alive now (0 without psutil)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _cpu_s_per_answer(phase_figures: dict[str, Any], name: str) -> tuple[float | None, float | None]:
    """CPU seconds per answer of a one-load phase: the load tool's and the server's (None: not measured)."""
    load = phase_figures[name]
    answers = max(load["requests"], 1)
    client = load.get("client_cpu_s")
    server = phase_figures.get("server_cpu_s")
    return (client / answers if client is not None else None, server / answers if server else None)


def _cpu_per_answer(phase_figures: dict[str, Any], name: str) -> str:
    """CPU milliseconds per answer of a one-load phase: the load tool's and the server's."""
    client, server = _cpu_s_per_answer(phase_figures, name)
    parts = [f"load tool {client * 1000:.2f}" if client is not None else "load tool ?"]
    parts.append(f"server {server * 1000:.2f}" if server is not None else "server ?")
    return ", ".join(parts)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The phases against one server, or, with ``before`` (a tree of the code before a change), against
    two: each phase runs on this tree's server then on the other's, so both meet the same machine."""
    seconds = float(getattr(args, "seconds", 15))
    writes = int(getattr(args, "writes", 200))
    profile = not getattr(args, "no_profile", False)
    before = getattr(args, "before", None)
    tool = getattr(args, "load_tool", None) or default_load_tool()
    workers = int(getattr(args, "workers", 1))
    results: dict[str, Any] = {
        "title": "API latency under 50 concurrent clients / 同時50クライアントでのAPI応答時間",
        "connections": CONNECTIONS,
        "workers": workers,
        "seconds_per_phase": seconds,
        "profiler": "py-spy record --gil: samples only the thread holding the GIL, i.e. where the CPU goes",
        "http": _http_stack(),
    }
    trees = {"now": REPO} | ({"before": Path(before).resolve()} if before else {})
    with tempfile.TemporaryDirectory(prefix="secgraph-bench-api-") as name:
        folder = Path(name)
        servers = {label: Server(folder / label, tree, workers) for label, tree in trees.items()}
        runs: dict[str, dict[str, Any]] = {
            label: {"tree": str(tree), "commit": _commit(tree)} for label, tree in trees.items()
        }

        def phases(label: str) -> dict[str, Any]:
            return runs[label].setdefault("phases", {})

        def load(server: Server, paths: tuple[str, ...], **options: Any) -> Load:
            seconds_here = options.pop("seconds", seconds)
            return Load(server.base, server.key, paths, seconds_here, folder=folder, tool=tool, **options)

        try:
            for server in servers.values():
                server.wait_ready()
            first = next(iter(servers.values()))
            results["load_tool"] = load(first, (BASELINE,)).tool
            for label, server in servers.items():
                phases(label)["baseline"] = phase(
                    server, folder, {"health": load(server, (BASELINE,))}, seconds, profile
                )
            for label, server in servers.items():
                runs[label]["cold_seconds"] = server.warm(ANALYSES + READS)
            for label, server in servers.items():
                loads = {"analyses": load(server, ANALYSES)}
                phases(label)["cached_analyses"] = phase(server, folder, loads, seconds, profile)
            for label, server in servers.items():
                phases(label)["reads"] = phase(server, folder, {"reads": load(server, READS)}, seconds, profile)
            for label, server in servers.items():
                writing = load(server, (WRITE_PATH,), seconds=seconds * 4, writes=writes, prefix="bench-w")
                phases(label)["writes"] = phase(server, folder, {"writes": writing}, seconds * 4, profile)
                phases(label)["writes"]["writes"]["stored"] = server.count_written("bench-w-")
            for label, server in servers.items():
                mix = {
                    "analyses": load(server, ANALYSES, connections=20, seconds=seconds * 2),
                    "reads": load(server, READS, connections=25, seconds=seconds * 2),
                    "writes": load(
                        server, (WRITE_PATH,), connections=5, writes=100, prefix="bench-m", seconds=seconds * 2
                    ),
                }
                phases(label)["mixed"] = phase(server, folder, mix, seconds * 2, profile)
                phases(label)["mixed"]["writes"]["stored"] = server.count_written("bench-m-")
        finally:
            for server in servers.values():
                server.stop()
    now = runs.pop("now")
    results["commit"] = now["commit"]
    results["cold_seconds"] = now["cold_seconds"]
    results["phases"] = now["phases"]
    if "before" in runs:
        results["before"] = runs["before"]
    results["machine"] = machine()  # the load average now covers the phases just run
    results["direct_costs"] = direct_costs()
    cached = results["phases"]["cached_analyses"]["analyses"]
    floor = results["phases"]["baseline"]["health"]["p95_ms"]
    results["met"] = cached["p95_ms"] <= TARGET_X_HEALTH * floor and cached["error_count"] == 0
    return results


def _commit(tree: Path) -> str:
    """The tree's commit, with '+ changes' when its files differ from it."""

    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=tree, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (
        " + changes" if git("status", "--porcelain", "--", "secgraph") else ""
    )


def _http_stack() -> str:
    """What ``secgraph serve`` runs on: uvicorn takes httptools and uvloop when they are installed."""
    import importlib.util

    found = [m for m in ("httptools", "uvloop") if importlib.util.find_spec(m)]
    return "uvicorn with " + (" and ".join(found) if found else "h11 and asyncio (pure Python)")


def _row(label: str, f: dict[str, Any], target: str) -> str:
    errors = f["error_count"]
    detail = " (" + ", ".join(f"{k} {v}" for k, v in f["errors"].items() if v) + ")" if errors else ""
    return (
        f"| {label} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {f['per_s']} | {f['requests']:,} | "
        f"{errors}{detail} | {target} |"
    )


def _findings(p: dict[str, Any]) -> str:
    """FINDINGS with this run's ratios of a cached analysis to ``/health``: CPU per answer, the load tool's
    and the server's, and how busy the server's GIL was."""

    def ratio(side: int) -> str:
        floor = _cpu_s_per_answer(p["baseline"], "health")[side]
        cached = _cpu_s_per_answer(p["cached_analyses"], "analyses")[side]
        return f"{cached / floor:.1f}" if floor and cached is not None else "?"

    busy = p["cached_analyses"].get("profile", {}).get("gil_busy_share")
    return FINDINGS.format(
        tool=p["cached_analyses"]["analyses"].get("tool", "?"),
        tool_ratio=ratio(0),
        server_ratio=ratio(1),
        gil_busy=f"{busy:.0%}" if busy is not None else "?",
    )


def _profile_notes(title: str, profile: dict[str, Any]) -> list[str]:
    notes = ["", f"### {title}", ""]
    if "gil_samples" not in profile:
        return [*notes, f"not profiled: {profile.get('error')}"]
    notes.append(f"GIL held {profile['gil_busy_share']:.0%} of the phase. Shares of the GIL samples:")
    notes.append("")
    notes += [f"- {k}: {v:.0%}" for k, v in profile["by_marker"].items()]
    notes += [
        "",
        "By the package of the line being run: "
        + ", ".join(f"{k} {v:.0%}" for k, v in profile["by_package_of_sampled_line"].items()),
    ]
    notes += [
        "",
        "Busiest secgraph functions (inclusive): "
        + "; ".join(f"`{k}` {v:.0%}" for k, v in profile["top_secgraph_functions"].items()),
    ]
    return notes


#: Why the figures are what they are and what would change them: read off the profiles and direct costs
#: below (the mechanisms, which hold while the service's code stays as it is; the numbers are above).
FINDINGS = """## Why, and what would reach the target

Read with the table, its load column and the CPU per answer above it. Run with `--before`, each phase ran
on this tree and right after on the code before it, against the same (shared) machine; the ratios between
the two are the figures to read when the load column is high. Earlier ratios, from a run with `--before
0eb157e` (issue 8's API changes): cached analyses 161 → 336 answers a second (p95 649 → 295 ms), writes
7.8 → 46.8 a second.

- **Closed loop arithmetic.** Fifty clients that each wait for their answer keep fifty requests in the
  server: mean latency = 50 / throughput (Little's law). With the load tool and the server on the same 2
  cores, throughput is what the two together spend per answer, so the ratio of two phases' latencies is
  about the ratio of their CPU per answer (server and load tool added), whatever the machine's load.
- **What a cache hit is.** The answer is kept as its JSON bytes and as those bytes gzipped (level 6, no
  timestamp in the header, so the same bytes every time), made once per revision × visibility ×
  parameters on the analysis pool, each with a strong `ETag` of its own (RFC 9110: a strong validator
  differs between content codings), `Vary: Accept-Encoding`, 304 for a matching `If-None-Match`. The
  JSON is what FastAPI's own serialisation gives (tests/test_api_cache.py). A client that accepts gzip
  (the load tool here, as every browser) gets the gzipped bytes: on the seed data the six analyses'
  answers are 3.66 MB of JSON and 0.29 MB gzipped (missing-sectors 1.80 MB → 138 KB). A hit is answered
  on the event loop, with no thread: the store's revision is read on a SQLite connection of its own with
  busy_timeout 0 (`EmbeddedStore.revision_at_once`; WAL lets it read beside a snapshot or a write in
  progress, and it sees every commit, another worker's included), and the cache is looked up under
  (analysis, parameters, that revision, the caller's visibility). When that read would wait, and on
  Neo4j (whose revision is a round trip), the route reads it on a thread as before. A verified key is
  remembered per process until the key file changes (SQLite `PRAGMA data_version`), so a revoke counts at
  the next request. In the cached phase's profile no analysis is computed and no thread is used: `warm`
  asks each path 8 × N times on fresh connections first, so every worker holds every answer before the
  phase (a worker's first answer of each analysis is not what the phase measures).
- **What a hit costs beside the floor, and what the load tool adds.** `/health` answers 64 bytes; an
  analysis answer averages 610 KB of JSON, 49 KB gzipped. In this run the load tool ({tool}) spent
  {tool_ratio} times as much CPU on a cached analysis as on `/health`, the server {server_ratio} times as
  much (its GIL busy {gil_busy} of the cached phase, summed over its workers). The server's side of a hit
  is routing (the analyses' routes come right after the service's own: 0.04 ms of matching against 0.28
  ms after eleven routers, timed on the app's route list), FastAPI's dependencies (the key, the scope and
  the parameters validated), the access log with its key redaction, and sending 49 KB; `/health` takes a
  thread hop and two store reads instead, which is why its tail (p95, p99) is longer than a hit's even
  where its median is shorter.
  wrk (C) asks for gzip as every browser does and takes the body in without inflating it, so what it
  measures is the service. The Python client (`--load-tool httpx`, the only tool before `bash run.sh
  bench` installed wrk) inflates every answer (about 0.8 ms on average on the seed data) and spends
  about 1 ms on any request, on the same 2 cores as the server: with it, cached analyses' p95 came out at
  1.8–2.9 times `/health`'s in runs on 2026-12-07, the server's CPU per answer 1.26–1.38 times the
  floor's — the client's work, not the service's, made the difference. Without gzip (wrk's default,
  610 KB an answer) cached analyses were 190–370 answers a second against 1,500–2,600 for `/health`.
  What would bring a hit nearer the floor still: smaller answers (missing-sectors' suggestions with
  their reasons in two languages are 1.25 MB of its 1.8 MB, the stage's rules 0.5 MB of 0.68 MB:
  evidence by id with the texts once, or paged suggestions, an API change not made), or clients that
  revalidate with `If-None-Match` (304 carries no body; browsers do, neither load tool does).
- **Writes.** A write no longer reads the whole graph again: when it took the store from the revision the
  service held to the next one, the graph after it is the one held with the records it touched read back
  from the store (each touched node and every tie at it, each touched relationship), and anything else
  (another writer in between) reads it whole as before; tests compare it with `store.snapshot()` after
  every kind of write on both stores. Duplicate names are found in an index of name keys kept per record.
  Writes went from about 8 to about 47 a second in that same run (p50 from 4.5 s to 0.4 s). On a
  synthetic country of 0.1M (9,079 nodes, 78,595 relationships) one write through the service, the graph
  after it included, took 0.20 s against 3.2 s for reading the graph again, the same graph record for
  record. What remains per write is the SQLite commit, the policy checks and, at national size, copying
  the graph's two dicts and scanning its ties for the touched ends (linear, but no parsing).
- **The mixed phase at this load is noise.** In the run with `--before 39adbfa` at load 8–10 (a2fb093,
  2026-12-07) that tree's mixed phase was far slower than the code before it (3.8 against 27.4 analyses a
  second); the mixed phase alone again, both trees
  alternating twice (12 s each, load 8–9.5), gave 54.8 then 3.2 for this tree against 25.6 then 4.7 for
  the code before: the graph grows with each round's writes and the machine's other work comes and goes.
- **Under a mixed load every write still throws every answer away.** The cache key holds the revision, so
  each write makes the next request for every analysis compute it again (most of the GIL in the mixed
  phase), and each visibility's view is rebuilt (`visible_graph` for the anonymised view is the costliest);
  analyses share the one GIL with every request thread. The whole graph is still read again there (a
  third of the mixed phase's samples): readers that see the new revision before the writer has put the
  graph after its write in place read it whole themselves, each of them, and the writer's graph is then
  dropped. A reader could instead wait the few milliseconds for a write of this process in flight
  (a condition on the service's lock), and one full read could serve all readers. What would help too:
  answer from the last computed revision while the new one is computed (stale-while-revalidate,
  `X-Graph-Revision` says which),
  analyses in a process pool off the server's GIL, and invalidating only the scopes a write touches.
"""


def _rows(p: dict[str, Any], met: bool | None, code: str) -> list[str]:
    """One run's rows; ``met`` None for the run before (its verdict is not the target's)."""
    base = p["baseline"]["health"]
    cached = p["cached_analyses"]["analyses"]
    writes, mixed = p["writes"]["writes"], p["mixed"]
    verdict = "" if met is None else f"p95 ≤ {TARGET_X_HEALTH:g}× /health, no errors: **{'met' if met else 'MISSED'}** "
    return [
        _row(
            f"{code}GET /health (baseline)", base, f"peer: the service's floor; load {p['baseline']['load_average_1m']}"
        ),
        _row(
            f"{code}cached analyses",
            cached,
            f"{verdict}(p95 {cached['p95_ms'] / max(base['p95_ms'], 0.01):.1f}× baseline); "
            f"load {p['cached_analyses']['load_average_1m']}",
        ),
        _row(f"{code}plain reads", p["reads"]["reads"], f"load {p['reads']['load_average_1m']}"),
        _row(
            f"{code}writes (POST /organisations; {writes['stored']} stored)",
            writes,
            f"{'no errors; ' if met is not None else ''}load {p['writes']['load_average_1m']}",
        ),
        _row(f"{code}mixed: analyses (20 conns)", mixed["analyses"], f"load {mixed['load_average_1m']}"),
        _row(f"{code}mixed: reads (25 conns)", mixed["reads"], "—"),
        _row(f"{code}mixed: writes (5 conns; {mixed['writes']['stored']} stored)", mixed["writes"], "—"),
    ]


def _workers_option(results: dict[str, Any]) -> str:
    workers = int(results.get("workers", 1))
    return f" --workers {workers}" if workers > 1 else ""


def report(results: dict[str, Any]) -> None:
    p = results["phases"]
    before = results.get("before")
    now_code = f"{results['commit']}: " if before else ""
    table = [
        f"Load tool: {results['load_tool']}; {results['connections']} connections, closed loop (each sends its "
        f"next request when the last is answered); {results['seconds_per_phase']:g} s a phase (writes "
        "×4 and bounded in count, mixed ×2). Seed data, embedded store, "
        f"`secgraph serve{_workers_option(results)}` in its own process ({results.get('http', '?')}). "
        "The load column is the machine's 1-minute load average at the end of the phase (2 cores: above 2, "
        "the run shared the CPUs with other work).",
        "",
    ]
    if before:
        table += [
            f"Each phase ran on this tree ({results['commit']}) and then, right after, on the code before the "
            f"change (`{before['commit']}`, served from another tree), against the same machine.",
            "",
        ]
    table += [
        "| phase | p50 ms | p95 ms | p99 ms | req/s | requests | errors | target / peer |",
        "|---|---|---|---|---|---|---|---|",
        *_rows(p, results["met"], now_code),
    ]
    if before:
        table += _rows(before["phases"], None, f"before ({before['commit']}): ")
        ratio = before["phases"]["cached_analyses"]["analyses"]["p95_ms"] / max(
            p["cached_analyses"]["analyses"]["p95_ms"], 0.01
        )
        table += ["", f"Cached analyses, p95 before / after in this run: {ratio:.1f}×."]
    notes = [
        "CPU per answer, milliseconds (the load tool's own process, and the server's processes; both on the "
        "same 2 cores):",
        "",
    ]
    for name, load, title in (
        ("baseline", "health", "GET /health"),
        ("cached_analyses", "analyses", "cached analyses"),
        ("reads", "reads", "plain reads"),
    ):
        notes.append(f"- {title}: {_cpu_per_answer(p[name], load)}")
    notes += ["", "Cold (first, uncached) answer per path, seconds:", ""]
    notes += [f"- `{path}`: {s}" for path, s in results["cold_seconds"].items()]
    costs = results["direct_costs"]
    notes += ["", f"What one write costs, then the next readers (measured directly on the seed data: {costs['seed']}; "]
    notes[-1] += "median seconds):"
    notes += [""] + [f"- {k}: {v}" for k, v in costs["per_write_s"].items()]
    notes += [
        "",
        "What each cache hit pays, one request at a time through the whole app in this process (TestClient), "
        "beside the JSON of the cached result alone (median ms):",
        "",
    ]
    notes += [f"- {k}: {v}" for k, v in costs["per_cache_hit_ms"].items()]
    notes += ["", f"## Where the server's time goes ({results['profiler']})"]
    for name, title in (
        ("baseline", "GET /health"),
        ("cached_analyses", "Cached analyses"),
        ("reads", "Plain reads"),
        ("writes", "Writes"),
        ("mixed", "Mixed load"),
    ):
        notes += _profile_notes(title, p[name]["profile"])
    notes += ["", _findings(p)]
    write_results(NAME, results, table, notes)
    print("\n".join(table))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=15, help="length of each phase")
    p.add_argument("--writes", type=int, default=200, help="writes in the write phase (bounded)")
    p.add_argument("--no-profile", action="store_true", help="do not sample the server with py-spy")
    p.add_argument(
        "--before",
        metavar="TREE",
        help="also serve the code in TREE (say a worktree of the commit before a change: git worktree add "
        "/tmp/before HEAD) and run every phase on it right after this tree's, in the same run",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve with `secgraph serve --workers N` (N worker processes on one store; default 1)",
    )
    p.add_argument(
        "--load-tool",
        choices=("wrk", "httpx"),
        default=None,
        help="what sends the reads: wrk (C, asks for gzip as a browser does; the default when installed) or "
        "the Python client (httpx, which also inflates every answer on the same cores as the server)",
    )
    p.add_argument("--client", help=argparse.SUPPRESS)  # the fallback load tool, run as a child process
    return p


if __name__ == "__main__":
    arguments = parser().parse_args()
    if arguments.client:
        spec = json.loads(arguments.client)
        Path(spec["out"]).write_text(json.dumps(asyncio.run(_client_load(spec))), encoding="utf-8")
    else:
        report(run(arguments))
