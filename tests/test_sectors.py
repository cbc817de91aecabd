"""Missing sectors and whom to approach: planted graphs with known answers, the seed data, both stores."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from secgraph.analysis.facts import sector_need
from secgraph.analysis.health import network_health
from secgraph.analysis.network import Scope
from secgraph.analysis.network_index import network_index
from secgraph.analysis.sectors import (
    JURISDICTION_LABELS,
    MissingSectors,
    NeedCoverage,
    missing_sectors,
    resource_allocation_to,
)
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.model.names import name_key
from secgraph.model.records import Community, Headcount
from tests.builders import GraphBuilder, P


def community_named(data: GraphData, name: str) -> Community:
    """The one community whose name, abbreviation or alias is ``name``."""
    key = name_key(name)
    found = [
        n
        for n in data.nodes.values()
        if isinstance(n, Community) and key in {name_key(x) for x in (n.name, n.abbreviation or "", *n.aliases)}
    ]
    assert len(found) == 1, name
    return found[0]


def need(result: MissingSectors, subject_id: str, code: str) -> NeedCoverage:
    subject = next(s for s in [*result.communities, *result.regions] if s.subject_id == subject_id)
    return next(n for n in subject.needs if n.code == code)


# ---------------------------------------------------------------------------------------------- planted


def osaka() -> GraphBuilder:
    """An Osaka community with no police, and police bodies tied to it in different ways."""
    return (
        GraphBuilder()
        .org("meti-kinki", "meti_bureau")
        .org("osaka-u", "university", "27")
        .org("osaka-sme", "sme", "27")
        .community("osaka-net", "mic-kinki", ["27"])
        .tie("SECRETARIAT_OF", "meti-kinki", "osaka-net")
        .tie("MEMBER_OF", "osaka-u", "osaka-net")
        .tie("MEMBER_OF", "osaka-sme", "osaka-net")
        # The planted best partner: in Osaka, and at a seminar with a member.
        .org("osaka-police", "police", "27")
        .event("seminar", "2020-10-01", prefecture="27")
        .tie("SPOKE_AT", "osaka-police", "seminar")
        .tie("ATTENDED", "osaka-u", "seminar")
        # In Osaka, no tie.
        .org("osaka-police-hq", "police", "27")
        # A shared event, but in Fukuoka.
        .org("fukuoka-police", "police", "40")
        .event("fukuoka-seminar", "2020-11-01", prefecture="40")
        .tie("SPOKE_AT", "fukuoka-police", "fukuoka-seminar")
        .tie("ATTENDED", "osaka-sme", "fukuoka-seminar")
        # A national police body active in two other communities.
        .org("npa", "police")
        .community("other-1", "mic-kanto")
        .community("other-2", "mic-tohoku")
        .tie("MEMBER_OF", "npa", "other-1")
        .tie("MEMBER_OF", "npa", "other-2")
        # A police body in Hokkaido with no tie here: no lead.
        .org("hokkaido-police", "police", "01")
    )


def test_the_planted_best_partner_is_ranked_first() -> None:
    result = missing_sectors(osaka().build(), Scope(community="osaka-net"))
    police = need(result, "osaka-net", "police")
    assert not police.met
    ranked = [s.organisation_id for s in police.suggestions]
    # Osaka's own police by score, then the national body; Fukuoka's police is not Osaka's to ask,
    # though it shares an event with a member.
    assert ranked == ["osaka-police", "osaka-police-hq", "npa"]
    best = police.suggestions[0]
    assert best.proximity == "same_prefecture" and best.jurisdiction == "own_prefecture" and best.in_graph
    assert best.tied_members == ["osaka-u"] and best.shared_events == ["seminar"]
    assert best.reasons and best.advice.ja and best.advice.en


def test_the_ranking_reasons_are_the_ones_planted() -> None:
    police = need(missing_sectors(osaka().build(), Scope(community="osaka-net")), "osaka-net", "police")
    by_id = {s.organisation_id: s for s in police.suggestions}
    assert by_id["osaka-police-hq"].proximity == "same_prefecture" and not by_id["osaka-police-hq"].tied_members
    assert by_id["npa"].communities == 2 and by_id["npa"].proximity is None
    assert by_id["npa"].jurisdiction == "national" and by_id["npa"].jurisdiction_prefectures == []
    assert "全国の機関" in by_id["npa"].reasons[0].ja and "national body" in by_id["npa"].reasons[0].en


def test_the_limit_keeps_the_best() -> None:
    police = need(
        missing_sectors(osaka().build(), Scope(community="osaka-net"), suggestions_per_sector=2), "osaka-net", "police"
    )
    assert [s.organisation_id for s in police.suggestions] == ["osaka-police", "osaka-police-hq"]


# ---------------------------------------------------------------------------------------------- jurisdiction


def osaka_community() -> GraphBuilder:
    """A community in Osaka (MIC Kinki) whose members are an Osaka firm and an Osaka university."""
    return (
        GraphBuilder()
        .org("firm", "sme", "27")
        .org("uni", "university", "27")
        .community("c", "mic-kinki", ["27"])
        .tie("MEMBER_OF", "firm", "c")
        .tie("MEMBER_OF", "uni", "c")
        .event("forum", "2020-10-01", prefecture="27")
        .tie("ATTENDED", "firm", "forum")
    )


def ids(coverage: NeedCoverage) -> list[str | None]:
    return [s.organisation_id for s in coverage.suggestions]


def test_police_are_suggested_from_the_communitys_own_prefecture_only() -> None:
    """Police in Osaka, in Hyogo (same MIC and METI area) and in Fukuoka, all at the members' event."""
    data = osaka_community()
    for org_id, prefecture in (("osaka-pd", "27"), ("hyogo-pd", "28"), ("fukuoka-pd", "40")):
        data = data.org(org_id, "police", prefecture).tie("SPOKE_AT", org_id, "forum")
    police = need(missing_sectors(data.build(), Scope(community="c")), "c", "police")
    assert ids(police) == ["osaka-pd"]
    assert police.suggestions[0].jurisdiction == "own_prefecture" and police.suggestions[0].in_graph


def test_with_no_police_of_its_prefecture_in_the_graph_the_directorys_is_suggested_not_yet_in_the_graph() -> None:
    data = osaka_community().org("hyogo-pd", "police", "28").tie("SPOKE_AT", "hyogo-pd", "forum").build()
    (suggestion,) = need(missing_sectors(data, Scope(community="c")), "c", "police").suggestions
    assert suggestion.name == "大阪府警察" and suggestion.organisation_id is None and not suggestion.in_graph
    assert suggestion.prefecture == "27" and suggestion.jurisdiction == "own_prefecture"
    assert suggestion.source == "警察庁 都道府県警察一覧" and suggestion.source_as_of == "2025-04-01"
    assert suggestion.reasons[0].ja.startswith("【未登録】大阪府警察は公的機関名簿にあるがグラフにない（出典: 警察庁")
    assert suggestion.reasons[0].en.startswith("[not yet in the graph] Osaka Prefectural Police (大阪府警察)")
    assert "未登録" in suggestion.advice.ja and "not yet in the graph" in suggestion.advice.en
    assert suggestion.label("ja") == "大阪府警察（未登録）"
    assert suggestion.label("en") == "大阪府警察 (not yet in the graph)"


def test_a_body_in_the_graph_under_another_spelling_is_suggested_as_itself() -> None:
    """「大阪府警」 with no prefecture is the directory's 大阪府警察 (an alias): placed in Osaka, not 未登録."""
    data = osaka_community().org("fukei", "police", name="大阪府警").tie("SPOKE_AT", "fukei", "forum").build()
    police = need(missing_sectors(data, Scope(community="c")), "c", "police")
    assert ids(police) == ["fukei"]
    (suggestion,) = police.suggestions
    assert suggestion.in_graph and suggestion.jurisdiction == "own_prefecture"
    assert suggestion.jurisdiction_prefectures == ["27"] and suggestion.proximity == "same_prefecture"
    assert "警察庁 都道府県警察一覧" in suggestion.reasons[0].ja


def test_a_generic_alias_alone_places_nothing() -> None:
    """「県警」 is every prefecture's police: with no prefecture it is no particular one, so national."""
    data = osaka_community().org("kenkei", "police", name="県警").tie("SPOKE_AT", "kenkei", "forum").build()
    police = need(missing_sectors(data, Scope(community="c")), "c", "police")
    assert [(s.organisation_id, s.jurisdiction, s.in_graph) for s in police.suggestions] == [
        (None, "own_prefecture", False),
        ("kenkei", "national", True),
    ]


def test_bureaus_are_the_ones_serving_the_communitys_prefectures() -> None:
    """Fukuoka community: the Tohoku METI bureau (tied) is not its own; the Kyushu MIC bureau under its
    ministry-prefixed name is, placed by the directory though the graph gives it no prefecture; the
    Kyushu METI bureau is not in the graph, so the directory's is suggested."""
    data = (
        GraphBuilder()
        .org("firm", "sme", "40")
        .community("c", "mic-kyushu", ["40"])
        .tie("MEMBER_OF", "firm", "c")
        .event("forum", "2020-10-01", prefecture="40")
        .tie("ATTENDED", "firm", "forum")
        .org("tohoku-meti", "meti_bureau", name="東北経済産業局")
        .tie("SPOKE_AT", "tohoku-meti", "forum")
        .org("kyushu-mic", "mic_bureau", name="総務省九州総合通信局")
        .org("unnamed-bureau", "meti_bureau")
        .tie("SPOKE_AT", "unnamed-bureau", "forum")
        .build()
    )
    bureau = need(missing_sectors(data, Scope(community="c")), "c", "bureau")
    assert [(s.organisation_id, s.name) for s in bureau.suggestions] == [
        ("kyushu-mic", "総務省九州総合通信局"),
        (None, "九州経済産業局"),
    ]
    mic, meti = bureau.suggestions
    assert mic.jurisdiction_prefectures == ["40", "41", "42", "43", "44", "45", "46"]
    assert "福岡県" in mic.reasons[0].ja and "を管轄" in mic.reasons[0].ja
    assert meti.prefecture is None and meti.jurisdiction_prefectures == ["40"] and not meti.in_graph


def test_a_community_spanning_two_prefectures_gets_both_prefectures_bodies_most_members_first() -> None:
    data = (
        GraphBuilder()
        .org("fukuoka-firm", "sme", "40")
        .org("saga-firm", "sme", "41")
        .org("saga-shop", "sme", "41")
        .community("c", "mic-kyushu", ["40", "41"])
        .tie("MEMBER_OF", "fukuoka-firm", "c")
        .tie("MEMBER_OF", "saga-firm", "c")
        .tie("MEMBER_OF", "saga-shop", "c")
        .build()
    )
    police = need(missing_sectors(data, Scope(community="c")), "c", "police")
    assert [(s.name, s.in_graph) for s in police.suggestions] == [("佐賀県警察", False), ("福岡県警察", False)]
    assert "構成員・事務局2件が所在" in police.suggestions[0].reasons[1].ja


def test_universities_by_tier_then_score() -> None:
    """An Osaka community lacking a university: Osaka's weakly tied one comes before Hyogo's strongly tied
    one; Kyoto University, recorded without a prefecture, is placed in Kyoto by the directory; a
    university nobody places is not offered; a far one only because the community long-listed it."""
    data = (
        GraphBuilder()
        .org("firm", "sme", "27")
        .org("shop", "sme", "27")
        .community("c", "mic-kinki", ["27"])
        .tie("MEMBER_OF", "firm", "c")
        .tie("MEMBER_OF", "shop", "c")
        .event("forum", "2020-10-01", prefecture="27")
        .tie("ATTENDED", "firm", "forum")
        .tie("ATTENDED", "shop", "forum")
        .org("osaka-uni", "university", "27")
        .org("hyogo-uni", "university", "28")
        .tie("SPOKE_AT", "hyogo-uni", "forum")
        .tie("LONG_LISTED", "c", "hyogo-uni")
        .org("kyodai", "university", name="京都大学")
        .tie("SPOKE_AT", "kyodai", "forum")
        .org("nowhere-uni", "university")
        .tie("SPOKE_AT", "nowhere-uni", "forum")
        .org("far-uni", "university", "40")
        .tie("SPOKE_AT", "far-uni", "forum")
        .org("listed-far-uni", "university", "01")
        .tie("LONG_LISTED", "c", "listed-far-uni")
        .build()
    )
    university = need(missing_sectors(data, Scope(community="c"), suggestions_per_sector=10), "c", "university")
    tiers = [(s.organisation_id, s.jurisdiction) for s in university.suggestions]
    assert tiers == [
        ("osaka-uni", "own_prefecture"),
        ("hyogo-uni", "own_area"),
        ("kyodai", "own_area"),
        ("listed-far-uni", "other_area"),
    ]
    by_id = {s.organisation_id: s for s in university.suggestions}
    assert by_id["hyogo-uni"].score > by_id["osaka-uni"].score  # tier first, then score
    assert by_id["kyodai"].jurisdiction_prefectures == ["26"]
    assert "既に関係がある" in by_id["listed-far-uni"].reasons[0].ja


def test_an_sme_the_graph_does_not_place_is_no_national_body() -> None:
    """An Osaka community lacking an SME: an SME recorded without a prefecture works somewhere the
    graph does not say (an SME has no national office), so it is not offered as a national body."""
    data = (
        GraphBuilder()
        .org("uni", "university", "27")
        .community("c", "mic-kinki", ["27"])
        .tie("MEMBER_OF", "uni", "c")
        .event("forum", "2020-10-01", prefecture="27")
        .tie("ATTENDED", "uni", "forum")
        .org("somewhere-sme", "sme")
        .tie("SPOKE_AT", "somewhere-sme", "forum")
        .org("osaka-sme", "sme", "27")
        .build()
    )
    sme = need(missing_sectors(data, Scope(community="c"), suggestions_per_sector=10), "c", "sme")
    assert [(s.organisation_id, s.jurisdiction) for s in sme.suggestions] == [("osaka-sme", "own_prefecture")]
    unplaced = (
        GraphBuilder()
        .org("uni", "university", "27")
        .community("c", "mic-kinki", ["27"])
        .tie("MEMBER_OF", "uni", "c")
        .event("forum", "2020-10-01", prefecture="27")
        .tie("ATTENDED", "uni", "forum")
        .org("somewhere-sme", "sme")
        .tie("ATTENDED", "somewhere-sme", "forum")
        .build()
    )
    assert need(missing_sectors(unplaced, Scope(community="c")), "c", "sme").suggestions == []


def test_the_directorys_universities_come_after_the_graphs_own_and_before_other_tiers() -> None:
    """No university in Fukui in the graph: Fukui's national university and kosen, then the area's."""
    data = (
        GraphBuilder()
        .org("firm", "sme", "18")
        .community("c", prefectures=["18"])
        .tie("MEMBER_OF", "firm", "c")
        .event("forum", "2020-10-01", prefecture="18")
        .tie("ATTENDED", "firm", "forum")
        .org("toyama-uni", "university", "16")
        .tie("SPOKE_AT", "toyama-uni", "forum")
        .org("osaka-uni", "university", "27")
        .tie("SPOKE_AT", "osaka-uni", "forum")
        .build()
    )
    mic = need(missing_sectors(data, Scope(community="c")), "c", "university")
    assert [s.organisation_id or s.name for s in mic.suggestions] == ["福井大学", "福井工業高等専門学校", "toyama-uni"]
    # Fukui is in the MIC Hokuriku area but the METI Kinki area: the analysis's region kind decides.
    meti = need(missing_sectors(data, Scope(community="c"), region_kind="meti"), "c", "university")
    assert [s.organisation_id or s.name for s in meti.suggestions] == ["福井大学", "福井工業高等専門学校", "osaka-uni"]


def test_a_national_body_comes_after_local_ones_whatever_its_score() -> None:
    data = (
        osaka_community()
        .org("local-insurer", "insurer", "27")
        .org("national-insurer", "insurer")
        .tie("SPOKE_AT", "national-insurer", "forum")
        .tie("LONG_LISTED", "c", "national-insurer")
        .org("kobe-insurer", "insurer", "28")
        .org("far-insurer", "insurer", "40")
        .tie("SPOKE_AT", "far-insurer", "forum")
        .build()
    )
    insurer = need(missing_sectors(data, Scope(community="c")), "c", "insurer")
    assert ids(insurer) == ["local-insurer", "kobe-insurer", "national-insurer"]
    scores = {s.organisation_id: s.score for s in insurer.suggestions}
    assert scores["national-insurer"] > scores["local-insurer"] > scores["kobe-insurer"]


def test_named_people_and_counted_members_all_meet_a_need() -> None:
    data = (
        osaka()
        .person("prof", works_at="kyoto-u")
        .org("kyoto-u", "university", "26")
        .community("people-net", "mic-kinki", ["26"])
        .tie("MEMBER_OF", "prof", "people-net")
        .count("people-net", 3, "insurer")
        .build()
    )
    result = missing_sectors(data, Scope(community="people-net"))
    university = need(result, "people-net", "university")
    assert university.met and university.people == ["prof@kyoto-u"] and not university.named_members
    insurer = need(result, "people-net", "insurer")
    assert insurer.met and len(insurer.counted) == 1 and not insurer.named_members
    assert insurer.advice  # counted only: find the names
    assert need(result, "people-net", "police").met is False


def test_members_counted_but_not_named_make_a_sector_unknown_not_missing() -> None:
    """A community of 14 bodies of 産学官 (no breakdown), two of them named (an SME and a chamber): the
    twelve unnamed may include a university, police or a local government — unknown, with the count
    behind it; an insurer (finance, beside 産学官) is missing. A second community, 44 industry members
    counted and one named vendor: SMEs unknown; police, outside industry, missing."""
    data = (
        osaka()
        .community("agreement", "mic-kinki", ["27"])
        .org("agr-sme", "sme", "27")
        .org("agr-chamber", "chamber_of_commerce", "27")
        .tie("MEMBER_OF", "agr-sme", "agreement")
        .tie("MEMBER_OF", "agr-chamber", "agreement")
        .count("agreement", 14)
        .community("council", "mic-kinki", ["27"])
        .org("osaka-vendor", "security_vendor", "27")
        .tie("MEMBER_OF", "osaka-vendor", "council")
        .build()
    )
    data.add_node(Headcount(subject_id="council", count_kind="members", group="industry", count=44, **P))
    result = missing_sectors(data, Scope(community="agreement"), suggestions_per_sector=1)
    coverage = result.communities[0]
    assert {"university", "police", "local_government"} <= set(coverage.unknown)
    assert not {"university", "police", "local_government"} & set(coverage.missing)
    assert "insurer" in coverage.missing and "insurer" not in coverage.unknown
    assert {"sme", "chamber"} <= set(coverage.met)
    police = need(result, "agreement", "police")
    assert police.unknown and not police.met and len(police.unnamed) == 1
    assert any(e.ja.startswith("不明") and "14" in e.ja for e in police.evidence)
    assert police.suggestions  # still worth approaching, once the list is checked
    council = missing_sectors(data, Scope(community="council")).communities[0]
    assert "sme" in council.unknown and "vendor" in council.met
    assert "police" in council.missing
    # the health indicator reads the same rule
    health = network_health(data, Scope(community="agreement")).communities[0]
    details = next(i for i in health.indicators if i.code == "sector_coverage").details
    assert details["unknown"] == coverage.unknown and details["missing"] == coverage.missing


def test_members_all_named_leave_nothing_unknown() -> None:
    """A count no larger than the named members it could cover (40 at launch, 2 named of a list that grew,
    or 2 of 2 industry) hides nobody: a sector without a named member is missing."""
    data = (
        osaka()
        .community("net", "mic-kinki", ["27"])
        .org("a-sme", "sme", "27")
        .org("b-sme", "sme", "27")
        .tie("MEMBER_OF", "a-sme", "net")
        .tie("MEMBER_OF", "b-sme", "net")
        .count("net", 2)
        .build()
    )
    coverage = missing_sectors(data, Scope(community="net")).communities[0]
    assert not coverage.unknown and "police" in coverage.missing


def test_a_sibling_communitys_member_is_suggested_and_meets_the_regions_need() -> None:
    data = (
        osaka()
        .org("kobe-insurer", "insurer", "28")
        .community("kobe-net", "mic-kinki", ["28"])
        .tie("MEMBER_OF", "kobe-insurer", "kobe-net")
        .tie("MEMBER_OF", "osaka-u", "kobe-net")
        .build()
    )
    result = missing_sectors(data, Scope(region="mic-kinki"))
    insurer = need(result, "osaka-net", "insurer")
    assert [s.organisation_id for s in insurer.suggestions] == ["kobe-insurer"]
    assert insurer.suggestions[0].shared_communities == ["kobe-net"]
    assert need(result, "kobe-net", "insurer").met
    assert need(result, "mic-kinki", "insurer").met  # the region is the union of its communities


def test_a_users_own_list_of_needs() -> None:
    data = osaka().org("osaka-bank", "bank", "27").build()
    needs = (sector_need(["bank"]), sector_need(["大学", "高専"], code="academia"))
    result = missing_sectors(data, Scope(community="osaka-net"), needs=needs)
    assert result.needs == ["bank", "academia"]
    assert need(result, "osaka-net", "academia").met
    bank = need(result, "osaka-net", "bank")
    assert not bank.met and [s.organisation_id for s in bank.suggestions] == ["osaka-bank"]


def test_a_need_with_no_candidate_in_the_data_says_so() -> None:
    result = missing_sectors(osaka().build(), Scope(community="osaka-net"), needs=(sector_need(["media"]),))
    media = need(result, "osaka-net", "media")
    assert media.suggestions == [] and media.advice and "long list" in media.advice[0].en


def test_summed_resource_allocation_equals_networkx() -> None:
    data = osaka().build()
    ix = network_index(data)
    group = {"osaka-net", "osaka-u", "osaka-sme", "meti-kinki"}
    for candidate in ("osaka-police", "fukuoka-police", "npa"):
        pairs = [(candidate, m) for m in sorted(group)]
        expected = sum(p for _, _, p in nx.resource_allocation_index(ix.network, pairs))
        assert resource_allocation_to(ix, candidate, group) == pytest.approx(expected)
    assert resource_allocation_to(ix, "osaka-police", group) > 0


def test_scopes_pick_the_communities() -> None:
    data = osaka().build()
    assert [c.subject_id for c in missing_sectors(data, Scope(community="osaka-net")).communities] == ["osaka-net"]
    kinki = missing_sectors(data, Scope(region="mic-kinki"))
    assert [c.subject_id for c in kinki.communities] == ["osaka-net"]
    assert [r.subject_id for r in kinki.regions] == ["mic-kinki"]
    national = missing_sectors(data)
    assert {c.subject_id for c in national.communities} == {"osaka-net", "other-1", "other-2"}
    assert [r.subject_id for r in national.regions] == ["mic-kanto", "mic-kinki", "mic-tohoku"]
    with pytest.raises(KeyError):
        missing_sectors(data, Scope(community="nowhere"))


def test_a_date_cuts_the_graph_first() -> None:
    data = (
        osaka().org("new-police", "police", "27").tie("MEMBER_OF", "new-police", "osaka-net", start="2022-04").build()
    )
    assert need(missing_sectors(data, Scope(community="osaka-net")), "osaka-net", "police").met
    earlier = missing_sectors(data, Scope(community="osaka-net", as_of=dt.date(2021, 4, 1)))
    police = need(earlier, "osaka-net", "police")
    assert not police.met and "new-police" in {s.organisation_id for s in police.suggestions}


def test_same_data_same_output() -> None:
    data = osaka().build()
    shuffled = GraphData(
        nodes=dict(reversed(list(data.nodes.items()))), relationships=dict(reversed(list(data.relationships.items())))
    )
    assert missing_sectors(data).model_dump_json() == missing_sectors(shuffled).model_dump_json()


# ---------------------------------------------------------------------------------------------- seed data


@pytest.mark.parametrize(
    ("community", "code"),
    [
        ("関西サイバーセキュリティ・ネットワーク", "police"),
        ("地域SECUNITY(福岡·佐賀)", "police"),
        ("長崎県サイバーセキュリティ研究会", "insurer"),
        ("長崎県サイバーセキュリティに関する相互協力協定", "insurer"),
        ("北海道中小企業サイバーセキュリティ支援ネットワーク", "university"),
        ("沖縄サイバーセキュリティ研究会", "university"),
        ("沖縄サイバーセキュリティネットワーク", "university"),
    ],
)
def test_seed_sectors_the_documents_say_are_missing(seed: GraphData, community: str, code: str) -> None:
    found = community_named(seed, community)
    result = missing_sectors(seed, Scope(community=found.id))
    coverage = need(result, found.id, code)
    assert not coverage.met
    assert code in result.communities[0].missing
    assert coverage.evidence and coverage.advice


def test_seed_okinawa_as_a_region_has_no_university(seed: GraphData) -> None:
    """Seed 000: no university is named in Okinawa; the region's communities together still lack one."""
    result = missing_sectors(seed, Scope(region="mic-okinawa"))
    assert {c.subject_id for c in result.communities} >= {
        community_named(seed, "沖縄サイバーセキュリティ研究会").id,
        community_named(seed, "沖縄サイバーセキュリティネットワーク").id,
    }
    assert not need(result, "mic-okinawa", "university").met
    assert need(result, "mic-okinawa", "police").met  # the network names the prefectural police


def test_seed_kansai_secnet_has_every_other_default_sector(seed: GraphData) -> None:
    found = community_named(seed, "関西SEC-net")
    # its 「ユーザー企業9社1法人」 are large user companies (large_company), not SMEs: no SME is named or counted
    assert missing_sectors(seed, Scope(community=found.id)).communities[0].missing == ["police", "sme"]


def test_seed_the_insurer_on_okinawas_long_list_comes_first(seed: GraphData) -> None:
    """Seed 000: the Okinawa study group long-listed an insurer; it is the one to approach first."""
    found = community_named(seed, "沖縄サイバーセキュリティ研究会")
    insurer = need(missing_sectors(seed, Scope(community=found.id)), found.id, "insurer")
    first = insurer.suggestions[0]
    assert first.direct_ties and seed.relationships[first.direct_ties[0]].type == "LONG_LISTED"


def test_seed_cyber_dounet_is_pointed_to_a_hokkaido_university(seed: GraphData) -> None:
    found = community_named(seed, "北海道中小企業サイバーセキュリティ支援ネットワーク")
    university = need(missing_sectors(seed, Scope(community=found.id)), found.id, "university")
    assert university.suggestions[0].prefecture == "01"
    assert university.suggestions[0].proximity == "same_prefecture"


def in_area(prefectures: list[str], region_code: str) -> bool:
    return all(code in {p.code for p in geography.prefectures_of_region(region_code)} for code in prefectures)


def test_seed_kansai_secnet_is_pointed_to_kinki_police_or_national_ones_only(seed: GraphData) -> None:
    found = community_named(seed, "関西SEC-net")
    police = need(missing_sectors(seed, Scope(community=found.id), suggestions_per_sector=20), found.id, "police")
    assert police.suggestions
    for s in police.suggestions:
        assert s.jurisdiction in ("own_prefecture", "national"), s.name
        assert in_area(s.jurisdiction_prefectures, "meti-kinki"), s.name
    names = {s.name for s in police.suggestions}
    assert "大阪府警察" in names and not names & {"熊本県警察", "沖縄県警"}


def test_seed_fukuoka_saga_is_offered_its_own_police_and_only_kyushu_bureaus(seed: GraphData) -> None:
    found = community_named(seed, "地域SECUNITY(福岡·佐賀)")
    result = missing_sectors(seed, Scope(community=found.id), suggestions_per_sector=20)
    police = need(result, found.id, "police")
    own = [s for s in police.suggestions if s.jurisdiction == "own_prefecture"]
    assert {s.name for s in own} == {"福岡県警察", "佐賀県警察"}
    assert all(s.in_graph or s.source for s in own)  # from the directory when the graph lacks it
    assert all(s.jurisdiction == "national" for s in police.suggestions if s not in own)
    bureau = need(result, found.id, "bureau")
    assert bureau.suggestions and all(in_area(s.jurisdiction_prefectures, "mic-kyushu") for s in bureau.suggestions)
    assert "九州経済産業局" in {s.name for s in bureau.suggestions}
    assert "東北経済産業局" not in {s.name for s in bureau.suggestions}


@pytest.mark.parametrize("community", ["沖縄サイバーセキュリティ研究会", "沖縄サイバーセキュリティネットワーク"])
def test_seed_okinawa_is_offered_universities_in_okinawa(seed: GraphData, community: str) -> None:
    found = community_named(seed, community)
    result = missing_sectors(seed, Scope(community=found.id), suggestions_per_sector=20)
    university = need(result, found.id, "university")
    assert [s.name for s in university.suggestions][:1] == ["琉球大学"]
    assert all(s.jurisdiction_prefectures == ["47"] for s in university.suggestions)
    assert not {s.name for s in university.suggestions} & {"慶應義塾大学", "東北工業大学", "立命館大学"}


def test_seed_every_need_explains_itself(seed: GraphData) -> None:
    for subject in missing_sectors(seed).communities:
        assert subject.evidence
        for coverage in subject.needs:
            assert coverage.evidence and all(e.ja and e.en for e in coverage.evidence)
            if not coverage.met:
                assert coverage.advice
            # By jurisdiction tier, the graph's bodies before the directory's within the first, then by score.
            order = [
                (list(JURISDICTION_LABELS).index(s.jurisdiction), not s.in_graph, -s.score)
                for s in coverage.suggestions
            ]
            assert order == sorted(order)
            assert all(s.reasons for s in coverage.suggestions)


def test_both_stores_give_the_same_answer(seed_loaded: GraphData, seed: GraphData) -> None:
    assert missing_sectors(seed_loaded).model_dump_json() == missing_sectors(seed).model_dump_json()


@pytest.mark.parametrize(
    ("community", "unknown", "missing"),
    [
        # seed 000 §3.4: 14 industry–academia–government signatories, not listed
        ("長崎県サイバーセキュリティに関する相互協力協定", {"university", "police", "local_government"}, {"insurer"}),
        # seed 001 §2.9: 44 corporate members and 13 ISPs, not listed
        ("一般社団法人熊本県サイバーセキュリティ推進協議会", {"vendor", "sme"}, {"insurer"}),
    ],
)
def test_seed_members_counted_but_not_named_are_unknown_not_missing(
    seed: GraphData, community: str, unknown: set[str], missing: set[str]
) -> None:
    found = community_named(seed, community)
    coverage = missing_sectors(seed, Scope(community=found.id)).communities[0]
    assert unknown <= set(coverage.unknown) and not unknown & set(coverage.missing)
    assert missing <= set(coverage.missing)
    for code in unknown:
        item = next(n for n in coverage.needs if n.code == code)
        assert item.unnamed and any(e.ja.startswith("不明") for e in item.evidence)
