"""The API under 50 concurrent clients: latency and throughput of cached analyses, reads and writes.

    .venv/bin/python bench/api_latency.py [--seconds 15] [--writes 200] [--no-profile]

``secgraph serve`` runs in its own process on 127.0.0.1 with the seed data in the embedded store.
The load comes from another process, so the server's GIL is not shared with the clients: Debian's
``wrk`` when installed (``apt-get install wrk``; a Lua script adds the key, rotates the paths,
numbers the writes and stops each thread after its share of writes), else an asyncio httpx client
started as a child process. Every phase is bounded in time (``--seconds``), writes also in count.

Phases, each with 50 connections, reported beside GET /health in the same run (the service's floor:
routing, a store ping, no key, no analysis):

1. cached analyses — every analysis endpoint computed once first (the cold times are reported), then
   only cache hits, since nothing is written; the issue's target: p95 < 50 ms, no errors;
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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/: its modules import each other by name
from neo4j_load import REPO, machine, write_results  # noqa: E402

NAME = "api_latency"
CONNECTIONS = 50
TARGET_P95_MS = 50.0
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

# Lua for wrk. args: mode (get | post), key, writes per thread (0: no bound), id prefix, paths …
# Each thread keeps its answers by status; done() writes one JSON object to $WRK_RESULT.
WRK_SCRIPT = r"""
local threads = {}
local counter = 1
function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  mode = args[1]
  quota = tonumber(args[3])
  prefix = args[4]
  paths = {}
  for i = 5, #args do paths[#paths + 1] = args[i] end
  n = 0
  answered = 0
  statuses = {}
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  if mode == "post" then
    local oid = prefix .. "-" .. id .. "-" .. n
    local body = '{"id":"' .. oid .. '","name":"負荷計測' .. oid ..
      '","sector":"sme","prefecture":"13","source":"bench","as_of":"2026-11"}'
    return wrk.format("POST", paths[1], nil, body)
  end
  return wrk.format("GET", paths[(n % #paths) + 1])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  answered = answered + 1
  if quota > 0 and answered >= quota then wrk.thread:stop() end
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
    """One bounded load: ``connections`` clients on ``paths`` for ``seconds`` (writes: at most ``writes``)."""

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
    ) -> None:
        self.base, self.key, self.paths, self.seconds = base, key, paths, seconds
        self.writes, self.connections, self.prefix = writes, connections, prefix
        self.result_path = folder / f"{prefix}-{time.monotonic_ns()}.json"
        self.folder = folder
        self.tool = "wrk" if shutil.which("wrk") else "httpx (asyncio, separate process)"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Load:
        mode = "post" if self.writes else "get"
        env = {**os.environ, "WRK_RESULT": str(self.result_path)}
        if shutil.which("wrk"):
            threads = 2
            script = self.folder / "load.lua"
            if not script.is_file():  # loads started together share it: never rewritten under a running wrk
                script.write_text(WRK_SCRIPT, encoding="utf-8")
            per_thread = -(-self.writes // threads) if self.writes else 0
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
                mode,
                self.key,
                str(per_thread),
                self.prefix,
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
        assert self._proc is not None
        _, err = self._proc.communicate(timeout=self.seconds + 180)
        if self._proc.returncode != 0 or not self.result_path.is_file():
            raise RuntimeError(f"load tool failed ({self._proc.returncode}): {err.decode(errors='replace')[-2000:]}")
        figures = json.loads(self.result_path.read_text(encoding="utf-8"))
        figures["per_s"] = round(figures["requests"] / figures["seconds"], 1) if figures["seconds"] else 0.0
        figures["error_count"] = sum(figures["errors"].values())
        figures["tool"] = self.tool
        figures["paths"] = list(self.paths)
        return figures

    def run(self) -> dict[str, Any]:
        return self.start().wait()


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

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=spec["base"], headers=headers, timeout=120) as http:
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

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(spec["connections"])))
    seconds = time.perf_counter() - started
    return {
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
    """``secgraph serve`` on 127.0.0.1 over a copy of the seed data, with one admin key."""

    def __init__(self, folder: Path) -> None:
        from secgraph.access import KeyStore
        from secgraph.io.importer import load
        from secgraph.store.embedded import EmbeddedStore
        from tests.neo4j_server import free_port

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
        self.log = (folder / "server.log").open("wb")
        self.proc = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}{BASELINE}", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("secgraph serve exited before answering")
            time.sleep(0.2)
        raise RuntimeError("secgraph serve did not answer within 120 s")

    def warm(self, paths: tuple[str, ...]) -> dict[str, float]:
        """Each path asked until it answers 200 (a slow analysis answers 503 'still computing'); the
        seconds each took cold."""
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
    """Which package a frame's file belongs to: secgraph, a site package, or the standard library module."""
    if "site-packages/" in path:
        return path.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/secgraph/" in path:
        return "secgraph"
    if "/lib/python3" in path:
        return "stdlib " + path.split("/lib/python3")[1].split("/")[1].removesuffix(".py")
    return path or "?"


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
        seen = {f"{name} ({where.split('/work/main/')[-1]})" for name, where in frames if "/secgraph/" in where}
        for name in seen:
            if "cli.py" not in name:
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


def per_revision_costs(repeat: int = 3) -> dict[str, float]:
    """What one write brings on for the next readers, measured here on the seed data: the graph
    read again, each visibility's view rebuilt, each analysis computed again (median seconds)."""
    from seed_analyses import ANALYSES as ANALYSIS_FUNCTIONS
    from seed_analyses import median_seconds

    from secgraph.access import Visibility, visible_graph
    from secgraph.api.queries import GraphView
    from secgraph.io.importer import load
    from secgraph.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        load(store, REPO / "seed_data", progress=False)
        costs = {"store.snapshot() (whole graph read)": median_seconds(store.snapshot, repeat)}
        data = store.snapshot()
        store.close()
    key = b"benchmark-pseudonym-key-32-bytes"
    for visibility in Visibility:
        costs[f"view {visibility.value} (visible_graph + GraphView)"] = median_seconds(
            lambda v=visibility: GraphView(0, visible_graph(data, v, key)), repeat
        )
    for name, analysis in ANALYSIS_FUNCTIONS.items():
        costs[f"analysis {name}"] = median_seconds(lambda f=analysis: f(data), repeat)
    return {k: round(v, 4) for k, v in costs.items()} | {
        "nodes": len(data.nodes),
        "relationships": len(data.relationships),
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
            + [str(max(1, int(seconds))), "--format", "raw", "--output", str(raw), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    for load in loads.values():
        load.start()
    figures: dict[str, Any] = {name: load.wait() for name, load in loads.items()}
    if sampler is None:
        figures["profile"] = {"error": "py-spy not found (pip install py-spy, or set PY_SPY)" if profile else "off"}
        return figures
    _, err = sampler.communicate(timeout=seconds + 60)
    if raw.is_file():
        figures["profile"] = summarise_profile(raw, seconds, rate)
    else:
        figures["profile"] = {"error": err.decode(errors="replace")[-1000:]}
    return figures


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The phases against one server; the figures."""
    seconds = float(getattr(args, "seconds", 15))
    writes = int(getattr(args, "writes", 200))
    profile = not getattr(args, "no_profile", False)
    results: dict[str, Any] = {
        "title": "API latency under 50 concurrent clients / 同時50クライアントでのAPI応答時間",
        "machine": machine(),
        "connections": CONNECTIONS,
        "seconds_per_phase": seconds,
        "profiler": "py-spy record --gil: samples only the thread holding the GIL, i.e. where the CPU goes",
    }
    with tempfile.TemporaryDirectory(prefix="secgraph-bench-api-") as name:
        folder = Path(name)
        server = Server(folder)

        def load(paths: tuple[str, ...], **options: Any) -> Load:
            return Load(server.base, server.key, paths, options.pop("seconds", seconds), folder=folder, **options)

        try:
            server.wait_ready()
            results["load_tool"] = load((BASELINE,)).tool
            phases: dict[str, Any] = {}
            phases["baseline"] = phase(server, folder, {"health": load((BASELINE,))}, seconds, profile)
            results["cold_seconds"] = server.warm(ANALYSES + READS)
            phases["cached_analyses"] = phase(server, folder, {"analyses": load(ANALYSES)}, seconds, profile)
            phases["reads"] = phase(server, folder, {"reads": load(READS)}, seconds, profile)
            writing = load((WRITE_PATH,), seconds=seconds * 4, writes=writes, prefix="bench-w")
            phases["writes"] = phase(server, folder, {"writes": writing}, seconds * 4, profile)
            phases["writes"]["writes"]["stored"] = server.count_written("bench-w-")
            mix = {
                "analyses": load(ANALYSES, connections=20, seconds=seconds * 2),
                "reads": load(READS, connections=25, seconds=seconds * 2),
                "writes": load((WRITE_PATH,), connections=5, writes=100, prefix="bench-m", seconds=seconds * 2),
            }
            phases["mixed"] = phase(server, folder, mix, seconds * 2, profile)
            phases["mixed"]["writes"]["stored"] = server.count_written("bench-m-")
            results["phases"] = phases
        finally:
            server.stop()
    results["per_revision_costs_s"] = per_revision_costs()
    cached = results["phases"]["cached_analyses"]["analyses"]
    results["met"] = cached["p95_ms"] < TARGET_P95_MS and cached["error_count"] == 0
    return results


def _row(label: str, f: dict[str, Any], target: str) -> str:
    errors = f["error_count"]
    detail = " (" + ", ".join(f"{k} {v}" for k, v in f["errors"].items() if v) + ")" if errors else ""
    return (
        f"| {label} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | {f['per_s']} | {f['requests']:,} | "
        f"{errors}{detail} | {target} |"
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


def report(results: dict[str, Any]) -> None:
    p = results["phases"]
    base = p["baseline"]["health"]
    cached = p["cached_analyses"]["analyses"]
    verdict = "met" if results["met"] else "MISSED"
    writes, mixed = p["writes"]["writes"], p["mixed"]
    table = [
        f"Load tool: {results['load_tool']}; {results['connections']} connections, closed loop (each sends its "
        f"next request when the last is answered); {results['seconds_per_phase']:g} s a phase (writes "
        "×4 and bounded in count, mixed ×2). Seed data, embedded store, `secgraph serve` in its own process.",
        "",
        "| phase | p50 ms | p95 ms | p99 ms | req/s | requests | errors | target / peer |",
        "|---|---|---|---|---|---|---|---|",
        _row("GET /health (baseline)", base, "peer: the service's floor"),
        _row(
            "cached analyses",
            cached,
            f"p95 < {TARGET_P95_MS:g} ms, no errors: **{verdict}** "
            f"(p95 {cached['p95_ms'] / max(base['p95_ms'], 0.01):.1f}× baseline)",
        ),
        _row("plain reads", p["reads"]["reads"], "—"),
        _row(f"writes (POST /organisations; {writes['stored']} stored)", writes, "no errors"),
        _row("mixed: analyses (20 conns)", mixed["analyses"], "—"),
        _row("mixed: reads (25 conns)", mixed["reads"], "—"),
        _row(f"mixed: writes (5 conns; {mixed['writes']['stored']} stored)", mixed["writes"], "—"),
    ]
    notes = ["Cold (first, uncached) answer per path, seconds:", ""]
    notes += [f"- `{path}`: {s}" for path, s in results["cold_seconds"].items()]
    notes += ["", "What one write costs the next readers (measured directly on the seed data, median seconds):", ""]
    notes += [f"- {k}: {v}" for k, v in results["per_revision_costs_s"].items()]
    notes += ["", f"## Where the server's time goes ({results['profiler']})"]
    for name, title in (
        ("baseline", "GET /health"),
        ("cached_analyses", "Cached analyses"),
        ("reads", "Plain reads"),
        ("writes", "Writes"),
        ("mixed", "Mixed load"),
    ):
        notes += _profile_notes(title, p[name]["profile"])
    write_results(NAME, results, table, notes)
    print("\n".join(table))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=15, help="length of each phase")
    p.add_argument("--writes", type=int, default=200, help="writes in the write phase (bounded)")
    p.add_argument("--no-profile", action="store_true", help="do not sample the server with py-spy")
    p.add_argument("--client", help=argparse.SUPPRESS)  # the fallback load tool, run as a child process
    return p


if __name__ == "__main__":
    arguments = parser().parse_args()
    if arguments.client:
        spec = json.loads(arguments.client)
        Path(spec["out"]).write_text(json.dumps(asyncio.run(_client_load(spec))), encoding="utf-8")
    else:
        report(run(arguments))
