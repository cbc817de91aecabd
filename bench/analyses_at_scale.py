"""Issue 8, measures 1 and 2: the analysis suite at national size, sampled against exact betweenness, and growth.

    .venv/bin/python bench/analyses_at_scale.py [--sizes S,0.01M,0.03M,0.1M,M,L] [--budget-s 60]
        [--generation-budget-s 120] [--memory-cap-gb 8] [--profile 0.03M] [--skip-betweenness] [--report-only]

Every measurement runs in a child process of its own (this file with ``--child``), started fresh so
that its peak memory is its own: the child reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after
each step into a progress file, and the parent samples its resident memory with psutil, stops it
(by its pid) when a budget or the memory cap is passed, and reports "not reached within N s" — never
hangs. Budgets: ``--generation-budget-s`` for building the graph (``--l-generation-budget-s`` for L,
which takes minutes), then ``--budget-s`` for the measured analysis.

1. **The suite** (every community's stage, missing sectors and health; every prefecture's and
   region's isolation; national key persons — each of the five national calls the API makes), each
   analysis on its own graph in its own child, beside the actor network every one of them builds
   (the baseline). Target on M (issue 13): all five within 30 s together, peak memory at most 3 GB.
2. **Growth**: each analysis on a ladder of sizes (default S, 0.01M, 0.03M, 0.1M, M, L), stopping at
   the first size it does not finish in its budget; the time and peak memory of generation (S: the
   importer and ``snapshot()``) and of the actor network (the fixed analysis: every analysis pays
   for it) at every size. Growth exponent: least squares of log(time) on log(relationships) over the
   synthetic sizes reached (S has another shape and fixed costs that flatten the fit; the fit with S
   is given beside). Target ≤ 1.2. An analysis that misses M is extrapolated to M from its own
   exponent, labelled as such.
3. **Sampled against exact betweenness**: the actor network of one MIC area with 5,000–10,000
   actors (the smallest such area) of ``--betweenness-size`` (default 0.3M: exact betweenness is
   affordable there). The product's function (``sampled_betweenness``: KADABRA's path sampling,
   error 0.01, seed 0) against python-igraph's exact betweenness on the same graph in the same run:
   overlap of the top 50 (target ≥ 0.9) and time (target: faster). networkx's sampled sources (the
   product's method before issue 8) are timed on ``--nx-sources`` sources and scaled (the cost is
   linear in the sources); the same estimator with 2,000 and fewer sources on igraph's kernel (the
   product's method before issue 13) is timed beside.

Results: ``bench/results/at_scale.json`` and ``at_scale.md``; ``--profile SIZE`` adds a cProfile of
each analysis at SIZE (``profile_<analysis>_<size>.txt``).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import importlib.metadata as md
import io
import json
import math
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
for _folder in (str(REPO), str(BENCH)):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)

import synthetic  # noqa: E402  (bench/synthetic.py)

from secgraph.model.graph import GraphData  # noqa: E402

NAME = "at_scale"
TARGET_SUITE_S = 30.0
TARGET_SUITE_MB = 3072.0
TARGET_OVERLAP = 0.9
TARGET_EXPONENT = 1.2
TOP = 50

BASELINE = "actor_network"
#: The five national analyses of the suite (slugs of ``secgraph.analysis.registry``), in the order they
#: run together.
SUITE = ("stage", "missing-sectors", "health", "isolated-regions", "key-persons")
#: The five one after another in one process sharing what they build (``shared_inputs``), as the API runs
#: them on one revision of the graph: measure 1 itself.
TOGETHER = "the_five_together"
DEFAULT_SIZES = "S,0.01M,0.03M,0.1M,M,L"


def _analysis(name: str) -> Callable[[GraphData], Any]:
    """The national call of an analysis, as the API makes it: its registry entry with its default
    parameters (the whole country, now); or the baseline, the actor network."""
    from secgraph.analysis.network import actor_network
    from secgraph.analysis.registry import ANALYSES

    if name == BASELINE:
        return actor_network
    analysis = ANALYSES[name]
    parameters = analysis.parameters_of()
    return lambda data: analysis.run(data, parameters)


# ---------------------------------------------------------------------------------------------- the machine


def machine() -> dict[str, Any]:
    """Platform, CPUs, memory, Python and library versions, and the load when the run began (shared machine)."""
    import psutil

    versions = {}
    for package in ("networkx", "python-igraph", "networkit", "scipy", "numpy", "pydantic", "psutil"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[package] = md.version(package)
    return {
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "available_gib_at_start": round(psutil.virtual_memory().available / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": versions,
        "date": dt.date.today().isoformat(),
    }


def machine_line(m: dict[str, Any]) -> str:
    return (
        f"{m['platform']}, {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB "
        f"({m['available_gib_at_start']} GiB free at start, load {m['load_average_at_start'][0]}), "
        f"Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + f"; {m['date']}"
    )


# ---------------------------------------------------------------------------------------------- children


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


class Progress:
    """The child's side: one JSON line per step, flushed at once so a stopped child leaves what it did."""

    def __init__(self, path: Path):
        self.path = path

    def note(self, event: str, **fields: Any) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"event": event, "maxrss_mb": _maxrss_mb(), **fields}) + "\n")


def _cpu_s() -> float:
    """CPU seconds this process and its finished children have used: on a shared machine the wall time
    also counts the waits for a core, the CPU time does not."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _generated(spec: dict[str, Any], progress: Progress) -> GraphData:
    import secgraph.analysis  # noqa: F401  (loaded before the baseline, so it counts no data)

    progress.note("started", rss_mb=_rss_mb())
    started = time.perf_counter()
    data = synthetic.generate(spec["size"], spec.get("seed", 0))
    progress.note(
        "generated",
        seconds=round(time.perf_counter() - started, 3),
        relationships=len(data.relationships),
        nodes=len(data.nodes),
        rss_mb=_rss_mb(),
    )
    return data


def co_event_pairs(data: GraphData) -> int:
    """How many pairs of actors share an event, counted once per event (Σ k(k−1)/2 over the events' and
    series' parts, a series' parts counted in each edition too): the ties ``actor_network`` makes one by one."""
    from secgraph.analysis.network import EVENT_PARTS
    from secgraph.model.records import Event

    parts: dict[str, set[str]] = {}
    for rel in data.relationships.values():
        if rel.type in EVENT_PARTS:
            parts.setdefault(rel.to_id, set()).add(rel.from_id)
    series_of = {n.id: n.series_id for n in data.nodes.values() if isinstance(n, Event) and n.series_id}
    total = 0
    for target in {*parts, *series_of}:  # as actor_network: every event and series with parts
        k = len(parts.get(target, set()) | parts.get(series_of.get(target, ""), set()))
        total += k * (k - 1) // 2
    return total


def _child_analysis(spec: dict[str, Any], progress: Progress) -> None:
    """Generate, then run one analysis; again while it is cheap (median of up to ``repeat``)."""
    data = _generated(spec, progress)
    if spec["analysis"] == BASELINE:
        progress.note("pairs", co_event_pairs=co_event_pairs(data))
    run = _analysis(spec["analysis"])
    timings: list[float] = []
    cpu: list[float] = []
    extra: dict[str, Any] = {}
    while True:
        started, used = time.perf_counter(), _cpu_s()
        result = run(data)
        timings.append(round(time.perf_counter() - started, 4))
        cpu.append(round(_cpu_s() - used, 3))
        if spec["analysis"] == BASELINE:
            extra = {"network_nodes": result.number_of_nodes(), "network_edges": result.number_of_edges()}
        del result
        if len(timings) >= spec.get("repeat", 1) or sum(timings) > spec.get("cheap_s", 5.0):
            break
    progress.note(
        "ran", seconds=timings, median_s=statistics.median(timings), cpu_median_s=statistics.median(cpu), **extra
    )


def _child_together(spec: dict[str, Any], progress: Progress) -> None:
    """Generate, then the five national analyses in one process inside one ``shared_inputs`` block, so the
    snapshot, tie index and actor network are built once (by the first) and shared: each one's time, in
    order, and the total."""
    from secgraph.analysis.network import shared_inputs

    data = _generated(spec, progress)
    parts: dict[str, float] = {}
    cpu_parts: dict[str, float] = {}
    started, used = time.perf_counter(), _cpu_s()
    with shared_inputs():
        for name in SUITE:
            began, began_cpu = time.perf_counter(), _cpu_s()
            _analysis(name)(data)
            parts[name] = round(time.perf_counter() - began, 3)
            cpu_parts[name] = round(_cpu_s() - began_cpu, 3)
            progress.note(f"ran_{name}", seconds=parts[name], cpu_s=cpu_parts[name])
    total, total_cpu = round(time.perf_counter() - started, 3), round(_cpu_s() - used, 3)
    progress.note("ran", seconds=[total], median_s=total, cpu_median_s=total_cpu, parts=parts, cpu_parts=cpu_parts)


def _child_profile(spec: dict[str, Any], progress: Progress) -> None:
    """cProfile of one analysis: the functions by own time and by cumulative time."""
    data = _generated(spec, progress)
    run = _analysis(spec["analysis"])
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    run(data)
    profile.disable()
    seconds = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(35)
    text = out.getvalue().replace(str(REPO) + "/", "").replace(sys.prefix + "/", "")
    Path(spec["out"]).write_text(text, encoding="utf-8")
    progress.note("ran", seconds=[round(seconds, 3)], median_s=round(seconds, 3), profiled=True)


def _child_betweenness(spec: dict[str, Any], progress: Progress) -> None:
    from secgraph.analysis.network import Scope, actor_network

    data = _generated(spec, progress)
    region, actors = pick_region(data, spec.get("min_actors", 5000), spec.get("max_actors", 10000))
    started = time.perf_counter()
    graph = actor_network(data, Scope(region=region))
    network_s = time.perf_counter() - started
    del data
    progress.note(
        "network",
        region=region,
        actors_located=actors,
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        seconds=round(network_s, 3),
    )
    progress.note("ran", **compare_betweenness(graph, spec, progress))


CHILD_TASKS: dict[str, Callable[[dict[str, Any], Progress], None]] = {
    "analysis": _child_analysis,
    "together": _child_together,
    "profile": _child_profile,
    "betweenness": _child_betweenness,
}


def run_child(
    spec: dict[str, Any], *, generation_budget_s: float, budget_s: float, memory_cap_mb: float
) -> dict[str, Any]:
    """Run ``spec`` in a fresh child; stop it when a budget or the memory cap is passed.

    Returns the child's progress lines under ``steps`` (``generated``, ``ran``, …), ``status`` (ok,
    timeout_generation, timeout, memory, error), the wall time and the peak resident memory sampled
    by psutil (the child's own ``maxrss_mb`` in each step is exact; the sample is the fallback when
    the child was stopped).
    """
    import psutil

    with tempfile.TemporaryDirectory(prefix="secgraph-bench-") as folder:
        progress = Path(folder) / "progress.jsonl"
        progress.touch()
        command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec), "--progress"]
        errors = (Path(folder) / "stderr.txt").open("wb")
        started = time.monotonic()
        child = subprocess.Popen([*command, str(progress)], stdout=subprocess.DEVNULL, stderr=errors)
        watched = psutil.Process(child.pid)
        peak, status, generated_at = 0.0, "ok", None
        while child.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, watched.memory_info().rss / 2**20)
            now = time.monotonic()
            if generated_at is None and '"generated"' in progress.read_text(encoding="utf-8"):
                generated_at = now
            if peak > memory_cap_mb:
                status = "memory"
            elif generated_at is None and now - started > generation_budget_s:
                status = "timeout_generation"
            elif generated_at is not None and now - generated_at > budget_s:
                status = "timeout"
            if status != "ok":
                child.kill()  # only this child, by its own pid
                break
            time.sleep(0.1)
        child.wait()
        wall = time.monotonic() - started
        errors.close()
        stderr = (Path(folder) / "stderr.txt").read_bytes()
        steps = [json.loads(line) for line in progress.read_text(encoding="utf-8").splitlines() if line.strip()]
    if status == "ok" and child.returncode != 0:
        status = "error"
    return {
        "spec": spec,
        "status": status,
        "wall_s": round(wall, 2),
        "peak_rss_mb_sampled": round(peak, 1),
        "steps": {step["event"]: step for step in steps},
        "error": stderr.decode(errors="replace")[-2000:] if status == "error" else None,
    }


# ---------------------------------------------------------------------------------------------- betweenness


def pick_region(data: GraphData, min_actors: int, max_actors: int) -> tuple[str, int]:
    """The MIC area with the fewest actors located in it that still has at least ``min_actors``
    (and at most ``max_actors``); when none fits, the one nearest the range."""
    from secgraph.analysis.network import in_region, prefectures_by_actor
    from secgraph.model import geography

    located = prefectures_by_actor(data)
    counts = {
        r.code: sum(1 for codes in located.values() if any(in_region(p, r.code) for p in codes))
        for r in geography.regions()
        if r.kind == "mic"
    }
    fitting = sorted((n, code) for code, n in counts.items() if min_actors <= n <= max_actors)
    if fitting:
        n, code = fitting[0]
    else:
        n, code = min((abs(n - min_actors), code) for code, n in counts.items())
        n = counts[code]
    return code, n


def top(values: dict[Any, float], k: int = TOP) -> list[Any]:
    """The ``k`` highest, ties by id."""
    return sorted(values, key=lambda v: (-values[v], str(v)))[:k]


def overlap(a: Sequence[Any], b: Sequence[Any]) -> float:
    return round(len(set(a) & set(b)) / max(1, min(len(a), len(b))), 3)


def igraph_sampled(g: Any, sources: list[int], n: int) -> list[float]:
    """networkx's sampled normalised betweenness (3.x, endpoints excluded) from igraph's subset kernel.

    igraph's ``betweenness(sources=S)`` on an undirected graph is half the sum over s ∈ S of the
    dependencies δ_s(v); networkx scales that sum by 1/((k−1)(n−2)) for a sampled source and by
    1/(k(n−2)) for any other node.
    """
    raw = g.betweenness(directed=False, sources=sources)
    k, chosen = len(sources), set(sources)
    return [2 * x / ((k - 1 if i in chosen else k) * (n - 2)) for i, x in enumerate(raw)]


#: The sources the product sampled on igraph's kernel before it estimated betweenness with KADABRA.
SOURCES_BEFORE = 1000


def compare_betweenness(graph: Any, spec: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Exact (igraph) against the product's sampled method (networkx) and the same estimator in igraph."""
    import igraph
    import networkx as nx

    from secgraph.analysis.measures import BETWEENNESS_ERROR, sampled_betweenness

    nodes = list(graph)
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    started = time.perf_counter()
    g = igraph.Graph(n=n, edges=[(index[a], index[b]) for a, b in graph.edges()])
    convert_s = time.perf_counter() - started
    started = time.perf_counter()
    exact_raw = g.betweenness(directed=False)
    exact_s = time.perf_counter() - started
    exact = {nodes[i]: 2 * x / ((n - 1) * (n - 2)) for i, x in enumerate(exact_raw)}  # networkx's normalisation
    exact_top = top(exact)
    progress.note("exact", seconds=round(exact_s, 3))

    # networkx's own estimator (the product's method before issue 8), timed on a few sources and scaled;
    # the same sample in igraph gives the same values.
    few = spec.get("nx_sources", 40)
    started = time.perf_counter()
    nx_few = nx.betweenness_centrality(graph, k=few, normalized=True, seed=0)
    nx_few_s = time.perf_counter() - started
    few_sources = [index[v] for v in random.Random(0).sample(nodes, few)]  # networkx's own draw for seed 0
    ig_few = igraph_sampled(g, few_sources, n)
    agreement = max(abs(nx_few[v] - ig_few[index[v]]) for v in nodes)
    started = time.perf_counter()
    product_values = sampled_betweenness(graph)  # the product's function itself, as key persons call it
    product_s = time.perf_counter() - started
    product: dict[str, Any] = {
        "error": BETWEENNESS_ERROR,
        "seconds": round(product_s, 3),
        "top50_overlap": overlap(top(product_values), exact_top),
        "networkx_seconds_per_source": round(nx_few_s / few, 4),
        "networkx_sources_estimated": SOURCES_BEFORE,
        "networkx_seconds_estimated": round(nx_few_s / few * SOURCES_BEFORE, 1),
        "networkx_sources_timed": few,
        "networkx_vs_igraph_max_abs_difference": agreement,
    }
    progress.note("product", seconds=round(product_s, 3))

    estimators = []
    for sources_k in spec.get("ks", [2000, 1000, 500, 250]):
        if sources_k >= n:
            continue
        sample = [index[v] for v in random.Random(0).sample(nodes, sources_k)]
        started = time.perf_counter()
        values = igraph_sampled(g, sample, n)
        seconds = time.perf_counter() - started
        estimate = {nodes[i]: x for i, x in enumerate(values)}
        estimators.append(
            {
                "sources": sources_k,
                "igraph_seconds": round(seconds, 3),
                "top50_overlap": overlap(top(estimate), exact_top),
            }
        )
        progress.note("igraph_sampled", sources=sources_k, seconds=round(seconds, 3))
    return {
        "nodes": n,
        "edges": graph.number_of_edges(),
        "igraph_convert_seconds": round(convert_s, 3),
        "igraph_exact_seconds": round(exact_s, 3),
        "product": product,
        "igraph_sampled": estimators,
    }


# ---------------------------------------------------------------------------------------------- growth


def fit_exponent(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) on log(x): the growth exponent (None with fewer than two sizes)."""
    usable = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({x for x, _ in usable}) < 2:
        return None
    mean_x = statistics.fmean(x for x, _ in usable)
    mean_y = statistics.fmean(y for _, y in usable)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in usable) / sum((x - mean_x) ** 2 for x, _ in usable)
    return round(slope, 2)


def _figure(run: dict[str, Any]) -> dict[str, Any]:
    """One child's figures: generation, the analysis (or why it was not reached), memory."""
    steps = run["steps"]
    generated, ran = steps.get("generated"), steps.get("ran")
    maxrss = max((s.get("maxrss_mb", 0.0) for s in steps.values()), default=0.0)
    base = steps["started"]["rss_mb"] if "started" in steps else 0.0
    peak = maxrss if ran else max(maxrss, run["peak_rss_mb_sampled"])
    return {
        "status": run["status"],
        "relationships": generated["relationships"] if generated else None,
        "generation_s": generated["seconds"] if generated else None,
        "base_mb": base,
        "graph_mb": round(generated["rss_mb"] - base, 1) if generated else None,
        "seconds": ran["median_s"] if ran else None,
        "cpu_seconds": ran.get("cpu_median_s") if ran else None,
        "cpu_parts": ran.get("cpu_parts") if ran else None,
        "repeats": len(ran["seconds"]) if ran else 0,
        "peak_mb": peak,
        "net_peak_mb": round(max(peak - base, 0.0), 1),
        "co_event_pairs": steps["pairs"]["co_event_pairs"] if "pairs" in steps else None,
        "network": {"nodes": ran["network_nodes"], "edges": ran["network_edges"]}
        if ran and "network_nodes" in ran
        else None,
        "parts": ran.get("parts") if ran else {n: steps[f"ran_{n}"]["seconds"] for n in SUITE if f"ran_{n}" in steps},
        "wall_s": run["wall_s"],
        "after_generation_s": round(run["wall_s"] - generated["seconds"], 1) if generated else None,
        "error": run["error"],
    }


def ladder(args: argparse.Namespace, sizes: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """analysis → size → figures. An analysis stops at the first size it misses; the baseline (the
    fixed analysis of the growth figure) runs at every size, so every size's generation is measured."""
    figures: dict[str, dict[str, dict[str, Any]]] = {}
    cap_mb = args.memory_cap_gb * 1024
    for name in (BASELINE, TOGETHER, *SUITE):
        figures[name] = {}
        missed = None
        for size in sizes:
            if missed and name != BASELINE:
                figures[name][size] = {"status": "skipped", "after": missed}
                continue
            chosen = args.alone_sizes if name in SUITE else args.together_sizes if name == TOGETHER else ""
            if chosen and size not in chosen.split(","):
                figures[name][size] = {"status": "not run"}
                continue
            spec = {"task": "together" if name == TOGETHER else "analysis", "size": size, "seed": args.seed}
            spec |= {"analysis": name, "repeat": args.repeat, "cheap_s": args.cheap_s}
            generation_budget = args.l_generation_budget_s if size.upper() == "L" else args.generation_budget_s
            budget = args.suite_budget_s if name == TOGETHER else args.budget_s
            run = run_child(spec, generation_budget_s=generation_budget, budget_s=budget, memory_cap_mb=cap_mb)
            figures[name][size] = _figure(run)
            print(f"[at_scale] {name} {size}: {figure_text(figures[name][size], args)}", file=sys.stderr, flush=True)
            if run["status"] != "ok":
                missed = size
    return figures


def _points(figures: dict[str, dict[str, Any]], key: str, with_seed: bool) -> list[tuple[float, float]]:
    return [
        (f["relationships"], f[key])
        for size, f in figures.items()
        if f.get("status") == "ok"
        and f.get(key)
        and f.get("relationships")
        and (with_seed or size.upper() != "S")
        and size.upper() != "L"  # the target is growth S → M; M → L is reported on its own
    ]


def _m_to_l(figures: dict[str, dict[str, Any]], key: str) -> float | None:
    """The exponent from M to L alone (both finished): the slope of log(``key``) on log(relationships)."""
    m, big = figures.get("M") or {}, figures.get("L") or {}
    if not all(f.get("status") == "ok" and f.get(key) and f.get("relationships") for f in (m, big)):
        return None
    slope = math.log(big[key] / m[key]) / math.log(big["relationships"] / m["relationships"])
    return round(slope, 2)


def growth(figures: dict[str, dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    """The exponent of ``key`` against relationships over the sizes finished up to M: synthetic ones only, and
    with S; and from M to L when both finished."""
    return {
        "exponent": fit_exponent(_points(figures, key, with_seed=False)),
        "exponent_with_S": fit_exponent(_points(figures, key, with_seed=True)),
        "sizes": len(_points(figures, key, with_seed=False)),
        "exponent_M_to_L": _m_to_l(figures, key),
    }


def extrapolate(
    figures: dict[str, dict[str, Any]], key: str, exponent: float | None, relationships: int
) -> float | None:
    """``key`` at ``relationships``, from the largest synthetic size finished and the exponent."""
    reached = _points(figures, key, with_seed=False)
    if not reached or exponent is None:
        return None
    x, y = max(reached)
    return round(y * (relationships / x) ** exponent, 1)


def _base(figures: dict[str, dict[str, Any]]) -> float:
    """The interpreter and libraries before any data (median over the children)."""
    bases = [f["base_mb"] for f in figures.values() if f.get("base_mb")]
    return statistics.median(bases) if bases else 0.0


def _plus(value: float | None, more: float) -> float | None:
    return None if value is None else round(value + more, 1)


def generation(figures: dict[str, dict[str, dict[str, Any]]], sizes: list[str]) -> dict[str, dict[str, Any]]:
    """Per size, building the graph (S: the importer and ``snapshot()``): the median over every child that
    built it, and the resident memory of the graph alone."""
    table: dict[str, dict[str, Any]] = {}
    for size in sizes:
        built = [by_size[size] for by_size in figures.values() if (by_size.get(size) or {}).get("generation_s")]
        if built:
            table[size] = {
                "status": "ok",
                "relationships": built[0]["relationships"],
                "seconds": statistics.median(f["generation_s"] for f in built),
                "peak_mb": statistics.median(f["graph_mb"] for f in built),
                "runs": len(built),
            }
        else:
            table[size] = dict(figures[BASELINE].get(size) or {"status": "not run"})
    return table


def _reference_relationships(figures: dict[str, dict[str, dict[str, Any]]]) -> int:
    """M's relationships as generated in this run (or, when M was not generated, M's design figure)."""
    for by_size in figures.values():
        if (by_size.get("M") or {}).get("relationships"):
            return by_size["M"]["relationships"]
    return 600_000


def tried_at(figure: dict[str, Any]) -> bool:
    """Whether a run was started for this figure (it may have missed its budget or cap)."""
    return figure.get("status") not in ("not run", "skipped")


def figures_at(results: dict[str, Any], size: str) -> dict[str, dict[str, Any]]:
    """The baseline and each of the five alone at ``size``: its figure, or "not run"."""
    return {name: results["figures"][name].get(size) or {"status": "not run"} for name in (BASELINE, *SUITE)}


def suite_on_m(figures: dict[str, dict[str, dict[str, Any]]], grown: dict[str, Any]) -> dict[str, Any]:
    """Measure 1: the five analyses on M in one process sharing their inputs (``TOGETHER``): its time and
    peak memory. When it did not finish, the five run alone are summed from their figures and
    extrapolations (each alone builds its own inputs, so the sum is an upper bound)."""
    together = figures.get(TOGETHER, {}).get("M") or {"status": "not run"}
    reached = together.get("status") == "ok"
    tried = tried_at(together)
    rows = {name: figures[name].get("M") or {"status": "not run"} for name in SUITE}
    seconds = [r["seconds"] if r.get("status") == "ok" else grown[n]["extrapolated_M_s"] for n, r in rows.items()]
    memory = [r["peak_mb"] if r.get("status") == "ok" else grown[n]["extrapolated_M_mb"] for n, r in rows.items()]
    return {
        "reached": reached,
        "seconds": together["seconds"] if reached else None,
        "cpu_seconds": together.get("cpu_seconds") if reached else None,
        "cpu_parts": together.get("cpu_parts") or {},
        "peak_mb": together["peak_mb"] if reached else None,
        "parts": together.get("parts") or {},
        "status": together.get("status"),
        "seconds_estimated": None if reached or None in seconds else round(sum(seconds), 1),
        "peak_mb_estimated": None if reached or None in memory else round(max(memory), 1),
        "met_time": (reached and together["seconds"] <= TARGET_SUITE_S) if tried else None,
        "met_memory": (reached and together["peak_mb"] <= TARGET_SUITE_MB) if tried else None,
    }


# ---------------------------------------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of measures 1 and 2, with the machine; see the module's docstring."""
    defaults = vars(parser().parse_args([]))
    for option, default in defaults.items():
        if not hasattr(args, option):
            setattr(args, option, default)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    results: dict[str, Any] = {
        "title": "Analyses at national scale and their growth / 全国規模での分析と規模に対する伸び",
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "options": {
            k: v for k, v in vars(args).items() if k in defaults and k not in ("child", "progress", "report_only")
        },
        "sizes": sizes,
        "targets": {
            "suite_s": TARGET_SUITE_S,
            "suite_mb": TARGET_SUITE_MB,
            "top50_overlap": TARGET_OVERLAP,
            "growth_exponent": TARGET_EXPONENT,
        },
    }
    started = time.perf_counter()
    results["construct_vs_validate"] = synthetic.construct_vs_validate(0.05, args.seed)
    print(f"[at_scale] construct vs validate: {results['construct_vs_validate']}", file=sys.stderr, flush=True)
    figures = ladder(args, sizes)
    results["figures"] = figures
    results["generation"] = generation(figures, sizes)
    results["generation_growth"] = {
        "time": growth(results["generation"]),
        "memory": growth(results["generation"], "peak_mb"),
    }
    reference = _reference_relationships(figures)
    results["growth"] = {}
    for name, by_size in figures.items():
        time_growth, memory_growth = growth(by_size), growth(by_size, "net_peak_mb")
        finished_m = (by_size.get("M") or {}).get("status") == "ok"
        results["growth"][name] = {
            "time": time_growth,
            "cpu": growth(by_size, "cpu_seconds"),
            "memory": memory_growth,
            "extrapolated_M_s": None
            if finished_m
            else extrapolate(by_size, "seconds", time_growth["exponent"], reference),
            "extrapolated_M_mb": None
            if finished_m
            else _plus(extrapolate(by_size, "net_peak_mb", memory_growth["exponent"], reference), _base(by_size)),
        }
    results["suite_M"] = suite_on_m(figures, results["growth"])
    if not args.skip_betweenness:
        spec = {"task": "betweenness", "size": args.betweenness_size, "seed": args.seed, "nx_sources": args.nx_sources}
        child = run_child(
            spec,
            generation_budget_s=args.generation_budget_s,
            budget_s=args.betweenness_budget_s,
            memory_cap_mb=args.memory_cap_gb * 1024,
        )
        results["betweenness"] = {
            "status": child["status"],
            "size": args.betweenness_size,
            **(child["steps"].get("network") or {}),
            **(child["steps"].get("ran") or {}),
            "error": child["error"],
        }
        print(f"[at_scale] betweenness: {child['status']}", file=sys.stderr, flush=True)
    if args.profile:
        results["profiles"] = profiles(args, args.profile)
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def profiles(args: argparse.Namespace, size: str) -> dict[str, Any]:
    """cProfile of the baseline and each suite analysis at ``size`` (files in bench/results/)."""
    found = {}
    for name in (BASELINE, *SUITE):
        out = RESULTS / f"profile_{name}_{size.replace('/', '_')}.txt"
        spec = {"task": "profile", "size": size, "seed": args.seed, "analysis": name, "out": str(out)}
        run_ = run_child(
            spec,
            generation_budget_s=args.generation_budget_s,
            budget_s=args.budget_s * 3,
            memory_cap_mb=args.memory_cap_gb * 1024,
        )
        found[name] = {"status": run_["status"], "file": out.name if out.exists() else None}
        ran = run_["steps"].get("ran")
        found[name]["seconds_under_profiler"] = ran["median_s"] if ran else None
        print(f"[at_scale] profile {name} {size}: {run_['status']}", file=sys.stderr, flush=True)
    return found


# ---------------------------------------------------------------------------------------------- report


def figure_text(f: dict[str, Any], args: argparse.Namespace | None = None) -> str:
    """A figure, or why there is none."""
    budget = getattr(args, "budget_s", None)
    status = f.get("status")
    if status == "ok":
        return f"{f['seconds']:.2f} s, {f['peak_mb']:,.0f} MB"
    if status == "skipped":
        return f"not attempted (missed {f['after']})"
    if status == "timeout":
        return f"not reached within {budget:g} s" if budget else "not reached within the budget"
    if status == "timeout_generation":
        return "graph not built within its budget"
    if status == "memory":
        after = f" ~{f['after_generation_s']:,.0f} s after the graph was built" if f.get("after_generation_s") else ""
        return f"stopped above the memory cap ({f['peak_mb']:,.0f} MB){after}"
    if status == "error":
        return "error (see at_scale.json)"
    return str(status)


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**MISSED**")


def report(results: dict[str, Any]) -> None:
    """Write ``bench/results/at_scale.md`` and ``.json``."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{NAME}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (RESULTS / f"{NAME}.md").write_text("\n".join(markdown(results)) + "\n", encoding="utf-8")
    print("\n".join(markdown(results)[:40]))


def _or_dash(value: float | None) -> str:
    return "—" if value is None else f"{value}"


def _seconds_mb(seconds: float | None, mb: float | None) -> str:
    return f"{seconds:,.1f} s, {mb:,.0f} MB" if seconds is not None and mb is not None else "—"


def markdown(results: dict[str, Any]) -> list[str]:
    """``at_scale.md``: each figure beside its target, then the notes."""
    o = results["options"]
    args = argparse.Namespace(**o)
    sizes, figures, grown = results["sizes"], results["figures"], results["growth"]
    lines = [
        f"# {results['title']}",
        "",
        machine_line(results["machine"]),
        "",
        f"`{results['command']}` — sizes {', '.join(sizes)}; budget {o['budget_s']:g} s an analysis once its graph "
        f"is built (building: {o['generation_budget_s']:g} s, L {o['l_generation_budget_s']:g} s); memory cap "
        f"{o['memory_cap_gb']:g} GB a child; seed {o['seed']}; the median of up to {o['repeat']} runs while they "
        f"take under {o['cheap_s']:g} s together. Each figure is one fresh child process: the analysis's own time, "
        f"and the process's peak resident memory (graph + analysis). The run took {results['seconds']:,.0f} s.",
        "",
        "## 1. The analysis suite on M / 全国規模（M）での分析一式",
        "",
        "| national call | on M: time, peak memory | extrapolated to M from the sizes below | target |",
        "|---|---|---|---|",
    ]
    for name in (BASELINE, *SUITE):
        f = figures[name].get("M") or {"status": "not run"}
        g = grown[name]
        on_m = _seconds_mb(f["seconds"], f["peak_mb"]) if f.get("status") == "ok" else figure_text(f, args)
        lines.append(
            f"| `{name}`{' (baseline: each of the five builds it)' if name == BASELINE else ''} | {on_m} | "
            f"{_seconds_mb(g['extrapolated_M_s'], g['extrapolated_M_mb'])} | "
            f"{'—' if name == BASELINE else 'part of the five'} |"
        )
    suite = results["suite_M"]
    together = figures.get(TOGETHER, {}).get("M") or {"status": "not run"}
    measured = _seconds_mb(suite["seconds"], suite["peak_mb"]) if suite["reached"] else figure_text(together, args)
    if suite.get("parts"):
        measured += " (" + ", ".join(f"{n} {t:,.1f} s" for n, t in suite["parts"].items()) + ")"
    if suite.get("cpu_seconds"):
        measured += (
            f"; CPU {suite['cpu_seconds']:,.1f} s ("
            + ", ".join(f"{n} {t:,.1f} s" for n, t in suite["cpu_parts"].items())
            + ")"
        )
    lines.append(
        f"| **the five together** (one process, one after another, inputs built once and shared) | {measured} | "
        f"{_seconds_mb(suite['seconds_estimated'], suite['peak_mb_estimated'])} | "
        f"≤ {TARGET_SUITE_S:g} s {_verdict(suite['met_time'])}, "
        f"≤ {TARGET_SUITE_MB / 1024:g} GB {_verdict(suite['met_memory'])} |"
    )
    lines += [
        "",
        "Extrapolated: from the largest synthetic size the analysis finished, with its own fitted exponent below "
        "(time and memory separately); a floor, since the small sizes have the country's fixed parts (47 "
        "prefectures, at least one community each) and so grow slower than M's share would.",
        "",
        "## 2. Growth S → M → L / 規模に対する伸び",
        "",
        "| | "
        + " | ".join(sizes)
        + " | exponent S → M: time (with S) · memory · CPU time"
        + (" | exponent M → L: time · memory" if "L" in sizes else "")
        + " | target ≤ 1.2 (S → M) |",
        "|---|" + "---|" * len(sizes) + ("---|" if "L" in sizes else "") + "---|---|",
    ]
    built = results["generation"]
    lines.append(
        "| relationships | "
        + " | ".join(f"{built[s]['relationships']:,}" if built[s].get("relationships") else "—" for s in sizes)
        + " | | |"
        + (" |" if "L" in sizes else "")
    )
    rows = [("building the graph (S: import + snapshot; memory: the graph)", built, results["generation_growth"])]
    rows += [(f"`{name}`", figures[name], grown[name]) for name in (BASELINE, *SUITE) if name in figures]
    if TOGETHER in figures:
        rows.append(("**the five together** (one process, shared inputs)", figures[TOGETHER], grown[TOGETHER]))
    for label, by_size, g in rows:
        cells = [
            _seconds_mb(f["seconds"], f["peak_mb"]) if f.get("status") == "ok" else figure_text(f, args)
            for f in (by_size.get(s) or {"status": "not run"} for s in sizes)
        ]
        exponent = f"{_or_dash(g['time']['exponent'])} ({_or_dash(g['time']['exponent_with_S'])})"
        exponent += f" · {_or_dash(g['memory']['exponent'])} · {_or_dash((g.get('cpu') or {}).get('exponent'))}"
        if "L" in sizes:
            to_l = (g["time"].get("exponent_M_to_L"), g["memory"].get("exponent_M_to_L"))
            exponent += f" | {_or_dash(to_l[0])} · {_or_dash(to_l[1])}"
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {exponent} | {_verdict(meets_exponent(g['time']['exponent']))} |"
        )
    networks = [(s, f["network"]) for s, f in figures[BASELINE].items() if f.get("network")]
    lines += [
        "",
        "Exponent S → M: least squares of log(time) on log(relationships) over the synthetic sizes finished up to M "
        "(S, the seed data, in brackets: another shape, and fixed costs that flatten the fit); no figure with fewer "
        "than two. M → L: the slope between those two sizes alone, where both finished. Memory: the process's peak "
        "less the interpreter's.",
    ]
    if networks:
        lines += [
            "",
            "The national actor network (what every analysis builds first): "
            + "; ".join(f"{s} {n['nodes']:,} actors, {n['edges']:,} ties" for s, n in networks)
            + ".",
        ]
    lines += ["", "## 3. Sampled against exact betweenness / 媒介中心性: 標本と厳密値", ""]
    lines += betweenness_lines(results.get("betweenness"))
    cv = results["construct_vs_validate"]
    lines += [
        "",
        "## Building records / レコードの生成",
        "",
        f"Generating {cv['factor']}·M (median of {cv['repeat']}, alternated): `model_construct` {cv['construct_s']} s, "
        f"`model_validate` {cv['validate_s']} s ({cv['validate_x_construct']}×). Validation does not dominate "
        "(pydantic 2 validates in Rust; `model_construct` runs in Python), so the generator validates every record.",
    ]
    if results.get("profiles"):
        lines += ["", "## Profiles / プロファイル", ""]
        lines += [
            f"- `{name}`: {p['status']}, {p['seconds_under_profiler']} s under cProfile → `{p['file']}`"
            for name, p in results["profiles"].items()
        ]
    lines += ["", *findings(results)]
    return lines


def meets_exponent(exponent: float | None) -> bool | None:
    return None if exponent is None else exponent <= TARGET_EXPONENT


def findings(results: dict[str, Any]) -> list[str]:
    """How the analyses hold the network, where the time goes on M, and what would reach each target missed."""
    network_m = (results["figures"][BASELINE].get("M") or {}).get("network") or {}
    baseline_m = results["figures"][BASELINE].get("M") or {}
    suite = results["suite_M"]
    parts, cpu_parts = suite.get("parts") or {}, suite.get("cpu_parts") or {}
    slowest = sorted(parts.items(), key=lambda item: -item[1])
    load = results["machine"]["load_average_at_start"][0]
    lines = [
        "## How the analyses hold the network, and where the time goes / ネットワークの持ち方と時間の内訳",
        "",
        f"**A shared machine.** {results['machine']['cpus']} cores shared with other work (load {load} when the run "
        "began): a wall time here counts the waits for a core as well, so each figure is read against the actor "
        "network built in the same run (the baseline), and every child also reports the CPU seconds it and its "
        "children used, which waiting does not inflate.",
        "",
        "**One network per revision.** The actor network is built once per data object and scope inside "
        "`network.shared_inputs` (the API keeps one per revision): the networkx graph, built through networkx's "
        "public API, and its array form (`secgraph/analysis/index/`: numbered actors in id order, each tie once, "
        "CSR adjacency in networkx's neighbour order, weights, triangles listed once, one igraph handle). "
        "Betweenness, brokerage, Burt's measures and the removal pieces (key persons), link prediction (missing "
        "sectors) and the ties among a circle (stage, health) all read that one form. "
        + (f"M's network: {network_m['nodes']:,} actors, {network_m['edges']:,} ties. " if network_m else "")
        + "The stage and the health read the network of the data as it stands on its latest date, the other three "
        "the network of the data as given: the first as arrays made from the snapshot's ties "
        "(`index.network_arrays_on`) without a second networkx graph, sharing the attribute dicts of the ties "
        "both have. Python's cycle collector is paused inside `network.shared_inputs` (the five run in one such "
        "block): at national size its full collections walked the records again and again, a quarter of the "
        "five's time, and freed nothing (the peak memory is the same without them).",
        "",
    ]
    if slowest:
        lines += [
            "**Where the time goes** (the five together on M, in order of cost; wall, then CPU): "
            + "; ".join(
                f"`{name}` {seconds:,.1f} s" + (f" (CPU {cpu_parts[name]:,.1f} s)" if name in cpu_parts else "")
                for name, seconds in slowest
            )
            + ". The first analysis of each network pays for building it"
            + (
                f" (the baseline row: {baseline_m['seconds']:.1f} s"
                + (f", CPU {baseline_m['cpu_seconds']:.1f} s" if baseline_m.get("cpu_seconds") else "")
                + ")"
                if baseline_m.get("seconds")
                else ""
            )
            + ". Betweenness is no longer most of `key_person_candidates`: KADABRA's path sampling (networkit, "
            "one thread) takes a few seconds at national size where 1,000 sampled sources took about 47 s of CPU "
            "over two processes (section 3 compares their accuracy).",
            "",
        ]
    if suite.get("reached") and not suite.get("met_time"):
        lines += [
            f"**What would reach {TARGET_SUITE_S:g} s** (not done; each is a larger change or a decision):",
            "",
            "- *Both cores for the suite.* The five analyses run one after another in one interpreter. Tried once by "
            "hand (not in this bench, nor in the product): M loaded, one `shared_inputs` block, the process forked, "
            "stage and health in the child, the other three in the parent: 24.5 and 25.6 s wall, but the two "
            "processes' summed PSS reached 3,355 MB (the child's reads copy the records' pages as it touches their "
            "reference counts), above 3 GB; and forking is unsafe in the API's threaded workers.",
            "- *The per-community rules over arrays.* What remains is Python over the communities' circles, areas "
            "and events (stage rules, health indicators, regional indexes); reading them from the array form "
            "would move those loops into numpy.",
            "",
        ]
    lines.append(records_paragraph(results))
    lines += [
        "",
        "Growth: the exponents at small sizes understate M's, because 0.01M–0.1M keep the fixed parts of the "
        "country (47 prefectures with at least one community each, 76 communities) while M has 164; per-community "
        "work over the whole country grows with communities × actors.",
    ]
    return lines


def records_paragraph(results: dict[str, Any]) -> str:
    """What the records weigh on M and L, what of L fits beside them, and what would make room for more."""
    built, figures = results["generation"], results["figures"]
    graph_m, graph_l = ((built.get(size) or {}).get("peak_mb") for size in ("M", "L"))
    text = "**The records themselves.** "
    if graph_m:
        text += f"M's graph holds {graph_m:,.0f} MB of pydantic records"
        text += (
            f", L's {graph_l:,.0f} MB (built in {built['L']['seconds']:,.0f} s). " if graph_l else " (table above). "
        )
    on_l = {name: f for name, f in figures_at(results, "L").items() if tried_at(f)}
    if on_l:
        fitted = {name: f for name, f in on_l.items() if f["status"] == "ok"}
        options = argparse.Namespace(**results["options"])
        text += (
            "On L, alone, each in a process of its own: "
            + "; ".join(f"`{name}` {figure_text(f, options)}" for name, f in on_l.items())
            + (
                f" — {len(fitted)} of {len(on_l)} within the {results['options']['memory_cap_gb']:g} GB cap. "
                if len(fitted) < len(on_l)
                else f" — every one within the {results['options']['memory_cap_gb']:g} GB cap. "
            )
        )
    together_m = figures.get(TOGETHER, {}).get("M") or {}
    together_l = figures.get(TOGETHER, {}).get("L") or {"status": "not run"}
    if together_m.get("status") == "ok" and graph_m and graph_l and together_l["status"] == "not run":
        beyond = together_m["peak_mb"] - together_m["base_mb"] - graph_m
        scaled = graph_l + beyond * graph_l / graph_m
        machine_mb = results["machine"]["memory_gib"] * 1024
        text += (
            f"The five together on L were not run: on M they hold {beyond:,.0f} MB beyond the graph (their shared "
            f"inputs); the same at L's scale beside L's graph (≈ {scaled:,.0f} MB) "
            + ("would not fit " if scaled > machine_mb else "might fit ")
            + f"this {results['machine']['memory_gib']:g} GiB machine. "
        )
    return text + (
        "A snapshot held as columns (ids and ends as arrays, the other fields read on demand) would make room for "
        "the five together on L."
    )


def betweenness_lines(b: dict[str, Any] | None) -> list[str]:
    if not b:
        return ["Not run."]
    if b.get("status") != "ok" or "product" not in b:
        why = {
            "timeout_generation": "the graph was not built within its budget",
            "timeout": "not finished within its budget",
        }
        return [f"Not reached: {why.get(b.get('status'), b.get('status'))}. {b.get('error') or ''}".strip()]
    p = b["product"]
    faster = p["seconds"] < b["igraph_exact_seconds"]
    lines = [
        f"Graph: the actor network of {b['region']} cut from {b['size']} ({b['nodes']:,} actors, {b['edges']:,} ties; "
        f"built in {b['seconds']:.1f} s).",
        "",
        "| method | time | top-50 overlap with exact | target |",
        "|---|---|---|---|",
        f"| python-igraph exact betweenness (peer) | {b['igraph_exact_seconds']:.1f} s "
        f"(+ {b['igraph_convert_seconds']:.1f} s to convert) | 1 | — |",
        f"| **product: `sampled_betweenness`** (KADABRA through networkit, error {p['error']}, seed 0, one "
        f"thread) | {p['seconds']:.1f} s | {p['top50_overlap']} | "
        f"overlap ≥ 0.9: {_verdict(p['top50_overlap'] >= TARGET_OVERLAP)}; faster than exact: {_verdict(faster)} |",
        f"| networkx's sampled sources, the product's method before issue 8 ({p['networkx_sources_estimated']:,} "
        "sources) | "
        f"≈ {p['networkx_seconds_estimated']:,.0f} s ({p['networkx_seconds_per_source']} s a source; "
        f"{p['networkx_sources_timed']} sources timed) | same values | — |",
    ]
    for e in b["igraph_sampled"]:
        met = e["top50_overlap"] >= TARGET_OVERLAP and e["igraph_seconds"] < b["igraph_exact_seconds"]
        lines.append(
            f"| networkx's estimator on igraph's kernel, {e['sources']:,} sources"
            f"{' (the product before issue 13)' if e['sources'] == SOURCES_BEFORE else ''} | "
            f"{e['igraph_seconds']:.1f} s | "
            f"{e['top50_overlap']} | both: {_verdict(met)} |"
        )
    lines += [
        "",
        f"The igraph rows use networkx's own sample of sources (random.Random(0).sample) and its scaling; on "
        f"{p['networkx_sources_timed']} sources the two agree to {p['networkx_vs_igraph_max_abs_difference']:.1e} "
        "(largest difference of any actor's value): the rows below show how the overlap holds with fewer sources.",
    ]
    return lines


# ---------------------------------------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=DEFAULT_SIZES, help=f"the ladder (default {DEFAULT_SIZES})")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budget-s", type=float, default=60.0, help="for each analysis, after its graph is built")
    p.add_argument("--suite-budget-s", type=float, default=180.0, help="for the five together in one process")
    p.add_argument("--alone-sizes", default="", help="sizes each analysis also runs alone at (default: every size)")
    p.add_argument("--together-sizes", default="", help="sizes the five run together at (default: every size)")
    p.add_argument("--generation-budget-s", type=float, default=120.0, help="for building a graph (not L)")
    p.add_argument("--l-generation-budget-s", type=float, default=120.0, help="for building L (~5 min here)")
    p.add_argument("--memory-cap-gb", type=float, default=8.0, help="a child above it is stopped (2× the target)")
    p.add_argument("--repeat", type=int, default=3, help="runs of a cheap analysis (median)")
    p.add_argument("--cheap-s", type=float, default=5.0, help="repeat only while the runs so far took less")
    p.add_argument("--betweenness-size", default="0.3M")
    p.add_argument("--betweenness-budget-s", type=float, default=400.0)
    p.add_argument("--nx-sources", type=int, default=40, help="sources networkx is timed on")
    p.add_argument("--skip-betweenness", action="store_true")
    p.add_argument("--profile", metavar="SIZE", help="cProfile every analysis at SIZE (e.g. 0.03M)")
    p.add_argument("--report-only", action="store_true", help="write at_scale.md again from at_scale.json")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--progress", help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        CHILD_TASKS[spec["task"]](spec, Progress(Path(args.progress)))
        return
    if args.report_only:
        report(json.loads((RESULTS / f"{NAME}.json").read_text(encoding="utf-8")))
        return
    report(run(args))


if __name__ == "__main__":
    main()
