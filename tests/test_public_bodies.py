"""The reference directory of standard public bodies: coverage of every prefecture, agreement with the
jurisdictions, naming, provenance, order, and the checks that reject a broken file."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from secgraph.model import geography
from secgraph.model.names import name_key
from secgraph.model.public_bodies import (
    COLUMNS,
    FILE_NAME,
    PublicBodiesError,
    PublicBody,
    parse_public_bodies,
    public_bodies,
)
from secgraph.model.vocabulary import Sector

REPO = Path(__file__).resolve().parents[1]
#: The domain folder sits beside the clone in CI, and beside the folder of worktrees on a workstation.
JURISDICTIONS_CANDIDATES = (
    REPO.parent / "shared" / "domain" / "jurisdictions.csv",
    REPO.parent.parent / "shared" / "domain" / "jurisdictions.csv",
)
PREFECTURE_CODES = tuple(p.code for p in geography.prefectures())
ONE_PER_PREFECTURE = (
    Sector.POLICE,
    Sector.PREFECTURE,
    Sector.METI_BUREAU,
    Sector.MIC_BUREAU,
    Sector.CHAMBER_OF_COMMERCE,
)


def directory_text() -> str:
    return resources.files("secgraph.model").joinpath("data", FILE_NAME).read_text(encoding="utf-8")


def only(prefecture: str, sector: Sector) -> PublicBody:
    (body,) = public_bodies(prefecture, sector)
    return body


# ------------------------------------------------------------------------------------------- coverage


@pytest.mark.parametrize("code", PREFECTURE_CODES)
def test_every_prefecture_has_one_body_of_each_single_sector_and_a_national_university(code: str) -> None:
    counts = Counter(body.sector for body in public_bodies(code))
    assert {sector: counts[sector] for sector in ONE_PER_PREFECTURE} == dict.fromkeys(ONE_PER_PREFECTURE, 1)
    assert counts[Sector.UNIVERSITY] >= 1


def test_totals_are_the_official_lists() -> None:
    counts = Counter(body.sector for body in public_bodies())
    # 85 national universities since 東京工業大学 and 東京医科歯科大学 became 東京科学大学 (2024-10-01).
    assert counts[Sector.UNIVERSITY] == 85
    assert counts[Sector.KOSEN] == 51
    for sector in ONE_PER_PREFECTURE:
        assert counts[sector] == 47
    assert set(counts) == {*ONE_PER_PREFECTURE, Sector.UNIVERSITY, Sector.KOSEN}
    assert len(public_bodies()) == sum(counts.values())


def test_every_body_is_listed_once_nationally_except_bureaus_which_repeat_per_prefecture_served() -> None:
    names = Counter((body.sector, body.name) for body in public_bodies())
    repeated = {sector for (sector, _), count in names.items() if count > 1}
    assert repeated <= {Sector.METI_BUREAU, Sector.MIC_BUREAU}
    assert len({name for (sector, name) in names if sector is Sector.METI_BUREAU}) == 9  # 8 bureaus + Okinawa
    assert len({name for (sector, name) in names if sector is Sector.MIC_BUREAU}) == 11


def test_graduate_only_national_universities_are_listed_where_their_main_campus_is() -> None:
    graduate_only = {
        "北陸先端科学技術大学院大学": "17",
        "奈良先端科学技術大学院大学": "29",
        "総合研究大学院大学": "14",
        "政策研究大学院大学": "13",
    }
    universities = {body.name: body.prefecture for body in public_bodies(sector=Sector.UNIVERSITY)}
    assert {name: universities.get(name) for name in graduate_only} == graduate_only
    # Inter-university research institute corporations (大学共同利用機関法人) are not universities.
    assert not [name for name in universities if "機構" in name or "研究所" in name]


# ------------------------------------------------------------------------------------- jurisdictions


@pytest.mark.parametrize("prefecture", geography.prefectures(), ids=lambda p: p.code)
def test_bureaus_are_the_ones_geography_gives(prefecture: geography.Prefecture) -> None:
    for sector, region_code in (
        (Sector.METI_BUREAU, prefecture.meti_region),
        (Sector.MIC_BUREAU, prefecture.mic_region),
    ):
        region = geography.region(region_code)
        body = only(prefecture.code, sector)
        assert name_key(region.bureau) in {name_key(name) for name in body.names}
        assert body.name_en == region.bureau_en


def test_fukui_and_okinawa_have_their_split_jurisdictions() -> None:
    assert only("18", Sector.METI_BUREAU).name == "近畿経済産業局"
    assert only("18", Sector.MIC_BUREAU).name == "北陸総合通信局"
    assert only("47", Sector.METI_BUREAU).name == "内閣府沖縄総合事務局 経済産業部"
    assert only("47", Sector.MIC_BUREAU).name == "沖縄総合通信事務所"


def test_bureaus_match_the_shared_jurisdictions_file_when_it_is_beside_the_clone() -> None:
    found = [path for path in JURISDICTIONS_CANDIDATES if path.is_file()]
    if not found:
        pytest.skip("shared/domain/jurisdictions.csv is not beside this clone")
    rows = list(csv.DictReader(found[0].read_text(encoding="utf-8").splitlines()))
    assert [row["code"] for row in rows] == list(PREFECTURE_CODES)
    for row in rows:
        assert only(row["code"], Sector.METI_BUREAU).name == row["meti_bureau"], row["code"]
        assert only(row["code"], Sector.MIC_BUREAU).name == row["mic_bureau"], row["code"]


# ------------------------------------------------------------------------------------------- naming


@pytest.mark.parametrize("prefecture", geography.prefectures(), ids=lambda p: p.code)
def test_names_follow_the_official_patterns(prefecture: geography.Prefecture) -> None:
    police = only(prefecture.code, Sector.POLICE).name
    if prefecture.code == "13":
        assert police == "警視庁"
    else:
        assert police == f"{prefecture.name}警察"
    assert only(prefecture.code, Sector.PREFECTURE).name == prefecture.name
    assert only(prefecture.code, Sector.METI_BUREAU).name.endswith(("経済産業局", "経済産業部"))
    assert only(prefecture.code, Sector.MIC_BUREAU).name.endswith(("総合通信局", "総合通信事務所"))
    assert only(prefecture.code, Sector.CHAMBER_OF_COMMERCE).name.endswith("商工会議所")
    for body in public_bodies(prefecture.code, Sector.UNIVERSITY):
        assert body.name.endswith("大学")
    for body in public_bodies(prefecture.code, Sector.KOSEN):
        assert body.name.endswith("高等専門学校")


def test_prefectural_government_aliases_include_the_office_form() -> None:
    for body in public_bodies(sector=Sector.PREFECTURE):
        assert f"{body.name}庁" in body.aliases, body.name


def test_every_row_has_an_english_name_a_source_and_a_date() -> None:
    for body in public_bodies():
        assert body.name_en.isascii() and body.name_en.strip(), body
        assert body.source.strip() and body.source == body.source.strip(), body
        assert isinstance(body.as_of, dt.date)
    # One official list per sector, so a row's provenance is never a guess.
    sources: dict[Sector, set[str]] = {}
    for body in public_bodies():
        sources.setdefault(body.sector, set()).add(body.source)
    assert all(len(names) == 1 for names in sources.values()), sources


# -------------------------------------------------------------------------------------------- reader


def test_the_file_itself_is_sorted_and_the_reader_keeps_that_order() -> None:
    rows = list(csv.reader(directory_text().splitlines()))
    assert tuple(rows[0]) == COLUMNS
    keys = [(row[0], row[1], row[2]) for row in rows[1:]]
    assert keys == sorted(keys)
    assert [body.sort_key for body in public_bodies()] == keys


def test_filters_partition_the_directory_and_accept_any_prefecture_spelling() -> None:
    everything = public_bodies()
    by_prefecture = [body for code in PREFECTURE_CODES for body in public_bodies(code)]
    assert by_prefecture == list(everything)
    assert sum(len(public_bodies(sector=sector)) for sector in Sector) == len(everything)
    assert public_bodies("27") == public_bodies("大阪府") == public_bodies("Osaka")
    assert public_bodies("27", Sector.POLICE) == public_bodies("大阪", "police")
    assert public_bodies("27", Sector.POLICE)[0].name == "大阪府警察"
    assert public_bodies(sector=Sector.BANK) == ()
    with pytest.raises(ValueError, match="48"):
        public_bodies("48")
    with pytest.raises(ValueError, match="不明な値"):
        public_bodies(sector="polise")  # type: ignore[arg-type]


def test_the_directory_is_read_once() -> None:
    assert public_bodies() is public_bodies()


def test_order_does_not_depend_on_hash_seed() -> None:
    script = (
        "from secgraph.model.public_bodies import public_bodies\n"
        "for b in public_bodies(): print(b.prefecture, b.sector.value, b.name, '|'.join(b.aliases))\n"
    )
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, encoding="utf-8", check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert len(next(iter(outputs)).splitlines()) == len(public_bodies())


# -------------------------------------------------------------------------------------- broken files

HEADER = ",".join(COLUMNS)
GOOD = "27,police,大阪府警察,Osaka Prefectural Police,大阪府警|府警,警察庁 都道府県警察一覧,2025-04-01"


def test_a_good_row_parses_with_its_aliases_and_date() -> None:
    (body,) = parse_public_bodies(f"\ufeff{HEADER}\n{GOOD}\n\n")
    assert body == PublicBody(
        "27", Sector.POLICE, "大阪府警察", "Osaka Prefectural Police", ("大阪府警", "府警"),
        "警察庁 都道府県警察一覧", dt.date(2025, 4, 1),
    )  # fmt: skip
    assert body.names == ("大阪府警察", "大阪府警", "府警")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("48,police,X県警察,X,,警察庁 都道府県警察一覧,2025-04-01", "line 2, prefecture: '48'"),
        ("27,polise,大阪府警察,X,,警察庁 都道府県警察一覧,2025-04-01", "line 2, sector: 'polise'"),
        ("27,police,,X,,警察庁 都道府県警察一覧,2025-04-01", "line 2, name: is empty"),
        ("27,police,大阪府警察,X,,,2025-04-01", "line 2, source: is empty"),
        ("27,police,大阪府警察,X,,警察庁 都道府県警察一覧,令和7年", "line 2, as_of: '令和7年' is not a date"),
        ("27,police,大阪府警察,X,府警||大阪府警,警察庁 都道府県警察一覧,2025-04-01", "line 2, aliases: has an empty"),
        ("27,police,大阪府警察,X,大阪府 警察,警察庁 都道府県警察一覧,2025-04-01", "line 2, aliases: repeats the name"),
        ("27,police,大阪府警察,X,警察庁 都道府県警察一覧,2025-04-01", "line 2, (row): has 6 fields"),
        ("27,meti_bureau,中部経済産業局,X,,経済産業省 地方経済産業局一覧,2025-04-01", "is not 近畿経済産業局"),
        ("18,mic_bureau,近畿総合通信局,X,,総務省 総合通信局一覧,2025-04-01", "is not 北陸総合通信局"),
    ],
)
def test_a_broken_row_is_rejected_naming_its_line_and_field(row: str, expected: str) -> None:
    with pytest.raises(PublicBodiesError) as caught:
        parse_public_bodies(f"{HEADER}\n{row}\n")
    message = str(caught.value)
    assert expected in message
    assert f"{FILE_NAME} 2行目" in message  # the Japanese half names the line too


def test_a_duplicate_and_an_ambiguous_alias_are_each_reported_with_both_lines() -> None:
    text = "\n".join(
        [
            HEADER,
            GOOD,
            "27,police,大阪府警察,Osaka Prefectural Police,,警察庁 都道府県警察一覧,2025-04-01",
            "27,university,大阪大学,The University of Osaka,阪大|府警,文部科学省 国立大学法人一覧,2025-04-01",
            # The same alias in another prefecture names that prefecture's body: no clash.
            "26,police,京都府警察,Kyoto Prefectural Police,府警,警察庁 都道府県警察一覧,2025-04-01",
        ]
    )
    with pytest.raises(PublicBodiesError) as caught:
        parse_public_bodies(text, "edited.csv")
    problems = str(caught.value).splitlines()
    assert len(problems) == 3, problems
    assert any("edited.csv line 3, name: '大阪府警察' is already listed" in p and "line 2" in p for p in problems)
    assert any(p.startswith("edited.csv line 4, aliases: '府警' also names 大阪府警察") for p in problems)
    assert any(p.startswith("edited.csv line 2, aliases: '府警' also names 大阪大学") for p in problems)


def test_a_wrong_header_is_rejected() -> None:
    with pytest.raises(PublicBodiesError, match="header"):
        parse_public_bodies("code,sector,name\n27,police,大阪府警察\n")
    with pytest.raises(PublicBodiesError, match="empty"):
        parse_public_bodies("")
