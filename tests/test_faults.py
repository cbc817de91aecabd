"""Storage faults on the embedded store: a full disk and a read-only data folder.

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
from pathlib import Path

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
