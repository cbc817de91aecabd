"""Backup and restore: one command writes the whole graph, another puts it back into an empty store
of either kind with nothing lost — tested across kinds, embedded → Neo4j and Neo4j → embedded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secgraph.io.backup import RestoreRefused, backup, restore
from secgraph.io.importer import load
from secgraph.model.records import Note
from secgraph.store import ChangeSet, GraphStore
from secgraph.store.embedded import EmbeddedStore
from tests.conftest import SEED_DATA, open_neo4j

CONFIDENTIAL_NOTE = Note(
    id="note-confidential",
    text="次回は保険会社に声をかける（秘）",
    about_id="s001-com-kansai-secnet",
    confidential=True,
    source="backup test",
    as_of="2026-11",
)


def _seeded(store: GraphStore) -> GraphStore:
    assert load(store, SEED_DATA).ok
    store.write(ChangeSet(nodes=[CONFIDENTIAL_NOTE]))
    return store


@pytest.mark.neo4j
def test_a_backup_restores_into_the_other_kind_of_store_with_nothing_lost(neo4j_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    embedded = _seeded(EmbeddedStore(tmp_path / "first.db"))
    neo4j = open_neo4j(neo4j_server)
    neo4j.clear()
    try:
        original = embedded.snapshot()
        first = backup(embedded, tmp_path / "embedded.json")
        assert first.nodes["Organisation"] == len([n for n in original.nodes.values() if n.kind == "Organisation"])
        assert restore(neo4j, first.path).written
        assert neo4j.snapshot() == original  # every record and tie, confidential ones and names included

        # and back again: Neo4j → a second embedded store
        second = backup(neo4j, tmp_path / "neo4j.json")
        assert second.path.read_bytes() == first.path.read_bytes()
        again = EmbeddedStore(tmp_path / "second.db")
        try:
            assert restore(again, second.path).written
            assert again.snapshot() == original
        finally:
            again.close()
    finally:
        neo4j.clear()
        neo4j.close()
        embedded.close()


def test_a_restore_into_a_store_with_records_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    store = _seeded(EmbeddedStore(tmp_path / "graph.db"))
    try:
        made = backup(store, tmp_path / "backup.json")
        store.write(ChangeSet(delete_node_ids=[CONFIDENTIAL_NOTE.id]))
        before, revision = store.snapshot(), store.revision()
        with pytest.raises(RestoreRefused, match="not empty"):
            restore(store, made.path)
        assert store.snapshot() == before and store.revision() == revision
    finally:
        store.close()


def test_the_commands_back_up_and_restore(tmp_path: Path) -> None:
    _seeded(EmbeddedStore(tmp_path / "graph.db")).close()
    file = tmp_path / "backups" / "secgraph.json"

    def secgraph(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SECGRAPH_DB": str(db), "SECGRAPH_STORE": "embedded"}
        env.pop("NEO4J_URI", None)
        command = [sys.executable, "-m", "secgraph.cli", "--lang", "en", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)

    made = secgraph(tmp_path / "graph.db", "backup", str(file))
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stdout and file.exists()
    assert not [p for p in file.parent.iterdir() if p.name.endswith(".part")]  # no temporary left behind

    restored = secgraph(tmp_path / "restored.db", "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    refused = secgraph(tmp_path / "restored.db", "restore", str(file))
    assert refused.returncode == 2 and "not empty" in refused.stderr

    first, second = EmbeddedStore(tmp_path / "graph.db"), EmbeddedStore(tmp_path / "restored.db")
    try:
        assert second.snapshot() == first.snapshot()
    finally:
        first.close()
        second.close()
