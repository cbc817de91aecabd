"""The committee charts: the numbers behind each, the three formats, the same bytes, Japanese drawn
as glyphs, names hidden, the seed data, and the API."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from secgraph.analysis import Scope, engagement_stage, network_health
from secgraph.model.graph import GraphData
from secgraph.viz.charts import CHARTS, FORMATS, chart, chart_table
from secgraph.viz.charts.common import (
    ACTIVE,
    ATTENDEES,
    COMMUNITY_COUNT,
    COMMUNITY_ID,
    COUNTED,
    COUNTED_ONLY,
    EVENTS,
    EVENTS_COUNTED,
    FISCAL_YEAR,
    GROUP,
    IN_SCOPE,
    JUDGED_ON,
    MAX_FISCAL_YEARS,
    MEMBERS,
    MISSING,
    MISSING_COUNT,
    NAMED,
    PREFECTURE_CODE,
    STAGE,
    STATUS,
    TOTAL,
)
from secgraph.viz.charts.coverage_map import prefecture_tiles
from tests.browser import ARTIFACTS
from tests.builders import GraphBuilder
from tests.glyphs import assert_japanese_drawn
from tests.test_api_world import SECRET_NAMES, Api, embedded_api

EVIL = "<script>window.__pwned=1</script>"
NAMES = list(CHARTS)


def sample() -> GraphData:
    """Two communities. Kansai (Osaka and Hyogo, founded 2018-10): a police secretariat; members
    joining over three fiscal years, among them a person of a university; a count of 14 SMEs; a
    seminar in FY2019 (30 attendees) and a joint event in FY2020 (50) co-hosted by three sectors.
    Kyushu (Kumamoto, founded 2019-04): one ISP member, a count of 5 with no sector, and one event
    whose attendance is known only as a count (12). The data's latest date is 2020-12-01."""
    return (
        GraphBuilder()
        .org("police", "police", "27", name="大阪府警察")
        .org("univ", "university", "26", name="京都テスト大学")
        .org("bank", "bank", "27", name="関西テスト銀行")
        .org("sme", "sme", "27", name="大阪テスト製作所")
        .org("paper", "media", "28", name="神戸テスト新聞")
        .org("isp", "telecom", "43", name="熊本テスト通信")
        .person("p-yamada", name="山田太郎")
        .tie("WORKS_AT", "p-yamada", "univ", start="2018-04-01")
        .community("kansai", "mic-kinki", ["27", "28"], founded="2018-10")
        .community("kyushu", "mic-kyushu", ["43"], founded="2019-04")
        .tie("SECRETARIAT_OF", "police", "kansai", start="2018-10-01")
        .tie("MEMBER_OF", "police", "kansai", start="2018-10-01")
        .tie("MEMBER_OF", "univ", "kansai", start="2019-05-01")
        .tie("MEMBER_OF", "sme", "kansai", start="2019-06-01")
        .tie("MEMBER_OF", "paper", "kansai", start="2019-06-01")
        .tie("MEMBER_OF", "bank", "kansai", start="2020-06-01")
        .tie("MEMBER_OF", "p-yamada", "kansai", start="2020-06-01")
        .count("kansai", 14, "sme")
        .event("e-seminar", "2019-07-10", prefecture="27", attendees=30)
        .tie("ORGANISED", "kansai", "e-seminar", start="2019-07-10")
        .tie("SPOKE_AT", "univ", "e-seminar", start="2019-07-10")
        .event("e-joint", "2020-11-05", prefecture="27", attendees=50)
        .tie("ORGANISED", "kansai", "e-joint", start="2020-11-05")
        .tie("CO_HOSTED", "univ", "e-joint", start="2020-11-05")
        .tie("CO_HOSTED", "bank", "e-joint", start="2020-11-05")
        .tie("CO_HOSTED", "sme", "e-joint", start="2020-11-05")
        .tie("MEMBER_OF", "isp", "kyushu", start="2019-06-01")
        .count("kyushu", 5)
        .event("e-kyushu", "2020-12-01", prefecture="43")
        .count("e-kyushu", 12, kind="attendees")
        .tie("ORGANISED", "kyushu", "e-kyushu", start="2020-12-01")
        .build()
    )


@pytest.fixture(scope="module")
def data() -> GraphData:
    return sample()


def rows(table: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in table[list(columns)].itertuples(index=False)]


# ---------------------------------------------------------------------------------------------- tables


def test_sector_composition_counts_named_and_counted_members_by_group(data: GraphData) -> None:
    table = chart_table("sector-composition", data)
    assert rows(table, COMMUNITY_ID, GROUP, NAMED, COUNTED_ONLY, TOTAL) == [
        # 14 SMEs counted include the one named: the larger, 1 named and 13 more
        ("kansai", "industry", 1, 13, 14),
        # the university and the person who works there
        ("kansai", "academia", 2, 0, 2),
        ("kansai", "government", 1, 0, 1),
        ("kansai", "finance", 1, 0, 1),
        ("kansai", "media", 1, 0, 1),
        ("kyushu", "industry", 1, 0, 1),
        # a count of 5 with no sector: 4 beyond the one member the groups account for
        ("kyushu", "not_broken_down", 0, 4, 4),
    ]
    assert table.attrs["as_of"] == "2020-12-01"
    assert list(table.columns)[:2] == ["コミュニティID / Community ID", "コミュニティ / Community"]


def test_sector_composition_on_an_earlier_date(data: GraphData) -> None:
    table = chart_table("sector-composition", data, Scope(community="kansai", as_of=dt.date(2020, 3, 31)))
    assert rows(table, GROUP, TOTAL) == [("industry", 1), ("academia", 1), ("government", 1), ("media", 1)]


def test_stage_by_year_judges_each_fiscal_year_end(data: GraphData) -> None:
    table = chart_table("stage-by-year", data)
    assert rows(table, COMMUNITY_ID, FISCAL_YEAR, JUDGED_ON, STAGE) == [
        ("kansai", 2018, "2019-03-31", 0),  # only the secretariat: no one-to-one tie yet
        ("kansai", 2019, "2020-03-31", 1),  # three members, a speaker
        ("kansai", 2020, "2020-12-01", 2),  # the joint event of three sectors; judged on the data's date
        ("kyushu", 2019, "2020-03-31", 0),  # founded in FY2019: no row before
        ("kyushu", 2020, "2020-12-01", 0),
    ]
    assert table.attrs["fiscal_years"] == [2018, 2019, 2020]
    assert table.iloc[2]["段階名 / Stage name"].startswith("第2段階")
    # each number is engagement_stage's own answer on that day
    for record in table.to_dict("records"):
        day = dt.date.fromisoformat(record[JUDGED_ON])
        judged = engagement_stage(data, Scope(community=record[COMMUNITY_ID], as_of=day))
        assert judged.communities[0].stage == record[STAGE]


def test_stage_by_year_shows_no_record_as_no_record() -> None:
    built = GraphBuilder().org("police", "police", "43").community("quiet", "mic-kyushu", ["43"], founded="2015-06")
    data = built.tie("MEMBER_OF", "police", "quiet", start="2019-06-01").build()
    table = chart_table("stage-by-year", data)
    early = table[table[FISCAL_YEAR] < 2019]
    assert list(early[FISCAL_YEAR]) == [2015, 2016, 2017, 2018]  # it existed: a row each year
    assert early[STAGE].isna().all() and set(early["段階名 / Stage name"]) == {"記録なし / no record"}
    assert not table[table[FISCAL_YEAR] >= 2019][STAGE].isna().any()  # judged once something is recorded
    svg = chart("stage-by-year", data, fmt="svg").decode("utf-8")
    assert "記録なし" in svg


def test_membership_lines_start_at_the_first_record() -> None:
    from secgraph.viz.charts.membership_attendance import _membership_series

    built = GraphBuilder().org("police", "police", "43").community("quiet", "mic-kyushu", ["43"], founded="2015-06")
    data = built.tie("MEMBER_OF", "police", "quiet", start="2019-06-01").build()
    table = chart_table("membership-attendance", data)
    (line,) = _membership_series(data, Scope(), table)
    years = table.attrs["fiscal_years"]
    assert [m for y, m in zip(years, line.members, strict=True) if y < 2019] == [None] * 4  # not 0: unknown
    assert [m for y, m in zip(years, line.members, strict=True) if y >= 2019] == [1] * (len(years) - 4)


def test_stage_by_year_of_a_community_before_its_founding_is_empty(data: GraphData) -> None:
    table = chart_table("stage-by-year", data, Scope(community="kyushu", as_of=dt.date(2019, 3, 1)))
    assert table.empty


def test_membership_and_attendance_by_fiscal_year(data: GraphData) -> None:
    table = chart_table("membership-attendance", data)
    assert rows(table, COMMUNITY_ID, FISCAL_YEAR, MEMBERS, NAMED, COUNTED, EVENTS, EVENTS_COUNTED, ATTENDEES) == [
        ("kansai", 2018, 1, 1, 0, 0, 0, 0),
        ("kansai", 2019, 4, 4, 0, 1, 1, 30),
        ("kansai", 2020, 14, 6, 14, 1, 1, 50),  # the count of 14 (dated 2020-04-01) is larger than the 6 named
        ("kyushu", 2018, 0, 0, 0, 0, 0, 0),
        ("kyushu", 2019, 1, 1, 0, 0, 0, 0),
        ("kyushu", 2020, 5, 1, 5, 1, 1, 12),  # attendance known only as a count
    ]


def test_membership_is_what_the_growth_indicator_counts(data: GraphData) -> None:
    table = chart_table("membership-attendance", data)
    growth = network_health(data).community("kansai").indicator("growth").details["by_fiscal_year"]
    kansai = table[table[COMMUNITY_ID] == "kansai"]
    assert {int(k): v for k, v in growth.items()} == dict(zip(kansai[FISCAL_YEAR], kansai[MEMBERS], strict=True))


def test_coverage_map_marks_communities_activity_and_missing_sectors(data: GraphData) -> None:
    table = chart_table("coverage-map", data).set_index(PREFECTURE_CODE)
    assert len(table) == 47 and table[IN_SCOPE].all()
    assert table.attrs["period_start"] == "2019-12-02" and table.attrs["period_end"] == "2020-12-01"
    picked = table.loc[["26", "27", "28", "43", "01"]]
    assert rows(picked.reset_index(), PREFECTURE_CODE, COMMUNITY_COUNT, ACTIVE, MISSING_COUNT, STATUS) == [
        ("26", 0, True, 8, "none"),  # the member person's new tie, but no community covers Kyoto
        ("27", 1, True, 5, "local"),  # the joint event; police, university and SMEs are there
        ("28", 1, False, 5, "local"),  # Kansai lists it and its newspaper takes part; nothing new this year
        ("43", 1, True, 8, "local"),  # Kyushu's event; none of the needed sectors
        ("01", 0, False, 8, "none"),
    ]
    assert (
        table.loc["27", MISSING]
        == "保険会社、自治体、商工会議所・商工会、経済産業局・総合通信局、セキュリティ・ITベンダー"
    )
    assert (table[STATUS] == "none").sum() == 44


def test_coverage_map_tells_a_bureau_wide_programme_from_a_local_community() -> None:
    data = (
        GraphBuilder()
        .community("programme", "mic-kyushu")  # the bureau's area-wide programme: no prefecture of its own
        .community("local", "mic-kyushu", ["43"])
        .community("paper", "mic-kyushu", ["42"])  # lists Nagasaki, but no body there takes part
        .org("isp", "telecom", "43")
        .org("saga", "sme", "41")
        .org("far", "sme", "40")
        .tie("MEMBER_OF", "isp", "local")
        .tie("MEMBER_OF", "saga", "programme")
        .tie("MEMBER_OF", "far", "paper")
        .build()
    )
    status = chart_table("coverage-map", data).set_index(PREFECTURE_CODE)[STATUS]
    # Saga has a local member, but only the programme covers it: not a local community
    assert [status[c] for c in ("43", "41", "42", "40", "47", "13")] == [
        "local",
        "programme_only",
        "programme_only",
        "programme_only",
        "none",  # Okinawa: the MIC Kyushu area does not cover it
        "none",
    ]


def test_coverage_map_scope_marks_its_prefectures(data: GraphData) -> None:
    table = chart_table("coverage-map", data, Scope(region="mic-kinki")).set_index(PREFECTURE_CODE)
    assert sorted(table.index[table[IN_SCOPE]]) == ["25", "26", "27", "28", "29", "30"]
    assert len(table) == 47
    community = chart_table("coverage-map", data, Scope(community="kansai")).set_index(PREFECTURE_CODE)
    assert sorted(community.index[community[IN_SCOPE]]) == ["27", "28"]


def test_the_tile_grid_holds_japan() -> None:
    tiles = prefecture_tiles()
    assert len(tiles) == 47
    columns = max(t.col for t in tiles.values())
    rows_ = max(t.row for t in tiles.values())
    assert (tiles["01"].col, tiles["01"].row) == (columns, 0)  # Hokkaido top right
    assert (tiles["47"].col, tiles["47"].row) == (0, rows_)  # Okinawa bottom left
    # neighbours on the map are neighbours in Japan: Tokyo beside Kanagawa, Osaka beside Hyogo and Nara
    assert abs(tiles["13"].col - tiles["14"].col) + abs(tiles["13"].row - tiles["14"].row) == 1
    assert {(tiles[c].col - tiles["27"].col, tiles[c].row - tiles["27"].row) for c in ("28", "29")} <= {
        (0, -1),
        (1, 0),
        (-1, 0),
        (0, 1),
    }


# ---------------------------------------------------------------------------------------------- rendering


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    path = tmp_path / "chart.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True, capture_output=True)
    pages = []
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            pages.append(image.convert("L"))
    return pages


KINKI = Scope(region="mic-kinki")


@pytest.fixture(scope="module")
def kinki_drawings(data: GraphData) -> dict[tuple[str, str], bytes]:
    """Every chart of the sample's Kinki in every format, drawn once for the tests below."""
    return {(name, fmt): chart(name, data, KINKI, fmt=fmt) for name in NAMES for fmt in FORMATS}


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
@pytest.mark.parametrize("name", NAMES)
def test_each_chart_in_three_formats_the_same_bytes_twice(
    data: GraphData, kinki_drawings: dict[tuple[str, str], bytes], name: str, tmp_path: Path
) -> None:
    for fmt in FORMATS:
        first = kinki_drawings[name, fmt]
        assert first == chart(name, data, KINKI, fmt=fmt), fmt
        if fmt == "png":
            with Image.open(io.BytesIO(first)) as image:
                assert image.format == "PNG"
                assert min(image.info["dpi"]) >= 299.9
                assert image.width >= 1500
        elif fmt == "svg":
            root = ElementTree.fromstring(first)
            assert root.tag.endswith("svg")
            text = first.decode("utf-8")
            # text as text (editable in PowerPoint), in the Japanese font, named; nothing under 7 pt
            assert f">{CHARTS[name].title_ja}" in text and "<text" in text
            assert "font-family: 'Noto Sans CJK JP'" in text
            sizes = [float(v) for v in re.findall(r"font-size: ([0-9.]+)px", text)]
            assert sizes and min(sizes) >= 7.0
            if name == "sector-composition":  # shares of members, as percentages
                assert ">100%<" in text and ">40%<" in text
        else:
            assert first.startswith(b"%PDF")
            pages = pdf_pages(first, tmp_path)
            assert len(pages) == 1
            assert pages[0].getextrema()[0] < 128  # something dark was drawn
            text = pdf_text(first, tmp_path)
            assert CHARTS[name].title_ja in text
            assert "近畿" in text  # the scope, as Japanese text


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_draws_japanese_glyphs(
    data: GraphData, kinki_drawings: dict[tuple[str, str], bytes], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = kinki_drawings[name, "png"]
    assert_japanese_drawn(lambda: chart(name, data, KINKI, fmt="png"), monkeypatch, drawn=drawn)


def renamed(data: GraphData, node_id: str, name: str) -> GraphData:
    data.nodes[node_id] = data.nodes[node_id].model_copy(update={"name": name})
    return data


def test_community_names_reach_the_pdf_as_text(tmp_path: Path) -> None:
    built = GraphBuilder().org("police", "police", "27").community("c", "mic-kinki", ["27"])
    data = renamed(built.tie("MEMBER_OF", "police", "c").build(), "c", "テスト協議会")
    for name in NAMES:
        assert "テスト協議会" in pdf_text(chart(name, data, Scope(community="c"), fmt="pdf"), tmp_path), name


def test_user_text_stays_text_in_the_svg() -> None:
    built = GraphBuilder().org("evil", "sme", "27", name=EVIL).community("c", "mic-kinki", ["27"])
    data = renamed(built.tie("MEMBER_OF", "evil", "c").build(), "c", EVIL)
    for name in NAMES:
        svg = chart(name, data, fmt="svg")
        assert b"<script" not in svg, name
        ElementTree.fromstring(svg)


def test_hidden_names_draw_from_the_anonymised_graph(data: GraphData) -> None:
    plain = chart_table("sector-composition", data)
    hidden = chart_table("sector-composition", data, hide_names=True)
    # the person still counts, by where they work
    pd.testing.assert_frame_equal(plain, hidden)
    svg = chart("membership-attendance", data, fmt="svg", hide_names=True).decode("utf-8")
    assert "氏名非表示" in svg and "山田" not in svg


def test_a_scope_without_communities_says_so(data: GraphData) -> None:
    scope = Scope(prefecture="01")
    for name in ("sector-composition", "stage-by-year", "membership-attendance"):
        assert chart_table(name, data, scope).empty
        assert "データがありません" in chart(name, data, scope, fmt="svg").decode("utf-8"), name
    assert chart_table("coverage-map", data, scope)[IN_SCOPE].sum() == 1


def test_unknown_chart_format_and_community(data: GraphData) -> None:
    with pytest.raises(KeyError, match="sector-composition"):
        chart("pie", data, fmt="png")
    with pytest.raises(ValueError, match="format"):
        chart("sector-composition", data, fmt="gif")  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="nowhere"):
        chart_table("stage-by-year", data, Scope(community="nowhere"))


def test_a_date_far_away_is_drawn_without_centuries_of_columns(data: GraphData) -> None:
    table = chart_table("stage-by-year", data, Scope(community="kansai", as_of=dt.date(9999, 12, 31)))
    assert len(table.attrs["fiscal_years"]) == MAX_FISCAL_YEARS
    assert chart_table("coverage-map", data, Scope(as_of=dt.date(1, 1, 1)))[COMMUNITY_COUNT].sum() == 0


# ---------------------------------------------------------------------------------------------- seed data


@pytest.mark.parametrize("scope", [Scope(), Scope(region="mic-kinki")], ids=["country", "kinki"])
def test_seed_every_chart(seed: GraphData, scope: Scope) -> None:
    for name in NAMES:
        assert not chart_table(name, seed, scope).empty, name
        png = chart(name, seed, scope, fmt="png")
        with Image.open(io.BytesIO(png)) as image:
            assert min(image.info["dpi"]) >= 299.9, name
            assert image.width <= 3507 and image.height <= 2481, name  # fits A4 landscape at 300 dpi
        if scope == Scope():
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / f"chart_{name}_national.png").write_bytes(png)
    kinki = chart_table("sector-composition", seed, Scope(region="mic-kinki"))
    assert set(kinki[COMMUNITY_ID]) >= {"s001-com-kansai-secnet"}


def test_seed_kansai_membership_grows_with_its_counts(seed: GraphData) -> None:
    table = chart_table("membership-attendance", seed, Scope(community="s001-com-kansai-secnet"))
    members = dict(zip(table[FISCAL_YEAR], table[MEMBERS], strict=True))
    # 40 bodies at the launch (2018-10), 62 by December 2019: the documents' own numbers
    assert members[2018] == 40 and members[2019] == 62
    growth = network_health(seed, Scope(community="s001-com-kansai-secnet")).communities[0]
    by_year = growth.indicator("growth").details["by_fiscal_year"]
    assert {int(k): v for k, v in by_year.items()} == {y: m for y, m in members.items() if y >= min(map(int, by_year))}


# ---------------------------------------------------------------------------------------------- API


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    yield from embedded_api(tmp_path)


MEDIA = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def test_api_charts_for_every_role_in_the_right_media_type(api: Api) -> None:
    for number, (role, fmt) in enumerate((role, fmt) for role in api.keys.roles() for fmt in FORMATS):
        name = NAMES[number % len(NAMES)]
        response = api.get(role, f"/charts/{name}?format={fmt}")
        assert response.status_code == 200, (role, name, response.text)
        assert response.headers["content-type"] == MEDIA[fmt]
        assert response.headers["content-disposition"] == f'inline; filename="secgraph-{name}.{fmt}"'
    listed = api.get("viewer", "/charts").json()
    assert [c["name"] for c in listed] == NAMES


def test_api_viewer_charts_show_no_personal_names(api: Api) -> None:
    for name in NAMES:
        svg = api.get("viewer", f"/charts/{name}?format=svg&region=mic-kinki").text
        assert not [secret for secret in SECRET_NAMES if secret in svg], name
    # the test can fail: the SVG does carry the chart's words
    assert "テストA協議会" in api.get("viewer", "/charts/sector-composition?format=svg&community=com-a").text


def test_api_scope_download_and_errors(api: Api) -> None:
    response = api.get("planner", "/charts/stage-by-year?format=pdf&community=com-a&as_of=2021-03-31&download=true")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"] == (
        'attachment; filename="secgraph-stage-by-year-com-a-2021-03-31.pdf"'
    )
    unknown = api.get("planner", "/charts/pie")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert "sector-composition" in unknown.json()["detail"]
    assert api.get("planner", "/charts/coverage-map?community=com-nowhere").status_code == 404
    assert api.get("planner", "/charts/coverage-map?format=gif").status_code == 422
    assert api.get("planner", "/charts/coverage-map?region=atlantis").status_code == 422
    assert api.client.get("/charts/coverage-map").status_code == 401
