"""The network map and its interactive view: one model (key-person sizes, ghosts for missing sectors,
isolated parts, stored positions), a standalone escaped page, names hideable, drawn by a real browser."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from secgraph.access.visibility import pseudonym
from secgraph.analysis.key_persons import key_person_candidates
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.layouts import (
    Layout,
    LayoutDamaged,
    LayoutNameError,
    LayoutNotFound,
    LayoutStore,
    check_name,
    dumps,
    layout_of,
    loads,
    positions_for,
    visible_layout,
)
from secgraph.viz.network_map import (
    COMMUNITY_SIZE,
    NEW_NODE_DISTANCE,
    MapNode,
    NetworkMap,
    network_map,
)
from secgraph.viz.network_view import network_view_html
from tests.browser import ARTIFACTS, open_view
from tests.builders import GraphBuilder

EVIL = "<script>window.__pwned=1</script>"


def sample() -> GraphData:
    return (
        GraphBuilder()
        .org("police-osaka", "police", "27", name="大阪府警察")
        .org("univ-kobe", "university", "28", name="神戸大学")
        .org("bank-kansai", "bank", "27", name="関西銀行")
        .org("evil", "sme", "27", name=EVIL)
        .community("kansai-secnet", "mic-kinki")
        .person("p-yamada", "univ-kobe", name="山田太郎")
        .tie("MEMBER_OF", "police-osaka", "kansai-secnet")
        .tie("MEMBER_OF", "univ-kobe", "kansai-secnet")
        .tie("MEMBER_OF", "bank-kansai", "kansai-secnet")
        .tie("MEMBER_OF", "evil", "kansai-secnet")
        .tie("SECRETARIAT_OF", "police-osaka", "kansai-secnet")
        .build()
    )


def two_communities() -> GraphBuilder:
    """Two communities: a university in both (the broker), police and a bank in A, an insurer in B,
    each with a leaf member; a third community in Kyushu shares nothing (an isolated part)."""
    return (
        GraphBuilder()
        .community("com-a", prefectures=["27"])
        .community("com-b", prefectures=["28"])
        .community("com-far", prefectures=["40"])
        .org("univ", "university", "27", name="大阪テスト大学")
        .org("police", "police", "27", name="大阪府警察")
        .org("bank", "bank", "27", name="大阪テスト銀行")
        .org("ins", "insurer", "28", name="兵庫テスト保険")
        .org("leaf-a", "sme", "27", name="葉A商事")
        .org("leaf-b", "sme", "28", name="葉B商事")
        .org("far", "police", "40", name="福岡県警察")
        .tie("MEMBER_OF", "univ", "com-a")
        .tie("MEMBER_OF", "univ", "com-b")
        .tie("MEMBER_OF", "police", "com-a")
        .tie("MEMBER_OF", "bank", "com-a")
        .tie("MEMBER_OF", "leaf-a", "com-a")
        .tie("MEMBER_OF", "ins", "com-b")
        .tie("MEMBER_OF", "leaf-b", "com-b")
        .tie("MEMBER_OF", "far", "com-far")
    )


def _data_block(page: str) -> dict:
    match = re.search(r'<script id="sg-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def _tooltip(data: dict, node: dict) -> str:
    """A node's tooltip text as the page assembles it from the shared lines."""
    return "\n".join(data["lines"][i] for i in node["tip"])


def _node(nmap: NetworkMap, node_id: str) -> MapNode:
    return next(n for n in nmap.nodes if n.id == node_id)


# -- the map model -------------------------------------------------------------------------------


def test_sized_by_key_person_score() -> None:
    nmap = network_map(two_communities().build())
    broker, leaf = _node(nmap, "univ"), _node(nmap, "leaf-a")
    assert broker.key_rank == 1 and broker.key_candidate
    assert broker.key_score is not None and leaf.key_score is not None and broker.key_score > leaf.key_score
    assert broker.size > leaf.size  # the broker between the two communities is drawn larger
    # scores are magnitudes: one membership is worth a little, far below the broker's, and ranks last
    assert leaf.key_score == min(n.key_score for n in nmap.nodes if n.key_score is not None)
    assert _node(nmap, "com-a").size == COMMUNITY_SIZE  # communities are not ranked: one size
    assert nmap.key_persons()[0].id == "univ"
    assert [n.key_rank for n in nmap.key_persons()] == sorted(n.key_rank or 0 for n in nmap.key_persons())
    assert "キーパーソン候補 第1位" in broker.tooltip


def test_key_person_top_limits_the_rings() -> None:
    nmap = network_map(two_communities().build(), key_person_top=1)
    assert [n.id for n in nmap.nodes if n.key_candidate] == ["univ"]


def test_needed_sectors_grid_without_ghosts_by_default() -> None:
    nmap = network_map(two_communities().build())
    assert not any(n.ghost for n in nmap.nodes) and not any(e.ghost for e in nmap.edges)
    marks = {g.community_id: {m.code: m.met for m in g.needs} for g in nmap.gaps}
    assert marks["com-a"]["police"] and marks["com-a"]["university"] and not marks["com-a"]["insurer"]
    assert marks["com-b"]["insurer"] and not marks["com-b"]["police"]
    assert [m.code for m in nmap.needs()] == list(marks["com-a"])  # one column per need, for every row
    assert all(list(row) == list(marks["com-a"]) for row in marks.values())
    assert all(m.node_id is None for g in nmap.gaps for m in g.missing)


def test_scope_filters_list_only_the_scope_prefectures() -> None:
    data = two_communities().tie("MEMBER_OF", "far", "com-a").build()  # a Fukuoka body in an Osaka circle
    nmap = network_map(data, Scope(community="com-a"))
    assert "40" in {p for n in nmap.nodes for p in n.prefectures}
    assert [code for code, _ in nmap.prefectures()] == ["27"]
    kinki = network_map(data, Scope(region="mic-kinki"))
    assert [code for code, _ in kinki.prefectures()] == ["27", "28"]
    assert [code for code, _ in network_map(data).prefectures()] == ["27", "28", "40"]


def test_ghost_nodes_for_missing_sectors() -> None:
    nmap = network_map(two_communities().build(), ghosts=True)
    ghost = _node(nmap, "missing:com-a:insurer")
    assert ghost.ghost and ghost.label == "不足: 保険会社 / Missing: Insurer"
    assert ghost.communities == ("com-a",)
    assert any(e.ghost and {e.source, e.target} == {"com-a", "missing:com-a:insurer"} for e in nmap.edges)
    ids = {n.id for n in nmap.nodes}
    assert "missing:com-a:police" not in ids  # A has police
    assert "missing:com-a:university" not in ids  # and the university
    assert "missing:com-b:police" in ids and "missing:com-b:insurer" not in ids
    gaps = {g.community_id: [m.code for m in g.missing] for g in nmap.gaps}
    assert "insurer" in gaps["com-a"] and "police" in gaps["com-b"] and "insurer" not in gaps["com-b"]
    assert not any(n.ghost for n in nmap.nodes if n.id in nmap.positions())  # ghosts are not stored


def test_isolated_parts() -> None:
    data = two_communities().org("alone", "media", "13", name="孤立放送").build()
    nmap = network_map(data, ghosts=True)
    parts = {p.label: p for p in nmap.isolated}
    assert set(parts) == {"com-far", "孤立放送"}
    assert parts["com-far"].node_ids == ("com-far", "far") and parts["孤立放送"].size == 1
    assert _node(nmap, "far").isolated and _node(nmap, "alone").isolated
    assert not _node(nmap, "univ").isolated and _node(nmap, "univ").part == 0
    assert _node(nmap, "missing:com-far:insurer").isolated  # a ghost goes with its community
    for part in nmap.isolated:  # the circle holds its actors
        for node_id in part.node_ids:
            node = _node(nmap, node_id)
            assert math.hypot(node.x - part.x, node.y - part.y) < part.radius
    assert "孤立した部分" in _node(nmap, "far").tooltip


def test_one_connected_part_has_no_isolated_part() -> None:
    assert network_map(sample()).isolated == ()


def test_memberships_and_prefectures() -> None:
    nmap = network_map(two_communities().build())
    assert _node(nmap, "univ").communities == ("com-a", "com-b")
    assert _node(nmap, "leaf-b").communities == ("com-b",)
    assert _node(nmap, "com-a").communities == ("com-a",)
    assert nmap.prefectures() == (("27", "大阪府"), ("28", "兵庫県"), ("40", "福岡県"))


def test_stored_positions_reused_and_new_actors_placed() -> None:
    before = network_map(two_communities().build(), seed=1)
    stored = before.positions()
    grown = (
        two_communities()
        .org("newcomer", "bank", "28", name="新規銀行")
        .tie("MEMBER_OF", "newcomer", "com-b")
        .community("com-new", prefectures=["01"])
        .org("north", "police", "01", name="北海道警察")
        .tie("MEMBER_OF", "north", "com-new")
        .build()
    )
    after = network_map(grown, seed=7, positions=stored)  # another seed: stored positions still win
    for node_id, (x, y) in stored.items():
        node = _node(after, node_id)
        assert (node.x, node.y) == (x, y), node_id
    newcomer, hub = _node(after, "newcomer"), _node(after, "com-b")
    assert math.hypot(newcomer.x - hub.x, newcomer.y - hub.y) == pytest.approx(NEW_NODE_DISTANCE, abs=0.2)
    bottom = max(y for _, y in stored.values())
    assert _node(after, "com-new").y > bottom and _node(after, "north").y > bottom  # a new part: below
    assert after == network_map(grown, seed=7, positions=stored)  # deterministic
    # a stored actor that left is simply not drawn
    shrunk = network_map(GraphBuilder().org("police", "police", "27").build(), positions=stored)
    assert [(n.x, n.y) for n in shrunk.nodes] == [stored["police"]]


def test_seed_changes_the_layout_and_nothing_else() -> None:
    first, second = network_map(sample(), seed=1), network_map(sample(), seed=2)
    assert first.positions() != second.positions()
    assert [(n.id, n.size, n.key_rank) for n in first.nodes] == [(n.id, n.size, n.key_rank) for n in second.nodes]


# -- layouts -------------------------------------------------------------------------------------


def test_layout_round_trip(tmp_path: Path) -> None:
    nmap = network_map(sample(), seed=3)
    layout = layout_of(nmap)
    assert layout.seed == 3 and set(layout.positions) == set(nmap.positions())
    text = dumps(layout)
    assert text == dumps(loads(text)) and loads(text) == layout
    store = LayoutStore(tmp_path / "layouts")
    assert store.names() == []
    store.save("kinki-2025", layout)
    assert store.load("kinki-2025") == layout and store.names() == ["kinki-2025"]
    assert (tmp_path / "layouts" / "kinki-2025.json").read_text(encoding="utf-8") == text
    again = network_map(sample(), positions=store.load("kinki-2025").positions)
    assert again.positions() == nmap.positions()
    with pytest.raises(LayoutNotFound):
        store.load("nothing")


@pytest.mark.parametrize("name", ["../keys", "a/b", ".hidden", "", "x" * 65, "名前", "a.json", "a b", "-x"])
def test_layout_names_cannot_leave_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(LayoutNameError):
        check_name(name)
    with pytest.raises(LayoutNameError):
        LayoutStore(tmp_path).save(name, Layout())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "document",
    [
        '{"positions": {"a": [NaN, 1]}}',
        '{"positions": {"a": [1e12, 1]}}',
        '{"positions": {"a": [1]}}',
        '{"positions": {"": [1, 2]}}',
        '{"seed": -1}',
        '{"version": 2}',
        '{"positions": {}, "extra": 1}',
        "not json",
    ],
)
def test_damaged_layouts_are_refused(tmp_path: Path, document: str) -> None:
    with pytest.raises(LayoutDamaged):
        loads(document)
    (tmp_path / "bad.json").write_text(document, encoding="utf-8")
    with pytest.raises(LayoutDamaged):
        LayoutStore(tmp_path).load("bad")


def test_layout_keeps_people_under_pseudonyms() -> None:
    key = b"service key"
    data = sample()
    layout = layout_of(network_map(data), pseudonym_key=key)
    alias = pseudonym(key, "person", "p-yamada")
    assert "p-yamada" not in layout.positions and alias in layout.positions
    assert "p-yamada" not in dumps(layout)
    # the same layout gives the planner's map (real ids) its people back
    positions = positions_for(layout, data, pseudonym_key=key)
    assert positions["p-yamada"] == layout.positions[alias]
    # what a reader may see: only actors of its data; people under their pseudonym
    assert set(visible_layout(layout, data, pseudonym_key=key).positions) == set(layout.positions)
    without_bank = GraphData(
        nodes={k: v for k, v in data.nodes.items() if k != "bank-kansai"}, relationships=data.relationships
    )
    assert "bank-kansai" not in visible_layout(layout, without_bank, pseudonym_key=key).positions
    # a layout holding a real person id (made without the key) never shows it to a keyed reader
    plain = layout_of(network_map(data))
    assert "p-yamada" not in visible_layout(plain, data, pseudonym_key=key).positions


def test_layout_does_not_name_a_community_the_reader_cannot_see() -> None:
    data = two_communities().build()
    layout = layout_of(network_map(data, Scope(community="com-a")))
    assert layout.scope is not None and layout.scope.community == "com-a"
    hidden = GraphData(nodes={k: v for k, v in data.nodes.items() if k != "com-a"}, relationships={})
    cut = visible_layout(layout, hidden)
    assert cut.scope is None and "com-a" not in cut.positions and "com-a" not in dumps(cut)
    assert visible_layout(layout, data).scope == layout.scope


def test_layout_of_a_map_with_names_hidden_keeps_its_pseudonyms() -> None:
    nmap = network_map(sample(), hide_names=True)
    person = next(n for n in nmap.nodes if n.kind == "Person")
    assert person.id.startswith("person-")
    assert person.id in layout_of(nmap, pseudonym_key=b"k").positions  # already a pseudonym: kept


# -- the page ------------------------------------------------------------------------------------


def test_no_external_resource() -> None:
    page = network_view_html(sample())
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, re.I)
    for host in ("cdnjs", "jsdelivr", "unpkg", "bootstrapcdn", "googleapis", "gstatic"):
        assert host not in page.lower()


def test_contains_node_data_and_legend() -> None:
    page = network_view_html(sample(), ghosts=True)
    data = _data_block(page)
    labels = {n["label"] for n in data["nodes"] if not n.get("ghost")}
    assert labels == {"大阪府警察", "神戸大学", "関西銀行", "kansai-secnet", "山田太郎", EVIL}
    assert len(data["edges"]) >= 5
    assert data["options"]["nodes"]["physics"] is False and all(isinstance(n["x"], float) for n in data["nodes"])
    groups = {n["label"]: n["sectorGroup"] for n in data["nodes"]}
    assert groups["大阪府警察"] == "government" and groups["神戸大学"] == "academia"
    assert groups["関西銀行"] == "finance" and groups["山田太郎"] == "person"
    for legend in ("官", "学", "金融", "Finance", "コミュニティ", "不足セクター", "キーパーソン候補", "孤立した部分"):
        assert legend in page
    assert data["options"]["physics"]["enabled"] is False
    top = next(n for n in data["nodes"] if n["label"] == "神戸大学")
    leaf = next(n for n in data["nodes"] if n["label"] == "山田太郎")
    assert top["size"] > leaf["size"] and top["keyRank"] == 1 and top["keyRank"] < leaf.get("keyRank", 10**9)
    assert top["main"]  # a key person's name stays readable at any zoom
    assert data["groups"]["finance"]["colour"] and data["groups"]["community"]["shape"] == "diamond"
    assert "color" not in top  # colours come from the palette of the groups
    assert _tooltip(data, top).startswith("神戸大学\n") and "キーパーソン候補 第1位" in _tooltip(data, top)
    assert any(n.get("ghost") for n in data["nodes"]) and 'id="sg-ghosts" type="checkbox" checked' in page
    assert any(e[2] == 0 for e in data["edges"])  # a ghost's tie, drawn dashed by the page
    plain = network_view_html(sample())
    assert not any(n.get("ghost") for n in _data_block(plain)["nodes"])
    assert 'id="sg-ghosts" type="checkbox" disabled' in plain


def test_filters_list_what_is_present() -> None:
    page = network_view_html(two_communities().build())
    options = lambda select: re.findall(  # noqa: E731
        r"<option value=\"([^\"]*)\">([^<]*)</option>",
        re.search(rf'<select id="{select}">(.*?)</select>', page, re.S).group(1),  # type: ignore[union-attr]
    )
    assert [text for _, text in options("sg-prefecture")] == ["すべて / All", "大阪府", "兵庫県", "福岡県"]
    assert [value for value, _ in options("sg-prefecture")] == ["", "27", "28", "40"]
    assert [text for _, text in options("sg-community")] == ["すべて / All", "com-a", "com-b", "com-far"]
    sectors = [text for _, text in options("sg-sector")]
    assert "官 / Government" in sectors and "メディア / Media" not in sectors  # only groups on the map
    data = _data_block(page)
    by_label = {n["label"]: n for n in data["nodes"]}
    com_a = by_label["com-a"]["id"]
    assert com_a in by_label["大阪テスト大学"]["communities"] and by_label["大阪テスト大学"]["prefectures"] == ["27"]
    for box in ("sg-key", "sg-ghosts", "sg-isolated", "sg-search"):
        assert f'id="{box}"' in page
    assert 'id="sg-parts"' in page and "com-far" in page  # the isolated part listed
    grid = re.search(r'<table id="sg-gaps">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "保険会社" in grid and grid.count("<tr>") == 4  # the heads, then one row per community
    assert grid.count('class="sg-met"') and grid.count('class="sg-miss"')


def test_user_text_is_escaped() -> None:
    page = network_view_html(sample(), title=EVIL)
    assert EVIL not in page
    assert "window.__pwned=1" in page  # present, as inert text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # the heading and the side lists
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in page  # the JSON data
    assert page.count("</script>") == 3  # data, vis-network, the page's own: nothing closed early


def test_same_data_same_bytes() -> None:
    assert network_view_html(sample()) == network_view_html(sample())
    assert network_view_html(sample(), seed=3) == network_view_html(sample(), seed=3)
    positions = lambda page: [(n["x"], n["y"]) for n in _data_block(page)["nodes"]]  # noqa: E731
    assert positions(network_view_html(sample(), seed=1)) != positions(network_view_html(sample(), seed=2))


def test_hide_names() -> None:
    page = network_view_html(sample(), hide_names=True)
    assert "山田太郎" not in page
    assert "p-yamada" not in page
    nodes = _data_block(page)["nodes"]
    person = next(n for n in nodes if n["sectorGroup"] == "person")
    assert person["label"].startswith("人物") and "神戸大学" in person["label"]  # role and affiliation
    tooltip = _tooltip(_data_block(page), person)
    assert "person-" not in tooltip and "person-" not in person["searchText"]  # no pseudonym shown
    assert "大阪府警察" in {n["label"] for n in nodes}  # organisations keep their names
    assert "氏名非表示 / Names hidden" in page


def test_anonymised_data_is_not_anonymised_twice() -> None:
    from secgraph.access.roles import Visibility
    from secgraph.access.visibility import visible_graph

    viewer_data = visible_graph(sample(), Visibility.ANONYMISED, b"service key")
    nmap = network_map(viewer_data, anonymised=True)
    person = next(n for n in nmap.nodes if n.kind == "Person")
    assert person.id == pseudonym(b"service key", "person", "p-yamada")  # the service's own pseudonym
    assert nmap.names_hidden and person.id not in person.tooltip
    ranked_with_names = key_person_candidates(sample(), limit=None)
    with pytest.raises(ValueError):  # computed on the data with names: not for a map hiding them
        network_map(sample(), hide_names=True, key_persons=ranked_with_names)


def test_scope_limits_nodes() -> None:
    data = (
        GraphBuilder()
        .org("a", "police", "27")
        .org("b", "police", "40")
        .community("c1", "mic-kinki")
        .community("c2", "mic-kyushu")
        .tie("MEMBER_OF", "a", "c1")
        .tie("MEMBER_OF", "b", "c2")
        .build()
    )
    nodes = _data_block(network_view_html(data, Scope(community="c1"), ghosts=True))["nodes"]
    assert {n["label"] for n in nodes if not n.get("ghost")} == {"a", "c1"}
    assert all(n["label"].startswith("不足") for n in nodes if n.get("ghost"))
    with pytest.raises(KeyError):
        network_map(data, Scope(community="nowhere"))


SIZE_SECTORS = ("sme", "it_vendor", "university", "police", "bank", "insurer", "prefecture", "chamber_of_commerce")


def two_thousand_actors() -> GraphData:
    """2,000 actors of one area: 40 communities with long names, 1,700 organisations in one to three of
    them, 260 people working at them, each in a community (seeded: the same graph every run)."""
    rng = random.Random(7)
    built = GraphBuilder()
    prefectures = ("08", "09", "10", "11", "12", "13", "14")
    for c in range(40):
        built.community(f"com-{c:02d}", "mic-kanto", [prefectures[c % len(prefectures)]])
    for i in range(1700):
        org = f"org-{i:04d}"
        sector = SIZE_SECTORS[i % len(SIZE_SECTORS)]
        built.org(org, sector, prefectures[i % len(prefectures)], name=f"株式会社関東テスト情報システム{i:04d}")
        for c in rng.sample(range(40), rng.choice((1, 1, 2, 3))):
            built.tie("MEMBER_OF", org, f"com-{c:02d}")
    for i in range(260):
        built.person(f"per-{i:04d}", f"org-{rng.randrange(1700):04d}", name=f"テスト人物{i:04d}")
        built.tie("MEMBER_OF", f"per-{i:04d}", f"com-{rng.randrange(40):02d}")
    return built.build()


def test_a_2000_actor_view_is_under_2_mb() -> None:
    page = network_view_html(two_thousand_actors())
    data = _data_block(page)
    assert len([n for n in data["nodes"] if not n.get("ghost")]) == 2000
    assert len(page.encode("utf-8")) <= 2_000_000
    # every node keeps its whole tooltip, from the shared lines
    first = data["nodes"][0]
    assert _tooltip(data, first).split("\n")[0] == first["label"] and "ID: " in _tooltip(data, first)


def test_empty_graph() -> None:
    page = network_view_html(GraphBuilder().build())
    assert _data_block(page)["nodes"] == []


def test_writes_nothing_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    network_view_html(sample())
    assert list(tmp_path.iterdir()) == []  # no lib/ folder, no index.html


def test_seed_data_map(seed: GraphData) -> None:
    page = network_view_html(seed, hide_names=True)
    data = _data_block(page)
    assert len(data["nodes"]) > 50
    people = [n for n in seed.nodes.values() if n.kind == "Person"]
    assert not [p.name for p in people if p.name in page]
    assert not [p.id for p in people if p.id in page]
    assert page == network_view_html(seed, hide_names=True)
    nmap = network_map(seed, hide_names=True)
    assert nmap.key_persons() and nmap.gaps
    assert all(n.size > 0 for n in nmap.nodes)


# -- a real browser ------------------------------------------------------------------------------


def test_browser_draws_exported_file(tmp_path: Path) -> None:
    exported = tmp_path / "network.html"
    data = two_communities().org("evil", "sme", "27", name=EVIL).tie("MEMBER_OF", "evil", "com-a").build()
    exported.write_text(network_view_html(data, ghosts=True), "utf-8")
    with open_view(exported.as_uri()) as browser:
        nodes = browser.nodes()
        assert browser.drawn == str(len(nodes))
        assert {n["label"] for n in nodes if not n["ghost"]} >= {"大阪テスト大学", "福岡県警察", EVIL}
        assert browser.ink() > 1000  # the canvas is not blank
        assert browser.evaluate("typeof window.__pwned") == "undefined"  # the injected script never ran
        evil = next(n for n in nodes if n["label"] == EVIL)
        assert evil["tooltipIsElement"] and evil["tooltip"].split("\n")[0] == EVIL  # a text node
        shot = browser.screenshot("network_view.png")

        page = browser.page
        page.select_option("#sg-sector", "finance")
        assert browser.shown() == {"大阪テスト銀行", "兵庫テスト保険"}  # a bank and an insurer
        page.select_option("#sg-sector", "")
        page.select_option("#sg-prefecture", "28")
        shown = browser.shown()
        assert {"兵庫テスト保険", "葉B商事", "com-b"} <= shown and "大阪府警察" not in shown
        page.select_option("#sg-prefecture", "")
        com_far = next(n["id"] for n in nodes if n["label"] == "com-far")
        page.select_option("#sg-community", str(com_far))
        assert {label for label in browser.shown() if not label.startswith("不足")} == {"com-far", "福岡県警察"}
        page.select_option("#sg-community", "")
        page.uncheck("#sg-ghosts")
        assert not [label for label in browser.shown() if label.startswith("不足")]
        page.check("#sg-ghosts")
        page.uncheck("#sg-key")
        assert {n["borderWidth"] for n in browser.nodes() if not n["ghost"]} == {1}
        page.check("#sg-key")
        assert max(n["borderWidth"] for n in browser.nodes()) == 4
        page.fill("#sg-search", "保険")
        selected = browser.evaluate(
            "window.secgraphNetwork.network.getSelectedNodes().map(id => window.secgraphNetwork.nodes.get(id).label)"
        )
        assert "兵庫テスト保険" in selected
        assert browser.evaluate("window.secgraphNetwork.parts.length") == 1
        assert browser.evaluate("document.scripts.length") == 3  # nothing was added by user text
        assert not browser.console_errors and not browser.page_errors
        assert browser.requests == [exported.as_uri()] and not browser.blocked  # nothing else was asked for
    assert shot.stat().st_size > 10_000
    (ARTIFACTS / "network_view.html").write_bytes(exported.read_bytes())


def test_kyushu_view_readable_and_filters_refit(seed: GraphData, tmp_path: Path) -> None:
    from secgraph.model import geography

    exported = tmp_path / "kyushu.html"
    exported.write_text(network_view_html(seed, Scope(region="mic-kyushu")), "utf-8")
    kyushu = [p.code for p in geography.prefectures_of_region("mic-kyushu")]
    with open_view(exported.as_uri()) as browser:
        network = "window.secgraphNetwork"
        # at the opening zoom, communities' and key persons' names are 12 px or more on screen
        assert browser.evaluate(f"{network}.labelSize() * {network}.network.getScale()") >= 12
        listed = browser.evaluate("Array.from(document.querySelectorAll('#sg-prefecture option')).map(o => o.value)")
        assert listed[0] == "" and listed[1:] and set(listed[1:]) <= set(kyushu)  # no Shikoku, no Okinawa
        # the names shown do not overlap (vis-network's own label boxes, as drawn); the rest wait for zoom
        boxes = browser.evaluate(
            f"""() => {{ const net = {network}; return net.shownLabels().map(id => {{
              const s = net.network.body.nodes[id].labelModule.size;
              return [s.left, s.top, s.left + s.width, s.top + s.height]; }}); }}"""
        )
        assert len(boxes) >= 5
        overlapping = [
            (a, b)
            for i, a in enumerate(boxes)
            for b in boxes[i + 1 :]
            if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
        ]
        assert overlapping == []
        browser.screenshot("network_view_kyushu.png")
        opening = browser.evaluate(f"{network}.network.getScale()")
        browser.page.select_option("#sg-prefecture", listed[-1])
        shown = [n for n in browser.nodes() if not n["hidden"]]
        assert shown and len(shown) < len(browser.nodes())
        assert browser.evaluate(f"{network}.network.getScale()") != opening  # the view was fitted again
        inside = browser.evaluate(
            f"""() => {{ const net = {network}.network; const ids = {network}.nodes.get()
              .filter(n => !n.hidden).map(n => n.id); const box = net.body.container.getBoundingClientRect();
              const pos = net.getPositions(ids);
              return ids.every(id => {{ const p = net.canvasToDOM(pos[id]);
                return p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height; }}); }}"""
        )
        assert inside  # every node still shown is in view
        parts = browser.evaluate(f"{network}.parts.map(p => ({{hidden: !!p.hidden, nodes: p.nodes}}))")
        visible = {n["id"] for n in shown}
        assert parts and all(p["hidden"] == (not visible & set(p["nodes"])) for p in parts)
        assert any(p["hidden"] for p in parts)  # circles of parts with nothing shown are not drawn
        browser.screenshot("network_view_kyushu_filtered.png")
        assert not browser.console_errors and not browser.page_errors
