"""Network measures the analyses need, in networkx style: one function per measure.

networkx has betweenness but lacks Gould–Fernandez brokerage roles, Borgatti's fragmentation (and
the fragmentation of the graph after each node's removal, in linear time), and Freeman's
centralization. Burt's constraint and effective size are in networkx, but its pure-Python versions
cost O(Σ deg³) without scipy (seconds on a few hundred actors with a hub); the versions here give
the same values (the tests compare them with networkx) in O(Σ deg²).

References
----------
- Borgatti, S. P. (2006). Identifying sets of key players in a social network. *Computational and
  Mathematical Organization Theory* 12(1), 21–34.
- Borassi, M. & Natale, E. (2019). KADABRA is an ADaptive Algorithm for Betweenness via Random
  Approximation. *ACM Journal of Experimental Algorithmics* 24, 1.2:1–1.2:35.
- Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal of Mathematical
  Sociology* 25(2), 163–177.
- Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.* Harvard University Press.
- Freeman, L. C. (1979). Centrality in social networks: conceptual clarification. *Social Networks*
  1(3), 215–239.
- Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach to brokerage in
  transaction networks. *Sociological Methodology* 19, 89–126.
- Hopcroft, J. & Tarjan, R. (1973). Algorithm 447: efficient algorithms for graph manipulation.
  *Communications of the ACM* 16(6), 372–378.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from secgraph.analysis.index.arrays import NetworkArrays

#: The five brokerage roles of Gould & Fernandez (1989), in their order.
BROKERAGE_ROLES: tuple[str, ...] = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")

#: Exact betweenness up to this many nodes; above it, estimated (``sampled_betweenness``).
BETWEENNESS_EXACT_UP_TO = 2000
#: The estimate's largest error on a node's normalised betweenness: keeps the top 50 of the key-person
#: ranking within the 0.9 overlap with exact betweenness it needs (0.98 on a 9,557-actor area of the
#: synthetic country, 0.96 on a 32,113-actor one; bench/results/at_scale.md).
BETWEENNESS_ERROR = 0.01
#: The chance that some node's estimate is further than ``BETWEENNESS_ERROR`` from its betweenness.
BETWEENNESS_RISK = 0.1


def _arrays(G: nx.Graph, arrays: NetworkArrays | None) -> NetworkArrays:
    """The array form of G: the one given (made once per network by ``index.network_arrays``), or
    read from G now."""
    return arrays if arrays is not None else NetworkArrays(G)


def _group_lookup(G: nx.Graph, group_of: Mapping[Hashable, Hashable | None] | str) -> Callable[[Hashable], Hashable]:
    if isinstance(group_of, str):
        return lambda node: G.nodes[node].get(group_of)
    return lambda node: group_of.get(node)


def gould_fernandez_brokerage(
    G: nx.Graph,
    group_of: Mapping[Hashable, Hashable | None] | str,
    *,
    as_undirected: bool = False,
    arrays: NetworkArrays | None = None,
) -> dict[Hashable, dict[str, int]]:
    r"""Counts of the five Gould–Fernandez brokerage roles of every node.

    A node *v* brokers an open two-path *a → v → b* when *a* and *b* are distinct, both differ from
    *v*, and there is no tie *a → b* (Gould & Fernandez 1989). With *g* the group of a node, the
    two-path is counted in exactly one role:

    ===============  =======================  =========================================
    role             groups                   meaning
    ===============  =======================  =========================================
    coordinator      g(a) = g(v) = g(b)       mediates inside its own group
    itinerant        g(a) = g(b) ≠ g(v)       an outsider mediating inside another group
                                              (also called *consultant*)
    representative   g(a) = g(v) ≠ g(b)       passes from its own group to another
    gatekeeper       g(a) ≠ g(v) = g(b)       lets another group into its own
    liaison          g(a), g(v), g(b) differ  mediates between two groups, belongs to neither
    ===============  =======================  =========================================

    Each open two-path is counted once per *ordered* pair (a, b), as in the original. In an
    undirected graph every tie is reciprocal, so a non-adjacent pair {a, b} of neighbours of *v*
    gives the two two-paths *a → v → b* and *b → v → a*: coordinator, itinerant and liaison counts
    are twice the number of such unordered pairs, and representative equals gatekeeper (one
    direction is each).

    Parameters
    ----------
    G : graph
        Directed or undirected; self-loops are ignored.
    group_of : mapping or str
        The group of each node, or the name of the node attribute holding it. A two-path with an
        endpoint or broker whose group is None (or missing) is not counted: its role is unknown.
    as_undirected : bool
        Treat a directed graph as undirected (every tie reciprocal).
    arrays : NetworkArrays, optional
        G in array form (``index.network_arrays`` makes it once per network); read from G when None.

    Returns
    -------
    dict
        node → {role: count} for every role in ``BROKERAGE_ROLES``.

    Notes
    -----
    Undirected (or read as undirected): for a broker with *n_g* neighbours in group *g* the ordered
    pairs of distinct neighbours by groups are n_g n_h (g ≠ h) and n_g (n_g − 1); the closed ones
    are the triangles through it, each closing two ordered pairs. So every count is a sum over the
    neighbour tallies (O(m)) less a sum over the triangles (``NetworkArrays.triangles``), in numpy.
    Directed: per broker from the group tallies of its in- and out-neighbours, less the closed
    pairs (a → b tied) and a = b: O(Σ_v Σ_{a∈N(v)} deg(a)) time.
    """
    if as_undirected and G.is_directed():
        G, arrays = G.to_undirected(as_view=True), None
    if not G.is_directed():
        return _undirected_brokerage(_arrays(G, arrays), _group_lookup(G, group_of))
    return _directed_brokerage(G, _group_lookup(G, group_of))


def _undirected_brokerage(sk: NetworkArrays, group: Callable[[Hashable], Hashable]) -> dict[Hashable, dict[str, int]]:
    codes: dict[Hashable, int] = {}
    # -1: unknown group; otherwise the group's number in order of first appearance.
    of = np.array([-1 if (g := group(v)) is None else codes.setdefault(g, len(codes)) for v in sk.nodes], np.int64)
    n, groups = sk.n, max(len(codes), 1)
    known = (of[sk.source] >= 0) & (of[sk.target] >= 0)
    broker, tallied = sk.source[known], of[sk.target[known]]
    # Each broker's neighbours by group: n_g, their total S, Σ_g n_g² and n_own (its own group's).
    kinds, per_kind = np.unique(broker * groups + tallied, return_counts=True)
    owner = kinds // groups
    total = np.bincount(owner, weights=per_kind, minlength=n).astype(np.int64)
    squares = np.bincount(owner, weights=per_kind.astype(np.float64) ** 2, minlength=n).astype(np.int64)
    own_kind = kinds % groups == of[owner]
    own = np.bincount(owner[own_kind], weights=per_kind[own_kind], minlength=n).astype(np.int64)
    others = total - own
    counts = np.stack(
        [
            own * own - own,  # coordinator: both in v's group
            (squares - own * own) - others,  # itinerant: both in one other group
            own * others,  # representative: from v's group out
            own * others,  # gatekeeper: into v's group
            others * others - (squares - own * own),  # liaison: two different other groups
        ],
        axis=1,
    )
    # Less the closed pairs: a triangle {v, a, b} closes (a, b) and (b, a) at v.
    closed = np.zeros(n * len(BROKERAGE_ROLES), dtype=np.int64)
    for ab, ac, _ in sk.triangles():
        a, b, c = sk.source[ab], sk.target[ab], sk.target[ac]
        for v, x, y in ((a, b, c), (b, a, c), (c, a, b)):
            gv, gx, gy = of[v], of[x], of[y]
            whole = (gv >= 0) & (gx >= 0) & (gy >= 0)
            same = gx == gy
            role = np.where(same, np.where(gx == gv, 0, 1), np.where((gx == gv) | (gy == gv), 2, 4))
            key = v[whole] * len(BROKERAGE_ROLES) + role[whole]
            closed += 2 * np.bincount(key, minlength=len(closed))
    closed = closed.reshape(n, len(BROKERAGE_ROLES))
    # A mixed pair (one in v's group) is one representative and one gatekeeper path, not two of either.
    closed[:, 3] = closed[:, 2] = closed[:, 2] // 2
    counts = np.where((of >= 0)[:, None], counts - closed, 0).tolist()
    return {v: dict(zip(BROKERAGE_ROLES, row, strict=True)) for v, row in zip(sk.nodes, counts, strict=True)}


def _directed_brokerage(G: nx.DiGraph, group: Callable[[Hashable], Hashable]) -> dict[Hashable, dict[str, int]]:
    result: dict[Hashable, dict[str, int]] = {}
    for v in G:
        counts = dict.fromkeys(BROKERAGE_ROLES, 0)
        result[v] = counts
        gv = group(v)
        if gv is None:
            continue
        sources = [a for a in G.pred[v] if a != v and group(a) is not None]
        targets = [b for b in G.succ[v] if b != v and group(b) is not None]
        if not sources or not targets:
            continue
        # All ordered (a, b) with a a source and b a target, tallied by (group(a), group(b)).
        pairs: Counter[tuple[Hashable, Hashable]] = Counter()
        source_groups = Counter(group(a) for a in sources)
        target_groups = Counter(group(b) for b in targets)
        for ga, na in source_groups.items():
            for gb, nb in target_groups.items():
                pairs[ga, gb] += na * nb
        # Less the pairs that are not open two-paths: a = b, and a → b tied.
        target_set = set(targets)
        for a in sources:
            ga = group(a)
            if a in target_set:
                pairs[ga, ga] -= 1
            for b in G.succ[a]:
                if b in target_set and b != a:
                    pairs[ga, group(b)] -= 1
        for (ga, gb), n in pairs.items():
            counts[_role(ga, gv, gb)] += n
    return result


def _role(ga: Hashable, gv: Hashable, gb: Hashable) -> str:
    if ga == gb:
        return "coordinator" if ga == gv else "itinerant"
    if ga == gv:
        return "representative"
    if gb == gv:
        return "gatekeeper"
    return "liaison"


def _fragmentation_from_sizes(sum_pairs: int, n: int) -> float:
    return 0.0 if n < 2 else 1.0 - sum_pairs / (n * (n - 1))


@not_implemented_for("directed")
def fragmentation(G: nx.Graph) -> float:
    r"""Borgatti's fragmentation: the share of pairs of nodes that cannot reach each other.

    .. math::

       F = 1 - \frac{\sum_k s_k (s_k - 1)}{n (n - 1)}

    where *s_k* is the size of the *k*-th connected component and *n* the number of nodes
    (Borgatti 2006, the KeyPlayer measure of KPP-Neg). A connected graph has F = 0; a graph with no
    edges F = 1. A graph of fewer than two nodes has no pairs: F = 0.
    """
    n = G.number_of_nodes()
    return _fragmentation_from_sizes(sum(len(c) * (len(c) - 1) for c in nx.connected_components(G)), n)


def fragmentation_from_pieces(G: nx.Graph, pieces: Mapping[Hashable, list[int]]) -> float:
    """``fragmentation(G)`` from ``pieces_after_removal(G)``, without searching the graph again.

    A node's component is itself and its pieces, so Σ_c s_c (s_c − 1) = Σ_v (s_v − 1) = Σ_v Σ pieces(v):
    the same whole number, hence the same value.
    """
    return _fragmentation_from_sizes(sum(sum(parts) for parts in pieces.values()), G.number_of_nodes())


@dataclass(frozen=True)
class RemovalPieces:
    """What each node's removal leaves of its connected component, from one depth-first search.

    ``sizes[v]``: the sizes of the pieces v's component falls into without v, largest first. The
    pieces a node cuts off are subtrees of the search — runs of consecutive nodes in the order the
    search found them — so ``cut_off`` lists them without searching again.
    """

    sizes: dict[Hashable, list[int]]
    #: node → (its component's nodes in discovery order, its position there, its cut-off subtrees as (start, size)).
    _found: dict[Hashable, tuple[list[Hashable], int, list[tuple[int, int]]]]

    def component(self, v: Hashable) -> list[Hashable]:
        """v's connected component, in the order the search found it (one list per component)."""
        return self._found[v][0]

    def cut_off(self, v: Hashable) -> list[Hashable]:
        """The nodes of v's component outside the largest piece left without v (ties: lowest node):
        the cut-off subtrees in the order found, then the rest of the component."""
        order, at, subtrees = self._found[v]
        sizes = [size for _, size in subtrees]
        rest_size = len(order) - 1 - sum(sizes)
        if rest_size > 0:
            sizes.append(rest_size)
        if not sizes:
            return []
        pieces: dict[int, list[Hashable]] = {}

        def piece(i: int) -> list[Hashable]:
            # The rest of the component is listed only when asked: mostly it is the largest piece, and
            # listing it costs the whole component for every cut vertex.
            if i not in pieces:
                if i < len(subtrees):
                    start, size = subtrees[i]
                    pieces[i] = order[start : start + size]
                else:
                    inside = bytearray(len(order))
                    inside[at] = 1
                    for start, size in subtrees:
                        inside[start : start + size] = b"\x01" * size
                    pieces[i] = [node for node, taken in zip(order, inside, strict=True) if not taken]
            return pieces[i]

        longest = max(sizes)
        tied = [i for i, size in enumerate(sizes) if size == longest]
        largest = tied[0] if len(tied) == 1 else min(tied, key=lambda i: min(piece(i)))
        return [node for i in range(len(sizes)) if i != largest for node in piece(i)]


@not_implemented_for("directed")
def removal_pieces(
    G: nx.Graph, *, arrays: NetworkArrays | None = None, ties: np.ndarray | None = None
) -> RemovalPieces:
    """For every node, the pieces its connected component falls into without it (``RemovalPieces``).

    A node that is not an articulation point leaves one piece (its component less itself; an
    isolated node leaves none). An articulation point leaves one piece per DFS child whose
    subtree has no back edge above the node (lowpoint ≥ the node's discovery time), plus the rest
    of the component (Hopcroft & Tarjan 1973). One iterative depth-first search: O(n + m).
    ``arrays``: G in array form, when already made. ``ties``: for a simple graph, which of its ties
    to keep (one bool per tie, in the array form's tie order): the pieces of G without the other ties,
    without building that graph.
    """
    if not G.is_multigraph():
        return _removal_pieces_simple(_arrays(G, arrays), ties)
    if ties is not None:
        raise nx.NetworkXNotImplemented("ties to keep only for a simple graph")
    discovery: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    size: dict[Hashable, int] = {}
    pieces: dict[Hashable, list[int]] = {}
    found: dict[Hashable, tuple[list[Hashable], int, list[tuple[int, int]]]] = {}
    for root in G:
        if root in discovery:
            continue
        # Components are found root by root; each node's cut-off subtrees are collected on the way.
        discovery[root] = low[root] = 0
        size[root] = 1
        order = [root]
        separated: dict[Hashable, list[tuple[int, int]]] = {root: []}
        stack: list[tuple[Hashable, Hashable | None, Iterator[Hashable]]] = [(root, None, iter(G[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            advanced = False
            for nbr in neighbours:
                # Skipping the parent (not just the tree edge) is right for vertex cuts, multigraphs too.
                if nbr in (node, parent):
                    continue
                if nbr in discovery:
                    low[node] = min(low[node], discovery[nbr])
                    continue
                discovery[nbr] = low[nbr] = len(order)
                size[nbr] = 1
                order.append(nbr)
                separated[nbr] = []
                stack.append((nbr, node, iter(G[nbr])))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if parent is not None:
                size[parent] += size[node]
                low[parent] = min(low[parent], low[node])
                if low[node] >= discovery[parent]:
                    # The subtree is the run of nodes found from node on: order[discovery : discovery + size].
                    separated[parent].append((discovery[node], size[node]))
        component = len(order)
        for node in order:
            cut = [s for _, s in separated[node]]
            rest = component - 1 - sum(cut)
            pieces[node] = sorted([*cut, rest] if rest > 0 else cut, reverse=True)
            found[node] = (order, discovery[node], separated[node])
    return RemovalPieces(pieces, found)


def _adjacency_kept(sk: NetworkArrays, tails: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """For each arc ``tails → adjacency_heads`` of the adjacency in networkx's order, whether its tie
    is kept (a self-loop is no tie)."""
    heads, n = sk.adjacency_heads, sk.n
    kept = heads != tails
    if sk.m:
        # Each arc's tie, from where the arc stands among the arcs sorted by (source, target).
        at = np.searchsorted(sk.source * n + sk.target, tails[kept] * n + heads[kept])
        kept[kept] = ties[sk.tie[at]]
    return kept


def _removal_pieces_simple(sk: NetworkArrays, ties: np.ndarray | None = None) -> RemovalPieces:
    """``removal_pieces`` of a simple graph: the same search, in the same order (each node's
    neighbours as networkx gives them), over the numbered adjacency in plain lists; only the arcs of
    the kept ``ties`` when given."""
    nodes = sk.nodes
    heads_array, degree = sk.adjacency_heads, sk.adjacency_degree
    if ties is not None:
        tails = np.repeat(np.arange(sk.n, dtype=np.int64), degree)
        kept = _adjacency_kept(sk, tails, ties)
        heads_array = heads_array[kept]
        degree = np.bincount(tails[kept], minlength=sk.n)
    heads = heads_array.tolist()
    ends = np.cumsum(degree).tolist()
    n = len(nodes)
    next_arc = [0, *ends[:-1]] if n else []
    discovery = [-1] * n
    low = [0] * n
    size = [0] * n
    parent = [-1] * n
    pieces: dict[Hashable, list[int]] = {}
    found: dict[Hashable, tuple[list[Hashable], int, list[tuple[int, int]]]] = {}
    for root in range(n):
        if discovery[root] >= 0:
            continue
        discovery[root] = low[root] = 0
        size[root] = 1
        order = [root]
        separated: dict[int, list[tuple[int, int]]] = {}
        stack = [root]
        while stack:
            node = stack[-1]
            arc, end, up = next_arc[node], ends[node], parent[node]
            advanced = False
            while arc < end:
                nbr = heads[arc]
                arc += 1
                if nbr in (node, up):
                    continue
                seen = discovery[nbr]
                if seen >= 0:
                    if seen < low[node]:
                        low[node] = seen
                    continue
                discovery[nbr] = low[nbr] = len(order)
                size[nbr] = 1
                parent[nbr] = node
                order.append(nbr)
                stack.append(nbr)
                advanced = True
                break
            next_arc[node] = arc
            if advanced:
                continue
            stack.pop()
            if up >= 0:
                size[up] += size[node]
                if low[node] < low[up]:
                    low[up] = low[node]
                if low[node] >= discovery[up]:
                    separated.setdefault(up, []).append((discovery[node], size[node]))
        component = len(order)
        named = [nodes[i] for i in order]
        for i, v in zip(order, named, strict=True):
            subtrees = separated.get(i, [])
            cut = [s for _, s in subtrees]
            rest = component - 1 - sum(cut)
            pieces[v] = sorted([*cut, rest] if rest > 0 else cut, reverse=True)
            found[v] = (named, discovery[i], subtrees)
    return RemovalPieces(pieces, found)


@not_implemented_for("directed")
def sole_links(
    G: nx.Graph,
    groups: Mapping[Hashable, Iterable[Hashable]],
    *,
    own: Mapping[Hashable, Hashable] | None = None,
    removal: RemovalPieces | None = None,
) -> dict[Hashable, list[list[Hashable]]]:
    """The nodes that alone join two groups of nodes, and the groups each joins.

    Each group is taken within G and without the node asked about, and counts only while it holds a
    node other than its own (``own``: group → its own node, such as a community's record in its
    circle; a group of which nothing else is left is nobody to join). Node v alone joins groups
    A ≠ B when, in G − v, A lies wholly within one piece P of v's component and B lies in v's
    component and has no node in P: every path between A and B runs through v.

    Returns node → the groups it alone joins (each as A or as B of some pair), in sides: groups that
    share a piece of G − v reach each other without v and form one side; each side sorted, the sides
    in order of their first group. Nodes that join no two groups are left out.

    From the depth-first search of ``removal_pieces`` (or its result as ``removal``): the pieces v
    separates from its parent's side are runs of the discovery order — node u is in the piece of v's
    child c iff disc(c) ≤ disc(u) < disc(c) + size(c) — and the rest of the component is the other
    nodes but v. So only the nodes with a separated piece are asked about, and each group's nodes
    per piece are counted from the groups' discovery positions, sorted once: O(n + m + M log M + Σ over
    the separated pieces of the group memberships inside them), M the memberships in all.
    """
    removal = removal_pieces(G) if removal is None else removal
    # Every node at one position: the components one after another, each in its discovery order.
    block: dict[int, int] = {}  # id of a component's order → its first position
    at: dict[Hashable, int] = {}  # node → its position
    placed = 0
    for v, (order, disc, _) in removal._found.items():
        start = block.get(id(order))
        if start is None:
            start = block[id(order)] = placed
            placed += len(order)
        at[v] = start + disc
    # Only a node with a piece separated from its parent's side can join anyone: (node, first position
    # of its component, the pieces).
    separating = [(v, at[v] - disc, subtrees) for v, (_, disc, subtrees) in removal._found.items() if subtrees]
    names = sorted(groups, key=str)
    member_sets = [set(groups[name]) for name in names]
    found: list[int] = []
    owner: list[int] = []
    for g, them in enumerate(member_sets):
        inside = [p for p in map(at.get, them) if p is not None]
        found += inside
        owner += [g] * len(inside)
    if len(names) < 2 or not found or not separating:
        return {}
    by_position = np.argsort(np.array(found, dtype=np.int64), kind="stable")
    position, group = np.array(found, dtype=np.int64)[by_position], np.array(owner, dtype=np.int64)[by_position]
    count = np.bincount(group, minlength=len(names))
    # Each group's own node's position, where it is in G and in the group (else -1).
    own_node = [(own or {}).get(name) for name in names]
    own_at = np.array(
        [at[node] if node in at and node in them else -1 for node, them in zip(own_node, member_sets, strict=True)],
        dtype=np.int64,
    )
    lowest = np.full(len(names), placed)
    highest = np.full(len(names), -1)
    np.minimum.at(lowest, group, position)
    np.maximum.at(highest, group, position)
    # A group can be A or B only in the component that holds all of it: component → those groups.
    starts = np.array(sorted(block.values()), dtype=np.int64)
    held_by = np.flatnonzero(count)
    component = starts[np.searchsorted(starts, lowest[held_by], side="right") - 1]
    whole = component == starts[np.searchsorted(starts, highest[held_by], side="right") - 1]
    whole_groups, their_component = held_by[whole], component[whole]
    within = {start: whole_groups[their_component == start] for start in np.unique(their_component).tolist()}

    result: dict[Hashable, list[list[Hashable]]] = {}
    local = np.full(len(names), -1, dtype=np.int64)
    for v, first, subtrees in separating:
        candidates = within.get(first)
        if candidates is None or len(candidates) < 2:
            continue
        here = at[v]
        local[candidates] = np.arange(len(candidates))
        held_by_v = np.searchsorted(position, [here, here + 1])
        size = count[candidates].copy()
        mine = local[group[held_by_v[0] : held_by_v[1]]]
        size[mine[mine >= 0]] -= 1  # the groups without v
        own_left = ((own_at[candidates] >= 0) & (own_at[candidates] != here)).astype(np.int64)
        pieces = np.array(subtrees, dtype=np.int64)  # each piece's start in its component, and size
        low = np.searchsorted(position, first + pieces[:, 0])
        high = np.searchsorted(position, first + pieces[:, 0] + pieces[:, 1])
        # The memberships in each piece, one run of ``position`` per piece.
        length = high - low
        piece = np.repeat(np.arange(len(subtrees)), length)
        taken = local[group[np.repeat(low - np.cumsum(length) + length, length) + np.arange(int(length.sum()))]]
        inside = taken >= 0
        counts = np.bincount(
            piece[inside] * len(candidates) + taken[inside], minlength=len(subtrees) * len(candidates)
        ).reshape(len(subtrees), len(candidates))
        local[candidates] = -1
        present = size > own_left
        touches = counts > 0
        in_pieces = counts.sum(axis=0)
        rest = size - in_pieces
        alone_in = touches & (counts == size) & present  # piece × group: the group lies wholly in the piece
        joined = np.zeros(len(candidates), dtype=bool)
        in_rest_only, out_of_rest = present & (in_pieces == 0), present & (rest == 0)
        if in_rest_only.any() and out_of_rest.any():
            joined |= in_rest_only | out_of_rest
        apart = present & ~touches  # piece × group: a group with no node in the piece
        paired = alone_in.any(axis=1) & apart.any(axis=1)
        if paired.any():
            joined |= alone_in[paired].any(axis=0) | apart[paired].any(axis=0)
        if not joined.any():
            continue
        result[v] = _sides(
            [names[g] for g in candidates[joined].tolist()],
            [[*np.flatnonzero(touches[:, j]).tolist(), *([-1] if rest[j] > 0 else [])] for j in np.flatnonzero(joined)],
        )
    return result


def _sides(joined: list[Hashable], pieces: list[list[int]]) -> list[list[Hashable]]:
    """The groups in sides: groups that share a piece are on one side (each given with its pieces)."""
    side_of: dict[int, int] = {}
    parent = list(range(len(joined)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, touched in enumerate(pieces):
        for p in touched:
            if p in side_of:
                parent[root(i)] = root(side_of[p])
            else:
                side_of[p] = i
    sides: dict[int, list[Hashable]] = {}
    for i, name in enumerate(joined):
        sides.setdefault(root(i), []).append(name)
    return sorted((sorted(side, key=str) for side in sides.values()), key=lambda side: str(side[0]))


@not_implemented_for("directed")
def pieces_after_removal(G: nx.Graph) -> dict[Hashable, list[int]]:
    """For every node, the sizes of the pieces its connected component falls into without it.

    Largest first; see ``removal_pieces``. O(n + m).

    Returns
    -------
    dict
        node → piece sizes, largest first.
    """
    return removal_pieces(G).sizes


@not_implemented_for("directed")
def fragmentation_after_removal(
    G: nx.Graph, pieces: Mapping[Hashable, list[int]] | None = None
) -> dict[Hashable, float]:
    """For every node *v*, the fragmentation (Borgatti 2006) of G − v.

    Computed from one depth-first search (``pieces_after_removal``, or its result as ``pieces``):
    only *v*'s component changes, into the pieces that search finds, so F(G − v) follows from the
    component sizes of G without removing any node. O(n + m) in all, against O(n (n + m)) for
    removing each node in turn.
    """
    if pieces is None:
        pieces = pieces_after_removal(G)
    n = G.number_of_nodes()
    # A node's component is itself and its pieces; Σ_c s_c (s_c − 1) is Σ_v (s_v − 1) over nodes.
    components = {node: 1 + sum(parts) for node, parts in pieces.items()}
    total = sum(s - 1 for s in components.values())
    result: dict[Hashable, float] = {}
    for node, parts in pieces.items():
        s = components[node]
        remaining = total - s * (s - 1) + sum(p * (p - 1) for p in parts)
        result[node] = _fragmentation_from_sizes(remaining, n - 1)
    return result


def pairs_cut_off(G: nx.Graph, pieces: Mapping[Hashable, list[int]] | None = None) -> dict[Hashable, float]:
    """For every node *v*, the share of the pairs of the other nodes that reach each other in G and
    no longer do in G − v: what the network loses when *v* leaves (Borgatti 2006, fragmentation
    counted over the remaining nodes only, so it is never negative and zero for every node whose
    removal cuts nobody off).

    With s the size of v's component and p_i the pieces it falls into (``pieces_after_removal``),
    the pairs cut are C(s − 1, 2) − Σ C(p_i, 2), over C(n − 1, 2) pairs of the other nodes.
    """
    if pieces is None:
        pieces = pieces_after_removal(G)
    others = G.number_of_nodes() - 1
    total = others * (others - 1) / 2
    result: dict[Hashable, float] = {}
    for node, parts in pieces.items():
        rest = sum(parts)
        cut = rest * (rest - 1) // 2 - sum(p * (p - 1) // 2 for p in parts)
        result[node] = cut / total if total else 0.0
    return result


def sampled_betweenness(
    G: nx.Graph,
    *,
    exact_up_to: int = BETWEENNESS_EXACT_UP_TO,
    error: float = BETWEENNESS_ERROR,
    seed: int = 0,
    arrays: NetworkArrays | None = None,
) -> dict[Hashable, float]:
    """Normalised shortest-path betweenness (Freeman 1979; Brandes 2001), ignoring edge weights.

    The betweenness of v is the sum over pairs {s, t} of other nodes of the share of the shortest
    s–t paths through v, over the (n − 1)(n − 2)/2 such pairs: networkx's
    ``betweenness_centrality(G, normalized=True)``. Edge weights in the actor network are tie
    strengths, not distances, so they are not used as path lengths.

    Exact (python-igraph's Brandes search) up to ``exact_up_to`` nodes. Above that, estimated by
    KADABRA (Borassi & Natale 2019; networkit's implementation): it samples pairs of nodes and one
    shortest path between each, with a balanced search from both ends, until every node's estimate
    is within ``error`` of its betweenness with probability at least 1 − ``BETWEENNESS_RISK``. The
    cost then grows with the network rather than with its square; the sampling runs on one thread
    seeded with ``seed``, so the same data gives the same numbers in every process.
    ``arrays``: G in array form, with its igraph handle, when already made.
    """
    n = G.number_of_nodes()
    if G.is_directed():
        return nx.betweenness_centrality(G, normalized=True)
    sk = _arrays(G, arrays)
    if n < 3:  # networkx leaves the (zero) values unscaled: no pair can have a node between them
        return dict.fromkeys(sk.nodes, 0.0)
    if n <= exact_up_to:
        # igraph counts each unordered pair once; networkx scales by 2 / ((n − 1)(n − 2)).
        scale = 2 / ((n - 1) * (n - 2))
        return {v: x * scale for v, x in zip(sk.nodes, sk.igraph.betweenness(directed=False), strict=True)}
    if _every_component_complete(sk):  # no shortest path has a node inside it
        return dict.fromkeys(sk.nodes, 0.0)
    estimate = _kadabra(sk, error, seed)
    # networkit scales the share of sampled ordered pairs by 2 on an undirected graph: 4 b / (n (n − 1))
    # for b the count over unordered pairs, against networkx's 2 b / ((n − 1)(n − 2)). An estimate
    # above 1, the largest betweenness there is (a star's centre), is read as 1.
    scale = n / (2 * (n - 2))
    return {v: min(1.0, x * scale) for v, x in zip(sk.nodes, estimate, strict=True)}


def _every_component_complete(sk: NetworkArrays) -> bool:
    """Whether each connected component is a clique: then every shortest path is a single tie (and
    KADABRA, which samples paths of two ties or more, would never stop)."""
    pieces, label = sk.components
    sizes = np.bincount(label, minlength=pieces).astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum()) == sk.m


#: KADABRA first draws ω / this many samples to calibrate its stopping rule, ω being the most it
#: will draw (networkit's default).
_KADABRA_START_FACTOR = 100
#: networkit's seed and thread count are process-wide: one KADABRA run at a time.
_kadabra_lock = threading.Lock()


def _kadabra(sk: NetworkArrays, error: float, seed: int) -> list[float]:
    """networkit's KADABRA scores of the nodes of ``sk``, in its node order."""
    # Imported here: networkit loads matplotlib's pyplot on import (over a second), and only
    # networks above the exact size need it.
    import networkit

    graph = networkit.Graph(sk.n, weighted=False, directed=False)
    graph.addEdges((sk.first.astype(np.uint64), sk.second.astype(np.uint64)))
    # One thread: the paths sampled depend on how the samples are split between threads.
    with _kadabra_lock:
        networkit.setNumberOfThreads(1)
        networkit.setSeed(seed, True)
        kadabra = networkit.centrality.KadabraBetweenness(
            graph, error, BETWEENNESS_RISK, False, 0, 0, _KADABRA_START_FACTOR
        )
        kadabra.run()
        scores = kadabra.scores()
        samples = kadabra.getNumberOfIterations()
        first = int(kadabra.getOmega() / _KADABRA_START_FACTOR)
    # networkit 11 keeps the paths of its first samples in the counts (their frames are reused
    # without a reset) but divides by the later samples only, so every score reads (1 + first /
    # later) too high: about 1 % (a star's centre came out at 1.0095). Divided by all the samples
    # instead, the counts give the unbiased estimate.
    return [x * (samples - first) / samples for x in scores]


@not_implemented_for("directed")
def freeman_centralization(G: nx.Graph, centrality: Literal["degree", "betweenness"] = "degree") -> float:
    r"""Freeman's centralization of an undirected graph, in [0, 1].

    .. math::

       C = \frac{\sum_i (c^* - c_i)}{\max \sum_i (c^* - c_i)}

    where *c_i* is each node's normalised centrality, *c** the largest, and the denominator the
    largest value the sum takes on any graph of *n* nodes — reached by the star, which has C = 1
    (Freeman 1979). For normalised degree the maximum is n − 2; for normalised betweenness n − 1.
    A complete or empty graph has C = 0; so has any graph of fewer than three nodes. Betweenness is
    ``sampled_betweenness`` (sampled above its size limit).
    """
    n = G.number_of_nodes()
    if centrality == "degree":
        return degree_centralization(d for _, d in G.degree())
    if centrality != "betweenness":
        raise ValueError(f"unknown centrality {centrality!r}: choose 'degree' or 'betweenness'")
    if n < 3:
        return 0.0
    return _centralization(list(sampled_betweenness(G).values()), n - 1)


def degree_centralization(degrees: Iterable[int]) -> float:
    """Freeman's degree centralization of a graph given the degree of each of its nodes (in a fixed
    order): ``freeman_centralization(G, "degree")`` without the graph, for callers that count
    degrees themselves. Normalised degrees are d / (n − 1), as ``networkx.degree_centrality``."""
    counted = list(degrees)
    n = len(counted)
    if n < 3:
        return 0.0
    scale = 1.0 / (n - 1.0)
    return _centralization([d * scale for d in counted], n - 2)


def _centralization(values: list[float], most: int) -> float:
    """Σ (c* − cᵢ) over the largest value that sum takes on a graph of the same size, within [0, 1]."""
    top = max(values)
    return min(1.0, max(0.0, sum(top - c for c in values) / most))


def _mutual_weights(G: nx.Graph, sk: NetworkArrays, weight: str | None) -> np.ndarray:
    """a_uv + a_vu of every tie in tie order (Burt's mutual tie strength), self-loops left out."""
    if not G.is_directed() and not G.is_multigraph():
        return np.ones(sk.m) if weight is None else sk.weights(weight)
    # Reciprocal arcs and parallel ties add up, as in networkx's mutual_weight.
    mutual: dict[tuple[int, int], float] = {}
    for u, v, data in G.edges(data=True):
        iu, iv = sk.index[u], sk.index[v]
        if iu != iv:
            key = (min(iu, iv), max(iu, iv))
            mutual[key] = mutual.get(key, 0.0) + (1.0 if weight is None else data.get(weight, 1.0))
    return np.array([mutual[i, j] for i, j in zip(sk.first.tolist(), sk.second.tolist(), strict=True)], np.float64)


def _burt_inputs(
    G: nx.Graph, weight: str | None, arrays: NetworkArrays | None
) -> tuple[NetworkArrays, np.ndarray, np.ndarray]:
    """The array form, each arc's mutual strength and each arc's share p_uv of its source's strength."""
    sk = _arrays(G, arrays)
    mutual = _mutual_weights(G, sk, weight)[sk.tie]
    total = np.bincount(sk.source, weights=mutual, minlength=sk.n)[sk.source]
    share = np.divide(mutual, total, out=np.zeros_like(mutual), where=total != 0)
    return sk, mutual, share


def _triangle_sums(sk: NetworkArrays, term: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """For every arc u → v, the sum of ``term(u→v, u→w, v→w)`` over the nodes w tied to both u and v.

    The nodes tied to both ends of a tie are the third corners of its triangles, so the sum runs
    over the triangles only: each gives its six arcs one term each. ``term`` receives arc numbers.
    """
    sums = np.zeros(2 * sk.m)
    rev = sk.reverse
    for ab, ac, bc in sk.triangles():
        ba, ca, cb = rev[ab], rev[ac], rev[bc]
        # (u → v, u → w, v → w) for the six ordered pairs of corners, w the third corner.
        arcs = np.concatenate([ab, ba, ac, ca, bc, cb])
        via = np.concatenate([ac, bc, ab, cb, ba, ca])
        onward = np.concatenate([bc, ac, cb, ab, ca, ba])
        sums += np.bincount(arcs, weights=term(arcs, via, onward), minlength=2 * sk.m)
    return sums


def _per_node(sk: NetworkArrays, per_arc: np.ndarray) -> dict[Hashable, float]:
    """Sum over each node's arcs; NaN for a node without ties."""
    sums = np.bincount(sk.source, weights=per_arc, minlength=sk.n)
    return dict(zip(sk.nodes, np.where(sk.degree > 0, sums, np.nan).tolist(), strict=True))


def burt_constraint(
    G: nx.Graph, weight: str | None = None, *, arrays: NetworkArrays | None = None
) -> dict[Hashable, float]:
    r"""Burt's constraint of every node: how much its ties lead into one another.

    .. math::

       c_u = \sum_{v \in N(u)} \Bigl(p_{uv} + \sum_{w \in N(u),\, w \ne v} p_{uw} p_{wv}\Bigr)^2

    where p_uv is the share of u's (mutual) tie strength that goes to v (Burt 1992). Low constraint
    means contacts that are not tied to each other — a broker across structural holes. Isolated
    nodes have no constraint (NaN). The same values as ``networkx.constraint`` (to rounding).

    Notes
    -----
    p_wv is zero unless w is tied to v, so the inner sum runs over the triangles on u–v: O(m) for
    the direct shares plus O(1) per triangle (``NetworkArrays.triangles``), in numpy.
    """
    sk, _, p = _burt_inputs(G, weight, arrays)
    rev = sk.reverse
    indirect = _triangle_sums(sk, lambda uv, uw, vw: p[uw] * p[rev[vw]])
    return _per_node(sk, (p + indirect) ** 2)


def burt_effective_size(
    G: nx.Graph, weight: str | None = None, *, arrays: NetworkArrays | None = None
) -> dict[Hashable, float]:
    r"""Burt's effective size of every node: its contacts less their redundancy.

    .. math::

       e_u = \sum_{v \in N(u)} \Bigl(1 - \sum_{w \in N(u),\, w \ne v} p_{uw} m_{vw}\Bigr)

    where p_uw is the share of u's tie strength going to w and m_vw is v's tie to w over v's
    strongest tie (Burt 1992). Unweighted, this is Borgatti's n − 2t/n (t ties among the n
    contacts). Isolated nodes: NaN. The same values as ``networkx.effective_size`` (to rounding).

    Notes
    -----
    m_vw is zero unless v is tied to w, so the redundancy runs over the triangles on u–v, as in
    ``burt_constraint``.
    """
    sk, mutual, p = _burt_inputs(G, weight, arrays)
    strongest = np.zeros(sk.n)
    np.maximum.at(strongest, sk.source, mutual)
    relative = mutual / strongest[sk.source]
    redundancy = _triangle_sums(sk, lambda uv, uw, vw: p[uw] * relative[vw])
    return _per_node(sk, 1.0 - redundancy)
