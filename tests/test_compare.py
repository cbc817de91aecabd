"""What changed between two dates: a planted community that gains and loses members, holds a
joint event and climbs from stage 1 to 3; a community founded in between; the seed documents."""

from __future__ import annotations

import datetime as dt

import pytest

from secgraph.analysis.compare import changes_between
from secgraph.analysis.health import network_health
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, EventSeries
from tests.builders import GraphBuilder

EARLIER, LATER = dt.date(2020, 1, 1), dt.date(2021, 1, 1)


def planted() -> GraphData:
    """c (Osaka): x leaves in March 2020, b joins in May 2020; the series' second edition (June 2020)
    is a joint event co-hosted by a member. n (Osaka) is founded in September 2020."""
    return (
        GraphBuilder()
        .community("c", prefectures=["27"], founded="2019-04")
        .org("s", "meti_bureau")
        .org("a", "sme", "27")
        .org("w", "prefecture", "27")
        .org("x", "it_vendor", "27")
        .org("b", "university", "27")
        .tie("SECRETARIAT_OF", "s", "c", start="2019-04-01")
        .tie("MEMBER_OF", "a", "c", start="2019-04-01")
        .tie("MEMBER_OF", "w", "c", start="2019-04-01")
        .tie("MEMBER_OF", "x", "c", start="2019-04-01", end="2020-03-31")
        .tie("MEMBER_OF", "b", "c", start="2020-05-01")
        .series("ser")
        .event("e1", "2019-06-01", series="ser", edition=1, attendees=20)
        .event("e2", "2020-06-01", series="ser", edition=2, attendees=35)
        .tie("ORGANISED", "c", "e1", start="2019-06-01")
        .tie("SPOKE_AT", "w", "e1", start="2019-06-01")
        .tie("ORGANISED", "c", "e2", start="2020-06-01")
        .tie("CO_HOSTED", "a", "e2", start="2020-06-01")
        .tie("SUPPORTED", "b", "e2", start="2020-06-01")
        .tie("SPOKE_AT", "w", "e2", start="2020-06-01")
        .community("n", prefectures=["27"], founded="2020-09-01")
        .org("m", "sme", "27")
        .tie("MEMBER_OF", "m", "n", start="2020-09-01")
        .build()
    )


def test_members_joined_and_left_and_events_held() -> None:
    changes = changes_between(planted(), EARLIER, LATER)
    assert (changes.earlier, changes.later) == (EARLIER, LATER)
    c = changes.community("c")
    assert c.status == "existing" and c.changed
    assert [(m.actor_id, m.role, m.change) for m in c.joined] == [("b", "member", "joined")]
    assert [(m.actor_id, m.role, m.change) for m in c.left] == [("x", "member", "left")]
    assert c.joined[0].evidence[0].ids and c.left[0].evidence[0].ids
    assert [(e.event_id, e.series_id, e.attendees) for e in c.events] == [("e2", "ser", 35)]
    assert c.evidence[0].ja == "加入 1、初回確認 0、退会 1、開催 1回、段階 1→3"


def test_a_list_date_is_first_observed_not_a_join() -> None:
    """A membership with no start, seen on a list in May 2020, was first observed then: it may
    have joined at any time before, so it is no join (and its member is not dormant but unknown)."""
    data = planted()
    listed = GraphBuilder(with_geography=False).org("listed", "bank", "27").tie("MEMBER_OF", "listed", "c")
    listed.relationships[-1] = listed.relationships[-1].model_copy(update={"as_of": "2020-05-15"})
    for node in listed.nodes:
        data.add_node(node)
    for rel in listed.relationships:
        data.add_relationship(rel)
    c = changes_between(data, EARLIER, LATER).community("c")
    assert [m.actor_id for m in c.joined] == ["b"]
    assert [(m.actor_id, m.change) for m in c.first_observed] == [("listed", "first_observed")]
    assert c.first_observed[0].evidence[0].ja == "初回確認（加入日の記録なし）: 2020-05-15"
    assert c.evidence[0].ja.startswith("加入 1、初回確認 1、")
    dormant = network_health(data, as_of=dt.date(2022, 3, 31)).community("c").indicator("dormant_members")
    assert "listed" not in dormant.evidence[0].ids and dormant.details["unknown"] == 1
    assert dormant.details["first_observed"] == {"listed": "2020-05-15"}
    assert "初回確認のみの構成員 1（初回確認 2020-05-15〜）" in dormant.evidence[1].ja


def test_stage_change_names_the_rules_that_changed() -> None:
    stage = changes_between(planted(), EARLIER, LATER).community("c").stage
    assert (stage.earlier, stage.later, stage.changed) == (1, 3, True)
    changed = {r.rule_id: (r.earlier_value, r.later_value, r.earlier_met, r.later_met) for r in stage.rules}
    assert changed["s2-joint-event"] == (0, 1, False, True)
    assert changed["s2-ties-among-bodies"] == (0, 3, False, True)
    assert changed["s3-recurring"] == (1, 2, False, True)
    assert changed["s3-self-run"] == (0, 2, False, True)
    # x left and b joined: still three one-to-one ties, so that rule is not listed.
    assert "s1-one-to-one" not in changed and "s1-convener" not in changed


def test_health_deltas() -> None:
    health = {d.code: d for d in changes_between(planted(), EARLIER, LATER).community("c").health}
    assert [d for d in health] == [
        "size",
        "growth",
        "sector_coverage",
        "sector_diversity",
        "density",
        "centralisation",
        "secretariat_bodies",
        "dependence",
        "members_with_role",
        "dormant_members",
        "event_cadence",
        "series_continuity",
        "attendance_trend",
        "links",
    ]
    assert (health["size"].earlier, health["size"].later, health["size"].delta) == (3, 3, 0)
    # University joined, IT vendor left: still 3 of 8 needs (SME, bureau and local government ...).
    coverage = health["sector_coverage"]
    assert (coverage.earlier, coverage.later) == (4 / 8, 4 / 8)
    assert (health["series_continuity"].earlier, health["series_continuity"].later) == (0.0, 1.0)
    assert health["attendance_trend"].earlier is None and health["attendance_trend"].delta is None
    assert health["attendance_trend"].later == pytest.approx(15 * 365.25 / 366, abs=1e-3)


def test_a_community_founded_in_between_is_new() -> None:
    n = changes_between(planted(), EARLIER, LATER).community("n")
    assert n.status == "new" and n.stage.earlier is None and n.stage.later == 0
    assert [m.actor_id for m in n.joined] == ["m"]
    assert all(d.earlier is None and d.delta is None for d in n.health)


def test_areas_and_order_are_stable() -> None:
    first = changes_between(planted(), EARLIER, LATER)
    assert [c.community_id for c in first.communities] == ["c", "n"]
    kinki = next(a for a in first.areas if a.area == "mic-kinki")
    assert (kinki.best_stage.earlier, kinki.best_stage.later) == (1, 3)
    assert changes_between(planted(), EARLIER, LATER).model_dump_json() == first.model_dump_json()


def test_scope_and_dates() -> None:
    only = changes_between(planted(), EARLIER, LATER, Scope(community="c", as_of=dt.date(2000, 1, 1)))
    assert [c.community_id for c in only.communities] == ["c"] and only.areas == []
    with pytest.raises(ValueError, match="later"):
        changes_between(planted(), LATER, EARLIER)
    quiet = changes_between(planted(), dt.date(2021, 1, 1), dt.date(2021, 6, 1)).community("c")
    assert not (quiet.joined or quiet.left or quiet.events or quiet.stage.changed)


# -- the seed data ---------------------------------------------------------------------------


def node_named(data: GraphData, kind: type, text: str) -> str:
    found = [n.id for n in data.nodes.values() if isinstance(n, kind) and n.display_name() == text]
    assert len(found) == 1, found
    return found[0]


def test_seed_kansai_secnet_fy2019(seed: GraphData) -> None:
    """Seed 003: 40 bodies at launch, 62 on 2019-12-01; in FY2019 the 2nd relay lecture and the
    city seminars were held; the Fukui forum of 2020-03-02 was still planned."""
    ksn = node_named(seed, Community, "関西サイバーセキュリティ・ネットワーク")
    fy2019 = changes_between(seed, dt.date(2019, 3, 31), dt.date(2020, 3, 31), Scope(community=ksn)).community(ksn)
    size = next(d for d in fy2019.health if d.code == "size")
    assert (size.earlier, size.later, size.delta) == (40, 62, 22)
    listed = {
        r.from_id
        for r in seed.relationships.values()
        if r.type == "MEMBER_OF" and r.to_id == ksn and "2019-04" <= (r.start or r.as_of) <= "2020-03-31"
    }
    # The list of 2019-12-01 gives no join dates: its members are first observed, not joined.
    assert len(listed) > 50 and {m.actor_id for m in fy2019.first_observed} == listed and fy2019.left == []
    assert fy2019.joined == []
    held = {e.event_id for e in fy2019.events}
    relay = [
        e.id
        for e in seed.nodes.values()
        if isinstance(e, Event) and e.title.startswith("第2回サイバーセキュリティ・リレー講座")
    ]
    assert len(relay) == 1 and relay[0] in held
    fukui = [e.id for e in seed.nodes.values() if isinstance(e, Event) and "in福井" in e.title]
    assert len(fukui) == 1 and fukui[0] not in held
    assert fy2019.stage.later is not None and fy2019.stage.later >= 2


def test_seed_relay_lecture_third_run_makes_it_recur(seed: GraphData) -> None:
    ksn = node_named(seed, Community, "関西サイバーセキュリティ・ネットワーク")
    relay = node_named(seed, EventSeries, "サイバーセキュリティ・リレー講座")
    fy2020 = changes_between(seed, dt.date(2020, 3, 31), dt.date(2021, 3, 31), Scope(community=ksn)).community(ksn)
    assert any(e.series_id == relay for e in fy2020.events)
    recurring = next(r for r in fy2020.stage.rules if r.rule_id == "s3-recurring")
    assert (recurring.earlier_value, recurring.later_value, recurring.later_met) == (1, 2, True)


def test_same_answer_from_both_stores(seed_loaded: GraphData, seed: GraphData) -> None:
    dates = (dt.date(2019, 3, 31), dt.date(2021, 3, 31))
    assert changes_between(seed_loaded, *dates).model_dump_json() == changes_between(seed, *dates).model_dump_json()
