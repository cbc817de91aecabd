"""The 47 prefectures and the two kinds of region each belongs to.

Every prefecture has a METI bureau area and a MIC telecom-bureau area, and the two do not always
agree (Fukui: METI Kinki, MIC Hokuriku; Niigata: METI Kanto, MIC Shinetsu). The 11 MIC areas are the
地域SECUNITY areas. Okinawa's METI functions sit with the Okinawa General Bureau.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Region:
    code: str
    kind: str  # "mic" or "meti"
    name: str
    name_en: str
    bureau: str
    bureau_en: str


@dataclass(frozen=True)
class Prefecture:
    code: str
    name: str
    short: str
    name_en: str
    meti_region: str
    mic_region: str


def _rows(file_name: str) -> list[dict[str, str]]:
    text = resources.files("secgraph.model").joinpath("data", file_name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def prefectures() -> tuple[Prefecture, ...]:
    return tuple(Prefecture(**row) for row in _rows("prefectures.csv"))


@cache
def regions() -> tuple[Region, ...]:
    return tuple(Region(**row) for row in _rows("regions.csv"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "")


@cache
def _prefecture_index() -> dict[str, Prefecture]:
    index: dict[str, Prefecture] = {}
    for prefecture in prefectures():
        for key in (
            prefecture.code,
            str(int(prefecture.code)),
            prefecture.name,
            prefecture.short,
            prefecture.name_en,
            f"{prefecture.name_en}-ken",
            f"pref-{prefecture.code}",
        ):
            index[_fold(key)] = prefecture
    return index


@cache
def _region_index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    # MIC areas are indexed last so that a bare 「近畿」 means the 地域SECUNITY (MIC) area.
    for region in sorted(regions(), key=lambda r: r.kind != "meti"):
        for key in (region.code, region.name, region.name_en, region.bureau, region.bureau_en):
            index[_fold(key)] = region
        index[_fold(region.name + "地域")] = region
    return index


def prefecture(text: str) -> Prefecture:
    """Resolve a JIS code (``27``), a name (「大阪府」「大阪」) or an English name to a prefecture."""
    found = _prefecture_index().get(_fold(text))
    if found is None:
        raise ValueError(f"prefecture '{text}' does not exist / 都道府県「{text}」は存在しません")
    return found


def region(text: str) -> Region:
    """Resolve a region code (``mic-kinki``) or name; a bare name means the MIC area."""
    found = _region_index().get(_fold(text))
    if found is None:
        codes = ", ".join(r.code for r in regions())
        raise ValueError(f"region '{text}' does not exist (use one of {codes}) / 地域「{text}」は存在しません")
    return found


def prefecture_node_id(code: str) -> str:
    return f"pref-{code}"


def region_node_id(code: str) -> str:
    return f"region-{code}"


def prefectures_of_region(region_code: str) -> tuple[Prefecture, ...]:
    return tuple(p for p in prefectures() if region_code in (p.meti_region, p.mic_region))


def prefecture_name(code: str, lang: str = "ja") -> str:
    """A prefecture's name by code, in Japanese or English; a code that names none, as given."""
    try:
        found = prefecture(code)
    except (KeyError, ValueError):
        return code
    return found.name if lang == "ja" else found.name_en


def prefecture_names(codes: Iterable[str], lang: str = "ja") -> str:
    """Prefectures' names in code order, joined as the language writes a list (「大阪府、兵庫県」)."""
    return ("、" if lang == "ja" else ", ").join(prefecture_name(c, lang) for c in sorted(codes))
