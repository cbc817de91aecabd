"""The embedded default store: one SQLite file, no server, no set-up.

SQLite gives what the embedded store must have without code of ours: every write is one
transaction, and a crash (even SIGKILL or power loss) mid-write leaves the previous state
(write-ahead log with full synchronisation). Several processes may open the file at once
(``secgraph serve --workers``): a write takes SQLite's write lock for the file (``BEGIN
IMMEDIATE``, waiting while another process writes), and a read sees every write committed before it
began. Records are kept as JSON properties beside their kind or type; the graph is small enough per
deployment that analyses read it whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from secgraph.model.graph import GraphData, node_from_properties
from secgraph.model.records import Node, Relationship
from secgraph.store.base import (
    DERIVED_TYPES,
    ChangeSet,
    GraphStore,
    StorageFull,
    StoreError,
    StoreUnavailable,
    WriteConflict,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    props TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS nodes_kind ON nodes(kind);
CREATE TABLE IF NOT EXISTS node_refs (
    node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    ref_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS node_refs_ref ON node_refs(ref_id);
CREATE INDEX IF NOT EXISTS node_refs_node ON node_refs(node_id);
CREATE TABLE IF NOT EXISTS rels (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    from_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    to_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    props TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rels_from ON rels(from_id);
CREATE INDEX IF NOT EXISTS rels_to ON rels(to_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', 0);
"""

_REF_FIELDS = ("parent_id", "series_id", "subject_id", "about_id")


#: SQLite's answers (by error-name prefix, so SQLITE_IOERR_WRITE, SQLITE_READONLY_DIRECTORY … too) that
#: mean "no room or no permission to write". The data is intact: the transaction rolled back.
_STORAGE_ERRORS = {
    "SQLITE_FULL": ("the disk is full", "ディスクの空きがありません"),
    "SQLITE_READONLY": ("the data folder or file is read-only", "データフォルダまたはファイルが読み取り専用です"),
    "SQLITE_CANTOPEN": ("the data folder cannot be written", "データフォルダに書き込めません"),
    "SQLITE_IOERR": ("the disk refused the write", "ディスクが書き込みを拒否しました"),
}


def _write_error(path: Path, error: sqlite3.Error) -> StoreError:
    """The failed write explained: storage problems named as such, with the file and a remedy."""
    name = getattr(error, "sqlite_errorname", "")
    reason = next((text for prefix, text in _STORAGE_ERRORS.items() if name.startswith(prefix)), None)
    if reason is None:
        return StoreError(f"the embedded store refused the write: {error} / 書き込みに失敗しました")
    en, ja = reason
    return StorageFull(
        f"{ja}（{path}）。何も変更されていません。空きを作るか書き込み可能にして再試行してください。"
        f" / {en} ({path}); nothing was changed. Free space or make it writable, then try again. [{name}]"
    )


def _open_error(path: Path, error: Exception) -> StoreUnavailable:
    """Why the store file would not open; a read-only folder said in so many words (SQLite only
    says "unable to open database file" when it cannot create its log beside the file)."""
    folder = path.parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        why_ja, why_en = "データフォルダが読み取り専用です", "the data folder is read-only"
    else:
        why_ja = why_en = str(error)
    return StoreUnavailable(
        f"組み込みストアを開けません（{path}）: {why_ja}。何も変更されていません。"
        f" / cannot open the embedded store at {path}: {why_en}; nothing was changed."
    )


#: The store's revision, read and moved on: every write moves it, and the analyses cache on it.
_READ_REVISION = "SELECT value FROM meta WHERE key = 'revision'"
_NEXT_REVISION = "UPDATE meta SET value = value + 1 WHERE key = 'revision'"


class EmbeddedStore(GraphStore):
    name = "embedded"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        #: A second connection for ``revision_at_once``, used by one thread at a time and never waited for.
        self._glance: sqlite3.Connection | None = None
        self._glance_lock = threading.Lock()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: the API serves from a thread pool; the lock serialises use.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise _open_error(self.path, error) from error
        self.ensure_geography()

    # -- writing -----------------------------------------------------------------------------

    def _apply(self, nodes: list[Node], relationships: list[Relationship], change: ChangeSet, based_on: int) -> int:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    current = int(self._db.execute(_READ_REVISION).fetchone()[0])
                    if current != based_on:
                        raise WriteConflict(
                            f"the store moved from revision {based_on} to {current} since the change was checked; "
                            "nothing written / 確認後に別の書き込みがありました（書き込みなし）"
                        )
                    revision = self._apply_in_transaction(nodes, relationships, change)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
                return revision
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    # a COMMIT refused for lack of room leaves the transaction open: close it, so
                    # the next write (once there is room) can begin
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise _write_error(self.path, error) from error

    def _apply_in_transaction(self, nodes: list[Node], relationships: list[Relationship], change: ChangeSet) -> int:
        db = self._db
        db.executemany("DELETE FROM rels WHERE id = ?", [(i,) for i in change.delete_relationship_ids])
        db.executemany("DELETE FROM nodes WHERE id = ?", [(i,) for i in change.delete_node_ids])
        upserted = [(n.id,) for n in nodes]
        placeholders = ",".join("?" * len(DERIVED_TYPES))
        db.executemany(
            f"DELETE FROM rels WHERE from_id = ? AND type IN ({placeholders})",
            [(node_id, *map(str, DERIVED_TYPES)) for (node_id,) in upserted],
        )
        db.executemany("DELETE FROM node_refs WHERE node_id = ?", upserted)
        db.executemany(
            "INSERT INTO nodes(id, kind, props) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, props = excluded.props",
            [(n.id, n.kind, json.dumps(n.properties(), ensure_ascii=False, sort_keys=True)) for n in nodes],
        )
        db.executemany(
            "INSERT INTO node_refs(node_id, ref_id) VALUES (?, ?)",
            [(n.id, getattr(n, f)) for n in nodes for f in _REF_FIELDS if getattr(n, f, None)],
        )
        db.executemany(
            "INSERT INTO rels(id, type, from_id, to_id, props) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET type = excluded.type, from_id = excluded.from_id, "
            "to_id = excluded.to_id, props = excluded.props",
            [
                (r.id, str(r.type), r.from_id, r.to_id, json.dumps(r.properties(), ensure_ascii=False, sort_keys=True))
                for r in relationships
            ],
        )
        db.execute(_NEXT_REVISION)
        return int(db.execute(_READ_REVISION).fetchone()[0])

    # -- reading -----------------------------------------------------------------------------

    def _query(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as error:
                raise StoreUnavailable(f"the embedded store cannot be read: {error} / 読み込めません") from error

    def kinds_of(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = list(set(ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._query(f"SELECT id, kind FROM nodes WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update(dict(rows))
        return found

    def parents_of(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = self._query(
                f"SELECT id, json_extract(props, '$.parent_id') FROM nodes WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update({node_id: parent for node_id, parent in rows if parent})
        return found

    def referrers(self, ids: Iterable[str]) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for ref_id in sorted(set(ids)):
            rows = self._query("SELECT node_id FROM node_refs WHERE ref_id = ? ORDER BY node_id", (ref_id,))
            if rows:
                result[ref_id] = [r[0] for r in rows]
        return result

    @staticmethod
    def _node(kind: str, props: str) -> Node:
        return node_from_properties(kind, json.loads(props))

    @staticmethod
    def _rel(props: str) -> Relationship:
        return Relationship.model_validate(json.loads(props))

    def snapshot(self) -> GraphData:
        return self.revision_and_snapshot()[1]

    def revision_and_snapshot(self) -> tuple[int, GraphData]:
        # One read transaction: the revision, the nodes and the ties of one state of the file, whatever
        # another process commits meanwhile.
        with self._lock:
            try:
                self._db.execute("BEGIN")
                try:
                    revision = int(self._db.execute(_READ_REVISION).fetchone()[0])
                    nodes = self._db.execute("SELECT kind, props FROM nodes ORDER BY id").fetchall()
                    rels = self._db.execute("SELECT props FROM rels ORDER BY id").fetchall()
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreUnavailable(f"the embedded store cannot be read: {error} / 読み込めません") from error
        data = GraphData()
        for kind, props in nodes:
            data.add_node(self._node(kind, props))
        for (props,) in rels:
            data.add_relationship(self._rel(props))
        return revision, data

    def get_node(self, node_id: str) -> Node | None:
        rows = self._query("SELECT kind, props FROM nodes WHERE id = ?", (node_id,))
        return self._node(*rows[0]) if rows else None

    def get_relationship(self, relationship_id: str) -> Relationship | None:
        rows = self._query("SELECT props FROM rels WHERE id = ?", (relationship_id,))
        return self._rel(rows[0][0]) if rows else None

    def nodes(self, kind: str | None = None) -> list[Node]:
        if kind is None:
            rows = self._query("SELECT kind, props FROM nodes ORDER BY id")
        else:
            rows = self._query("SELECT kind, props FROM nodes WHERE kind = ? ORDER BY id", (kind,))
        return [self._node(k, p) for k, p in rows]

    def relationships_of(self, node_id: str) -> list[Relationship]:
        rows = self._query("SELECT props FROM rels WHERE from_id = ? OR to_id = ? ORDER BY id", (node_id, node_id))
        return [self._rel(p) for (p,) in rows]

    def revision(self) -> int:
        return int(self._query(_READ_REVISION)[0][0])

    def revision_at_once(self) -> int | None:
        # Not through the shared connection: a snapshot or a write may hold it (and ``_lock``) for a
        # while. In WAL mode a reader on its own connection goes on beside them and reads the last
        # committed revision; busy_timeout 0 makes the rare case SQLite would wait an answer of None.
        if not self._glance_lock.acquire(blocking=False):
            return None
        try:
            if self._closed:
                return None
            if self._glance is None:
                self._glance = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)
            row = self._glance.execute(_READ_REVISION).fetchone()
            return int(row[0])
        except sqlite3.Error:
            return None
        finally:
            self._glance_lock.release()

    def ping(self) -> None:
        self._query("SELECT 1")

    def clear(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM rels")
            self._db.execute("DELETE FROM node_refs")
            self._db.execute("DELETE FROM nodes")
            self._db.execute(_NEXT_REVISION)
            self._db.execute("COMMIT")
        self.ensure_geography()

    def close(self) -> None:
        with self._glance_lock:
            self._closed = True
            if self._glance is not None:
                self._glance.close()
                self._glance = None
        with self._lock:
            self._db.close()
