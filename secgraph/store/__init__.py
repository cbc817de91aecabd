"""Where the graph lives: the embedded default (SQLite file) or Neo4j, behind one contract."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from secgraph.store.base import (
    ChangeRefused,
    ChangeSet,
    GraphStore,
    Problem,
    StorageFull,
    StoreError,
    StoreUnavailable,
    WriteConflict,
    graph_to_networkx,
)

__all__ = [
    "ChangeRefused",
    "ChangeSet",
    "GraphStore",
    "Problem",
    "StorageFull",
    "StoreError",
    "StoreSettings",
    "StoreUnavailable",
    "WriteConflict",
    "graph_to_networkx",
    "open_store",
]

DEFAULT_DB_PATH = Path("var") / "secgraph.db"


@dataclass(frozen=True)
class StoreSettings:
    """Which store to open. From the environment: SECGRAPH_STORE (embedded | neo4j),
    SECGRAPH_DB (the embedded file), NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE."""

    kind: str = "embedded"
    db_path: Path = DEFAULT_DB_PATH
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None

    @classmethod
    def from_env(cls) -> StoreSettings:
        uri = os.environ.get("NEO4J_URI") or None
        kind = os.environ.get("SECGRAPH_STORE") or ("neo4j" if uri else "embedded")
        return cls(
            kind=kind,
            db_path=Path(os.environ.get("SECGRAPH_DB") or DEFAULT_DB_PATH),
            neo4j_uri=uri,
            neo4j_user=os.environ.get("NEO4J_USER") or None,
            neo4j_password=os.environ.get("NEO4J_PASSWORD") or None,
            neo4j_database=os.environ.get("NEO4J_DATABASE") or None,
        )

    def describe(self) -> str:
        return f"neo4j {self.neo4j_uri}" if self.kind == "neo4j" else f"embedded {self.db_path}"


def open_store(settings: StoreSettings | None = None) -> GraphStore:
    settings = settings or StoreSettings.from_env()
    if settings.kind == "embedded":
        from secgraph.store.embedded import EmbeddedStore

        return EmbeddedStore(settings.db_path)
    if settings.kind == "neo4j":
        if not settings.neo4j_uri:
            raise StoreError("SECGRAPH_STORE=neo4j needs NEO4J_URI / NEO4J_URI を設定してください")
        from secgraph.store.neo4j_store import Neo4jStore

        return Neo4jStore(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database)
    raise StoreError(f"unknown store '{settings.kind}' (embedded or neo4j) / 不明なストアです")
