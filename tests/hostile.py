"""A world whose every free-text field carries hostile text: Cypher fragments, script and markup.

``free_text_fields`` finds, for each record kind, the fields that take any text (by asking the model
itself, so a field added later is covered without editing this file); ``hostile_world`` builds one
record of every kind, and the ties between them, with ``payload`` plus the field's name in each.
"""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Note,
    Organisation,
    Person,
    Relationship,
)
from secgraph.store import ChangeSet

P = {"source": "hostile test", "as_of": "2026-11"}
PROBE = "自由記述 free text"

#: One valid record of each kind, and the fields it needs.
BASES: dict[type[BaseModel], dict[str, object]] = {
    Organisation: {"id": "h-org", "name": "h", "sector": "sme", "prefecture": "27", **P},
    Person: {"id": "h-per", "name": "h", **P},
    Community: {"id": "h-com", "name": "h", "region": "mic-kinki", "prefectures": ["27"], **P},
    EventSeries: {"id": "h-ser", "name": "h", **P},
    Event: {"id": "h-ev", "title": "h", "event_type": "seminar", "start": "2026-10-01", "prefecture": "27", **P},
    Headcount: {"subject_id": "h-com", "count_kind": "members", "count": 3, **P},
    Note: {"id": "h-note", "about_id": "h-com", "text": "h", **P},
}
RELATIONSHIPS: tuple[dict[str, object], ...] = (
    {"type": "MEMBER_OF", "from_id": "h-org", "to_id": "h-com", **P},
    {"type": "WORKS_AT", "from_id": "h-per", "to_id": "h-org", **P},
    {"type": "SPOKE_AT", "from_id": "h-per", "to_id": "h-ev", **P},
    {"type": "ORGANISED", "from_id": "h-com", "to_id": "h-ev", **P},
)


def free_text_fields(model: type[BaseModel], base: dict[str, object]) -> list[str]:
    """The fields of ``model`` that accept arbitrary text (a list of texts counts too)."""
    fields = []
    for name, info in sorted(model.model_fields.items()):
        if name in ("id", "source"):  # ids are checked identifiers; source is tested like the rest below
            continue
        value: object = [PROBE] if "list" in str(info.annotation).lower() else PROBE
        try:
            made = model.model_validate({**base, name: value})
        except ValidationError:
            continue
        if getattr(made, name) == value:
            fields.append(name)
    return [*fields, "source"]


def _filled(model: type[BaseModel], base: dict[str, object], payload: str) -> dict[str, object]:
    record = dict(base)
    for name in free_text_fields(model, base):
        text = f"{payload}#{model.__name__}.{name}"
        record[name] = [text] if isinstance(getattr(model.model_validate(base), name), list) else text
    return record


def hostile_records(payload: str) -> tuple[list[tuple[type[BaseModel], dict[str, object]]], list[dict[str, object]]]:
    """(kind, JSON body) of every node kind, and the relationships' bodies, with ``payload`` everywhere."""
    nodes = [(model, _filled(model, base, payload)) for model, base in BASES.items()]
    rels = [_filled(Relationship, rel, payload) for rel in RELATIONSHIPS]
    return nodes, rels


def hostile_world(payload: str) -> ChangeSet:
    """The same records as a change set, for writing straight into a store."""
    nodes, rels = hostile_records(payload)
    return ChangeSet(
        nodes=[model.model_validate(body) for model, body in nodes],  # type: ignore[misc]
        relationships=[Relationship.model_validate(body) for body in rels],
    )
