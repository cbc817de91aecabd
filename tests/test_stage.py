"""The three-stage engagement approach: a community planted at each stage, the hand-over of
practice 5, rules as data, and what the seed documents say about Kansai SEC-net and the JNSA series."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from secgraph.analysis.activity import ActivityIndex, event_fiscal_year, months_before
from secgraph.analysis.health import network_health
from secgraph.analysis.network import Scope
from secgraph.analysis.stage.results import engagement_stage
from secgraph.analysis.stage.rules import DEFAULT_RULES, RULES_FILE, StageRules
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, EventSeries
from tests.builders import GraphBuilder


def four_stages() -> GraphData:
    """Four communities, one at each stage; c0, c1 and c3 in Osaka/Kyoto (Kinki), c2 in Fukuoka."""
    return (
        GraphBuilder()
        # Stage 0: one member, nobody convenes, nothing held.
        .community("c0", prefectures=["27"])
        .org("a0", "sme", "27")
        .tie("MEMBER_OF", "a0", "c0", member_class="corporate")
        # Stage 1: a convener, one-to-one ties, a long list, key-person candidates; one event with
        # a single speaker, so no joint event and no tie among the bodies.
        .community("c1", prefectures=["27"])
        .org("s1", "meti_bureau")
        .org("a1", "sme", "27")
        .org("b1", "university", "27")
        .org("d1", "chamber_of_commerce", "27")
        .org("l1", "insurer", "27")
        .org("l2", "police", "27")
        .person("p1", works_at="b1")
        .tie("SECRETARIAT_OF", "s1", "c1")
        .tie("MEMBER_OF", "a1", "c1", member_class="corporate")
        .tie("MEMBER_OF", "b1", "c1", member_class="officer")
        .tie("MEMBER_OF", "d1", "c1", member_class="corporate")
        .tie("LONG_LISTED", "l1", "c1", status="prospect")
        .tie("LONG_LISTED", "l2", "c1", status="contacted")
        .tie("CONTACTED", "s1", "l2", start="2020-05-01")
        .event("e1", "2020-06-01", prefecture="27")
        .tie("ORGANISED", "c1", "e1")
        .tie("SPOKE_AT", "p1", "e1")
        # Stage 2: a joint event with three bodies of three sector groups, and a series held in
        # one fiscal year only.
        .community("c2", prefectures=["40"])
        .org("s2", "mic_bureau")
        .org("a2", "it_vendor", "40")
        .org("b2", "university", "40")
        .org("d2", "prefecture", "40")
        .person("p2", works_at="b2")
        .tie("SECRETARIAT_OF", "s2", "c2")
        .tie("MEMBER_OF", "a2", "c2")
        .tie("MEMBER_OF", "b2", "c2")
        .tie("MEMBER_OF", "d2", "c2")
        .series("ser2")
        .event("e2", "2020-07-01", series="ser2", edition=1, attendees=40)
        .event("e2b", "2020-11-01", series="ser2", edition=2, attendees=30)
        .tie("ORGANISED", "c2", "ser2")
        .tie("CO_HOSTED", "a2", "e2")
        .tie("SUPPORTED", "d2", "e2")
        .tie("SPOKE_AT", "p2", "e2")
        # Stage 3: the same, and the series recurs in a second fiscal year run by the community
        # with a member as co-host.
        .community("c3", prefectures=["26"])
        .org("s3", "npo", "26")
        .org("a3", "security_vendor", "26")
        .org("b3", "kosen", "26")
        .org("d3", "municipality", "26")
        .person("p3", works_at="b3")
        .tie("SECRETARIAT_OF", "s3", "c3")
        .tie("MEMBER_OF", "a3", "c3")
        .tie("MEMBER_OF", "b3", "c3")
        .tie("MEMBER_OF", "d3", "c3")
        .series("ser3")
        .event("e3a", "2019-06-01", series="ser3", edition=1)
        .event("e3b", "2020-06-01", series="ser3", edition=2)
        .tie("ORGANISED", "c3", "e3a")
        .tie("CO_HOSTED", "a3", "e3a")
        .tie("SUPPORTED", "d3", "e3a")
        .tie("SPOKE_AT", "p3", "e3a")
        .tie("ORGANISED", "c3", "e3b")
        .tie("CO_HOSTED", "a3", "e3b")
        .build()
    )


def ids_of(result_rule: object) -> set[str]:
    return {i for e in result_rule.evidence for i in e.ids}  # type: ignore[attr-defined]


def test_each_planted_community_is_at_its_stage() -> None:
    result = engagement_stage(four_stages())
    assert {c.community_id: c.stage for c in result.communities} == {"c0": 0, "c1": 1, "c2": 2, "c3": 3}
    assert [c.community_id for c in result.communities] == ["c0", "c1", "c2", "c3"]
    c3 = result.community("c3")
    assert (c3.stage_ja, c3.next_stage, c3.missing, c3.advice) == ("第3段階 定番化", None, [], [])
    # One summary item per rule met, carrying the ids behind it.
    assert len(c3.evidence) == len(DEFAULT_RULES.rules) and all(e.kind == "rule" for e in c3.evidence)


def test_stage_zero_lacks_every_stage_one_rule() -> None:
    c0 = engagement_stage(four_stages()).community("c0")
    assert c0.next_stage == 1
    assert c0.missing == ["s1-convener", "s1-one-to-one", "s1-long-list", "s1-key-persons"]
    assert [r.value for r in c0.rules[:4]] == [0, 1, 1, 0]
    assert c0.evidence == []
    assert len(c0.advice) == 4 and c0.advice[0].ja.startswith("事務局がいる（現在 0団体、基準 1以上）")


def test_stage_one_evidence_and_what_is_missing() -> None:
    c1 = engagement_stage(four_stages()).community("c1")
    values = {r.rule_id: r.value for r in c1.rules}
    # Members a1, b1, d1 and the contacted l2; the prospect l1 is on the long list only.
    assert values["s1-one-to-one"] == 4 and {"a1", "b1", "d1", "l2"} <= ids_of(c1.rule("s1-one-to-one"))
    assert "l1" not in ids_of(c1.rule("s1-one-to-one"))
    assert values["s1-long-list"] == 5 and {"a1", "b1", "d1", "l1", "l2"} <= ids_of(c1.rule("s1-long-list"))
    # The officer b1, the speaker p1 and l2, met one-to-one; the secretariat never counts as a candidate.
    assert values["s1-key-persons"] == 3 and {"b1", "p1", "l2"} <= ids_of(c1.rule("s1-key-persons"))
    assert "s1" in ids_of(c1.rule("s1-convener")) and "s1" not in ids_of(c1.rule("s1-key-persons"))
    # p1's only tie is to where they work: that is no tie between bodies.
    assert (values["s2-joint-event"], values["s2-ties-among-bodies"]) == (0, 0)
    assert c1.missing == ["s2-joint-event", "s2-ties-among-bodies"]
    assert any("最も近いイベントは「e1」（1の団体・個人" in a.ja for a in c1.advice)


def test_stage_two_joint_event_and_a_series_of_one_fiscal_year() -> None:
    c2 = engagement_stage(four_stages()).community("c2")
    joint = c2.rule("s2-joint-event")
    assert joint.value == 1 and {"e2", "a2", "d2", "p2"} <= ids_of(joint)
    assert joint.evidence[0].ja == "e2（2020-07-01）: 3の団体・個人が役割、学・官・産"
    # The three co-participants tie pairwise: a2–d2, a2–p2, d2–p2.
    assert c2.rule("s2-ties-among-bodies").value == 3
    recurring = c2.rule("s3-recurring")
    assert recurring.value == 1 and not recurring.met
    assert "2020年度（1年度のみ）" in recurring.evidence[0].ja and {"ser2", "e2", "e2b"} <= ids_of(recurring)
    assert c2.missing == ["s3-recurring", "s3-co-run", "s3-self-run"]
    assert any("定番化の候補" in a.ja and "ser2" in a.ja for a in c2.advice)


def test_stage_three_series_recurs_co_run_and_self_run() -> None:
    c3 = engagement_stage(four_stages()).community("c3")
    for rule_id in ("s3-recurring", "s3-co-run", "s3-self-run"):
        assert c3.rule(rule_id).value == 2 and {"ser3", "e3a", "e3b"} <= ids_of(c3.rule(rule_id))
    assert "コア機関・キーパーソン: a3" in c3.rule("s3-co-run").evidence[0].ja
    assert "初年度より後の主催・共催: a3、c3" in c3.rule("s3-self-run").evidence[0].ja


def test_the_date_cuts_the_second_fiscal_year_away() -> None:
    before = engagement_stage(four_stages(), Scope(as_of=dt.date(2020, 5, 1)))
    c3 = before.community("c3")
    assert c3.stage == 2 and c3.rule("s3-recurring").value == 1
    assert before.as_of == dt.date(2020, 5, 1)
    # c1's event (June 2020) has not happened yet, so p1 is no key-person candidate (b1 and l2 are).
    assert before.community("c1").rule("s1-key-persons").value == 2


def test_without_a_date_the_latest_date_in_the_data_is_now() -> None:
    data = (
        GraphBuilder()
        .community("c", prefectures=["13"])
        .org("s", "npo", "13")
        .org("a", "sme", "13")
        .org("b", "sme", "13")
        .org("gone", "sme", "13")
        .tie("SECRETARIAT_OF", "s", "c", start="2019-04-01")
        .tie("MEMBER_OF", "a", "c", start="2019-04-01")
        .tie("MEMBER_OF", "b", "c", start="2019-04-01")
        .tie("MEMBER_OF", "gone", "c", start="2019-04-01", end="2020-12-31")
        .event("later", "2021-02-01")
        .tie("ORGANISED", "c", "later", start="2021-02-01")
        .build()
    )
    now = engagement_stage(data)
    assert now.as_of == dt.date(2021, 2, 1) and now.community("c").rule("s1-one-to-one").value == 2
    then = engagement_stage(data, Scope(as_of=dt.date(2020, 6, 1))).community("c")
    assert then.rule("s1-one-to-one").value == 3


def hand_over() -> GraphData:
    """Practice 5: a METI bureau hosts year 1 with the community co-hosting; the community runs
    year 2 and a member runs year 3. A second series stays with the bureau."""
    return (
        GraphBuilder()
        .community("h", prefectures=["03"])
        .org("sec", "npo", "03")
        .org("m1", "sme", "03")
        .org("m2", "university", "03")
        .org("m3", "prefecture", "03")
        .org("pub", "meti_bureau")
        .person("prof", works_at="m2")
        .tie("SECRETARIAT_OF", "sec", "h")
        .tie("MEMBER_OF", "m1", "h")
        .tie("MEMBER_OF", "m2", "h")
        .tie("MEMBER_OF", "m3", "h")
        .series("hs")
        .event("hs1", "2019-10-23", series="hs", edition=1)
        .event("hs2", "2020-10-21", series="hs", edition=2)
        .event("hs3", "2021-10-20", series="hs", edition=3)
        .tie("ORGANISED", "pub", "hs1")
        .tie("CO_HOSTED", "h", "hs1")
        .tie("CO_HOSTED", "m3", "hs1")
        .tie("SPOKE_AT", "prof", "hs1")
        .tie("ORGANISED", "h", "hs2")
        .tie("CO_HOSTED", "m1", "hs2")
        .tie("ORGANISED", "m1", "hs3")
        .series("kept")
        .event("k1", "2019-12-01", series="kept", edition=1)
        .event("k2", "2020-12-01", series="kept", edition=2)
        .tie("ORGANISED", "pub", "k1")
        .tie("CO_HOSTED", "h", "k1")
        .tie("SPOKE_AT", "prof", "k1")
        .tie("ORGANISED", "pub", "k2")
        .build()
    )


def test_hand_over_from_a_public_body_to_the_community() -> None:
    result = engagement_stage(hand_over()).community("h")
    self_run = result.rule("s3-self-run")
    assert self_run.value == 3 and self_run.met
    handed, kept = self_run.evidence
    assert {"hs", "hs1", "hs2", "hs3"} <= set(handed.ids)
    assert "引継ぎ: 初年度はpubが主催" in handed.ja and "hand-over: pub hosted the first year" in handed.en
    assert "初年度より後の主催・共催: h、m1" in handed.ja
    # The bureau's own series recurs and is co-run (by the professor) but never handed over.
    assert set(kept.ids) >= {"kept", "k1", "k2"} and "対象外: 初年度より後の回を公的機関などが主催" in kept.ja
    assert result.rule("s3-recurring").value == 3 and result.stage == 3


def test_a_series_the_public_body_keeps_is_advised_to_be_handed_over() -> None:
    data = hand_over()
    for rel_id in [r.id for r in data.relationships.values() if r.to_id in ("hs2", "hs3")]:
        del data.relationships[rel_id]
    result = engagement_stage(data).community("h")
    assert result.rule("s3-self-run").value == 0 and result.stage == 2
    assert any("「kept」を次年度からコミュニティが主催する形に引き継ぐ" in a.ja for a in result.advice)


def test_secretariat_runs_events_for_the_community_only_when_they_are_its_own() -> None:
    data = (
        GraphBuilder()
        .community("alone", prefectures=["13"])
        .community("shared1", prefectures=["13"])
        .community("shared2", prefectures=["13"])
        .org("solo", "npo", "13")
        .org("both", "meti_bureau")
        .org("m", "sme", "13")
        .tie("SECRETARIAT_OF", "solo", "alone")
        .tie("SECRETARIAT_OF", "both", "shared1")
        .tie("SECRETARIAT_OF", "both", "shared2")
        .tie("MEMBER_OF", "m", "shared1")
        .event("by-solo", "2020-05-01")
        .event("by-both", "2020-06-01")
        .event("with-m", "2020-07-01")
        .event("other-community", "2020-08-01")
        .tie("ORGANISED", "solo", "by-solo")
        .tie("ORGANISED", "both", "by-both")
        .tie("ORGANISED", "both", "with-m")
        .tie("SPOKE_AT", "m", "with-m")
        .tie("ORGANISED", "both", "other-community")
        .tie("CO_HOSTED", "shared2", "other-community")
        .build()
    )
    index = ActivityIndex(data)
    assert [e.id for e in index.activity("alone").events] == ["by-solo"]
    assert [e.id for e in index.activity("shared1").events] == ["with-m"]
    assert [e.id for e in index.activity("shared2").events] == ["other-community"]


def test_areas_give_the_best_and_the_typical_community() -> None:
    result = engagement_stage(four_stages())
    kinki = next(a for a in result.areas if a.area == "mic-kinki")
    assert (kinki.communities, kinki.best_stage, kinki.best_communities) == (["c0", "c1", "c3"], 3, ["c3"])
    assert kinki.typical_stage == 1 and kinki.distribution == {0: 1, 1: 1, 2: 0, 3: 1}
    assert "最も進んでいるのは第3段階 定番化: c3" in kinki.evidence[0].ja
    kanto = next(a for a in result.areas if a.area == "mic-kanto")
    assert kanto.best_stage is None and kanto.communities == [] and "第1段階から始める" in kanto.advice[0].ja
    assert [a.area for a in result.areas][:3] == ["mic-hokkaido", "mic-tohoku", "mic-kanto"]
    one = engagement_stage(four_stages(), Scope(region="mic-kyushu"))
    assert [c.community_id for c in one.communities] == ["c2"] and [a.area for a in one.areas] == ["mic-kyushu"]


def test_scope_to_one_community() -> None:
    result = engagement_stage(four_stages(), Scope(community="c2"))
    assert [c.community_id for c in result.communities] == ["c2"] and result.areas == []
    with pytest.raises(KeyError):
        engagement_stage(four_stages(), Scope(community="nowhere"))


# -- rules as data ---------------------------------------------------------------------------


def test_the_rules_are_a_file_a_user_reads() -> None:
    raw = json.loads(Path(RULES_FILE).read_text(encoding="utf-8"))
    assert StageRules.model_validate(raw) == DEFAULT_RULES
    assert {r.stage for r in DEFAULT_RULES.rules} == {1, 2, 3}
    for rule in DEFAULT_RULES.rules:
        assert rule.ja and rule.en and rule.advice_ja and rule.advice_en and rule.measure and rule.unit_ja
    assert [label.stage for label in DEFAULT_RULES.stages] == [0, 1, 2, 3]


def test_other_thresholds_move_the_stage() -> None:
    stricter = DEFAULT_RULES.adjusted(thresholds={"s3-recurring": 3, "s3-co-run": 3, "s3-self-run": 3})
    assert engagement_stage(four_stages(), rules=stricter).community("c3").stage == 2
    four_groups = DEFAULT_RULES.adjusted(params={"s2-joint-event": {"min_sector_groups": 4}})
    c2 = engagement_stage(four_stages(), rules=four_groups).community("c2")
    assert c2.stage == 1 and "4つ以上のセクター群" in c2.rule("s2-joint-event").ja
    looser = DEFAULT_RULES.adjusted(thresholds={"s1-one-to-one": 1, "s1-long-list": 1})
    assert DEFAULT_RULES.rules[1].threshold == 3  # the defaults are untouched
    assert engagement_stage(four_stages(), rules=looser).community("c0").missing == ["s1-convener", "s1-key-persons"]


def test_bad_rules_are_refused() -> None:
    raw = DEFAULT_RULES.model_dump()
    raw["rules"][0]["measure"] = "vibes"
    with pytest.raises(ValidationError, match="unknown measure 'vibes'"):
        StageRules.model_validate(raw)
    with pytest.raises(KeyError, match="s9-nothing"):
        DEFAULT_RULES.adjusted(thresholds={"s9-nothing": 1})


def test_rules_from_another_file(tmp_path: Path) -> None:
    raw = DEFAULT_RULES.model_dump()
    raw["rules"] = [r for r in raw["rules"] if r["stage"] != 2]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    # Without stage-2 rules, stage 2 is reached by stage 1 alone.
    assert engagement_stage(four_stages(), rules=StageRules.from_file(path)).community("c1").stage == 2


def test_fiscal_years_and_months() -> None:
    def event(start: str) -> Event:
        return Event(id="e", title="e", event_type="seminar", start=start, source="t", as_of="2020")

    assert [event_fiscal_year(event(s)) for s in ("2020-03-31", "2020-04-01", "2020-03", "2018")] == [
        2019,
        2020,
        2019,
        2018,
    ]
    assert months_before(dt.date(2021, 3, 31), 1) == dt.date(2021, 2, 28)
    assert months_before(dt.date(2021, 3, 4), 12) == dt.date(2020, 3, 4)


# -- the seed data ---------------------------------------------------------------------------


def named(data: GraphData, kind: type, text: str) -> str:
    found = [n.id for n in data.nodes.values() if isinstance(n, kind) and text in n.display_name()]
    assert len(found) == 1, found
    return found[0]


def test_seed_every_community_gets_a_stage_with_evidence(seed: GraphData) -> None:
    result = engagement_stage(seed)
    communities = [n for n in seed.nodes.values() if isinstance(n, Community)]
    assert len(result.communities) == len(communities) > 30
    for placed in result.communities:
        assert 0 <= placed.stage <= 3 and len(placed.rules) == len(DEFAULT_RULES.rules)
        assert len(placed.evidence) == sum(r.met for r in placed.rules)
        assert all(r.evidence for r in placed.rules)  # met or not, every rule says what it saw
        assert placed.stage == 3 or (placed.missing and placed.advice)
    assert {c.stage for c in result.communities} >= {0, 1, 2, 3}


def test_seed_kansai_secnet_holds_joint_events_with_several_sectors(seed: GraphData) -> None:
    """Seed 003: the city seminars are run by SEC-net with the local chamber of commerce as co-host
    and panellists from vendors and universities."""
    ksn = named(seed, Community, "関西サイバーセキュリティ・ネットワーク")
    placed = engagement_stage(seed, Scope(community=ksn)).community(ksn)
    assert placed.stage >= 2
    joint = placed.rule("s2-joint-event")
    osaka_seminar = named(seed, Event, "地域別講座(中小企業向け)大阪会場")
    assert joint.value >= 3 and osaka_seminar in ids_of(joint)
    chamber = next(n.id for n in seed.nodes.values() if n.display_name() == "大阪商工会議所")
    assert chamber in ids_of(joint)
    assert any("学" in e.ja and "産" in e.ja for e in joint.evidence)
    assert placed.rule("s2-ties-among-bodies").met


def test_seed_relay_lecture_recurs_across_fiscal_years(seed: GraphData) -> None:
    """Seed 003/001: the relay lecture's 2nd run was Aug-Sep 2019 and the 3rd in 2020."""
    ksn = named(seed, Community, "関西サイバーセキュリティ・ネットワーク")
    relay = named(seed, EventSeries, "サイバーセキュリティ・リレー講座")
    recurring = engagement_stage(seed, Scope(community=ksn)).community(ksn).rule("s3-recurring")
    assert recurring.met and relay in recurring.evidence[0].ids
    assert "2019年度・2020年度" in recurring.evidence[0].ja


def test_seed_jnsa_seminars_recur_within_one_fiscal_year_only(seed: GraphData) -> None:
    """Seed 004: 17 seminars in 16 cities, all in FY2008 (Feb-Mar 2009): recurring, but not across
    fiscal years, so the programme is not at stage 3 by this series."""
    series = named(seed, EventSeries, "中小企業向け指導者育成セミナー")
    editions = [n for n in seed.nodes.values() if isinstance(n, Event) and n.series_id == series]
    assert len(editions) == 17 and {event_fiscal_year(e) for e in editions} == {2008}
    programme = next(
        n.id
        for n in seed.nodes.values()
        if isinstance(n, Community) and n.name == "中小企業情報セキュリティ対策促進事業"
    )
    placed = engagement_stage(seed).community(programme)
    recurring = placed.rule("s3-recurring")
    assert not recurring.met and recurring.value == 1 and placed.stage < 3
    line = next(e for e in recurring.evidence if series in e.ids)
    assert "日付のある開催17回。計2008年度（1年度のみ）" in line.ja and "one fiscal year only" in line.en
    # Seventeen editions with the chambers and METI in roles: joint events, so stage 2.
    assert placed.stage == 2 and placed.rule("s2-joint-event").value == 17
    # Counting editions within a year as recurrence would make it stage 3: it is the fiscal-year rule.
    one_year = DEFAULT_RULES.adjusted(thresholds={"s3-recurring": 1, "s3-co-run": 1})
    assert engagement_stage(seed, rules=one_year).community(programme).rule("s3-recurring").met


def test_same_answer_from_both_stores(seed_loaded: GraphData, seed: GraphData) -> None:
    assert engagement_stage(seed_loaded).model_dump_json() == engagement_stage(seed).model_dump_json()


# -- the highest stage met, gaps, no evidence, stated cadences --------------------------------


def routine_without_long_list() -> GraphData:
    """A volunteer series run by its organiser every fiscal year, with one person as its only
    member and no joint event: stage 3's own rules are met, stage 1's long list is not."""
    return (
        GraphBuilder()
        .community("lt", prefectures=["27"])
        .org("committee", "grassroots_community", "27")
        .person("organiser")
        .tie("SECRETARIAT_OF", "committee", "lt")
        .tie("MEMBER_OF", "organiser", "lt", member_class="individual")
        .series("talks")
        .event("t1", "2018-06-13", series="talks", edition=1)
        .event("t2", "2019-06-12", series="talks", edition=2)
        .tie("ORGANISED", "lt", "talks")
        .tie("SPOKE_AT", "organiser", "t1")
        .tie("SPOKE_AT", "organiser", "t2")
        .community("empty", prefectures=["27"])
        .build()
    )


def test_stage_is_the_highest_whose_own_rules_are_met_and_earlier_gaps_are_reported() -> None:
    result = engagement_stage(routine_without_long_list())
    lt = result.community("lt")
    assert lt.stage == 3 and lt.recorded and lt.next_stage is None
    assert not lt.rule("s1-long-list").met and not lt.rule("s2-joint-event").met
    assert lt.gaps == ["s1-one-to-one", "s1-long-list", "s2-joint-event", "s2-ties-among-bodies"]
    assert lt.summary_ja.startswith("第3段階 定番化。ただし")
    assert "ロングリストが基準未満（1団体・個人、基準 3以上）" in lt.gaps_ja
    assert "共同イベントの記録なし" in lt.gaps_ja and "no joint event recorded" in lt.gaps_en
    # What would fill the gaps is advised, as for the next stage.
    assert any(a.ja.startswith("地域関係機関のロングリストがある（現在 1団体・個人") for a in lt.advice)
    # Strict accumulation would have put it at stage 0: the rules of stage 1 are what is missing.
    assert {r.rule_id for r in lt.rules if not r.met} == set(lt.gaps)


def test_nothing_recorded_is_no_evidence_not_stage_zero() -> None:
    result = engagement_stage(routine_without_long_list())
    empty = result.community("empty")
    assert (empty.stage, empty.recorded, empty.stage_ja, empty.stage_en) == (
        0,
        False,
        "記録なし",
        "no evidence recorded",
    )
    assert all(r.value == 0 for r in empty.rules) and empty.gaps == []
    # One member is a record: stage 0, not started.
    member_only = engagement_stage(
        GraphBuilder().community("c").org("a", "sme", "13").tie("MEMBER_OF", "a", "c").build()
    ).community("c")
    assert (member_only.recorded, member_only.stage_ja) == (True, "第0段階 未着手")


def test_bodies_met_one_to_one_make_stage_one() -> None:
    """A secretariat that visited three bodies (two contacts, one long-listed and engaged) has done
    stage 1 without members or events: they are its one-to-one ties, long list and key-person candidates."""
    data = (
        GraphBuilder()
        .community("c", prefectures=["40"])
        .org("bureau", "meti_bureau")
        .org("u", "university", "40")
        .org("cci", "chamber_of_commerce", "40")
        .org("pref", "prefecture", "40")
        .org("prospect", "insurer", "40")
        .tie("SECRETARIAT_OF", "bureau", "c")
        .tie("CONTACTED", "bureau", "u")
        .tie("CONTACTED", "c", "cci")
        .tie("LONG_LISTED", "pref", "c", status="engaged")
        .tie("LONG_LISTED", "prospect", "c", status="prospect")
        .build()
    )
    placed = engagement_stage(data).community("c")
    assert placed.stage == 1 and placed.gaps == []
    key_persons = placed.rule("s1-key-persons")
    assert key_persons.value == 3 and {"u", "cci", "pref"} <= ids_of(key_persons)
    assert "prospect" not in ids_of(key_persons)
    assert any(e.ja.startswith("1対1で接触した団体・個人 3") for e in key_persons.evidence)


def stated_series(**fields: str) -> GraphData:
    """A council whose seminars a document states (no dated edition), supported by the prefecture."""
    return (
        GraphBuilder()
        .community("council", prefectures=["46"], founded="2017-07")
        .org("pref", "prefecture", "46")
        .series("seminars", as_of="2021-02", **fields)
        .tie("ORGANISED", "council", "seminars")
        .tie("SUPPORTED", "pref", "seminars")
        .build()
    )


def test_a_stated_cadence_counts_its_fiscal_years_as_stated_editions() -> None:
    placed = engagement_stage(stated_series(cadence="年2回", since="2017-07")).community("council")
    recurring = placed.rule("s3-recurring")
    # FY2017 to FY2020 (the statement was observed in Feb 2021), none of them dated.
    assert recurring.value == 4 and recurring.met
    line = recurring.evidence[0]
    assert "日付のある開催0回、記載による開催（日付なし）: 年2回、2017-07〜" in line.ja and "2017〜2020年度" in line.ja
    assert "stated, not dated: twice a year" in line.en
    # Supported across the stated years, the prefecture runs it with the council; the council runs it itself.
    assert "コア機関・キーパーソン: pref" in placed.rule("s3-co-run").evidence[0].ja
    assert placed.rule("s3-self-run").value == 4 and placed.stage == 3
    # On an earlier date only the years up to it are stated.
    then = engagement_stage(stated_series(cadence="年2回", since="2017-07"), Scope(as_of=dt.date(2018, 6, 1)))
    assert then.community("council").rule("s3-recurring").value == 2


def test_a_stated_cadence_without_a_start_or_before_the_community_holds_only_its_years() -> None:
    # No start stated: only the year the statement was observed.
    no_start = engagement_stage(stated_series(cadence="毎週")).community("council")
    assert no_start.rule("s3-recurring").value == 1 and no_start.stage < 3
    # A start before the community was founded counts from its founding (FY2017), not from 2010.
    early = engagement_stage(stated_series(cadence="monthly", since="2010")).community("council")
    assert early.rule("s3-recurring").value == 4
    # Without a cadence a series without dated editions holds nothing.
    undated = engagement_stage(stated_series(since="2017")).community("council")
    assert undated.rule("s3-recurring").value == 0


# -- dates mean what they say: a community's events lie within its life ------------------------


def secretariat_older_than_community() -> GraphData:
    """A national body is the only secretariat of a consortium founded in November 2020; it ran a
    seminar series since 2017 on its own, and one seminar in 2021 after the consortium existed.
    A programme with no founding date first appears with a 2019 event it organised itself."""
    return (
        GraphBuilder()
        .community("consortium", founded="2020-11")
        .org("agency", "national_agency")
        .org("vendor", "security_vendor", "13")
        .tie("SECRETARIAT_OF", "agency", "consortium", start="2020-11-01")
        .tie("MEMBER_OF", "vendor", "consortium", start="2020-11-01")
        .series("agency-seminars")
        .event("s2017", "2017-06-01", series="agency-seminars", edition=1, attendees=300)
        .event("s2018", "2018-06-01", series="agency-seminars", edition=2, attendees=200)
        .event("s2021", "2021-02-01", series="agency-seminars", edition=3, attendees=50)
        .tie("ORGANISED", "agency", "agency-seminars")
        .event("old-one-off", "2016-10-01")
        .tie("ORGANISED", "agency", "old-one-off")
        .community("programme")
        .event("p2019", "2019-09-01")
        .tie("ORGANISED", "programme", "p2019")
        .build()
    )


def test_events_count_for_a_community_only_within_its_life() -> None:
    index = ActivityIndex(secretariat_older_than_community())
    consortium = index.activity("consortium")
    assert consortium.life_start == dt.date(2020, 11, 1)
    assert [e.id for e in consortium.events] == ["s2021"]
    placed = engagement_stage(secretariat_older_than_community()).community("consortium")
    assert placed.rule("s3-recurring").value == 1  # FY2020 only, not FY2017-FY2020
    # Without a founding date the first own record starts the life: the 2019 event it organised.
    programme = index.activity("programme")
    assert programme.life_start == dt.date(2019, 9, 1) and [e.id for e in programme.events] == ["p2019"]


def test_health_reads_only_events_within_the_community_life() -> None:
    health = network_health(secretariat_older_than_community()).community("consortium")
    # One edition within the life: no trend from the agency's 2017-2018 audiences.
    assert health.indicator("attendance_trend").value is None
    continuity = health.indicator("series_continuity")
    assert continuity.details["series"]["agency-seminars"]["fiscal_years"] == [2020]
