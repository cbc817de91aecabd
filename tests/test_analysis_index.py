"""The array form of the actor network (``secgraph.analysis.index``): the same network as the networkx
graph, made once per data and scope, and the one form every analysis reads."""

from __future__ import annotations

import numpy as np

from secgraph.analysis.activity import activity_index
from secgraph.analysis.index import NetworkArrays, network_arrays
from secgraph.analysis.network import Scope, actor_network, shared_inputs
from secgraph.analysis.network_index import network_index
from secgraph.model.graph import GraphData


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
    assert arrays.degrees_among(chosen) == {v: sub.degree(v) for v in sorted(sub)}
    rows, ties = arrays.among(chosen)
    assert ties.nnz == 2 * sub.number_of_edges()
    for k in range(len(rows)):
        for position in range(ties.indptr[k], ties.indptr[k + 1]):
            a, b = arrays.nodes[rows[k]], arrays.nodes[rows[ties.indices[position]]]
            assert arrays.tie_data[ties.data[position] - 1] is G.edges[a, b]


def test_one_array_form_per_data_and_scope_inside_a_block(seed: GraphData) -> None:
    with shared_inputs():
        arrays = network_arrays(seed)
        assert network_arrays(seed, Scope()) is arrays
        assert network_index(seed).arrays is arrays  # the regional analyses read the same one
        region = network_arrays(seed, Scope(region="mic-kinki"))
        assert region is not arrays and region.nodes == sorted(actor_network(seed, Scope(region="mic-kinki")))
        index = activity_index(seed)
        assert index.ties is network_arrays(index.data)  # the stage's and the health's, of their date
    assert network_arrays(seed) is not arrays  # outside a block nothing is kept
