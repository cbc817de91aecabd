"""Faults: a full disk and a read-only data folder (embedded store); an import and the Neo4j server
killed with SIGKILL in the middle of a write.

Each case runs the real command line (`secgraph load`) in a child process against a store that
already holds data, with the fault made real by the operating system: a file-size limit
(RLIMIT_FSIZE, so the disk "fills" mid-write) or a read-only bind mount of the data folder in a
private mount namespace. The command must say clearly what is wrong, and the store must hold
exactly what it held before.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from secgraph.io.importer import load
from secgraph.store.embedded import EmbeddedStore
from tests.test_store_contract import small_change

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "data" / "good"
SEED_DATA = REPO / "seed_data"
SECGRAPH = [sys.executable, "-m", "secgraph.cli"]


def _store_with_data(folder: Path):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    store = EmbeddedStore(folder / "graph.db")
    store.write(small_change())
    before = store.snapshot()
    store.close()
    return before


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "SECGRAPH_DB": str(db), "SECGRAPH_STORE": "embedded", "LANG": "C.UTF-8"}


def _snapshot(db: Path):  # type: ignore[no-untyped-def]
    store = EmbeddedStore(db)
    try:
        return store.snapshot()
    finally:
        store.close()


def test_a_full_disk_refuses_the_load_clearly_and_keeps_the_data(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    before = _store_with_data(folder)
    db = folder / "graph.db"
    # room for SQLite's 32 KiB shared-memory file and a few pages of log, not for the seed data's
    room = 48 * 1024

    def full_disk() -> None:
        # writes past `room` bytes fail with EFBIG, as on a full disk (and do not kill the process)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    result = subprocess.run(
        [*SECGRAPH, "--lang", "en", "load", str(SEED_DATA)],
        env=_env(db),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=full_disk,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    message = result.stderr
    assert "nothing was changed" in message and "何も変更されていません" in message, message
    assert "disk" in message and str(db) in message, message
    assert "Traceback" not in message

    assert _snapshot(db) == before
    # with room again, the same load goes through: the failed one left nothing half-done behind
    store = EmbeddedStore(db)
    try:
        assert load(store, SEED_DATA).ok
    finally:
        store.close()


def test_a_read_only_data_folder_is_reported_and_keeps_the_data(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    before = _store_with_data(folder)
    db = folder / "graph.db"
    command = [*SECGRAPH, "--lang", "en", "load", str(GOOD)]
    if os.geteuid() == 0:
        # root ignores file modes: make the folder read-only with a bind mount only this child sees
        unshare = shutil.which("unshare")
        assert unshare, "util-linux' unshare is needed to make a read-only folder as root"
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        command = [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(folder), *command]
    else:
        for path in (*folder.iterdir(), folder):
            path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        result = subprocess.run(command, env=_env(db), capture_output=True, text=True, timeout=120, check=False)
    finally:
        for path in (folder, *folder.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert result.returncode != 0, result.stdout
    message = result.stderr
    assert "read-only" in message and "読み取り専用" in message, message
    assert str(db) in message and "Traceback" not in message, message
    assert _snapshot(db) == before


# -- Neo4j: the importing process killed, and the server itself killed, in the middle of a write ----

BULK = 20_000

_IMPORTER = """
import sys
from secgraph.io.importer import plan_load
from secgraph.store.neo4j_store import Neo4jStore

store = Neo4jStore(*(arg or None for arg in sys.argv[1:5]))
report, change = plan_load(store, sys.argv[5], progress=False)
assert report.ok, report
print("writing", flush=True)
store.write(change)
print("written", flush=True)
"""


def _bulk_folder(folder: Path) -> Path:
    """An import of BULK organisations: big enough that the write takes a while on Neo4j."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["id,name,sector,prefecture,source,as_of"]
    lines += [f"bulk-{i:05d},負荷会社{i:05d},sme,{1 + i % 47:02d},fault test,2026-11" for i in range(BULK)]
    (folder / "organisations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _bulk_count(store) -> int:  # type: ignore[no-untyped-def]
    return len([n for n in store.nodes("Organisation") if n.id.startswith("bulk-")])


@pytest.mark.neo4j
def test_an_import_killed_midway_leaves_neo4j_as_before_or_after(neo4j_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import open_neo4j

    store = open_neo4j(neo4j_server)
    folder = _bulk_folder(tmp_path / "bulk")
    outcomes = set()
    try:
        for delay in (0.0, 0.3, 1.0, 3.0):
            store.clear()
            store.write(small_change())
            before = store.snapshot()
            args = [
                neo4j_server.uri,
                *(v or "" for v in (neo4j_server.user, neo4j_server.password, neo4j_server.database)),
            ]
            child = subprocess.Popen(
                [sys.executable, "-c", _IMPORTER, *args, str(folder)], stdout=subprocess.PIPE, text=True
            )
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "writing"  # the plan is made; the write begins
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
            child.wait()
            count = _bulk_count(store)
            assert count in (0, BULK), count
            outcomes.add(count)
            if count == 0:
                assert store.snapshot() == before
    finally:
        store.clear()
        store.close()
    assert 0 in outcomes  # at least one kill landed before the commit


@pytest.mark.neo4j
def test_neo4j_killed_during_a_write_comes_back_as_before_or_after(tmp_path: Path) -> None:
    from secgraph.model.records import Organisation
    from secgraph.store import ChangeSet
    from secgraph.store.neo4j_store import Neo4jStore
    from tests.neo4j_server import Neo4jProcess, build_launcher

    build_launcher()
    server = Neo4jProcess()  # this test's own server: the session's is never killed
    bulk = [
        Organisation(id=f"bulk-{i:05d}", name=f"負荷会社{i}", sector="sme", prefecture="13", source="t", as_of="2026")
        for i in range(BULK)
    ]
    outcomes = set()
    try:
        server.start(tmp_path / "neo4j")
        for delay in (0.2, 1.5):
            store = Neo4jStore(server.uri)
            store.write(small_change())
            before = store.snapshot()
            failure: list[BaseException] = []

            def write(store=store, failure=failure) -> None:  # type: ignore[no-untyped-def]
                try:
                    store.write(ChangeSet(nodes=bulk))
                except BaseException as error:  # the server vanished under it
                    failure.append(error)

            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(delay)
            server.kill()  # SIGKILL: no checkpoint; the next start runs recovery
            writer.join(timeout=120)
            assert not writer.is_alive()
            store.close()
            server.restart()
            store = Neo4jStore(server.uri)
            count = _bulk_count(store)
            assert count in (0, BULK), count
            outcomes.add(count)
            if count == 0:
                assert failure, "the write was lost but nobody was told"
                assert store.snapshot() == before
            store.clear()
            store.close()
    finally:
        server.stop()
    assert 0 in outcomes


_FILL_THEN_FREE = """
import resource, signal, sys
from secgraph.io.importer import load
from secgraph.store import StorageFull
from secgraph.store.embedded import EmbeddedStore

store = EmbeddedStore(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (48 * 1024, hard))
try:
    load(store, sys.argv[2])
    print("written while full")
except StorageFull:
    print("full")
resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
print("ok" if load(store, sys.argv[2]).written else "not written")
"""


def test_the_same_process_writes_again_once_there_is_room(tmp_path: Path) -> None:
    """A running service whose disk filled up must not need a restart when space comes back."""
    folder = tmp_path / "data"
    _store_with_data(folder)
    result = subprocess.run(
        [sys.executable, "-c", _FILL_THEN_FREE, str(folder / "graph.db"), str(SEED_DATA)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.split() == ["full", "ok"], result.stdout + result.stderr
