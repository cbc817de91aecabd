"""The fast paths of isolated regions and missing sectors give what the definitions give.

Each check compares an index or an array form with the plain definition (a scan of every
relationship, a loop over every neighbour, every pair of communities) on the seed data and on
planted graphs, so a shortcut that drifts from the definition fails here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import networkx as nx
import pytest

from secgraph.analysis.facts import CommunityFacts, communities, community_facts
from secgraph.analysis.measures import removal_pieces
from secgraph.analysis.network import Scope, shared_inputs, snapshot_at
from secgraph.analysis.network_index import network_index
from secgraph.analysis.regions.findings import _build_index, _cut_off, isolated_regions
from secgraph.analysis.regions.nearest_ties import _nearest_by_scan, nearest_ties_to
from secgraph.analysis.sectors import missing_sectors, resource_allocation_to
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.model.records import Event, EventSeries, Headcount
from secgraph.model.ties import current_employers
from secgraph.model.vocabulary import EVENT_ROLE_TYPES, HeadcountKind, RelType
from tests.builders import GraphBuilder
from tests.regions_reference import cut_pieces, link_kinds


def facts_by_scanning(data: GraphData, community_id: str) -> CommunityFacts:
    """``community_facts`` by its definition: one pass over every relationship and node."""
    facts = CommunityFacts(community=data.nodes[community_id])  # type: ignore[arg-type]
    ran: set[str] = set()
    for rel in data.relationships.values():
        if rel.to_id == community_id and rel.type == RelType.SECRETARIAT_OF:
            facts.secretariat.append(rel.from_id)
        elif rel.to_id == community_id and rel.type == RelType.MEMBER_OF:
            facts.members.append(rel.from_id)
        elif rel.from_id == community_id and rel.type in EVENT_ROLE_TYPES:
            ran.add(rel.to_id)
    facts.series = sorted(i for i in ran if isinstance(data.nodes.get(i), EventSeries))
    events = {i for i in ran if isinstance(data.nodes.get(i), Event)}
    events |= {e.id for e in data.nodes.values() if isinstance(e, Event) and e.series_id in facts.series}
    facts.events = sorted(events, key=lambda e: (data.nodes[e].start, e))  # type: ignore[attr-defined]
    facts.secretariat = sorted(set(facts.secretariat))
    facts.members = sorted(set(facts.members))
    facts.headcounts = sorted(
        (
            n
            for n in data.nodes.values()
            if isinstance(n, Headcount) and n.subject_id == community_id and n.count_kind == HeadcountKind.MEMBERS
        ),
        key=lambda h: h.id,
    )
    evidence: dict[str, list[str]] = defaultdict(list)
    employer_of = current_employers(data)  # a person counts for the sector of where they work now
    for body_id in sorted({*facts.secretariat, *facts.members}):
        if sector := getattr(data.nodes[body_id], "sector", None):
            evidence[sector].append(body_id)
        employer = employer_of.get(body_id)
        if employer_sector := getattr(data.nodes.get(employer or ""), "sector", None):
            evidence[employer_sector].append(f"{body_id}@{employer}")
    for count in facts.headcounts:
        if count.sector and count.count > 0:
            evidence[count.sector].append(count.label or f"{count.count}")
    facts.sectors = {k: evidence[k] for k in sorted(evidence)}
    return facts


def test_community_facts_from_the_index_equal_a_scan_of_every_relationship(seed: GraphData) -> None:
    for day in (None, dt.date(2019, 4, 1)):
        data = snapshot_at(seed, day)
        for community in communities(data):
            assert community_facts(data, community.id) == facts_by_scanning(data, community.id), community.id


def summed_resource_allocation(data: GraphData, candidate: str, group: set[str]) -> float:
    """The summed resource allocation index by its definition, neighbour by neighbour in graph order."""
    graph = network_index(data).network
    if candidate not in graph:
        return 0.0
    total = 0.0
    for z in graph[candidate]:
        total += sum(1 for w in graph[z] if w in group and w != candidate) / graph.degree(z)
    return total


def test_resource_allocation_from_the_arrays_is_the_definition_to_the_last_bit(seed: GraphData) -> None:
    graph = network_index(seed).network
    rng = random.Random(8)
    actors = sorted(graph)
    for size in (1, 5, 40):
        group = set(rng.sample(actors, size)) | {"not-an-actor"}
        for candidate in [*rng.sample(actors, 60), *sorted(group)]:
            # Exact equality: the candidate's row adds the same terms in the same order as the loop.
            assert resource_allocation_to(network_index(seed), candidate, group) == summed_resource_allocation(
                seed, candidate, group
            ), (candidate, size)


def test_resource_allocation_of_a_hub_adds_its_many_terms_in_the_definitions_order() -> None:
    # A hub tied to every actor adds a hundred terms of very different sizes: a sum in another order
    # (numpy's pairwise sum, for one) differs from the loop's in the last bit.
    rng = random.Random(13)
    builder = GraphBuilder().org("hub", "sme", "13")
    actors = [f"o{i:03d}" for i in range(100)]
    for actor in actors:
        builder.org(actor, "sme", "13").tie("PARTNERS_WITH", "hub", actor)
    for _ in range(400):
        a, b = rng.sample(actors, 2)
        builder.tie("PARTNERS_WITH", a, b)
    data = builder.build()
    ix = network_index(data)
    for size in (3, 30, 99):
        group = set(rng.sample(actors, size))
        for candidate in ["hub", *rng.sample(actors, 20)]:
            assert resource_allocation_to(ix, candidate, group) == summed_resource_allocation(data, candidate, group), (
                candidate,
                size,
            )


def test_a_member_of_the_group_does_not_count_itself() -> None:
    data = (
        GraphBuilder()
        .org("a", "sme", "13")
        .org("b", "sme", "13")
        .org("hub", "sme", "13")
        .tie("PARTNERS_WITH", "a", "hub")
        .tie("PARTNERS_WITH", "b", "hub")
        .build()
    )
    ix = network_index(data)
    # hub has two neighbours: from "a", one of them ("b") is in the group, "a" itself does not count.
    assert resource_allocation_to(ix, "a", {"a", "b"}) == 0.5
    assert resource_allocation_to(ix, "a", {"b"}) == 0.5
    assert resource_allocation_to(ix, "hub", {"a", "b"}) == 0.0
    assert resource_allocation_to(ix, "nobody", {"a"}) == 0.0


def mixed_links() -> GraphBuilder:
    """x is a member of north-net and only attends south-net's event: a shared participant, not a shared
    member; west-net is a member of east-net (a tie between the two, no third actor between them)."""
    return (
        GraphBuilder()
        .org("x", "sme", "01")
        .org("y", "sme", "47")
        .community("north-net", prefectures=["01"])
        .community("south-net", prefectures=["47"])
        .community("east-net", prefectures=["13"])
        .community("west-net", prefectures=["27"])
        .community("lone-net", prefectures=["32"])
        .tie("MEMBER_OF", "x", "north-net")
        .tie("MEMBER_OF", "y", "south-net")
        .event("ev-south", "2020-06-10", prefecture="47")
        .tie("ORGANISED", "south-net", "ev-south")
        .tie("ATTENDED", "x", "ev-south")
        .tie("MEMBER_OF", "west-net", "east-net")
    )


@pytest.mark.parametrize("built", ["seed", "planted"])
def test_linked_communities_are_the_pairs_with_a_horizontal_link(built: str, seed: GraphData) -> None:
    data = seed if built == "seed" else mixed_links().build()
    ix = _build_index(data, None)
    linked = ix.linked()
    for a in sorted(ix.communities):
        expected = {b for b in ix.communities if b != a and link_kinds(ix, a, b)}
        assert linked[a] == expected, a
    if built == "planted":
        assert linked["north-net"] == {"south-net"} and linked["east-net"] == {"west-net"}
        assert linked["lone-net"] == set()


def test_analyses_in_one_block_share_their_inputs_and_give_what_they_give_alone(seed: GraphData) -> None:
    alone = (isolated_regions(seed, Scope(region="mic-kinki")), missing_sectors(seed, Scope(region="mic-kinki")))
    with shared_inputs():
        ix = network_index(seed)
        assert network_index(seed) is ix
        together = (
            isolated_regions(seed, Scope(region="mic-kinki")),
            missing_sectors(seed, Scope(region="mic-kinki")),
        )
        assert _build_index(seed, None).network is ix.network
    assert [r.model_dump_json() for r in together] == [r.model_dump_json() for r in alone]


@pytest.mark.parametrize("seed_number", range(6))
def test_what_a_cut_vertex_cuts_off_is_every_piece_but_the_largest(seed_number: int) -> None:
    # Trees and sparse graphs: many cut vertices, pieces of equal size (ties broken by the smallest id).
    rng = random.Random(seed_number)
    graph = nx.random_labeled_tree(30, seed=seed_number) if seed_number % 2 else nx.gnm_random_graph(30, 34, seed=rng)
    graph = nx.relabel_nodes(graph, {n: f"a{n:02d}" for n in graph})
    removal = removal_pieces(graph)
    pieces = cut_pieces(graph)
    for v in graph:
        for at_least in (1, 2, 5):
            found = _cut_off(removal, v, at_least)
            if v not in pieces:
                assert found is None
                continue
            ranked = sorted(pieces[v], key=lambda p: (-len(p), min(p)))
            cut = sorted(a for piece in ranked[1:] for a in piece)
            assert found == (None if len(cut) < at_least else (cut, len(ranked[0]))), (v, at_least)


def test_nearest_ties_from_the_ranked_lists_are_the_scan_of_every_body_of_the_areas(seed: GraphData) -> None:
    """The merge of the per-prefecture and per-area rankings proposes what scoring every candidate does,
    in the same order, for prefectures, regions, several prefectures at once, exclusions and a within."""
    rng = random.Random(8)
    with shared_inputs():
        ix = _build_index(seed, None)
        actors = sorted(ix.network)
        codes = [p.code for p in geography.prefectures()]
        target_sets = [{c} for c in codes]
        target_sets += [{p.code for p in geography.prefectures_of_region(r.code)} for r in geography.regions()]
        target_sets += [set(rng.sample(codes, k)) for k in (2, 3, 5) for _ in range(5)]
        for targets in target_sets:
            for exclude, within in ((set(), None), (set(rng.sample(actors, 80)), set(rng.sample(actors, 300)))):
                for limit in (1, 5, 1000):
                    ranked = _nearest_by_scan(ix, targets, exclude, within)[:limit]
                    found = nearest_ties_to(ix, targets, exclude, limit, within=within)
                    assert [(t.actor_id, t.proximity, -t.score) for t in found] == [
                        (a, near, score) for score, a, near, _ in ranked
                    ], (sorted(targets), limit)
