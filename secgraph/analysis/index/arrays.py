"""The array form of a network: numbered nodes, each tie once, the arcs in CSR order, and its triangles.

Every measure and analysis that reads the actor network as arrays reads one :class:`NetworkArrays`,
made once per network (``secgraph.analysis.index.network_arrays``): the key-person measures, the
sector suggestions' link prediction, the stage's and the health's ties among a circle.

It is read from the graph through networkx's public API (``G.adjacency()``, ``G.edges``), in the
graph's own order, so that a sum over a node's neighbours adds the same terms in the same order as a
loop over ``G[node]`` (the same floating-point result, to the last bit).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, repeat
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

if TYPE_CHECKING:
    import igraph

#: Wedges (pairs of a node's later neighbours) examined at once when listing triangles: bounds memory.
_WEDGES_PER_CHUNK = 4_000_000
#: Triangles kept once listed (three arcs of 8 bytes each: 240 MB at most).
_TRIANGLES_KEPT = 10_000_000


class NetworkArrays:
    """A graph's distinct undirected ties between distinct nodes, as numpy arrays.

    Nodes are numbered in the graph's own order (``list(G)``; the actor network adds its actors in id
    order). Each tie {i, j} appears once in ``first``/``second`` (in ``G.edges()``'s order for a simple
    undirected graph) and twice among the directed arcs ``source → target``, which are sorted by
    (source, target) so that a node's arcs are ``arcs_of[i]:arcs_of[i + 1]``; ``reverse`` gives each
    arc's opposite and ``tie`` the tie it belongs to. For a simple undirected graph the adjacency is
    also kept in networkx's own neighbour order (``adjacency_heads`` grouped by ``adjacency_degree``),
    with each tie's attribute dict (``tie_data``).
    """

    def __init__(self, G: nx.Graph) -> None:
        self.nodes: list[Hashable] = list(G)
        self.index: dict[Hashable, int] = {v: i for i, v in enumerate(self.nodes)}
        n = self.n = len(self.nodes)
        index = self.index
        self.simple = not G.is_directed() and not G.is_multigraph()
        self._weights: dict[str, np.ndarray] = {}
        self._triangles: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        if self.simple:
            # The neighbour dicts as networkx holds them (read only): membership tests run in C.
            self.neighbours = dict(G.adjacency())
            rows = self.neighbours.values()
            degree = np.fromiter((len(nbrs) for nbrs in rows), np.int64, n)
            heads = np.fromiter((index[v] for nbrs in rows for v in nbrs), np.int64, int(degree.sum()))
            tails = np.repeat(np.arange(n, dtype=np.int64), degree)
            self.adjacency_degree, self.adjacency_heads = degree, heads
            later = heads > tails  # each tie once (G.edges()'s order), self-loops left out
            self._later = later
            self.first, self.second = tails[later], heads[later]
            self.m = len(self.first)
        else:
            pairs = sorted({(min(iu, iv), max(iu, iv)) for u, v in G.edges() if (iu := index[u]) != (iv := index[v])})
            ends = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            self.first, self.second = ends[:, 0].copy(), ends[:, 1].copy()
            self.m = len(pairs)
        self._number_arcs()

    @classmethod
    def from_ties(cls, nodes: Iterable[Hashable], ties: Sequence[tuple[Hashable, Hashable, dict]]) -> NetworkArrays:
        """The array form of the graph ``G.add_nodes_from(nodes); G.add_edges_from(ties)`` would make
        (``G`` a new ``nx.Graph``), without making it: the same arrays in the same orders as
        ``NetworkArrays(G)``, with the attribute dicts given (where networkx would copy them).

        ``ties`` are (u, v, attributes) between two different nodes, each pair once. networkx keeps a
        node's neighbours in the order its ties were added, and that order is what is kept here.
        """
        self = cls.__new__(cls)
        self.nodes = list(nodes)
        self.index = index = {v: i for i, v in enumerate(self.nodes)}
        n = self.n = len(self.nodes)
        self.simple = True
        self._weights, self._triangles = {}, None
        m = self.m = len(ties)
        ends = np.fromiter((index[end] for u, v, _ in ties for end in (u, v)), np.int64, 2 * m).reshape(-1, 2)
        tails = np.concatenate([ends[:, 0], ends[:, 1]])
        heads = np.concatenate([ends[:, 1], ends[:, 0]])
        added = np.concatenate([np.arange(m), np.arange(m)])
        # A node's neighbours in the order their ties were added: by node, then by when.
        order = np.lexsort((added, tails))
        tails, heads, added = tails[order], heads[order], added[order]
        self.adjacency_degree = np.bincount(tails, minlength=n).astype(np.int64)
        self.adjacency_heads = heads
        later = self._later = heads > tails
        self.first, self.second = tails[later], heads[later]
        self._attributes = [data for _, _, data in ties]
        self._arc_added = added
        self.tie_data = [self._attributes[k] for k in added[later].tolist()]
        self._number_arcs()
        return self

    def _number_arcs(self) -> None:
        """The directed arcs in (source, target) order, from ``first`` and ``second``."""
        n, m = self.n, self.m
        source = np.concatenate([self.first, self.second])
        target = np.concatenate([self.second, self.first])
        order = np.lexsort((target, source))
        self.source, self.target = source[order], target[order]
        self.tie = np.concatenate([np.arange(m), np.arange(m)])[order]
        position = np.empty(2 * m, dtype=np.int64)
        position[order] = np.arange(2 * m)
        self.reverse = position[(order + m) % (2 * m)] if m else np.zeros(0, dtype=np.int64)
        self.arcs_of = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.source, minlength=n), out=self.arcs_of[1:])
        self.degree = np.diff(self.arcs_of)

    # -- the ties and their attributes (simple undirected graphs) ----------------------------------

    def _require_simple(self) -> None:
        if not self.simple:
            raise nx.NetworkXNotImplemented("only for a simple undirected graph")

    @cached_property
    def neighbours(self) -> dict[Hashable, dict[Hashable, dict]]:
        """Node → its neighbour → the tie's attribute dict, in networkx's adjacency order (read only):
        the graph's own dicts, or for arrays made ``from_ties`` the same dicts built from the arrays."""
        self._require_simple()
        nodes, attributes = self.nodes, self._attributes
        heads, added = self.adjacency_heads.tolist(), self._arc_added.tolist()
        found: dict[Hashable, dict[Hashable, dict]] = {}
        start = 0
        for node, degree in zip(nodes, self.adjacency_degree.tolist(), strict=True):
            stop = start + degree
            found[node] = {nodes[h]: attributes[k] for h, k in zip(heads[start:stop], added[start:stop], strict=True)}
            start = stop
        return found

    @cached_property
    def tie_data(self) -> list[dict]:
        """Each tie's attribute dict (the graph's own, read only), in tie order."""
        self._require_simple()
        every = (data for nbrs in self.neighbours.values() for data in nbrs.values())
        return list(compress(every, self._later.tolist()))

    def weights(self, weight: str) -> np.ndarray:
        """Each tie's ``weight`` attribute (1.0 when missing), in tie order."""
        self._require_simple()
        if weight not in self._weights:
            self._weights[weight] = np.fromiter((d.get(weight, 1.0) for d in self.tie_data), np.float64, self.m)
        return self._weights[weight]

    # -- matrices ----------------------------------------------------------------------------------

    @cached_property
    def adjacency_matrix(self) -> sp.csr_array:
        """The 0/1 adjacency, each row's columns in networkx's neighbour order (so a row's products add
        the same terms in the same order as a loop over ``G[node]``)."""
        self._require_simple()
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(self.adjacency_degree, out=indptr[1:])
        return sp.csr_array(
            (np.ones(len(self.adjacency_heads)), self.adjacency_heads.copy(), indptr), shape=(self.n, self.n)
        )

    @cached_property
    def components(self) -> tuple[int, np.ndarray]:
        """The connected components, labelled in C (scipy): how many, and each node's component number."""
        ties = sp.coo_array((np.ones(self.m, dtype=np.int8), (self.first, self.second)), shape=(self.n, self.n))
        return connected_components(ties, directed=False)

    @cached_property
    def tie_matrix(self) -> sp.csr_matrix:
        """Entry (i, j) is 1 + the number of the tie between nodes i and j: the ties among a set of
        nodes (thousands of a circle's attendees at national scale) are read by slicing in C."""
        m = self.m
        numbers = np.arange(1, m + 1, dtype=np.int64)
        rows = np.concatenate([self.first, self.second])
        columns = np.concatenate([self.second, self.first])
        return sp.csr_matrix((np.concatenate([numbers, numbers]), (rows, columns)), shape=(self.n, self.n))

    def numbers(self, nodes: Iterable[Hashable]) -> np.ndarray:
        """The numbers of those of ``nodes`` that are in the graph, ascending, each once: how
        ``among`` and ``degrees_among`` are asked (a set read again and again, a community's circle,
        is numbered once and its numbers kept)."""
        found = np.fromiter(map(self.index.get, nodes, repeat(-1)), np.int64)
        return np.unique(found[found >= 0])

    def among(self, rows: np.ndarray) -> sp.csr_matrix:
        """The tie matrix of the subgraph the nodes numbered ``rows`` (``numbers``) induce, its rows and
        columns in the order of ``rows``."""
        return self.tie_matrix[rows][:, rows]

    def degrees_among(self, rows: np.ndarray) -> dict[Hashable, int]:
        """Each node numbered in ``rows`` (``numbers``), in that order → its number of ties to the
        others: the degrees of the subgraph the nodes induce, without building it."""
        # Every stored entry is a tie (numbers start at 1), so a row's entries are its degree.
        nodes = self.nodes
        return dict(zip([nodes[i] for i in rows.tolist()], np.diff(self.among(rows).indptr).tolist(), strict=True))

    # -- kernels -----------------------------------------------------------------------------------

    @cached_property
    def igraph(self) -> igraph.Graph:
        """The ties as a python-igraph graph over the node numbers, made once."""
        # Imported here: python-igraph loads its drawing modules on import (0.4 s in every command),
        # and only exact betweenness of a small network needs it.
        import igraph

        return igraph.Graph(n=self.n, edges=np.column_stack([self.first, self.second]).tolist())

    def triangles(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Every triangle once, in chunks, as the arcs (a → b, a → c, b → c) of its corners a, b, c.

        The chunks are kept (up to ``_TRIANGLES_KEPT`` triangles), so the measures that read them
        one after another (brokerage by two groupings, constraint, effective size) list them once.
        """
        if self._triangles is not None:
            yield from self._triangles
            return
        kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = []
        count = 0
        for chunk in self._list_triangles():
            if kept is not None:
                count += len(chunk[0])
                if count <= _TRIANGLES_KEPT:
                    kept.append(chunk)
                else:
                    kept = None
            yield chunk
        if kept is not None:
            self._triangles = kept

    def _list_triangles(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Every triangle once, in chunks (see ``triangles``).

        Ties are oriented from the lower to the higher (degree, number) node, so each node pairs
        only its later neighbours — at most √(2m) of them — and each wedge a → b, a → c is closed
        when the arc b → c exists (Chiba & Nishizeki 1985). Hubs come last and pair few neighbours:
        O(m √m) in the worst case, and near O(m) when the many low-degree nodes are tied to hubs.
        """
        n = self.n
        rank = np.empty(n, dtype=np.int64)
        rank[np.lexsort((np.arange(n), self.degree))] = np.arange(n)
        forward = np.flatnonzero(rank[self.source] < rank[self.target])
        # Forward arcs by (rank of source, rank of target): each node's later neighbours in rank order.
        forward = forward[np.lexsort((rank[self.target[forward]], rank[self.source[forward]]))]
        low, high = rank[self.source[forward]], rank[self.target[forward]]
        keys = low * n + high
        row_end = np.searchsorted(low, low, side="right")
        partners = row_end - 1 - np.arange(len(forward))
        ends = np.cumsum(partners)
        start = 0
        while start < len(forward):
            stop = max(
                int(np.searchsorted(ends, ends[start] - partners[start] + _WEDGES_PER_CHUNK, "right")), start + 1
            )
            counts = partners[start:stop]
            total = int(counts.sum())
            if total:
                firsts = np.repeat(np.arange(start, stop), counts)
                offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
                seconds = firsts + 1 + offsets
                wanted = high[firsts] * n + high[seconds]
                found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
                closed = keys[found] == wanted
                yield forward[firsts[closed]], forward[seconds[closed]], forward[found[closed]]
            start = stop


@dataclass(frozen=True)
class InducedDegrees:
    """The subgraph a set of nodes induces, as its degrees: all that density, centralisation and a hub need."""

    #: Node in the graph (in node order) → its ties to the set's other nodes.
    degree: dict[Hashable, int]

    @property
    def nodes(self) -> int:
        return len(self.degree)

    @cached_property
    def edges(self) -> int:
        return sum(self.degree.values()) // 2

    @cached_property
    def hub(self) -> Hashable:
        """The most tied node, the smallest among equals (found once: centralisation and dependence
        both name it)."""
        return min(self.degree, key=lambda a: (-self.degree[a], a))

    def density(self) -> float:
        """Ties present over pairs possible, 2m / (n (n − 1)), as ``networkx.density`` (0 without ties)."""
        n, m = self.nodes, self.edges
        if m == 0 or n <= 1:
            return 0
        return m / (n * (n - 1)) * 2
