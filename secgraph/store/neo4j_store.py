"""The Neo4j store, through the official driver.

Every statement it runs is a parameterised file under ``cypher/``; no Cypher is built from text at
run time. Node labels and relationship types cannot be parameters in Cypher, so each label and type
has its own upsert file, chosen from the controlled vocabulary — never from user text.

Every node has the label ``Node`` (unique ``id``) plus its kind; writes MERGE on id, in UNWIND
batches, all inside one transaction, so a refused or failed write changes nothing. A write first
raises the revision counter: that takes the counter's write lock (Cypher locks before it reads a
property that its ``SET`` depends on) and holds it to the commit, so writes from any number of
processes run one at a time, and each sees whether another landed since its change was checked.
``neo4j://`` routing URIs and a database name are passed to the driver as they are, so a cluster or Aura serves
the same way as a single server.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, DatabaseUnavailable, ServiceUnavailable, SessionExpired

from secgraph.model.graph import GraphData, node_from_properties
from secgraph.model.records import NODE_TYPES, Node, Relationship
from secgraph.store.base import ChangeSet, GraphStore, StoreError, StoreUnavailable, WriteConflict

CYPHER_DIR = Path(__file__).resolve().parents[2] / "cypher"
BATCH_SIZE = 5_000
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, ConnectionError, OSError)


@cache
def cypher(name: str) -> str:
    """The statement in ``cypher/<name>.cypher``."""
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.resolve().is_relative_to(CYPHER_DIR):
        raise ValueError(f"no such statement: {name}")
    return path.read_text(encoding="utf-8")


def schema_statements() -> list[str]:
    """The statements of cypher/schema.cypher: comment lines dropped, split at semicolons."""
    lines = [line for line in cypher("schema").splitlines() if not line.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def node_statement(kind: str) -> str:
    if kind not in NODE_TYPES:
        raise ValueError(f"unknown node kind {kind}")
    return cypher(f"nodes/upsert_{_snake(kind)}")


def relationship_statement(rel_type: str) -> str:
    return cypher(f"relationships/upsert_{rel_type.lower()}")


def _chunks(rows: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


class Neo4jStore(GraphStore):
    name = "neo4j"

    def __init__(self, uri: str, user: str | None = None, password: str | None = None, database: str | None = None):
        self.uri = uri
        self.database = database
        auth = (user, password or "") if user else None
        self._driver = neo4j.GraphDatabase.driver(
            uri, auth=auth, connection_acquisition_timeout=10, max_transaction_retry_time=5
        )
        try:
            with self._session() as session:
                for statement in schema_statements():
                    session.run(statement).consume()
        except AuthError as error:
            self._driver.close()
            raise StoreUnavailable(f"Neo4j at {uri} refused the credentials / 認証に失敗しました") from error
        except _UNAVAILABLE as error:
            self._driver.close()
            raise StoreUnavailable(f"Neo4j at {uri} is unreachable: {error} / Neo4jに接続できません") from error
        self.ensure_geography()

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.database)

    def _read(self, name: str, **params: Any) -> list[neo4j.Record]:
        try:
            with self._session() as session:
                return session.execute_read(lambda tx: list(tx.run(cypher(name), **params)))
        except _UNAVAILABLE as error:
            raise StoreUnavailable(f"Neo4j at {self.uri} is unreachable / Neo4jに接続できません: {error}") from error

    # -- writing -----------------------------------------------------------------------------

    def _apply(self, nodes: list[Node], relationships: list[Relationship], change: ChangeSet, based_on: int) -> int:
        def work(tx: neo4j.ManagedTransaction) -> int:
            revision = int(tx.run(cypher("write/bump_revision")).single(strict=True)["revision"])
            if revision != based_on + 1:
                raise WriteConflict(
                    f"the store moved from revision {based_on} to {revision - 1} since the change was checked; "
                    "nothing written / 確認後に別の書き込みがありました（書き込みなし）"
                )
            if change.delete_relationship_ids:
                tx.run(cypher("write/delete_relationships"), ids=change.delete_relationship_ids).consume()
            if change.delete_node_ids:
                tx.run(cypher("write/delete_nodes"), ids=change.delete_node_ids).consume()
            by_kind: dict[str, list[dict]] = {}
            for node in nodes:
                by_kind.setdefault(node.kind, []).append(
                    {"id": node.id, "props": {**node.properties(), "kind": node.kind}}
                )
            for chunk in _chunks([n.id for n in nodes]):
                tx.run(cypher("write/delete_derived_relationships"), ids=chunk).consume()
            for kind, rows in by_kind.items():
                for chunk in _chunks(rows):
                    tx.run(node_statement(kind), rows=chunk).consume()
            by_type: dict[str, list[dict]] = {}
            for rel in relationships:
                by_type.setdefault(str(rel.type), []).append(
                    {"id": rel.id, "from_id": rel.from_id, "to_id": rel.to_id, "props": rel.properties()}
                )
            for rel_type, rows in by_type.items():
                for chunk in _chunks(rows):
                    written = tx.run(relationship_statement(rel_type), rows=chunk).single(strict=True)["written"]
                    if written != len(chunk):
                        # An end was deleted by a concurrent write after the check: refuse the whole change.
                        raise StoreError(
                            f"{len(chunk) - written} {rel_type} relationships lost an end during the write; "
                            "nothing written / 関係の端点が書き込み中に削除されました"
                        )
            return revision

        try:
            with self._session() as session:
                return session.execute_write(work)
        except _UNAVAILABLE as error:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} is unreachable; nothing written / 書き込まれていません"
            ) from error
        except neo4j.exceptions.Neo4jError as error:
            raise StoreError(f"Neo4j refused the write: {error.message} / 書き込みが拒否されました") from error

    # -- reading -----------------------------------------------------------------------------

    def kinds_of(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        for chunk in _chunks(wanted):
            found.update({r["id"]: r["kind"] for r in self._read("read/kinds_of", ids=chunk)})
        return found

    def parents_of(self, ids: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        for chunk in _chunks(wanted):
            found.update({r["id"]: r["parent_id"] for r in self._read("read/parents_of", ids=chunk)})
        return found

    def referrers(self, ids: Iterable[str]) -> dict[str, list[str]]:
        wanted = sorted(set(ids))
        result: dict[str, list[str]] = {}
        for record in self._read("read/referrers", ids=wanted):
            for field_name in ("parent_id", "series_id", "subject_id", "about_id"):
                if record[field_name] in wanted:
                    result.setdefault(record[field_name], []).append(record["id"])
        return dict(sorted(result.items()))

    @staticmethod
    def _node(record: neo4j.Record) -> Node:
        props = dict(record["props"])
        props.pop("kind", None)
        return node_from_properties(record["kind"], props)

    def snapshot(self) -> GraphData:
        data = GraphData()
        for record in self._read("read/all_nodes"):
            data.add_node(self._node(record))
        for record in self._read("read/all_relationships"):
            data.add_relationship(Relationship.model_validate(dict(record["props"])))
        return data

    def get_node(self, node_id: str) -> Node | None:
        records = self._read("read/node_by_id", id=node_id)
        return self._node(records[0]) if records else None

    def get_relationship(self, relationship_id: str) -> Relationship | None:
        records = self._read("read/relationship_by_id", id=relationship_id)
        return Relationship.model_validate(dict(records[0]["props"])) if records else None

    def nodes(self, kind: str | None = None) -> list[Node]:
        if kind is None:
            return [self._node(r) for r in self._read("read/all_nodes")]
        return [self._node(r) for r in self._read("read/nodes_by_kind", kind=kind)]

    def relationships_of(self, node_id: str) -> list[Relationship]:
        return [
            Relationship.model_validate(dict(r["props"])) for r in self._read("read/relationships_of_node", id=node_id)
        ]

    def revision(self) -> int:
        return int(self._read("read/revision")[0]["revision"])

    def ping(self) -> None:
        self._read("read/ping")

    def clear(self) -> None:
        try:
            with self._session() as session:
                session.run(cypher("write/clear")).consume()
                session.run(cypher("write/bump_revision")).consume()
        except _UNAVAILABLE as error:
            raise StoreUnavailable(f"Neo4j at {self.uri} is unreachable / Neo4jに接続できません") from error
        self.ensure_geography()

    def close(self) -> None:
        self._driver.close()
