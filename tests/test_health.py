"""Network health: every indicator on a small planted graph with hand-computed values, the region
summary, and what the seed documents say (sizes, sector groups, secretariats, missing police)."""

from __future__ import annotations

import datetime as dt

import pytest

from secgraph.analysis.health import INDICATOR_CODES, blau_index, network_health
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, EventSeries
from tests.builders import GraphBuilder

AS_OF = dt.date(2021, 3, 31)


def planted() -> GraphData:
    """Community c (Tokyo): secretariat sec; members a, b (officer), z from June 2019, d and e from
    June 2020, and g from June 2019 to December 2020; ten SMEs counted in April 2020. A series held
    in FY2019 and FY2020 and one more event.
    q (Tokyo) shares the secretariat; o (Osaka, founded May 2020) shares member a."""
    return (
        GraphBuilder()
        .community("c", prefectures=["13"], founded="2019-05")
        .org("sec", "meti_bureau")
        .org("a", "sme", "13")
        .org("b", "university", "13")
        .org("d", "police", "13")
        .org("e", "insurer", "13")
        .org("z", "it_vendor", "13")
        .tie("SECRETARIAT_OF", "sec", "c", start="2019-05-01")
        .tie("MEMBER_OF", "a", "c", start="2019-06-01")
        .tie("MEMBER_OF", "b", "c", start="2019-06-01", member_class="officer")
        .tie("MEMBER_OF", "z", "c", start="2019-06-01")
        .tie("MEMBER_OF", "d", "c", start="2020-06-01")
        .tie("MEMBER_OF", "e", "c", start="2020-06-01")
        .org("g", "sme", "13")
        .tie("MEMBER_OF", "g", "c", start="2019-06-01", end="2020-12-31")
        .tie("CONTACTED", "sec", "z", start="2019-07-01")
        .count("c", 10, sector="sme")
        .series("s")
        .event("ev1", "2019-10-01", series="s", edition=1, attendees=30)
        .event("ev2", "2020-10-01", series="s", edition=2, attendees=50)
        .event("ev3", "2021-02-01")
        .tie("ORGANISED", "c", "ev1")
        .tie("SPOKE_AT", "b", "ev1")
        .tie("ORGANISED", "c", "ev2")
        .tie("CO_HOSTED", "a", "ev2")
        .tie("SPOKE_AT", "d", "ev2")
        .tie("ORGANISED", "c", "ev3")
        .tie("SUPPORTED", "e", "ev3")
        .community("q", prefectures=["13"])
        .org("y", "sme", "13")
        .tie("SECRETARIAT_OF", "sec", "q", start="2019-05-01")
        .tie("MEMBER_OF", "y", "q", start="2020-06-01")
        .community("o", prefectures=["27"], founded="2020-05-01")
        .tie("MEMBER_OF", "a", "o", start="2020-06-01")
        .build()
    )


def values(code: str, community: str = "c", **options: object) -> object:
    result = network_health(planted(), as_of=AS_OF, **options)  # type: ignore[arg-type]
    return result.community(community).indicator(code)


def test_every_summary_has_the_same_indicators_in_the_same_order() -> None:
    result = network_health(planted(), as_of=AS_OF)
    assert result.as_of == AS_OF and [c.subject for c in result.communities] == ["c", "o", "q"]
    for summary in [*result.communities, *result.areas]:
        assert tuple(i.code for i in summary.indicators) == INDICATOR_CODES
        assert all(i.evidence for i in summary.indicators)


def test_size_counts_named_and_counted_members() -> None:
    size = values("size")
    # Five named members; ten SMEs counted, of which at most the two named SMEs/vendors are the same.
    assert size.value == 10 and size.details == {"named": 5, "counted_beyond_named": 5, "secretariat": 1}


def test_growth_over_fiscal_years() -> None:
    growth = values("growth")
    # FY2019 end: a, b, z and g, who has left since (the count is dated April 2020); FY2020 end:
    # the larger of 5 named and 10 counted.
    assert growth.details["by_fiscal_year"] == {2019: 4, 2020: 10} and growth.value == 6
    # o was founded this fiscal year: all its members are new.
    assert values("growth", "o").value == 1
    # q's members are known only from this year and its founding is not known: no change can be read.
    q = values("growth", "q")
    assert q.value is None and "前年度末の構成員の記録がない" in q.evidence[-1].ja


def test_sector_coverage_and_blau_diversity() -> None:
    coverage = values("sector_coverage")
    # Insurer, university, police, bureau (the secretariat), vendor, SME present; local government and chamber not.
    assert coverage.value == 6 / 8 and coverage.details["missing"] == ["local_government", "chamber"]
    assert "商工会議所・商工会" in coverage.advice[0].ja
    diversity = values("sector_diversity")
    # Industry max(2 named, 10 counted) = 10, academia 1, government 1, finance 1: 1 − (100+1+1+1)/13².
    assert diversity.details["by_group"] == {"academia": 1, "finance": 1, "government": 1, "industry": 10}
    assert diversity.value == pytest.approx(66 / 169, abs=1e-4)


def test_blau_index() -> None:
    assert blau_index([1, 1]) == 0.5
    assert blau_index([5]) == 0.0
    assert blau_index([]) is None
    assert blau_index([1, 1, 1, 1]) == pytest.approx(0.75)


def test_density_centralisation_and_dependence() -> None:
    # Six bodies (sec, a, b, d, e, z); ties a–d (both in ev2) and sec–z (contacted).
    density = values("density")
    assert density.details == {"nodes": 6, "edges": 2} and density.value == pytest.approx(2 / 15, abs=1e-4)
    # Degrees 1, 1, 1, 1, 0, 0: Σ(1 − d) = 2 over (n − 1)(n − 2) = 20.
    assert values("centralisation").value == pytest.approx(0.1)
    dependence = values("dependence")
    # Four event roles, one each (a, b, d, e); a is in one of the two ties.
    assert dependence.details["role_share"] == 0.25 and dependence.details["tie_share"] == 0.5
    assert dependence.value == 0.5 and dependence.details["tie_top"] == "a"
    assert "aに活動の半分以上がかかっている" in dependence.advice[0].ja


def test_secretariat_and_members_with_a_role() -> None:
    secretariat = values("secretariat_bodies")
    assert secretariat.value == 1 and "共同事務局" in secretariat.advice[0].ja
    roles = values("members_with_role")
    # sec (secretariat), b (officer), a, d, e (event roles) of sec, a, b, d, e, z.
    assert roles.value == pytest.approx(5 / 6, abs=1e-4) and roles.evidence[1].ids == ["z"]


def test_dormant_members() -> None:
    dormant = values("dormant_members")
    # Since 2020-03-31: b last spoke in October 2019 and z joined in June 2019; a, d, e are active.
    assert dormant.value == 2 and dormant.evidence[0].ids == ["b", "z"]
    assert dormant.details["last_active"] == {"b": "2019-10-01", "z": "2019-06-01"}
    assert values("dormant_members", dormant_months=24).value == 0


def test_event_cadence_series_and_attendance() -> None:
    cadence = values("event_cadence")
    assert cadence.value == 2 and cadence.details["by_fiscal_year"] == {2019: 1, 2020: 2}
    continuity = values("series_continuity")
    assert continuity.value == 1.0
    assert continuity.details["series"]["s"] == {
        "editions": 2,
        "fiscal_years": [2019, 2020],
        "stated_fiscal_years": [],
        "longest_consecutive": 2,
        "last_edition": "2020-10-01",
        "continuing": True,
    }
    # 30 → 50 attendees over 366 days.
    assert values("attendance_trend").value == pytest.approx(20 * 365.25 / 366, abs=1e-3)


def test_links_to_other_communities_and_regions() -> None:
    links = values("links")
    assert links.value == 2 and links.details["communities"] == {"o": ["a"], "q": ["sec"]}
    assert links.details["other_regions"] == ["mic-kinki"]


def test_a_series_that_stopped_is_not_continuing() -> None:
    later = network_health(planted(), as_of=dt.date(2023, 3, 31)).community("c")
    assert later.indicator("series_continuity").value == 0.0
    assert later.indicator("event_cadence").value == 0
    assert later.indicator("dormant_members").value == 5


def test_region_summary_adds_its_communities() -> None:
    result = network_health(planted(), Scope(region="mic-kanto"), as_of=AS_OF)
    assert [c.subject for c in result.communities] == ["c", "q"]
    (kanto,) = result.areas
    assert (kanto.subject, kanto.kind, kanto.communities) == ("mic-kanto", "region", ["c", "q"])
    # Named a, b, d, e, z, y and the five counted beyond c's named members.
    assert kanto.indicator("size").value == 11
    assert kanto.indicator("secretariat_bodies").value == 1
    assert kanto.indicator("links").details["communities"] == {"o": ["a"]}


def test_same_date_same_answer() -> None:
    first = network_health(planted(), as_of=AS_OF).model_dump_json()
    assert network_health(planted(), as_of=AS_OF).model_dump_json() == first


# -- the seed data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_health(seed: GraphData) -> object:
    return network_health(seed)


def community_named(data: GraphData, text: str) -> str:
    found = [n.id for n in data.nodes.values() if isinstance(n, Community) and text in n.name]
    assert len(found) == 1, found
    return found[0]


def test_seed_kansai_secnet_size_growth_and_sectors(seed: GraphData, seed_health: object) -> None:
    """Seed 003: 40 bodies at launch (Oct 2018), 62 on 2019-12-01; seed 001: 65 industry, 11
    academia, 9 government, 3 grassroots; no police."""
    ksn = seed_health.community(community_named(seed, "関西サイバーセキュリティ・ネットワーク"))  # type: ignore[attr-defined]
    by_year = ksn.indicator("growth").details["by_fiscal_year"]
    assert (by_year[2018], by_year[2019]) == (40, 62)
    groups = ksn.indicator("sector_diversity").details["by_group"]
    assert (groups["industry"], groups["academia"], groups["government"], groups["individual"]) == (65, 11, 9, 3)
    assert "police" in ksn.indicator("sector_coverage").details["missing"]
    assert ksn.indicator("secretariat_bodies").value == 3


def test_seed_secretariat_plurality(seed: GraphData, seed_health: object) -> None:
    """Seed 001 §5.3: HAISL 3 bodies, Kansai SEC-net 3, Miyagi 2, Cyber-道net 1."""
    expected = {
        "北海道地域情報セキュリティ連絡会": 3,
        "宮城県サイバーセキュリティ協議会": 2,
        "北海道中小企業サイバーセキュリティ支援ネットワーク": 1,
    }
    for name, bodies in expected.items():
        summary = seed_health.community(community_named(seed, name))  # type: ignore[attr-defined]
        assert summary.indicator("secretariat_bodies").value == bodies


def test_seed_missing_sectors_the_documents_name(seed: GraphData, seed_health: object) -> None:
    """Fukuoka/Saga has no police; Cyber-道net no university; Miyagi counts 122 bodies."""
    fukuoka = seed_health.community(community_named(seed, "地域SECUNITY(福岡"))  # type: ignore[attr-defined]
    assert "police" in fukuoka.indicator("sector_coverage").details["missing"]
    dounet = seed_health.community(community_named(seed, "北海道中小企業サイバーセキュリティ支援ネットワーク"))  # type: ignore[attr-defined]
    assert "university" in dounet.indicator("sector_coverage").details["missing"]
    miyagi = seed_health.community(community_named(seed, "宮城県サイバーセキュリティ協議会"))  # type: ignore[attr-defined]
    assert miyagi.indicator("size").value == 122


def test_seed_relay_lecture_continues(seed: GraphData, seed_health: object) -> None:
    ksn = seed_health.community(community_named(seed, "関西サイバーセキュリティ・ネットワーク"))  # type: ignore[attr-defined]
    series = ksn.indicator("series_continuity").details["series"]
    relay = next(
        n.id for n in seed.nodes.values() if isinstance(n, EventSeries) and n.name == "サイバーセキュリティ・リレー講座"
    )
    assert series[relay]["fiscal_years"] == [2019, 2020] and series[relay]["continuing"]


def test_same_answer_from_both_stores(seed_loaded: GraphData, seed: GraphData) -> None:
    scope = Scope(region="mic-kinki")
    assert network_health(seed_loaded, scope).model_dump_json() == network_health(seed, scope).model_dump_json()


def stated_and_dated() -> GraphData:
    """A council founded in 2017 whose seminars a document of Feb 2021 states as twice a year since
    2017 (no dated edition), and whose yearly quiz has a dated edition in July 2020."""
    return (
        GraphBuilder()
        .community("k", prefectures=["46"], founded="2017-07")
        .series("seminars", cadence="年2回", since="2017-07", as_of="2021-02")
        .series("quiz", cadence="annual", since="2018", as_of="2021-02")
        .event("quiz-2020", "2020-07-11", series="quiz", attendees=40)
        .tie("ORGANISED", "k", "seminars")
        .tie("ORGANISED", "k", "quiz")
        .build()
    )


def test_a_stated_cadence_counts_for_event_cadence_and_continuity_as_stated() -> None:
    health = network_health(stated_and_dated(), as_of=dt.date(2021, 2, 28)).community("k")
    cadence = health.indicator("event_cadence")
    # The dated quiz, and two seminars the cadence states in the last 12 months; the quiz's stated
    # edition of the year is the dated one, not a second.
    assert cadence.value == 3 and cadence.details["dated"] == 1 and cadence.details["stated"] == {"seminars": 2}
    stated_line = "記載による開催（日付なし）: seminars（年2回）直近12か月 約2回"
    assert any(e.ja.startswith(stated_line) for e in cadence.evidence)
    rows = health.indicator("series_continuity").details["series"]
    assert rows["seminars"]["fiscal_years"] == [2017, 2018, 2019, 2020] and rows["seminars"]["editions"] == 0
    assert rows["seminars"]["stated_fiscal_years"] == [2017, 2018, 2019, 2020] and rows["seminars"]["continuing"]
    assert rows["quiz"]["fiscal_years"] == [2018, 2019, 2020] and rows["quiz"]["last_edition"] == "2020-07-11"
    assert health.indicator("series_continuity").value == 1.0


def test_attendance_within_one_fiscal_year_gives_no_trend_per_year() -> None:
    data = (
        GraphBuilder()
        .community("p", prefectures=["13"])
        .series("tour")
        .event("t1", "2009-02-03", series="tour", attendees=120)
        .event("t2", "2009-03-10", series="tour", attendees=40)
        .tie("ORGANISED", "p", "tour")
        .build()
    )
    trend = network_health(data).community("p").indicator("attendance_trend")
    assert trend.value is None and "2008年度だけのため" in trend.evidence[1].ja
