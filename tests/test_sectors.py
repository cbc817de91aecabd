"""Missing sectors and whom to approach: planted graphs with known answers, the seed data, both stores."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from secgraph.analysis.facts import sector_need
from secgraph.analysis.network import Scope
from secgraph.analysis.regions import network_index
from secgraph.analysis.sectors import MissingSectors, NeedCoverage, missing_sectors, resource_allocation_to
from secgraph.model.graph import GraphData
from secgraph.model.names import name_key
from secgraph.model.records import Community
from tests.builders import GraphBuilder


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
    assert ranked[0] == "osaka-police"
    assert ranked.index("osaka-police-hq") < ranked.index("fukuoka-police")  # nearness dominates
    assert "hokkaido-police" not in ranked
    best = police.suggestions[0]
    assert best.proximity == "same_prefecture"
    assert best.tied_members == ["osaka-u"] and best.shared_events == ["seminar"]
    assert best.reasons and best.advice.ja and best.advice.en


def test_the_ranking_reasons_are_the_ones_planted() -> None:
    police = need(missing_sectors(osaka().build(), Scope(community="osaka-net")), "osaka-net", "police")
    by_id = {s.organisation_id: s for s in police.suggestions}
    assert by_id["osaka-police-hq"].proximity == "same_prefecture" and not by_id["osaka-police-hq"].tied_members
    assert by_id["fukuoka-police"].proximity is None and by_id["fukuoka-police"].shared_events == ["fukuoka-seminar"]
    assert by_id["npa"].communities == 2 and by_id["npa"].proximity is None


def test_the_limit_keeps_the_best() -> None:
    police = need(
        missing_sectors(osaka().build(), Scope(community="osaka-net"), suggestions_per_sector=2), "osaka-net", "police"
    )
    assert [s.organisation_id for s in police.suggestions] == ["osaka-police", "osaka-police-hq"]


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
    assert missing_sectors(seed, Scope(community=found.id)).communities[0].missing == ["police"]


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


def test_seed_every_need_explains_itself(seed: GraphData) -> None:
    for subject in missing_sectors(seed).communities:
        assert subject.evidence
        for coverage in subject.needs:
            assert coverage.evidence and all(e.ja and e.en for e in coverage.evidence)
            if not coverage.met:
                assert coverage.advice
            scores = [s.score for s in coverage.suggestions]
            assert scores == sorted(scores, reverse=True)
            assert all(s.reasons for s in coverage.suggestions)


def test_both_stores_give_the_same_answer(seed_loaded: GraphData, seed: GraphData) -> None:
    assert missing_sectors(seed_loaded).model_dump_json() == missing_sectors(seed).model_dump_json()
