"""ネットワーク図 / The interactive network view: one standalone HTML file, no internet needed.

The page draws a ``NetworkMap`` (``secgraph.viz.network_map``: colours, key-person sizes and rings,
ghost nodes for missing sectors, isolated parts, positions) with vis-network, and adds what only a
page can do:

- a search box; filters by sector, community and prefecture (lists of what is on the map, in
  Japanese; within a region, community or prefecture only its own prefectures); a filter re-fits
  the view to what it shows, and an isolated part's circle goes when none of its nodes is shown;
  switches for the key-person rings, the missing-sector ghosts (when the map was made with them)
  and the isolated-part circles; side lists of the key-person candidates, each community's needed
  sectors as a ✓/× table and the isolated parts (a click focuses the map on them);
- labels readable at any zoom: the names of communities and key persons keep ``LABEL_PX`` on
  screen (their canvas size follows the zoom), and where two would overlap the lower-ranked one
  waits until one zooms in; the other actors' names appear once they would be 8 px or more;
- physics off: positions come from the model, so the page opens already settled, also with 2,000
  nodes, and the same data always gives the same picture (and the same bytes);
- tooltips as text: the page builds each tooltip as a DOM element filled through ``textContent``,
  so no user text is ever parsed as HTML whatever vis-network version reads it;
- small: colours and shapes come from the palette of the groups, and each tooltip line is written
  once for all the nodes that share it (a 2,000-actor page stays under 2 MB);
- fully self-contained: vis-network's JS and CSS are inlined from the pyvis package's own copy;
  no CDN, font, stylesheet or script is fetched, and nothing is written to disk.

Every piece of user text reaches the page either HTML-escaped (side panel, heading) or inside the
JSON data block, where ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes so that
neither ``</script>`` nor ``<!--`` can end the block. Once drawn, the page sets
``body[data-sg-drawn]`` to the number of nodes and exposes ``window.secgraphNetwork``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import pyvis

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.network_map import (
    EDGE_COLOUR,
    GROUPS,
    ISOLATED_COLOUR,
    KEY_PERSON_RING,
    NetworkMap,
    network_map,
)

VIS_VERSION = "9.1.2"
#: On-screen size (CSS pixels) of the names of communities and key persons, at any zoom.
LABEL_PX = 13
#: Japanese faces found on office PCs (Windows, macOS) and on Linux, then the browser's default.
FONT_STACK = '"Yu Gothic UI", "Yu Gothic", Meiryo, "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP", sans-serif'
#: The page's policy, also sent as a header by the service: nothing may load from anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"
)


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


def _tooltip_lines(nmap: NetworkMap) -> tuple[list[str], dict[str, int]]:
    """Every distinct line of the tooltips, once: most lines (kind, sector, group, the communities)
    repeat from node to node, so each node carries only the numbers of its lines."""
    lines = sorted({line for node in nmap.nodes for line in node.tooltip.split("\n")})
    return lines, {line: i for i, line in enumerate(lines)}


def _node_data(nmap: NetworkMap, index: Mapping[str, int], lines: Mapping[str, int]) -> list[dict[str, object]]:
    """The nodes as the page reads them: colours and shapes come from the palette of the groups
    (``groups`` in the data), tooltips from the shared lines, so a 2,000-actor page stays small."""
    data = []
    for node in nmap.nodes:
        item: dict[str, object] = {
            "id": index[node.id],
            "label": node.label,
            "size": node.size,
            "x": node.x,
            "y": node.y,
            "tip": [lines[line] for line in node.tooltip.split("\n")],  # made into a DOM tooltip via textContent
            "sectorGroup": node.group,
            "searchText": node.search_text,
            "communities": [index[c] for c in node.communities],
            "prefectures": list(node.prefectures),
        }
        # left out where they hold their usual value (no rank, no ghost, the main part): the page reads them so
        if node.key_candidate:
            item["keyRank"] = node.key_rank
        if node.ghost:
            item["ghost"] = True
        if node.part:
            item["part"] = node.part
        if node.kind == "Community" or node.key_candidate:
            item["main"] = True  # labelled at a readable size whatever the zoom
        data.append(item)
    return data


def _edge_data(nmap: NetworkMap, index: Mapping[str, int]) -> list[list[float]]:
    """Ties as ``[from, to, weight]``, a tie to a ghost as ``[from, to, 0]``, an inferred tie with a 4th
    item 1 (the page makes the
    objects vis-network reads)."""
    edges = []
    for edge in nmap.edges:
        a, b = sorted((index[edge.source], index[edge.target]))
        triple: list[float] = [a, b, 0 if edge.ghost else edge.weight]
        edges.append([*triple, 1] if edge.inferred and not edge.ghost else triple)  # a 4th 1: inferred
    return sorted(edges)


_OPTIONS = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False, "randomSeed": 0},
    "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
    # a label smaller than 8 px on screen is not drawn: the other actors' names appear as one zooms in
    "nodes": {
        "font": {"size": 14, "face": FONT_STACK},
        "borderWidth": 1,
        "physics": False,
        "scaling": {"label": {"drawThreshold": 9, "maxVisible": 40}},
    },
    "edges": {
        "color": {"color": EDGE_COLOUR, "highlight": "#444444"},
        "smooth": False,
        "scaling": {"min": 1, "max": 6},
    },
}

_STYLE = """
html, body { margin: 0; height: 100%; font-family: FONT_STACK; }
#sg-wrap { display: flex; height: 100vh; }
#sg-side { width: 290px; padding: 10px; box-sizing: border-box; border-right: 1px solid #ddd; overflow-y: auto;
  font-size: 13px; }
#sg-side h1 { font-size: 15px; margin: 0 0 8px 0; }
#sg-side h2 { font-size: 13px; margin: 14px 0 4px 0; border-bottom: 1px solid #eee; }
#sg-side .sg-scope { color: #555; margin-bottom: 10px; }
#sg-side input[type=search], #sg-side select { width: 100%; box-sizing: border-box; margin: 2px 0 8px 0; }
#sg-side label.sg-switch { display: block; margin: 2px 0; }
#sg-side ul, #sg-side ol { padding-left: 18px; margin: 2px 0; }
#sg-legend { list-style: none; padding: 0 !important; }
#sg-legend li { margin: 3px 0; }
#sg-legend .sg-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px;
  vertical-align: middle; }
#sg-legend .sg-ghost { background: #fff; border: 1px dashed #9e9e9e; width: 10px; height: 10px; }
#sg-legend .sg-ring { background: #fff; border: 3px solid KEY_RING; width: 8px; height: 8px; }
#sg-legend .sg-circle { background: rgba(214, 39, 40, 0.08); border: 1px dashed ISOLATED; width: 10px;
  height: 10px; }
#sg-side button.sg-link { border: none; background: none; padding: 0; color: #0645ad; cursor: pointer;
  text-align: left; font: inherit; }
#sg-gaps { border-collapse: collapse; font-size: 12px; }
#sg-gaps th { text-align: left; font-weight: normal; padding: 1px 4px 1px 0; }
#sg-gaps th.sg-need { vertical-align: bottom; padding: 0 1px; }
#sg-gaps th.sg-need span { writing-mode: vertical-rl; white-space: nowrap; }
#sg-gaps td { text-align: center; padding: 1px 2px; border-top: 1px solid #eee; font-weight: bold; }
#sg-gaps td.sg-met { color: #2a7a2a; }
#sg-gaps td.sg-miss { color: #c0392b; }
.sg-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
#sg-count { color: #555; margin-top: 8px; }
#sg-network { flex: 1; height: 100vh; }
.sg-tooltip { white-space: pre-line; font-size: 12px; max-width: 380px; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sg-data").textContent);
  var byId = {};
  function colours(n, ring) {
    var fill = n.ghost ? "#ffffff" : data.groups[n.sectorGroup].colour;
    var border = ring ? data.keyRing : data.groups[n.sectorGroup].colour;
    return {background: fill, border: border, highlight: {background: fill, border: "#222222"}};
  }
  function width(n, ring) { return ring ? 4 : (n.ghost ? 2 : 1); }
  var allNodes = data.nodes.map(function (n) {
    var tip = document.createElement("div");
    tip.className = "sg-tooltip";
    tip.textContent = n.tip.map(function (i) { return data.lines[i]; }).join("\\n");  // text, never HTML
    byId[n.id] = n;
    n.keyRank = n.keyRank || null;
    n.ghost = !!n.ghost;
    n.part = n.part || 0;
    var ring = n.keyRank !== null;
    var item = {id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, shape: data.groups[n.sectorGroup].shape,
      title: tip, sectorGroup: n.sectorGroup, keyRank: n.keyRank, ghost: n.ghost, part: n.part,
      color: colours(n, ring), borderWidth: width(n, ring)};
    if (n.ghost) {
      item.shapeProperties = {borderDashes: [4, 3]};
      item.font = {color: "#666666", size: 12};
    }
    return item;
  });
  var nodes = new vis.DataSet(allNodes);
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var ghost = {color: "#cccccc", highlight: "#888888"};
    if (e[2] === 0) return {from: e[0], to: e[1], value: 0.5, dashes: [4, 4], color: ghost};
    if (e[3] === 1) return {from: e[0], to: e[1], value: e[2], dashes: [2, 6], title: "推定の関係 / inferred tie"};
    return {from: e[0], to: e[1], value: e[2]};
  }));
  var container = document.getElementById("sg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var el = function (id) { return document.getElementById(id); };
  var search = el("sg-search"), sector = el("sg-sector"), community = el("sg-community");
  var prefecture = el("sg-prefecture"), keyOn = el("sg-key"), ghostsOn = el("sg-ghosts");
  var partsOn = el("sg-isolated"), count = el("sg-count");
  var actors = data.nodes.filter(function (n) { return !n.ghost; }).length;
  var mainIds = data.nodes.filter(function (n) { return n.main; }).map(function (n) { return n.id; });
  var mainSize = 0;
  // communities' and key persons' names keep about data.labelPx on screen at any zoom
  // key persons by rank first, then the communities: who keeps a label where two would overlap
  mainIds.sort(function (a, b) {
    var ra = byId[a].keyRank || 1e9, rb = byId[b].keyRank || 1e9;
    return ra - rb || a - b;
  });
  var measure = document.createElement("canvas").getContext("2d");
  var labelShown = {};
  // a label that would overlap one already shown is made transparent (its name is in the tooltip and
  // shows once one zooms in): what is on screen can be read
  function declutter(size) {
    var scale = network.getScale(), px = size * scale, boxes = [], changed = [];
    measure.font = px + "px " + data.options.nodes.font.face;
    var at = network.getPositions(mainIds);
    mainIds.forEach(function (id) {
      var item = nodes.get(id), show = false;
      if (!item.hidden) {
        var p = network.canvasToDOM(at[id]), below = p.y + byId[id].size * scale + 2;
        var lines = byId[id].label.split("\\n"), wide = 0;
        lines.forEach(function (line) { wide = Math.max(wide, measure.measureText(line).width); });
        var box = [p.x - wide / 2 - 2, below, p.x + wide / 2 + 2, below + lines.length * px * 1.25];
        show = !boxes.some(function (b) { return b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1]; });
        if (show) boxes.push(box);
      }
      if (labelShown[id] !== show || size !== mainSize) {
        labelShown[id] = show;
        changed.push({id: id, font: {size: size, color: show ? "#343434" : "rgba(0,0,0,0)"}});
      }
    });
    mainSize = size;
    if (changed.length) nodes.update(changed);
  }
  function scaleLabels() {
    declutter(Math.max(14, Math.min(400, data.labelPx / network.getScale())));
  }
  function fitTo(ids) {
    network.fit({nodes: ids, animation: false});
    if (ids.length > 1) network.moveTo({scale: network.getScale() * 0.85});  // room for the outer labels
    scaleLabels();
  }
  network.on("zoom", scaleLabels);
  function apply(refit) {
    var q = search.value.trim().toLowerCase();
    var g = sector.value, c = community.value === "" ? null : Number(community.value), p = prefecture.value;
    var shown = 0, matched = [], visibleIds = [];
    nodes.update(data.nodes.map(function (n) {
      var visible = (!g || n.sectorGroup === g) && (c === null || n.communities.indexOf(c) !== -1) &&
        (!p || n.prefectures.indexOf(p) !== -1) && (!n.ghost || ghostsOn.checked);
      var hit = q !== "" && n.searchText.indexOf(q) !== -1;
      var ring = n.keyRank !== null && keyOn.checked;
      if (visible && !n.ghost) shown += 1;
      if (visible) visibleIds.push(n.id);
      if (visible && hit) matched.push(n.id);
      return {id: n.id, hidden: !visible, color: colours(n, ring), borderWidth: hit ? 5 : width(n, ring)};
    }));
    var seen = {};
    visibleIds.forEach(function (id) { seen[id] = true; });
    // a part's circle goes with its nodes: hidden when none of them is shown
    data.parts.forEach(function (part) { part.hidden = !part.nodes.some(function (id) { return seen[id]; }); });
    count.textContent = "表示 / Shown: " + shown + " / " + actors;
    network.selectNodes(matched);
    if (matched.length) fitTo(matched);
    else if (refit && visibleIds.length) fitTo(visibleIds);
    else scaleLabels();
  }
  search.addEventListener("input", function () { apply(false); });
  [sector, community, prefecture, ghostsOn].forEach(function (input) {
    input.addEventListener("change", function () { apply(true); });
  });
  keyOn.addEventListener("change", function () { apply(false); });
  partsOn.addEventListener("change", function () { network.redraw(); });
  network.on("beforeDrawing", function (ctx) {
    if (!partsOn.checked) return;
    data.parts.forEach(function (part) {
      if (part.hidden) return;
      ctx.beginPath();
      ctx.arc(part.x, part.y, part.radius, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(214, 39, 40, 0.07)";
      ctx.fill();
      ctx.setLineDash([8, 6]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = data.isolatedColour;
      ctx.stroke();
      ctx.setLineDash([]);
    });
  });
  function focus(ids) {
    network.selectNodes(ids);
    fitTo(ids);
  }
  document.querySelectorAll("button[data-sg-node]").forEach(function (button) {
    button.addEventListener("click", function () { focus([Number(button.getAttribute("data-sg-node"))]); });
  });
  document.querySelectorAll("button[data-sg-part]").forEach(function (button) {
    button.addEventListener("click", function () {
      var index = Number(button.getAttribute("data-sg-part"));
      focus(data.parts.filter(function (part) { return part.index === index; })[0].nodes);
    });
  });
  window.secgraphNetwork = {network: network, nodes: nodes, edges: edges, parts: data.parts, apply: apply,
    labelSize: function () { return mainSize; },
    shownLabels: function () { return mainIds.filter(function (id) { return labelShown[id]; }); }};
  function drawn() {
    document.body.setAttribute("data-sg-drawn", String(nodes.length));
    document.title = "drawn:" + nodes.length + ":" + edges.length + " " + document.title;
  }
  network.once("afterDrawing", function () {
    // vis fits the nodes, not their labels: step back a little so the outer labels show whole
    if (allNodes.length > 1) network.moveTo({scale: network.getScale() * 0.85});
    scaleLabels();
    drawn();
  });
  count.textContent = "表示 / Shown: " + actors + " / " + actors;
  if (allNodes.length === 0) drawn();
})();
"""


def _options(values: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f'<option value="{html.escape(v)}">{html.escape(text)}</option>' for v, text in values)


def _side_lists(nmap: NetworkMap, index: Mapping[str, int]) -> str:
    """Key-person candidates, missing sectors per community and isolated parts, escaped."""
    e = html.escape
    keys = "\n".join(
        f'<li><button type="button" class="sg-link" data-sg-node="{index[n.id]}">{e(n.label)}</button>'
        f" <small>({n.key_score:.2f})</small></li>"
        for n in nmap.key_persons()
    )
    needs = nmap.needs()
    head = "".join(f'<th class="sg-need" title="{e(n.en)}"><span>{e(n.ja)}</span></th>' for n in needs)
    rows = []
    for gap in nmap.gaps:
        marks = "".join(
            f'<td class="sg-met">✓<span class="sg-sr">{e(m.ja)} あり / present</span></td>'
            if m.met
            else f'<td class="sg-miss">×<span class="sg-sr">{e(m.ja)} なし / missing</span></td>'
            for m in gap.needs
        )
        rows.append(
            f'<tr><th><button type="button" class="sg-link" data-sg-node="{index[gap.community_id]}">'
            f"{e(gap.name)}</button></th>{marks}</tr>"
        )
    gaps = f'<table id="sg-gaps"><tr><th></th>{head}</tr>{"".join(rows)}</table>' if rows else ""
    parts = "\n".join(
        f'<li><button type="button" class="sg-link" data-sg-part="{p.index}">'
        f"{p.index}. {e(p.label)}</button> <small>({p.size})</small></li>"
        for p in nmap.isolated
    )
    none = "<div>なし / None</div>"
    return f"""<h2>★ キーパーソン候補 / Key-person candidates</h2>
{f'<ol id="sg-keys">{keys}</ol>' if keys else none}
<h2>不足セクター / Missing sectors</h2>
<div><small>✓ あり / present　× なし / missing</small></div>
{gaps or none}
<h2>孤立した部分 / Isolated parts</h2>
<div><small>最大の部分とつながらない部分 / Parts not connected to the largest one</small></div>
{f'<ul id="sg-parts">{parts}</ul>' if parts else none}"""


def map_view_html(nmap: NetworkMap, *, title: str | None = None) -> str:
    """``nmap`` as one standalone HTML page (Japanese, English beside)."""
    e = html.escape
    index = {node.id: i for i, node in enumerate(nmap.nodes)}
    js, css = _vis_assets()
    heading = title or "ネットワーク図 / Network map"
    groups = nmap.groups()
    swatches = {g.key: f'class="sg-swatch" style="background:{g.colour}"' for g in groups}
    swatches["missing"] = 'class="sg-swatch sg-ghost"'
    legend = "\n".join(
        f'<li data-group="{e(g.key)}"><span {swatches[g.key]}></span>{e(g.ja)} <small>{e(g.en)}</small></li>'
        for g in groups
    )
    top = nmap.key_person_top
    legend += (
        f'\n<li data-group="key"><span class="sg-swatch sg-ring"></span>★ キーパーソン候補（上位{top}）'
        f" <small>Key-person candidates (top {top})</small></li>"
        '\n<li data-group="isolated"><span class="sg-swatch sg-circle"></span>孤立した部分'
        " <small>Isolated part</small></li>"
    )
    sectors = _options([(g.key, f"{g.ja} / {g.en}") for g in groups])
    communities = _options([(str(index[n.id]), n.label) for n in nmap.communities()])
    prefectures = _options(list(nmap.prefectures()))
    lines, line_numbers = _tooltip_lines(nmap)
    payload = _json(
        {
            "groups": {
                g.key: {"colour": g.colour, "shape": g.shape} for g in GROUPS if g.key in {n.group for n in nmap.nodes}
            },
            "keyRing": KEY_PERSON_RING,
            "labelPx": LABEL_PX,
            "lines": lines,
            "nodes": _node_data(nmap, index, line_numbers),
            "edges": _edge_data(nmap, index),
            "parts": [
                {"index": p.index, "x": p.x, "y": p.y, "radius": p.radius, "nodes": [index[n] for n in p.node_ids]}
                for p in nmap.isolated
            ],
            "isolatedColour": ISOLATED_COLOUR,
            "options": _OPTIONS,
        }
    )
    names_note = "<div>氏名非表示 / Names hidden</div>" if nmap.names_hidden else ""
    # ghost nodes come only with a map made with them (``network_map(..., ghosts=True)``)
    ghost_switch = " checked" if any(n.ghost for n in nmap.nodes) else " disabled"
    style = (
        _STYLE.replace("FONT_STACK", FONT_STACK)
        .replace("KEY_RING", KEY_PERSON_RING)
        .replace("ISOLATED", ISOLATED_COLOUR)
    )
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(heading)}</title>
<style>{css}</style>
<style>{style}</style>
</head>
<body>
<div id="sg-wrap">
<div id="sg-side">
<h1>{e(heading)}</h1>
<div class="sg-scope">{e(nmap.scope_text)}</div>
{names_note}
<label for="sg-search">検索 / Search</label>
<input id="sg-search" type="search" placeholder="名称・ID / Name or id" autocomplete="off">
<label for="sg-sector">セクターで絞り込み / Filter by sector</label>
<select id="sg-sector"><option value="">すべて / All</option>
{sectors}
</select>
<label for="sg-community">コミュニティで絞り込み / Filter by community</label>
<select id="sg-community"><option value="">すべて / All</option>
{communities}
</select>
<label for="sg-prefecture">都道府県で絞り込み / Filter by prefecture</label>
<select id="sg-prefecture"><option value="">すべて / All</option>
{prefectures}
</select>
<label class="sg-switch"><input id="sg-key" type="checkbox" checked>
★ キーパーソン候補を強調 / Mark key persons</label>
<label class="sg-switch"><input id="sg-ghosts" type="checkbox"{ghost_switch}>
不足セクターを点で表示 / Show missing sectors as nodes</label>
<label class="sg-switch"><input id="sg-isolated" type="checkbox" checked>
孤立した部分を囲む / Circle isolated parts</label>
<h2>凡例 / Legend</h2>
<ul id="sg-legend">
{legend}
</ul>
<div class="sg-note">大きさ＝キーパーソン指標 / Size = key-person score</div>
<div id="sg-count"></div>
{_side_lists(nmap, index)}
</div>
<div id="sg-network"></div>
</div>
<script id="sg-data" type="application/json">{payload}</script>
<script>{js}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def network_view_html(
    data: GraphData,
    scope: Scope | None = None,
    *,
    hide_names: bool = False,
    seed: int = 0,
    title: str | None = None,
    positions: Mapping[str, Sequence[float]] | None = None,
    anonymised: bool = False,
    ghosts: bool = False,
) -> str:
    """The network map of ``scope`` as one standalone HTML page; options as in ``network_map``."""
    nmap = network_map(
        data, scope, hide_names=hide_names, seed=seed, positions=positions, anonymised=anonymised, ghosts=ghosts
    )
    return map_view_html(nmap, title=title)
