"""What the table and graph-file writers share: the Japanese names they give record kinds, sectors
and prefectures, and the one date every file carries, so that the same data gives the same bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from secgraph.model import geography
from secgraph.model.vocabulary import Sector, label

#: The date written into every workbook, zip entry and GEXF file: a fixed one, so the same data gives the
#: same bytes.
FIXED_TIMESTAMP = dt.datetime(2000, 1, 1, 0, 0, 0)

KIND_LABELS: dict[str, str] = {
    "Organisation": "団体",
    "Person": "人物",
    "Community": "コミュニティ",
    "EventSeries": "イベントシリーズ",
    "Event": "イベント",
    "Headcount": "人数",
    "Note": "メモ",
}


def sector_label(code: str | None) -> str | None:
    """A sector code in Japanese (a community, which has no sector, as コミュニティ)."""
    if not code:
        return None
    if code in Sector.__members__.values():
        return label(Sector(code))
    return KIND_LABELS["Community"] if code == "community" else code


def _prefecture_name(code: str) -> str:
    try:
        return geography.prefecture(code).name
    except (KeyError, ValueError):
        return code


def prefecture_names(codes: Iterable[str]) -> str:
    """Prefecture codes as Japanese names, in code order."""
    return "、".join(_prefecture_name(code) for code in sorted(codes))
