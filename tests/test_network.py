"""The actor network's rule for ties, on small graphs whose ties can be counted by hand.

Rule (secgraph/analysis/network.py): those who held a part other than attending in an event are
tied to each other; an attendee is tied to the event's hosts (organisers, co-hosts, the series'
included), else to its other parts, else to the other attendees.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading

import networkx as nx
import pytest

from secgraph.analysis.network import (
    TIE_WEIGHTS,
    Scope,
    SharedInputs,
    actor_network,
    collection_paused,
    community_circle,
    community_circles,
    data_date,
    prefectures_by_actor,
    relationships_of_type,
    scoped_actor_ids,
    shared_inputs,
    snapshot_at,
    started_beside,
    tie_holds_on,
    tie_index,
    tie_start,
)
from secgraph.export.graph_files import graph_in_scope
from secgraph.model.dates import PartialDate, parse_date
from secgraph.model.graph import GraphData
from secgraph.model.records import Relationship
from secgraph.model.vocabulary import RelType
from tests.builders import GraphBuilder


def ties(graph: nx.Graph) -> set[frozenset[str]]:
    return {frozenset(edge) for edge in graph.edges}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def seminar(*attendees: str, hosts: tuple[str, ...] = ("host",), others: dict[str, str] | None = None) -> GraphData:
    """One seminar ``ev`` organised by ``hosts``, with ``others`` (holder → part) and ``attendees``."""
    builder = GraphBuilder().event("ev", "2020-06-01")
    for host in hosts:
        builder.org(host).tie("ORGANISED", host, "ev")
    for holder, part in (others or {}).items():
        builder.person(holder).tie(part, holder, "ev")
    for attendee in attendees:
        builder.person(attendee).tie("ATTENDED", attendee, "ev")
    return builder.build()


def test_attendees_are_tied_to_the_host_not_to_each_other() -> None:
    graph = actor_network(seminar("a1", "a2", "a3"))
    assert ties(graph) == {pair("a1", "host"), pair("a2", "host"), pair("a3", "host")}
    assert graph.edges["a1", "host"] == {"weight": TIE_WEIGHTS["co_event"], "relationships": [], "events": ["ev"]}


def test_fifty_attendees_make_fifty_ties_not_1225() -> None:
    attendees = [f"a{i:02d}" for i in range(50)]
    graph = actor_network(seminar(*attendees))
    assert graph.number_of_edges() == 50
    assert sorted(graph.neighbors("host")) == attendees


def test_co_hosts_are_hosts_and_tied_to_each_other() -> None:
    data = GraphBuilder().event("ev", "2020-06-01").org("org1").org("org2").person("a")
    data.tie("ORGANISED", "org1", "ev").tie("CO_HOSTED", "org2", "ev").tie("ATTENDED", "a", "ev")
    graph = actor_network(data.build())
    assert ties(graph) == {pair("org1", "org2"), pair("a", "org1"), pair("a", "org2")}


def test_speakers_and_supporters_are_tied_to_each_other_and_to_the_hosts_not_to_the_attendees() -> None:
    data = seminar("a1", "a2", others={"speaker": "SPOKE_AT", "backer": "SUPPORTED", "helper": "COOPERATED"})
    graph = actor_network(data)
    roles = ["backer", "helper", "host", "speaker"]
    expected = {pair(x, y) for i, x in enumerate(roles) for y in roles[i + 1 :]}
    expected |= {pair("a1", "host"), pair("a2", "host")}
    assert ties(graph) == expected


def test_an_attendee_who_also_spoke_is_tied_as_a_speaker() -> None:
    data = seminar("a1", others={"speaker": "SPOKE_AT"})
    data.add_relationship(GraphBuilder().tie("ATTENDED", "speaker", "ev").relationships[0])
    graph = actor_network(data)
    assert ties(graph) == {pair("host", "speaker"), pair("a1", "host")}


def test_the_series_hosts_host_every_edition() -> None:
    data = GraphBuilder().series("s").org("runner").org("guest").person("a").person("b")
    data.event("ev1", "2020-06-01", series="s", edition=1).event("ev2", "2021-06-01", series="s", edition=2)
    data.tie("ORGANISED", "runner", "s").tie("CO_HOSTED", "guest", "ev2")
    data.tie("ATTENDED", "a", "ev1").tie("ATTENDED", "a", "ev2").tie("ATTENDED", "b", "ev2")
    graph = actor_network(data.build())
    assert ties(graph) == {
        pair("a", "runner"),
        pair("b", "runner"),
        pair("guest", "runner"),
        pair("a", "guest"),
        pair("b", "guest"),
    }
    # Evidence: a met the runner at both editions, so the tie counts twice and names both.
    assert graph.edges["a", "runner"]["events"] == ["ev1", "ev2"]
    assert graph.edges["a", "runner"]["weight"] == 2 * TIE_WEIGHTS["co_event"]
    assert graph.edges["b", "runner"]["events"] == ["ev2"]
    assert graph.edges["guest", "runner"]["events"] == ["ev2"]


def test_without_a_host_attendees_are_tied_to_the_other_parts() -> None:
    data = seminar("a1", "a2", hosts=(), others={"speaker": "SPOKE_AT", "backer": "SUPPORTED"})
    graph = actor_network(data)
    assert ties(graph) == {
        pair("backer", "speaker"),
        pair("a1", "speaker"),
        pair("a1", "backer"),
        pair("a2", "speaker"),
        pair("a2", "backer"),
    }


def test_with_no_other_part_attendees_are_tied_to_each_other() -> None:
    graph = actor_network(seminar("a1", "a2", "a3", hosts=()))
    assert ties(graph) == {pair("a1", "a2"), pair("a1", "a3"), pair("a2", "a3")}
    assert graph.edges["a1", "a2"]["events"] == ["ev"]


def test_evidence_keeps_relationships_and_events_apart_and_weights_add() -> None:
    data = GraphBuilder().community("c", "mic-kinki").org("org1").person("p", works_at="org1")
    data.event("ev1", "2020-06-01").event("ev2", "2020-09-01")
    data.tie("MEMBER_OF", "org1", "c").tie("ORGANISED", "org1", "ev1").tie("ORGANISED", "org1", "ev2")
    data.tie("ATTENDED", "p", "ev2").tie("ATTENDED", "p", "ev1")
    built = data.build()
    graph = actor_network(built)
    edge = graph.edges["p", "org1"]
    works_at = [r.id for r in built.relationships.values() if r.type == "WORKS_AT"]
    assert edge["relationships"] == works_at
    assert edge["events"] == ["ev1", "ev2"]
    assert edge["weight"] == TIE_WEIGHTS["WORKS_AT"] + 2 * TIE_WEIGHTS["co_event"]
    assert graph.edges["org1", "c"]["events"] == []


def test_hosts_are_chosen_on_the_whole_event_and_the_scope_only_cuts_ties() -> None:
    # The host is in Tokyo, the attendees' employers in Osaka: in Osaka's network the attendees stay
    # apart (their tie is to the host, outside the scope), and Osaka's network is the country's cut to Osaka.
    data = GraphBuilder().org("host", prefecture="13").org("o1", prefecture="27").org("o2", prefecture="27")
    data.person("a1", works_at="o1").person("a2", works_at="o2").event("ev", "2020-06-01")
    data.tie("ORGANISED", "host", "ev").tie("ATTENDED", "a1", "ev").tie("ATTENDED", "a2", "ev")
    built = data.build()
    osaka = actor_network(built, Scope(prefecture="27"))
    assert ties(osaka) == {pair("a1", "o1"), pair("a2", "o2")}
    country = actor_network(built)
    assert ties(osaka) == ties(country.subgraph(osaka.nodes))


def test_the_network_on_an_earlier_date_leaves_later_events_out() -> None:
    data = seminar("a1")
    data.add_node(GraphBuilder().event("later", "2022-01-01").nodes[0])
    late = GraphBuilder().tie("ATTENDED", "a1", "later").tie("ORGANISED", "host", "later").relationships
    for rel in late:
        data.add_relationship(rel)
    graph = actor_network(data, Scope(as_of=dt.date(2021, 1, 1)))
    assert graph.edges["a1", "host"]["events"] == ["ev"]
    assert actor_network(data).edges["a1", "host"]["events"] == ["ev", "later"]


def test_node_attributes_and_order() -> None:
    data = GraphBuilder().org("z-org", "police", "27").community("c", "mic-kinki").person("a-person", works_at="z-org")
    graph = actor_network(data.build())
    assert list(graph.nodes) == ["a-person", "c", "z-org"]
    assert graph.nodes["z-org"] == {"kind": "Organisation", "name": "z-org", "sector": "police", "prefectures": ["27"]}
    assert graph.nodes["c"]["sector"] == "community"
    assert graph.nodes["a-person"]["prefectures"] == ["27"]


def test_the_same_ties_whatever_order_the_records_come_in() -> None:
    data = seminar("a1", "a2", others={"speaker": "SPOKE_AT"})
    reversed_data = GraphData(
        nodes=dict(reversed(data.nodes.items())), relationships=dict(reversed(data.relationships.items()))
    )
    first, second = actor_network(data), actor_network(reversed_data)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(data=True)) == list(second.edges(data=True))


def test_the_network_is_frozen() -> None:
    graph = actor_network(seminar("a1"))
    assert nx.is_frozen(graph)
    with pytest.raises(nx.NetworkXError):
        graph.add_edge("a1", "x")


def test_shared_inputs_builds_once_inside_a_block_and_anew_outside() -> None:
    data = seminar("a1")
    with shared_inputs():
        first = actor_network(data)
        assert actor_network(data) is first
        assert actor_network(data, Scope()) is first
        assert actor_network(data, Scope(prefecture="27")) is not first
        with shared_inputs():  # a nested block reuses the outer one's
            assert actor_network(data) is first
        assert tie_index(data) is tie_index(data)
        day = dt.date(2020, 12, 31)
        assert snapshot_at(data, day) is snapshot_at(data, day)
        # Another data object, even equal, is another graph.
        assert actor_network(GraphData(nodes=dict(data.nodes), relationships=dict(data.relationships))) is not first
    assert actor_network(data) is not first
    assert actor_network(data) is not actor_network(data)


def test_work_started_beside_shares_the_blocks_inputs() -> None:
    data = seminar("a1")
    with shared_inputs():
        first = actor_network(data)
        beside = started_beside(lambda: (threading.get_ident(), actor_network(data)))
        thread, network = beside.result()
        assert thread != threading.get_ident() and network is first
    with pytest.raises(ZeroDivisionError):  # an error is raised where the result is asked for
        started_beside(lambda: 1 // 0).result()


def test_the_collector_is_paused_in_blocks_and_runs_again_after_the_last_of_overlapping_ones() -> None:
    assert gc.isenabled()
    with shared_inputs():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still open
    assert gc.isenabled()

    # Blocks in two threads that overlap, the first to begin ending first: the collector stays
    # paused until the second ends, then runs again.
    first_open, second_open, first_closed = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collection_paused():
            first_open.set()
            second_open.wait(5)
        first_closed.set()

    def second() -> None:
        first_open.wait(5)
        with collection_paused():
            second_open.set()
            first_closed.wait(5)
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [False]
    assert gc.isenabled()

    gc.disable()  # a caller that had the collector off keeps it off
    try:
        with shared_inputs():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_tie_index_lists_each_end_in_relationship_id_order() -> None:
    data = seminar("a1", "a2", "a3")
    index = tie_index(data)
    to_event = index.by_to["ev"]
    assert [r.id for r in to_event] == sorted(r.id for r in data.relationships.values() if r.to_id == "ev")
    assert {r.from_id for r in to_event} == {"host", "a1", "a2", "a3"}
    assert [r.id for r in index.touching("host")] == [
        *sorted(r.id for r in data.relationships.values() if r.from_id == "host"),
        *sorted(r.id for r in data.relationships.values() if r.to_id == "host"),
    ]
    assert index.touching("nobody") == []


def test_community_circle_holds_members_their_people_and_event_parts() -> None:
    data = GraphBuilder().community("c", "mic-kinki").org("member").org("cohost").org("outsider")
    data.person("staff", works_at="member").person("cohost-staff", works_at="cohost").person("guest")
    data.person("outsider-staff", works_at="outsider").series("s")
    data.event("ev1", "2020-06-01", series="s", edition=1).event("other", "2020-07-01")
    data.tie("MEMBER_OF", "member", "c").tie("ORGANISED", "c", "s").tie("CO_HOSTED", "cohost", "ev1")
    data.tie("ATTENDED", "guest", "ev1").tie("ATTENDED", "outsider-staff", "other")
    built = data.build()
    # The people of an organisation that only took part in an event are not in the circle, in
    # whatever order the ties are read.
    assert community_circle(built, "c") == {"c", "member", "staff", "cohost", "guest"}
    reversed_data = GraphData(nodes=built.nodes, relationships=dict(reversed(built.relationships.items())))
    assert community_circle(reversed_data, "c") == community_circle(built, "c")


def test_community_circles_equal_each_community_circle(seed: GraphData) -> None:
    from bench.synthetic import generate

    small = GraphBuilder().community("c", "mic-kinki").community("d", "mic-kinki").org("member").org("cohost")
    small.person("staff", works_at="member").person("cohost-staff", works_at="cohost").person("guest")
    small.person("d-staff", works_at="d").series("s").event("ev1", "2020-06-01", series="s", edition=1)
    small.tie("MEMBER_OF", "member", "c").tie("ORGANISED", "c", "s").tie("CO_HOSTED", "cohost", "ev1")
    small.tie("ATTENDED", "guest", "ev1").tie("SECRETARIAT_OF", "d", "c").tie("SPOKE_AT", "d", "ev1")
    for data in (small.build(), seed, generate("0.01M")):
        communities = [n.id for n in data.nodes.values() if n.kind == "Community"]
        circles = community_circles(data)
        assert list(circles) == communities
        assert circles == {c: community_circle(data, c) for c in communities}
        with shared_inputs():  # the indexed path of community_circle too
            assert circles == {c: community_circle(data, c) for c in communities}


def test_dates_are_parsed_once_and_tie_dates_read_them() -> None:
    assert parse_date("平成26年9月") is parse_date("平成26年9月")
    assert parse_date("2014-09") == PartialDate(2014, 9)
    with pytest.raises(ValueError):
        parse_date("not a date")
    rel = GraphBuilder().tie("MEMBER_OF", "a", "c", start="2019-04", end="2021-03").relationships[0]
    assert tie_start(rel) == dt.date(2019, 4, 1)
    assert tie_holds_on(rel, dt.date(2021, 3, 31))
    assert not tie_holds_on(rel, dt.date(2021, 4, 1))
    assert not tie_holds_on(rel, dt.date(2019, 3, 31))


def test_seed_attendees_are_tied_only_through_hosts_or_other_evidence(seed: GraphData) -> None:
    graph = actor_network(seed)
    attendance = {(r.from_id, r.to_id) for r in seed.relationships.values() if r.type == "ATTENDED"}
    roles = {(r.from_id, r.to_id) for r in seed.relationships.values() if r.type != "ATTENDED"}
    hosts_of: dict[str, set[str]] = {}
    for r in seed.relationships.values():
        if r.type in ("ORGANISED", "CO_HOSTED"):
            hosts_of.setdefault(r.to_id, set()).add(r.from_id)
    checked = 0
    for a, b, edge in graph.edges(data=True):
        for event_id in edge["events"]:
            series_id = getattr(seed.nodes[event_id], "series_id", None)
            for x, y in ((a, b), (b, a)):
                attends_only = (x, event_id) in attendance and (x, event_id) not in roles
                attends_only = attends_only and (series_id is None or (x, series_id) not in roles)
                hosts = hosts_of.get(event_id, set()) | hosts_of.get(series_id or "", set())
                if attends_only and hosts:
                    assert y in hosts, (x, y, event_id)
                    checked += 1
    assert checked > 0


# -- national bodies inside regional scopes (scoped_actor_ids) -----------------------------------------


def _national_bodies_graph() -> GraphData:
    """A Kyushu community with a national vendor as member (its engineer too, who is also an officer of a
    Tokyo association), and a national body tied only to a Kinki body."""
    return (
        GraphBuilder()
        .community("kyushu", "mic-kyushu", ["40"])
        .org("fukuoka-sme", "sme", "40")
        .org("vendor", "security_vendor")  # no prefecture: a national vendor
        .org("tokyo-assoc", "industry_association", "13")
        .person("engineer", works_at="vendor")
        .org("agency", "national_agency")
        .org("osaka-chamber", "chamber_of_commerce", "27")
        .tie("MEMBER_OF", "fukuoka-sme", "kyushu")
        .tie("MEMBER_OF", "vendor", "kyushu")
        .tie("MEMBER_OF", "engineer", "kyushu")
        .tie("WORKS_AT", "engineer", "tokyo-assoc", start="2019-04-01")  # earlier: the vendor is the current employer
        .tie("PARTNERS_WITH", "agency", "osaka-chamber")
        .build()
    )


def test_region_scope_holds_the_national_bodies_tied_into_it() -> None:
    data = _national_bodies_graph()
    kyushu = scoped_actor_ids(data, Scope(region="mic-kyushu"))
    assert {"kyushu", "fukuoka-sme", "vendor", "engineer"} <= kyushu
    assert "agency" not in kyushu and "tokyo-assoc" not in kyushu  # no tie into Kyushu / located elsewhere
    assert "agency" in scoped_actor_ids(data, Scope(region="mic-kinki"))
    assert "vendor" in scoped_actor_ids(data, Scope(prefecture="40"))
    # the engineer is where the current employer is (none), not at the association's seat
    assert prefectures_by_actor(data)["engineer"] == set()
    local = scoped_actor_ids(data, Scope(region="mic-kyushu"), local_only=True)
    assert local == {"kyushu", "fukuoka-sme"}
    assert set(actor_network(data, Scope(region="mic-kyushu"))) == kyushu
    assert set(actor_network(data, Scope(region="mic-kyushu"), local_only=True)) == local


def test_community_scope_without_national_bodies() -> None:
    data = _national_bodies_graph()
    circle = scoped_actor_ids(data, Scope(community="kyushu"))
    assert {"vendor", "engineer"} <= circle
    assert scoped_actor_ids(data, Scope(community="kyushu"), local_only=True) == circle - {"vendor", "engineer"}


def test_a_tie_stated_by_a_records_own_field_holds_whenever_its_records_are_there() -> None:
    """A place, a series or the built-in geography has no dates of its own: its ``as_of`` is when the
    record was written down. On an earlier date the records are there, so are those ties; a tie a
    user wrote still holds from its start."""
    builder = GraphBuilder().org("a", "police", "27").community("c", "mic-kinki").series("s")
    builder.event("e", "2018-06", series="s").tie("MEMBER_OF", "a", "c", start="2020-04")
    # The event was written down from a 2021 document; the geography table is dated after every day here.
    builder.nodes[-1] = builder.nodes[-1].model_copy(update={"as_of": "2021-02"})
    data = builder.build()
    before = snapshot_at(data, dt.date(2019, 4, 1))
    held = {(str(r.type), r.from_id, r.to_id) for r in before.relationships.values()}
    assert {
        ("LOCATED_IN", "a", "pref-27"),
        ("IN_SERIES", "e", "s"),
        ("IN_REGION", "pref-27", "region-mic-kinki"),
        ("IN_REGION", "pref-27", "region-meti-kinki"),
    } <= held
    assert ("MEMBER_OF", "a", "c") not in held
    # The graph exported on that day names the event's series too.
    exported = graph_in_scope(data, Scope(as_of=dt.date(2019, 4, 1)))
    assert any(r.type == "IN_SERIES" and r.from_id == "e" for r in exported.relationships.values())


def test_data_with_no_dated_tie_is_of_the_day_its_actors_were_shown() -> None:
    """Actors alone: "now" is the latest date a record showed one of them, not today's date, so
    the same data gives the same answers whichever day it is analysed (the built-in prefectures and
    regions, dated by the table, do not count)."""
    data = GraphBuilder().org("a", "police", "27").org("b", "university", "13").build()
    later = data.nodes["b"].model_copy(update={"as_of": "2021-03"})
    data.nodes["b"] = later
    assert data_date(data) == dt.date(2021, 3, 1) != dt.date.today()
    assert data_date(GraphData()) == dt.date.today()  # nothing recorded at all


def test_relationships_of_a_type_are_those_of_the_data_in_its_order() -> None:
    """Each type's relationships in the data's own order, the types one after the other as asked;
    inside a block they are sorted by type once for the data."""
    data = (
        GraphBuilder()
        .community("c")
        .org("b")
        .org("a")
        .person("p", works_at="b")
        .person("q", works_at="a")
        .tie("MEMBER_OF", "b", "c")
        .tie("MEMBER_OF", "a", "c")
        .event("e", "2024-05-01")
        .tie("ATTENDED", "p", "e")
        .build()
    )
    in_order = list(data.relationships.values())

    def of(*types: RelType) -> list[Relationship]:
        return [r for kind in types for r in in_order if r.type == kind]

    assert list(relationships_of_type(data, RelType.WORKS_AT)) == of(RelType.WORKS_AT)
    asked = (RelType.MEMBER_OF, RelType.WORKS_AT, RelType.MEMBER_OF, RelType.SPOKE_AT)
    assert list(relationships_of_type(data, *asked)) == of(RelType.MEMBER_OF, RelType.WORKS_AT)
    assert [r.from_id for r in relationships_of_type(data, RelType.MEMBER_OF)] == ["b", "a"]
    kept: SharedInputs = {}
    with shared_inputs(kept):
        relationships_of_type(data, RelType.ATTENDED)
        relationships_of_type(data, RelType.WORKS_AT)
    assert [what for what, *_ in kept] == ["relationships_by_type"]
