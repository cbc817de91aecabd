"""The model: dates, names, vocabularies, geography, and validation that names field and value."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from secgraph.model import geography
from secgraph.model.dates import fiscal_year, parse_date, parse_period
from secgraph.model.names import name_key, normalise_text
from secgraph.model.records import (
    MAX_COUNT,
    MAX_EDITION,
    NODE_TYPES,
    USER_NODE_KINDS,
    Community,
    Event,
    Organisation,
    Relationship,
)
from secgraph.model.vocabulary import RelType, Sector, SectorGroup, parse_term, sector_group

PROVENANCE = {"source": "test", "as_of": "2021-03"}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2014-09-01", "2014-09-01"),
        ("2014-09", "2014-09"),
        ("2014", "2014"),
        ("2014/9/1", "2014-09-01"),
        ("2014年9月1日", "2014-09-01"),
        ("平成26年9月", "2014-09"),
        ("平成26年9月1日", "2014-09-01"),
        ("令和2年2月", "2020-02"),
        ("令和元年5月1日", "2019-05-01"),
        ("R2.2", "2020-02"),
        ("H26.9.1", "2014-09-01"),
        ("２０２１年２月３日（水）", "2021-02-03"),
        ("昭和64年1月7日", "1989-01-07"),
    ],
)
def test_dates_in_iso_and_era_forms(text: str, iso: str) -> None:
    assert parse_date(text).iso() == iso


@pytest.mark.parametrize("text", ["", "someday", "2021-02-30", "2021-13", "令和2年13月", "平成"])
def test_bad_dates_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(ValueError, match="date|日付"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("FY2020", "2020-04-01", "2021-03-31"),
        ("2020年度", "2020-04-01", "2021-03-31"),
        ("令和2年度", "2020-04-01", "2021-03-31"),
        ("平成20年度", "2008-04-01", "2009-03-31"),
        ("2021-02", "2021-02", "2021-02"),
    ],
)
def test_fiscal_years(text: str, start: str, end: str) -> None:
    period = parse_period(text)
    assert (period.start.iso(), period.end.iso()) == (start, end)


def test_fiscal_year_of_a_day() -> None:
    assert fiscal_year(dt.date(2021, 3, 31)) == 2020
    assert fiscal_year(dt.date(2021, 4, 1)) == 2021
    assert parse_date("2021-02").last_day() == dt.date(2021, 2, 28)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("株式会社 トレンドマイクロ", "トレンドマイクロ株式会社"),
        ("トレンドマイクロ(株)", "トレンドマイクロ"),
        ("トレンドマイクロ㈱", "ﾄﾚﾝﾄﾞﾏｲｸﾛ"),
        ("一般財団法人関西情報センター", "関西情報センター"),
        ("ＩＰＡ", "IPA"),
        ("関西 SEC-net", "関西SEC‐net"),
    ],
)
def test_name_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_names_keep_different_keys() -> None:
    assert name_key("熊本県警察") != name_key("熊本県")
    assert name_key("近畿経済産業局") != name_key("近畿総合通信局")


def test_vocabulary_accepts_codes_and_both_languages() -> None:
    assert parse_term(Sector, "警察") is Sector.POLICE
    assert parse_term(Sector, "insurer") is Sector.INSURER
    assert parse_term(Sector, "Insurer") is Sector.INSURER
    assert parse_term(Sector, "高専") is Sector.KOSEN
    assert parse_term(RelType, "共催") is RelType.CO_HOSTED
    assert parse_term(RelType, "member_of") is RelType.MEMBER_OF
    assert sector_group(Sector.UNIVERSITY) is SectorGroup.ACADEMIA
    assert sector_group(Sector.INSURER) is SectorGroup.FINANCE


def test_geography_has_two_regions_per_prefecture() -> None:
    assert len(geography.prefectures()) == 47
    assert len([r for r in geography.regions() if r.kind == "mic"]) == 11
    fukui = geography.prefecture("福井")
    assert (fukui.meti_region, fukui.mic_region) == ("meti-kinki", "mic-hokuriku")
    assert geography.prefecture("18") == geography.prefecture("Fukui") == fukui
    assert geography.prefecture("沖縄県").meti_region == "meti-okinawa"
    assert geography.region("近畿").code == "mic-kinki"
    # Every region has at least one prefecture, and every prefecture one region of each kind.
    for region in geography.regions():
        assert geography.prefectures_of_region(region.code)


@pytest.mark.parametrize(
    ("record", "data", "field", "value"),
    [
        (Organisation, {"id": "o", "name": "X", "sector": "spaceport"}, "sector", "spaceport"),
        (
            Organisation,
            {"id": "o", "name": "X", "sector": "police", "prefecture": "ムー大陸"},
            "prefecture",
            "ムー大陸",
        ),
        (Organisation, {"id": "o", "name": "  ", "sector": "police"}, "name", ""),
        (Organisation, {"id": "bad id!", "name": "X", "sector": "police"}, "id", "bad id!"),
        (
            Event,
            {"id": "e", "title": "T", "event_type": "seminar", "start": "2021-02-03", "end": "2021-02-01"},
            "end",
            "2021-02-01",
        ),
        (Event, {"id": "e", "title": "T", "event_type": "seminar", "start": "いつか"}, "start", "いつか"),
        (Community, {"id": "c", "name": "C", "region": "アトランティス"}, "region", "アトランティス"),
    ],
)
def test_validation_names_the_field_and_value(record: type, data: dict, field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        record.model_validate({**data, **PROVENANCE})
    message = str(caught.value)
    assert field in message
    assert value in message


def test_relationship_checks_its_own_fields() -> None:
    with pytest.raises(ValidationError, match="member_class"):
        Relationship(type="SPOKE_AT", from_id="a", to_id="b", member_class="officer", **PROVENANCE)
    with pytest.raises(ValidationError, match="before start"):
        Relationship(type="WORKS_AT", from_id="a", to_id="b", start="2020-04", end="2019-03", **PROVENANCE)
    rel = Relationship(type="構成員", from_id="a", to_id="b", member_class="特別支援構成員", **PROVENANCE)
    assert rel.type == "MEMBER_OF" and rel.member_class == "special_support"
    assert rel.id == Relationship(type="MEMBER_OF", from_id="a", to_id="b", **PROVENANCE).id


def test_provenance_is_required() -> None:
    with pytest.raises(ValidationError, match="source"):
        Organisation(id="o", name="X", sector="police", as_of="2020")
    with pytest.raises(ValidationError, match="as_of"):
        Organisation(id="o", name="X", sector="police", source="s")


def test_every_number_of_every_record_has_a_range_in_its_schema() -> None:
    """A number field added without a range (say ``int = Field(ge=0)``) fails here: every integer or
    decimal a record holds states its minimum and maximum (records.Count, Edition, Percent)."""
    unbounded, found = [], 0
    for model in (*(NODE_TYPES[kind] for kind in USER_NODE_KINDS), Relationship):
        for name, spec in model.model_json_schema()["properties"].items():
            for option in spec.get("anyOf", [spec]):
                if option.get("type") in ("integer", "number"):
                    found += 1
                    if not {"minimum", "maximum"} <= set(option):
                        unbounded.append(f"{model.__name__}.{name}")
    assert found >= 6 and unbounded == []


@pytest.mark.parametrize(
    ("field", "value", "accepted"),
    [
        ("attendees", MAX_COUNT, True),
        ("attendees", MAX_COUNT + 1, False),
        ("attendees", 10**30, False),
        ("capacity", -1, False),
        ("applicants", "12", True),
        ("applicants", True, False),
        ("edition", MAX_EDITION, True),
        ("edition", 0, False),
        ("satisfaction", 100, True),
        ("satisfaction", float("nan"), False),
        ("as_of", 2021, True),
        ("as_of", 99_999_999, False),
        ("as_of", 2021.0, False),
    ],
)
def test_numbers_outside_their_range_are_refused_in_both_languages(field: str, value: object, accepted: bool) -> None:
    event = {"id": "e", "title": "t", "event_type": "seminar", "start": "2021-02-01", **PROVENANCE}
    if accepted:
        assert Event.model_validate({**event, field: value})
        return
    with pytest.raises(ValidationError) as caught:
        Event.model_validate({**event, field: value})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,)
    if not isinstance(value, float) or field == "satisfaction":  # a date as a decimal: pydantic's "not a string"
        assert " / " in error["msg"] and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", error["msg"]), error["msg"]


@pytest.mark.parametrize("bad", ["a\ud800", "\udfff", "ok\udc80ok"])
def test_text_with_a_lone_surrogate_is_refused_naming_the_character(bad: str) -> None:
    with pytest.raises(ValueError, match=r"is a lone surrogate, not text / .*文字目"):
        normalise_text(bad)
    for field, value in [("name", bad), ("aliases", ["ok", bad]), ("sector", bad), ("as_of", bad), ("prefecture", bad)]:
        with pytest.raises(ValidationError) as caught:
            Organisation.model_validate({"id": "o", "name": "n", "sector": "sme", **PROVENANCE, field: value})
        assert [e["loc"] for e in caught.value.errors()] == [(field,)]
        assert "lone surrogate" in caught.value.errors()[0]["msg"]


def test_one_label_function_each_for_kinds_sectors_and_prefectures() -> None:
    from secgraph.model.geography import prefecture_name, prefecture_names
    from secgraph.model.vocabulary import kind_label, sector_label

    assert (kind_label("Person"), kind_label("Person", "en"), kind_label("Mystery")) == ("人物", "Person", "Mystery")
    assert (sector_label("police"), sector_label("police", "en")) == ("警察", "Police")
    assert (sector_label(None), sector_label(None, "en")) == ("不明", "unknown")
    assert sector_label("community") == "コミュニティ"
    assert prefecture_names(["28", "27"]) == "大阪府、兵庫県" and prefecture_names(["27"], "en") == "Osaka"
    assert prefecture_name("99") == "99"  # a code that names no prefecture is shown as given
