"""Reading a visible graph: filters, search by name and deterministic pages.

Everything here works on a ``GraphView`` — the graph as one role may see it — so a record a role may
not see can neither be listed nor found nor guessed through a filter or a name search, and both
stores answer identically because both hand over the same ``GraphData``.

Name search folds the query and every name with ``name_key`` (株式会社 placement, full/half width,
spaces, legal forms) and matches a substring of the key, over names, aliases, abbreviations and
English names. Results with a query are ranked: the whole key first, then a key's start, then
anywhere, each group by id; without a query, by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from secgraph.model import geography
from secgraph.model.graph import GraphData, merged_aliases
from secgraph.model.names import name_key, normalise_text
from secgraph.model.records import Node, Relationship
from secgraph.model.vocabulary import EventType, RelType, Sector, parse_term

#: The kinds a user writes and searches; prefectures and regions are built in.
SEARCHABLE_KINDS: tuple[str, ...] = ("Organisation", "Person", "Community", "EventSeries", "Event", "Headcount", "Note")
_NAME_FIELDS = ("name", "title", "abbreviation", "aliases", "name_en", "label", "text")
#: Ties that put an organisation (or person) into a community for the ``sector`` filter.
_BELONGING = (RelType.MEMBER_OF, RelType.SECRETARIAT_OF)
#: Ties to bodies a community is only approaching: they do not make a body part of it.
_PROSPECTS = (RelType.LONG_LISTED, RelType.CONTACTED)


class FilterError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _fold(text: str) -> str:
    return name_key(text) or normalise_text(text).casefold()


@dataclass(frozen=True)
class NodeFilters:
    """What a list or search asks for; every field given must hold (AND)."""

    q: str | None = None
    sector: Sector | None = None
    prefecture: str | None = None  # JIS code
    region: str | None = None  # region code (mic-… or meti-…)
    community: str | None = None
    event_type: EventType | None = None
    subject: str | None = None
    about: str | None = None

    @classmethod
    def parse(
        cls,
        q: str | None = None,
        sector: str | None = None,
        prefecture: str | None = None,
        region: str | None = None,
        community: str | None = None,
        event_type: str | None = None,
        subject: str | None = None,
        about: str | None = None,
    ) -> NodeFilters:
        """Filters from user text: codes or labels, Japanese or English; FilterError names the field."""

        def term(field: str, parse, value: str | None):  # type: ignore[no-untyped-def]
            if value is None or not value.strip():
                return None
            try:
                return parse(value)
            except ValueError as error:
                raise FilterError(field, str(error)) from None

        return cls(
            q=q if q and q.strip() else None,
            sector=term("sector", lambda v: parse_term(Sector, v), sector),
            prefecture=term("prefecture", lambda v: geography.prefecture(v).code, prefecture),
            region=term("region", lambda v: geography.region(v).code, region),
            community=community or None,
            event_type=term("event_type", lambda v: parse_term(EventType, v), event_type),
            subject=subject or None,
            about=about or None,
        )


class GraphView:
    """One visible graph with the indexes reads need; built once per store revision and role level."""

    def __init__(self, revision: int, data: GraphData):
        self.revision = revision
        self.data = data
        self.touching: dict[str, list[Relationship]] = {}
        for rel in data.relationships.values():  # in id order, so every list is sorted
            self.touching.setdefault(rel.from_id, []).append(rel)
            if rel.to_id != rel.from_id:
                self.touching.setdefault(rel.to_id, []).append(rel)

    @cached_property
    def _merged(self) -> dict[str, str]:
        return merged_aliases(self.data)

    def resolve(self, node_id: str) -> str:
        """The id of the record ``node_id`` names: itself, or the record it was merged into (名寄せ)."""
        return node_id if node_id in self.data.nodes else self._merged.get(node_id, node_id)

    def node(self, node_id: str, kind: str | None = None) -> Node | None:
        node = self.data.nodes.get(self.resolve(node_id))
        return node if node is not None and (kind is None or node.kind == kind) else None

    def ties(self, node_id: str, *types: RelType) -> list[Relationship]:
        rels = self.touching.get(node_id, [])
        return [r for r in rels if r.type in types] if types else rels

    @cached_property
    def _keys(self) -> dict[str, tuple[str, ...]]:
        keys: dict[str, tuple[str, ...]] = {}
        for node in self.data.nodes.values():
            texts: list[str] = []
            for field_name in _NAME_FIELDS:
                value = getattr(node, field_name, None)
                texts.extend(value if isinstance(value, list) else [value] if value else [])
            keys[node.id] = tuple(dict.fromkeys(k for k in map(_fold, texts) if k))
        return keys

    def name_rank(self, node_id: str, query_key: str) -> int | None:
        """0 whole name, 1 start of a name, 2 inside a name, None no match."""
        best: int | None = None
        for key in self._keys.get(node_id, ()):
            rank = 0 if key == query_key else 1 if key.startswith(query_key) else 2 if query_key in key else None
            if rank is not None and (best is None or rank < best):
                best = rank
        return best

    # -- what a node is: its sectors, prefectures, communities ---------------------------------

    def employers(self, person_id: str) -> list[Node]:
        return [
            org
            for r in self.ties(person_id, RelType.WORKS_AT)
            if r.from_id == person_id and (org := self.node(r.to_id)) is not None
        ]

    def sectors(self, node: Node) -> set[str] | None:
        """None when sectors mean nothing for this kind (the filter then excludes it)."""
        if node.kind == "Organisation":
            return {str(node.sector)}  # type: ignore[attr-defined]
        if node.kind == "Person":
            return {str(o.sector) for o in self.employers(node.id) if o.kind == "Organisation"}  # type: ignore[attr-defined]
        if node.kind == "Community":
            members = [self.node(r.from_id) for r in self.ties(node.id, *_BELONGING) if r.to_id == node.id]
            return {str(m.sector) for m in members if m is not None and m.kind == "Organisation"}  # type: ignore[attr-defined]
        return None

    def prefectures(self, node: Node) -> set[str] | None:
        if node.kind in ("Organisation", "Event"):
            code = getattr(node, "prefecture", None)
            return {code} if code else set()
        if node.kind == "Community":
            return set(node.prefectures)  # type: ignore[attr-defined]
        if node.kind == "Person":
            return {o.prefecture for o in self.employers(node.id) if getattr(o, "prefecture", None)}  # type: ignore[attr-defined]
        return None

    def in_region(self, node: Node, region_code: str) -> bool:
        if node.kind == "Community" and getattr(node, "region", None) == region_code:
            return True
        prefectures = self.prefectures(node)
        return bool(prefectures and prefectures & {p.code for p in geography.prefectures_of_region(region_code)})

    def tied_to(self, node: Node, other_id: str) -> bool:
        """A direct tie of any kind but the prospect ties (long list, contact)."""
        return node.id != other_id and any(
            other_id in (r.from_id, r.to_id) and r.type not in _PROSPECTS for r in self.ties(node.id)
        )


def _matches(view: GraphView, node: Node, filters: NodeFilters) -> bool:
    if filters.sector is not None:
        sectors = view.sectors(node)
        if sectors is None or str(filters.sector) not in sectors:
            return False
    if filters.prefecture is not None:
        prefectures = view.prefectures(node)
        if prefectures is None or filters.prefecture not in prefectures:
            return False
    if filters.region is not None and not view.in_region(node, filters.region):
        return False
    if filters.community is not None and not view.tied_to(node, filters.community):
        return False
    if filters.event_type is not None and getattr(node, "event_type", None) != filters.event_type:
        return False
    if filters.subject is not None and getattr(node, "subject_id", None) != filters.subject:
        return False
    return filters.about is None or getattr(node, "about_id", None) == filters.about


def find_nodes(view: GraphView, kinds: Iterable[str], filters: NodeFilters) -> list[Node]:
    """Every visible node of ``kinds`` that passes ``filters``, in the documented order."""
    wanted = set(kinds)
    query_key = _fold(filters.q) if filters.q else None
    ranked: list[tuple[int, str, Node]] = []
    for node in view.data.nodes.values():
        if node.kind not in wanted or not _matches(view, node, filters):
            continue
        rank = 0
        if query_key is not None:
            found = view.name_rank(node.id, query_key)
            if found is None:
                continue
            rank = found
        ranked.append((rank, node.id, node))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [node for _, _, node in ranked]


def find_relationships(
    view: GraphView,
    rel_type: RelType | None = None,
    node: str | None = None,
    from_id: str | None = None,
    to_id: str | None = None,
) -> list[Relationship]:
    rels: Iterable[Relationship] = view.ties(node) if node is not None else view.data.relationships.values()
    return sorted(
        (
            r
            for r in rels
            if (rel_type is None or r.type == rel_type)
            and (from_id is None or r.from_id == from_id)
            and (to_id is None or r.to_id == to_id)
        ),
        key=lambda r: str(r.id),
    )
