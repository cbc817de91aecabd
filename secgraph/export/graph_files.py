"""グラフのファイル出力 / The graph as files: GraphML (Cytoscape, Gephi), GEXF (Gephi) and JSON (secgraph's own).

What a file holds:
- the records users made — organisations, people, communities, series, events, headcounts, notes —
  as nodes keyed by their ids, and the relationships among them as edges keyed by theirs. The 47
  built-in prefectures and the regions are not nodes: every node carries where it is as attributes
  (``prefecture`` / ``prefectures`` codes and ``prefecture_names`` — for a person, its employers'),
  so a map tool can colour or filter by them without 47 hubs pulling the layout apart;
- every field of a record as an attribute (None left out; GraphML and GEXF want scalars, so a list
  becomes its items joined by 「、」), plus ``label`` (the name to show), ``kind`` and ``kind_label``,
  and for a record with a sector ``sector_label``, ``sector_group`` and ``sector_group_label``;
  an edge also gets ``label`` (the relationship type in Japanese);
- in GEXF, ``type``, ``start`` and ``end`` are the format's own XML attributes (an edge's direction,
  and time intervals in strict dates), so those fields are written as ``rel_type``, ``start_date`` and
  ``end_date`` there; GraphML keeps every field's own name.

JSON (``secgraph.io.json_graph``) holds every record and written relationship with all its fields and
loads back into a store as the same graph; GraphML and GEXF are for looking at, and join lists.

A scope (``Scope``: community, region or prefecture, and a date) keeps the records in it and the ties
among them: the graph as it stood on the date; the scope's actors (``scoped_actor_ids``, as the
analyses see them); the events and series they held a part in, and — for a region or prefecture — the
events held there; the editions of those series; the counts and notes about what is kept; then what
the kept records name in their fields (a parent organisation, a series), so a scoped JSON loads too.

With ``hide_names`` the graph is first ``visible_graph(data, Visibility.ANONYMISED, pseudonym_key)``:
people by role and affiliation under pseudonymous ids, no notes or free text, names written into any
other text replaced. The service passes its view with names hidden already (``GraphService.view_for``),
which is kept as it is and marks the file; a library call without a key gets pseudonyms of a random
key of the process.

Everything is sorted (nodes and edges by id, attributes in a fixed order) and no file carries the time
it was written, so the same data and options give the same bytes.
"""

from __future__ import annotations

import io
import re

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis.network import (
    EVENT_PARTS,
    Scope,
    in_region,
    prefectures_by_actor,
    scoped_actor_ids,
    snapshot_at,
)
from secgraph.export.common import FIXED_TIMESTAMP
from secgraph.io.json_graph import dump_graph, user_nodes
from secgraph.model.geography import prefecture_names
from secgraph.model.graph import GraphData, referenced_ids
from secgraph.model.records import Event, Headcount, Node, Relationship
from secgraph.model.ties import is_inferred
from secgraph.model.vocabulary import (
    HEADCOUNT_KINDS,
    REL_TYPES,
    SECTOR_GROUP_LABELS,
    HeadcountKind,
    RelType,
    Sector,
    kind_label,
    sector_group,
    sector_label,
)

GRAPHML_MEDIA_TYPE = "application/graphml+xml"
GEXF_MEDIA_TYPE = "application/gexf+xml"
JSON_MEDIA_TYPE = "application/json"

#: Fields whose name GEXF keeps for itself, and the attribute each is written as there.
GEXF_RENAMED: dict[str, str] = {"type": "rel_type", "start": "start_date", "end": "end_date"}
#: A count or note lives only with what it is about; a parent or series may be added to keep a reference.
_OWNER_FIELDS = ("subject_id", "about_id")
# XML 1.0 cannot hold these control characters: a name with one would make the file unreadable.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- what is exported -------------------------------------------------------------------------------


def _shown(data: GraphData, hide_names: bool, pseudonym_key: bytes | None) -> GraphData:
    return visible_graph(data, Visibility.ANONYMISED, pseudonym_key) if hide_names else data


def _with_references(data: GraphData, kept: set[str]) -> set[str]:
    """``kept`` plus what its records name in their fields; less counts and notes whose subject is gone."""
    kept = set(kept)
    changed = True
    while changed:
        changed = False
        for node_id in sorted(kept):
            for field_name, ref in referenced_ids(data.nodes[node_id]):
                if ref in kept:
                    continue
                if field_name in _OWNER_FIELDS or ref not in data.nodes:
                    kept.discard(node_id)
                else:
                    kept.add(ref)
                changed = True
                break
    return kept


def graph_in_scope(data: GraphData, scope: Scope | None = None) -> GraphData:
    """The user records of ``scope`` and every relationship among them (see the module's docstring)."""
    scope = scope or Scope()
    dated = snapshot_at(data, scope.as_of)
    records = {node.id for node in user_nodes(dated)}
    if scope.community or scope.region or scope.prefecture:
        actors = scoped_actor_ids(dated, scope)
        kept = set(actors)
        for rel in dated.relationships.values():
            if rel.from_id in actors and rel.type in EVENT_PARTS:
                kept.add(rel.to_id)
        kept |= {
            n.id
            for n in dated.nodes.values()
            if isinstance(n, Event)
            and n.prefecture
            and (n.prefecture == scope.prefecture or (scope.region and in_region(n.prefecture, scope.region)))
        }
        kept |= {n.id for n in dated.nodes.values() if isinstance(n, Event) and n.series_id in kept}
        records &= kept | {
            n.id
            for n in dated.nodes.values()
            for field_name, ref in referenced_ids(n)
            if field_name in _OWNER_FIELDS and ref in kept
        }
    records = _with_references(dated, records)
    return GraphData(
        nodes={node_id: dated.nodes[node_id] for node_id in sorted(records)},
        relationships={
            rel_id: rel
            for rel_id, rel in sorted(dated.relationships.items())
            if rel.from_id in records and rel.to_id in records
        },
    )


# -- attributes -------------------------------------------------------------------------------------


def _scalar(value: object) -> str | int | float | bool:
    """A field's value as GraphML and GEXF can hold it: a list joined by 「、」, text made XML-safe."""
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub("\ufffd", value)
    return value  # type: ignore[return-value]


def _node_label(node: Node) -> str:
    if isinstance(node, Headcount):
        # A count has no name: its source's wording (「企業14社」) or what and how many.
        about = "約" if node.approximate else ""
        return node.label or f"{HEADCOUNT_KINDS[HeadcountKind(node.count_kind)].ja} {about}{node.count}"
    return node.display_name()


def _node_attributes(node: Node, located: dict[str, set[str]]) -> dict[str, str | int | float | bool]:
    attributes: dict[str, str | int | float | bool] = {
        "label": _scalar(_node_label(node)),
        "kind": node.kind,
        "kind_label": kind_label(node.kind),
    }
    attributes |= {key: _scalar(value) for key, value in node.properties().items() if key != "id"}
    sector = getattr(node, "sector", None)
    if sector:
        group = sector_group(Sector(sector))
        attributes["sector_label"] = sector_label(sector) or sector
        attributes["sector_group"] = group.value
        attributes["sector_group_label"] = SECTOR_GROUP_LABELS[group].ja
    where = located.get(node.id) or ({node.prefecture} if isinstance(node, Event) and node.prefecture else set())
    if where:
        attributes["prefecture_names"] = prefecture_names(where)
    return attributes


def _edge_attributes(rel: Relationship) -> dict[str, str | int | float | bool]:
    label = REL_TYPES[RelType(rel.type)].ja + ("（推定）" if is_inferred(rel) else "")
    attributes: dict[str, str | int | float | bool] = {"label": label}
    return attributes | {key: _scalar(value) for key, value in rel.properties().items() if key != "id"}


def graph_networkx(
    data: GraphData, scope: Scope | None = None, *, renamed: dict[str, str] | None = None
) -> nx.MultiDiGraph:
    """The scoped graph as a networkx MultiDiGraph with every attribute, nodes and edges in id order;
    ``renamed`` maps field names to the attribute names a format needs instead."""
    scoped = graph_in_scope(data, scope)
    located = prefectures_by_actor(scoped)
    rename = renamed or {}
    graph = nx.MultiDiGraph(name="secgraph", scope=(scope or Scope()).describe())
    for node in scoped.nodes.values():
        attributes = _node_attributes(node, located)
        graph.add_node(node.id, **{rename.get(k, k): v for k, v in attributes.items()})
    for rel in scoped.relationships.values():
        attributes = _edge_attributes(rel)
        graph.add_edge(rel.from_id, rel.to_id, key=rel.id, **{rename.get(k, k): v for k, v in attributes.items()})
    return graph


# -- files ------------------------------------------------------------------------------------------


def graph_graphml(
    data: GraphData, scope: Scope | None = None, *, hide_names: bool = False, pseudonym_key: bytes | None = None
) -> bytes:
    """GraphML (UTF-8) of ``scope``: Cytoscape and Gephi open it; edge ids are relationship ids."""
    shown = _shown(data, hide_names, pseudonym_key)
    graph = graph_networkx(shown, scope)
    graph.graph["names_hidden"] = shown.names_hidden
    buffer = io.BytesIO()
    nx.write_graphml_xml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def graph_gexf(
    data: GraphData, scope: Scope | None = None, *, hide_names: bool = False, pseudonym_key: bytes | None = None
) -> bytes:
    """GEXF 1.2 (UTF-8) of ``scope`` for Gephi; ``type``, ``start`` and ``end`` renamed (see above)."""
    shown = _shown(data, hide_names, pseudonym_key)
    graph = graph_networkx(shown, scope, renamed=GEXF_RENAMED)
    for _, _, key, attributes in graph.edges(keys=True, data=True):
        attributes["id"] = key  # networkx numbers edges unless an "id" attribute names them
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    # networkx stamps the file with today's date and its own version: fixed, so the bytes are too.
    meta = writer.xml.find("meta")
    assert meta is not None
    meta.set("lastmodifieddate", FIXED_TIMESTAMP.date().isoformat())
    creator = meta.find("creator")
    assert creator is not None
    creator.text = "secgraph"
    description = meta.makeelement("description", {})
    description.text = graph.graph["scope"] + (" / 氏名を伏せています (names hidden)" if shown.names_hidden else "")
    meta.append(description)
    writer.add_graph(graph)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def graph_json(
    data: GraphData, scope: Scope | None = None, *, hide_names: bool = False, pseudonym_key: bytes | None = None
) -> bytes:
    """secgraph's JSON export of ``scope``: every record and written relationship with all its fields,
    loadable with ``secgraph load`` (see ``secgraph.io.json_graph``)."""
    shown = _shown(data, hide_names, pseudonym_key)
    scoped = graph_in_scope(shown, scope)
    described = scope.describe() if scope is not None and scope != Scope() else None
    return dump_graph(scoped, names_hidden=shown.names_hidden, scope=described)
