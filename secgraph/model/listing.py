"""Lists of names cut to fit: the first few, then how many more (「A、B ほか3 / 3 more」).

Evidence text, map tooltips, the figure's side panel and the printed profile all cut long lists the
same way, so a reader sees one convention everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

#: "ja" or "en" for one language; "ja/en" for text that carries both (tooltips, panels, documents).
Lang = Literal["ja", "en", "ja/en"]
T = TypeVar("T")


def more_text(count: int, lang: Lang = "ja") -> str:
    """How many were left out: 「ほか3」, "3 more", or 「ほか3 / 3 more」."""
    ja, en = f"ほか{count}", f"{count} more"
    return ja if lang == "ja" else en if lang == "en" else f"{ja} / {en}"


def listed(
    items: Sequence[T], limit: int, lang: Lang = "ja", name: Callable[[T], str] = str, *, between: str | None = None
) -> str:
    """The names of the first ``limit`` of ``items`` (in the order given; ``name`` is asked for those
    only) and how many more: 「A、B ほか3」 in Japanese, "A, B and 3 more" in English,
    「A、B ほか3 / 3 more」 for both. ``between`` puts another mark between the names (a list inside
    a list: 「A・B ほか3」)."""
    if between is None:
        between = ", " if lang == "en" else "、"
    shown = between.join(name(item) for item in items[:limit])
    if len(items) <= limit:
        return shown
    left_out = more_text(len(items) - limit, lang)
    return f"{shown} and {left_out}" if lang == "en" else f"{shown} {left_out}"
