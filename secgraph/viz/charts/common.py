"""What every chart shares: the figure set up in the Japanese font and saved to the same bytes every
time, the bilingual column names of the tables behind the charts, and the fiscal years they span."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis.activity import ActivityIndex, partial_fiscal_year
from secgraph.analysis.areas import check_community
from secgraph.analysis.network import Scope, tie_start
from secgraph.model import geography
from secgraph.model.dates import fiscal_year, parse_date
from secgraph.model.graph import GraphData
from secgraph.model.records import Community
from secgraph.viz.fonts import (
    FIGURE_MEDIA_TYPES,
    FigureFormat,
    cjk_font,
    cjk_font_path,
    deterministic_drawing,
    save_figure,
)

ChartFormat = FigureFormat
FORMATS: tuple[str, ...] = tuple(FIGURE_MEDIA_TYPES)
MEDIA_TYPES = FIGURE_MEDIA_TYPES
#: Resolution of the PNG files: print quality for the meeting papers.
DPI = 300
#: The largest page a chart is drawn on (inches): a national chart must still print on A4 landscape.
A4_LANDSCAPE = (11.69, 8.27)
#: The smallest text on a chart, in points.
MIN_TEXT_PT = 7.0
#: The stage chart judges one date per fiscal year; a date far from the data would ask for centuries.
MAX_FISCAL_YEARS = 30
#: A community's label wraps after this many characters.
LABEL_CHARS = 18

# Column names of the tables: Japanese first, English beside.
COMMUNITY_ID = "コミュニティID / Community ID"
COMMUNITY = "コミュニティ / Community"
GROUP = "セクター群 / Sector group"
GROUP_NAME = "セクター群名 / Group name"
NAMED = "名前のある構成員 / Named members"
COUNTED_ONLY = "人数のみの構成員 / Counted only"
TOTAL = "合計 / Total"
FISCAL_YEAR = "年度 / Fiscal year"
JUDGED_ON = "判定日 / Judged on"
STAGE = "段階 / Stage"
STAGE_NAME = "段階名 / Stage name"
MEMBERS = "構成員数 / Members"
COUNTED = "人数の記録 / Counted members"
EVENTS = "開催イベント数 / Events held"
EVENTS_COUNTED = "参加者数の分かるイベント / Events with attendance"
ATTENDEES = "参加者数 / Attendees"
PREFECTURE_CODE = "都道府県コード / Prefecture code"
PREFECTURE = "都道府県 / Prefecture"
PREFECTURE_EN = "英語名 / English name"
IN_SCOPE = "対象範囲 / In scope"
COMMUNITY_COUNT = "コミュニティ数 / Communities"
COMMUNITY_IDS = "コミュニティID / Community IDs"
ACTIVE = "直近1年の活動 / Activity in the last year"
MISSING_COUNT = "不足セクター数 / Missing sectors"
MISSING = "不足セクター / Missing sector names"
STATUS = "区分 / Status"
STATUS_NAME = "区分名 / Status name"

NO_DATA = "この範囲に該当するデータがありません / No data for this scope"


# --------------------------------------------------------------------------------------------------
# Drawing: one figure, the Japanese font everywhere, the same bytes every time
# --------------------------------------------------------------------------------------------------


def font(size: float, weight: str = "normal") -> FontProperties:
    return cjk_font(size=size, weight=weight)


def _japanese_everywhere(figure: Figure) -> None:
    """Put every text of the figure in the Japanese font, also those matplotlib makes itself (tick
    labels, offsets): laid out once so that they exist, then any not yet in the font is set."""
    figure.draw_without_rendering()
    path = str(cjk_font_path())
    for text in figure.findobj(Text):
        props = text.get_fontproperties()
        if props.get_file() != path:
            text.set_fontproperties(font(props.get_size_in_points(), str(props.get_weight())))


def render(fmt: str, size: tuple[float, float], draw: Callable[[Figure], None]) -> bytes:
    """Draw a figure of ``size`` inches with ``draw`` and save it as ``fmt`` bytes, deterministically."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (use {', '.join(FORMATS)}) / 形式が不明です")
    with deterministic_drawing():
        figure = Figure(figsize=size, facecolor="white", layout="constrained")
        draw(figure)
        _japanese_everywhere(figure)
        return save_figure(figure, fmt, dpi=DPI, facecolor="white")


def titles(figure: Figure, axes: Axes, title: str, subtitle: str, hide_names: bool) -> None:
    """The chart's title over the figure, and under it the scope and date (in the first axes' title,
    so that the layout makes room for it)."""
    figure.suptitle(title, fontproperties=font(13, "bold"), x=0.01, ha="left")
    note = "　氏名非表示 / Names hidden" if hide_names else ""
    axes.set_title(subtitle + note, fontproperties=font(7), color="#444444", loc="left")


def no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, NO_DATA, fontproperties=font(10), ha="center", va="center", transform=axes.transAxes)


def _label(name: str, limit: int = LABEL_CHARS) -> str:
    """``name`` in lines of at most ``limit`` characters, whole (never cut with 「…」)."""
    return "\n".join(name[i : i + limit] for i in range(0, len(name), limit)) or name


def community_label(data: GraphData, community_id: str) -> str:
    """A community's name on a chart (its abbreviation where it has one), wrapped, never cut."""
    community = data.nodes[community_id]
    if isinstance(community, Community):
        return _label(community.abbreviation or community.name)
    return _label(community.display_name())


def scope_text(data: GraphData, scope: Scope) -> str:
    """The scope in words, Japanese and English."""
    if scope.community is not None:
        node = data.nodes[scope.community]
        where = f"{node.display_name()} / community {scope.community}"
    elif scope.region is not None:
        region = geography.region(scope.region)
        where = f"{region.name}（{region.bureau}） / {region.name_en} ({region.bureau_en})"
    elif scope.prefecture is not None:
        prefecture = geography.prefecture(scope.prefecture)
        where = f"{prefecture.name} / {prefecture.name_en}"
    else:
        where = "全国 / Japan"
    return f"対象 / Scope: {where}"


def prepared(data: GraphData, scope: Scope | None, hide_names: bool) -> tuple[GraphData, Scope]:
    """The data a chart is drawn from (names hidden when asked) and the scope (the country by default).
    Raises KeyError for a community that is not in the data."""
    scope = scope or Scope()
    if hide_names:
        data = visible_graph(data, Visibility.ANONYMISED)
    check_community(data, scope)
    return data, scope


def table_frame(rows: list[dict[str, object]], columns: list[str], **attrs: object) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(attrs)
    return frame


# --------------------------------------------------------------------------------------------------
# Fiscal years the data covers
# --------------------------------------------------------------------------------------------------


def year_end(year: int, reference: dt.date) -> dt.date:
    """The day a fiscal year is judged on: its last day (31 March), or the reference date in its year."""
    return reference if year >= fiscal_year(reference) else dt.date(year + 1, 3, 31)


def first_record_year(index: ActivityIndex, community_id: str) -> int | None:
    """The fiscal year of a community's first record of activity: its first membership, first count
    or first held event (None: none at all). Before it the community is known to exist, but nothing
    is recorded of what it did: 「記録なし」, not a stage."""
    act = index.activity(community_id)
    found = [tie_start(r) for r in index.member_ties(community_id)]
    found += [parse_date(h.as_of).first_day() for h in act.headcounts]
    found += [parse_date(e.start).first_day() for e in act.events]
    return min((fiscal_year(day) for day in found), default=None)


def first_fiscal_year(index: ActivityIndex, community_id: str) -> int:
    """The fiscal year of a community's first record: its founding, first membership, first count,
    first held event, or else the date of the record of the community itself."""
    act = index.activity(community_id)
    years = [fiscal_year(parse_date(act.community.as_of).first_day())]
    recorded = first_record_year(index, community_id)
    if recorded is not None:
        years.append(recorded)
    if act.community.founded:
        years.append(partial_fiscal_year(act.community.founded))
    return min(years)


def fiscal_years(index: ActivityIndex, community_ids: Iterable[str]) -> list[int]:
    """The fiscal years from the communities' first record to the reference date's, at most
    :data:`MAX_FISCAL_YEARS` (the latest)."""
    last = fiscal_year(index.reference_date)
    first = min((first_fiscal_year(index, c) for c in community_ids), default=last)
    return list(range(max(min(first, last), last - MAX_FISCAL_YEARS + 1), last + 1))


def year_label(year: int, reference: dt.date) -> str:
    return f"{year}*" if year_end(year, reference) < dt.date(year + 1, 3, 31) else str(year)


def partial_note(years: list[int], reference: dt.date) -> str:
    if years and year_label(years[-1], reference).endswith("*"):
        return "　（* 年度途中、基準日まで / * fiscal year in progress, up to the as-of date）"
    return ""


# --------------------------------------------------------------------------------------------------
# One chart: its name, title, drawing and table
# --------------------------------------------------------------------------------------------------


class ChartFunction(Protocol):
    def __call__(
        self, data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
    ) -> bytes: ...


class TableFunction(Protocol):
    def __call__(self, data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame: ...


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its name in URLs and on the command line, its title, how it is drawn, its table."""

    name: str
    title_ja: str
    title_en: str
    draw: ChartFunction
    table: TableFunction

    @property
    def title(self) -> str:
        return f"{self.title_ja} / {self.title_en}"
