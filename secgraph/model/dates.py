"""Dates as the documents write them: ISO, Japanese eras and Japanese fiscal years.

A date in the sources is often partial (「平成26年9月」 is a month, 「2020年度」 a fiscal year), so a
parsed date keeps its precision: ``PartialDate`` is stored as the ISO text of what is known
(``2014``, ``2014-09``, ``2014-09-01``) and can give the first or the last day it may mean.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: First Gregorian year of each era, by every name it is written under.
_ERAS: dict[str, int] = {
    "明治": 1868, "M": 1868,
    "大正": 1912, "T": 1912,
    "昭和": 1926, "S": 1926,
    "平成": 1989, "H": 1989,
    "令和": 2019, "R": 2019,
}  # fmt: skip

_ERA_PATTERN = "|".join(sorted(_ERAS, key=len, reverse=True))
_ERA_RE = re.compile(
    rf"^(?P<era>{_ERA_PATTERN})\s*(?P<year>\d+|元)\s*(?:年|\.)\s*"
    rf"(?:(?P<month>\d{{1,2}})\s*(?:月|\.)?\s*(?:(?P<day>\d{{1,2}})\s*日?)?)?$"
)
_ERA_FY_RE = re.compile(rf"^(?P<era>{_ERA_PATTERN})\s*(?P<year>\d+|元)\s*年度$")
_ISO_RE = re.compile(r"^(?P<year>\d{4})(?:[-/.](?P<month>\d{1,2})(?:[-/.](?P<day>\d{1,2}))?)?$")
_KANJI_RE = re.compile(r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?$")
_FY_RE = re.compile(r"^(?:FY\s*(?P<y1>\d{4})|(?P<y2>\d{4})\s*年度)$", re.IGNORECASE)
#: Examples of every form ``parse_date`` reads, for error messages (each of them parses: tested).
ACCEPTED_FORMS = "2020-02-10, 2020-02, 2020, 令和2年2月10日, R2.2, FY2020, 2020年度 or 令和2年度"
_WEEKDAY_RE = re.compile(r"[（(][月火水木金土日](?:・祝)?[）)]")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, month or day, or a Japanese fiscal year (``fiscal``: 年度, April 1 of
    ``year`` to March 31 of the next), stored as ``FY2023``."""

    year: int
    month: int | None = None
    day: int | None = None
    fiscal: bool = False

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2200:
            raise ValueError(f"year {self.year} is out of range / 年が範囲外です")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist / 存在しない月です")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month / 日には月が必要です")
            dt.date(self.year, self.month, self.day)  # raises for 2021-02-30
        if self.fiscal and self.month is not None:
            raise ValueError("a fiscal year has no month / 年度に月はありません")

    def first_day(self) -> dt.date:
        if self.fiscal:
            return dt.date(self.year, 4, 1)
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        if self.fiscal:
            return dt.date(self.year + 1, 3, 31)
        if self.day is not None:
            return dt.date(self.year, self.month or 1, self.day)
        month = self.month or 12
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        if self.fiscal:
            return f"FY{self.year:04d}"
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Period:
    """A span of days, such as a fiscal year or an event's date range."""

    start: PartialDate
    end: PartialDate


def fiscal_year(day: dt.date) -> int:
    """The Japanese fiscal year (April–March) that ``day`` falls in: 2021-03-31 is FY2020."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_period(year: int) -> Period:
    return Period(PartialDate(year, 4, 1), PartialDate(year + 1, 3, 31))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    return _WEEKDAY_RE.sub("", text).strip()


def _era_year(era: str, year: str) -> int:
    return _ERAS[era] + (1 if year == "元" else int(year)) - 1


def parse_period(text: str) -> Period:
    """Parse a date or a fiscal year into the span of days it means.

    >>> parse_period("令和2年度").start.iso(), parse_period("令和2年度").end.iso()
    ('2020-04-01', '2021-03-31')
    """
    day = parse_date(text)
    if day.fiscal:
        return fiscal_year_period(day.year)
    return Period(day, day)


# The analyses read the same few thousand date texts hundreds of thousands of times (every tie of every
# snapshot); PartialDate is a frozen dataclass, so one parsed value can be handed to every caller.
@lru_cache(maxsize=1 << 16)
def parse_date(text: str) -> PartialDate:
    """Parse ISO (``2014-09-01``, ``2014-09``, ``2014``), 「2014年9月1日」, a Japanese era date, or a
    Japanese fiscal year (``FY2023``, 「2023年度」, 「令和5年度」, 「R5年度」, 「令和元年度」).

    Era forms: 「平成26年9月1日」, 「平成26年9月」, 「令和元年」, ``H26.9.1``, ``R2.2``. Full-width digits
    are read as digits; a weekday in brackets (「(水)」) is ignored. A fiscal year is the period April 1
    – March 31 (``PartialDate.fiscal``). This is the one date parser of every date column and option.
    Raises ``ValueError`` naming the text, and only forms it accepts, when it is not a date.

    >>> parse_date("平成26年9月").iso()
    '2014-09'
    >>> parse_date("R2.2").iso()
    '2020-02'
    """
    cleaned = _clean(text)
    try:
        if match := _FY_RE.match(cleaned):
            return PartialDate(int(match["y1"] or match["y2"]), fiscal=True)
        if match := _ERA_FY_RE.match(cleaned):
            return PartialDate(_era_year(match["era"], match["year"]), fiscal=True)
        for pattern in (_ISO_RE, _KANJI_RE):
            if match := pattern.match(cleaned):
                return _build(int(match["year"]), match["month"], match["day"])
        if match := _ERA_RE.match(cleaned):
            return _build(_era_year(match["era"], match["year"]), match["month"], match["day"])
    except ValueError as error:
        raise ValueError(f"'{text}' is not a valid date: {error} / 日付として正しくありません") from None
    raise ValueError(f"'{text}' is not a date (use {ACCEPTED_FORMS}) / 日付として読めません")


def day_named(text: str, *, first: bool = False) -> dt.date:
    """The day a date written by a person stands for, in any form :func:`parse_date` reads: a day is
    itself; a month, year or fiscal year stands for its last day (the network as it stood when the
    period ended), or for its first with ``first`` (where a span begins).

    >>> day_named("令和2年度")
    datetime.date(2021, 3, 31)
    >>> day_named("2020-04", first=True)
    datetime.date(2020, 4, 1)
    """
    named = parse_date(text)
    return named.first_day() if first else named.last_day()


def _build(year: int, month: str | None, day: str | None) -> PartialDate:
    return PartialDate(year, int(month) if month else None, int(day) if day else None)
