"""The one command for issue 8's benchmarks: run them, then one table of every figure beside its target.

    bash run.sh bench                      # everything, with the default budgets (about 30 minutes here)
    .venv/bin/python bench/run.py --only seed,at_scale --sizes S,0.01M,M --budget-s 120

Benchmarks (``--only`` picks them by these names; each writes its own ``bench/results/<file>.md``/``.json``):

| name | file | issue 8 |
|---|---|---|
| seed | seed_analyses.py | each analysis on the seed data (earlier issue; a subprocess: it has no ``run``) |
| at_scale | analyses_at_scale.py | 1 (suite on M, sampled vs exact betweenness) and 2 (growth S → M → L) |
| neo4j | neo4j_load.py | 3: bulk load of M against one row per transaction |
| api | api_latency.py | 4: 50 concurrent clients on the seed data |
| view | view_2000.py | 5: a 2,000-actor view in headless Chromium |

A module that is not there is skipped and the summary says so; one that fails is reported with its
error and the others still run. Each module with ``run(args) -> dict`` is given its own parser's
defaults (``parser().parse_args([])``) with the options below laid over them, and its ``report`` writes
its files. Then ``bench/results/summary.md`` and ``summary.json``: every figure beside its target,
its peer or baseline, met or missed, and the machine.
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

# bench/ is on the path (this script's folder); analyses_at_scale puts the repository there too.
from analyses_at_scale import (
    BENCH,
    REPO,
    RESULTS,
    TARGET_EXPONENT,
    figure_text,
    machine,
    machine_line,
    meets_exponent,
)

#: name → (file, the issue's measure, the results file it writes).
BENCHMARKS: dict[str, tuple[str, str, str]] = {
    "seed": ("seed_analyses.py", "analyses on the seed data", "seed_analyses.json"),
    "at_scale": ("analyses_at_scale.py", "1–2: analyses at national scale, growth", "at_scale.json"),
    "neo4j": ("neo4j_load.py", "3: Neo4j bulk load", "neo4j_load.json"),
    "api": ("api_latency.py", "4: API under 50 clients", "api_latency.json"),
    "view": ("view_2000.py", "5: 2,000-actor view", "view_2000.json"),
}

Row = dict[str, Any]


def row(measure: str, figure: str, target: str, peer: str, met: bool | None, source: str) -> Row:
    return {"measure": measure, "figure": figure, "target": target, "peer": peer, "met": met, "source": source}


# ---------------------------------------------------------------------------------------------- each module's rows


def seed_rows(results: dict[str, Any]) -> list[Row]:
    rows = results["rows"]
    baseline = next((r["median_s"] for r in rows if r["analysis"].startswith("actor_network")), None)
    return [
        row(
            f"seed data: {r['analysis']}",
            f"{r['median_s']} s",
            "< 1 s",
            f"actor network {baseline} s (×{r['x_baseline']})",
            r["median_s"] < 1.0,
            "seed_analyses.md",
        )
        for r in rows
    ]


def at_scale_rows(results: dict[str, Any]) -> list[Row]:
    from analyses_at_scale import SUITE, TARGET_OVERLAP, TARGET_SUITE_MB, TARGET_SUITE_S

    source = "at_scale.md"
    suite = results["suite_M"]
    estimate = f" (≈ {suite['seconds_estimated']:,.0f} s extrapolated)" if suite.get("seconds_estimated") else ""
    memory = f" (≈ {suite['peak_mb_estimated']:,.0f} MB extrapolated)" if suite.get("peak_mb_estimated") else ""
    options = argparse.Namespace(**results["options"])
    baseline = results["figures"]["actor_network"].get("M") or {"status": "not run"}
    peer = f"actor network on M: {figure_text(baseline, options)}"
    base_s = baseline.get("seconds") if baseline.get("status") == "ok" else None
    ratio = f"; ×{suite['seconds'] / base_s:.1f} the actor network" if suite["reached"] and base_s else ""
    base_cpu, cpu = baseline.get("cpu_seconds"), suite.get("cpu_seconds")
    if cpu and base_cpu:
        ratio += f"; CPU {cpu:,.1f} s, ×{cpu / base_cpu:.1f} the actor network's {base_cpu:,.1f} s"
    rows = [
        row(
            "1. suite on M: time (five national analyses)",
            (f"{suite['seconds']:.1f} s" if suite["reached"] else "not reached") + estimate + ratio,
            f"≤ {TARGET_SUITE_S:g} s",
            peer,
            suite["met_time"],
            source,
        ),
        row(
            "1. suite on M: peak memory",
            (f"{suite['peak_mb']:,.0f} MB" if suite["reached"] else "not reached") + memory,
            f"≤ {TARGET_SUITE_MB / 1024:g} GB",
            peer,
            suite["met_memory"],
            source,
        ),
    ]
    for name in SUITE:
        f = results["figures"][name].get("M") or {"status": "not run"}
        extrapolated = results["growth"][name].get("extrapolated_M_s")
        rows.append(
            row(
                f"1. {name} on M",
                figure_text(f, options) + (f" (≈ {extrapolated:,.0f} s extrapolated)" if extrapolated else ""),
                f"part of ≤ {TARGET_SUITE_S:g} s",
                peer,
                None,
                source,
            )
        )
    b = results.get("betweenness") or {}
    if b.get("status") == "ok" and "product" in b:
        p = b["product"]
        exact = f"python-igraph exact {b['igraph_exact_seconds']:.1f} s ({b['nodes']:,} actors, {b['edges']:,} ties)"
        rows += [
            row(
                "1. estimated betweenness: top-50 overlap with exact",
                str(p["top50_overlap"]),
                f"≥ {TARGET_OVERLAP}",
                exact,
                p["top50_overlap"] >= TARGET_OVERLAP,
                source,
            ),
            row(
                f"1. estimated betweenness (KADABRA, error {p['error']}): time",
                f"{p['seconds']:,.1f} s",
                "faster than exact",
                exact,
                p["seconds"] < b["igraph_exact_seconds"],
                source,
            ),
        ]
    else:
        rows.append(row("1. sampled vs exact betweenness", str(b.get("status", "not run")), "", "", None, source))
    built = results["generation_growth"]["time"]["exponent"]
    rows.append(
        row(
            "2. growth: building the graph",
            f"exponent {built}",
            f"≤ {TARGET_EXPONENT}",
            "",
            meets_exponent(built),
            source,
        )
    )
    for name, g in results["growth"].items():
        exponent = g["time"]["exponent"]
        cpu_exponent = (g.get("cpu") or {}).get("exponent")
        rows.append(
            row(
                f"2. growth: {name}",
                f"exponent {exponent} over {g['time']['sizes']} sizes"
                if exponent is not None
                else "fewer than 2 sizes",
                f"≤ {TARGET_EXPONENT}",
                f"memory exponent {g['memory']['exponent']}; CPU-time exponent {cpu_exponent}",
                meets_exponent(exponent),
                source,
            )
        )
    return rows + l_rows(results, options)


def l_rows(results: dict[str, Any], options: argparse.Namespace) -> list[Row]:
    """L (ten times M) measured: the graph's build and each analysis alone, within the memory cap."""
    from analyses_at_scale import figures_at, tried_at

    built = results["generation"].get("L") or {}
    on_l = figures_at(results, "L")
    if not built.get("seconds") and not any(tried_at(f) for f in on_l.values()):
        return []
    machine_gib = results["machine"]["memory_gib"]
    cap = f"within the {options.memory_cap_gb:g} GB cap a process on this {machine_gib:g} GiB machine"
    return [
        row(
            "2. L: building the graph",
            f"{built['seconds']:,.0f} s, {built['peak_mb']:,.0f} MB" if built.get("seconds") else "not built",
            "measured",
            "",
            bool(built.get("seconds")),
            "at_scale.md",
        ),
        row(
            "2. L: each analysis alone",
            "; ".join(f"{name} {figure_text(f, options)}" for name, f in on_l.items()),
            cap,
            "",
            all(f["status"] == "ok" for f in on_l.values()),
            "at_scale.md",
        ),
    ]


def neo4j_rows(results: dict[str, Any]) -> list[Row]:
    bulk, single = results["bulk"], results["single"]
    return [
        row(
            f"3. Neo4j bulk load of {results.get('size')}: relationships per second",
            f"{bulk['relationships_per_s']:,} rel/s ({bulk['seconds']} s); ratio {results['ratio']}×",
            f"≥ {results.get('target_ratio', 50):g}× one row per transaction",
            f"one row per transaction: {single['relationships_per_s']} rel/s",
            results.get("met"),
            "neo4j_load.md",
        )
    ]


def api_rows(results: dict[str, Any]) -> list[Row]:
    phases = results["phases"]
    base = phases["baseline"]["health"]
    peer = f"GET /health p95 {base['p95_ms']} ms"
    cached_peer = peer
    before = results.get("before")
    if before:  # the code before the change, each phase run right after this tree's
        then = before["phases"]
        ratio = then["cached_analyses"]["analyses"]["p95_ms"] / max(then["baseline"]["health"]["p95_ms"], 0.01)
        cached_peer += (
            f"; before ({before['commit']}, same run): cached analyses p95 "
            f"{then['cached_analyses']['analyses']['p95_ms']} ms = {ratio:.1f}× its /health "
            f"{then['baseline']['health']['p95_ms']} ms"
        )
    rows = []
    for phase, name, target in (
        ("cached_analyses", "analyses", "p95 ≤ 1.2× GET /health p95, no errors"),
        ("reads", "reads", "—"),
        ("writes", "writes", "no errors"),
    ):
        f = phases[phase][name]
        met = (
            results.get("met") if phase == "cached_analyses" else (f["error_count"] == 0 if phase == "writes" else None)
        )
        rows.append(
            row(
                f"4. API, 50 clients: {phase.replace('_', ' ')}",
                f"p50 {f['p50_ms']} / p95 {f['p95_ms']} / p99 {f['p99_ms']} ms, {f['per_s']} req/s, "
                f"{f['error_count']} errors ({f.get('tool', '?')})",
                target,
                cached_peer if phase == "cached_analyses" else peer,
                met,
                "api_latency.md",
            )
        )
    return rows


def view_rows(results: dict[str, Any]) -> list[Row]:
    met = results.get("met") or {}
    targets = results.get("targets") or {}
    return [
        row(
            f"5. view of {results.get('actors', '?'):,} actors: drawn and still",
            f"{results['browser']['drawn_s_median']} s",
            f"< {targets.get('drawn_s', 3):g} s",
            "",
            met.get("drawn"),
            "view_2000.md",
        ),
        row(
            "5. view: file size",
            f"{results['bytes']['total'] / 1e6:.2f} MB",
            f"< {targets.get('bytes', 2_000_000) / 1e6:g} MB",
            "",
            met.get("bytes"),
            "view_2000.md",
        ),
    ]


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "seed": seed_rows,
    "at_scale": at_scale_rows,
    "neo4j": neo4j_rows,
    "api": api_rows,
    "view": view_rows,
}


# ---------------------------------------------------------------------------------------------- running them


def _module_args(module: Any, overrides: dict[str, Any]) -> argparse.Namespace:
    """The module's own defaults with the given options laid over them."""
    args = module.parser().parse_args([]) if hasattr(module, "parser") else argparse.Namespace()
    for key, value in overrides.items():
        if value is not None:
            setattr(args, key, value)
    return args


def run_seed(options: argparse.Namespace) -> dict[str, Any]:
    """seed_analyses.py has a ``main`` and no ``run``: run it as its own command and read its JSON."""
    subprocess.run(
        [sys.executable, str(BENCH / "seed_analyses.py"), "--repeat", str(options.seed_repeat)], check=True, cwd=REPO
    )
    return json.loads((RESULTS / "seed_analyses.json").read_text(encoding="utf-8"))


def overrides(name: str, options: argparse.Namespace) -> dict[str, Any]:
    """Options of this command that a module takes, by its option names."""
    if name == "at_scale":
        keys = ("sizes", "budget_s", "suite_budget_s", "alone_sizes", "together_sizes", "generation_budget_s")
        keys += ("l_generation_budget_s", "memory_cap_gb", "betweenness_size")
        picked = {k: getattr(options, k) for k in keys}
        picked |= {"betweenness_budget_s": options.betweenness_budget_s, "profile": options.profile}
        return picked
    if name == "neo4j":
        return {"size": options.neo4j_size}
    if name == "api":
        return {
            "seconds": options.api_seconds,
            "workers": options.api_workers,
            "before": options.api_before,
            "load_tool": options.api_load_tool,
        }
    if name == "view":
        return {"size": options.view_size}
    return {}


def earlier(name: str) -> dict[str, Any]:
    """A benchmark not chosen this time: its rows from the results it wrote when it last ran."""
    file, measure, written = BENCHMARKS[name]
    outcome: dict[str, Any] = {"name": name, "file": file, "measure": measure}
    path = RESULTS / written
    if not path.is_file():
        return outcome | {"status": "not run", "rows": []}
    results = json.loads(path.read_text(encoding="utf-8"))
    when = (results.get("machine") or {}).get("date") if isinstance(results.get("machine"), dict) else None
    try:
        rows = ROWS[name](results)
    except (KeyError, TypeError) as error:
        return outcome | {"status": f"not run; {written} unreadable ({type(error).__name__}: {error})", "rows": []}
    return outcome | {
        "status": f"not run now: figures of an earlier run ({when or results.get('date', '?')})",
        "rows": rows,
    }


def run_one(name: str, options: argparse.Namespace) -> dict[str, Any]:
    """Run one benchmark; its rows, or why there are none."""
    file, measure, _ = BENCHMARKS[name]
    started = time.perf_counter()
    outcome: dict[str, Any] = {"name": name, "file": file, "measure": measure}
    if not (BENCH / file).is_file():
        return outcome | {"status": "absent", "rows": []}
    print(f"[bench] {name}: {file}", file=sys.stderr, flush=True)
    try:
        if name == "seed":
            results = run_seed(options)
        else:
            module = importlib.import_module(file.removesuffix(".py"))
            results = module.run(_module_args(module, overrides(name, options)))
            module.report(results)
        rows = ROWS[name](results)
        outcome |= {"status": "ok", "rows": rows}
    except Exception as error:  # one benchmark failing must not stop the others
        traceback.print_exc()
        outcome |= {"status": "error", "error": f"{type(error).__name__}: {error}", "rows": []}
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    return outcome


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def summary(outcomes: list[dict[str, Any]], m: dict[str, Any], command: str, note: str = "") -> list[str]:
    lines = [
        "# Benchmarks / ベンチマーク一覧",
        "",
        machine_line(m),
        "",
        f"`{command}`. Each figure beside its target and the peer or baseline measured in the same run; the "
        "details, the notes and where the time goes are in each benchmark's own file (last column).",
        "",
        *([note, ""] if note else []),
        "| measure | figure | target | peer / baseline | verdict | details |",
        "|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for r in outcome["rows"]:
            lines.append(
                f"| {r['measure']} | {r['figure']} | {r['target']} | {r['peer']} | {_verdict(r['met'])} | "
                f"[{r['source']}]({r['source']}) |"
            )
    lines += ["", "| benchmark | measure | status | seconds |", "|---|---|---|---|"]
    for o in outcomes:
        status = {"absent": f"skipped: {o['file']} not present", "error": f"error: {o.get('error')}"}.get(
            o["status"], o["status"]
        )
        lines.append(f"| {o['name']} ({o['file']}) | {o['measure']} | {status} | {o.get('seconds', '—')} |")
    return lines


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--note", default="", help="a paragraph printed under the summary's heading (how the run went)")
    p.add_argument(
        "--summary-only",
        action="store_true",
        help="write summary.md again from summary.json and each benchmark's results file (with --note)",
    )
    p.add_argument("--only", default=",".join(BENCHMARKS), help=f"which, comma-separated: {', '.join(BENCHMARKS)}")
    p.add_argument("--seed-repeat", type=int, default=5, help="seed: runs of each analysis (median)")
    p.add_argument("--sizes", default=None, help="at_scale: the ladder of sizes (default S,0.01M,0.03M,0.1M,M,L)")
    p.add_argument("--budget-s", type=float, default=None, help="at_scale: seconds for each analysis (default 60)")
    p.add_argument("--generation-budget-s", type=float, default=None, help="at_scale: seconds to build a graph")
    p.add_argument("--l-generation-budget-s", type=float, default=None, help="at_scale: seconds to build L")
    p.add_argument("--memory-cap-gb", type=float, default=None, help="at_scale: a child above it is stopped")
    p.add_argument("--suite-budget-s", type=float, default=None, help="at_scale: seconds for the five together")
    p.add_argument("--alone-sizes", default=None, help="at_scale: sizes each analysis also runs alone at")
    p.add_argument("--together-sizes", default=None, help="at_scale: sizes the five run together at")
    p.add_argument("--betweenness-size", default=None, help="at_scale: size whose area is used (default 0.3M)")
    p.add_argument("--betweenness-budget-s", type=float, default=None, help="at_scale: for the betweenness child")
    p.add_argument("--profile", default=None, metavar="SIZE", help="at_scale: cProfile every analysis at SIZE")
    p.add_argument("--neo4j-size", default=None, help="neo4j: size to load (its default: M)")
    p.add_argument("--api-seconds", type=float, default=None, help="api: seconds a phase (its default: 15)")
    p.add_argument("--api-workers", type=int, default=None, help="api: secgraph serve --workers N (its default: 1)")
    p.add_argument(
        "--api-before",
        default=None,
        metavar="TREE",
        help="api: also serve the code in TREE and run each phase on it right after this tree's (its --before)",
    )
    p.add_argument(
        "--api-load-tool",
        choices=("wrk", "httpx"),
        default=None,
        help="api: what sends the reads (its --load-tool; default wrk when installed)",
    )
    p.add_argument("--view-size", default=None, help="view: size of the country the view is cut from")
    return p


def main(argv: list[str] | None = None) -> None:
    options = parser().parse_args(argv)
    if options.summary_only:
        document = json.loads((RESULTS / "summary.json").read_text(encoding="utf-8"))
        document["note"] = options.note or document.get("note", "")
        for outcome in document["benchmarks"]:  # each row again from its benchmark's own results file
            again = earlier(outcome["name"])["rows"]
            if outcome.get("rows") and again:
                outcome["rows"] = again
        (RESULTS / "summary.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        text = summary(document["benchmarks"], document["machine"], document["command"], document["note"])
        text += ["", f"The whole run took {document['seconds']:,.0f} s."]
        (RESULTS / "summary.md").write_text("\n".join(text) + "\n", encoding="utf-8")
        return
    chosen = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")
    m = machine()
    command = " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    started = time.perf_counter()
    outcomes = [run_one(name, options) if name in chosen else earlier(name) for name in BENCHMARKS]
    RESULTS.mkdir(exist_ok=True)
    document = {"machine": m, "command": command, "seconds": round(time.perf_counter() - started, 1)}
    document["benchmarks"] = outcomes
    document["note"] = options.note  # kept in the JSON too, so that --summary-only writes it again
    (RESULTS / "summary.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = summary(outcomes, m, command, options.note) + ["", f"The whole run took {document['seconds']:,.0f} s."]
    (RESULTS / "summary.md").write_text("\n".join(text) + "\n", encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
