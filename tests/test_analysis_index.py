"""The array form of the actor network (``secgraph.analysis.index``): the same network as the networkx
graph, made once per data and scope, and the one form every analysis reads."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from secgraph.analysis.activity import activity_index
from secgraph.analysis.index import NetworkArrays, network_arrays, network_arrays_on
from secgraph.analysis.network import (
    Scope,
    actor_network,
    data_date,
    made_actor_network,
    shared_inputs,
    snapshot_at,
)
from secgraph.analysis.network_index import network_index
from secgraph.model.graph import GraphData
from tests.builders import GraphBuilder


def test_the_array_form_is_the_actor_network(seed: GraphData) -> None:
    G = actor_network(seed)
    arrays = NetworkArrays(G)
    assert arrays.nodes == sorted(G) == list(G)
    # Each tie once, in the graph's own edge order, with the graph's attribute dicts and weights.
    assert [(arrays.nodes[i], arrays.nodes[j]) for i, j in zip(arrays.first, arrays.second, strict=True)] == list(
        G.edges()
    )
    assert [G.edges[u, v] for u, v in G.edges()] == arrays.tie_data
    assert arrays.weights("weight").tolist() == [w for _, _, w in G.edges(data="weight")]
    # Each row of the adjacency lists the neighbours in networkx's order (sums add in the same order).
    matrix = arrays.adjacency_matrix
    for i, v in enumerate(arrays.nodes):
        row = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
        assert [arrays.nodes[j] for j in row] == list(G[v])
    # The sorted arcs: each node's neighbours, and each arc's opposite.
    for i, v in enumerate(arrays.nodes):
        arcs = range(arrays.arcs_of[i], arrays.arcs_of[i + 1])
        assert sorted(arrays.nodes[arrays.target[a]] for a in arcs) == sorted(G[v])
    assert np.array_equal(arrays.source[arrays.reverse], arrays.target)
    assert arrays.igraph.vcount() == G.number_of_nodes() and arrays.igraph.ecount() == G.number_of_edges()


def test_ties_among_a_set_are_those_of_the_induced_subgraph(seed: GraphData) -> None:
    G = actor_network(seed)
    arrays = NetworkArrays(G)
    chosen = sorted(G)[::3] + ["nobody"]
    sub = G.subgraph(chosen)
    rows = arrays.numbers(chosen)
    assert arrays.degrees_among(rows) == {v: sub.degree(v) for v in sorted(sub)}
    ties = arrays.among(rows)
    assert ties.nnz == 2 * sub.number_of_edges()
    for k in range(len(rows)):
        for position in range(ties.indptr[k], ties.indptr[k + 1]):
            a, b = arrays.nodes[rows[k]], arrays.nodes[rows[ties.indices[position]]]
            assert arrays.tie_data[ties.data[position] - 1] is G.edges[a, b]


def test_a_set_is_numbered_in_node_order_each_once(seed: GraphData) -> None:
    G = actor_network(seed)
    arrays = NetworkArrays(G)
    chosen = sorted(G)[::4]
    given = [*reversed(chosen), "nobody", chosen[0]]  # any order, repeats and strangers
    rows = arrays.numbers(given)
    assert rows.tolist() == sorted({arrays.index[v] for v in chosen}) and rows.dtype == np.int64
    assert [arrays.nodes[i] for i in rows] == chosen  # the actor network numbers its actors in id order
    assert arrays.numbers(["nobody"]).tolist() == [] and arrays.numbers([]).tolist() == []
    assert arrays.degrees_among(arrays.numbers([])) == {} and arrays.among(arrays.numbers([])).shape == (0, 0)
    # A community's circle is numbered once, by the index its stage and health read.
    index = activity_index(seed)
    communities = sorted(n.id for n in index.data.nodes.values() if n.kind == "Community")
    assert communities
    for community in communities:
        act = index.activity(community)
        assert act.circle_numbers is act.circle_numbers
        assert act.circle_numbers.tolist() == index.ties.numbers(act.circle).tolist()
        assert [index.ties.nodes[i] for i in act.circle_numbers] == sorted(act.circle & set(index.ties.index))


def test_one_array_form_per_data_and_scope_inside_a_block(seed: GraphData) -> None:
    with shared_inputs():
        arrays = network_arrays(seed)
        assert network_arrays(seed, Scope()) is arrays
        assert network_index(seed).arrays is arrays  # the regional analyses read the same one
        region = network_arrays(seed, Scope(region="mic-kinki"))
        assert region is not arrays and region.nodes == sorted(actor_network(seed, Scope(region="mic-kinki")))
        index = activity_index(seed)
        assert index.ties is network_arrays(index.data)  # the stage's and the health's, of their date
        # no date and the data's own date are one day, so one activity index (the charts' too)
        assert activity_index(seed, data_date(seed)) is index
        assert activity_index(seed, data_date(seed) - dt.timedelta(days=1)) is not index
    assert network_arrays(seed) is not arrays  # outside a block nothing is kept


def _changing() -> GraphData:
    """Ties that end, start later or change who an event's attendees are tied to: h organised e1
    until the end of 2020, after which its attendees are tied to the supporter instead; b left c;
    p moved from a (Tokyo) to b (Osaka); e2 and community f come later; series s has two editions."""
    return (
        GraphBuilder()
        .community("c", prefectures=["13"])
        .community("f", prefectures=["27"], founded="2025-04")
        .org("h", "prefecture", "13")
        .org("a", "sme", "13")
        .org("b", "university", "27")
        .org("d", "police", "13")
        .person("p")
        .person("q", works_at="b")
        .person("r")
        .tie("WORKS_AT", "p", "a", start="2015-04", end="2021-03-31")
        .tie("WORKS_AT", "p", "b", start="2021-04")
        .tie("MEMBER_OF", "a", "c", start="2018")
        .tie("MEMBER_OF", "b", "c", start="2018-06", end="2020-12-31")
        .tie("MEMBER_OF", "d", "f", start="2025-04")
        .tie("PARTNERS_WITH", "c", "f", start="2025-04")
        .event("e1", "2020-06-01", prefecture="13")
        .tie("ORGANISED", "h", "e1", start="2020-01-01", end="2020-12-31")
        .tie("SUPPORTED", "d", "e1")
        .tie("ATTENDED", "p", "e1")
        .tie("ATTENDED", "r", "e1")
        .series("s", cadence="年1回", since="2019", as_of="2021-02")
        .event("s1", "2019-10-01", series="s", edition=1)
        .event("s2", "2023-10-01", series="s", edition=2)
        .tie("ORGANISED", "c", "s")
        .tie("ATTENDED", "q", "s1")
        .tie("ATTENDED", "r", "s2")
        .event("e2", "2026-02-01")
        .tie("CO_HOSTED", "a", "e2")
        .tie("ATTENDED", "q", "e2")
        .build()
    )


def _assert_same_arrays(found: NetworkArrays, expected: NetworkArrays) -> None:
    assert found.nodes == expected.nodes and found.index == expected.index and found.m == expected.m
    for name in ("first", "second", "source", "target", "tie", "reverse", "arcs_of", "degree"):
        assert np.array_equal(getattr(found, name), getattr(expected, name)), name
        assert getattr(found, name).dtype == getattr(expected, name).dtype, name
    assert np.array_equal(found.adjacency_degree, expected.adjacency_degree)
    assert np.array_equal(found.adjacency_heads, expected.adjacency_heads)
    assert found.tie_data == expected.tie_data
    assert found.neighbours == expected.neighbours
    assert [list(nbrs) for nbrs in found.neighbours.values()] == [list(nbrs) for nbrs in expected.neighbours.values()]
    assert np.array_equal(found.weights("weight"), expected.weights("weight"))
    assert (found.tie_matrix != expected.tie_matrix).nnz == 0


@pytest.mark.parametrize("given_first", [False, True])
@pytest.mark.parametrize("day", [dt.date(2019, 12, 31), dt.date(2020, 7, 1), dt.date(2021, 6, 1), dt.date(2027, 1, 1)])
def test_the_array_form_on_a_date_is_that_of_the_snapshots_graph(day: dt.date, given_first: bool) -> None:
    data = _changing()
    expected = NetworkArrays(actor_network(snapshot_at(data, day)))
    with shared_inputs():
        given = actor_network(data) if given_first else None
        found = network_arrays_on(data, day)
        _assert_same_arrays(found, expected)
        assert network_arrays(snapshot_at(data, day)) is found  # one array form of the snapshot in a block
        if given is not None:
            # A tie with the same weight and evidence on the day holds the given network's own dict.
            for a, b, attributes in zip(
                (found.nodes[i] for i in found.first),
                (found.nodes[j] for j in found.second),
                found.tie_data,
                strict=True,
            ):
                kept = given.edges[a, b] if given.has_edge(a, b) else None
                assert (attributes is kept) == (attributes == kept)


def test_the_array_form_of_the_datas_own_date_holds_its_graphs_dicts(seed: GraphData) -> None:
    """The network of the data's own date is read as a graph by most analyses: its array form, even
    when asked for first (as the stage asks), is made from that graph and holds the graph's own
    neighbour and tie dicts rather than a copy of each; another date's is not."""
    day = data_date(seed)
    with shared_inputs():
        found = network_arrays_on(seed, day)
        G = actor_network(seed)
        assert found is network_arrays(seed)
        adjacency = dict(G.adjacency())
        assert all(found.neighbours[v] is adjacency[v] for v in G)
        assert all(found.tie_data[k] is G.edges[u, v] for k, (u, v) in enumerate(G.edges()))
    with shared_inputs():
        earlier = network_arrays_on(seed, dt.date(2021, 9, 30))
        actor_network(seed)
        assert made_actor_network(snapshot_at(seed, dt.date(2021, 9, 30))) is None  # no graph made for that day
        _assert_same_arrays(earlier, NetworkArrays(actor_network(snapshot_at(seed, dt.date(2021, 9, 30)))))


def test_the_snapshot_network_differs_in_more_than_ended_ties() -> None:
    """Why the network on a date is made from the snapshot's ties, not by leaving ties of another
    date's network out: an ended host part ties the attendees to the supporter instead, a tie the
    network of a day before it ended does not have; and a snapshot that leaves nothing out shares
    the data's records."""
    data = _changing()
    on_2021 = actor_network(snapshot_at(data, dt.date(2021, 6, 1)))
    assert on_2021.has_edge("d", "p") and not actor_network(snapshot_at(data, dt.date(2020, 7, 1))).has_edge("d", "p")
    assert snapshot_at(data, dt.date(2027, 1, 1)).relationships is not data.relationships  # three ties have ended
    lasting = GraphBuilder().community("c").org("a").person("p", works_at="a").tie("MEMBER_OF", "a", "c").build()
    later = snapshot_at(lasting, dt.date(2027, 1, 1))
    assert (later.nodes, later.relationships, later.cut_on) == (
        lasting.nodes,
        lasting.relationships,
        dt.date(2027, 1, 1),
    )
    assert later.relationships is lasting.relationships and snapshot_at(later, dt.date(2027, 1, 1)) is later
    with shared_inputs():
        assert network_arrays_on(lasting, dt.date(2027, 1, 1)) is network_arrays(
            snapshot_at(lasting, dt.date(2027, 1, 1))
        )


def test_the_array_form_on_each_date_of_the_seed(seed: GraphData) -> None:
    for day in (dt.date(2016, 3, 31), dt.date(2019, 3, 31), dt.date(2021, 9, 30), dt.date(2024, 3, 31)):
        expected = NetworkArrays(actor_network(snapshot_at(seed, day)))
        with shared_inputs():
            actor_network(seed)
            _assert_same_arrays(network_arrays_on(seed, day), expected)
        _assert_same_arrays(network_arrays_on(seed, day), expected)
