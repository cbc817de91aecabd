"""The contract every store keeps, and the checks every write passes before it touches a store.

A write is a ``ChangeSet``. ``GraphStore.write`` checks the whole change against the store's
current state (every referenced id defined, every relationship joining kinds it may join, no id
used for two kinds) and then applies it in one transaction: all of it, or — on any error — none.

Several processes may write to one store (``secgraph serve --workers``, the command line beside a
running service). The check reads the store before the transaction, so the transaction itself makes
sure nothing landed in between: it takes the store's write lock, compares the revision with the one
the check was made on, and writes only if they are equal (``WriteConflict`` otherwise, nothing
written). Every write raises the revision in its own transaction, so an equal revision means the
store is exactly as checked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from secgraph.model.graph import (
    GraphData,
    derived_relationships,
    endpoint_error,
    geography_graph,
    referenced_ids,
)
from secgraph.model.records import Node, Relationship
from secgraph.model.vocabulary import DERIVED_REL_TYPES, RelType

#: How often ``write`` checks a change again when other writers keep landing between its check and
#: its transaction. Each conflict means another write succeeded, so the store as a whole goes on.
WRITE_ATTEMPTS = 20

#: Relationship types that only ever follow from node fields; a node's upsert replaces them (the
#: built-in geography's IN_REGION is never upserted).
DERIVED_TYPES: tuple[RelType, ...] = tuple(t for t in DERIVED_REL_TYPES if t != RelType.IN_REGION)


class StoreError(Exception):
    """A write was refused or failed; nothing was changed."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (a Neo4j server down, a data folder unreadable)."""


class WriteConflict(StoreError):
    """Another write landed after the revision a change was checked against; nothing was written.
    Checking the change again against the store as it now is, and writing then, is the remedy."""


class StorageFull(StoreError):
    """The store's disk is full or its data folder read-only: the write was rolled back whole."""


@dataclass(frozen=True)
class Problem:
    """One reason a change was refused: which record, which field, why."""

    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


class ChangeRefused(StoreError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"change refused, nothing written / 変更は拒否され、何も書き込まれていません:\n{shown}{more}")


@dataclass
class ChangeSet:
    """Nodes and relationships to create or replace, and ids to delete, applied as one."""

    nodes: list[Node] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    delete_node_ids: list[str] = field(default_factory=list)
    delete_relationship_ids: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.nodes or self.relationships or self.delete_node_ids or self.delete_relationship_ids)


class GraphStore(ABC):
    """A place the graph lives: the embedded default or Neo4j."""

    name: str

    # -- what each store implements -------------------------------------------------------------

    @abstractmethod
    def _apply(self, nodes: list[Node], relationships: list[Relationship], change: ChangeSet, based_on: int) -> int:
        """Apply a checked change in one transaction, holding the store's write lock, if the store is
        still at revision ``based_on`` (the one it was checked on); else raise ``WriteConflict`` and
        change nothing. Return the new revision (``based_on + 1``)."""

    @abstractmethod
    def kinds_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The kind of each id that exists."""

    @abstractmethod
    def parents_of(self, ids: Iterable[str]) -> dict[str, str]:
        """For each id whose node names a parent (``parent_id``), that parent's id."""

    @abstractmethod
    def referrers(self, ids: Iterable[str]) -> dict[str, list[str]]:
        """For each id, the nodes whose fields name it (parent, series, subject of a count or note)."""

    @abstractmethod
    def snapshot(self) -> GraphData:
        """Every node and relationship, sorted by id."""

    @abstractmethod
    def get_node(self, node_id: str) -> Node | None: ...

    @abstractmethod
    def get_relationship(self, relationship_id: str) -> Relationship | None: ...

    @abstractmethod
    def nodes(self, kind: str | None = None) -> list[Node]:
        """Nodes of one kind (or all), sorted by id."""

    @abstractmethod
    def relationships_of(self, node_id: str) -> list[Relationship]:
        """Every relationship that starts or ends at ``node_id``, sorted by id."""

    @abstractmethod
    def revision(self) -> int:
        """A number that grows with every write: analyses cache on it."""

    def revision_at_once(self) -> int | None:
        """``revision()`` when it can be read at once, without waiting on a lock, another transaction
        or the network (so an event loop may ask), else None: then ask ``revision()`` on a thread.
        A store that cannot promise that answers None always."""
        return None

    #: How often ``revision_and_snapshot`` reads again when a write lands while it reads.
    SNAPSHOT_ATTEMPTS = 3

    def revision_and_snapshot(self) -> tuple[int, GraphData]:
        """The whole graph and the revision it is at.

        A store that cannot read both in one consistent transaction reads the revision before and after
        the graph: equal, nothing was written in between, so the graph is that revision's. When writes
        keep landing, the graph is labelled with the revision read before it, never newer than what
        was read (a cache keyed on it is then read again at the next request)."""
        before = -1
        for _ in range(self.SNAPSHOT_ATTEMPTS):
            before = self.revision()
            data = self.snapshot()
            if self.revision() == before:
                return before, data
        return before, data

    @abstractmethod
    def ping(self) -> None:
        """Raise StoreUnavailable when the store cannot be reached."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything, then create the built-in prefectures and regions again."""

    @abstractmethod
    def close(self) -> None: ...

    # -- shared behaviour ------------------------------------------------------------------------

    def ensure_geography(self) -> None:
        """Create the built-in prefectures and regions if they are missing."""
        geography = geography_graph()
        missing = set(geography.nodes) - set(self.kinds_of(geography.nodes))
        if missing:
            self.write(
                ChangeSet(nodes=list(geography.nodes.values()), relationships=list(geography.relationships.values()))
            )

    def write(self, change: ChangeSet, based_on: int | None = None) -> int:
        """Check ``change`` against the store and apply it atomically; return the new revision.

        ``based_on``: the revision the caller judged the change on (its own checks: the access policy,
        duplicate names). If the store has moved past it, ``WriteConflict`` is raised and nothing is
        written, so that the caller can judge again. Without it, the store's own check is made again
        whenever another write lands between that check and the transaction."""
        if change.is_empty():
            return self.revision()
        change = self._replacing_old_parents(change)
        relationships = list(change.relationships)
        for node in change.nodes:
            relationships.extend(derived_relationships(node))
        attempt = 0
        while True:
            attempt += 1
            revision = self.revision() if based_on is None else based_on
            problems = self._check(change, relationships)
            if problems:
                raise ChangeRefused(problems)
            try:
                return self._apply(change.nodes, relationships, change, revision)
            except WriteConflict:
                if based_on is not None or attempt >= WRITE_ATTEMPTS:
                    raise

    def _replacing_old_parents(self, change: ChangeSet) -> ChangeSet:
        """``change`` that also deletes the SUB_UNIT_OF tie an organisation's former ``parent_id`` made:
        a node's parent is one, so a new parent replaces the old tie rather than adding a second.
        (The tie's id follows from its ends alone, so the old one is found without reading it.)"""
        upserted = {node.id: getattr(node, "parent_id", None) for node in change.nodes if node.kind == "Organisation"}
        if not upserted:
            return change
        stale = [
            str(_parent_tie(node_id, old).id)
            for node_id, old in sorted(self.parents_of(upserted).items())
            if old != upserted[node_id]
        ]
        if not stale:
            return change
        return ChangeSet(
            nodes=change.nodes,
            relationships=change.relationships,
            delete_node_ids=change.delete_node_ids,
            delete_relationship_ids=[*change.delete_relationship_ids, *stale],
        )

    def _check(self, change: ChangeSet, relationships: list[Relationship]) -> list[Problem]:
        problems: list[Problem] = []
        batch_kinds: dict[str, str] = {}
        for node in change.nodes:
            if batch_kinds.setdefault(node.id, node.kind) != node.kind:
                problems.append(
                    Problem(node.id, "id", "the same id is given to two kinds / 同じIDが2種類に使われています")
                )
        deleted = set(change.delete_node_ids)
        wanted = {rel.from_id for rel in relationships} | {rel.to_id for rel in relationships}
        wanted |= {ref for node in change.nodes for _, ref in referenced_ids(node)}
        wanted |= set(batch_kinds)
        stored_kinds = self.kinds_of(wanted - deleted)
        for node_id, kind in batch_kinds.items():
            stored = stored_kinds.get(node_id)
            if stored is not None and stored != kind:
                problems.append(Problem(node_id, "id", f"already used by a {stored} / 既に{stored}のIDです"))

        def kind_of(node_id: str) -> str | None:
            if node_id in deleted:
                return None
            return batch_kinds.get(node_id) or stored_kinds.get(node_id)

        for node in change.nodes:
            for field_name, ref in referenced_ids(node):
                if kind_of(ref) is None:
                    problems.append(
                        Problem(node.id, field_name, f"'{ref}' is not defined / 「{ref}」が定義されていません")
                    )
        for rel in relationships:
            error = endpoint_error(rel, kind_of(rel.from_id), kind_of(rel.to_id))
            if error:
                problems.append(Problem(str(rel.id), "from_id/to_id", error))
        if deleted:
            for node_id, names in self.referrers(deleted).items():
                keeping = [n for n in names if n not in deleted]
                if keeping:
                    problems.append(
                        Problem(node_id, "id", "still referred to by / 参照されています: " + ", ".join(keeping))
                    )
        return problems

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph for analysis: nodes keyed by id, edges keyed by relationship id."""
        return graph_to_networkx(self.snapshot())


def _parent_tie(node_id: str, parent_id: str) -> Relationship:
    """The SUB_UNIT_OF tie ``parent_id`` derives (only its id matters: it depends on the ends alone)."""
    return Relationship(type=RelType.SUB_UNIT_OF, from_id=node_id, to_id=parent_id, source="-", as_of="2000")


def graph_to_networkx(data: GraphData) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node in data.nodes.values():
        graph.add_node(node.id, kind=node.kind, **node.properties())
    for rel in data.relationships.values():
        graph.add_edge(rel.from_id, rel.to_id, key=rel.id, **rel.properties())
    return graph
