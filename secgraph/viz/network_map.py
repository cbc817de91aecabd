"""ネットワーク図のモデル / The network map: one model that the interactive page and the static figure both draw.

``network_map`` turns the actor network of a scope (``secgraph.analysis.network.actor_network``)
into what a committee sees, decided once so that the HTML view (``network_view``) and the PNG/SVG/PDF
figure (``network_figure``) can never disagree:

- **nodes** coloured by sector group (産/学/官/個/金融/メディア; people and communities apart) and
  **sized by key-person score** (``key_person_candidates`` over the scope: the mean of its
  rank-normalised measures, 0–1). Communities are not ranked as key persons and get one fixed size.
  The ``key_person_top`` best-ranked people and organisations with a score above 0 are
  **key-person candidates**, drawn with a ring and listed;
- **missing sectors** of each community (``missing_sectors`` on the same scope and date) as a
  ✓/× grid (``gaps``: every needed sector, met or not); with ``ghosts=True`` (off by default: on a
  regional map they outnumber the actors and their labels cover the real ones) also as ghost
  nodes, hollow and dashed, tied to their community: 「不足: 警察 / Missing: Police」;
- **isolated parts**: every connected part of the scope's actor network other than its largest
  (the one with most actors; between equals, the one whose smallest id sorts first). An actor with no
  tie at all is an isolated part of one. Within a community's scope this finds actors of the circle
  that nothing ties to the rest; across a region or the country it finds communities, with their
  members, that share no member, tie or event with the main network — which is what a planner
  wants to see linked. Each part is drawn inside a dashed circle and listed;
- **positions**: a seeded spring layout of each connected part, the parts packed in rows largest
  first, coordinates rounded to 0.1 so floating-point noise never changes the output; or stored
  positions (``secgraph.viz.layouts``) kept for the actors that still exist, new actors placed
  next to their already placed neighbours, and wholly new parts packed below the stored picture.

With ``hide_names`` the map is drawn from ``visible_graph(data, Visibility.ANONYMISED)``: people by
role and affiliation under a pseudonymous id, which is then never shown (not in tooltips, not in
search). Everything is sorted, so the same data and options give the same model.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis.areas import covered_prefectures
from secgraph.analysis.key_persons import KeyPersonCandidates, key_person_candidates
from secgraph.analysis.network import Scope, actor_network, community_circle, records_as_of, shared_inputs
from secgraph.analysis.sectors import MissingSectors, missing_sectors
from secgraph.model import geography
from secgraph.model.geography import prefecture_name
from secgraph.model.graph import GraphData
from secgraph.model.listing import listed
from secgraph.model.records import Community
from secgraph.model.ties import is_inferred
from secgraph.model.vocabulary import (
    SECTOR_GROUP_LABELS,
    Sector,
    SectorGroup,
    kind_label,
    sector_group,
    sector_label,
)

#: How many of the best-ranked people and organisations are marked as key-person candidates.
KEY_PERSON_TOP = 10
#: Kind of a ghost node (a sector a community lacks); actors keep their record kind.
MISSING = "Missing"


@dataclass(frozen=True)
class LegendGroup:
    """One entry of the legend: a sector group, people, communities or missing sectors."""

    key: str
    ja: str
    en: str
    colour: str
    shape: str  # vis-network's name; the figure maps it to a matplotlib marker


#: Legend groups in display order.
GROUPS: tuple[LegendGroup, ...] = (
    *(
        LegendGroup(group.value, SECTOR_GROUP_LABELS[group].ja, SECTOR_GROUP_LABELS[group].en, colour, "dot")
        for group, colour in (
            (SectorGroup.INDUSTRY, "#1f77b4"),
            (SectorGroup.ACADEMIA, "#2ca02c"),
            (SectorGroup.GOVERNMENT, "#d62728"),
            (SectorGroup.INDIVIDUAL, "#9467bd"),
            (SectorGroup.FINANCE, "#ff7f0e"),
            (SectorGroup.MEDIA, "#e377c2"),
            (SectorGroup.OTHER, "#7f7f7f"),
        )
    ),
    LegendGroup("person", "人物", "Person", "#17becf", "triangle"),
    LegendGroup("community", "コミュニティ", "Community", "#8c564b", "diamond"),
    LegendGroup("missing", "不足セクター", "Missing sector", "#9e9e9e", "dot"),
)
GROUP_BY_KEY: dict[str, LegendGroup] = {g.key: g for g in GROUPS}
#: Marks shared by both renderings.
KEY_PERSON_RING = "#e6a800"
ISOLATED_COLOUR = "#d62728"
EDGE_COLOUR = "#b0b0b0"
#: Sizes (vis-network radius units; the figure scales them with the map).
COMMUNITY_SIZE = 26.0
GHOST_SIZE = 9.0
MIN_ACTOR_SIZE = 10.0
SCORE_SIZE = 24.0  # added at key-person score 1
#: Room left for labels between parts and around a newly placed actor.
PART_GAP = 200.0
NEW_NODE_DISTANCE = 70.0
REPULSION_BLOCK = 1024  # rows of the repulsion computed at once (memory: block × nodes × 12 bytes)
GHOST_DISTANCE = 150.0
GHOST_STEP = 36.0  # between two ghosts of one community


@dataclass(frozen=True)
class MapNode:
    """One node of the map: an actor, or a ghost standing for a sector its community lacks."""

    id: str  # the record id; a person's pseudonym when names are hidden; ``missing:<community>:<need>`` for a ghost
    label: str
    kind: str  # Organisation, Person, Community or Missing
    group: str  # a ``GROUPS`` key
    colour: str
    shape: str
    size: float
    x: float
    y: float
    tooltip: str  # plain text, one fact a line
    search_text: str  # casefolded name (and id where it may be shown)
    prefectures: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()  # ids of the map's communities this node belongs to
    key_rank: int | None = None
    key_score: float | None = None
    key_candidate: bool = False  # among the ``key_person_top`` best ranked
    part: int = 0  # connected part, 0 the largest; a ghost takes its community's
    isolated: bool = False

    @property
    def ghost(self) -> bool:
        return self.kind == MISSING


@dataclass(frozen=True)
class MapEdge:
    """A tie between two nodes (by ``MapNode.id``); ``ghost`` ties a missing sector to its community."""

    source: str
    target: str
    weight: float
    ghost: bool = False
    #: Every tie behind it is inferred (certainty=inferred), none stated and no shared event: drawn dashed.
    inferred: bool = False


@dataclass(frozen=True)
class MissingNeed:
    code: str
    ja: str
    en: str
    node_id: str | None  # its ghost node; None when the map is drawn without ghosts


@dataclass(frozen=True)
class NeedMark:
    """One needed sector of one community: met (✓) or not (×)."""

    code: str
    ja: str
    en: str
    met: bool


@dataclass(frozen=True)
class CommunityGaps:
    """The needed sectors of one community of the map: all of them with met or not (``needs``, in the
    order of the analysis' list), and those it lacks (``missing``; empty: none missing)."""

    community_id: str
    name: str
    missing: tuple[MissingNeed, ...]
    needs: tuple[NeedMark, ...] = ()


@dataclass(frozen=True)
class IsolatedPart:
    """A connected part cut off from the largest one, and the circle drawn around it."""

    index: int  # the part number, 1 and up (0 is the main part)
    node_ids: tuple[str, ...]
    label: str  # its communities' names, else up to three of its actors
    x: float
    y: float
    radius: float

    @property
    def size(self) -> int:
        return len(self.node_ids)


@dataclass(frozen=True)
class NetworkMap:
    """Everything a rendering of the map needs, decided and sorted."""

    scope: Scope
    scope_text: str
    names_hidden: bool
    seed: int
    key_person_top: int
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    gaps: tuple[CommunityGaps, ...]
    isolated: tuple[IsolatedPart, ...]
    actors_total: int = field(default=0)
    #: the prefectures the scope is about (JIS codes): its region's, its community's, the one; None for
    #: the country. Filters list these only, although members may sit elsewhere.
    scope_prefectures: tuple[str, ...] | None = None

    def needs(self) -> tuple[NeedMark, ...]:
        """The needed sectors the grid has columns for, in the analysis' order (from any community)."""
        for gap in self.gaps:
            if gap.needs:
                return tuple(NeedMark(m.code, m.ja, m.en, False) for m in gap.needs)
        return ()

    def groups(self) -> tuple[LegendGroup, ...]:
        """The legend entries present on this map, in display order."""
        present = {n.group for n in self.nodes}
        return tuple(g for g in GROUPS if g.key in present)

    def positions(self) -> dict[str, tuple[float, float]]:
        """Where each actor is (ghosts left out: they follow their community)."""
        return {n.id: (n.x, n.y) for n in self.nodes if not n.ghost}

    def key_persons(self) -> tuple[MapNode, ...]:
        """The key-person candidates, best first."""
        marked = [n for n in self.nodes if n.key_candidate]
        return tuple(sorted(marked, key=lambda n: (n.key_rank or 0, n.id)))

    def communities(self) -> tuple[MapNode, ...]:
        """The community nodes, by name."""
        return tuple(sorted((n for n in self.nodes if n.kind == "Community"), key=lambda n: (n.label, n.id)))

    def prefectures(self) -> tuple[tuple[str, str], ...]:
        """(JIS code, Japanese name) of every prefecture an actor of the map is in, by code; within a
        region, community or prefecture, only the scope's own prefectures."""
        codes = sorted({p for n in self.nodes if not n.ghost for p in n.prefectures})
        if self.scope_prefectures is not None:
            codes = [code for code in codes if code in self.scope_prefectures]
        return tuple((code, prefecture_name(code)) for code in codes)


# ---------------------------------------------------------------------------------------------- text


def _kind_text(kind: str) -> str:
    """A node's kind in both languages (``vocabulary.kind_label``); a ghost node is a missing sector."""
    if kind == MISSING:
        return "不足セクター / Missing sector"
    return f"{kind_label(kind)} / {kind_label(kind, 'en')}"


def _group_of(attrs: Mapping[str, object]) -> str:
    if attrs.get("kind") == "Person":
        return "person"
    if attrs.get("kind") == "Community":
        return "community"
    try:
        group = sector_group(Sector(attrs.get("sector"))).value
    except ValueError:
        return SectorGroup.OTHER.value
    # a group the legend has no colour for yet (the vocabulary grows) is drawn as その他, not refused
    return group if group in GROUP_BY_KEY else SectorGroup.OTHER.value


def _sector_text(sector: object) -> str | None:
    if not sector or sector == "community":
        return None
    return f"{sector_label(str(sector))} / {sector_label(str(sector), 'en')}"


def _listed(names: Sequence[str], most: int = 5) -> str:
    return listed(names, most, "ja/en")


def _actor_tooltip(
    attrs: Mapping[str, object],
    group: str,
    degree: int,
    community_names: Sequence[str],
    rank: int | None,
    score: float | None,
    candidate: bool,
    part: int,
    shown_id: str | None,
) -> str:
    legend = GROUP_BY_KEY[group]
    lines = [str(attrs.get("name", "")), f"種別 / Kind: {_kind_text(str(attrs.get('kind')))}"]
    sector = _sector_text(attrs.get("sector"))
    if sector:
        lines.append(f"セクター / Sector: {sector}")
    lines.append(f"区分 / Group: {legend.ja} / {legend.en}")
    prefectures = [prefecture_name(str(p)) for p in attrs.get("prefectures") or ()]  # type: ignore[attr-defined]
    if prefectures:
        lines.append(f"都道府県 / Prefectures: {_listed(prefectures)}")
    if community_names:
        lines.append(f"コミュニティ / Communities: {_listed(community_names)}")
    lines.append(f"つながり / Ties: {degree}")
    if candidate:
        lines.append(f"★ キーパーソン候補 第{rank}位 / Key-person candidate, rank {rank} (指標 / score {score:.2f})")
    elif score is not None:
        lines.append(f"キーパーソン指標 / Key-person score: {score:.2f}（{rank}位 / rank {rank}）")
    if part:
        lines.append(f"孤立した部分 {part} / Isolated part {part}")
    if shown_id:
        lines.append(f"ID: {shown_id}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- layout


def _repulsion(pos: np.ndarray) -> np.ndarray:
    """Σ_j (p_i − p_j) / |p_i − p_j|² for every node, in row blocks so memory stays small.

    float32 and plain array arithmetic: a 2,000-node part takes about a second, where networkx'
    own solvers (its dense one, or scipy's L-BFGS "energy" method) take ten or more.
    """
    n = len(pos)
    x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
    out = np.empty((n, 2))
    for start in range(0, n, REPULSION_BLOCK):
        rows = slice(start, min(start + REPULSION_BLOCK, n))
        dx = x[rows, None] - x[None, :]
        dy = y[rows, None] - y[None, :]
        inverse = dx * dx + dy * dy
        np.maximum(inverse, 1e-4, out=inverse)  # as networkx: distances below 0.01 count as 0.01
        np.reciprocal(inverse, out=inverse)
        inverse[np.arange(rows.stop - rows.start), np.arange(rows.start, rows.stop)] = 0.0  # not itself
        out[rows, 0] = np.einsum("ij,ij->i", dx, inverse)
        out[rows, 1] = np.einsum("ij,ij->i", dy, inverse)
    return out


def spring_layout(graph: nx.Graph, seed: int, scale: float, iterations: int = 50) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold force-directed layout (as ``networkx.spring_layout``'s "force" method:
    optimal distance 1/√n, temperature 0.1 cooling linearly, ties pulling by their weight), from
    positions drawn with ``seed``; centred and scaled so the farthest node is ``scale`` away."""
    # Sorted, not the graph's own order: that follows how the graph was built (sets, hash order), and
    # the same data must give the same picture in every process.
    nodes = sorted(graph)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    pos = np.random.RandomState(seed).rand(n, 2)
    ties = sorted(
        (min(index[a], index[b]), max(index[a], index[b]), float(w))
        for a, b, w in graph.edges(data="weight", default=1.0)
    )
    rows = np.array([a for a, _, _ in ties] + [b for _, b, _ in ties], dtype=np.intp)
    cols = np.array([b for _, b, _ in ties] + [a for a, _, _ in ties], dtype=np.intp)
    weights = np.array([w for _, _, w in ties] * 2)
    k = math.sqrt(1.0 / n)
    temperature = max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1]))) * 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        push = _repulsion(pos) * (k * k)
        delta = pos[rows] - pos[cols]
        distance = np.maximum(np.sqrt((delta * delta).sum(1)), 0.01)
        np.add.at(push, rows, -delta * (weights * distance / k)[:, None])
        length = np.maximum(np.sqrt((push * push).sum(1)), 0.01)
        step = push * (temperature / length)[:, None]
        pos += step
        temperature -= cooling
        if np.linalg.norm(step) / n < 1e-4:
            break
    pos -= pos.mean(axis=0)
    reach = float(np.abs(pos).max()) or 1.0
    pos *= scale / reach
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def _part_layout(graph: nx.Graph, seed: int) -> tuple[dict[str, tuple[float, float]], float]:
    """One connected part laid out around (0, 0), and its radius."""
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.0, 0.0)}, 0.0
    # spread grows with the node count, so labels stay readable when the view fits the whole map
    radius = 60.0 + 110.0 * math.sqrt(graph.number_of_nodes())
    return spring_layout(graph, seed, radius), radius


def _parts(graph: nx.Graph) -> list[list[str]]:
    """Connected parts, largest first (then by smallest id), each sorted."""
    return sorted((sorted(part) for part in nx.connected_components(graph)), key=lambda part: (-len(part), part[0]))


def _packed(graph: nx.Graph, parts: list[list[str]], seed: int, top: float = 0.0) -> dict[str, tuple[float, float]]:
    """Each part laid out on its own, the parts packed in rows from ``top`` down, in the order given.

    Laid out together, isolated nodes would be flung to the edge and squeeze the main part into a
    speck; packed separately, every part stays readable and isolated ones are easy to see.
    """
    laid = [_part_layout(graph.subgraph(part), seed) for part in parts]
    row_width = max(
        [2 * radius for _, radius in laid] + [math.sqrt(sum((2 * r + PART_GAP) ** 2 for _, r in laid)) * 1.6]
    )
    positions: dict[str, tuple[float, float]] = {}
    x, y, row_height = 0.0, top, 0.0
    for layout, radius in laid:
        size = 2 * radius + PART_GAP
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2, y + size / 2
        for node, (px, py) in layout.items():
            # rounded, so tiny floating-point differences never change the bytes of a page or figure
            positions[node] = (round(cx + px, 1), round(cy + py, 1))
        x += size
        row_height = max(row_height, size)
    return positions


def _turn(node_id: str) -> float:
    """A fixed angle for a node, from its id: where it sits around the neighbours it is placed beside."""
    digest = hashlib.sha256(node_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 * 2 * math.pi


def place(
    graph: nx.Graph, seed: int, stored: Mapping[str, Sequence[float]] | None = None
) -> dict[str, tuple[float, float]]:
    """Positions of every node of ``graph``: stored ones kept, the rest laid out deterministically.

    Without stored positions (or none that still exist) this is the packed seeded spring layout.
    Otherwise a new node goes beside its already placed neighbours — at their centre, pushed out by
    ``NEW_NODE_DISTANCE`` in a direction fixed by its id — in rounds outward from the stored ones, each
    round placed from the positions of the rounds before; parts with no stored node at all are laid
    out as usual and packed below the stored picture.
    """
    kept = {n: (round(float(stored[n][0]), 1), round(float(stored[n][1]), 1)) for n in graph if stored and n in stored}
    if not kept:
        return _packed(graph, _parts(graph), seed)
    positions = dict(kept)
    waiting = sorted(n for n in graph if n not in positions)
    while waiting:
        known = dict(positions)  # this round places from the rounds before only: order does not matter
        placed_now = []
        for node in waiting:
            anchors = sorted(m for m in graph[node] if m in known)
            if not anchors:
                continue
            cx = sum(known[m][0] for m in anchors) / len(anchors)
            cy = sum(known[m][1] for m in anchors) / len(anchors)
            angle = _turn(node)
            positions[node] = (
                round(cx + NEW_NODE_DISTANCE * math.cos(angle), 1),
                round(cy + NEW_NODE_DISTANCE * math.sin(angle), 1),
            )
            placed_now.append(node)
        if not placed_now:
            break
        waiting = [n for n in waiting if n not in positions]
    if waiting:
        rest = graph.subgraph(waiting)
        bottom = max(y for _, y in positions.values()) + PART_GAP
        positions.update(_packed(rest, _parts(rest), seed, top=bottom))
    return positions


def _free_direction(at: tuple[float, float], around: Sequence[tuple[float, float]]) -> float:
    """The angle from ``at`` into the widest gap between the points ``around`` it (straight up if none)."""
    angles = sorted({round(math.atan2(y - at[1], x - at[0]), 9) for x, y in around if (x, y) != at})
    if not angles:
        return -math.pi / 2
    if len(angles) == 1:
        return angles[0] + math.pi
    gaps = [(b - a, a) for a, b in zip(angles, [*angles[1:], angles[0] + 2 * math.pi], strict=True)]
    width, start = max(gaps)
    return start + width / 2


def _ghost_positions(
    community: tuple[float, float], neighbours: Sequence[tuple[float, float]], count: int
) -> list[tuple[float, float]]:
    """Ghosts in a column set off from their community into the widest gap between its ties:
    stacked rather than fanned, so that their long bilingual labels do not run into each other."""
    angle = _free_direction(community, neighbours)
    dx, dy = math.cos(angle), math.sin(angle)
    # a column set off up or down starts beyond the community instead of straddling it
    reach = GHOST_DISTANCE + abs(dy) * (count - 1) / 2 * GHOST_STEP
    cx, cy = community[0] + dx * reach, community[1] + dy * reach
    return [(round(cx, 1), round(cy + (i - (count - 1) / 2) * GHOST_STEP, 1)) for i in range(count)]


# ---------------------------------------------------------------------------------------------- the map


def _memberships(snapshot: GraphData, graph: nx.Graph) -> dict[str, tuple[str, ...]]:
    """For each actor, the communities of the map whose circle (``community_circle``) it is in."""
    belongs: dict[str, list[str]] = {n: [] for n in graph}
    for community in sorted(n for n, a in graph.nodes(data=True) if a.get("kind") == "Community"):
        for actor in community_circle(snapshot, community):
            if actor in belongs:
                belongs[actor].append(community)
    return {n: tuple(sorted(cs)) for n, cs in belongs.items()}


@shared_inputs()  # the analyses, the memberships and the drawing share one snapshot and network
def network_map(
    data: GraphData,
    scope: Scope | None = None,
    *,
    hide_names: bool = False,
    seed: int = 0,
    positions: Mapping[str, Sequence[float]] | None = None,
    anonymised: bool = False,
    key_person_top: int = KEY_PERSON_TOP,
    key_persons: KeyPersonCandidates | None = None,
    missing: MissingSectors | None = None,
    ghosts: bool = False,
) -> NetworkMap:
    """The network map of ``scope`` (default: the whole country, now).

    ``hide_names`` draws from ``visible_graph(data, Visibility.ANONYMISED)``. ``anonymised`` says
    ``data`` already went through it (a viewer's view of the service): nothing is changed, but the
    map is marked as names-hidden and people's pseudonyms are kept out of tooltips and search.
    ``positions`` are stored positions by node id (see ``secgraph.viz.layouts``). ``key_persons`` and
    ``missing`` are ``key_person_candidates(data, scope, limit=None)`` and ``missing_sectors(data,
    scope)`` of exactly the data drawn, when the caller already has them (the service caches them);
    they cannot be combined with ``hide_names``, which changes the data. ``ghosts`` adds a ghost node
    for every missing sector (the grid ``gaps`` is there either way).
    """
    scope = scope or Scope()
    if hide_names and not data.names_hidden and (key_persons is not None or missing is not None):
        raise ValueError("precomputed analyses must be of the data drawn: anonymise it first / 匿名化後のデータで計算")
    if hide_names:
        data = visible_graph(data, Visibility.ANONYMISED)
    names_hidden = hide_names or anonymised or data.names_hidden
    graph = actor_network(data, scope)
    snapshot = records_as_of(data, scope.as_of)
    ranked = key_person_candidates(data, scope, limit=None) if key_persons is None else key_persons
    gaps_found = missing_sectors(data, scope, suggestions_per_sector=0) if missing is None else missing
    score = {c.id: (c.rank, c.score) for c in ranked.candidates}

    parts = _parts(graph)
    part_of = {node: i for i, part in enumerate(parts) for node in part}
    placed = place(graph, seed, positions)
    belongs = _memberships(snapshot, graph)
    names = {n: str(a.get("name", "")) for n, a in graph.nodes(data=True)}

    nodes: list[MapNode] = []
    for node_id in sorted(graph.nodes):
        attrs = graph.nodes[node_id]
        group = _group_of(attrs)
        legend = GROUP_BY_KEY[group]
        rank, value = score.get(node_id, (None, None))
        # a score of 0 (no brokerage, one community, no role) marks nobody, however small the map
        candidate = rank is not None and rank <= key_person_top and bool(value)
        kind = str(attrs.get("kind"))
        size = COMMUNITY_SIZE if kind == "Community" else MIN_ACTOR_SIZE + SCORE_SIZE * (value or 0.0)
        # with names hidden a person's id is a pseudonym: left out, so it cannot be matched to anything
        shown_id = None if names_hidden and kind == "Person" else node_id
        community_names = sorted(names[c] for c in belongs[node_id] if c != node_id)
        x, y = placed[node_id]
        nodes.append(
            MapNode(
                id=node_id,
                label=names[node_id],
                kind=kind,
                group=group,
                colour=legend.colour,
                shape=legend.shape,
                size=round(size, 2),
                x=x,
                y=y,
                tooltip=_actor_tooltip(
                    attrs,
                    group,
                    graph.degree(node_id),
                    community_names,
                    rank,
                    value,
                    candidate,
                    part_of[node_id],
                    shown_id,
                ),
                search_text=" ".join(dict.fromkeys(filter(None, [names[node_id], shown_id]))).casefold(),
                prefectures=tuple(attrs.get("prefectures") or ()),
                communities=(node_id,) if kind == "Community" else belongs[node_id],
                key_rank=rank,
                key_score=value,
                key_candidate=candidate,
                part=part_of[node_id],
                isolated=part_of[node_id] > 0,
            )
        )
    edges = [
        MapEdge(a, b, round(float(e.get("weight", 1.0)), 3), inferred=_only_inferred(data, e))
        for a, b, e in sorted((min(a, b), max(a, b), e) for a, b, e in graph.edges(data=True))
    ]

    gaps, ghost_nodes, ghost_edges = _gaps(gaps_found, graph, placed, part_of, names, ghosts)
    isolated = _isolated_parts(parts, placed, graph, names, {n.id: n.size for n in nodes})
    return NetworkMap(
        scope=scope,
        scope_text=scope.describe(),
        names_hidden=names_hidden,
        seed=seed,
        key_person_top=key_person_top,
        nodes=tuple(sorted([*nodes, *ghost_nodes], key=lambda n: n.id)),
        edges=tuple(edges + ghost_edges),
        gaps=gaps,
        isolated=isolated,
        actors_total=graph.number_of_nodes(),
        scope_prefectures=_scope_prefectures(data, scope),
    )


def _scope_prefectures(data: GraphData, scope: Scope) -> tuple[str, ...] | None:
    if scope.region is not None:
        return tuple(p.code for p in geography.prefectures_of_region(geography.region(scope.region).code))
    if scope.prefecture is not None:
        return (geography.prefecture(scope.prefecture).code,)
    if scope.community is not None:
        community = data.nodes.get(scope.community)
        return tuple(sorted(covered_prefectures(community))) if isinstance(community, Community) else ()
    return None


def _gaps(
    found: MissingSectors,
    graph: nx.Graph,
    placed: Mapping[str, tuple[float, float]],
    part_of: Mapping[str, int],
    names: Mapping[str, str],
    with_ghosts: bool,
) -> tuple[tuple[CommunityGaps, ...], list[MapNode], list[MapEdge]]:
    """Missing sectors of the map's communities: the grid, and (``with_ghosts``) the ghost nodes and
    their ties."""
    gaps: list[CommunityGaps] = []
    ghosts: list[MapNode] = []
    ties: list[MapEdge] = []
    for coverage in sorted(found.communities, key=lambda c: c.subject_id):
        community = coverage.subject_id
        if community not in graph:  # in the analysis' scope by area, but not an actor of this map
            continue
        lacking = [need for need in coverage.needs if not need.met]
        spots = _ghost_positions(placed[community], [placed[m] for m in sorted(graph[community])], len(lacking))
        needs = []
        for need, (x, y) in zip(lacking, spots, strict=True):
            ghost_id = f"missing:{community}:{need.code}"
            needs.append(MissingNeed(need.code, need.ja, need.en, ghost_id if with_ghosts else None))
            if not with_ghosts:
                continue
            label = f"不足: {need.ja} / Missing: {need.en}"
            legend = GROUP_BY_KEY["missing"]
            ghosts.append(
                MapNode(
                    id=ghost_id,
                    label=label,
                    kind=MISSING,
                    group=legend.key,
                    colour=legend.colour,
                    shape=legend.shape,
                    size=GHOST_SIZE,
                    x=x,
                    y=y,
                    tooltip="\n".join(
                        [
                            label,
                            f"種別 / Kind: {_kind_text(MISSING)}",
                            f"コミュニティ / Community: {names[community]}",
                            f"該当セクター / Sectors: {_listed([_sector_text(s) or s for s in need.sectors])}",
                        ]
                    ),
                    search_text=f"{label} {need.code}".casefold(),
                    prefectures=tuple(graph.nodes[community].get("prefectures") or ()),
                    communities=(community,),
                    part=part_of[community],
                    isolated=part_of[community] > 0,
                )
            )
            ties.append(MapEdge(community, ghost_id, 1.0, ghost=True))
        marks = tuple(NeedMark(n.code, n.ja, n.en, n.met) for n in coverage.needs)
        gaps.append(CommunityGaps(community, names[community], tuple(needs), marks))
    return tuple(sorted(gaps, key=lambda g: (g.name, g.community_id))), ghosts, ties


def _isolated_parts(
    parts: list[list[str]],
    placed: Mapping[str, tuple[float, float]],
    graph: nx.Graph,
    names: Mapping[str, str],
    sizes: Mapping[str, float],
) -> tuple[IsolatedPart, ...]:
    found = []
    for index, part in enumerate(parts[1:], start=1):
        xs = [placed[n][0] for n in part]
        ys = [placed[n][1] for n in part]
        cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        radius = max(math.hypot(placed[n][0] - cx, placed[n][1] - cy) + sizes[n] for n in part) + 24.0
        communities = sorted(names[n] for n in part if graph.nodes[n].get("kind") == "Community")
        label = "、".join(communities) if communities else _listed(sorted(names[n] for n in part), 3)
        found.append(IsolatedPart(index, tuple(part), label, round(cx, 1), round(cy, 1), round(radius, 1)))
    return tuple(found)


def _only_inferred(data: GraphData, edge: dict) -> bool:
    """Whether an actor-network edge rests on inferred ties alone."""
    ties = [data.relationships[r] for r in edge.get("relationships", ()) if r in data.relationships]
    return bool(ties) and not edge.get("events") and all(is_inferred(rel) for rel in ties)
