"""Stages, health and changes at national scale give what they gave before: the ties, degrees and
memberships they now read without copying the network equal those of the copied subgraph and of
``tie_holds_on``, and sharing one index per date inside ``shared_inputs`` changes no result."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from secgraph.analysis.activity import STRUCTURAL_TIES, ActivityIndex, CommunityActivity, activity_index, members_on
from secgraph.analysis.compare import changes_between
from secgraph.analysis.health import network_health
from secgraph.analysis.measures import freeman_centralization
from secgraph.analysis.network import Scope, shared_inputs, tie_holds_on
from secgraph.analysis.stage.measures import MEASURES, _names
from secgraph.analysis.stage.results import engagement_stage
from secgraph.analysis.stage.rules import DEFAULT_RULES
from secgraph.model.graph import GraphData
from secgraph.model.records import Community
from tests.builders import GraphBuilder

DAYS = (dt.date(2016, 3, 31), dt.date(2019, 3, 31), dt.date(2021, 9, 30), dt.date(2024, 3, 31))


def woven() -> GraphData:
    """Community c (secretariat s) and community k share member a; an event of c with a speaker, a
    supporter and attendees, one of whom also works at a member; a member who left in 2020."""
    return (
        GraphBuilder()
        .community("c", prefectures=["13"])
        .community("k", prefectures=["13"])
        .org("s", "prefecture", "13")
        .org("a", "sme", "13")
        .org("b", "university", "13")
        .org("d", "police", "13")
        .person("p", works_at="a")
        .person("q", works_at="b")
        .person("r")
        .tie("SECRETARIAT_OF", "s", "c")
        .tie("MEMBER_OF", "a", "c", start="2019-04-01")
        .tie("MEMBER_OF", "b", "c", start="2018-06", end="2020-12-31")
        .tie("MEMBER_OF", "a", "k", start="2019")
        .tie("MEMBER_OF", "d", "k", start="2019-04-01")
        .event("e", "2020-06-01", prefecture="13")
        .tie("ORGANISED", "c", "e")
        .tie("SUPPORTED", "d", "e")
        .tie("SPOKE_AT", "q", "e")
        .tie("ATTENDED", "p", "e")
        .tie("ATTENDED", "r", "e")
        .build()
    )


def _circles(index: ActivityIndex) -> list[set[str]]:
    """Each community's circle, and the circles of all communities together (as an area's)."""
    acts = [index.activity(n.id) for n in index.data.nodes.values() if isinstance(n, Community)]
    circles = [a.circle - {a.id} for a in acts]
    return [*circles, set().union(*circles) - {a.id for a in acts}]


def _check_induced(index: ActivityIndex) -> int:
    """ties_among and degrees_among against the subgraph networkx induces; returns the ties seen."""
    seen = 0
    for actors in _circles(index):
        sub = index.network.subgraph(actors)
        expected = {(min(a, b), max(a, b)): dict(sub.edges[a, b]) for a, b in sub.edges}
        found = {(a, b): attributes for a, b, attributes in index.ties_among(actors)}
        assert found == expected
        assert list(found) == sorted(found)  # in id order
        assert index.ties.degrees_among(index.ties.numbers(actors)) == {a: sub.degree(a) for a in sorted(sub.nodes)}
        seen += len(found)
    return seen


def test_ties_and_degrees_among_a_circle_are_those_of_the_induced_subgraph() -> None:
    index = ActivityIndex(woven())
    assert _check_induced(index) > 0
    # Actors outside the network are not counted; an actor without a tie in the circle has degree 0.
    assert index.ties.degrees_among(index.ties.numbers({"a", "nobody"})) == {"a": 0}
    assert list(index.ties_among({"p", "r", "nobody"})) == []


def test_ties_and_degrees_on_the_seed(seed: GraphData) -> None:
    for day in (None, dt.date(2019, 3, 31)):
        assert _check_induced(ActivityIndex(seed, day)) > 100


def test_members_on_a_day_are_the_memberships_that_hold_then(seed: GraphData) -> None:
    planted = woven()
    index = ActivityIndex(planted)
    act = index.activity("c")
    assert [members_on(act, d) for d in (dt.date(2018, 5, 31), dt.date(2019, 6, 1), dt.date(2021, 1, 1))] == [
        [],
        ["a", "b"],
        ["a"],
    ]
    for data in (planted, seed):
        index = ActivityIndex(data)
        for community in sorted(n.id for n in data.nodes.values() if isinstance(n, Community)):
            act = index.activity(community)
            for day in DAYS:
                held = {r.from_id for r in index.member_ties(community) if tie_holds_on(r, day)} - {community}
                assert members_on(act, day) == sorted(held)


def test_density_and_centralisation_are_those_of_the_induced_subgraph(seed: GraphData) -> None:
    """The health indicators against networkx on the subgraph they used to copy."""
    for data in (woven(), seed):
        result = network_health(data)
        index = ActivityIndex(data)
        for summary in [*result.communities, *result.areas]:
            acts = [index.activity(c) for c in summary.communities]
            actors = {x for a in acts for x in a.circle} - set(summary.communities)
            sub = index.network.subgraph(actors)
            n = sub.number_of_nodes()
            density = summary.indicator("density")
            assert density.details == {"nodes": n, "edges": sub.number_of_edges()}
            assert density.value == (round(nx.density(sub), 4) if n >= 2 else None)
            centralisation = summary.indicator("centralisation").value
            assert centralisation == (round(freeman_centralization(sub, "degree"), 4) if n >= 3 else None)


def test_one_index_per_date_inside_shared_inputs() -> None:
    data = woven()
    assert activity_index(data) is not activity_index(data)  # nothing kept outside a block
    with shared_inputs():
        first = activity_index(data, dt.date(2021, 3, 31))
        assert activity_index(data, dt.date(2021, 3, 31)) is first
        assert activity_index(data) is not first
        assert first.by_from is activity_index(data, dt.date(2021, 3, 31)).by_from


@pytest.mark.parametrize("scope", [Scope(), Scope(region="mic-kinki"), Scope(prefecture="27")])
def test_analyses_in_one_block_answer_as_each_alone(seed: GraphData, scope: Scope) -> None:
    """Sharing the indexes across analyses (the API's and the documents' way) changes no result."""
    earlier, later = dt.date(2019, 3, 31), dt.date(2023, 3, 31)
    alone = [
        engagement_stage(seed, scope).model_dump_json(),
        network_health(seed, scope).model_dump_json(),
        changes_between(seed, earlier, later, scope).model_dump_json(),
        engagement_stage(seed, Scope(region=scope.region, prefecture=scope.prefecture, as_of=later)).model_dump_json(),
    ]
    with shared_inputs():
        together = [
            engagement_stage(seed, scope).model_dump_json(),
            network_health(seed, scope).model_dump_json(),
            changes_between(seed, earlier, later, scope).model_dump_json(),
            engagement_stage(
                seed, Scope(region=scope.region, prefecture=scope.prefecture, as_of=later)
            ).model_dump_json(),
        ]
    assert together == alone


def _ties_among_bodies_by_subgraph(act: CommunityActivity) -> tuple[int, list[str], list[str]]:
    """The rule's count, most tied actors and evidence ids, read from the copied subgraph."""
    relationships = act.index.data.relationships
    bodies = act.circle - {act.id} - set(act.secretariat)
    sub = act.index.network.subgraph(bodies)

    def between_bodies(edge: dict) -> list[str]:
        return [r for r in edge["relationships"] if relationships[r].type not in STRUCTURAL_TIES]

    ties = [(min(a, b), max(a, b), e) for a, b, e in sub.edges(data=True) if e["events"] or between_bodies(e)]
    degree: dict[str, int] = {}
    for a, b, _ in ties:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    tied = sorted(degree, key=lambda a: (-degree[a], a))
    shown = sorted(ties, key=lambda t: (-t[2]["weight"], t[0], t[1]))[:20]
    ids = sorted({i for _, _, e in shown for i in (*between_bodies(e), *e["events"])})
    return len(ties), tied, ids


def test_ties_among_bodies_are_those_of_the_induced_subgraph(seed: GraphData) -> None:
    """The stage-2 rule read from the tie matrix counts, ranks and cites what the subgraph holds."""
    rule = next(r for r in DEFAULT_RULES.rules if r.measure == "ties_among_bodies")
    checked = 0
    for data in (woven(), seed):
        for day in (None, dt.date(2019, 3, 31)):
            index = ActivityIndex(data, day)
            for community in sorted(n.id for n in index.data.nodes.values() if isinstance(n, Community)):
                act = index.activity(community)
                count, tied, ids = _ties_among_bodies_by_subgraph(act)
                measured = MEASURES["ties_among_bodies"](act, rule)
                assert measured.value == count
                if count:
                    assert measured.evidence[0].ids == ids
                    assert f"（{len(tied)}の団体・個人）" in measured.evidence[0].ja
                    assert measured.evidence[0].ja.endswith(_names(act, tied))
                    checked += 1
    assert checked > 10
