"""The service layer: the store behind a holder that recovers by itself, the graph as each role
may see it (cached per store revision), and writes checked against the access policy.

Routers call these methods and translate nothing but HTTP; the command line calls them too.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from secgraph.access import Principal, Role, Visibility, shown_visibility, visible_graph, write_refusals
from secgraph.access.policy import PLANNER_NODE_KINDS, PLANNER_REL_TYPES
from secgraph.api.problems import ProblemError, not_found
from secgraph.api.queries import FilterError, GraphView, NodeFilters, find_nodes, find_relationships
from secgraph.model.graph import GraphData, referenced_ids
from secgraph.model.names import record_name_keys
from secgraph.model.records import Headcount, Mergeable, Node, Relationship
from secgraph.model.vocabulary import USER_REL_TYPES, RelType
from secgraph.store import ChangeRefused, ChangeSet, GraphStore, StoreSettings, WriteConflict, open_store
from secgraph.store.base import WRITE_ATTEMPTS, Problem

#: Prefixes of the ids the service makes when a new record comes without one.
ID_PREFIXES: dict[str, str] = {
    "Organisation": "org",
    "Person": "per",
    "Community": "com",
    "EventSeries": "ser",
    "Event": "ev",
    "Headcount": "hc",
    "Note": "note",
}
Record = TypeVar("Record", Node, Relationship)
Params = ParamSpec("Params")
Written = TypeVar("Written")

#: What stands in a refusal for the id of a record the key may not see.
HIDDEN_ID = "〔非表示〕"
ID_ASSIGNED = (
    "ids are assigned by the service for keys that do not see every record "
    "/ 全記録を見られないキーのIDは自動で付与されます"
)
#: A token that could be a record's id (records.ID_PATTERN without its length limit).
_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]*")

#: Kinds whose names identify them: a second record under the same name would be a duplicate.
_NAMED_KINDS = ("Organisation", "Community", "EventSeries")


class StoreHolder:
    """The store, opened on first use and again after a failed open.

    A Neo4j server that is down when the service starts must not keep the service down after it
    comes back: nothing failed is kept, so the next request tries again. Once open, the Neo4j driver
    reconnects by itself.
    """

    def __init__(self, settings: StoreSettings, store: GraphStore | None = None):
        self.settings = settings
        self._store = store
        self._owned = store is None
        self._lock = threading.Lock()

    def get(self) -> GraphStore:
        store = self._store
        if store is not None:
            return store
        with self._lock:
            if self._store is None:
                self._store = open_store(self.settings)
            return self._store

    def opened(self) -> GraphStore | None:
        """The store if it is open already (never opens it: opening may wait on a server)."""
        return self._store

    @property
    def kind(self) -> str:
        return self._store.name if self._store is not None else self.settings.kind

    def close(self) -> None:
        with self._lock:
            if self._store is not None and self._owned:
                self._store.close()
                self._store = None


@dataclass(frozen=True)
class Page:
    total: int
    offset: int
    limit: int
    items: list


def page(items: list, offset: int, limit: int) -> Page:
    return Page(total=len(items), offset=offset, limit=limit, items=items[offset : offset + limit])


def forbidden(problems: list[Problem]) -> ProblemError:
    return ProblemError(
        403,
        "this key may not make this change; nothing was written / このキーではこの変更はできません（書き込みなし）",
        [{"record": p.record, "field": p.field, "reason": p.reason} for p in problems],
    )


def filters_or_422(**values: str | None) -> NodeFilters:
    try:
        return NodeFilters.parse(**values)
    except FilterError as error:
        raise ProblemError(422, str(error), [{"field": error.field, "reason": error.reason}]) from None


def judged_again_on_conflict(write: Callable[Params, Written]) -> Callable[Params, Written]:
    """``write`` run again from the start — read the graph, judge the change (access policy, names,
    ids), write — when another process wrote between its judgement and its transaction
    (``WriteConflict``: nothing was written). After ``WRITE_ATTEMPTS`` the conflict goes to the
    caller (HTTP 503 with Retry-After)."""

    @functools.wraps(write)
    def judged(*args: Params.args, **kwargs: Params.kwargs) -> Written:
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return write(*args, **kwargs)
            except WriteConflict:
                continue
        return write(*args, **kwargs)

    return judged


class GraphService:
    def __init__(self, holder: StoreHolder, pseudonym_key: bytes):
        self.holder = holder
        self.pseudonym_key = pseudonym_key
        self._lock = threading.Lock()
        #: Held from the policy check to the end of the write, so that what was checked is what is
        #: written over (no other write of this process in between). Other processes writing to the
        #: same store are kept out by the store: a write names the revision it was judged on
        #: (``GraphStore.write(based_on=…)``) and is judged again if another landed since.
        self.write_lock = threading.RLock()
        self._data: tuple[int, GraphData] | None = None
        self._views: dict[Visibility, GraphView] = {}
        #: Names of the graph held in ``_data``, by kind and name key (for the duplicate check).
        self._names: tuple[GraphData, dict[tuple[str, str], list[str]]] | None = None
        #: Each named record's name keys, kept while the record object is the same one.
        self._name_keys: dict[str, tuple[Node, frozenset[str]]] = {}

    @property
    def store(self) -> GraphStore:
        return self.holder.get()

    # -- the graph, cached per revision ---------------------------------------------------------

    def snapshot(self) -> tuple[int, GraphData]:
        """The whole graph and its revision. One cheap revision read per call; the graph itself is
        read again only after a write (by this process or any other)."""
        store = self.store
        revision = store.revision()
        with self._lock:
            if self._data is not None and self._data[0] == revision:
                return self._data
        revision, data = store.revision_and_snapshot()
        with self._lock:
            if self._data is None or self._data[0] != revision:
                self._data = (revision, data)
                self._views = {}
            return self._data

    def revision_at_once(self) -> int | None:
        """The store's revision when it can be read without waiting (``GraphStore.revision_at_once``),
        else None. The same number ``snapshot`` would hold the graph at, read as freshly."""
        store = self.holder.opened()
        return store.revision_at_once() if store is not None else None

    def view(self, visibility: Visibility) -> GraphView:
        revision, data = self.snapshot()
        with self._lock:
            cached = self._views.get(visibility)
        if cached is not None and cached.revision == revision:
            return cached
        built = GraphView(revision, visible_graph(data, visibility, self.pseudonym_key))
        with self._lock:
            if self._data is not None and self._data[0] == revision:
                self._views[visibility] = built
        return built

    def view_for(self, principal: Principal, hide_names: bool = False) -> GraphView:
        """What ``principal`` sees, with names hidden when asked (``access.shown_visibility``): the
        one view every read and output is drawn from."""
        return self.view(shown_visibility(principal, hide_names))

    # -- reading -------------------------------------------------------------------------------

    def list_nodes(
        self, principal: Principal, kinds: tuple[str, ...], filters: NodeFilters, offset: int, limit: int
    ) -> Page:
        return page(find_nodes(self.view_for(principal), kinds, filters), offset, limit)

    def get_node(self, principal: Principal, kind: str, node_id: str) -> Node:
        node = self.view_for(principal).node(node_id, kind)
        if node is None:
            raise not_found(kind, node_id)
        return node

    def list_relationships(
        self,
        principal: Principal,
        offset: int,
        limit: int,
        rel_type: RelType | None = None,
        node: str | None = None,
        from_id: str | None = None,
        to_id: str | None = None,
    ) -> tuple[GraphView, Page]:
        view = self.view_for(principal)
        return view, page(find_relationships(view, rel_type, node, from_id, to_id), offset, limit)

    def get_relationship(self, principal: Principal, rel_id: str) -> tuple[GraphView, Relationship]:
        view = self.view_for(principal)
        rel = view.data.relationships.get(rel_id)
        if rel is None:
            raise not_found("relationship", rel_id)
        return view, rel

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def _writing(self, principal: Principal) -> Iterator[GraphData]:
        if principal.role == Role.VIEWER:
            raise forbidden([Problem("*", "role", "viewers cannot write / 閲覧者は書き込めません")])
        with self.write_lock:
            yield self.snapshot()[1]

    def _write(self, principal: Principal, data: GraphData, change: ChangeSet) -> int:
        # References first: that check sees only what the key sees, so an id it may not see is refused
        # as one that does not exist before the policy (which judges on the whole graph) says anything.
        self._check_references_visible(principal, change)
        refusals = write_refusals(principal, data, change)
        if refusals:
            raise forbidden(self._masked(principal, data, refusals))
        with self._lock:
            before = self._data[0] if self._data is not None and self._data[1] is data else None
        if before is None:
            # a newer graph has been read meanwhile: another process wrote since ``data`` was judged
            raise WriteConflict("the graph changed while the change was judged / 判断中にグラフが変わりました")
        try:
            revision = self.store.write(change, based_on=before)
        except ChangeRefused as error:
            if principal.visibility == Visibility.FULL:
                raise
            raise ChangeRefused(self._masked(principal, data, error.problems)) from None
        self._advance(before, data, revision, change)
        return revision

    def _advance(self, before: int, data: GraphData, revision: int, change: ChangeSet) -> None:
        """Hold the graph as of this process's own write without reading all of it again.

        Reading the whole graph after every write was most of a write's time (and grows with the
        graph). When the write took the store from exactly the revision held to the next one, nothing
        else changed in between, so the graph after it is the one held with the records the write
        touched read back from the store — each touched node and every tie at it (derived ties and
        deletions included, as the store applied them), and each touched relationship. The store stays
        the source of truth: anything else (another writer before or during this) leaves the graph to
        be read whole at the next request, as before.
        """
        if revision != before + 1:
            return
        store = self.store
        node_ids = {n.id for n in change.nodes} | set(change.delete_node_ids)
        rel_ids = {str(r.id) for r in change.relationships} | set(change.delete_relationship_ids)
        nodes = dict(data.nodes)
        relationships = {
            rel_id: rel
            for rel_id, rel in data.relationships.items()
            if rel.from_id not in node_ids and rel.to_id not in node_ids
        }
        for node_id in node_ids:
            _put(nodes, node_id, store.get_node(node_id))
            relationships.update((str(rel.id), rel) for rel in store.relationships_of(node_id))
        for rel_id in rel_ids:
            _put(relationships, rel_id, store.get_relationship(rel_id))
        if store.revision() != revision:
            return  # another write landed while the touched records were read
        after = GraphData(_by_id(nodes, data.nodes), _by_id(relationships, data.relationships))
        with self._lock:
            if self._data is not None and self._data[0] == before and self._data[1] is data:
                self._data = (revision, after)
                self._views = {}

    def _check_references_visible(self, principal: Principal, change: ChangeSet) -> None:
        """A role that cannot see a record cannot tie to it either: an id it may not see is reported
        exactly as an id that does not exist."""
        if principal.visibility == Visibility.FULL:
            return
        visible = self.view_for(principal).data.nodes
        created = {n.id for n in change.nodes}
        problems: list[Problem] = []
        for node in change.nodes:
            for field_name, ref in referenced_ids(node):
                if ref not in visible and ref not in created:
                    problems.append(Problem(node.id, field_name, _undefined(ref)))
        for rel in change.relationships:
            for field_name, ref in (("from_id", rel.from_id), ("to_id", rel.to_id)):
                if ref not in visible and ref not in created:
                    problems.append(Problem(str(rel.id), field_name, _undefined(ref)))
        if problems:
            raise ProblemError(
                409,
                "the change names records that do not exist; nothing was written / 存在しない記録を参照しています",
                [{"record": p.record, "field": p.field, "reason": p.reason} for p in problems],
            )

    def _masked(self, principal: Principal, data: GraphData, problems: list[Problem]) -> list[Problem]:
        """``problems`` with every id of a record the key may not see replaced by 〔非表示〕: a refusal
        (a deletion still referred to by a confidential count, a claim blocked by a hidden edition)
        must not hand out the id of a record the key could not read."""
        if principal.visibility == Visibility.FULL:
            return problems
        visible = self.view_for(principal).data

        def hidden(record_id: str) -> bool:
            known = record_id in data.nodes or record_id in data.relationships
            return known and record_id not in visible.nodes and record_id not in visible.relationships

        def masked(text: str) -> str:
            return _ID_TOKEN.sub(lambda m: HIDDEN_ID if hidden(m.group(0)) else m.group(0), text)

        return [Problem(masked(p.record), p.field, masked(p.reason)) for p in problems]

    def _fresh_id(self, principal: Principal, data: GraphData, node: Node, id_chosen: bool) -> Node:
        """``node`` under a new id the service picks, for a key that does not see every record.

        Such a key may not choose ids: an id it chose that a confidential record holds could neither
        be given to it nor refused without telling it that the record exists. A headcount's id
        follows from what it counts; the same count the key can already see is refused as a
        duplicate, one it cannot see is not looked at."""
        if id_chosen:
            raise ProblemError(
                422,
                "this key cannot choose record ids: omit the id and the service assigns one "
                "/ このキーではIDを指定できません。IDを省略すると自動で付与されます",
                [{"field": "id", "reason": ID_ASSIGNED, "record": node.id}],
            )
        if isinstance(node, Headcount):
            same = node.derived_id()
            for other in self.view_for(principal).data.nodes.values():
                if isinstance(other, Headcount) and other.derived_id() == same:
                    raise _id_used(other.id)
        fresh = new_id(node.kind)
        while fresh in data.nodes:
            fresh = new_id(node.kind)
        return node.model_copy(update={"id": fresh})

    def _fresh_relationship_id(self, principal: Principal, data: GraphData, rel: Relationship) -> Relationship:
        """``rel`` under a new id, for a key that does not see every record (see ``_fresh_id``); a
        tie the key can see with the same type, ends, role and start is refused as a duplicate."""
        same = rel.derive_id()
        if rel.id != same:
            raise ProblemError(
                422,
                "this key cannot choose relationship ids: omit the id and the service assigns one "
                "/ このキーでは関係のIDを指定できません。IDを省略すると自動で付与されます",
                [{"field": "id", "reason": ID_ASSIGNED, "record": str(rel.id)}],
            )
        for other in self.view_for(principal).data.relationships.values():
            if other.from_id == rel.from_id and other.to_id == rel.to_id and other.derive_id() == same:
                raise _relationship_exists(str(other.id))
        fresh = new_relationship_id()
        while fresh in data.relationships:
            fresh = new_relationship_id()
        return rel.model_copy(update={"id": fresh})

    @staticmethod
    def _kind_refusal(principal: Principal, kind: str) -> None:
        """Refuse at once what the role may never write, before looking anything up."""
        why: str | None = None
        if principal.role == Role.PLANNER and kind not in PLANNER_NODE_KINDS:
            why = "planners write only notes / 企画担当が書けるのはメモだけです"
        elif principal.role == Role.SECRETARIAT and kind in ("Organisation", "Person"):
            why = "organisations and people are changed by an administrator / 団体と人物は管理者が変更します"
        elif principal.role == Role.VIEWER:
            why = "viewers cannot write / 閲覧者は書き込めません"
        if why:
            raise forbidden([Problem(kind, "kind", why)])

    @staticmethod
    def _rel_type_refusal(principal: Principal, rel_type: RelType) -> None:
        if principal.role == Role.VIEWER:
            raise forbidden([Problem("relationship", "type", "viewers cannot write / 閲覧者は書き込めません")])
        if principal.role == Role.PLANNER and rel_type not in PLANNER_REL_TYPES:
            raise forbidden(
                [
                    Problem(
                        "relationship",
                        "type",
                        "planners write only LONG_LISTED and CONTACTED ties / 企画担当の関係はロングリストと接触のみ",
                    )
                ]
            )

    def _names_of(self, data: GraphData) -> dict[tuple[str, str], list[str]]:
        """Ids of the named records of ``data`` by (kind, name key), made once per graph held; a
        record unchanged since the last graph keeps its keys (normalising names was most of the check)."""
        with self._lock:
            if self._names is not None and self._names[0] is data:
                return self._names[1]
        index: dict[tuple[str, str], list[str]] = {}
        known = self._name_keys
        for other in data.nodes.values():
            if other.kind not in _NAMED_KINDS:
                continue
            cached = known.get(other.id)
            if cached is None or cached[0] is not other:
                cached = known[other.id] = (other, frozenset(record_name_keys(other)))
            for key in cached[1]:
                index.setdefault((other.kind, key), []).append(other.id)
        for gone in known.keys() - data.nodes.keys():
            del known[gone]
        with self._lock:
            self._names = (data, index)
        return index

    def _name_conflicts(self, principal: Principal, data: GraphData, node: Node) -> None:
        if node.kind not in _NAMED_KINDS:
            return
        index = self._names_of(data)
        same = {i for key in record_name_keys(node) for i in index.get((node.kind, key), ()) if i != node.id}
        visible = self.view_for(principal).data.nodes
        if principal.visibility != Visibility.FULL:
            # A name only a record the key cannot see holds reads as free, as its id does.
            same &= visible.keys()
        if not same:
            return
        other_id = min(same)  # the first by id, as a scan of the graph meets it
        shown = f" ('{other_id}')" if other_id in visible else ""
        raise ProblemError(
            409,
            f"a record of kind {node.kind} with this name exists{shown}: add the name as an alias there "
            f"/ 同じ名前の記録が既にあります{shown}。別名として追加してください",
            [{"field": "name", "reason": "duplicate name / 名前が重複しています", "record": node.id}],
        )

    @judged_again_on_conflict
    def create_node(
        self, principal: Principal, node: Node, organised_by: str | None = None, id_chosen: bool = True
    ) -> Node:
        """Create ``node``; ``id_chosen`` says its id came from the caller (not made for it)."""
        self._kind_refusal(principal, node.kind)
        node = _attributed(principal, node)
        with self._writing(principal) as data:
            if principal.visibility != Visibility.FULL:
                node = self._fresh_id(principal, data, node, id_chosen)
            elif node.id in data.nodes:
                raise _id_used(node.id)
            self._name_conflicts(principal, data, node)
            change = ChangeSet(nodes=[node])
            if organised_by:
                change.relationships.append(
                    Relationship(
                        type=RelType.ORGANISED,
                        from_id=organised_by,
                        to_id=node.id,
                        source=node.source,
                        as_of=node.as_of,
                        confidential=node.confidential,
                    )
                )
            self._write(principal, data, change)
        return node

    @judged_again_on_conflict
    def replace_node(self, principal: Principal, kind: str, node_id: str, node: Node) -> Node:
        self._kind_refusal(principal, kind)
        node = _attributed(principal, node)
        with self._writing(principal) as data:
            self.get_node(principal, kind, node_id)  # 404 for what this role cannot see
            before = data.nodes.get(node.id)
            if isinstance(before, Mergeable) and isinstance(node, Mergeable):
                node = node.with_merged(*before.merged_ids)  # a merge stays remembered
            self._name_conflicts(principal, data, node)
            self._write(principal, data, ChangeSet(nodes=[node]))
        return node

    @judged_again_on_conflict
    def delete_node(self, principal: Principal, kind: str, node_id: str) -> None:
        self._kind_refusal(principal, kind)
        with self._writing(principal) as data:
            self.get_node(principal, kind, node_id)
            self._write(principal, data, ChangeSet(delete_node_ids=[node_id]))

    @judged_again_on_conflict
    def create_relationship(self, principal: Principal, rel: Relationship) -> Relationship:
        _user_type(rel)
        self._rel_type_refusal(principal, RelType(rel.type))
        with self._writing(principal) as data:
            view = self.view_for(principal)
            rel = rel.with_ends(view.resolve(rel.from_id), view.resolve(rel.to_id))
            if principal.visibility != Visibility.FULL:
                rel = self._fresh_relationship_id(principal, data, rel)
            elif str(rel.id) in data.relationships:
                raise _relationship_exists(str(rel.id))
            self._write(principal, data, ChangeSet(relationships=[rel]))
        return rel

    @judged_again_on_conflict
    def replace_relationship(self, principal: Principal, rel_id: str, rel: Relationship) -> Relationship:
        _user_type(rel)
        self._rel_type_refusal(principal, RelType(rel.type))
        with self._writing(principal) as data:
            self.get_relationship(principal, rel_id)
            self._write(principal, data, ChangeSet(relationships=[rel]))
        return rel

    @judged_again_on_conflict
    def delete_relationship(self, principal: Principal, rel_id: str) -> None:
        with self._writing(principal) as data:
            _, rel = self.get_relationship(principal, rel_id)
            _user_type(rel)  # a derived tie goes with the field that states it, not by itself
            self._rel_type_refusal(principal, RelType(rel.type))
            self._write(principal, data, ChangeSet(delete_relationship_ids=[rel_id]))

    def ping(self) -> int:
        """The store's revision; StoreUnavailable (or a driver error) when it cannot be reached."""
        store = self.store
        store.ping()
        return store.revision()


def _attributed(principal: Principal, node: Node) -> Node:
    """A note as written through the API: its author is the key that wrote it (its text, when
    replaced), never what the client says."""
    if node.kind != "Note":
        return node
    return type(node).model_validate({**node.model_dump(), "author": principal.attribution})


def _put(records: dict[str, Record], record_id: str, record: Record | None) -> None:
    """``record`` under its id, or none when the store has none."""
    if record is None:
        records.pop(record_id, None)
    else:
        records[record_id] = record


def _by_id(records: dict[str, Record], before: dict[str, Record]) -> dict[str, Record]:
    """``records`` sorted by id like a snapshot. New ids were added at the end: sorting is then the merge
    of one long sorted run and a short one (timsort), linear in the size."""
    return records if records.keys() <= before.keys() else dict(sorted(records.items()))


def _id_used(node_id: str) -> ProblemError:
    return ProblemError(
        409,
        f"id '{node_id}' is already used; PUT replaces a record / ID「{node_id}」は使用済みです",
        [{"field": "id", "reason": "already used / 使用済み", "record": node_id}],
    )


def _relationship_exists(rel_id: str) -> ProblemError:
    return ProblemError(
        409,
        f"relationship '{rel_id}' already exists; PUT replaces it / 関係「{rel_id}」は既にあります",
        [{"field": "id", "reason": "already used / 使用済み", "record": rel_id}],
    )


def _undefined(ref: str) -> str:
    return f"'{ref}' is not defined / 「{ref}」が定義されていません"


def _user_type(rel: Relationship) -> None:
    if rel.type not in USER_REL_TYPES:
        raise ProblemError(
            422,
            f"{rel.type} follows from node fields and is not written directly / {rel.type}は項目から自動で作られます",
            [{"field": "type", "reason": "use one of: " + ", ".join(map(str, USER_REL_TYPES))}],
        )


def new_id(kind: str) -> str:
    return f"{ID_PREFIXES.get(kind, 'rec')}-{secrets.token_hex(5)}"


def new_relationship_id() -> str:
    """A random id shaped like a derived one (``r-`` and 20 hex digits)."""
    return f"r-{secrets.token_hex(10)}"
