"""How long each analysis takes on the seed data, as a ratio to reading the graph in the same run.

    .venv/bin/python bench/seed_analyses.py [--repeat 5]

Machines here are shared and noisy, so each figure is the median of several runs and is reported
beside the time to build the actor network (the baseline every analysis pays for) measured in the
same run. The issue's target: each analysis well under a second on the seed data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from secgraph.analysis.network import actor_network
from secgraph.analysis.registry import ANALYSES
from secgraph.io.importer import load
from secgraph.model.graph import GraphData
from secgraph.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"

#: The parameters of the analyses that need some besides the scope (otherwise: the whole country, now).
ASKED: dict[str, dict[str, str]] = {
    "brokers-between": {"group_a": "police", "group_b": "university"},
    "changes": {"earlier": "2019-04-01", "later": "2021-03-31"},
}


def analysis_runs() -> dict[str, Callable[[GraphData], object]]:
    """The baseline, then every analysis of the registry by its slug."""
    runs: dict[str, Callable[[GraphData], object]] = {"actor_network (baseline)": actor_network}
    for slug, analysis in ANALYSES.items():
        parameters = analysis.parameters_of(**ASKED.get(slug, {}))
        runs[slug] = lambda data, run=analysis.run, p=parameters: run(data, p)
    return runs


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        load(store, REPO / "seed_data", progress=False)
        data = store.snapshot()
        store.close()
    rows = {name: median_seconds(lambda f=fn: f(data), args.repeat) for name, fn in analysis_runs().items()}
    baseline = rows["actor_network (baseline)"]
    results = {
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
        "date": dt.date.today().isoformat(),
        "repeat": args.repeat,
        "rows": [
            {"analysis": k, "median_s": round(v, 4), "x_baseline": round(v / baseline, 1)} for k, v in rows.items()
        ],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "seed_analyses.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    lines = [
        "| analysis | median (s) | × baseline | target |",
        "|---|---|---|---|",
        *(f"| {r['analysis']} | {r['median_s']} | {r['x_baseline']} | < 1 s |" for r in results["rows"]),
    ]
    (RESULTS / "seed_analyses.md").write_text(
        f"Seed data, {results['machine']}, {results['date']}, median of {args.repeat}\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
