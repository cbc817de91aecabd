"""Isolated regions: planted graphs with known answers, the seed data, and both stores alike."""

from __future__ import annotations

import datetime as dt
import random

import networkx as nx
import pytest

from secgraph.analysis.areas import community_areas
from secgraph.analysis.measures import removal_pieces
from secgraph.analysis.network import Scope
from secgraph.analysis.regions.findings import IsolatedRegions, _cut_off, isolated_regions
from secgraph.analysis.registry import analysis_named
from secgraph.model.graph import GraphData
from tests.builders import GraphBuilder
from tests.regions_reference import cut_pieces, horizontal_links

FY2020 = (dt.date(2020, 4, 1), dt.date(2021, 3, 31))


def every_item(result: IsolatedRegions) -> list:
    return [
        *result.prefectures,
        *result.regions,
        *result.detached_parts,
        *result.unlinked_communities,
        *result.single_bridges,
    ]


# ---------------------------------------------------------------------------------------------- prefectures


def shikoku() -> GraphBuilder:
    """Ehime has a community, bodies and an event; Kagawa is covered but only Ehime bodies take part
    and a chamber sits there in no community; Tokushima has nothing; Kochi only a 2009 sponsor."""
    return (
        GraphBuilder()
        .org("ehime-u", "university", "38")
        .org("ehime-police", "police", "38")
        .org("ehime-it", "it_vendor", "38")
        .org("kagawa-cci", "chamber_of_commerce", "37")
        .org("kochi-cci", "chamber_of_commerce", "39")
        .community("ehime-net", prefectures=["38"])
        .community("shikoku-forum", prefectures=["37", "38"])
        .tie("MEMBER_OF", "ehime-u", "ehime-net")
        .tie("MEMBER_OF", "ehime-police", "ehime-net")
        .tie("MEMBER_OF", "ehime-it", "shikoku-forum")
        .event("ev-ehime", "2020-06-10", prefecture="38")
        .tie("ORGANISED", "ehime-net", "ev-ehime")
        .tie("ATTENDED", "ehime-it", "ev-ehime")
        .event("ev-kochi-2009", "2009-03-01", prefecture="39")
        .tie("SUPPORTED", "kochi-cci", "ev-kochi-2009")
    )


def prefecture_gaps(result: IsolatedRegions) -> dict[str, list[str]]:
    return {p.code: list(p.gaps) for p in result.prefectures}


def test_a_prefecture_with_nothing_is_isolated_on_every_count() -> None:
    result = isolated_regions(shikoku().build(), Scope(region="mic-shikoku"))
    gaps = prefecture_gaps(result)
    assert gaps["36"] == ["no_community", "no_named_body", "no_activity"]
    assert "38" not in gaps
    assert result.prefectures[0].code == "36"  # the most gaps first


def test_a_prefecture_covered_only_on_paper_has_no_local_member() -> None:
    result = isolated_regions(shikoku().build(), Scope(region="mic-shikoku"))
    kagawa = next(p for p in result.prefectures if p.code == "37")
    assert kagawa.gaps == ["no_local_member", "no_activity"]
    assert kagawa.communities == ["shikoku-forum"]
    assert kagawa.named_bodies == ["kagawa-cci"]


def test_a_period_keeps_only_bodies_tied_in_it() -> None:
    data = shikoku().build()
    whole = prefecture_gaps(isolated_regions(data, Scope(region="mic-shikoku")))
    in_fy2020 = prefecture_gaps(isolated_regions(data, Scope(region="mic-shikoku"), period=FY2020))
    assert "no_named_body" not in whole["39"] and "no_activity" not in whole["39"]
    assert {"no_named_body", "no_activity"} <= set(in_fy2020["39"])
    assert "38" not in in_fy2020


def test_the_nearest_ties_of_an_isolated_prefecture_are_local_first() -> None:
    result = isolated_regions(shikoku().build(), Scope(region="mic-shikoku"))
    kagawa = next(p for p in result.prefectures if p.code == "37")
    ranked = [(t.actor_id, t.proximity) for t in kagawa.nearest_ties]
    assert ("kagawa-cci", "same_prefecture") in ranked
    assert ("shikoku-forum", "same_prefecture") in ranked
    local = [i for i, (_, near) in enumerate(ranked) if near == "same_prefecture"]
    assert local == list(range(len(local)))  # every same-prefecture tie before any neighbour
    tokushima = next(p for p in result.prefectures if p.code == "36")
    names = {t.actor_id: t for t in tokushima.nearest_ties}
    # Neighbours count when they are in a community; a lone chamber in Kochi does not.
    assert names["ehime-u"].proximity == "same_mic_area" and names["ehime-u"].communities == ["ehime-net"]
    assert "kochi-cci" not in names


def test_a_prefecture_scope_reports_only_that_prefecture() -> None:
    result = isolated_regions(shikoku().build(), Scope(prefecture="36"))
    assert [p.code for p in result.prefectures] == ["36"]
    assert result.regions == []  # Shikoku as a whole has communities and activity
    tokyo = isolated_regions(shikoku().build(), Scope(prefecture="13"))
    assert [(r.code, r.gaps) for r in tokyo.regions] == [("mic-kanto", ["no_community", "no_activity"])]


# ---------------------------------------------------------------------------------------------- regions


def test_a_region_with_no_community_and_its_nearest_ties() -> None:
    data = (
        GraphBuilder()
        .org("tokyo-cci", "chamber_of_commerce", "13")
        .org("tokyo-vendor", "security_vendor", "13")
        .community("kanto-net", "mic-kanto")
        .tie("MEMBER_OF", "tokyo-cci", "kanto-net")
        .tie("MEMBER_OF", "tokyo-vendor", "kanto-net")
        .build()
    )
    result = isolated_regions(data, Scope(region="mic-shinetsu"))
    assert [(r.code, r.gaps) for r in result.regions] == [("mic-shinetsu", ["no_community", "no_activity"])]
    ties = result.regions[0].nearest_ties
    # Niigata and Nagano are in the METI Kanto area: Tokyo's bodies are the nearest, by METI area.
    assert {t.actor_id for t in ties} >= {"tokyo-cci", "tokyo-vendor"}
    assert all(t.proximity == "same_meti_area" for t in ties)
    kanto = isolated_regions(data, Scope(region="mic-kanto"))
    assert "no_community" not in [g for r in kanto.regions for g in r.gaps]


def test_meti_areas_on_request() -> None:
    data = GraphBuilder().org("fukui-pref", "prefecture", "18").community("kinki-net", "mic-kinki").build()
    result = isolated_regions(data, region_kind="meti")
    assert {r.kind for r in result.regions} == {"meti"}
    assert "meti-kinki" not in {r.code for r in result.regions if "no_community" in r.gaps}
    assert "meti-chubu" in {r.code for r in result.regions if "no_community" in r.gaps}


def test_a_region_of_the_other_kind_maps_to_the_area_holding_most_of_it() -> None:
    data = GraphBuilder().community("meti-kinki-programme", "meti-kinki").community("fukui-only", None, ["18"]).build()
    assert community_areas(data.nodes["meti-kinki-programme"], "mic") == {"mic-kinki"}  # type: ignore[arg-type]
    assert community_areas(data.nodes["fukui-only"], "mic") == {"mic-hokuriku"}  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- detached parts


def test_a_part_with_no_path_to_the_rest_is_detached() -> None:
    data = (
        GraphBuilder()
        .org("a", "university", "27")
        .org("b", "police", "27")
        .org("c", "chamber_of_commerce", "27")
        .community("main", prefectures=["27"])
        .tie("MEMBER_OF", "a", "main")
        .tie("MEMBER_OF", "b", "main")
        .tie("MEMBER_OF", "c", "main")
        .org("x", "sme", "27")
        .org("y", "it_vendor", "27")
        .tie("CONTACTED", "x", "y")
        .build()
    )
    result = isolated_regions(data)
    assert [p.actors for p in result.detached_parts] == [["x", "y"]]
    ties = {t.actor_id for t in result.detached_parts[0].nearest_ties}
    assert ties and ties <= {"a", "b", "c", "main"}  # only the connected rest can connect it


# ---------------------------------------------------------------------------------------------- 横連携


def two_regions(link: str) -> GraphData:
    """A Kinki and a Kyushu community, joined by ``link`` (or not), and a Tohoku pair joined to each other."""
    b = (
        GraphBuilder()
        .org("osaka-u", "university", "27")
        .org("fukuoka-u", "university", "40")
        .community("kinki-net", "mic-kinki")
        .community("kyushu-net", "mic-kyushu")
        .tie("MEMBER_OF", "osaka-u", "kinki-net")
        .tie("MEMBER_OF", "fukuoka-u", "kyushu-net")
        .org("sendai-it", "it_vendor", "04")
        .community("tohoku-a", "mic-tohoku")
        .community("tohoku-b", "mic-tohoku")
        .tie("MEMBER_OF", "sendai-it", "tohoku-a")
        .tie("MEMBER_OF", "sendai-it", "tohoku-b")
    )
    if link == "shared_member":
        b.org("trend", "security_vendor").tie("MEMBER_OF", "trend", "kinki-net").tie("MEMBER_OF", "trend", "kyushu-net")
    elif link == "partnership":
        b.tie("PARTNERS_WITH", "kinki-net", "kyushu-net")
    elif link == "shared_event":
        b.event("forum", "2020-10-01").tie("ORGANISED", "kinki-net", "forum").tie("CO_HOSTED", "kyushu-net", "forum")
    elif link == "shared_participant":
        (
            b.person("speaker")
            .event("kinki-seminar", "2020-10-01", prefecture="27")
            .event("kyushu-seminar", "2020-11-01", prefecture="40")
            .tie("ORGANISED", "kinki-net", "kinki-seminar")
            .tie("ORGANISED", "kyushu-net", "kyushu-seminar")
            .tie("SPOKE_AT", "speaker", "kinki-seminar")
            .tie("SPOKE_AT", "speaker", "kyushu-seminar")
        )
    return b.build()


@pytest.mark.parametrize("link", ["shared_member", "partnership", "shared_event", "shared_participant"])
def test_each_kind_of_horizontal_link_counts(link: str) -> None:
    data = two_regions(link)
    links = horizontal_links(data, "kinki-net")
    assert [(x.community_id, x.kinds) for x in links] == [("kyushu-net", [link])]
    unlinked = {u.community_id for u in isolated_regions(data).unlinked_communities}
    assert not unlinked & {"kinki-net", "kyushu-net"}
    # Two communities of the same region sharing a member is not 横連携.
    assert {"tohoku-a", "tohoku-b"} <= unlinked


def test_a_community_without_horizontal_links_and_its_nearest_others() -> None:
    data = two_regions("none")
    result = isolated_regions(data)
    unlinked = {u.community_id: u for u in result.unlinked_communities}
    assert {"kinki-net", "kyushu-net", "tohoku-a", "tohoku-b"} == set(unlinked)
    assert unlinked["tohoku-a"].linked_in_same_region == ["tohoku-b"]
    assert horizontal_links(data, "tohoku-a") == []


def test_a_national_community_is_not_judged_and_gives_no_horizontal_link() -> None:
    data = (
        GraphBuilder()
        .community("kinki-net", "mic-kinki")
        .community("national", None)
        .tie("PARTNERS_WITH", "kinki-net", "national")
        .build()
    )
    result = isolated_regions(data)
    assert result.national_communities == ["national"]
    kinki = next(u for u in result.unlinked_communities if u.community_id == "kinki-net")
    assert kinki.linked_national == ["national"]


# ---------------------------------------------------------------------------------------------- bridges


def bridged(second_tie: bool = False) -> GraphData:
    """Osaka bodies in a cycle; one Osaka body alone ties them to an Okinawa community and its members."""
    b = (
        GraphBuilder()
        .org("a", "university", "27")
        .org("b", "police", "27")
        .org("c", "chamber_of_commerce", "27")
        .tie("CONTACTED", "a", "b")
        .tie("CONTACTED", "b", "c")
        .tie("CONTACTED", "c", "a")
        .org("bridge", "support_organisation", "27")
        .tie("CONTACTED", "a", "bridge")
        .tie("CONTACTED", "b", "bridge")
        .community("okinawa-net", "mic-okinawa", ["47"])
        .org("x", "it_vendor", "47")
        .org("y", "sme", "47")
        .tie("SECRETARIAT_OF", "bridge", "okinawa-net")
        .tie("MEMBER_OF", "x", "okinawa-net")
        .tie("MEMBER_OF", "y", "okinawa-net")
    )
    if second_tie:
        b.tie("CONTACTED", "c", "x")
    return b.build()


def test_a_body_that_alone_holds_a_region_on_is_a_single_bridge() -> None:
    result = isolated_regions(bridged())
    assert [b.actor_id for b in result.single_bridges] == ["bridge"]
    bridge = result.single_bridges[0]
    assert bridge.cut_off == ["okinawa-net", "x", "y"]
    assert bridge.cut_off_by_prefecture == {"47": 2}
    assert bridge.prefectures_cut_off_entirely == ["47"]
    assert bridge.regions == ["mic-okinawa"]
    assert bridge.remaining == 3  # a, b, c


def test_a_second_tie_removes_the_bridge() -> None:
    assert isolated_regions(bridged(second_tie=True)).single_bridges == []


def test_a_scope_elsewhere_does_not_report_the_bridge() -> None:
    assert isolated_regions(bridged(), Scope(region="mic-tohoku")).single_bridges == []
    assert [b.actor_id for b in isolated_regions(bridged(), Scope(prefecture="47")).single_bridges] == ["bridge"]


def test_what_a_cut_vertex_cuts_off_agrees_with_removing_it() -> None:
    rng = random.Random(7)
    for trial in range(20):
        graph = nx.gnm_random_graph(25, 30 + trial, seed=rng.randrange(10_000))
        graph = nx.relabel_nodes(graph, {n: f"n{n:02d}" for n in graph})
        removal = removal_pieces(graph)
        pieces = cut_pieces(graph)
        assert set(pieces) == set(nx.articulation_points(graph))
        for vertex in graph:
            found = _cut_off(removal, vertex, 1)
            if vertex not in pieces:
                assert found is None
                continue
            ranked = sorted(pieces[vertex], key=lambda p: (-len(p), p[0]))
            assert found == (sorted(a for piece in ranked[1:] for a in piece), len(ranked[0]))


# ---------------------------------------------------------------------------------------------- the whole result


def test_every_item_explains_itself_in_both_languages(seed: GraphData) -> None:
    result = isolated_regions(seed)
    items = every_item(result)
    assert items
    for item in items:
        assert item.evidence and all(e.ja and e.en for e in item.evidence)
        assert item.advice and all(a.ja and a.en for a in item.advice)
        for tie in item.nearest_ties:
            assert tie.reasons and tie.advice.ja and tie.advice.en
        scores = [t.score for t in item.nearest_ties]
        assert scores == sorted(scores, reverse=True)


def test_same_data_same_output() -> None:
    data = bridged()
    shuffled = GraphData(
        nodes=dict(reversed(list(data.nodes.items()))), relationships=dict(reversed(list(data.relationships.items())))
    )
    assert isolated_regions(data).model_dump_json() == isolated_regions(shuffled).model_dump_json()


def test_a_date_cuts_the_graph_first() -> None:
    data = (
        GraphBuilder()
        .org("u", "university", "38")
        .community("late", prefectures=["38"], founded="2022-04")
        .tie("MEMBER_OF", "u", "late", start="2022-04-01")
        .build()
    )
    before = prefecture_gaps(isolated_regions(data, Scope(prefecture="38", as_of=dt.date(2021, 1, 1))))
    after = prefecture_gaps(isolated_regions(data, Scope(prefecture="38", as_of=dt.date(2023, 1, 1))))
    assert "no_community" in before["38"]
    assert "38" not in after or "no_community" not in after["38"]


# ---------------------------------------------------------------------------------------------- seed data


SHIKOKU = {"36": "徳島県", "37": "香川県", "38": "愛媛県", "39": "高知県"}


def test_seed_kagawa_tokushima_and_kochi_have_no_named_body_in_fy2020(seed: GraphData) -> None:
    """Seed 000 (FY2020): the Shikoku work leans on Ehime; nobody from Kagawa, Tokushima or Kochi is named."""
    result = isolated_regions(seed, Scope(region="mic-shikoku"), period=FY2020)
    gaps = prefecture_gaps(result)
    assert {code for code, g in gaps.items() if "no_named_body" in g} == {"36", "37", "39"}
    assert {p.name for p in result.prefectures if "no_named_body" in p.gaps} == {SHIKOKU[c] for c in ("36", "37", "39")}


def test_seed_shikoku_communities_name_no_body_outside_ehime(seed: GraphData) -> None:
    """Over all the data a Kagawa chamber appears (seed 004's 2009 seminar), but in no Shikoku community."""
    gaps = prefecture_gaps(isolated_regions(seed, Scope(region="mic-shikoku")))
    assert {code for code, g in gaps.items() if "no_local_member" in g} == {"36", "37", "39"}
    assert "38" not in gaps


def test_both_stores_give_the_same_answer(seed_loaded: GraphData, seed: GraphData) -> None:
    expected = isolated_regions(seed, period=FY2020).model_dump_json()
    assert isolated_regions(seed_loaded, period=FY2020).model_dump_json() == expected


def old_bridge(later_evidence: bool = False) -> GraphData:
    """``bridged()`` with the bridge's only tie to the Okinawa side shown by a 2009 document."""
    data = bridged()
    old = next(r for r in data.relationships.values() if r.type == "SECRETARIAT_OF")
    data.relationships[str(old.id)] = old.model_copy(update={"as_of": "2009-03"})
    if later_evidence:
        later = GraphBuilder(with_geography=False).event("talk", "2019-11-01").tie("ORGANISED", "bridge", "talk")
        later.tie("SPOKE_AT", "x", "talk")
        for node in later.nodes:
            data.add_node(node)
        for rel in later.relationships:
            data.add_relationship(rel)
    return data


def test_a_tie_older_than_the_window_makes_no_bridge() -> None:
    """Older than five fiscal years with nothing later, the 2009 tie no longer says Okinawa
    connects only through the bridge."""
    result = isolated_regions(old_bridge())
    assert result.single_bridges == [] and result.tie_window_start == dt.date(2016, 4, 1)
    assert result.stale_ties == 1
    # Without a window (or a wider one) the old tie still counts.
    assert [b.actor_id for b in isolated_regions(old_bridge(), tie_window_years=None).single_bridges] == ["bridge"]
    assert [b.actor_id for b in isolated_regions(old_bridge(), tie_window_years=13).single_bridges] == ["bridge"]
    # (12 fiscal years reach back to April 2009 only: March 2009 is FY2008.)
    assert isolated_regions(old_bridge(), tie_window_years=12).single_bridges == []
    # Later evidence (a 2019 event the bridge ran and a member spoke at) makes it a bridge again.
    # (x, now the Okinawa side's only fresh tie to the community, is one too.)
    renewed = isolated_regions(old_bridge(later_evidence=True))
    assert [b.actor_id for b in renewed.single_bridges] == ["bridge", "x"] and renewed.stale_ties == 1


def test_the_window_is_a_parameter_of_the_analysis() -> None:
    analysis = analysis_named("isolated-regions")
    assert "tie_window_years" in analysis.own_parameters
    assert analysis.run(old_bridge(), analysis.parameters_of()).single_bridges == []
    wide = analysis.run(old_bridge(), analysis.parameters_of(tie_window_years="20"))
    assert [b.actor_id for b in wide.single_bridges] == ["bridge"]
    with pytest.raises(ValueError, match="tie_window_years"):
        analysis.parameters_of(tie_window_years=0)
