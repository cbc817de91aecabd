"""The JSON export of a graph (a full backup when nothing is left out), and reading it back.

One UTF-8 file, sorted so that the same graph gives the same bytes::

    {"format": "secgraph-graph", "version": 1, "names_hidden": false, "scope": null,
     "nodes": [{"kind": "Organisation", "id": ..., every field ...}, ...],   # sorted by id
     "relationships": [{"id": ..., "type": ..., every field ...}, ...]}      # sorted by id

It holds every record a user made (organisations, people, communities, series, events, headcounts,
notes) and every written relationship, each with all its fields (``model_dump(mode="json")``). Left
out is what every store makes by itself: the built-in prefectures and regions, and the ties that
follow from a node's own fields (located in, edition of, counts, about, sub-unit of a parent) —
loading the nodes makes those again.

Reading it (``read_graph_json``) gives the importer one table per kind, so a JSON export is checked
like any other import, all or nothing. Its rows differ from a spreadsheet's in three ways:
- keyed by model field (``count_kind``, a headcount's ``id``), values typed (lists, numbers, booleans);
- taken as the store had them: never merged by name with one another (the store merged them when they
  first came in; two bodies a planner keeps apart stay apart), and text that looks like a spreadsheet
  formula is kept (the API accepts it, so a backup must restore it; exports neutralise it);
- a problem names the file and array (``backup.json:nodes``), the record's position counting from 1
  (shown as 行, like a spreadsheet row), the field and the reason.

An export with personal names hidden (``names_hidden``: people replaced by role and affiliation,
notes and free text dropped) is a graph of its own and loads — but only into a store holding nothing
else (an empty one, or one it was loaded into before): over other data it would put pseudonymous
people beside the real ones and erase notes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from secgraph.io.rows import RowError, Table
from secgraph.model.graph import GraphData, derived_relationships
from secgraph.model.records import USER_NODE_KINDS, Node, Relationship
from secgraph.model.vocabulary import USER_REL_TYPES

FORMAT = "secgraph-graph"
VERSION = 1

#: Record kind -> the table (``secgraph.io.tables.TABLE_NAMES``) its rows belong to.
KIND_TABLES: dict[str, str] = {
    "Organisation": "organisations",
    "Person": "people",
    "Community": "communities",
    "EventSeries": "event_series",
    "Event": "events",
    "Headcount": "headcounts",
    "Note": "notes",
}


def user_nodes(data: GraphData) -> list[Node]:
    """The records users made (no built-in prefectures or regions), sorted by id."""
    return [data.nodes[i] for i in sorted(data.nodes) if data.nodes[i].kind in USER_NODE_KINDS]


def written_relationships(data: GraphData) -> list[Relationship]:
    """The relationships users wrote, sorted by id: those of a type users write, less the ones a
    node's own fields make (a parent's SUB_UNIT_OF; a written one that differs from it is kept)."""
    derived = {rel.id: rel for node in data.nodes.values() for rel in derived_relationships(node)}
    return [
        rel
        for rel_id, rel in sorted(data.relationships.items())
        if rel.type in USER_REL_TYPES and derived.get(rel_id) != rel
    ]


def graph_document(data: GraphData, *, names_hidden: bool = False, scope: str | None = None) -> dict[str, Any]:
    """The export of ``data`` as a JSON-ready dict."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "names_hidden": names_hidden,
        "scope": scope,
        "nodes": [{"kind": node.kind, **node.model_dump(mode="json")} for node in user_nodes(data)],
        "relationships": [rel.model_dump(mode="json") for rel in written_relationships(data)],
    }


def dump_graph(data: GraphData, *, names_hidden: bool = False, scope: str | None = None) -> bytes:
    """The export of ``data`` as UTF-8 bytes: keys sorted, two-space indent, Japanese as is."""
    document = graph_document(data, names_hidden=names_hidden, scope=scope)
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


# -- reading ----------------------------------------------------------------------------------------


def is_graph_export(path: Path) -> bool:
    """Whether ``path`` reads as a JSON object naming this format (a folder's other .json files do not)."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT


def _document(raw: bytes, shown_as: str, errors: list[RowError]) -> dict[str, Any] | None:
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        errors.append(RowError(shown_as, 0, "", f"not UTF-8 (byte {error.start}) / UTF-8ではありません"))
        return None
    except json.JSONDecodeError as error:
        errors.append(
            RowError(
                shown_as,
                0,
                "",
                f"not valid JSON (truncated?): {error.msg} at line {error.lineno} column {error.colno} "
                "/ JSONとして読めません（途中で切れていませんか）",
            )
        )
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        errors.append(
            RowError(
                shown_as,
                0,
                "format",
                f'not a secgraph graph export ("format": "{FORMAT}" expected) / secgraphのJSON出力ではありません',
            )
        )
        return None
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        errors.append(
            RowError(
                shown_as,
                0,
                "version",
                f"version {version!r} is not one this secgraph reads (1–{VERSION}) / 読めない版です",
            )
        )
        return None
    return document


def _records(
    document: dict[str, Any], key: str, shown_as: str, errors: list[RowError]
) -> Iterable[tuple[int, dict[str, Any]]]:
    """(position counting from 1, record) for each object in ``document[key]``."""
    records = document.get(key, [])
    if not isinstance(records, list):
        errors.append(RowError(shown_as, 0, key, f"'{key}' is not a list / 「{key}」が配列ではありません"))
        return
    for index, record in enumerate(records, start=1):
        if isinstance(record, dict):
            yield index, record
        else:
            errors.append(RowError(f"{shown_as}:{key}", index, "", "not an object {…} / オブジェクトではありません"))


def read_graph_json(path: Path, shown_as: str, errors: list[RowError]) -> list[Table]:
    """The export at ``path`` as the importer's tables: one per kind of node, then the relationships."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        errors.append(RowError(shown_as, 0, "", str(error)))
        return []
    document = _document(raw, shown_as, errors)
    if document is None:
        return []
    names_hidden = document.get("names_hidden") is True

    def table(name: str, array: str) -> Table:
        return Table(name=name, file=f"{shown_as}:{array}", exported=True, names_hidden=names_hidden)

    by_kind = {kind: table(name, "nodes") for kind, name in KIND_TABLES.items()}
    for index, record in _records(document, "nodes", shown_as, errors):
        fields = dict(record)
        kind = fields.pop("kind", None)
        if kind not in by_kind:
            errors.append(
                RowError(
                    f"{shown_as}:nodes",
                    index,
                    "kind",
                    f"unknown kind {kind!r} (allowed: {', '.join(KIND_TABLES)}) / 不明な種類です",
                )
            )
            continue
        by_kind[kind].rows.append((index, fields))
    relationships = table("relationships", "relationships")
    relationships.rows = list(_records(document, "relationships", shown_as, errors))
    return [t for t in (*by_kind.values(), relationships) if t.rows]
