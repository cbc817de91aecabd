"""ネットワーク図（静止画） / The network map as a static figure: PNG (300 dpi and up), SVG or PDF.

Drawn with matplotlib from the same ``NetworkMap`` as the interactive page (``network_map``), so the
two agree: the same positions (y pointing down, as on screen), colours, sizes by key-person score,
rings on key-person candidates, dashed hollow ghosts for missing sectors and dashed circles around
isolated parts. Beside the map: a Japanese/English legend, the key-person candidates, each
community's missing sectors and the isolated parts, as the page's side panel lists them.

Labels: every actor on a map of up to ``LABEL_ALL_UP_TO`` actors, on a larger one only communities
and key-person candidates; ghosts only when there are at most ``GHOST_LABELS_UP_TO`` (the panel
lists every community's missing sectors anyway). More labels would bury the picture.

Every text is drawn with the Japanese font passed explicitly (``secgraph.viz.fonts``), inside
``deterministic_drawing()`` on a ``Figure`` of its own (never pyplot's global state), and saved with
``DETERMINISTIC_METADATA``: the same data and options give the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.listing import more_text
from secgraph.viz.fonts import FIGURE_MEDIA_TYPES, FigureFormat, cjk_font, deterministic_drawing, save_figure
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
#: The map's part of the page (figure fractions: left, bottom, width, height); the panel is to its right.
MAP_BOX = (0.02, 0.03, 0.68, 0.86)
PANEL_LEFT = 0.72
LABEL_ALL_UP_TO = 80
GHOST_LABELS_UP_TO = 12  # more ghost labels than this bury the map: the panel lists them instead
MARKERS = {"dot": "o", "triangle": "^", "diamond": "D"}
MIN_MARKER_PT = 1.2  # a node never shrinks below this radius, however large the map
SIZE_NOTE = "大きさ＝キーパーソン指標 / Size = key-person score"
PANEL_LINES = 12  # entries per list in the panel before 「ほか N」


def _points_per_unit(nmap: NetworkMap, figure: Figure, box: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """Scale of the map (points per layout unit) and its limits, with room for circles and labels."""
    xs = [n.x for n in nmap.nodes] + [p.x - p.radius for p in nmap.isolated] + [p.x + p.radius for p in nmap.isolated]
    ys = [n.y for n in nmap.nodes] + [p.y - p.radius for p in nmap.isolated] + [p.y + p.radius for p in nmap.isolated]
    margin = 60.0
    x0, x1 = min(xs) - margin, max(xs) + margin
    y0, y1 = min(ys) - margin, max(ys) + margin + 20.0  # labels hang below their node
    width_pt = figure.get_figwidth() * 72 * box[2]
    height_pt = figure.get_figheight() * 72 * box[3]
    scale = min(width_pt / (x1 - x0), height_pt / (y1 - y0))
    # centre the map in its box at that scale (equal aspect)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = width_pt / scale / 2, height_pt / scale / 2
    return scale, (cx - half_w, cx + half_w, cy - half_h, cy + half_h)


def _radius_pt(node: MapNode, scale: float) -> float:
    return max(MIN_MARKER_PT, node.size * scale)


def _labelled(nmap: NetworkMap) -> list[MapNode]:
    ghosts = len([n for n in nmap.nodes if n.ghost]) <= GHOST_LABELS_UP_TO
    every = nmap.actors_total <= LABEL_ALL_UP_TO
    return [
        n
        for n in nmap.nodes
        if (n.ghost and ghosts) or (not n.ghost and (every or n.kind == "Community" or n.key_candidate))
    ]


def _draw_map(ax: Axes, nmap: NetworkMap, scale: float) -> None:
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
    size = 7.0 if nmap.actors_total <= LABEL_ALL_UP_TO else 5.0
    font = cjk_font(size)
    ghost_font = cjk_font(size * 0.85)
    for node in _labelled(nmap):
        ax.text(
            node.x,
            node.y + (_radius_pt(node, scale) + 1.5) / scale,  # just below the node (y points down)
            node.label,
            fontproperties=ghost_font if node.ghost else font,
            color="#666666" if node.ghost else "#222222",
            ha="center",
            va="top",
            zorder=4,
            clip_on=True,
        )


def _legend(ax: Axes, nmap: NetworkMap) -> None:
    handles: list[Line2D | Patch] = []
    for group in nmap.groups():
        ghost = group.key == "missing"
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker=MARKERS[group.shape],
                markersize=7,
                markerfacecolor="#ffffff" if ghost else group.colour,
                markeredgecolor="#9e9e9e" if ghost else group.colour,
                label=f"{group.ja} / {group.en}",
            )
        )
    top = nmap.key_person_top
    handles.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=8,
            markerfacecolor="#ffffff",
            markeredgecolor=KEY_PERSON_RING,
            markeredgewidth=2.0,
            label=f"★ キーパーソン候補（上位{top}） / Key-person candidates (top {top})",
        )
    )
    handles.append(
        Patch(
            facecolor=(0.84, 0.15, 0.16, 0.07),
            edgecolor=ISOLATED_COLOUR,
            linestyle="--",
            label="孤立した部分 / Isolated part",
        )
    )
    legend = ax.legend(
        handles=handles,
        loc="upper left",
        frameon=False,
        prop=cjk_font(7),
        title="凡例 / Legend",
        title_fontproperties=cjk_font(7.5, weight="bold"),
        alignment="left",
    )
    legend.set_zorder(5)


def _cut(lines: list[str]) -> list[str]:
    if len(lines) <= PANEL_LINES:
        return lines
    return [*lines[: PANEL_LINES - 1], more_text(len(lines) - PANEL_LINES + 1, "ja/en")]


def _panel_text(nmap: NetworkMap) -> list[tuple[str, bool]]:
    """The side lists as (line, is heading)."""
    keys = [f"{n.key_rank}. {n.label}（{n.key_score:.2f}）" for n in nmap.key_persons()]
    gaps = [
        f"{g.name}: {'、'.join(m.ja for m in g.missing) if g.missing else '不足なし / none'}"
        for g in nmap.gaps
        if g.missing
    ]
    parts = [f"{p.index}. {p.label}（{p.size}）" for p in nmap.isolated]
    lines: list[tuple[str, bool]] = [("★ キーパーソン候補 / Key-person candidates", True)]
    lines += [(line, False) for line in (keys or ["なし / None"])]
    lines.append(("孤立した部分 / Isolated parts", True))
    lines += [(line, False) for line in _cut(parts) or ["なし / None"]]
    # last: the longest list, cut by the page's end if need be
    lines.append(("不足セクター / Missing sectors", True))
    lines += [(line, False) for line in _cut(gaps) or ["なし / None"]]
    return lines


def _wrapped(text: str, most: float = 32.0, lines: int = 2) -> list[str]:
    """``text`` in lines of ``most`` full-width characters' room (a half-width one takes about half);
    at most ``lines`` of them, the last cut with 「…」."""
    out: list[str] = []
    line, used = "", 0.0
    for char in text:
        width = 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55
        if used + width > most:
            out.append(line)
            line, used = "", 0.0
            if len(out) == lines:
                out[-1] = out[-1][:-1] + "…"
                return out
        line += char
        used += width
    return [*out, line]


def draw_map_figure(nmap: NetworkMap, *, dpi: int = 300, title: str | None = None) -> Figure:
    """``nmap`` drawn on an A4 landscape page, not yet saved. Call it and save the figure inside
    ``deterministic_drawing()`` (as ``map_figure`` does) for stable bytes. The map is ``axes[0]``."""
    if not 72 <= dpi <= 1200:
        raise ValueError(f"dpi must be between 72 and 1200: {dpi} / dpiは72〜1200")
    figure = Figure(figsize=PAGE, dpi=dpi)
    heading = title or "ネットワーク図 / Network map"
    figure.text(0.02, 0.965, heading, fontproperties=cjk_font(14, weight="bold"), va="top")
    note = "　".join([nmap.scope_text, *(["氏名非表示 / Names hidden"] if nmap.names_hidden else []), SIZE_NOTE])
    figure.text(0.02, 0.925, note, fontproperties=cjk_font(8), color="#555555", va="top")
    ax = figure.add_axes(MAP_BOX)
    ax.set_axis_off()
    if nmap.nodes:
        scale, (x0, x1, y0, y1) = _points_per_unit(nmap, figure, MAP_BOX)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y1, y0)  # y points down, as on screen
        _draw_map(ax, nmap, scale)
    else:
        nobody = "団体・個人なし / No actors"
        ax.text(0.5, 0.5, nobody, fontproperties=cjk_font(12), ha="center", transform=ax.transAxes)
    legend_ax = figure.add_axes((PANEL_LEFT, 0.52, 0.27, 0.40))
    legend_ax.set_axis_off()
    _legend(legend_ax, nmap)
    y = 0.50
    for line, heading_line in _panel_text(nmap):
        if y < 0.02:
            break
        if heading_line:
            y -= 0.008
        font = cjk_font(7.5 if heading_line else 6.5, weight="bold" if heading_line else "normal")
        for i, part in enumerate(_wrapped(line)):
            figure.text(PANEL_LEFT + (0.01 if i else 0.0), y, part, fontproperties=font, va="top")
            y -= 0.022 if heading_line else 0.018
    return figure


def map_figure(nmap: NetworkMap, *, fmt: FigureFormat, dpi: int = 300, title: str | None = None) -> bytes:
    """``nmap`` drawn on an A4 landscape page, as ``fmt`` bytes."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"format must be png, svg or pdf: {fmt!r} / 形式は png・svg・pdf のいずれか")
    with deterministic_drawing():
        return save_figure(draw_map_figure(nmap, dpi=dpi, title=title), fmt)


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
) -> bytes:
    """The network map of ``scope`` as a PNG, SVG or PDF figure; options as in ``network_map``."""
    nmap = network_map(data, scope, hide_names=hide_names, seed=seed, positions=positions, anonymised=anonymised)
    return map_figure(nmap, fmt=fmt, dpi=dpi, title=title)
