"""Shared fixtures: a store of each kind, so that one contract suite runs against both.

The Neo4j half talks to a real server: the launcher in tools/neo4j-launcher, started once per
session by the ``neo4j_server`` fixture (or the server NEO4J_URI names).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from secgraph.model.graph import GraphData
from secgraph.store import GraphStore
from secgraph.store.embedded import EmbeddedStore
from secgraph.store.neo4j_store import Neo4jStore
from tests.neo4j_server import Neo4jTarget, neo4j_server  # noqa: F401  (session fixture)

REPO = Path(__file__).resolve().parents[1]
SEED_DATA = REPO / "seed_data"


def open_neo4j(target: Neo4jTarget) -> Neo4jStore:
    return Neo4jStore(target.uri, target.user, target.password, target.database)


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store (only the built-in prefectures and regions) of each kind."""
    if request.param == "embedded":
        opened: GraphStore = EmbeddedStore(tmp_path / "graph.db")
    else:
        opened = open_neo4j(request.getfixturevalue("neo4j_server"))
        opened.clear()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def _seed_loads() -> dict[str, GraphData]:
    """What each kind of store gave back after loading the seed data, filled by ``seed_loaded``."""
    return {}


@pytest.fixture(params=["embedded", "neo4j"])
def seed_loaded(
    request: pytest.FixtureRequest, _seed_loads: dict[str, GraphData], tmp_path_factory: pytest.TempPathFactory
) -> GraphData:
    """The seed data loaded into an empty store of each kind and read back. Loaded once per session
    and kind (a Neo4j load takes seconds); read-only: tests must not change it."""
    from secgraph.io.importer import load

    kind = request.param
    if kind not in _seed_loads:
        if kind == "embedded":
            opened: GraphStore = EmbeddedStore(tmp_path_factory.mktemp("seed-loaded") / "graph.db")
        else:
            opened = open_neo4j(request.getfixturevalue("neo4j_server"))
            opened.clear()
        try:
            report = load(opened, SEED_DATA, progress=False)
            assert report.ok, "\n".join(map(str, report.errors))
            _seed_loads[kind] = opened.snapshot()
        finally:
            opened.close()
    return _seed_loads[kind]


@pytest.fixture(scope="session")
def seed() -> GraphData:
    """The shipped seed data as the embedded store gives it back. Read-only: tests must not change it."""
    import tempfile

    from secgraph.io.importer import load

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "seed.db")
        report = load(store, SEED_DATA, progress=False)
        assert report.ok, "\n".join(map(str, report.errors))
        data = store.snapshot()
        store.close()
    return data
