"""How often a series' events are held, as a document states it (年2回, 隔月, 毎週, monthly …).

Documents often say that an event recurs ("seminars twice a year since 2017") without listing the
editions. A series records that statement as a cadence with a span (``since``, ``until``); the
analyses count it as held events, marked as stated rather than dated.

A cadence is normalised to one code of :class:`Cadence`; :func:`parse_cadence` reads Japanese and
English wordings. 「定期的」 (regularly, no frequency given) is :attr:`Cadence.REGULAR`: recurring, at
least once a year as far as the analyses assume, with no number of events per year.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import NamedTuple


class Cadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    BIMONTHLY = "bimonthly"
    QUARTERLY = "quarterly"
    THREE_A_YEAR = "three_a_year"
    TWICE_A_YEAR = "twice_a_year"
    YEARLY = "yearly"
    REGULAR = "regular"


class CadenceInfo(NamedTuple):
    ja: str
    en: str
    #: Events a year the cadence states; None for 「定期的」 (no frequency given).
    per_year: int | None


CADENCES: dict[Cadence, CadenceInfo] = {
    Cadence.WEEKLY: CadenceInfo("毎週", "weekly", 52),
    Cadence.BIWEEKLY: CadenceInfo("隔週", "every two weeks", 26),
    Cadence.MONTHLY: CadenceInfo("毎月", "monthly", 12),
    Cadence.BIMONTHLY: CadenceInfo("隔月", "every two months", 6),
    Cadence.QUARTERLY: CadenceInfo("年4回", "four times a year", 4),
    Cadence.THREE_A_YEAR: CadenceInfo("年3回", "three times a year", 3),
    Cadence.TWICE_A_YEAR: CadenceInfo("年2回", "twice a year", 2),
    Cadence.YEARLY: CadenceInfo("年1回", "once a year", 1),
    Cadence.REGULAR: CadenceInfo("定期的（頻度の記載なし）", "regularly (no frequency stated)", None),
}

_BY_PER_YEAR = {info.per_year: cadence for cadence, info in CADENCES.items() if info.per_year is not None}

_WORDS: dict[str, Cadence] = {
    **{c.value: c for c in Cadence},
    **{info.ja: c for c, info in CADENCES.items()},
    **{info.en: c for c, info in CADENCES.items()},
    # Japanese
    "週1回": Cadence.WEEKLY, "毎週1回": Cadence.WEEKLY, "週一回": Cadence.WEEKLY,
    "2週に1回": Cadence.BIWEEKLY, "2週間に1回": Cadence.BIWEEKLY, "隔週開催": Cadence.BIWEEKLY,
    "月1回": Cadence.MONTHLY, "月一回": Cadence.MONTHLY, "毎月1回": Cadence.MONTHLY, "月例": Cadence.MONTHLY,
    "隔月開催": Cadence.BIMONTHLY, "2か月に1回": Cadence.BIMONTHLY, "2ヶ月に1回": Cadence.BIMONTHLY,
    "2カ月に1回": Cadence.BIMONTHLY, "2ヵ月に1回": Cadence.BIMONTHLY,
    "四半期": Cadence.QUARTERLY, "四半期ごと": Cadence.QUARTERLY, "3か月に1回": Cadence.QUARTERLY,
    "半期ごと": Cadence.TWICE_A_YEAR, "半年ごと": Cadence.TWICE_A_YEAR, "半年に1回": Cadence.TWICE_A_YEAR,
    "毎年": Cadence.YEARLY, "年一回": Cadence.YEARLY, "年次": Cadence.YEARLY, "毎年度": Cadence.YEARLY,
    "定期": Cadence.REGULAR, "定期的": Cadence.REGULAR, "定期開催": Cadence.REGULAR, "定期的に開催": Cadence.REGULAR,
    # English
    "every week": Cadence.WEEKLY, "once a week": Cadence.WEEKLY,
    "fortnightly": Cadence.BIWEEKLY, "every other week": Cadence.BIWEEKLY, "every 2 weeks": Cadence.BIWEEKLY,
    "every month": Cadence.MONTHLY, "once a month": Cadence.MONTHLY,
    "every other month": Cadence.BIMONTHLY, "every 2 months": Cadence.BIMONTHLY,
    "every 3 months": Cadence.QUARTERLY, "4 times a year": Cadence.QUARTERLY,
    "3 times a year": Cadence.THREE_A_YEAR,
    "twice yearly": Cadence.TWICE_A_YEAR, "semiannual": Cadence.TWICE_A_YEAR, "semi-annual": Cadence.TWICE_A_YEAR,
    "biannual": Cadence.TWICE_A_YEAR, "semiannually": Cadence.TWICE_A_YEAR, "every 6 months": Cadence.TWICE_A_YEAR,
    "2 times a year": Cadence.TWICE_A_YEAR,
    "annual": Cadence.YEARLY, "annually": Cadence.YEARLY, "every year": Cadence.YEARLY, "1 time a year": Cadence.YEARLY,
    "regular": Cadence.REGULAR, "regularly": Cadence.REGULAR,
}  # fmt: skip

#: Hedges a document adds (「年2回程度」, "about twice a year") that do not change the cadence.
_HEDGES = re.compile(r"^(約|およそ|about |around |roughly )|(程度|くらい|ぐらい|ほど|前後|開催|ごろ)$")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return re.sub(r"\s+", " ", text)


def _times(text: str) -> Cadence | None:
    """「年N回」「月N回」「週N回」 and "N times a year/month": by the number of events a year."""
    match = re.fullmatch(r"(年|月|週)(\d+)回", text) or re.fullmatch(r"(\d+) times (?:a|per) (year|month|week)", text)
    if match is None:
        return None
    unit, number = (match[1], int(match[2])) if match[1] in "年月週" else (match[2], int(match[1]))
    per_year = number * {"年": 1, "year": 1, "月": 12, "month": 12, "週": 52, "week": 52}[unit]
    return _BY_PER_YEAR.get(per_year)


def parse_cadence(value: str) -> Cadence:
    """The cadence a text states: a code (``twice_a_year``), Japanese (年2回, 年2回程度, 隔月, 毎週, 定期的)
    or English (twice a year, bimonthly, monthly). Anything else is refused with the accepted forms."""
    text = _fold(value)
    for candidate in (text, _HEDGES.sub("", text).strip()):
        found = _WORDS.get(candidate) or _times(candidate)
        if found is not None:
            return found
    known = ", ".join(f"{c.value}（{info.ja}）" for c, info in CADENCES.items())
    raise ValueError(
        f"unknown cadence '{value}': use a code or e.g. 年2回, 隔月, 毎週, monthly (known: {known}) "
        f"/ 開催頻度が読めません。使える値: {known}"
    )


def cadence_label(cadence: str | Cadence, lang: str = "ja") -> str:
    info = CADENCES[Cadence(cadence)]
    return info.ja if lang == "ja" else info.en


def events_per_year(cadence: str | Cadence) -> int | None:
    return CADENCES[Cadence(cadence)].per_year
