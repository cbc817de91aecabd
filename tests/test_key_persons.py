"""Key-person candidates: a planted broker, planted roles and communities, brute-force checks of
the dependence risk, and what the seed documents let us expect."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from itertools import combinations, pairwise

import networkx as nx
import numpy as np
import pytest

from secgraph.analysis.index import network_arrays
from secgraph.analysis.key_persons import (
    ROLE_TYPES,
    SCORE_ASPECTS,
    _open_pairs_by_group,
    aspects_mean,
    betweenness_between_groups,
    communities_active_in,
    group_path_betweenness,
    key_person_candidates,
    roles_held,
)
from secgraph.analysis.measures import fragmentation, removal_pieces
from secgraph.analysis.network import Scope, actor_network, community_circle, shared_inputs
from secgraph.analysis.regions.findings import isolated_regions
from secgraph.analysis.tie_freshness import TIE_WINDOW_YEARS, fresh_ties, holding_removal_pieces, tie_window_start
from secgraph.model.graph import GraphData
from secgraph.model.records import Person
from tests.builders import GraphBuilder
from tests.test_measures import brute_force_sole_links


def two_communities_and_a_broker(broker_joins_second: str | None = None) -> GraphData:
    """Osaka police around one community, Hyogo universities around another, one person in both."""
    return (
        GraphBuilder()
        .org("p1", "police", "27")
        .org("p2", "police", "27")
        .org("u1", "university", "28")
        .org("u2", "university", "28")
        .community("ca", prefectures=["27"])
        .community("cb", prefectures=["28"])
        .person("broker", works_at="u1")
        .tie("MEMBER_OF", "p1", "ca")
        .tie("MEMBER_OF", "p2", "ca")
        .tie("MEMBER_OF", "u1", "cb")
        .tie("MEMBER_OF", "u2", "cb")
        .tie("MEMBER_OF", "broker", "ca")
        .tie("MEMBER_OF", "broker", "cb", start=broker_joins_second)
        .event("e1", "2021-05-20", prefecture="28")
        .tie("ORGANISED", "cb", "e1")
        .tie("SPOKE_AT", "broker", "e1", role="talk")
        .build()
    )


# -- a planted broker ----------------------------------------------------------------------------


def test_the_planted_broker_ranks_first_with_its_reasons() -> None:
    result = key_person_candidates(two_communities_and_a_broker())
    top = result.candidates[0]
    assert top.id == "broker" and top.rank == 1 and top.kind == "Person"
    assert top.sector == "university" and top.prefectures == ["28"]
    assert top.communities == ["ca", "cb"]
    assert top.roles == ["member", "speaker"]
    # Neighbours ca, cb (community) and u1 (university, tied to cb): open pairs {ca, cb}, {ca, u1}.
    assert top.sector_brokerage.model_dump() == {
        "coordinator": 0,
        "itinerant": 2,
        "representative": 1,
        "gatekeeper": 1,
        "liaison": 0,
        "across_groups": 4,
    }
    assert (top.prefecture_brokerage.representative, top.prefecture_brokerage.gatekeeper) == (2, 2)
    # Without the broker the seven actors fall into two threes: F = 1 − (6 + 6) / (6 · 5).
    assert result.fragmentation == 0.0
    assert top.dependence.fragmentation_after == pytest.approx(0.6)
    assert top.dependence.cut_off == 3
    # Two equal halves: the one with the lowest id counts as the rest of the network.
    assert top.dependence.cut_off_ids == ["cb", "u1", "u2"]
    texts = " ".join(e.ja + " " + e.en for e in top.evidence)
    assert "2つのコミュニティで活動" in texts and "active in 2 communities" in texts
    assert "コミュニティと大学をつなぐ" in texts and "大阪府と兵庫県をつなぐ" in texts
    assert "would be cut off" in texts and "3の団体・個人が孤立" in texts
    assert any("分担" in a.ja and "rotation" in a.en for a in top.advice)
    assert all(c.dependence.cut_off == 0 for c in result.candidates[1:])
    assert top.score > result.candidates[1].score


def communities_and_links(sizes: tuple[int, ...], links: dict[str, tuple[str, ...]]) -> GraphBuilder:
    """Communities a, b, c… in Osaka, Hyogo, Kyoto…, each run by a secretariat body and its head who
    organise and speak at two events its members attend; each link, a university, is a member of the
    communities it lists; a community in Tokyo, apart, for the national scope."""
    b = GraphBuilder().org("chamber", "chamber_of_commerce", "13").community("tokyo", "mic-kanto", ["13"])
    b.tie("MEMBER_OF", "chamber", "tokyo")
    places = (("a", "27", "meti_bureau"), ("b", "28", "police"), ("c", "26", "prefecture"))
    for (name, prefecture, sector), size in zip(places, sizes, strict=False):
        b.community(name, prefectures=[prefecture]).org(f"{name}-sec", sector, prefecture)
        b.person(f"{name}-head", works_at=f"{name}-sec")
        b.tie("SECRETARIAT_OF", f"{name}-sec", name).tie("SECRETARIAT_OF", f"{name}-head", name)
        for k in range(2):
            b.event(f"{name}-ev{k}", f"2020-0{k + 5}-01", prefecture=prefecture)
            b.tie("ORGANISED", f"{name}-sec", f"{name}-ev{k}").tie("SPOKE_AT", f"{name}-head", f"{name}-ev{k}")
        for i in range(size):
            member = f"{name}-m{i:02d}"
            b.org(member, "sme" if i % 2 else "it_vendor", prefecture).tie("MEMBER_OF", member, name)
            b.tie("ATTENDED", member, f"{name}-ev{i % 2}")
    for link, communities in links.items():
        b.org(link, "university", "28")
        for community in communities:
            b.tie("MEMBER_OF", link, community)
    return b


def two_runs_and_one_broker(sizes: tuple[int, int]) -> GraphData:
    """Two communities in Osaka and Hyogo; one university, member of both, is all that joins them."""
    return communities_and_links(sizes, {"broker": ("a", "b")}).build()


KINKI_SCOPES = (Scope(), Scope(region="mic-kinki"), Scope(region="meti-kinki"))


@pytest.mark.parametrize(
    "sizes", [(1, 1), (3, 3), (12, 5), (40, 5), (5, 60), (40, 40), (100, 3), (3, 100), (1, 300), (200, 1)]
)
def test_the_only_actor_joining_two_communities_is_first_in_every_scope_holding_both(sizes: tuple[int, int]) -> None:
    """However lopsided the two communities, the broker leads: at (100, 3) the big one's secretariat
    body leads betweenness, brokerage, structural holes and reach on magnitudes, and the broker only
    dependence, but the broker alone joins the two."""
    data = two_runs_and_one_broker(sizes)
    for scope in KINKI_SCOPES:
        result = key_person_candidates(data, scope, limit=None)
        top, second = result.candidates[0], result.candidates[1]
        assert top.id == "broker", (scope, [(c.id, c.score) for c in result.candidates])
        assert top.sole_link_between == ["a", "b"]
        assert all(not c.sole_link_between for c in result.candidates[1:])
        assert top.components["dependence"] == 1.0 and second.components["dependence"] == 0.0
        assert [c.score for c in result.candidates[1:]] == sorted(
            (c.score for c in result.candidates[1:]), reverse=True
        )
        line = next(e for e in top.evidence if "をつなぐ唯一の" in e.ja)
        assert line.ja == "aとbをつなぐ唯一の団体・個人（抜けると両者の間の経路がなくなる）"
        assert line.en.startswith("the only link between a and b") and line.ids == ["a", "b"]
        assert "得点より先に並ぶ" in top.evidence[0].ja
        assert any("直接引き合わせる" in a.ja and "joint event" in a.en for a in top.advice)
    if max(sizes) >= 100:  # the lopsided cases: the broker is first without the highest score
        assert top.score < max(c.score for c in result.candidates)


def test_two_actors_linking_the_same_two_communities_are_neither_a_sole_link() -> None:
    data = communities_and_links((100, 3), {"broker": ("a", "b"), "second-broker": ("a", "b")}).build()
    for scope in KINKI_SCOPES:
        result = key_person_candidates(data, scope, limit=None)
        assert all(not c.sole_link_between for c in result.candidates)
        assert all("唯一" not in e.ja for c in result.candidates for e in c.evidence)
        scores = [(-c.score, c.id) for c in result.candidates]
        assert scores == sorted(scores)  # by score alone, then id
        assert result.candidates[0].id == "a-sec"


def test_a_secretariat_stranding_its_own_events_attendees_is_no_sole_link() -> None:
    """A secretariat body runs the community's events; their attendees, not members, hang on it alone
    (a star). Leaving, it strands them — the most anyone cuts off — but they are the community's own
    circle, split into pieces, and the rest of the community still reaches the other community through
    the member both share: that member is the sole link, not the secretariat."""
    b = GraphBuilder().community("c", prefectures=["27"]).community("d", prefectures=["27"])
    b.org("sec", "meti_bureau", "27").tie("SECRETARIAT_OF", "sec", "c")
    b.event("e0", "2021-05-01", prefecture="27").tie("ORGANISED", "sec", "e0")
    for i in range(8):
        b.org(f"x{i}", "sme", "27").tie("ATTENDED", f"x{i}", "e0")
    b.org("shared", "it_vendor", "27").tie("MEMBER_OF", "shared", "c").tie("MEMBER_OF", "shared", "d")
    b.org("d-only", "sme", "27").tie("MEMBER_OF", "d-only", "d")
    data = b.build()
    result = {c.id: c for c in key_person_candidates(data, limit=None).candidates}
    ranked = key_person_candidates(data, limit=None).candidates
    assert result["sec"].dependence.cut_off == 8 and result["sec"].dependence.cut_off == max(
        c.dependence.cut_off for c in ranked
    )
    assert result["sec"].sole_link_between == []
    assert result["shared"].sole_link_between == ["c", "d"]
    assert result["sec"].score > result["shared"].score
    assert [c.id for c in ranked[:2]] == ["shared", "sec"]
    # Alone with its attendees (no second community), it is no sole link either.
    alone = GraphBuilder().community("c", prefectures=["27"]).org("sec", "meti_bureau", "27")
    alone.tie("SECRETARIAT_OF", "sec", "c").event("e0", "2021-05-01", prefecture="27").tie("ORGANISED", "sec", "e0")
    for i in range(3):
        alone.org(f"x{i}", "sme", "27").tie("ATTENDED", f"x{i}", "e0")
    assert all(not c.sole_link_between for c in key_person_candidates(alone.build(), limit=None).candidates)


def test_a_body_whose_own_programme_has_nobody_else_is_no_sole_link() -> None:
    """A bureau runs a programme recorded as a community with no member: without the bureau only the
    programme's own record is left, nobody to join. Give the programme a member and the bureau joins it."""
    built = communities_and_links((5, 5), {"broker": ("a", "b")})
    built.org("bureau", "meti_bureau", "27").community("programme", prefectures=["27"])
    built.tie("SECRETARIAT_OF", "bureau", "programme").tie("MEMBER_OF", "bureau", "a")
    result = {c.id: c for c in key_person_candidates(built.build(), limit=None).candidates}
    assert result["bureau"].dependence.cut_off == 1 and result["bureau"].sole_link_between == []
    assert result["broker"].sole_link_between == ["a", "b", "programme"]  # the programme is on a's side
    built.org("programme-member", "sme", "27").tie("MEMBER_OF", "programme-member", "programme")
    result = {c.id: c for c in key_person_candidates(built.build(), limit=None).candidates}
    assert result["bureau"].sole_link_between == ["a", "b", "programme"]


def test_several_sole_links_come_first_ordered_by_score() -> None:
    """a – link-ab – b – link-bc – c: each link alone joins one community to the other two. Both come
    before the big community's secretariat body, which outscores them, and in score order."""
    data = communities_and_links((200, 3, 3), {"link-ab": ("a", "b"), "link-bc": ("b", "c")}).build()
    for scope in (Scope(), Scope(region="mic-kinki")):
        ranked = key_person_candidates(data, scope, limit=None).candidates
        links = sorted((c for c in ranked if c.sole_link_between), key=lambda c: (-c.score, c.id))
        assert [c.id for c in links] == [c.id for c in ranked[:2]] and {c.id for c in links} == {"link-ab", "link-bc"}
        assert ranked[0].score != ranked[1].score
        assert all(c.sole_link_between == ["a", "b", "c"] for c in links)
        assert max(c.score for c in ranked[2:]) > ranked[0].score  # a-sec outscores them, and follows them
        rest = [(-c.score, c.id) for c in ranked[2:]]
        assert rest == sorted(rest)
        by_id = {c.id: c for c in ranked}
        assert any(e.ja.startswith("aとb・cをつなぐ唯一の") for e in by_id["link-ab"].evidence)
        assert any(e.ja.startswith("cとa・bをつなぐ唯一の") for e in by_id["link-bc"].evidence)  # smaller side first


def test_components_are_magnitudes_not_ranks() -> None:
    """A path a–b–c–d–e: b and d carry 3 pairs each, c carries 4; with dense ranks b would score 0.5
    against c's 1.0 on betweenness, on magnitudes 0.75. The leaves cut nobody off: 0, not a middling rank."""
    data = GraphBuilder().org("a").org("b").org("c").org("d").org("e")
    for x, y in pairwise("abcde"):
        data = data.tie("CONTACTED", x, y)
    result = {c.id: c for c in key_person_candidates(data.build(), limit=None).candidates}
    assert result["c"].components["betweenness"] == 1.0
    assert result["b"].components["betweenness"] == pytest.approx(0.75)
    assert result["a"].components["betweenness"] == 0.0
    # b cuts a off: the pairs {a, c}, {a, d}, {a, e} of the other four's six; c cuts 4 of 6.
    assert result["b"].dependence.fragmentation_increase == pytest.approx(3 / 6)
    assert result["c"].dependence.fragmentation_increase == pytest.approx(4 / 6)
    assert result["b"].components["dependence"] == pytest.approx(0.75)
    assert result["a"].components["dependence"] == 0.0 and result["a"].dependence.fragmentation_increase == 0.0
    assert result["a"].components["constraint"] == 0.0  # one contact: constraint 1
    assert result["c"].components["constraint"] == pytest.approx(0.5)  # two contacts not tied: 0.5


def test_a_cut_vertex_stranding_a_small_cluster_has_positive_dependence() -> None:
    """A hub with eight contacts, and apart from it a chain a–x–y: x joins a and y. Borgatti's
    fragmentation of G − x is lower than G's (one node fewer in a network mostly in one piece), which
    made x's "increase" negative; what x's departure cuts off is the pair {a, y}: 1 of the 55 pairs of
    the eleven others."""
    data = GraphBuilder().org("hub").org("a").org("x").org("y")
    for i in range(8):
        data = data.org(f"l{i}").tie("CONTACTED", "hub", f"l{i}")
    data = data.tie("CONTACTED", "a", "x").tie("CONTACTED", "x", "y").build()
    result = {c.id: c for c in key_person_candidates(data, limit=None).candidates}
    G = actor_network(data)
    H = G.copy()
    H.remove_node("x")
    assert fragmentation(H) < fragmentation(G)  # the old measure's sign
    assert result["x"].dependence.fragmentation_increase == pytest.approx(1 / 55, abs=1e-6)
    assert result["x"].components["dependence"] > 0
    assert all(c.dependence.fragmentation_increase >= 0 for c in result.values())


def test_scores_are_means_of_components_and_ties_go_by_id() -> None:
    data = GraphBuilder().org("b-org").org("a-org").community("c")
    data = data.tie("MEMBER_OF", "b-org", "c").tie("MEMBER_OF", "a-org", "c").build()
    result = key_person_candidates(data)
    assert [c.id for c in result.candidates] == ["a-org", "b-org"]
    assert result.candidates[0].score == result.candidates[1].score
    for c in key_person_candidates(two_communities_and_a_broker()).candidates:
        assert c.score == pytest.approx(aspects_mean(c.components), abs=1e-6)
        assert all(0.0 <= v <= 1.0 for v in c.components.values())


def test_every_candidates_score_at_once_is_each_ones_to_the_last_bit() -> None:
    rng = random.Random(7)
    names = [n for aspect in SCORE_ASPECTS.values() for n in aspect]
    candidates = [{n: rng.random() * rng.choice([1, 1e-9, 3]) for n in names} for _ in range(500)]
    candidates.append(dict.fromkeys(names, 0.0))
    columns = {n: np.array([c[n] for c in candidates]) for n in names}
    assert aspects_mean(columns).tolist() == [aspects_mean(c) for c in candidates]


def test_limit_kinds_and_scope() -> None:
    data = two_communities_and_a_broker()
    assert len(key_person_candidates(data, limit=2).candidates) == 2
    assert key_person_candidates(data, limit=None).candidates_ranked == 5
    communities = key_person_candidates(data, kinds=("Community",))
    assert {c.id for c in communities.candidates} == {"ca", "cb"}
    hyogo = key_person_candidates(data, Scope(prefecture="28"))
    assert {c.id for c in hyogo.candidates} == {"broker", "u1", "u2"}


def test_as_of_a_date_before_the_broker_joined_the_second_community() -> None:
    data = two_communities_and_a_broker(broker_joins_second="2021-04-01")
    before = key_person_candidates(data, Scope(as_of=dt.date(2020, 12, 31)))
    broker = next(c for c in before.candidates if c.id == "broker")
    assert broker.communities == ["ca"] and broker.roles == ["member"]
    after = key_person_candidates(data, Scope(as_of=dt.date(2021, 6, 1)))
    assert next(c for c in after.candidates if c.id == "broker").communities == ["ca", "cb"]


def test_same_data_same_output() -> None:
    data = two_communities_and_a_broker()
    assert key_person_candidates(data).model_dump() == key_person_candidates(data).model_dump()


def test_bridged_pairs_of_groups_match_counting_every_pair_of_neighbours() -> None:
    for seed in range(30):
        rng = random.Random(seed)
        G = nx.gnp_random_graph(rng.randint(3, 18), 0.3, seed=seed)
        group = {v: rng.choice(["a", "b", "c", None]) for v in G}
        for v in G:
            expected: dict[tuple[str, str], list] = {}
            for a, b in combinations(sorted(G[v]), 2):
                if group[a] is not None and group[b] is not None and group[a] != group[b] and not G.has_edge(a, b):
                    key = tuple(sorted((group[a], group[b])))
                    expected.setdefault(key, []).append((a, b))  # type: ignore[arg-type]
            found = _open_pairs_by_group(G, v, group, most=10)
            assert {k: n for k, n, _ in found} == {k: len(p) for k, p in expected.items()}
            for k, _, ids in found:
                assert ids == sorted({str(x) for pair in expected[k] for x in pair})


# -- roles and communities -----------------------------------------------------------------------


def test_every_role_type_counts_once() -> None:
    data = (
        GraphBuilder()
        .org("x")
        .community("c")
        .event("e", "2021-01-10")
        .event("f", "2021-02-10")
        .tie("MEMBER_OF", "x", "c")
        .tie("SECRETARIAT_OF", "x", "c")
        .tie("ORGANISED", "x", "e")
        .tie("CO_HOSTED", "x", "f")
        .tie("SUPPORTED", "x", "e")
        .tie("COOPERATED", "x", "f")
        .tie("SPOKE_AT", "x", "e")
        .tie("ATTENDED", "x", "f")
        .build()
    )
    roles = roles_held(data)["x"]
    assert list(roles) == [code for code, *_ in ROLE_TYPES]
    assert len(roles["supporter"]) == 2


def test_active_in_every_community_that_ran_an_event_or_its_series() -> None:
    data = (
        GraphBuilder()
        .org("x")
        .org("y")
        .community("ca")
        .community("cb")
        .series("s")
        .event("joint", "2021-01-10")
        .event("third", "2021-03-10", series="s", edition=3)
        .tie("ORGANISED", "ca", "joint")
        .tie("CO_HOSTED", "cb", "joint")
        .tie("ATTENDED", "x", "joint")
        .tie("ORGANISED", "ca", "s")
        .tie("SPOKE_AT", "y", "third")
        .tie("PARTNERS_WITH", "y", "cb")
        .build()
    )
    active = communities_active_in(data)
    assert list(active["x"]) == ["ca", "cb"]
    assert list(active["y"]) == ["ca"]  # a partnership is not activity in the community
    assert "ca" not in active.get("ca", {})


# -- dependence risk against removing each actor ---------------------------------------------------


def assert_dependence_matches_brute_force(data: GraphData, scope: Scope | None = None) -> int:
    result = key_person_candidates(data, scope, limit=None)
    G = actor_network(data, scope)
    checked = 0
    for c in result.candidates:
        H = G.copy()
        H.remove_node(c.id)
        assert c.dependence.fragmentation_after == pytest.approx(fragmentation(H), abs=1e-6)
        component = nx.node_connected_component(G, c.id) - {c.id}
        found = sorted(nx.connected_components(H.subgraph(component)), key=lambda p: (-len(p), min(p)))
        # What is cut off: pairs of the others that reach each other in G and not in G − v, never negative.
        others = G.number_of_nodes() - 1
        cut_pairs = math.comb(len(component), 2) - sum(math.comb(len(p), 2) for p in found)
        assert c.dependence.fragmentation_increase >= 0
        assert c.dependence.fragmentation_increase == pytest.approx(cut_pairs / math.comb(others, 2), abs=1e-6)
        assert c.dependence.cut_off == sum(len(p) for p in found[1:])
        # Cut off: everyone outside the largest piece left (of equal pieces, the one with the lowest id).
        assert c.dependence.cut_off_ids == sorted(str(n) for p in found[1:] for n in p)
        checked += c.dependence.cut_off > 0
    return checked


def test_dependence_matches_brute_force_on_random_planted_networks() -> None:
    cut_vertices = 0
    for seed in range(8):
        rng = random.Random(seed)
        builder = GraphBuilder()
        orgs = [f"o{i:02d}" for i in range(25)]
        for org in orgs:
            builder.org(org, rng.choice(["police", "university", "sme", "insurer"]), rng.choice(["13", "27", "40"]))
        communities = [f"c{i}" for i in range(4)]
        for community in communities:
            builder.community(community)
        for org in orgs:
            for community in rng.sample(communities, rng.choice([0, 1, 1, 2])):
                builder.tie("MEMBER_OF", org, community)
        for a, b in pairwise(rng.sample(orgs, 6)):
            builder.tie("PARTNERS_WITH", a, b)
        cut_vertices += assert_dependence_matches_brute_force(builder.build())
    assert cut_vertices > 0


# -- betweenness between two groups --------------------------------------------------------------


def brute_force_group_paths(G: nx.Graph, a: set, b: set) -> tuple[dict, int]:
    paths = dict.fromkeys(G, 0.0)
    pairs = 0
    for s, t in {frozenset((s, t)) for s in a for t in b if s != t}:
        if not nx.has_path(G, s, t):
            continue
        pairs += 1
        found = list(nx.all_shortest_paths(G, s, t))
        for path in found:
            for v in path[1:-1]:
                paths[v] += 1 / len(found)
    return paths, pairs


def test_group_paths_of_a_square_split_between_two_middles() -> None:
    square = nx.Graph([("a", "m1"), ("m1", "b"), ("a", "m2"), ("m2", "b")])
    paths, pairs = group_path_betweenness(square, {"a"}, {"b"})
    assert pairs == 1 and paths == {"a": 0.0, "b": 0.0, "m1": 0.5, "m2": 0.5}


def test_group_paths_match_counting_every_shortest_path() -> None:
    for seed in range(25):
        rng = random.Random(seed)
        G = nx.gnp_random_graph(rng.randint(2, 16), rng.choice([0.15, 0.3]), seed=seed)
        a = {v for v in G if rng.random() < 0.4}
        b = {v for v in G if rng.random() < 0.4}  # may overlap a
        paths, pairs = group_path_betweenness(G, a, b)
        expected, expected_pairs = brute_force_group_paths(G, a, b)
        assert pairs == expected_pairs
        for v in G:
            assert paths[v] == pytest.approx(expected[v], abs=1e-9)


def test_who_links_police_and_universities() -> None:
    result = betweenness_between_groups(two_communities_and_a_broker(), "police", ["大学"])
    assert result.group_a == ["police"] and result.group_b == ["university"]
    # The broker counts as a university person (its employer's sector): 2 police × 3 university.
    assert result.pairs == 6
    # Every police–university path runs through ca; those to u1 and u2 also through the broker,
    # those to u2 on through cb.
    shares = {b.id: b.share for b in result.brokers}
    assert shares == {"ca": 1.0, "broker": pytest.approx(4 / 6, abs=1e-6), "cb": pytest.approx(2 / 6, abs=1e-6)}
    assert [b.id for b in result.brokers] == ["ca", "broker", "cb"]
    assert "警察と大学の間の最短経路の100%が通る" in result.brokers[0].evidence[0].ja
    by_prefecture = betweenness_between_groups(two_communities_and_a_broker(), "大阪府", "28", by="prefecture")
    assert by_prefecture.group_a == ["27"] and by_prefecture.brokers[0].id in {"broker", "ca"}


# -- the seed data -------------------------------------------------------------------------------


def test_seed_top_candidates_span_several_communities(seed: GraphData) -> None:
    result = key_person_candidates(seed, limit=None)
    everyone = result.candidates
    top = everyone[:10]
    spanning_top = sum(len(c.communities) >= 2 for c in top) / len(top)
    spanning_all = sum(len(c.communities) >= 2 for c in everyone) / len(everyone)
    assert spanning_top >= 0.5 and spanning_top > 3 * spanning_all
    most = max(len(c.communities) for c in everyone)
    assert most >= 3
    # Among the first three by score; the sole links between communities come before them.
    by_score = [c for c in everyone if not c.sole_link_between]
    assert any(len(c.communities) == most for c in by_score[:3])
    # Whoever would cut off the most actors by leaving is on the default list of twenty.
    worst = max(everyone, key=lambda c: (c.dependence.cut_off, c.id))
    assert worst.dependence.cut_off > 0 and worst.rank <= 20


@pytest.mark.parametrize("scope", [Scope(), Scope(region="mic-kyushu")], ids=["national", "kyushu"])
def test_seed_sole_links_match_removing_each_actor(seed: GraphData, scope: Scope) -> None:
    """Every candidate's ``sole_link_between`` is what removing it from the scope's network and testing
    every pair of the scope's communities gives; the sole links lead the ranking."""
    G = actor_network(seed, scope)
    circles = {c: community_circle(seed, c) for c, attrs in G.nodes(data=True) if attrs["kind"] == "Community"}
    # Judged on the ties that still hold (the default window of five fiscal years).
    arrays = network_arrays(seed, scope)
    fresh = fresh_ties(seed, scope, tie_window_start(seed, None, TIE_WINDOW_YEARS))
    holding = nx.Graph(G)
    holding.remove_edges_from(
        (arrays.nodes[i], arrays.nodes[j])
        for i, j, kept in zip(arrays.first, arrays.second, fresh, strict=True)
        if not kept
    )
    expected = brute_force_sole_links(holding, circles, {c: c for c in circles})
    ranked = key_person_candidates(seed, scope, limit=None).candidates
    assert {c.id: c.sole_link_between for c in ranked} == {
        c.id: sorted(k for side in expected.get(c.id, []) for k in side) for c in ranked
    }
    leading = [c for c in ranked if c.sole_link_between]
    assert ranked[: len(leading)] == leading


def test_the_search_on_the_holding_ties_is_made_once_for_sole_links_and_single_bridges(seed: GraphData) -> None:
    """``holding_removal_pieces``: the pieces the country's network falls into without each actor,
    on the ties that still hold, as removing the stale ties from the graph gives; inside
    ``shared_inputs`` one search, which key persons and isolated regions both read."""
    window = tie_window_start(seed, None, TIE_WINDOW_YEARS)
    G, arrays = actor_network(seed), network_arrays(seed)
    fresh = fresh_ties(seed, Scope(), window)
    assert not fresh.all()  # the seed has ties older than the window (seed 004's 2009 後援)
    holding = nx.Graph(G)
    holding.remove_edges_from(
        (arrays.nodes[i], arrays.nodes[j])
        for i, j, kept in zip(arrays.first, arrays.second, fresh, strict=True)
        if not kept
    )
    expected = {v: sorted(sizes) for v, sizes in removal_pieces(holding).sizes.items()}
    assert {v: sorted(sizes) for v, sizes in holding_removal_pieces(seed, Scope(), window).sizes.items()} == expected

    def searches(*analyses: Callable[[GraphData], object]) -> list[object]:
        with shared_inputs() as kept:
            for analysis in analyses:
                analysis(seed)
        return [value for (what, *_), (_, value) in kept.items() if what == "holding_removal_pieces"]

    # each analysis searches the holding ties, and the two together search them once
    assert len(searches(key_person_candidates)) == len(searches(isolated_regions)) == 1
    assert len(searches(key_person_candidates, isolated_regions)) == 1


def test_a_tie_older_than_the_window_makes_no_sole_link() -> None:
    """Two communities joined only through a body whose ties to one of them are from 2009, while both
    run events in 2024: no sole link within the five-year window, one on every tie."""
    b = GraphBuilder()
    for name, prefecture in (("a", "27"), ("b", "28")):
        b.community(name, prefectures=[prefecture]).org(f"{name}-sec", "meti_bureau", prefecture)
        b.tie("SECRETARIAT_OF", f"{name}-sec", name, start="2024-04-01")
        for i in range(3):
            b.org(f"{name}-m{i}", "sme", prefecture).tie("MEMBER_OF", f"{name}-m{i}", name, start="2024-04-01")
    b.org("old", "university", "27").tie("MEMBER_OF", "old", "a", start="2024-04-01")
    b.tie("MEMBER_OF", "old", "b", start="2009-04-01")
    data = b.build()
    assert key_person_candidates(data, limit=None).candidates[0].sole_link_between == []
    on_every_tie = key_person_candidates(data, limit=None, tie_window_years=None).candidates
    assert on_every_tie[0].id == "old" and on_every_tie[0].sole_link_between == ["a", "b"]
    later = key_person_candidates(data, limit=None, tie_window_years=16).candidates
    assert later[0].id == "old"


def test_seed_a_2009_sponsorship_makes_no_national_sole_link(seed: GraphData) -> None:
    """Seed 004: 札幌商工会議所 ties Hokkaido to the rest of the country only through its 2009 後援 of a
    JNSA seminar. On every tie it is the only link; on the ties of the last five fiscal years it is not."""
    sapporo = "s001-org-sapporo-cci"
    every = {c.id: c for c in key_person_candidates(seed, limit=None, tie_window_years=None).candidates}
    assert every[sapporo].sole_link_between
    holding = {c.id: c for c in key_person_candidates(seed, limit=None).candidates}
    assert holding[sapporo].sole_link_between == []


def test_seed_dependence_matches_removing_each_actor(seed: GraphData) -> None:
    assert assert_dependence_matches_brute_force(seed) > 0


def test_seed_fukuoka_saga_key_persons_lead_its_people(seed: GraphData) -> None:
    """Seed 000 names three key persons of 地域SECUNITY(福岡·佐賀); the graph should find them among
    the first of the community's people."""
    community = "s000-com-fukuoka-saga"
    named = {
        r.from_id
        for r in seed.relationships.values()
        if r.type == "MEMBER_OF" and r.to_id == community and isinstance(seed.nodes[r.from_id], Person)
        if (seed.nodes[r.from_id].role_label or "") == "キーパーソン"  # type: ignore[union-attr]
    }
    assert len(named) == 3
    people = key_person_candidates(seed, Scope(community=community), kinds=("Person",), limit=None)
    assert len(people.candidates) > 6
    assert named <= {c.id for c in people.candidates[:5]}


def test_same_answer_from_both_stores(seed_loaded: GraphData, seed: GraphData) -> None:
    scope = Scope(region="mic-kyushu")
    assert key_person_candidates(seed_loaded, scope).model_dump() == key_person_candidates(seed, scope).model_dump()
    assert key_person_candidates(seed_loaded).model_dump() == key_person_candidates(seed).model_dump()


def test_seed_kyushu_holds_the_key_persons_the_documents_name(seed: GraphData) -> None:
    """Seed 000 names 関原 (MBSD) and 前田 (FFRI) as key persons of 地域SECUNITY(福岡·佐賀); their employers
    have no prefecture. The Kyushu scope holds them (on the default list), and leaves them out when
    asked for local bodies only."""
    named = {"s000-per-sekihara-yu", "s000-per-maeda-norihiko"}
    kyushu = key_person_candidates(seed, Scope(region="mic-kyushu"))
    assert named <= {c.id for c in kyushu.candidates}
    people = key_person_candidates(seed, Scope(region="mic-kyushu"), kinds=("Person",), limit=5)
    assert named <= {c.id for c in people.candidates}
    local = key_person_candidates(seed, Scope(region="mic-kyushu"), limit=None, local_only=True)
    assert not named & {c.id for c in local.candidates}
    assert all(c.prefectures for c in local.candidates)


def test_a_sole_link_between_three_communities_names_them_all() -> None:
    data = communities_and_links((3, 4, 5), {"broker": ("a", "b", "c")}).build()
    top = key_person_candidates(data, Scope(region="mic-kinki")).candidates[0]
    assert top.id == "broker" and top.sole_link_between == ["a", "b", "c"]
    line = next(e for e in top.evidence if "をつなぐ唯一の" in e.ja)
    assert line.ja == "a、b、cの間をつなぐ唯一の団体・個人（抜けると互いの間の経路がなくなる）"
    assert line.en == "the only link among a, b, c (without it no path runs between them)"
