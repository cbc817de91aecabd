"""One rule per domain notion, checked by behaviour on graphs where the old rules disagreed: "now",
a person's current employer, a community's circle, and names hidden in every output."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from secgraph.access import Visibility, visible_graph
from secgraph.analysis.activity import activity_index
from secgraph.analysis.facts import community_facts
from secgraph.analysis.health import _Unit
from secgraph.analysis.key_persons import actor_sectors, key_person_candidates
from secgraph.analysis.network import (
    actor_network,
    community_circle,
    community_circles,
    data_date,
    shared_inputs,
    snapshot_at,
)
from secgraph.analysis.registry import ANALYSES
from secgraph.model.graph import GraphData
from secgraph.model.records import (
    Community,
    Event,
    Note,
    Organisation,
    Person,
    Relationship,
)
from secgraph.model.ties import current_employers
from secgraph.model.vocabulary import SectorGroup
from secgraph.store import ChangeSet
from secgraph.store.embedded import EmbeddedStore
from secgraph.viz.profile import community_profile_html
from tests.builders import GraphBuilder, P
from tests.test_api_world import Api, build_api
from tests.test_cli import env, run  # noqa: F401  (env is a fixture)

DAY = dt.date(2021, 3, 31)


# -- a person's current employer ----------------------------------------------------------------------


def moved() -> GraphBuilder:
    """Person ``p`` works at ``uni`` (open, known since 2019) and at ``ins`` (begun later, 令和2年4月,
    with an end after the day judged on: a secondment). Before, key persons took the later start
    (ins), visibility the open tie (uni), stage the first employer by id (ins) and health the first
    member by id (ins)."""
    builder = (
        GraphBuilder()
        .org("uni", "university", "27", name="テスト大学")
        .org("ins", "insurer", "27", name="テスト保険")
        .org("pol", "police", "27", name="テスト府警")
        .community("c", "mic-kinki", ["27"], founded="2015-04")
        .tie("SECRETARIAT_OF", "pol", "c", start="2015-04-01")
        .tie("MEMBER_OF", "uni", "c", start="2016-04-01")
        .tie("MEMBER_OF", "ins", "c", start="2016-04-01")
        .event("e1", "2021-02-01", prefecture="27")
        .tie("ORGANISED", "c", "e1")
    )
    builder.nodes.append(Person(id="p", name="上原 哲太郎", role_label="講師", source="test", as_of="2019-04-01"))
    # no start: known from its as_of, 2019-09-01 (written 2019-9-1); before, visibility compared
    # the missing start as "" and put it last
    builder.relationships.append(
        Relationship(type="WORKS_AT", from_id="p", to_id="uni", source="test", as_of="2019-9-1")
    )
    builder.tie("WORKS_AT", "p", "ins", start="令和2年4月", end="2022-03-31")
    builder.tie("SPOKE_AT", "p", "e1")
    return builder


def test_the_current_employer_rule() -> None:
    data = moved().build()
    assert current_employers(data) == {"p": "uni"}  # the open tie before the later, closed one
    assert current_employers(data, dt.date(2019, 10, 1)) == {"p": "uni"}  # ins had not begun
    assert current_employers(data, dt.date(2019, 8, 1)) == {}  # neither had
    closed = moved().tie("WORKS_AT", "p", "pol", start="2020-04").build()  # both open now: the later start
    assert current_employers(closed) == {"p": "pol"}
    same_day = GraphBuilder().org("b").org("a").person("q").tie("WORKS_AT", "q", "b").tie("WORKS_AT", "q", "a")
    assert current_employers(same_day.build()) == {"q": "a"}  # equals: the smallest organisation id


def test_every_consumer_reports_the_same_employer() -> None:
    data = moved().build()
    snapshot = snapshot_at(data, DAY)
    assert actor_sectors(snapshot, ["p"]) == {"p": "university"}  # key persons
    shown = visible_graph(data, Visibility.ANONYMISED, b"k" * 32)
    labels = [n.name for n in shown.nodes.values() if n.kind == "Person"]
    assert labels == ["講師(テスト大学)"]  # visibility: role and affiliation
    index = activity_index(data, DAY)
    assert index.group_of("p") == SectorGroup.ACADEMIA  # stage
    unit = _Unit(index, [index.activity("c")], DAY, 12)
    assert unit.staff_of == {"p": "uni"}  # health: the member a person acts for
    facts = community_facts(snapshot, "c")
    assert "p@uni" not in str(facts.sectors)  # p is not a member: its employer brings no sector
    member = moved().tie("MEMBER_OF", "p", "c", start="2020-01-01").build()
    sectors = community_facts(snapshot_at(member, DAY), "c").sectors
    assert "p@uni" in sectors["university"] and not any("p@ins" in e for e in sectors.get("insurer", []))
    page = community_profile_html(data, "c", as_of=DAY, hide_names=True)
    assert "講師(テスト大学)" in page and "講師(テスト保険)" not in page  # profile


# -- "now" ------------------------------------------------------------------------------------------


def left_and_planned() -> GraphData:
    """Community ``c`` on its latest date, 2021-06-01 (event ``e1``): vendor ``x`` left it at the end
    of 2020, and ``p`` moved from ``x`` to member ``m``; ``x`` and insurer ``z`` plan a seminar ``ep``
    for later. Before, stage and health judged "now" on 2021-06-01, while key persons, isolated
    regions and missing sectors read the data as given: ``x`` still tied to ``c``, ``p`` to ``x`` and
    ``z`` to ``x`` through the seminar not yet held, so ``c`` had a vendor and nobody could be cut off."""
    return (
        GraphBuilder()
        .org("s", "prefecture", "27")
        .org("m", "sme", "27")
        .org("x", "it_vendor", "27")
        .org("z", "insurer", "27")
        .person("p")
        .community("c", "mic-kinki", ["27"], founded="2018-04")
        .tie("SECRETARIAT_OF", "s", "c", start="2018-04-01")
        .tie("MEMBER_OF", "m", "c", start="2018-04-01")
        .tie("MEMBER_OF", "x", "c", start="2018-04-01", end="2020-12-31")
        .tie("WORKS_AT", "p", "x", start="2018-04-01", end="2020-12-31")
        .tie("WORKS_AT", "p", "m", start="2021-01-01")
        .event("e1", "2021-06-01", prefecture="27")
        .tie("ORGANISED", "c", "e1")
        .tie("ATTENDED", "m", "e1")
        .event("ep", "2021-09-01", prefecture="27", status="planned")
        .tie("ORGANISED", "x", "ep")
        .tie("COOPERATED", "z", "ep")
        .build()
    )


def test_every_analysis_judges_now_on_the_datas_own_latest_date() -> None:
    data = left_and_planned()
    day = data_date(data)
    assert day == dt.date(2021, 6, 1)
    assert sorted(actor_network(data).edges) == [("c", "m"), ("c", "s"), ("m", "p")]  # no ended or planned tie
    for slug in ("key-persons", "missing-sectors", "isolated-regions", "stage", "health"):
        analysis = ANALYSES[slug]
        now = analysis.run(data, analysis.parameters_of()).model_dump(mode="json")
        dated = analysis.run(data, analysis.parameters_of(as_of=day.isoformat())).model_dump(mode="json")
        differing = {field for field in now if now[field] != dated[field]}
        assert differing <= {"scope", "as_of"}, (slug, differing)  # only the date asked for is told
    key_persons = key_person_candidates(data)
    assert (key_persons.ties, key_persons.fragmentation) == (3, 0.6)  # before: 6 ties, 0.0
    missing = ANALYSES["missing-sectors"]
    lacking = missing.run(data, missing.parameters_of(community="c")).communities[0].missing
    assert "vendor" in lacking  # x left: before, c still had a vendor


# -- a community's circle -----------------------------------------------------------------------------


def circled() -> GraphBuilder:
    """Community ``c``: its sole secretariat ``s`` organised ``e1`` for it (attended by ``x``); member
    ``m`` employs ``pm``; partner community ``c2``; a contacted body ``k``; a planned event ``ep`` it
    organised with speaker ``y``. Before, the network's circle had ``pm`` and ``y`` but not ``x``,
    ``c2`` or ``k``; the stage's had ``x``, ``c2`` and ``k`` but not ``pm``."""
    return (
        GraphBuilder()
        .org("s", "meti_bureau", "27")
        .org("m", "sme", "27")
        .org("x", "it_vendor", "27")
        .org("y", "university", "27")
        .org("k", "insurer", "27")
        .person("pm", works_at="m")
        .community("c", "mic-kinki", ["27"])
        .community("c2", "mic-kinki", ["27"])
        .tie("SECRETARIAT_OF", "s", "c")
        .tie("MEMBER_OF", "m", "c")
        .tie("PARTNERS_WITH", "c", "c2")
        .tie("CONTACTED", "c", "k")
        .event("e1", "2020-06-01", prefecture="27")
        .tie("ORGANISED", "s", "e1")
        .tie("ATTENDED", "x", "e1")
        .tie("ATTENDED", "m", "e1")
        .event("ep", "2020-07-01", prefecture="27", status="planned")
        .tie("ORGANISED", "c", "ep")
        .tie("SPOKE_AT", "y", "ep")
    )


def test_the_circle_has_one_definition() -> None:
    data = circled().build()
    circle = community_circle(data, "c")
    assert circle == {"c", "s", "m", "pm", "c2", "k", "x"}  # not y: a planned event was not run
    assert community_circles(data) == {c: community_circle(data, c) for c in ("c", "c2")}
    index = activity_index(data, DAY)
    act = index.activity("c")
    assert act.circle == circle  # the stage
    unit = _Unit(index, [act], DAY, 12)
    assert set(index.ties.degrees_among(index.ties.numbers(circle - {"c"}))) == set(unit.ties.degree)  # the health


def test_a_communitys_facts_are_made_once_inside_a_block() -> None:
    snapshot = snapshot_at(circled().build(), DAY)
    with shared_inputs():
        facts = community_facts(snapshot, "c")
        # A community's health, its area's and the sector coverage all read this one.
        assert community_facts(snapshot, "c") is facts
        assert community_facts(snapshot, "c2") is not facts
    again = community_facts(snapshot, "c")
    assert again is not facts and again == facts


# -- names hidden in every output ---------------------------------------------------------------------

NAMES = ("上原", "哲太郎", "Uehara", "Tetsutaro")


def named_world() -> ChangeSet:
    """A person whose name is written into a relationship's role (full and as 「上原教授」), into a
    note, into an event's free text and into a community's background."""
    return ChangeSet(
        nodes=[
            Organisation(id="org-u", name="立命館テスト大学", sector="university", prefecture="26", **P),
            Organisation(id="org-p", name="京都テスト府警", sector="police", prefecture="26", **P),
            Person(id="per-u", name="上原 哲太郎", name_en="Tetsutaro Uehara", role_label="講師", **P),
            Community(
                id="com-k",
                name="京都テスト協議会",
                region="mic-kinki",
                prefectures=["26"],
                purpose="上原哲太郎氏の呼びかけで発足",
                **P,
            ),
            Event(
                id="ev-k",
                title="京都テストセミナー",
                event_type="seminar",
                start="2020-02-01",
                prefecture="26",
                note="Prof. Uehara moderated",
                **P,
            ),
            Note(id="note-k", about_id="com-k", text="上原教授に次回も依頼", author="事務局", **P),
        ],
        relationships=[
            Relationship(id="r-sec", type="SECRETARIAT_OF", from_id="org-p", to_id="com-k", **P),
            Relationship(id="r-mem", type="MEMBER_OF", from_id="org-u", to_id="com-k", role="上原研究室", **P),
            Relationship(id="r-works", type="WORKS_AT", from_id="per-u", to_id="org-u", **P),
            Relationship(
                id="r-spoke",
                type="SPOKE_AT",
                from_id="per-u",
                to_id="ev-k",
                role="モデレーター（立命館テスト大学 上原教授）",
                **P,
            ),
            Relationship(id="r-org", type="ORGANISED", from_id="com-k", to_id="ev-k", role="主催（上原 哲太郎）", **P),
        ],
    )


def text_of(body: bytes, tmp: Path) -> str:
    """The text a file holds: PDF through pdftotext, zip (XLSX, zipped CSV) member by member."""
    if body.startswith(b"%PDF"):
        (tmp / "file.pdf").write_bytes(body)
        return subprocess.run(
            ["pdftotext", str(tmp / "file.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    return body.decode("utf-8-sig")


def leaked(text: str) -> list[str]:
    return [name for name in NAMES if name in text]


def test_the_check_can_fail(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    store.write(named_world())
    data = store.snapshot()
    store.close()
    from secgraph.export.graph_files import graph_json

    assert set(leaked(graph_json(data).decode("utf-8"))) == set(NAMES)
    hidden = graph_json(data, hide_names=True).decode("utf-8")
    assert not leaked(hidden)
    assert "モデレーター(立命館テスト大学 〔氏名非表示〕教授)" in hidden  # the title stays
    assert "立命館テスト大学" in hidden and "〔氏名非表示〕研究室" in hidden


#: Every export the command line makes, with --hide-names (PNG and SVG draw text as outlines: their
#: figures are checked as PDF, which keeps the text).
CLI_EXPORTS: tuple[tuple[str, ...], ...] = (
    ("map",),
    ("map", "--format", "pdf"),
    ("chart", "membership-attendance", "--format", "pdf"),
    ("chart", "sector-composition", "--format", "pdf"),
    ("profile", "com-k", "--format", "html"),
    ("profile", "com-k", "--format", "pdf"),
    ("pack", "--region", "mic-kinki"),
    ("table", "key-persons", "--format", "csv"),
    ("table", "key-persons", "--format", "xlsx"),
    ("table", "stage", "--format", "xlsx"),
    ("table", "health", "--format", "csv"),
    ("graph", "--format", "json"),
    ("graph", "--format", "graphml"),
    ("graph", "--format", "gexf"),
)


def test_cli_hides_names_in_every_export(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    store = EmbeddedStore(env / "graph.db")
    store.write(named_world())
    store.close()
    shown = env / "shown.json"
    assert run(capsys, "export", "graph", "-o", str(shown))[0] == 0
    assert set(leaked(shown.read_text(encoding="utf-8"))) == set(NAMES)  # the check can fail
    for argv in CLI_EXPORTS:
        target = env / "hidden"
        code, _out, err = run(capsys, "export", *argv, "--hide-names", "-o", str(target))
        assert code == 0, (argv, err)
        assert not leaked(text_of(target.read_bytes(), env)), argv


@pytest.fixture
def named_api(tmp_path: Path) -> Iterator[Api]:
    store = EmbeddedStore(tmp_path / "graph.db")
    try:
        store.write(named_world())
        yield from build_api(store, tmp_path)
    finally:
        store.close()


API_EXPORTS: tuple[str, ...] = (
    "/views/network",
    "/views/network/figure?format=pdf",
    "/charts/membership-attendance?format=pdf",
    "/charts/sector-composition?format=pdf",
    "/documents/profiles/com-k?format=html",
    "/documents/profiles/com-k?format=pdf",
    "/documents/committee-pack?region=mic-kinki",
    "/exports/analyses/key-persons?format=csv",
    "/exports/analyses/key-persons?format=xlsx",
    "/exports/analyses/stage?format=xlsx",
    "/exports/analyses/health?format=csv",
    "/exports/graph?format=json",
    "/exports/graph?format=graphml",
    "/exports/graph?format=gexf",
    "/relationships?limit=500",
    "/people",
)


def test_api_hides_names_in_every_export_for_a_viewer_and_on_request(named_api: Api, tmp_path: Path) -> None:
    full = named_api.get("admin", "/exports/graph?format=json")
    assert set(leaked(full.text)) == set(NAMES)  # the check can fail
    for url in API_EXPORTS:
        for role, asked in (("viewer", url), ("planner", url + ("&" if "?" in url else "?") + "hide_names=true")):
            if role == "planner" and url.startswith(("/relationships", "/people")):
                continue  # reads have no hide_names: a planner sees names
            response = named_api.get(role, asked)
            assert response.status_code == 200, (asked, response.text[:300])
            assert not leaked(text_of(response.content, tmp_path)), (role, asked)
    viewer = named_api.get("viewer", "/exports/graph?format=json").json()
    planner = named_api.get("planner", "/exports/graph?format=json&hide_names=true").json()
    assert viewer["names_hidden"] and planner["names_hidden"]
    # one view, one set of pseudonyms: a viewer's file and a planner's hiding names are the same people
    assert [n["id"] for n in viewer["nodes"] if n["kind"] == "Person"] == [
        n["id"] for n in planner["nodes"] if n["kind"] == "Person"
    ]


def test_an_empty_pseudonym_key_is_refused() -> None:
    with pytest.raises(ValueError):
        visible_graph(moved().build(), Visibility.ANONYMISED, b"")
    once = visible_graph(moved().build(), Visibility.ANONYMISED, b"k" * 32)
    assert visible_graph(once, Visibility.ANONYMISED, b"other") is once  # anonymised once, not twice
