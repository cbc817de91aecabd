"""バックアップと復元 / Backup and restore: the whole graph as one JSON export, and back.

A backup is the JSON export (``secgraph.io.json_graph``) of everything the store holds, confidential
records and personal names included. It is written to a temporary file beside the target and
renamed into place, so a backup interrupted half-way never leaves a half file under the real name.

A restore loads a backup into an empty store of either kind, all or nothing, through the same
checks as every import. Into a store that already holds records it is refused: restoring is putting
back what was, not merging (``secgraph load`` merges).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from secgraph.io.importer import LoadReport, load
from secgraph.io.json_graph import dump_graph, user_nodes, written_relationships
from secgraph.store import GraphStore


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds: the file, its size, the store revision it was taken at, counts per kind."""

    path: Path
    size_bytes: int
    revision: int
    nodes: dict[str, int]
    relationships: int


class RestoreRefused(Exception):
    """The target store already holds records: nothing was written."""


def backup(store: GraphStore, path: str | Path) -> BackupReport:
    """Write the whole graph of ``store`` to ``path`` as a JSON export (atomically)."""
    target = Path(path)
    revision = store.revision()
    data = store.snapshot()
    content = dump_graph(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    nodes = Counter(node.kind for node in user_nodes(data))
    return BackupReport(target, len(content), revision, dict(sorted(nodes.items())), len(written_relationships(data)))


def restore(store: GraphStore, path: str | Path) -> LoadReport:
    """Load the backup at ``path`` into ``store``, which must hold no records yet."""
    held = Counter(node.kind for node in user_nodes(store.snapshot()))
    if held:
        counts = ", ".join(f"{kind} {count}" for kind, count in sorted(held.items()))
        raise RestoreRefused(
            f"復元先のストアは空ではありません（{counts}）。何も書き込んでいません。空のストアに復元するか、"
            f"追加するなら secgraph load を使ってください。 / The store to restore into is not empty ({counts}); "
            "nothing was written. Restore into an empty store, or use `secgraph load` to add to this one."
        )
    return load(store, path)
