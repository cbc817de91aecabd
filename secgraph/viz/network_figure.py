"""ネットワーク図（静止画） / The network map as a static figure: PNG (300 dpi and up), SVG or PDF.

Drawn with matplotlib from the same ``NetworkMap`` as the interactive page (``network_map``), so the
two agree: the same positions (y pointing down, as on screen), colours, sizes by key-person score,
rings on key-person candidates, dashed circles around isolated parts (and dashed hollow ghosts for
missing sectors when the map was made with them). Beside the map: a Japanese/English legend, the
key-person candidates, each community's needed sectors as a ✓/× grid, the numbered actors and the
isolated parts. What does not fit beside the map continues on further pages (PDF) or panels below
the first (PNG, SVG) — nothing is cut short.

Labels, for A4 and a projector: every text is at least ``MIN_TEXT_PT`` points. Key-person candidates
(「★順位」 before the name) and communities are labelled with their names; on a map of up to
``LABEL_ALL_UP_TO`` actors every actor is. Each label is placed where it overlaps no other label and
stays inside the map (tried beside its node, then further out with a leader line); a name that
fits nowhere, and on a map of up to ``NUMBER_ALL_UP_TO`` actors every other actor, gets a number
instead, listed with its name beside the map. Larger maps leave the other actors unlabelled.

Every text is drawn with the Japanese font passed explicitly (``secgraph.viz.fonts``), inside
``deterministic_drawing()`` on a ``Figure`` of its own (never pyplot's global state), and saved with
``DETERMINISTIC_METADATA``: the same data and options give the same bytes.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.fonts import (
    DETERMINISTIC_METADATA,
    FIGURE_MEDIA_TYPES,
    FigureFormat,
    cjk_font,
    deterministic_drawing,
    save_figure,
)
from secgraph.viz.network_map import (
    EDGE_COLOUR,
    ISOLATED_COLOUR,
    KEY_PERSON_RING,
    MapNode,
    NetworkMap,
    network_map,
)

MEDIA_TYPES = FIGURE_MEDIA_TYPES
#: A4 landscape, in inches.
PAGE = (11.69, 8.27)
#: The smallest text printed anywhere on the figure, in points.
MIN_TEXT_PT = 7.0
LABEL_PT = 7.0
PANEL_PT = 7.0
#: Width of the side panel (and of each column on a continuation page), in points.
PANEL_WIDTH_PT = 236.0
MARGIN_PT = 16.0
HEADER_PT = 58.0  # title and scope line at the top of a page
LABEL_ALL_UP_TO = 25
NUMBER_ALL_UP_TO = 150
LABEL_LINE_EMS = 13.0  # a map label wraps after about this many full-width characters
MARKERS = {"dot": "o", "triangle": "^", "diamond": "D"}
MIN_MARKER_PT = 1.2  # a node never shrinks below this radius, however large the map
SIZE_NOTE = "大きさ＝キーパーソン指標 / Size = key-person score"
#: How far out (in label heights) a label may move from its node, ring by ring.
RINGS = (0.0, 1.0, 2.2, 3.6, 5.5, 8.0, 11.0)
LABEL_BOX = {"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.4}


# ---------------------------------------------------------------------------------------------- text


def _char_ems(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 0.62


def _wrapped(text: str, most: float) -> list[str]:
    """``text`` in lines of at most ``most`` ems (a full-width character is one, a half-width one
    about 0.6), broken after 「・」, spaces and slashes where possible; never cut short."""
    lines: list[str] = []
    line, used, last_break = "", 0.0, -1
    for char in text:
        width = _char_ems(char)
        if used + width > most and line:
            if 0 < last_break < len(line) - 1:
                lines.append(line[: last_break + 1].rstrip())
                line = line[last_break + 1 :].lstrip()
            else:
                lines.append(line)
                line = ""
            used = sum(_char_ems(c) for c in line)
            last_break = -1
        line += char
        used += width
        if char in " ・/／、（(":
            last_break = len(line) - 1
    if line.strip() or not lines:
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class _Geometry:
    """Where things go on a page of ``size`` inches: the map box and the panel, as fractions."""

    size: tuple[float, float]

    @property
    def points(self) -> tuple[float, float]:
        return self.size[0] * 72, self.size[1] * 72

    @property
    def map_box(self) -> tuple[float, float, float, float]:
        w, h = self.points
        left, bottom = MARGIN_PT / w, MARGIN_PT / h
        width = (w - 3 * MARGIN_PT - PANEL_WIDTH_PT) / w
        return left, bottom, width, (h - MARGIN_PT - HEADER_PT) / h

    @property
    def panel_left(self) -> float:
        w, _ = self.points
        return (w - MARGIN_PT - PANEL_WIDTH_PT) / w

    def continuation_columns(self) -> list[float]:
        """Left edges (fractions) of the columns of a continuation page."""
        w, _ = self.points
        count = max(1, int((w - MARGIN_PT) // (PANEL_WIDTH_PT + MARGIN_PT)))
        return [(MARGIN_PT + i * (PANEL_WIDTH_PT + MARGIN_PT)) / w for i in range(count)]


def _map_limits(nmap: NetworkMap, box: Sequence[float], geometry: _Geometry) -> tuple[float, tuple[float, ...]]:
    """Scale of the map (points per layout unit) and its limits, with room for circles and labels."""
    xs = [n.x for n in nmap.nodes] + [p.x - p.radius for p in nmap.isolated] + [p.x + p.radius for p in nmap.isolated]
    ys = [n.y for n in nmap.nodes] + [p.y - p.radius for p in nmap.isolated] + [p.y + p.radius for p in nmap.isolated]
    margin = 60.0
    x0, x1 = min(xs) - margin, max(xs) + margin
    y0, y1 = min(ys) - margin, max(ys) + margin + 20.0
    width_pt = geometry.points[0] * box[2]
    height_pt = geometry.points[1] * box[3]
    scale = min(width_pt / (x1 - x0), height_pt / (y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = width_pt / scale / 2, height_pt / scale / 2
    return scale, (cx - half_w, cx + half_w, cy - half_h, cy + half_h)


def _radius_pt(node: MapNode, scale: float) -> float:
    return max(MIN_MARKER_PT, node.size * scale)


# ---------------------------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class PlacedLabel:
    """A label set on the map: its text, the node it names, where its centre is (layout units), and
    whether a leader line ties it to the node."""

    node_id: str
    text: str
    x: float
    y: float
    leader: bool
    number: int | None = None  # a numbered actor (its name is in the panel)


@dataclass(frozen=True)
class Labels:
    placed: tuple[PlacedLabel, ...]
    numbered: tuple[tuple[int, MapNode], ...]  # every numbered actor, by number (also those not placed)


def _priority(nmap: NetworkMap) -> tuple[list[MapNode], list[MapNode]]:
    """Actors to name (best first) and actors to number."""
    actors = [n for n in nmap.nodes if not n.ghost]
    named = sorted((n for n in actors if n.key_candidate), key=lambda n: (n.key_rank or 0, n.id))
    named += sorted((n for n in actors if n.kind == "Community"), key=lambda n: (-len(n.label), n.id))
    if nmap.actors_total <= LABEL_ALL_UP_TO:
        chosen = {n.id for n in named}
        named += sorted((n for n in actors if n.id not in chosen), key=lambda n: (-n.size, n.id))
    chosen = {n.id for n in named}
    rest = [n for n in actors if n.id not in chosen] if nmap.actors_total <= NUMBER_ALL_UP_TO else []
    return named, rest


def _label_text(node: MapNode) -> str:
    name = "\n".join(_wrapped(node.label, LABEL_LINE_EMS))
    return f"★{node.key_rank} {name}" if node.key_candidate else name


class _Placer:
    """Finds for each label a spot that overlaps no label already placed and stays inside the map."""

    def __init__(self, ax: Axes, nmap: NetworkMap, scale: float, renderer: object) -> None:
        self.ax = ax
        self.renderer = renderer
        self.px_per_pt = ax.figure.dpi / 72.0
        bbox = ax.get_window_extent(renderer)  # type: ignore[arg-type]
        self.frame = (bbox.x0, bbox.y0, bbox.x1, bbox.y1)
        self.taken = np.empty((0, 4))
        nodes = [n for n in nmap.nodes]
        centres = ax.transData.transform([(n.x, n.y) for n in nodes]) if nodes else np.empty((0, 2))
        self.centre = {n.id: (float(x), float(y)) for n, (x, y) in zip(nodes, centres, strict=True)}
        self.radius = {n.id: _radius_pt(n, scale) * self.px_per_pt for n in nodes}
        self.markers = np.array(
            [(x - self.radius[n.id], y - self.radius[n.id], x + self.radius[n.id], y + self.radius[n.id])
             for n, (x, y) in zip(nodes, centres, strict=True)]
        ).reshape(-1, 4)  # fmt: skip

    def size(self, text: str) -> tuple[float, float]:
        probe = self.ax.text(0, 0, text, fontproperties=cjk_font(LABEL_PT), ha="center", va="center")
        extent = probe.get_window_extent(self.renderer)  # type: ignore[arg-type]
        probe.remove()
        pad = 1.2 * self.px_per_pt
        return extent.width + 2 * pad, extent.height + 2 * pad

    def _free(self, box: tuple[float, float, float, float], avoid_markers: bool) -> bool:
        x0, y0, x1, y1 = box
        fx0, fy0, fx1, fy1 = self.frame
        if x0 < fx0 or y0 < fy0 or x1 > fx1 or y1 > fy1:
            return False
        t = self.taken
        if len(t) and np.any((t[:, 0] < x1) & (t[:, 2] > x0) & (t[:, 1] < y1) & (t[:, 3] > y0)):
            return False
        if avoid_markers and len(self.markers):
            m = self.markers
            hit = (m[:, 0] < x1) & (m[:, 2] > x0) & (m[:, 1] < y1) & (m[:, 3] > y0)
            if np.count_nonzero(hit) > 0:
                return False
        return True

    def place(self, node: MapNode, text: str) -> tuple[float, float, bool] | None:
        """The centre of the label (data units) and whether it needs a leader line; None: nowhere."""
        w, h = self.size(text)
        cx, cy = self.centre[node.id]
        gap = self.radius[node.id] + 1.5 * self.px_per_pt
        directions = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1))
        for avoid_markers in (True, False):
            for ring in RINGS:
                out = ring * h
                for dx, dy in directions:
                    x = cx + dx * (gap + out + w / 2)
                    y = cy + dy * (gap + out + h / 2)
                    box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
                    if self._free(box, avoid_markers):
                        self.taken = np.vstack([self.taken, box])
                        dataxy = self.ax.transData.inverted().transform((x, y))
                        return float(dataxy[0]), float(dataxy[1]), ring > 0
        return None


def place_labels(ax: Axes, nmap: NetworkMap, scale: float) -> Labels:
    """Every label of ``nmap`` placed on ``ax`` (limits already set), none overlapping another."""
    renderer = FigureCanvasAgg(ax.figure.figure).get_renderer()  # type: ignore[union-attr]
    placer = _Placer(ax, nmap, scale, renderer)
    named, rest = _priority(nmap)
    placed: list[PlacedLabel] = []
    for node in named:
        text = _label_text(node)
        spot = placer.place(node, text)
        if spot is None:
            rest.append(node)
        else:
            placed.append(PlacedLabel(node.id, text, spot[0], spot[1], spot[2]))
    numbered = tuple(enumerate(sorted(rest, key=lambda n: (n.label, n.id)), start=1))
    for number, node in numbered:
        spot = placer.place(node, str(number))
        if spot is not None:
            placed.append(PlacedLabel(node.id, str(number), spot[0], spot[1], spot[2], number))
    return Labels(tuple(placed), numbered)


# ---------------------------------------------------------------------------------------------- the map


def _draw_map(ax: Axes, nmap: NetworkMap, scale: float, labels: Labels) -> None:
    where = {n.id: n for n in nmap.nodes}
    for part in nmap.isolated:
        ax.add_patch(
            Circle(
                (part.x, part.y),
                part.radius,
                facecolor=(0.84, 0.15, 0.16, 0.07),
                edgecolor=ISOLATED_COLOUR,
                linestyle="--",
                linewidth=1.0,
                zorder=0,
            )
        )
    for ghost in (False, True):
        segments = [
            [(where[e.source].x, where[e.source].y), (where[e.target].x, where[e.target].y)]
            for e in nmap.edges
            if e.ghost is ghost
        ]
        widths = [0.4 if ghost else 0.3 + 0.2 * min(e.weight, 8.0) for e in nmap.edges if e.ghost is ghost]
        if segments:
            ax.add_collection(
                LineCollection(
                    segments,
                    colors="#cccccc" if ghost else EDGE_COLOUR,
                    linewidths=widths,
                    linestyles="--" if ghost else "-",
                    zorder=1,
                )
            )
    leaders = [[(where[p.node_id].x, where[p.node_id].y), (p.x, p.y)] for p in labels.placed if p.leader]
    if leaders:
        ax.add_collection(LineCollection(leaders, colors="#888888", linewidths=0.4, zorder=2))
    for shape, marker in MARKERS.items():
        for ghost in (False, True):
            group = [n for n in nmap.nodes if n.shape == shape and n.ghost is ghost]
            if not group:
                continue
            ax.scatter(
                [n.x for n in group],
                [n.y for n in group],
                s=[(2 * _radius_pt(n, scale)) ** 2 for n in group],
                marker=marker,
                c=["#ffffff" if ghost else n.colour for n in group],
                edgecolors=[KEY_PERSON_RING if n.key_candidate else ("#9e9e9e" if ghost else n.colour) for n in group],
                linewidths=[2.0 if n.key_candidate else (0.8 if ghost else 0.3) for n in group],
                linestyles="--" if ghost else "-",
                zorder=3 if not ghost else 2,
            )
    font = cjk_font(LABEL_PT)
    for label in labels.placed:
        ax.text(
            label.x,
            label.y,
            label.text,
            fontproperties=font,
            color="#222222" if label.number is None else "#333333",
            ha="center",
            va="center",
            zorder=4,
            bbox=LABEL_BOX,
        )


# ---------------------------------------------------------------------------------------------- the panel


@dataclass(frozen=True)
class _Line:
    """One line of the panel: its kind, text, height in points and what it draws."""

    kind: str  # heading, text, swatch, grid-head, grid-row
    text: str = ""
    height: float = 10.0
    indent: float = 0.0
    marker: tuple[str, str, str, float] | None = None  # matplotlib marker, face, edge, edge width
    marks: tuple[bool, ...] = ()
    heads: tuple[str, ...] = ()


TEXT_LINE = PANEL_PT * 1.38
HEADING_PT = 8.0
HEADING_LINE = HEADING_PT * 1.45 + 4.0
GRID_NAME_PT = 112.0  # the community-name column of the grid


def _heading(text: str) -> list[_Line]:
    parts = _wrapped(text, PANEL_WIDTH_PT / HEADING_PT)
    return [_Line("heading", "\n".join(parts), HEADING_LINE + (len(parts) - 1) * HEADING_PT * 1.3)]


def _text_lines(text: str, indent: float = 0.0) -> list[_Line]:
    ems = (PANEL_WIDTH_PT - indent - 7.0) / PANEL_PT  # room for the hanging indent of a wrapped line
    parts = _wrapped(text, ems)
    return [_Line("text", part, TEXT_LINE, indent if i == 0 else indent + 7.0) for i, part in enumerate(parts)]


def _legend_lines(nmap: NetworkMap) -> list[_Line]:
    lines = [*_heading("凡例 / Legend")]
    for group in nmap.groups():
        ghost = group.key == "missing"
        marker = (MARKERS[group.shape], "#ffffff" if ghost else group.colour, "#9e9e9e" if ghost else group.colour, 0.8)
        lines += [
            _Line(s.kind, s.text, s.height, 12.0, marker if i == 0 else None)
            for i, s in enumerate(_text_lines(f"{group.ja} / {group.en}", 12.0))
        ]
    top = nmap.key_person_top
    ring = ("o", "#ffffff", KEY_PERSON_RING, 2.0)
    key_text = f"★ キーパーソン候補（上位{top}、★順位） / Key-person candidates (top {top})"
    for i, s in enumerate(_text_lines(key_text, 12.0)):
        lines.append(_Line(s.kind, s.text, s.height, 12.0, ring if i == 0 else None))
    if nmap.isolated:
        circle = ("o", "#fbeaea", ISOLATED_COLOUR, 0.8)
        lines += [_Line("text", "孤立した部分（点線の円） / Isolated part (dashed circle)", TEXT_LINE, 12.0, circle)]
    lines += _text_lines(SIZE_NOTE)
    return lines


def _grid_lines(nmap: NetworkMap) -> list[_Line]:
    needs = nmap.needs()
    if not needs:
        return []
    heads = tuple(n.ja for n in needs)
    head_height = max(sum(_char_ems(c) for c in h) for h in heads) * PANEL_PT + 6.0
    head = _Line("grid-head", "", head_height, heads=heads)
    lines = [*_heading("不足セクター（✓あり ×なし） / Needed sectors (✓ present, × missing)"), head]
    for gap in nmap.gaps:
        name_lines = _wrapped(gap.name, (GRID_NAME_PT - 4) / PANEL_PT)
        height = TEXT_LINE * len(name_lines) + 2.0
        lines.append(_Line("grid-row", "\n".join(name_lines), height, marks=tuple(m.met for m in gap.needs)))
    return lines


def _panel_lines(nmap: NetworkMap, labels: Labels) -> list[_Line]:
    lines = _legend_lines(nmap)
    lines += _heading("★ キーパーソン候補 / Key-person candidates")
    keys = [f"★{n.key_rank} {n.label}（{n.key_score:.2f}）" for n in nmap.key_persons()]
    for key in keys or ["なし / None"]:
        lines += _text_lines(key)
    lines += _grid_lines(nmap)
    if labels.numbered:
        shown = {p.node_id for p in labels.placed}
        lines += _heading("番号の凡例 / Numbered actors")
        for number, node in labels.numbered:
            away = "" if node.id in shown else "（図中に番号なし / not on the map）"
            lines += _text_lines(f"{number}. {node.label}{away}")
    lines += _heading("孤立した部分 / Isolated parts")
    for part in nmap.isolated or ():
        lines += _text_lines(f"{part.index}. {part.label}（{part.size}）")
    if not nmap.isolated:
        lines += _text_lines("なし / None")
    return lines


@dataclass(frozen=True)
class _Column:
    page: int
    left: float  # figure fraction
    lines: tuple[tuple[float, _Line], ...]  # (top, in points from the page's top) and the line


def _flow(lines: list[_Line], geometry: _Geometry) -> list[_Column]:
    """The panel's lines poured into the first page's panel, then the columns of further pages; a
    heading is never left alone at a column's foot, and the grid's head repeats in each column."""
    _, page_h = geometry.points
    top, bottom = HEADER_PT, page_h - MARGIN_PT
    columns: list[_Column] = []
    slots = [(1, geometry.panel_left)]
    current: list[tuple[float, _Line]] = []
    y = top
    grid_head: _Line | None = None
    page, slot = 1, 0

    def next_column() -> None:
        nonlocal current, y, page, slot
        columns.append(_Column(page, slots[slot][1], tuple(current)))
        current, y = [], top
        slot += 1
        if slot >= len(slots):
            page += 1
            slots.extend((page, left) for left in geometry.continuation_columns())

    for i, line in enumerate(lines):
        if line.kind == "grid-head":
            grid_head = line
        elif line.kind == "heading":
            grid_head = None
        follow, j = 0.0, i
        while lines[j].kind in ("heading", "grid-head") and j + 1 < len(lines):  # kept with what follows
            j += 1
            follow += lines[j].height
        if y + line.height + follow > bottom and current:
            next_column()
            if line.kind == "grid-row" and grid_head is not None:
                current.append((y, grid_head))
                y += grid_head.height
        current.append((y, line))
        y += line.height
    if current:
        columns.append(_Column(page, slots[slot][1], tuple(current)))
    return columns


def _draw_column(container: Figure | SubFigure, column: _Column, geometry: _Geometry) -> None:
    w, h = geometry.points
    transform = container.transSubfigure
    for top, line in column.lines:
        y = 1 - top / h
        x = column.left + line.indent / w
        if line.kind == "heading":
            bold = cjk_font(HEADING_PT, weight="bold")
            container.text(column.left, 1 - (top + 4.0) / h, line.text, fontproperties=bold, va="top")
            continue
        if line.kind == "grid-head":
            for k, head in enumerate(line.heads):
                cx = column.left + (GRID_NAME_PT + 7.0 + k * _cell_pt(line.heads)) / w
                container.text(
                    cx, 1 - (top + line.height - 3.0) / h, head, fontproperties=cjk_font(PANEL_PT), rotation=90,
                    ha="center", va="bottom",
                )  # fmt: skip
            continue
        if line.kind == "grid-row":
            container.add_artist(
                Rectangle((column.left, 1 - (top + line.height) / h), PANEL_WIDTH_PT / w, 0.4 / h,
                          transform=transform, facecolor="#dddddd", edgecolor="none")
            )  # fmt: skip
            container.text(column.left, y - 1.0 / h, line.text, fontproperties=cjk_font(PANEL_PT), va="top")
            cell = _cell_pt(tuple("x" for _ in line.marks))
            for k, met in enumerate(line.marks):
                cx = column.left + (GRID_NAME_PT + 7.0 + k * cell) / w
                container.text(
                    cx, y - 1.0 / h, "✓" if met else "×", fontproperties=cjk_font(8.0, weight="bold"),
                    color="#2a7a2a" if met else "#c0392b", ha="center", va="top",
                )  # fmt: skip
            continue
        if line.marker is not None:
            marker, face, edge, width = line.marker
            container.add_artist(
                Line2D([column.left + 5.0 / w], [y - 4.5 / h], transform=transform, linestyle="", marker=marker,
                       markersize=6, markerfacecolor=face, markeredgecolor=edge, markeredgewidth=width)
            )  # fmt: skip
        container.text(x, y, line.text, fontproperties=cjk_font(PANEL_PT), va="top")


def _cell_pt(heads: tuple[str, ...]) -> float:
    return max(10.0, min(16.0, (PANEL_WIDTH_PT - GRID_NAME_PT - 4.0) / max(len(heads), 1)))


# ---------------------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class MapPages:
    """The map laid out: its labels, and the panel's columns over one or more pages."""

    nmap: NetworkMap
    geometry: _Geometry
    scale: float
    limits: tuple[float, ...]
    labels: Labels
    columns: tuple[_Column, ...]
    title: str

    @property
    def count(self) -> int:
        return max(c.page for c in self.columns) if self.columns else 1


def lay_out(
    nmap: NetworkMap, *, dpi: int = 300, title: str | None = None, size: tuple[float, float] = PAGE
) -> MapPages:
    """Decide where every label and panel line goes (no drawing kept)."""
    geometry = _Geometry(size)
    box = geometry.map_box
    scale, limits, labels = 1.0, (0.0, 1.0, 1.0, 0.0), Labels((), ())
    if nmap.nodes:
        scratch = Figure(figsize=size, dpi=dpi)
        ax = scratch.add_axes(box)
        scale, limits = _map_limits(nmap, box, geometry)
        ax.set_xlim(limits[0], limits[1])
        ax.set_ylim(limits[3], limits[2])
        labels = place_labels(ax, nmap, scale)
    columns = _flow(_panel_lines(nmap, labels), geometry)
    return MapPages(nmap, geometry, scale, limits, labels, tuple(columns), title or "ネットワーク図 / Network map")


def _draw_page(container: Figure | SubFigure, pages: MapPages, page: int) -> None:
    nmap, geometry = pages.nmap, pages.geometry
    w, h = geometry.points
    heading = pages.title if page == 1 else f"{pages.title}（続き / continued）"
    if pages.count > 1:
        heading += f"　{page}/{pages.count}"
    container.text(MARGIN_PT / w, 1 - 12.0 / h, heading, fontproperties=cjk_font(14, weight="bold"), va="top")
    note = "　".join([nmap.scope_text, *(["氏名非表示 / Names hidden"] if nmap.names_hidden else [])])
    container.text(MARGIN_PT / w, 1 - 36.0 / h, note, fontproperties=cjk_font(8), color="#555555", va="top")
    if page == 1:
        ax = container.add_axes(geometry.map_box)
        ax.set_axis_off()
        if nmap.nodes:
            x0, x1, y0, y1 = pages.limits
            ax.set_xlim(x0, x1)
            ax.set_ylim(y1, y0)  # y points down, as on screen
            _draw_map(ax, nmap, pages.scale, pages.labels)
        else:
            nobody = "団体・個人なし / No actors"
            ax.text(0.5, 0.5, nobody, fontproperties=cjk_font(12), ha="center", transform=ax.transAxes)
    for column in pages.columns:
        if column.page == page:
            _draw_column(container, column, geometry)


def draw_map_pages(pages: MapPages, *, dpi: int = 300) -> list[Figure]:
    """One figure per page."""
    figures = []
    for page in range(1, pages.count + 1):
        figure = Figure(figsize=pages.geometry.size, dpi=dpi, facecolor="white")
        _draw_page(figure, pages, page)
        figures.append(figure)
    return figures


def draw_map_figure(
    nmap: NetworkMap, *, dpi: int = 300, title: str | None = None, size: tuple[float, float] = PAGE
) -> Figure:
    """``nmap`` on A4 landscape pages stacked in one figure (one page when all fits), not yet saved.
    Call it and save the figure inside ``deterministic_drawing()`` (as ``map_figure`` does) for stable
    bytes. The map is ``axes[0]``."""
    _check_dpi(dpi)
    pages = lay_out(nmap, dpi=dpi, title=title, size=size)
    if pages.count == 1:
        return draw_map_pages(pages, dpi=dpi)[0]
    figure = Figure(figsize=(size[0], size[1] * pages.count), dpi=dpi, facecolor="white")
    panels = figure.subfigures(pages.count, 1, hspace=0.0)
    for page, panel in enumerate(panels, start=1):
        if page > 1:  # a rule between two panels, where the pages would be cut apart
            panel.add_artist(Line2D([0, 1], [1, 1], transform=panel.transSubfigure, color="#bbbbbb", linewidth=0.8))
        _draw_page(panel, pages, page)
    return figure


def _check_dpi(dpi: int) -> None:
    if not 72 <= dpi <= 1200:
        raise ValueError(f"dpi must be between 72 and 1200: {dpi} / dpiは72〜1200")


def map_figure(
    nmap: NetworkMap, *, fmt: FigureFormat, dpi: int = 300, title: str | None = None, size: tuple[float, float] = PAGE
) -> bytes:
    """``nmap`` as ``fmt`` bytes: a PDF of one A4 landscape page per page, or a PNG/SVG with the
    continuation pages as panels below the first."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"format must be png, svg or pdf: {fmt!r} / 形式は png・svg・pdf のいずれか")
    _check_dpi(dpi)
    with deterministic_drawing():
        if fmt != "pdf":
            return save_figure(draw_map_figure(nmap, dpi=dpi, title=title, size=size), fmt)
        figures = draw_map_pages(lay_out(nmap, dpi=dpi, title=title, size=size), dpi=dpi)
        buffer = io.BytesIO()
        with PdfPages(buffer, metadata=DETERMINISTIC_METADATA["pdf"]) as document:
            for figure in figures:
                document.savefig(figure)
        return buffer.getvalue()


def map_page_svgs(nmap: NetworkMap, *, title: str | None = None, size: tuple[float, float] = PAGE) -> list[bytes]:
    """``nmap`` as one SVG per page (the committee pack prints each on its own sheet)."""
    with deterministic_drawing():
        pages = lay_out(nmap, title=title, size=size)
        return [save_figure(figure, "svg") for figure in draw_map_pages(pages)]


def network_figure(
    data: GraphData,
    scope: Scope | None = None,
    *,
    fmt: FigureFormat,
    hide_names: bool = False,
    seed: int = 0,
    positions: Mapping[str, Sequence[float]] | None = None,
    dpi: int = 300,
    title: str | None = None,
    anonymised: bool = False,
    ghosts: bool = False,
) -> bytes:
    """The network map of ``scope`` as a PNG, SVG or PDF figure; options as in ``network_map``."""
    nmap = network_map(
        data, scope, hide_names=hide_names, seed=seed, positions=positions, anonymised=anonymised, ghosts=ghosts
    )
    return map_figure(nmap, fmt=fmt, dpi=dpi, title=title)
