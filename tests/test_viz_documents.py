"""The one-page community profile (HTML and PDF), the committee pack (PDF) and their API routes.

Small hand-built graphs give exact expectations (sections, counts, a missing sector and whom to
approach, 「記載なし」 for an empty field, escaped script); the seed data checks that every seed
community's profile prints on exactly one page that poppler renders and reads, and that a region's
pack has its cover, map, table and one page per community. PDFs are read with poppler's own tools
(``pdfinfo``, ``pdftotext``, ``pdftoppm``), not with a PDF library of ours.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from secgraph.analysis.areas import communities_in_scope
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, Organisation
from secgraph.store import ChangeSet
from secgraph.viz.pack import committee_pack_pdf
from secgraph.viz.profile import community_profile_html, community_profile_pdf
from tests.builders import GraphBuilder, P
from tests.test_api_world import SECRET_NAMES, Api, embedded_api

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
EVIL = "<script>window.__pwned=1</script>"
#: A GET as a role: ``fetch(role, url)``.
Fetch = Callable[[str, str], httpx.Response]


# ---------------------------------------------------------------------------------------------- helpers


def pdf_pages(pdf: bytes, tmp: Path) -> int:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert match, info
    return int(match[1])


def pdf_text(pdf: bytes, tmp: Path, page: int | None = None) -> str:
    """The text of the PDF (or one page) in drawing order, so a wrapped table cell's lines stay together."""
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squashed(text: str) -> str:
    """Text without white space (a long name may wrap onto two lines in the PDF)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rendered_pngs(pdf: bytes, tmp: Path, resolution: int = 30) -> list[Path]:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    for old in tmp.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(path), str(tmp / "page")], check=True)
    return sorted(tmp.glob("page-*.png"))


def not_blank(png: Path) -> bool:
    darkest, _lightest = Image.open(png).convert("L").getextrema()
    return darkest < 128


def section(page: str, name: str) -> str:
    match = re.search(rf'<section class="{name}">(.*?)</section>', page, re.S)
    assert match, f"section {name} missing"
    return match[1]


def no_external_resources(page: str) -> None:
    assert 'http-equiv="Content-Security-Policy"' in page
    assert "default-src 'none'" in page
    for attribute in re.findall(r"""\s(?:src|href)\s*=\s*["']([^"']*)""", page, re.I):
        assert attribute.startswith("data:"), attribute
    assert not re.search(r"<(script|link|iframe|object)\b", page, re.I)


# ---------------------------------------------------------------------------------------------- a small graph


def kansai() -> GraphData:
    """A community with a police secretariat, a university, a key person, 14 counted SMEs, one
    event with 30 attendees, no purpose recorded; an insurer nearby that is not a member."""
    builder = (
        GraphBuilder()
        .org("org-police", "police", "27", name="大阪府警察")
        .org("org-univ", "university", "27", name="大阪テスト大学")
        .org("org-city", "municipality", "27", name="テスト市")
        .org("org-ins", "insurer", "27", name="なにわ損害保険株式会社")
        .person("per-key", "org-univ", name="鍵谷 一郎")
        .event("ev-1", "2020-11-05", prefecture="27", attendees=30)
        .event("ev-2", "2019-06-01", prefecture="27", event_type="workshop")
        .count("com-x", 14, sector="sme")
        .tie("SECRETARIAT_OF", "org-police", "com-x")
        .tie("MEMBER_OF", "org-police", "com-x")
        .tie("MEMBER_OF", "org-univ", "com-x")
        .tie("MEMBER_OF", "org-city", "com-x")
        .tie("MEMBER_OF", "per-key", "com-x", start="2020-06-01")
        .tie("ORGANISED", "com-x", "ev-1")
        .tie("ORGANISED", "com-x", "ev-2")
        .tie("SPOKE_AT", "per-key", "ev-1")
        .tie("CO_HOSTED", "org-city", "ev-1")
        .tie("ATTENDED", "org-ins", "ev-2")
    )
    builder.nodes.append(
        Community(
            id="com-x",
            name="テスト関西協議会",
            abbreviation="TKK",
            region="mic-kinki",
            prefectures=["27"],
            founded="2018-10",
            policy="中小企業の対策を支援する",
            **P,
        )
    )
    return builder.build()


def evil() -> GraphData:
    """Script in every text field of a community, an organisation and an event."""
    builder = GraphBuilder().tie("MEMBER_OF", "org-evil", "com-evil").tie("ORGANISED", "com-evil", "ev-evil")
    text = {"source": EVIL, "note": EVIL, "as_of": "2020-04-01"}
    builder.nodes += [
        Community(
            id="com-evil",
            name=EVIL,
            abbreviation=EVIL,
            aliases=[EVIL],
            name_en=EVIL,
            legal_form=EVIL,
            region="mic-kinki",
            prefectures=["27"],
            url=EVIL,
            purpose=EVIL,
            policy=EVIL,
            **text,
        ),
        Organisation(
            id="org-evil",
            name=EVIL,
            aliases=[EVIL],
            sector="sme",
            prefecture="27",
            city=EVIL,
            name_en=EVIL,
            url=EVIL,
            **text,
        ),
        Event(
            id="ev-evil",
            title=EVIL,
            event_type="seminar",
            start="2020-05-01",
            prefecture="27",
            city=EVIL,
            venue=EVIL,
            url=EVIL,
            attendees=5,
            **{**text, "as_of": "2020-05-01"},
        ),
    ]
    return builder.build()


# ---------------------------------------------------------------------------------------------- the profile


def test_profile_sections_with_exact_contents() -> None:
    page = community_profile_html(kansai(), "com-x")
    assert "<h1>テスト関西協議会</h1>" in page
    assert "TKK" in page and "2018年10月" in page and "大阪府" in page
    # 設立の経緯・狙い is empty: said so, nothing made up; 取組方針 is there
    assert "記載なし" in section(page, "purpose")
    assert "中小企業の対策を支援する" in section(page, "policy")
    # 協力機関 by sector group: police and city (官), the university and the person working there (学)
    partners = section(page, "partners")
    assert 'data-group="government" data-count="2"' in partners
    assert 'data-group="academia" data-count="2"' in partners
    assert "大阪府警察<span" in partners and "（事務局）" in partners
    assert "14（中小企業・利用企業）" in partners  # members known only as a count, as recorded
    assert 'data-group="industry" data-count="0"' in partners
    # events, latest first, with type and attendees
    events = section(page, "events")
    assert events.count('class="event-row"') == 2
    assert events.index("2020-11-05") < events.index("2019-06-01")
    assert '<td class="n">30</td>' in events and "ワークショップ" in events
    # stage with every rule and its evidence
    stage = section(page, "stage")
    assert stage.count('class="rule-row"') == 9
    assert "第1段階" in stage
    # the insurer is missing and the nearby insurer is suggested; police and universities are present
    needs = section(page, "needs")
    assert "保険会社" in needs and "なにわ損害保険株式会社" in needs
    assert re.search(r"充足.*警察", needs, re.S)
    missing = re.findall(r'<li class="need-missing">.*?<b>(.*?) <span', needs, re.S)
    assert "保険会社" in missing and "警察" not in missing
    # key persons, health indicators
    assert "鍵谷 一郎" in section(page, "key-persons")
    assert section(page, "health").count('class="indicator"') == 14
    assert 'class="change"' not in page  # no date to compare with
    no_external_resources(page)


def test_profile_marks_a_suggested_body_not_yet_in_the_graph() -> None:
    """An Osaka community with no police in the graph is pointed to the directory's 大阪府警察, marked 未登録."""
    data = GraphBuilder().community("c", "mic-kinki", ["27"]).org("a", "sme", "27").tie("MEMBER_OF", "a", "c").build()
    needs = section(community_profile_html(data, "c"), "needs")
    assert '<span class="suggestion">大阪府警察（未登録）（大阪府）</span>' in needs
    assert "【未登録】大阪府警察は公的機関名簿にあるがグラフにない（出典: 警察庁 都道府県警察一覧" in needs


def test_profile_shows_a_sector_members_counted_but_not_named_may_hold_as_unknown() -> None:
    """14 bodies of 産学官 counted, one SME named: police is 不明 (unknown), not marked missing; insurer is."""
    data = (
        GraphBuilder()
        .community("c", "mic-kinki", ["27"])
        .org("a", "sme", "27")
        .tie("MEMBER_OF", "a", "c")
        .count("c", 14)
        .build()
    )
    needs = section(community_profile_html(data, "c"), "needs")
    police = needs[needs.index("<b>警察") - 80 : needs.index("<b>警察") + 200]
    assert "不明" in police and '<span class="ng">×</span>' not in police
    insurer = needs[needs.index("<b>保険会社") - 40 : needs.index("<b>保険会社")]
    assert '<span class="ng">×</span>' in insurer


def test_profile_states_the_gaps_of_the_record_beside_the_stage() -> None:
    """A community whose routine series meets stage 3 without a long list is at stage 3, the missing
    long list said beside it as a gap of the record (not as a lower stage)."""
    from tests.test_stage import routine_without_long_list

    stage = section(community_profile_html(routine_without_long_list(), "lt"), "stage")
    assert "第3段階" in stage
    gaps = re.search(r'<p class="small gaps">(.*?)</p>', stage, re.S)
    assert gaps and gaps[1].startswith("ただし ") and "ロングリストが基準未満" in gaps[1]
    assert "the record lacks" in gaps[1]


@pytest.fixture(scope="module")
def kansai_since_page() -> str:
    """The small graph's profile with the changes since 2020-05-01, laid out once for the module."""
    return community_profile_html(kansai(), "com-x", since=dt.date(2020, 5, 1))


def test_profile_change_since_a_date(kansai_since_page: str) -> None:
    change = section(kansai_since_page, "change")
    assert "2020-05-01" in change
    assert '加入 <span class="en">Joined</span> (1)' in change and "鍵谷 一郎" in change
    assert '開催 <span class="en">Events</span> (1)' in change and "2020-11-05" in change
    with pytest.raises(ValueError):
        community_profile_html(kansai(), "com-x", since=dt.date(2030, 1, 1))


def test_profile_as_of_a_date_leaves_out_what_came_later() -> None:
    page = community_profile_html(kansai(), "com-x", as_of=dt.date(2020, 5, 1))
    assert section(page, "events").count('class="event-row"') == 1
    assert "2019-06-01" in section(page, "events")
    assert "鍵谷 一郎" not in section(page, "partners")  # joined 2020-06
    with pytest.raises(KeyError):
        community_profile_html(kansai(), "com-x", as_of=dt.date(2017, 1, 1))  # not founded yet
    with pytest.raises(KeyError):
        community_profile_html(kansai(), "com-nowhere")


def test_hidden_names_show_people_by_role_and_affiliation() -> None:
    page = community_profile_html(kansai(), "com-x", hide_names=True)
    assert "鍵谷" not in page and "per-key" not in page
    assert "人物(大阪テスト大学)" in page  # role and affiliation (NFKC-normalised like every record)
    assert "氏名非表示" in page


def test_script_in_every_text_field_is_text(tmp_path: Path) -> None:
    page = community_profile_html(evil(), "com-evil")
    assert "<script" not in page.lower()
    assert page.count("&lt;script&gt;window.__pwned=1&lt;/script&gt;") >= 8  # name, abbreviation, url, …
    no_external_resources(page)
    text = pdf_text(community_profile_pdf(evil(), "com-evil"), tmp_path)
    assert "<script>window.__pwned=1</script>" in text


def test_same_data_same_bytes(kansai_since_page: str) -> None:
    assert kansai_since_page == community_profile_html(kansai(), "com-x", since=dt.date(2020, 5, 1))
    assert community_profile_pdf(kansai(), "com-x") == community_profile_pdf(kansai(), "com-x")
    pack = committee_pack_pdf(kansai(), "mic-kinki", since=dt.date(2020, 5, 1))
    assert pack == committee_pack_pdf(kansai(), "mic-kinki", since=dt.date(2020, 5, 1))
    assert b"CreationDate" not in pack and b"WeasyPrint" not in pack


# ---------------------------------------------------------------------------------------------- the seed data


@pytest.fixture(scope="module")
def seed_profiles(seed: GraphData) -> dict[str, bytes]:
    """Every seed community's profile PDF, made once for the checks below."""
    ids = sorted(n.id for n in seed.nodes.values() if isinstance(n, Community))
    return {cid: community_profile_pdf(seed, cid) for cid in ids}


def test_every_seed_profile_is_one_page(seed: GraphData, seed_profiles: dict[str, bytes], tmp_path: Path) -> None:
    assert len(seed_profiles) == sum(isinstance(n, Community) for n in seed.nodes.values())
    for cid, pdf in seed_profiles.items():
        assert pdf_pages(pdf, tmp_path) == 1, cid
        assert squashed(seed.nodes[cid].display_name()) in squashed(pdf_text(pdf, tmp_path)), cid
        (png,) = rendered_pngs(pdf, tmp_path)
        assert not_blank(png), cid


def test_seed_profile_artifact(seed: GraphData, seed_profiles: dict[str, bytes], tmp_path: Path) -> None:
    """The largest seed community's page, kept for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    cid = max(seed_profiles, key=lambda c: len(seed_profiles[c]))
    (ARTIFACTS / "community_profile.pdf").write_bytes(seed_profiles[cid])
    (png,) = rendered_pngs(seed_profiles[cid], tmp_path, resolution=110)
    (ARTIFACTS / "community_profile.png").write_bytes(png.read_bytes())
    (ARTIFACTS / "community_profile.html").write_text(community_profile_html(seed, cid), encoding="utf-8")


def test_seed_committee_pack(seed: GraphData, tmp_path: Path) -> None:
    region = "mic-kyushu"
    ids = [c.id for c in communities_in_scope(seed, Scope(region=region))]
    assert len(ids) >= 2
    pack = committee_pack_pdf(seed, region)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "committee_pack_kyushu.pdf").write_bytes(pack)
    pages = pdf_pages(pack, tmp_path)
    cover = pdf_text(pack, tmp_path, 1)
    assert "委員会資料" in cover and "目次" in cover and "九州" in cover
    # the map takes as many sheets as it needs (its panel continues), then the table
    table_page = next(n for n in range(2, pages + 1) if "コミュニティの比較" in pdf_text(pack, tmp_path, n))
    map_pages = range(2, table_page)
    assert len(map_pages) >= 1 and "ネットワーク図" in pdf_text(pack, tmp_path, 2)
    map_text = squashed("".join(pdf_text(pack, tmp_path, n) for n in map_pages))
    table = pdf_text(pack, tmp_path, table_page)
    # one page per community in the table's order
    assert pages == table_page + len(ids)
    for offset, cid in enumerate(ids):
        name = squashed(seed.nodes[cid].display_name())
        assert name in squashed(table), cid
        assert name in map_text, cid  # the map's names are text in the PDF, each community in its grid
        assert name in squashed(pdf_text(pack, tmp_path, table_page + 1 + offset)), cid
    assert "…" not in map_text and "✓" in map_text and "×" in map_text
    shots = rendered_pngs(pack, tmp_path, resolution=80)
    assert all(not_blank(png) for png in shots)
    for number in [*map_pages, table_page]:
        (ARTIFACTS / f"committee_pack_kyushu-{number}.png").write_bytes(shots[number - 1].read_bytes())


def test_profile_sector_chart_is_printed_at_size_or_said_in_words() -> None:
    from secgraph.viz.profile import build_profile

    data = kansai()
    profile = build_profile(data, "com-x")
    assert profile.chart_svg is not None and profile.chart_note is None
    svg = profile.chart_svg.decode("utf-8")
    width = float(re.search(r'<svg[^>]*width="([0-9.]+)pt"', svg)[1])  # type: ignore[index]
    assert abs(width - 94 / 25.4 * 72) < 1  # drawn one column wide: printed at 100 %, its text 7 pt on paper
    sizes = [float(v) for v in re.findall(r"font-size: ([0-9.]+)px", svg)]
    assert sizes and min(sizes) >= 7.0
    data.nodes["com-empty"] = Community(id="com-empty", name="構成員なし協議会", region="mic-kinki", **P)
    empty = build_profile(data, "com-empty")
    assert empty.chart_svg is None and empty.chart_note is not None
    page = community_profile_html(data, "com-empty")
    assert 'class="chart"' not in page and "構成員の記録がありません" in page


def test_pack_of_a_region_without_communities(tmp_path: Path) -> None:
    pack = committee_pack_pdf(kansai(), "mic-okinawa")
    assert pdf_pages(pack, tmp_path) == 3
    assert "コミュニティはありません" in pdf_text(pack, tmp_path, 3)
    with pytest.raises(ValueError):
        committee_pack_pdf(kansai(), "atlantis")


# ---------------------------------------------------------------------------------------------- the API


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The API world, shared by the tests that only read it."""
    yield from embedded_api(tmp_path_factory.mktemp("documents-api"))


@pytest.fixture(scope="module")
def fetch(api: Api) -> Fetch:
    """GET ``url`` as ``role`` on the shared world: each document is drawn once for the module."""
    return cache(api.get)


@pytest.fixture
def own_api(tmp_path: Path) -> Iterator[Api]:
    """The API world for a test that writes to it."""
    yield from embedded_api(tmp_path)


def test_api_profile_html(fetch: Fetch) -> None:
    response = fetch("planner", "/documents/profiles/com-a")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="secgraph-profile-com-a.html"')
    assert f"filename*=UTF-8''{quote('テストA協議会_概要.html')}" in disposition
    assert "テストA協議会" in response.text and "秘密商事" in response.text  # the planner sees it all
    no_external_resources(response.text)


def test_api_profile_pdf(fetch: Fetch, tmp_path: Path) -> None:
    response = fetch("planner", "/documents/profiles/com-a?format=pdf&as_of=2021-03-31&since=2021-01-01")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert 'attachment; filename="secgraph-profile-com-a.pdf"' in response.headers["content-disposition"]
    assert pdf_pages(response.content, tmp_path) == 1
    assert "テストA協議会" in pdf_text(response.content, tmp_path)


@pytest.mark.parametrize("role", ["sec_a", "viewer"])
def test_api_documents_hide_confidential_records(fetch: Fetch, role: str, tmp_path: Path) -> None:
    page = fetch(role, "/documents/profiles/com-a").text
    assert "テストA協議会" in page
    assert "秘密商事" not in page and "隠岐" not in page
    pdf = fetch(role, "/documents/profiles/com-a?format=pdf").content
    assert "秘密商事" not in pdf_text(pdf, tmp_path)


def test_api_viewer_documents_have_no_personal_names(fetch: Fetch, tmp_path: Path) -> None:
    assert "山田" in fetch("planner", "/documents/profiles/com-a").text  # a key person, by name
    page = fetch("viewer", "/documents/profiles/com-a").text
    assert not [name for name in SECRET_NAMES if name in page]
    assert "氏名非表示" in page
    pdf = fetch("viewer", "/documents/profiles/com-a?format=pdf").content
    pack = fetch("viewer", "/documents/committee-pack?region=mic-kinki")
    assert pack.status_code == 200, pack.text
    for document in (pdf, pack.content):
        text = pdf_text(document, tmp_path)
        assert not [name for name in SECRET_NAMES if name in text]
    assert "山田" not in fetch("planner", "/documents/profiles/com-a?hide_names=true").text


def test_api_committee_pack(fetch: Fetch, tmp_path: Path) -> None:
    response = fetch("planner", "/documents/committee-pack?region=近畿&as_of=2021-03-31")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert 'attachment; filename="secgraph-committee-pack-mic-kinki.pdf"' in disposition
    assert f"filename*=UTF-8''{quote('委員会資料_近畿.pdf')}" in disposition
    assert pdf_pages(response.content, tmp_path) == 4  # cover, map, table, テストA協議会
    assert "テストA協議会" in pdf_text(response.content, tmp_path, 4)


def test_api_confidential_community_is_not_found_for_those_who_may_not_see_it(own_api: Api, tmp_path: Path) -> None:
    hidden = Community(id="com-hidden", name="秘匿協議会", region="mic-kinki", confidential=True, **P)
    own_api.store.write(ChangeSet(nodes=[hidden]))
    assert own_api.get("planner", "/documents/profiles/com-hidden").status_code == 200
    for role in ("sec_a", "viewer"):
        response = own_api.get(role, "/documents/profiles/com-hidden")
        assert response.status_code == 404, role
        assert response.headers["content-type"] == "application/problem+json"
        pack = own_api.get(role, "/documents/committee-pack?region=mic-kinki").content
        assert "秘匿協議会" not in pdf_text(pack, tmp_path)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/documents/profiles/com-nowhere", 404),
        ("/documents/profiles/com-a?format=docx", 422),
        ("/documents/profiles/com-a?as_of=2021-03-31&since=2021-06-01", 422),
        ("/documents/committee-pack", 422),
        ("/documents/committee-pack?region=atlantis", 422),
    ],
)
def test_api_bad_requests(fetch: Fetch, url: str, status: int) -> None:
    response = fetch("planner", url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_api_needs_a_key(api: Api) -> None:
    assert api.client.get("/documents/profiles/com-a").status_code == 401
    assert api.client.get("/documents/committee-pack?region=mic-kinki").status_code == 401
