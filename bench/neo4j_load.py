"""Neo4j bulk load of the national-size synthetic country, against one relationship per transaction.

    .venv/bin/python bench/neo4j_load.py [--size M] [--single 2000] [--heap 6g] [--pagecache 1g]

Starts its own Neo4j (the test launcher, ``tests/neo4j_server.py``) on a temporary folder, writes the
M-sized synthetic country through the product's ``Neo4jStore.write`` exactly as ``secgraph import``
does (one ChangeSet, applied in one transaction in UNWIND batches of ``BATCH_SIZE``), then, in the
same run and on the same server, writes a sample of single relationships each in its own
transaction through the same store. The issue's target: the bulk load at least 50× the
relationships per second of one row per transaction. Heap, page cache and the JVM's resident memory
are reported beside the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import io
import json
import platform
import pstats
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
for _folder in (str(REPO), str(BENCH)):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)

from secgraph.model.graph import GraphData, derived_relationships  # noqa: E402
from secgraph.model.records import Relationship  # noqa: E402
from secgraph.model.vocabulary import RelType  # noqa: E402

RESULTS = BENCH / "results"
NAME = "neo4j_load"
TARGET_RATIO = 50.0
SOURCE = "benchmark (bench/neo4j_load.py)"

# -------------------------------------------------------------------------------- the synthetic country


def country(size: str, seed: int = 0) -> GraphData:
    """The synthetic country of ``size`` from bench/synthetic.py (S: the seed data; M: national)."""
    import synthetic  # bench/synthetic.py, beside this file

    return synthetic.generate(size, seed)


# -------------------------------------------------------------------------------- the machine


def machine() -> dict[str, Any]:
    """Platform, CPUs, memory and versions, for every results table."""
    import importlib.metadata as md
    import os

    try:
        import psutil

        memory = f"{psutil.virtual_memory().total / 2**30:.1f} GiB"
    except ImportError:
        memory = "?"
    versions = {}
    for package in ("networkx", "neo4j", "fastapi", "uvicorn", "playwright", "pyvis"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[package] = md.version(package)
    return {
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "versions": versions,
        "date": dt.date.today().isoformat(),
    }


def write_results(name: str, results: dict[str, Any], table: list[str], notes: list[str]) -> None:
    """``bench/results/<name>.json`` and ``.md``: the figures beside their targets, then the notes."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    m = results["machine"]
    header = (
        f"{m['platform']}, {m['cpus']} CPUs ({m['cpu']}), {m['memory']}, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f"; {m['date']}"
    )
    text = f"# {results['title']}\n\n{header}\n\n" + "\n".join(table) + "\n\n" + "\n".join(notes) + "\n"
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")


# -------------------------------------------------------------------------------- the measure


class MemorySampler:
    """While a load runs, every half second: the JVM's resident memory, its heap in use, and the
    heap the running transactions hold (``SHOW TRANSACTIONS``); keeps each peak."""

    def __init__(self, process: Any) -> None:
        import neo4j

        self.process = process
        self.rss_peak = 0
        self.heap_peak = 0
        self.transaction_peak = 0
        self._driver = neo4j.GraphDatabase.driver(process.uri, auth=None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.rss_peak = max(self.rss_peak, self.process.rss_bytes() or 0)
            with contextlib.suppress(Exception):  # a sample missed is a sample missed, never an error
                heap = heap_used(self._driver)
                self.heap_peak = max(self.heap_peak, heap["used"] if heap else 0)
                records, _, _ = self._driver.execute_query(
                    "SHOW TRANSACTIONS YIELD estimatedUsedHeapMemory RETURN max(estimatedUsedHeapMemory) AS most"
                )
                self.transaction_peak = max(self.transaction_peak, int(records[0]["most"] or 0))
            self._stop.wait(0.5)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._driver.close()


def heap_used(driver: Any) -> dict[str, int] | None:
    """Heap used and committed now, from the JVM's memory bean (None if the server does not say)."""
    try:
        records, _, _ = driver.execute_query(
            "CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes "
            "RETURN attributes.HeapMemoryUsage.value.properties AS heap"
        )
    except Exception:  # an older server or a locked-down one: the figure is left out, not guessed
        return None
    return {k: int(v) for k, v in records[0]["heap"].items()} if records else None


def single_rows(data: GraphData, count: int, seed: int = 1) -> list[Relationship]:
    """``count`` new CONTACTED ties between existing organisations and people (one a transaction)."""
    rng = random.Random(seed)
    orgs = sorted(n.id for n in data.nodes.values() if n.kind == "Organisation")
    people = sorted(n.id for n in data.nodes.values() if n.kind == "Person")
    return [
        Relationship(
            id=f"bench-single-{i:05d}",
            type=RelType.CONTACTED,
            from_id=rng.choice(orgs),
            to_id=rng.choice(people),
            source=SOURCE,
            as_of="2025-04-01",
        )
        for i in range(count)
    ]


def _profile_top(profile: cProfile.Profile, lines: int = 12) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(lines)
    return [line for line in out.getvalue().splitlines() if line.strip()][-lines - 1 :]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Bulk load of ``args.size`` into a fresh Neo4j and one-row-per-transaction writes; the figures."""
    from secgraph.store.base import ChangeSet
    from secgraph.store.neo4j_store import BATCH_SIZE, Neo4jStore
    from tests.neo4j_server import Neo4jProcess, build_launcher

    size = getattr(args, "size", "M")
    single_count = getattr(args, "single", 2000)
    heap = getattr(args, "heap", "6g")
    pagecache = getattr(args, "pagecache", "1g")

    started = time.perf_counter()
    data = country(size)
    generate_s = time.perf_counter() - started
    counts = data.counts()
    nodes = [n for n in data.nodes.values() if n.kind not in ("Prefecture", "Region")]
    # the store adds each node's derived ties itself (as on import): pass only the stated ones
    derived = {r.id for n in nodes for r in derived_relationships(n)}
    stated = [r for r in data.relationships.values() if r.id not in derived and r.type != RelType.IN_REGION]
    total_rels = len(stated) + len(derived)

    build_launcher()
    process = Neo4jProcess()
    with tempfile.TemporaryDirectory(prefix="secgraph-bench-neo4j-") as folder:
        process.start(Path(folder) / "store", heap=heap, pagecache=pagecache)
        try:
            store = Neo4jStore(process.uri)
            idle_rss = process.rss_bytes() or 0
            profile = cProfile.Profile()
            with MemorySampler(process) as memory:
                started = time.perf_counter()
                profile.enable()
                store.write(ChangeSet(nodes=nodes, relationships=stated))
                profile.disable()
                bulk_s = time.perf_counter() - started
            heap_after = heap_used(store._driver)
            loaded = store.snapshot() if getattr(args, "verify", False) else None

            sample = single_rows(data, single_count)
            started = time.perf_counter()
            for relationship in sample:
                store.write(ChangeSet(relationships=[relationship]))
            single_s = time.perf_counter() - started
            store.close()
            store_bytes = sum(p.stat().st_size for p in (Path(folder) / "store").rglob("*") if p.is_file())
        finally:
            process.stop()

    bulk_rate = total_rels / bulk_s
    single_rate = single_count / single_s
    ratio = bulk_rate / single_rate
    results: dict[str, Any] = {
        "title": "Neo4j bulk load of the synthetic country / Neo4j一括読み込み",
        "machine": machine(),
        "size": size,
        "graph_from": "bench/synthetic.py generate(size, seed=0)",
        "generate_s": round(generate_s, 1),
        "counts": counts,
        "nodes_written": len(nodes),
        "relationships_written": total_rels,
        "batch_size": BATCH_SIZE,
        "bulk": {"seconds": round(bulk_s, 1), "relationships_per_s": round(bulk_rate)},
        "single": {
            "sample": single_count,
            "seconds": round(single_s, 1),
            "relationships_per_s": round(single_rate, 1),
            "ms_per_transaction": round(single_s / single_count * 1000, 2),
            "extrapolated_full_load_s": round(total_rels / single_rate),
        },
        "ratio": round(ratio, 1),
        "target_ratio": TARGET_RATIO,
        "met": ratio >= TARGET_RATIO,
        "jvm": {
            "heap_max": heap,
            "pagecache": pagecache,
            "heap_after_load": heap_after,
            "heap_used_peak_mib": round(memory.heap_peak / 2**20),
            "transaction_heap_peak_mib": round(memory.transaction_peak / 2**20),
            "rss_idle_mib": round(idle_rss / 2**20),
            "rss_peak_mib": round(memory.rss_peak / 2**20),
            "store_on_disk_mib": round(store_bytes / 2**20),
        },
        "profile_top": _profile_top(profile),
    }
    if loaded is not None:
        results["verified_relationships"] = len(loaded.relationships)
    return results


def report(results: dict[str, Any]) -> None:
    b, s, j = results["bulk"], results["single"], results["jvm"]
    table = [
        "| measure | figure | target / peer |",
        "|---|---|---|",
        f"| bulk load, one ChangeSet ({results['relationships_written']:,} relationships, "
        f"{results['nodes_written']:,} nodes) | {b['seconds']} s, **{b['relationships_per_s']:,} rel/s** | — |",
        f"| one relationship per transaction (sample of {s['sample']:,}, same store, same run) | "
        f"{s['ms_per_transaction']} ms each, {s['relationships_per_s']} rel/s (full load would take "
        f"{s['extrapolated_full_load_s']:,} s) | peer |",
        f"| ratio bulk / one per transaction | **{results['ratio']}×** | ≥ {results['target_ratio']:g}× "
        f"{'met' if results['met'] else 'MISSED'} |",
        f"| JVM heap max / page cache | {j['heap_max']} / {j['pagecache']} | — |",
        f"| JVM resident memory idle → peak | {j['rss_idle_mib']} → {j['rss_peak_mib']} MiB | — |",
        f"| heap in use: peak while loading / after | {j['heap_used_peak_mib']} MiB / "
        f"{_mib(j['heap_after_load'])} | — |",
        f"| heap held by the load's one transaction (peak, SHOW TRANSACTIONS) | "
        f"{j['transaction_heap_peak_mib']} MiB | — |",
        f"| store on disk | {j['store_on_disk_mib']} MiB | — |",
    ]
    notes = [
        f"Graph: {results['graph_from']}, size {results['size']}: "
        + ", ".join(f"{k} {v:,}" for k, v in results["counts"].items())
        + ".",
        "",
        "Where the bulk load's time goes (cProfile of the client side, cumulative):",
        "",
        "```",
        *results["profile_top"],
        "```",
    ]
    write_results(NAME, results, table, notes)
    print("\n".join(table))


def _mib(heap: dict[str, int] | None) -> str:
    if not heap:
        return "not reported"
    return f"{heap.get('used', 0) / 2**20:.0f} MiB used of {heap.get('committed', 0) / 2**20:.0f} MiB committed"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="M", help="S, M, L or a factor of M such as 0.1M (bench/synthetic.py)")
    p.add_argument("--single", type=int, default=2000, help="one-row-per-transaction writes to time")
    p.add_argument("--heap", default="6g", help="JVM heap: one transaction of M needs more than 2g")
    p.add_argument("--pagecache", default="1g")
    p.add_argument("--verify", action="store_true", help="read the graph back and count its relationships")
    return p


if __name__ == "__main__":
    report(run(parser().parse_args()))
