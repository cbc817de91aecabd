"""Loading a data set (folder of CSV files, a workbook, or secgraph's JSON export) into a store,
all or nothing.

The load runs in four steps, and writes only if the first three found no problem:
1. read every table (tables.py, as streams within ``limits.py``) and validate every row into a
   record, collecting every problem with its file, row, column and reason — without the store
   (``read_load``), so that a service reads and checks an upload before it waits on anything;
2. merge records that name the same organisation, community or series (names.py), in load order:
   records already in the store first, then files sorted by name; merge people of the same name who
   share an employer, within the load and with the store's people, unless a "not the same" entry
   (``not_same.csv``) keeps them apart or undoes an earlier merge. An id merged away stays an alias
   of the record it became (``merged_ids``): a later load's reference to it is read as that record;
3. check every reference (relationship ends, parents, series, subjects) against the load and the
   store;
4. compare with the store and write what is new or changed in one transaction.

Loading the same data twice writes nothing the second time.

Records of a JSON export (``json_graph.py``) are the store's own records as they were: they take
part in step 3 and 4 but are never merged by name in step 2, so a backup loads back as the very
graph it was taken from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from tqdm import tqdm

from secgraph.io.json_graph import KIND_TABLES, user_nodes, written_relationships
from secgraph.io.limits import DEFAULT_LIMITS, ReadLimits
from secgraph.io.rows import RowError, Table
from secgraph.io.tables import read_tables
from secgraph.model.graph import GraphData, endpoint_error, merged_aliases, referenced_ids
from secgraph.model.headcounts import WHOLE
from secgraph.model.names import name_key, printable, record_name_keys
from secgraph.model.records import (
    NODE_TYPES,
    Community,
    EventSeries,
    Headcount,
    Mergeable,
    Node,
    NotSame,
    Organisation,
    Person,
    Relationship,
)
from secgraph.model.vocabulary import RelType
from secgraph.store import ChangeSet, GraphStore

_NODE_TABLES: dict[str, type[Node]] = {table: NODE_TYPES[kind] for kind, table in KIND_TABLES.items()}
#: CSV column → model field, where the two differ.
_COLUMN_TO_FIELD: dict[str, dict[str, str]] = {"headcounts": {"kind": "count_kind"}}
_MERGEABLE: tuple[type[Node], ...] = (Organisation, Community, EventSeries)


@dataclass(frozen=True)
class Merge:
    """Two records found to be one: ``merged_id`` now lives on as ``kept_id``."""

    kind: str
    kept_id: str
    merged_id: str
    kept_name: str
    merged_name: str
    where: str
    conflicts: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (
            f"{self.kind}: {self.merged_id}「{self.merged_name}」 → {self.kept_id}「{self.kept_name}」 ({self.where})"
        )
        return text + ("; differing: " + "; ".join(self.conflicts) if self.conflicts else "")


@dataclass(frozen=True)
class Resolved:
    """A reference to an id an earlier merge made an alias: it was read as the record it became."""

    merged_id: str
    kept_id: str
    where: str

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.kept_id} ({self.where})"


@dataclass(frozen=True)
class Split:
    """A merge of two people undone by a "not the same" entry: ``split_id`` is its own record again."""

    kept_id: str
    split_id: str
    where: str

    def __str__(self) -> str:
        return f"Person: {self.split_id} ≠ {self.kept_id} ({self.where})"


@dataclass
class LoadReport:
    """What a load did, or — when ``errors`` is not empty — why it did nothing."""

    path: str
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    merges: list[Merge] = field(default_factory=list)
    resolved: list[Resolved] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    written: bool = False
    revision: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "written": self.written,
            "added": dict(sorted(self.added.items())),
            "updated": dict(sorted(self.updated.items())),
            "unchanged": dict(sorted(self.unchanged.items())),
            "merges": [m.__dict__ | {"conflicts": list(m.conflicts)} for m in self.merges],
            "resolved": [r.__dict__ for r in self.resolved],
            "splits": [s.__dict__ for s in self.splits],
            "errors": [e.__dict__ for e in self.errors],
            "ignored_files": self.ignored_files,
            "encodings": self.encodings,
        }


@dataclass
class _Located:
    record: Node | Relationship | NotSame
    file: str
    row: int
    exported: bool = False  # from a JSON export: taken as it is, never merged by name
    names_hidden: bool = False


def _field_to_column(table: str, field_name: str) -> str:
    reverse = {v: k for k, v in _COLUMN_TO_FIELD.get(table, {}).items()}
    return reverse.get(field_name, field_name)


def _model(table: str) -> type[Node] | type[Relationship] | type[NotSame]:
    if table == "not_same":
        return NotSame
    return Relationship if table == "relationships" else _NODE_TABLES[table]


def _allowed_columns(table: str) -> set[str]:
    fields = set(_model(table).model_fields)
    if table == "headcounts":
        fields.discard("id")
    renames = _COLUMN_TO_FIELD.get(table, {})
    return {_field_to_column(table, f) for f in fields} | set(renames)


def _unknown_columns(table: Table, errors: list[RowError]) -> set[int]:
    """Report the columns the table's kind does not have; return the rows not to validate: all of a
    spreadsheet's when its header has one, or each record of an export that names one."""
    if table.exported:
        # An export names fields, a headcount's id included (kept as the store had it).
        allowed = set(_model(table.name).model_fields)
        found = [(row, sorted(set(values) - allowed)) for row, values in table.rows]
    else:
        allowed = _allowed_columns(table.name)
        found = [(1, sorted(set(table.rows[0][1]) - allowed))] if table.rows else []
    listed = ", ".join(sorted(allowed))
    for row, unknown in found:
        for column in unknown:
            reason = f"unknown column (allowed: {listed}) / 不明な列です"
            errors.append(RowError(table.file, row, printable(column), reason))
    bad = {row for row, unknown in found if unknown}
    return {row for row, _ in table.rows} if bad and not table.exported else bad


def _validate_rows(table: Table, errors: list[RowError], progress: tqdm) -> list[_Located]:
    skipped = _unknown_columns(table, errors)
    model = _model(table.name)
    renames = {} if table.exported else _COLUMN_TO_FIELD.get(table.name, {})
    located: list[_Located] = []
    for row_number, values in table.rows:
        progress.update(1)
        if row_number in skipped:
            continue
        data = {renames.get(k, k): v for k, v in values.items() if v is not None and v != ""}
        try:
            record = model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                field_name = str(item["loc"][0]) if item["loc"] else ""
                column = field_name if table.exported else _field_to_column(table.name, field_name)
                message = str(item["msg"]).removeprefix("Value error, ")
                if item["type"] == "missing":
                    message = "required / 必須です"
                errors.append(RowError(table.file, row_number, column, message))
            continue
        located.append(_Located(record, table.file, row_number, table.exported, table.names_hidden))
    return located


def _merge_into(kept: Node, other: Node) -> tuple[Node, tuple[str, ...]]:
    """``kept`` with the names of ``other`` as aliases and its empty fields filled from ``other``."""
    data = kept.model_dump()
    extra = other.model_dump()
    conflicts: list[str] = []
    names = [
        n for n in [other.display_name(), getattr(other, "abbreviation", None), *getattr(other, "aliases", [])] if n
    ]
    if "aliases" in data:
        own = {name_key(kept.display_name())}
        data["aliases"] = list(dict.fromkeys(a for a in [*data["aliases"], *names] if name_key(a) not in own))
    for key, value in extra.items():
        if key in ("id", "aliases", "name", "source", "as_of", "note", "confidential", "merged_ids", "distinct_ids"):
            continue
        if data.get(key) in (None, "", []) and value not in (None, "", []):
            data[key] = value
        elif value not in (None, "", []) and data.get(key) != value:
            conflicts.append(f"{key}: {data.get(key)} ≠ {value}")
    data["source"] = join_sources(kept.source, other.source)
    data["confidential"] = kept.confidential or other.confidential
    merged = type(kept).model_validate(data)
    if isinstance(merged, Mergeable) and isinstance(other, Mergeable):
        merged = merged.with_merged(other.id, *other.merged_ids)
    return merged, tuple(conflicts)


def join_sources(*sources: str) -> str:
    """Provenance of a fact two documents state: each source once, in order."""
    return " ; ".join(dict.fromkeys(part.strip() for source in sources for part in source.split(";") if part.strip()))


_TIE_DETAILS = ("role", "member_class", "start", "end", "status", "outcome", "note")


def _same_tie(kept: Relationship, other: Relationship) -> bool:
    """Two documents stating one tie: same ends and type, and no date that tells them apart."""
    return kept.start is None or other.start is None or kept.start == other.start


def _merge_ties(kept: Relationship, other: Relationship) -> Relationship:
    details = {f: getattr(other, f) for f in _TIE_DETAILS if getattr(kept, f) is None and getattr(other, f) is not None}
    return kept.model_copy(
        update={
            **details,
            "source": join_sources(kept.source, other.source),
            "confidential": kept.confidential or other.confidential,
            # a tie stated for the survivor itself is not undone with the merge of another
            "merged_from": kept.merged_from if other.merged_from else None,
        }
    )


class _UnionByName:
    """Finds, in load order, the first record each mergeable record's names lead to."""

    def __init__(self) -> None:
        self.owner: dict[tuple[str, str], str] = {}

    def find(self, node: Node) -> str | None:
        owners = [self.owner[(node.kind, k)] for k in sorted(record_name_keys(node)) if (node.kind, k) in self.owner]
        return owners[0] if owners else None

    def claim(self, node: Node, owner_id: str) -> None:
        for key in record_name_keys(node):
            self.owner.setdefault((node.kind, key), owner_id)


def _plan_merges(
    existing: Iterable[Node], loaded: list[_Located], report: LoadReport, aliases: dict[str, str]
) -> tuple[dict[str, Node], dict[str, str], dict[str, _Located]]:
    """Final nodes by id, the id each loaded id became, and where each final node came from."""
    names = _UnionByName()
    final: dict[str, Node] = {}
    for node in existing:
        if isinstance(node, _MERGEABLE):
            names.claim(node, node.id)
            final[node.id] = node
    remap: dict[str, str] = {}
    origin: dict[str, _Located] = {}
    for item in loaded:
        node: Node = item.record  # type: ignore[assignment]
        target = names.find(node) if isinstance(node, _MERGEABLE) and not item.exported else None
        if not item.exported and node.id in aliases and node.id not in final:
            target = aliases[node.id]  # merged away by an earlier load: it is still the record it became
        if target is None or target == node.id:
            # A record that updates itself replaces what the store had: the file is the truth.
            final[node.id] = node
            origin[node.id] = item
            names.claim(node, node.id)
            continue
        kept = final[target]
        merged, conflicts = _merge_into(kept, node)
        final[target] = merged
        remap[node.id] = target
        names.claim(node, target)
        report.merges.append(
            Merge(
                node.kind,
                target,
                node.id,
                kept.display_name(),
                node.display_name(),
                f"{item.file} 行{item.row}",
                conflicts,
            )
        )
    return final, remap, origin


def _merge_people(
    stored: list[Person],
    people: list[_Located],
    affiliations: dict[str, set[str]],
    distinct: set[frozenset[str]],
) -> dict[str, Merge]:
    """People merge only when their names match (``name_key``) and they share an organisation: two
    different people may well share a common name. The rule is one for people of one load and for
    a loaded person and one the store holds (stored people come first, in id order, so they keep
    their ids); a pair entered as not the same (``distinct``) is never merged. Returns each merge by
    the merged person's id, in the order the load gives them."""
    remap: dict[str, str] = {}
    merges: dict[str, Merge] = {}
    seen: dict[str, list[Person]] = {}
    for person in stored:
        seen.setdefault(name_key(person.name), []).append(person)
    for item in people:
        person: Person = item.record  # type: ignore[assignment]
        key = name_key(person.name)
        for earlier in seen.get(key, []):
            if earlier.id == person.id:
                break  # the stored record itself, loaded again
            if frozenset((earlier.id, person.id)) in distinct:
                continue
            if affiliations.get(person.id, set()) & affiliations.get(earlier.id, set()):
                remap[person.id] = remap.get(earlier.id, earlier.id)
                merges[person.id] = Merge(
                    "Person", remap[person.id], person.id, earlier.name, person.name, f"{item.file} 行{item.row}"
                )
                break
        else:
            seen.setdefault(key, []).append(person)
    return merges


def _undo_merges(
    not_same: list[_Located],
    stored_graph: GraphData,
    aliases: dict[str, str],
    final: dict[str, Node],
    report: LoadReport,
) -> list[str]:
    """Apply the "not the same" entries: both people remember the other as distinct, a merge made
    of them earlier is undone (the survivor forgets the merged id; the ties the merge gave it are
    deleted, returned here by id), and the merged-away person is a record of its own again, as the
    load (or a later one) defines it."""
    deleted: list[str] = []
    for item in not_same:
        entry: NotSame = item.record  # type: ignore[assignment]
        for one, other in ((entry.person_id, entry.other_id), (entry.other_id, entry.person_id)):
            person = final.get(one) or stored_graph.nodes.get(one)
            if isinstance(person, Person):
                update: dict = {"distinct_ids": sorted({*person.distinct_ids, other})}
                if aliases.get(other) == one:
                    update["merged_ids"] = [m for m in person.merged_ids if m != other]
                    report.splits.append(Split(one, other, f"{item.file} 行{item.row}"))
                    deleted += sorted(
                        str(rel.id) for rel in stored_graph.relationships.values() if rel.merged_from == other
                    )
                final[one] = person.model_copy(update=update)
    return sorted(set(deleted))


def _wholes_missing(final: dict[str, Node], origin: dict[str, _Located], stored_graph: GraphData) -> list[RowError]:
    """A headcount's ``part_of`` names ``total`` or the label of a count of the same subject, kind and
    date (in the load or the store); anything else is refused, naming the labels it could be."""
    labels: dict[tuple[str, str, str], set[str]] = {}
    for node in (*stored_graph.nodes.values(), *final.values()):
        if isinstance(node, Headcount) and node.label:
            labels.setdefault((node.subject_id, str(node.count_kind), node.as_of), set()).add(node.label)
    errors: list[RowError] = []
    for node_id, node in final.items():
        if not isinstance(node, Headcount) or node.part_of in (None, WHOLE) or node_id not in origin:
            continue
        known = labels.get((node.subject_id, str(node.count_kind), node.as_of), set()) - {node.label}
        if node.part_of not in known:
            where = origin[node_id]
            allowed = ", ".join([WHOLE, *sorted(known)])
            errors.append(
                RowError(
                    where.file,
                    where.row,
                    "part_of",
                    f"'{node.part_of}' is not a count of the same subject, kind and date (use: {allowed}) "
                    f"/ 同じ対象・種別・日付の数の label か total を書いてください",
                )
            )
    return errors


def _split_from(report: LoadReport, kept_id: str) -> set[str]:
    return {split.split_id for split in report.splits if split.kept_id == kept_id}


def _remap_node(node: Node, remap: dict[str, str]) -> Node:
    changes = {f: remap[getattr(node, f)] for f, ref in referenced_ids(node) if ref in remap}
    if not changes:
        return node
    if isinstance(node, Headcount):
        return node.with_subject(changes["subject_id"])
    return node.model_copy(update=changes)


def _names_hidden_refusal(file: str, stored: GraphData, loaded: GraphData) -> list[RowError]:
    """Why an export with hidden names may not load here: the store holds records it does not (over
    real data it would put pseudonymous people beside the real ones, and erase notes)."""
    kept = {n.id: n for n in user_nodes(loaded)} | {r.id: r for r in written_relationships(loaded)}
    others = [
        str(record.id)
        for record in (*user_nodes(stored), *written_relationships(stored))
        if kept.get(str(record.id)) != record
    ]
    if not others:
        return []
    return [
        RowError(
            file,
            0,
            "names_hidden",
            f"personal names are hidden in this export: it loads only into a store holding nothing else "
            f"(this one holds {len(others)} other records, such as '{others[0]}') "
            "/ 氏名を伏せた出力は、他のデータのない（空の）ストアにだけ読み込めます",
        )
    ]


@dataclass
class ReadLoad:
    """A data set read and each row validated into a record (step 1): everything a load checks
    without the store, so it can be done before anything waits on the store or a lock. Planning
    does not change it: it may be planned again against a newer graph."""

    path: str
    located: list[_Located] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self) -> LoadReport:
        return LoadReport(
            path=self.path,
            errors=list(self.errors),
            ignored_files=list(self.ignored_files),
            encodings=dict(self.encodings),
        )


def read_load(path: str | Path, *, limits: ReadLimits = DEFAULT_LIMITS, progress: bool | None = None) -> ReadLoad:
    """Read ``path`` (refusing it past ``limits``) and validate every row; touch no store."""
    read = ReadLoad(path=str(path))
    tables, read.ignored_files = read_tables(Path(path), read.errors, limits)
    read.encodings = {t.file: t.encoding for t in tables}
    total = sum(len(t.rows) for t in tables)
    bar = tqdm(total=total, desc="検証 / validating", unit="行", disable=None if progress is None else not progress)
    with bar:
        read.located = [item for table in tables for item in _validate_rows(table, read.errors, bar)]

    # Duplicate ids within the load.
    first_seen: dict[str, _Located] = {}
    for item in read.located:
        if isinstance(item.record, NotSame):
            continue  # an entry about two ids, with none of its own
        if isinstance(item.record, Relationship) and item.record.id == item.record.derive_id() and not item.exported:
            continue  # a derived id repeats when a document states a tie twice: one fact
        record_id = str(item.record.id)
        if record_id in first_seen:
            before = first_seen[record_id]
            read.errors.append(
                RowError(
                    item.file,
                    item.row,
                    "id",
                    f"duplicate id '{record_id}' (first at {before.file} 行{before.row}) / IDが重複しています",
                )
            )
        else:
            first_seen[record_id] = item
    return read


def plan_load(
    store: GraphStore, path: str | Path, *, limits: ReadLimits = DEFAULT_LIMITS, progress: bool | None = None
) -> tuple[LoadReport, ChangeSet]:
    """Read, validate, merge and check ``path`` against ``store``; write nothing."""
    read = read_load(path, limits=limits, progress=progress)
    if not read.ok:
        return read.report(), ChangeSet()
    # One read of the store: comparing record by record would be a round trip per record on Neo4j.
    return plan_against(read, store.snapshot())


def plan_against(read: ReadLoad, stored_graph: GraphData) -> tuple[LoadReport, ChangeSet]:
    """Steps 2 to 4 for a data set already read: merge, check references and compare with
    ``stored_graph`` (the store's whole graph); write nothing."""
    report = read.report()
    if report.errors:
        return report, ChangeSet()
    located = read.located
    nodes = [i for i in located if isinstance(i.record, Node)]
    rels = [i for i in located if isinstance(i.record, Relationship)]
    not_same = [i for i in located if isinstance(i.record, NotSame)]
    aliases = merged_aliases(stored_graph)
    existing = [n for n in stored_graph.nodes.values() if isinstance(n, _MERGEABLE)]
    final, remap, origin = _plan_merges(
        existing, [i for i in nodes if isinstance(i.record, _MERGEABLE)], report, aliases
    )
    for item in nodes:
        if not isinstance(item.record, (*_MERGEABLE, Person)):
            final[item.record.id] = item.record
            origin[item.record.id] = item

    # People: "not the same" entries first, since they decide which merges may be made or stay made.
    stored_people = sorted((n for n in stored_graph.nodes.values() if isinstance(n, Person)), key=lambda n: n.id)
    distinct = {frozenset((p.id, other)) for p in stored_people for other in p.distinct_ids}
    distinct |= {frozenset((i.record.person_id, i.record.other_id)) for i in not_same}  # type: ignore[union-attr]
    loaded_people = [i for i in nodes if isinstance(i.record, Person)]
    split_ids = {other for pair in distinct for other in pair if aliases.get(other) in pair}
    # Merged person id → the merge, reported once the records are folded (with what they disagree on).
    person_merges: dict[str, Merge] = {}
    for item in loaded_people:
        person_id = item.record.id
        if not item.exported and person_id in aliases and person_id not in split_ids:
            kept = stored_graph.nodes[aliases[person_id]]
            person_merges[person_id] = Merge(
                "Person", kept.id, person_id, kept.display_name(), item.record.display_name(),
                f"{item.file} 行{item.row}",
            )  # fmt: skip
    for alias, kept_id in aliases.items():
        if alias not in split_ids and alias not in final:
            remap.setdefault(alias, kept_id)
    affiliations: dict[str, set[str]] = {}
    for rel in stored_graph.relationships.values():
        if rel.type == RelType.WORKS_AT:
            affiliations.setdefault(rel.from_id, set()).add(rel.to_id)
    for item in rels:
        rel: Relationship = item.record  # type: ignore[assignment]
        if rel.type == RelType.WORKS_AT:
            merge = person_merges.get(rel.from_id)
            from_id = merge.kept_id if merge else rel.from_id
            affiliations.setdefault(from_id, set()).add(remap.get(rel.to_id, rel.to_id))
    person_merges.update(
        _merge_people(
            stored_people,
            [i for i in loaded_people if not i.exported and i.record.id not in person_merges],
            affiliations,
            distinct,
        )
    )
    person_remap = {merged_id: merge.kept_id for merged_id, merge in person_merges.items()}
    remap.update(person_remap)
    stored_people_by_id = {p.id: p for p in stored_people}
    for item in loaded_people:
        if item.record.id not in person_remap:
            final[item.record.id] = item.record
            origin[item.record.id] = item
    loaded_people_by_id = {item.record.id: item.record for item in loaded_people}
    for merged_id, kept_id in sorted(person_remap.items()):
        # The survivor keeps what only the merged record said (romanised name, former names, label),
        # as organisations do: a merge loses no fact, and a disagreement is reported, not overwritten.
        kept_person = final.get(kept_id) or stored_people_by_id[kept_id]
        final[kept_id], conflicts = _merge_into(kept_person, loaded_people_by_id[merged_id])
        person_merges[merged_id] = replace(person_merges[merged_id], conflicts=conflicts)
    report.merges.extend(person_merges.values())
    undone = _undo_merges(not_same, stored_graph, aliases, final, report)

    # A remapped subject changes a headcount's derived id: key the nodes by their ids after merging.
    remapped = [(node_id, _remap_node(node, remap)) for node_id, node in final.items()]
    final = {node.id: node for _, node in remapped}
    origin = {node.id: origin[old_id] for old_id, node in remapped if old_id in origin}

    # References: the load first, then the store.
    relationships: dict[str, tuple[Relationship, _Located]] = {}
    by_ends: dict[tuple[str, str, str], list[str]] = {}
    for item in rels:
        rel = item.record  # type: ignore[assignment]
        stated_for = next((end for end in (rel.from_id, rel.to_id) if end in person_remap), None)
        for end in (rel.from_id, rel.to_id):
            if end in aliases and end in remap and not item.exported:
                report.resolved.append(Resolved(end, remap[end], f"{item.file} 行{item.row}"))
        rel = rel.with_ends(remap.get(rel.from_id, rel.from_id), remap.get(rel.to_id, rel.to_id))
        assert rel.id is not None
        if stated_for is not None:
            stored_tie = stored_graph.relationships.get(rel.id)
            if stored_tie is None or stored_tie.merged_from is not None:
                # a tie the merge gave the survivor: undone with the merge
                rel = rel.model_copy(update={"merged_from": stated_for})
        ends = (str(rel.type), rel.from_id, rel.to_id)
        same = [] if item.exported else [i for i in by_ends.get(ends, []) if _same_tie(relationships[i][0], rel)]
        if rel.id in relationships or same:
            kept_id = rel.id if rel.id in relationships else same[0]
            kept_rel, where = relationships[kept_id]
            relationships[kept_id] = (_merge_ties(kept_rel, rel), where)
        else:
            relationships[rel.id] = (rel, item)
            by_ends.setdefault(ends, []).append(rel.id)

    def kind_of(node_id: str) -> str | None:
        if node_id in final:
            return final[node_id].kind
        stored_node = stored_graph.nodes.get(node_id)
        return stored_node.kind if stored_node else None

    for node_id, node in final.items():
        if node_id in origin and not origin[node_id].exported:
            read_node = origin[node_id].record
            for _field, ref in referenced_ids(read_node):  # type: ignore[arg-type]
                if ref in aliases and ref in remap:
                    where = f"{origin[node_id].file} 行{origin[node_id].row}"
                    report.resolved.append(Resolved(ref, remap[ref], where))
        stored_node = stored_graph.nodes.get(node_id)
        if stored_node is not None and stored_node.kind != node.kind and node_id in origin:
            where = origin[node_id]
            report.errors.append(
                RowError(
                    where.file,
                    where.row,
                    "id",
                    f"'{node_id}' is already a {stored_node.kind} / 既に{stored_node.kind}のIDです",
                )
            )
        for field_name, ref in referenced_ids(node):
            if kind_of(ref) is None and node_id in origin:
                where = origin[node_id]
                report.errors.append(
                    RowError(
                        where.file, where.row, field_name, f"'{ref}' is not defined / 「{ref}」が定義されていません"
                    )
                )
    for rel, where in relationships.values():
        error = endpoint_error(rel, kind_of(rel.from_id), kind_of(rel.to_id))
        if error:
            column = "from_id" if kind_of(rel.from_id) is None or "start" in error else "to_id"
            report.errors.append(RowError(where.file, where.row, column, error))
    hidden = next((item for item in located if item.names_hidden), None)
    if hidden is not None:
        loaded = GraphData(
            {node_id: final[node_id] for node_id in origin},  # what the load holds, not the store's own
            {rel_id: rel for rel_id, (rel, _) in relationships.items()},
        )
        report.errors.extend(_names_hidden_refusal(hidden.file.rsplit(":", 1)[0], stored_graph, loaded))
    if report.errors:
        return report, ChangeSet()

    report.errors.extend(_wholes_missing(final, origin, stored_graph))
    for node_id, where in origin.items():
        stated = getattr(where.record, "merged_ids", [])
        for merged_id in stated if not where.exported else ():
            if kind_of(merged_id) is not None:
                report.errors.append(
                    RowError(
                        where.file,
                        where.row,
                        "merged_ids",
                        f"'{merged_id}' is a record of its own, not an id merged into '{node_id}' "
                        f"/ 「{merged_id}」は統合済みのIDではなく、独立した記録です",
                    )
                )
    for item in not_same:
        entry: NotSame = item.record  # type: ignore[assignment]
        for column in ("person_id", "other_id"):
            ref = getattr(entry, column)
            if kind_of(ref) != "Person":
                report.errors.append(
                    RowError(item.file, item.row, column, f"'{ref}' is not a person defined in this load or the store "
                             f"/ 「{ref}」は人物として定義されていません")
                )  # fmt: skip
    if report.errors:
        return report, ChangeSet()

    # What is new or changed.
    change = ChangeSet(delete_relationship_ids=undone)
    for node_id in sorted(final):
        node = final[node_id]
        stored = stored_graph.nodes.get(node_id)
        read_from = origin.get(node_id)
        if isinstance(stored, Mergeable) and isinstance(node, Mergeable) and not (read_from and read_from.exported):
            # a merge is remembered: a record loaded again keeps the ids merged into it
            kept_merged = [m for m in stored.merged_ids if m not in _split_from(report, node_id)]
            node = node.with_merged(*kept_merged)
            if isinstance(stored, Person) and isinstance(node, Person):
                distinct = sorted({*stored.distinct_ids, *node.distinct_ids})
                node = node if distinct == node.distinct_ids else node.model_copy(update={"distinct_ids": distinct})
            final[node_id] = node
        bucket = report.added if stored is None else report.updated if stored != node else report.unchanged
        bucket[node.kind] += 1
        if stored != node:
            change.nodes.append(node)
    for rel_id in sorted(relationships):
        rel = relationships[rel_id][0]
        stored_rel = stored_graph.relationships.get(rel_id)
        bucket = report.added if stored_rel is None else report.updated if stored_rel != rel else report.unchanged
        bucket[str(rel.type)] += 1
        if stored_rel != rel:
            change.relationships.append(rel)
    return report, change


def load(
    store: GraphStore,
    path: str | Path,
    *,
    check_only: bool = False,
    limits: ReadLimits = DEFAULT_LIMITS,
    progress: bool | None = None,
) -> LoadReport:
    """Load ``path`` into ``store``: everything, or — if any row is bad — nothing."""
    report, change = plan_load(store, path, limits=limits, progress=progress)
    if report.ok and not check_only and not change.is_empty():
        report.revision = store.write(change)
        report.written = True
    return report
