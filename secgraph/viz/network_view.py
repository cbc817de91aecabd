"""ネットワーク図 / The interactive network view: one standalone HTML file, no internet needed.

The actor network of a scope (``secgraph.analysis.network.actor_network``) drawn with vis-network:

- nodes coloured by sector group (産/学/官/個/金融/メディア, people and communities apart) with a
  legend in Japanese and English; sized by degree;
- positions computed here with a seeded spring layout and physics off, so the same data always
  gives the same picture (and the same bytes);
- a search box and a sector filter in plain inline JavaScript;
- tooltips as text: the page builds each tooltip as a DOM element filled through ``textContent``,
  so no user text is ever parsed as HTML whatever vis-network version reads it;
- fully self-contained: vis-network's JS and CSS are inlined from the pyvis package's own copy;
  no CDN, font, stylesheet or script is fetched, and nothing is written to disk.

Every piece of user text reaches the page either HTML-escaped (legend, heading) or inside the JSON
data block, where ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes so that neither
``</script>`` nor ``<!--`` can end the block.
"""

from __future__ import annotations

import html
import json
import math
from functools import cache
from pathlib import Path

import networkx as nx
import pyvis
from pyvis.network import Network

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis.network import Scope, actor_network
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, SECTORS, Sector, SectorGroup, sector_group

VIS_VERSION = "9.1.2"

#: Legend groups in display order: key, 日本語, English, colour, vis shape.
GROUPS: tuple[tuple[str, str, str, str, str], ...] = (
    *(
        (group.value, SECTOR_GROUP_LABELS[group].ja, SECTOR_GROUP_LABELS[group].en, colour, "dot")
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
    ("person", "人物", "Person", "#17becf", "triangle"),
    ("community", "コミュニティ", "Community", "#8c564b", "diamond"),
)
_GROUP = {key: (ja, en, colour, shape) for key, ja, en, colour, shape in GROUPS}
KIND_LABELS = {
    "Organisation": "団体 / Organisation",
    "Person": "人物 / Person",
    "Community": "コミュニティ / Community",
}
#: Japanese faces found on office PCs (Windows, macOS) and on Linux, then the browser's default.
FONT_STACK = '"Yu Gothic UI", "Yu Gothic", Meiryo, "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP", sans-serif'


@cache
def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS from the copy shipped inside pyvis (no network, no lib/ folder)."""
    folder = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}"
    js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    css = (folder / "vis-network.css").read_text(encoding="utf-8")
    return js.replace("</script", "<\\/script"), css.replace("</style", "<\\/style")


def _json(value: object) -> str:
    """JSON safe inside a <script> block: no ``</script>``, ``<!--`` or ``]]>`` can appear."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _group_of(attrs: dict) -> str:
    if attrs.get("kind") == "Person":
        return "person"
    if attrs.get("kind") == "Community":
        return "community"
    try:
        return sector_group(Sector(attrs.get("sector"))).value
    except ValueError:
        return SectorGroup.OTHER.value


def _sector_text(sector: str | None) -> str | None:
    if not sector or sector == "community":
        return None
    try:
        info = SECTORS[Sector(sector)]
    except ValueError:
        return sector
    return f"{info.label.ja} / {info.label.en}"


def _prefecture_names(codes: list[str]) -> str:
    names = []
    for code in codes:
        try:
            names.append(geography.prefecture(code).name)
        except (KeyError, ValueError):
            names.append(code)
    return "、".join(names)


def _tooltip(attrs: dict, degree: int, record_id: str | None) -> str:
    """The node's facts as plain text (one per line)."""
    lines = [str(attrs.get("name", "")), f"種別 / Kind: {KIND_LABELS.get(attrs.get('kind', ''), attrs.get('kind'))}"]
    sector = _sector_text(attrs.get("sector"))
    if sector:
        lines.append(f"セクター / Sector: {sector}")
    group = _GROUP[_group_of(attrs)]
    lines.append(f"区分 / Group: {group[0]} / {group[1]}")
    if attrs.get("prefectures"):
        lines.append(f"都道府県 / Prefectures: {_prefecture_names(attrs['prefectures'])}")
    lines.append(f"つながり / Ties: {degree}")
    if record_id:
        lines.append(f"ID: {record_id}")
    return "\n".join(lines)


def _dense_spring_layout(graph: nx.Graph, seed: int, scale: float) -> dict[str, object]:
    import numpy as np
    from networkx.drawing.layout import _fruchterman_reingold, rescale_layout

    matrix = nx.to_numpy_array(graph, weight="weight")
    pos = _fruchterman_reingold(matrix, None, None, None, 50, 1e-4, 2, np.random.RandomState(seed))
    return dict(zip(graph, rescale_layout(pos, scale=scale), strict=True))


def _component_layout(graph: nx.Graph, seed: int) -> tuple[dict[str, tuple[float, float]], float]:
    """One connected part laid out around (0, 0), and its radius."""
    if graph.number_of_nodes() == 1:
        return {next(iter(graph.nodes)): (0.0, 0.0)}, 0.0
    # spread grows with the node count, so labels stay readable when the view fits the whole map
    radius = 60.0 + 110.0 * math.sqrt(graph.number_of_nodes())
    try:
        layout = nx.spring_layout(graph, seed=seed, weight="weight", scale=radius)
    except ImportError:  # networkx lays out 500+ nodes with scipy; without it, its dense solver (numpy only)
        layout = _dense_spring_layout(graph, seed, radius)
    return {node: (float(x), float(y)) for node, (x, y) in layout.items()}, radius


def _positions(graph: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    """Seeded spring layout of each connected part, the parts packed in rows, largest first.

    Laid out together, isolated nodes would be flung to the edge and squeeze the main part into a
    speck; packed separately, every part stays readable and isolated ones are easy to see.
    """
    parts = sorted(nx.connected_components(graph), key=lambda part: (-len(part), min(part)))
    laid = [_component_layout(graph.subgraph(sorted(part)), seed) for part in parts]
    gap = 200.0  # room for the labels between parts
    row_width = max([2 * radius for _, radius in laid] + [math.sqrt(sum((2 * r + gap) ** 2 for _, r in laid)) * 1.6])
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for layout, radius in laid:
        size = 2 * radius + gap
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2, y + size / 2
        for node, (px, py) in layout.items():
            # rounded, so tiny floating-point differences never change the bytes of the page
            positions[node] = (round(cx + px, 1), round(cy + py, 1))
        x += size
        row_height = max(row_height, size)
    return positions


def build_network(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False, seed: int = 0) -> Network:
    """The pyvis network of ``scope``: laid out, coloured and sized, physics off."""
    if hide_names:
        data = visible_graph(data, Visibility.ANONYMISED)
    graph = actor_network(data, scope)
    positions = _positions(graph, seed)
    net = Network(height="100%", width="100%", cdn_resources="in_line")
    index = {node_id: i for i, node_id in enumerate(sorted(graph.nodes))}
    for node_id in sorted(graph.nodes):
        attrs = graph.nodes[node_id]
        degree = graph.degree(node_id)
        group = _group_of(attrs)
        _ja, _en, colour, shape = _GROUP[group]
        x, y = positions[node_id]
        # with names hidden a person's id is a pseudonym: left out, so it cannot be matched to anything
        shown_id = None if hide_names and attrs.get("kind") == "Person" else node_id
        net.add_node(
            index[node_id],
            label=str(attrs.get("name", "")),
            shape=shape,
            color=colour,
            size=round(8 + 6 * math.sqrt(degree), 2),
            x=x,
            y=y,
            physics=False,
            # the page turns this text into a DOM tooltip through textContent
            tooltip=_tooltip(attrs, degree, shown_id),
            sectorGroup=group,
            searchText=" ".join(dict.fromkeys(filter(None, [str(attrs.get("name", "")), shown_id]))).casefold(),
        )
    for a, b, edge in sorted(graph.edges(data=True), key=lambda e: tuple(sorted((index[e[0]], index[e[1]])))):
        i, j = sorted((index[a], index[b]))
        net.add_edge(i, j, value=float(edge.get("weight", 1.0)), physics=False)
    return net


def _node_data(net: Network) -> list[dict]:
    keep = ("id", "label", "shape", "color", "size", "x", "y", "physics", "tooltip", "sectorGroup", "searchText")
    return [{k: node[k] for k in keep if k in node} for node in net.nodes]


def _edge_data(net: Network) -> list[dict]:
    return [{"from": e["from"], "to": e["to"], "value": e.get("value", 1.0)} for e in net.edges]


_OPTIONS = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False, "randomSeed": 0},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
    "nodes": {"font": {"size": 14, "face": FONT_STACK}, "borderWidth": 1},
    "edges": {"color": {"color": "#b0b0b0", "highlight": "#444444"}, "smooth": False, "scaling": {"min": 1, "max": 6}},
}

_STYLE = """
html, body { margin: 0; height: 100%; font-family: FONT_STACK; }
#sg-wrap { display: flex; height: 100vh; }
#sg-side { width: 260px; padding: 10px; box-sizing: border-box; border-right: 1px solid #ddd; overflow-y: auto;
  font-size: 13px; }
#sg-side h1 { font-size: 15px; margin: 0 0 8px 0; }
#sg-side .sg-scope { color: #555; margin-bottom: 10px; }
#sg-side input[type=search], #sg-side select { width: 100%; box-sizing: border-box; margin: 2px 0 10px 0; }
#sg-legend { list-style: none; padding: 0; margin: 0; }
#sg-legend li { margin: 3px 0; }
#sg-legend .sg-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px;
  vertical-align: middle; }
#sg-count { color: #555; margin-top: 10px; }
#sg-network { flex: 1; height: 100vh; }
.sg-tooltip { white-space: pre-line; font-size: 12px; max-width: 360px; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sg-data").textContent);
  var allNodes = data.nodes.map(function (n) {
    var tip = document.createElement("div");
    tip.className = "sg-tooltip";
    tip.textContent = n.tooltip;  // text, never HTML
    var copy = Object.assign({}, n);
    delete copy.tooltip;
    copy.title = tip;
    return copy;
  });
  var nodes = new vis.DataSet(allNodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("sg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var search = document.getElementById("sg-search");
  var sector = document.getElementById("sg-sector");
  var count = document.getElementById("sg-count");
  function apply() {
    var q = search.value.trim().toLowerCase();
    var g = sector.value;
    var shown = 0, matched = [];
    nodes.update(allNodes.map(function (n) {
      var inSector = !g || n.sectorGroup === g;
      var hit = q !== "" && n.searchText.indexOf(q) !== -1;
      if (inSector) shown += 1;
      if (inSector && hit) matched.push(n.id);
      return {id: n.id, hidden: !inSector, borderWidth: hit ? 4 : 1};
    }));
    count.textContent = "表示 / Shown: " + shown + " / " + allNodes.length;
    network.selectNodes(matched);
    if (matched.length) network.fit({nodes: matched, animation: false});
  }
  search.addEventListener("input", apply);
  sector.addEventListener("change", apply);
  window.secgraphNetwork = {network: network, nodes: nodes, edges: edges};
  function drawn() {
    document.body.setAttribute("data-sg-drawn", String(nodes.length));
    document.title = "drawn:" + nodes.length + ":" + edges.length + " " + document.title;
  }
  network.once("afterDrawing", drawn);
  count.textContent = "表示 / Shown: " + allNodes.length + " / " + allNodes.length;
  if (allNodes.length === 0) drawn();
})();
"""


def network_view_html(
    data: GraphData, scope: Scope | None = None, *, hide_names: bool = False, seed: int = 0, title: str | None = None
) -> str:
    """The network of ``scope`` as one standalone HTML page (Japanese, English beside)."""
    net = build_network(data, scope, hide_names=hide_names, seed=seed)
    nodes = _node_data(net)
    present = {n["sectorGroup"] for n in nodes}
    js, css = _vis_assets()
    scope_text = (scope or Scope()).describe()
    heading = title or "ネットワーク図 / Network map"
    legend = "\n".join(
        f'<li data-group="{html.escape(key)}"><span class="sg-swatch" style="background:{colour}"></span>'
        f"{html.escape(ja)} <small>{html.escape(en)}</small></li>"
        for key, ja, en, colour, _shape in GROUPS
        if key in present
    )
    options = "\n".join(
        f'<option value="{html.escape(key)}">{html.escape(ja)} / {html.escape(en)}</option>'
        for key, ja, en, _colour, _shape in GROUPS
        if key in present
    )
    payload = _json({"nodes": nodes, "edges": _edge_data(net), "options": _OPTIONS})
    names_note = "<div>氏名非表示 / Names hidden</div>" if hide_names else ""
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; \
style-src 'unsafe-inline'; img-src data:; font-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(heading)}</title>
<style>{css}</style>
<style>{_STYLE.replace("FONT_STACK", FONT_STACK)}</style>
</head>
<body>
<div id="sg-wrap">
<div id="sg-side">
<h1>{html.escape(heading)}</h1>
<div class="sg-scope">{html.escape(scope_text)}</div>
{names_note}
<label for="sg-search">検索 / Search</label>
<input id="sg-search" type="search" placeholder="名称・ID / Name or id" autocomplete="off">
<label for="sg-sector">セクターで絞り込み / Filter by sector</label>
<select id="sg-sector"><option value="">すべて / All</option>
{options}
</select>
<div>凡例 / Legend</div>
<ul id="sg-legend">
{legend}
</ul>
<div id="sg-count"></div>
<div class="sg-note">大きさ＝つながりの数 / Size = number of ties</div>
</div>
<div id="sg-network"></div>
</div>
<script id="sg-data" type="application/json">{payload}</script>
<script>{js}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""
