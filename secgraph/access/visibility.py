"""What each level of visibility leaves of the graph. Every read goes through here, so a record a
role may not see is absent from lists, search, single reads and relationship listings alike.

PUBLIC (secretariat) removes:
- every node and relationship marked confidential;
- what hangs on a removed node: its headcounts and notes, and every relationship that touches it;
- references to a removed node in the fields of the nodes that stay (a parent, a series).

ANONYMISED (viewer) also removes personal names: each person becomes a pseudonymous id and is shown
by role and affiliation (「講師（○○大学）」); notes (free text people wrote about people) and the
free-text ``note`` and ``outcome`` fields are dropped; relationships touching a person get
pseudonymous ids too, since an id chosen by a person may spell a name.
"""

from __future__ import annotations

import hashlib
import hmac

from secgraph.access.roles import Visibility
from secgraph.model.graph import GraphData
from secgraph.model.records import Node, Person, Relationship
from secgraph.model.vocabulary import RelType

#: Fields whose target a node cannot exist without (a count of nothing, a note about nothing).
_OWNER_FIELDS = ("subject_id", "about_id")
#: Fields whose target may be removed while the node stays.
_LINK_FIELDS = ("parent_id", "series_id")
_FREE_TEXT = ("note", "outcome")
UNNAMED_PERSON = "人物"


def pseudonym(key: bytes, prefix: str, record_id: str, length: int = 16) -> str:
    return f"{prefix}-{hmac.new(key, record_id.encode('utf-8'), hashlib.sha256).hexdigest()[:length]}"


def _hidden_ids(data: GraphData, visibility: Visibility) -> set[str]:
    hidden = {node_id for node_id, node in data.nodes.items() if node.confidential}
    if visibility == Visibility.ANONYMISED:
        hidden |= {node_id for node_id, node in data.nodes.items() if node.kind == "Note"}
    dependants = [(n.id, getattr(n, f)) for n in data.nodes.values() for f in _OWNER_FIELDS if getattr(n, f, None)]
    grew = True
    while grew:  # a note about a count of a hidden event is hidden too
        before = len(hidden)
        hidden |= {node_id for node_id, owner in dependants if owner in hidden}
        grew = len(hidden) != before
    return hidden


def visible_graph(data: GraphData, visibility: Visibility, pseudonym_key: bytes = b"") -> GraphData:
    """``data`` as a role with ``visibility`` may see it."""
    if visibility == Visibility.FULL:
        return data
    hidden = _hidden_ids(data, visibility)
    result = GraphData()
    for node_id, node in data.nodes.items():
        if node_id in hidden:
            continue
        dropped = {f: None for f in _LINK_FIELDS if getattr(node, f, None) in hidden}
        result.add_node(node.model_copy(update=dropped) if dropped else node)
    for rel in data.relationships.values():
        if not rel.confidential and rel.from_id not in hidden and rel.to_id not in hidden:
            result.add_relationship(rel)
    if visibility == Visibility.ANONYMISED:
        result = _anonymised(result, pseudonym_key)
    return result.sorted()


def _employer_names(data: GraphData) -> dict[str, str]:
    """Each person's current affiliation: the WORKS_AT without an end, latest start first."""
    ties: dict[str, list[Relationship]] = {}
    for rel in data.relationships.values():
        if rel.type == RelType.WORKS_AT and rel.from_id in data.nodes and rel.to_id in data.nodes:
            ties.setdefault(rel.from_id, []).append(rel)
    names: dict[str, str] = {}
    for person_id, rels in ties.items():
        current = [r for r in rels if r.end is None] or rels
        best = max(current, key=lambda r: (r.start or "", r.id or ""))
        names[person_id] = data.nodes[best.to_id].display_name()
    return names


def _without_free_text(record: Node | Relationship) -> Node | Relationship:
    present = {f: None for f in _FREE_TEXT if getattr(record, f, None) is not None}
    return record.model_copy(update=present) if present else record


def _anonymised(data: GraphData, key: bytes) -> GraphData:
    employers = _employer_names(data)
    alias: dict[str, str] = {}
    result = GraphData()
    for node in data.nodes.values():
        if isinstance(node, Person):
            alias[node.id] = pseudonym(key, "person", node.id)
            role = node.role_label or UNNAMED_PERSON
            shown = f"{role}（{employers[node.id]}）" if node.id in employers else role
            node = Person(
                id=alias[node.id], name=shown, role_label=node.role_label, source=node.source, as_of=node.as_of
            )
        result.add_node(_without_free_text(node))  # type: ignore[arg-type]
    for rel in data.relationships.values():
        if rel.from_id in alias or rel.to_id in alias:
            rel = rel.model_copy(
                update={
                    "id": pseudonym(key, "rel", str(rel.id), 20),
                    "from_id": alias.get(rel.from_id, rel.from_id),
                    "to_id": alias.get(rel.to_id, rel.to_id),
                }
            )
        result.add_relationship(_without_free_text(rel))  # type: ignore[arg-type]
    return result
