"""The measures networkx lacks (or computes too slowly), on graphs small enough to count by hand,
and against brute force or networkx on random graphs."""

from __future__ import annotations

import math
import random
from itertools import permutations

import networkx as nx
import pytest

from secgraph.analysis.measures import (
    BROKERAGE_ROLES,
    burt_constraint,
    burt_effective_size,
    fragmentation,
    fragmentation_after_removal,
    freeman_centralization,
    gould_fernandez_brokerage,
    pieces_after_removal,
    sampled_betweenness,
)


def random_graphs(count: int = 40, directed: bool = False) -> list[nx.Graph]:
    graphs = []
    for seed in range(count):
        rng = random.Random(seed)
        n = rng.randint(1, 22)
        p = rng.choice([0.05, 0.1, 0.2, 0.4])
        G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
        for u, v in G.edges:
            G.edges[u, v]["weight"] = rng.randint(1, 5)
        graphs.append(G)
    return graphs


# -- Gould–Fernandez brokerage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ("AAA", "coordinator"),
        ("ABA", "itinerant"),
        ("AAB", "representative"),
        ("ABB", "gatekeeper"),
        ("ABC", "liaison"),
    ],
)
def test_each_role_of_one_directed_two_path(groups: str, role: str) -> None:
    G = nx.DiGraph([("a", "v"), ("v", "b")])
    result = gould_fernandez_brokerage(G, dict(zip("avb", groups, strict=True)))
    assert result["v"] == {r: int(r == role) for r in BROKERAGE_ROLES}
    assert sum(result["a"].values()) == sum(result["b"].values()) == 0


def test_a_closed_triad_or_a_return_path_is_no_brokerage() -> None:
    closed = nx.DiGraph([("a", "v"), ("v", "b"), ("a", "b")])
    assert sum(gould_fernandez_brokerage(closed, dict.fromkeys("avb", 1))["v"].values()) == 0
    # b → a does not close a → v → b: the original asks for the tie from a to b.
    reverse = nx.DiGraph([("a", "v"), ("v", "b"), ("b", "a")])
    assert gould_fernandez_brokerage(reverse, dict.fromkeys("avb", 1))["v"]["coordinator"] == 1
    mutual = nx.DiGraph([("a", "v"), ("v", "a")])
    assert sum(gould_fernandez_brokerage(mutual, dict.fromkeys("av", 1))["v"].values()) == 0


def test_undirected_ties_are_reciprocal_so_each_pair_counts_twice() -> None:
    # a – v – b, and c – v – a, c tied to b: open pairs at v are {a, b} and {a, c}.
    G = nx.Graph([("a", "v"), ("v", "b"), ("v", "c"), ("c", "b")])
    groups = {"v": "police", "a": "police", "b": "university", "c": "police"}
    roles = gould_fernandez_brokerage(G, groups)["v"]
    assert roles == {"coordinator": 2, "itinerant": 0, "representative": 1, "gatekeeper": 1, "liaison": 0}


def test_groups_from_a_node_attribute_and_unknown_groups_are_not_counted() -> None:
    G = nx.path_graph(["a", "v", "b", "w", "c"])
    nx.set_node_attributes(G, {"a": "x", "v": "y", "b": "x", "w": None, "c": "z"}, name="group")
    result = gould_fernandez_brokerage(G, "group")
    assert result["v"]["itinerant"] == 2
    assert sum(result["b"].values()) == 0  # v – b – w: w's group is unknown
    assert sum(result["w"].values()) == 0
    assert gould_fernandez_brokerage(G, {"a": "x", "v": "y"})["v"] == dict.fromkeys(BROKERAGE_ROLES, 0)


def test_a_directed_graph_can_be_read_as_undirected() -> None:
    G = nx.DiGraph([("a", "v"), ("b", "v")])
    groups = {"a": 1, "v": 2, "b": 1}
    assert gould_fernandez_brokerage(G, groups)["v"]["itinerant"] == 0
    assert gould_fernandez_brokerage(G, groups, as_undirected=True)["v"]["itinerant"] == 2


def brute_force_brokerage(G: nx.Graph, group: dict) -> dict:
    directed = G.is_directed()
    counts = {v: dict.fromkeys(BROKERAGE_ROLES, 0) for v in G}
    for v in G:
        for a, b in permutations([n for n in G if n != v], 2):
            into = G.has_edge(a, v)
            out = G.has_edge(v, b)
            if into and out and not G.has_edge(a, b):
                ga, gv, gb = group[a], group[v], group[b]
                if ga == gb == gv:
                    role = "coordinator"
                elif ga == gb:
                    role = "itinerant"
                elif ga == gv:
                    role = "representative"
                elif gb == gv:
                    role = "gatekeeper"
                else:
                    role = "liaison"
                counts[v][role] += 1
    assert directed or all(c["representative"] == c["gatekeeper"] for c in counts.values())
    return counts


@pytest.mark.parametrize("directed", [False, True])
def test_brokerage_matches_counting_every_two_path(directed: bool) -> None:
    for G in random_graphs(30, directed=directed):
        rng = random.Random(len(G))
        group = {v: rng.choice("ABC") for v in G}
        assert gould_fernandez_brokerage(G, group) == brute_force_brokerage(G, group)


# -- fragmentation -------------------------------------------------------------------------------


def test_fragmentation_of_small_graphs() -> None:
    assert fragmentation(nx.path_graph(5)) == 0.0
    assert fragmentation(nx.empty_graph(4)) == 1.0
    two_pairs = nx.Graph([(0, 1), (2, 3)])
    assert fragmentation(two_pairs) == pytest.approx(1 - 4 / 12)
    assert fragmentation(nx.empty_graph(1)) == 0.0
    with pytest.raises(nx.NetworkXNotImplemented):
        fragmentation(nx.DiGraph([(0, 1)]))


def test_pieces_left_by_each_removal() -> None:
    path = nx.path_graph(5)
    assert pieces_after_removal(path) == {0: [4], 1: [3, 1], 2: [2, 2], 3: [3, 1], 4: [4]}
    star = nx.star_graph(3)
    assert pieces_after_removal(star)[0] == [1, 1, 1]
    G = nx.Graph([(0, 1)])
    G.add_node(9)
    assert pieces_after_removal(G)[9] == []
    # Two triangles sharing node 0, one with a tail: 0 separates {1, 2} from {3, 4, 5}.
    bowtie = nx.Graph([(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0), (4, 5)])
    assert pieces_after_removal(bowtie)[0] == [3, 2]
    assert pieces_after_removal(bowtie)[4] == [4, 1]


def test_fragmentation_after_removal_matches_removing_each_node() -> None:
    graphs = random_graphs(60) + [nx.barbell_graph(4, 3), nx.star_graph(6), nx.path_graph(7)]
    for G in graphs:
        after = fragmentation_after_removal(G)
        pieces = pieces_after_removal(G)
        for v in G:
            H = G.copy()
            H.remove_node(v)
            assert after[v] == pytest.approx(fragmentation(H), abs=1e-12)
            component = nx.node_connected_component(G, v) - {v}
            expected = sorted((len(c) for c in nx.connected_components(H.subgraph(component))), reverse=True)
            assert pieces[v] == expected


def test_fragmentation_after_removal_needs_no_recursion_on_long_paths() -> None:
    G = nx.path_graph(20_000)
    after = fragmentation_after_removal(G)
    n = 19_999
    halves = 9_999 * 9_998 + 10_000 * 9_999
    assert after[10_000] == pytest.approx(1 - halves / (n * (n - 1)))
    assert after[0] == 0.0


# -- Freeman centralization ----------------------------------------------------------------------


@pytest.mark.parametrize("centrality", ["degree", "betweenness"])
def test_a_star_is_fully_centralised_and_a_cycle_not_at_all(centrality: str) -> None:
    assert freeman_centralization(nx.star_graph(5), centrality) == pytest.approx(1.0)  # type: ignore[arg-type]
    assert freeman_centralization(nx.cycle_graph(6), centrality) == pytest.approx(0.0)  # type: ignore[arg-type]
    assert freeman_centralization(nx.complete_graph(5), centrality) == pytest.approx(0.0)  # type: ignore[arg-type]
    assert freeman_centralization(nx.path_graph(2), centrality) == 0.0  # type: ignore[arg-type]


def test_centralization_of_a_path_of_four() -> None:
    # Degrees 1, 2, 2, 1: Σ(2 − d) = 2 over the star's (n − 1)(n − 2) = 6.
    assert freeman_centralization(nx.path_graph(4), "degree") == pytest.approx(2 / 6)
    # Raw betweenness 0, 2, 2, 0: Σ(2 − b) = 4 over the star's (n − 1)²(n − 2)/2 = 9.
    assert freeman_centralization(nx.path_graph(4), "betweenness") == pytest.approx(4 / 9)
    with pytest.raises(ValueError):
        freeman_centralization(nx.path_graph(4), "closeness")  # type: ignore[arg-type]


# -- betweenness, constraint, effective size ------------------------------------------------------


def test_betweenness_is_exact_when_small_and_seeded_when_sampled() -> None:
    G = nx.gnp_random_graph(60, 0.08, seed=3)
    assert sampled_betweenness(G) == nx.betweenness_centrality(G)
    sampled = sampled_betweenness(G, exact_up_to=20)
    assert sampled == nx.betweenness_centrality(G, k=20, seed=0)
    assert sampled == sampled_betweenness(G, exact_up_to=20)
    assert sampled != nx.betweenness_centrality(G)


def test_constraint_and_effective_size_of_a_star_and_a_triangle() -> None:
    star = nx.star_graph(3)
    assert burt_constraint(star)[0] == pytest.approx(1 / 3)
    assert burt_effective_size(star)[0] == pytest.approx(3.0)
    triangle = nx.complete_graph(3)
    # Each contact is a quarter-share indirectly through the other: (1/2 + 1/4)² twice.
    assert burt_constraint(triangle)[0] == pytest.approx(2 * 0.75**2)
    assert burt_effective_size(triangle)[0] == pytest.approx(1.0)
    lonely = nx.Graph()
    lonely.add_node("x")
    assert math.isnan(burt_constraint(lonely)["x"]) and math.isnan(burt_effective_size(lonely)["x"])


def test_weighted_effective_size_by_hand() -> None:
    """u's ties: a (3), b (5), c (2); b–c 2 with b's strongest tie 5, c's strongest 2.
    e_u = (1 − 0) + (1 − p_uc·m_bc) + (1 − p_ub·m_cb) = 1 + (1 − 0.2·0.4) + (1 − 0.5·1) = 2.42 (Burt 1992)."""
    G = nx.Graph()
    G.add_weighted_edges_from(
        [("u", "a", 3), ("u", "b", 5), ("u", "c", 2), ("b", "c", 2), ("b", "x", 5), ("c", "y", 2)]
    )
    assert burt_effective_size(G, "weight")["u"] == pytest.approx(2.42)


@pytest.mark.parametrize("weight", [None, "weight"])
def test_constraint_and_effective_size_agree_with_networkx(weight: str | None) -> None:
    for G in random_graphs(40):
        ours_c, theirs_c = burt_constraint(G, weight), nx.constraint(G, weight=weight)
        # nodes=… keeps networkx on its per-node path: with scipy installed, networkx 3.6's all-nodes
        # fast path gives other values for weighted graphs (see the hand-computed case below).
        ours_e, theirs_e = burt_effective_size(G, weight), nx.effective_size(G, nodes=list(G), weight=weight)
        for v in G:
            for ours, theirs in ((ours_c[v], theirs_c[v]), (ours_e[v], theirs_e[v])):
                assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(theirs, abs=1e-9)
