"""グラフ / The committee charts: static figures for the meeting papers.

Four charts, each for the communities of a scope (one community, a region, a prefecture or the
country, on a date), each drawn from the analysis layer's own numbers and each with the table
behind it (a pandas DataFrame with Japanese and English column names) so the numbers can be
exported and checked:

- ``sector-composition`` — セクター構成: each community's members by sector group (産学官個, 金融,
  メディア…), named members and members known only as counts, as :func:`membership_count` counts
  them for the health indicators (per group the larger of named and counted);
- ``stage-by-year`` — 段階の推移: each community's engagement stage (:func:`engagement_stage`'s
  rules) at the end of each Japanese fiscal year (April–March) the data covers;
- ``membership-attendance`` — 構成員数と参加者数の推移: members at each fiscal year's end
  (:func:`membership_count`, as the growth indicator counts them) and attendees of the community's
  held events per fiscal year;
- ``coverage-map`` — カバー状況の地図: a tile-grid map of the 47 prefectures showing which have a
  community, which had activity in the last twelve months (:func:`isolated_regions`), and how many
  of the needed sectors (:func:`missing_sectors`) no community there has.

Every figure is a ``matplotlib.figure.Figure`` (no pyplot state), drawn inside
``deterministic_drawing()`` (``DETERMINISTIC_RC``, one figure at a time) with every text in the
Japanese font of ``secgraph.viz.fonts`` and saved with ``DETERMINISTIC_METADATA``: the same data and
options give the same bytes. PNG is saved at :data:`DPI` dots per inch; SVG draws text as paths; PDF
embeds the font, so its text can be searched and extracted.

With ``hide_names`` every chart is drawn from ``visible_graph(data, Visibility.ANONYMISED)``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis import isolated_regions, missing_sectors
from secgraph.analysis.activity import (
    UNKNOWN_GROUP,
    ActivityIndex,
    CommunityActivity,
    data_date,
    event_fiscal_year,
    membership_count,
    months_before,
    partial_fiscal_year,
)
from secgraph.analysis.areas import check_community, communities_in_scope, community_ids_in_scope, covered_prefectures
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS
from secgraph.analysis.network import Scope, snapshot_at, tie_start
from secgraph.analysis.stage.results import stages_on
from secgraph.analysis.stage.rules import DEFAULT_RULES
from secgraph.model import geography
from secgraph.model.dates import fiscal_year, parse_date
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, Headcount
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, HeadcountKind, SectorGroup
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
#: The stage chart judges one date per fiscal year; a date far from the data would ask for centuries.
MAX_FISCAL_YEARS = 30
#: Communities drawn as their own line in the membership chart; the rest are summed as 「その他」.
MAX_SERIES = 8
#: A community's label is cut to this many characters (the table keeps the full name).
LABEL_CHARS = 22

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

#: Sector groups in the documents' order, then members of unknown sector, then counts not broken down.
UNSPLIT_GROUP = "not_broken_down"
GROUP_ORDER: tuple[str, ...] = (*(g.value for g in SectorGroup), UNKNOWN_GROUP, UNSPLIT_GROUP)
GROUP_LABELS: dict[str, tuple[str, str]] = {
    **{g.value: (SECTOR_GROUP_LABELS[g].ja, SECTOR_GROUP_LABELS[g].en) for g in SectorGroup},
    UNKNOWN_GROUP: ("セクター不明", "Unknown sector"),
    UNSPLIT_GROUP: ("内訳なし", "Not broken down"),
}
#: The colours of the network map's sector-group legend, so a group looks the same in every figure.
GROUP_COLOURS: dict[str, str] = {
    SectorGroup.INDUSTRY.value: "#1f77b4",
    SectorGroup.ACADEMIA.value: "#2ca02c",
    SectorGroup.GOVERNMENT.value: "#d62728",
    SectorGroup.INDIVIDUAL.value: "#9467bd",
    SectorGroup.FINANCE.value: "#ff7f0e",
    SectorGroup.MEDIA.value: "#e377c2",
    SectorGroup.OTHER.value: "#7f7f7f",
    UNKNOWN_GROUP: "#bcbd22",
    UNSPLIT_GROUP: "#c7c7c7",
}
STAGE_COLOURS: dict[int, str] = {0: "#eeeeee", 1: "#c6dbef", 2: "#6baed6", 3: "#08519c"}
SERIES_COLOURS: tuple[str, ...] = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
)
#: Coverage-map tiles: code → (日本語, English, fill, text colour).
STATUSES: dict[str, tuple[str, str, str, str]] = {
    "active": ("コミュニティあり・直近1年に活動あり", "Community, active in the last year", "#2b8a3e", "white"),
    "quiet": ("コミュニティあり・直近1年の活動なし", "Community, no activity in the last year", "#f2c14e", "black"),
    "activity_only": ("コミュニティなし・活動あり", "No community, some activity", "#9ecae1", "black"),
    "none": ("コミュニティなし・活動なし", "No community, no activity", "#d9d9d9", "black"),
}
NO_DATA = "この範囲に該当するデータがありません / No data for this scope"


# --------------------------------------------------------------------------------------------------
# Drawing: one figure, the Japanese font everywhere, the same bytes every time
# --------------------------------------------------------------------------------------------------


def _font(size: float, weight: str = "normal") -> FontProperties:
    return cjk_font(size=size, weight=weight)


def _japanese_everywhere(figure: Figure) -> None:
    """Put every text of the figure in the Japanese font, also those matplotlib makes itself (tick
    labels, offsets): laid out once so that they exist, then any not yet in the font is set."""
    figure.draw_without_rendering()
    path = str(cjk_font_path())
    for text in figure.findobj(Text):
        props = text.get_fontproperties()
        if props.get_file() != path:
            text.set_fontproperties(_font(props.get_size_in_points(), str(props.get_weight())))


def _render(fmt: str, size: tuple[float, float], draw: Callable[[Figure], None]) -> bytes:
    """Draw a figure of ``size`` inches with ``draw`` and save it as ``fmt`` bytes, deterministically."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (use {', '.join(FORMATS)}) / 形式が不明です")
    with deterministic_drawing():
        figure = Figure(figsize=size, facecolor="white", layout="constrained")
        draw(figure)
        _japanese_everywhere(figure)
        return save_figure(figure, fmt, dpi=DPI, facecolor="white")


def _titles(figure: Figure, axes: Axes, title: str, subtitle: str, hide_names: bool) -> None:
    """The chart's title over the figure, and under it the scope and date (in the first axes' title,
    so that the layout makes room for it)."""
    figure.suptitle(title, fontproperties=_font(13, "bold"), x=0.01, ha="left")
    note = "　氏名非表示 / Names hidden" if hide_names else ""
    axes.set_title(subtitle + note, fontproperties=_font(7), color="#444444", loc="left")


def _no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, NO_DATA, fontproperties=_font(10), ha="center", va="center", transform=axes.transAxes)


def _label(name: str, limit: int = LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _community_label(data: GraphData, community_id: str) -> str:
    community = data.nodes[community_id]
    if isinstance(community, Community):
        return _label(community.abbreviation or community.name)
    return _label(community.display_name())


def _scope_text(data: GraphData, scope: Scope) -> str:
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


def _prepared(data: GraphData, scope: Scope | None, hide_names: bool) -> tuple[GraphData, Scope]:
    """The data a chart is drawn from (names hidden when asked) and the scope (the country by default).
    Raises KeyError for a community that is not in the data."""
    scope = scope or Scope()
    if hide_names:
        data = visible_graph(data, Visibility.ANONYMISED)
    check_community(data, scope)
    return data, scope


def _frame(rows: list[dict[str, object]], columns: list[str], **attrs: object) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(attrs)
    return frame


# --------------------------------------------------------------------------------------------------
# 1. Sector composition
# --------------------------------------------------------------------------------------------------


def _composition_rows(act: CommunityActivity) -> list[dict[str, object]]:
    """One row per sector group the community has members in: named, counted only, total."""
    count = membership_count(act)
    totals = count.by_group
    rows = []
    for group in GROUP_ORDER[:-1]:
        total = totals.get(group, 0)
        if total:
            named = count.named_by_group.get(group, 0)
            rows.append({GROUP: group, NAMED: named, COUNTED_ONLY: total - named, TOTAL: total})
    # A count with no sector ("62機関") says how many, not of which group: the rest of the estimate.
    unsplit = count.estimate - sum(totals.values())
    if unsplit > 0:
        rows.append({GROUP: UNSPLIT_GROUP, NAMED: 0, COUNTED_ONLY: unsplit, TOTAL: unsplit})
    for row in rows:
        ja, en = GROUP_LABELS[str(row[GROUP])]
        row.update({COMMUNITY_ID: act.id, COMMUNITY: act.community.name, GROUP_NAME: f"{ja} / {en}"})
    return rows


def sector_composition_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """セクター構成 / Members of each community in the scope by sector group, one row per community
    and group with members (communities by id, groups in the order 産学官個・金融・メディア・その他).

    Per group, the larger of the named members (a person counts in the group of where they work)
    and the members known only as counts, as the health indicators count them; 「人数のみ」 is the
    part beyond the named. A count with no sector (「62機関」) adds a 「内訳なし」 row for what the
    groups do not account for.
    """
    data, scope = _prepared(data, scope, hide_names)
    index = ActivityIndex(data, scope.as_of)
    rows = [row for cid in community_ids_in_scope(index.data, scope) for row in _composition_rows(index.activity(cid))]
    return _frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, GROUP, GROUP_NAME, NAMED, COUNTED_ONLY, TOTAL],
        as_of=index.reference_date.isoformat(),
        communities=community_ids_in_scope(index.data, scope),
    )


def sector_composition_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """セクター構成 / Stacked horizontal bars: each community's members by sector group; the part
    known only as counts hatched. Largest community on top."""
    data, scope = _prepared(data, scope, hide_names)
    table = sector_composition_table(data, scope)
    totals = table.groupby(COMMUNITY_ID)[TOTAL].sum().to_dict() if len(table) else {}
    order = sorted(table.attrs["communities"], key=lambda c: (-totals.get(c, 0), c))
    size = (8.0, 1.6 + 0.34 * max(len(order), 1))

    def draw(figure: Figure) -> None:
        spec = CHARTS["sector-composition"]
        axes = figure.add_subplot()
        _titles(
            figure, axes, spec.title, f"{_scope_text(data, scope)}\n基準日 / As of: {table.attrs['as_of']}", hide_names
        )
        if not order:
            _no_data(axes)
            return
        rows = {(r[COMMUNITY_ID], r[GROUP]): r for r in table.to_dict("records")}
        positions = {cid: len(order) - 1 - i for i, cid in enumerate(order)}
        used = [g for g in GROUP_ORDER if any((c, g) in rows for c in order)]
        for cid in order:
            left = 0
            for group in used:
                row = rows.get((cid, group))
                if row is None:
                    continue
                colour = GROUP_COLOURS[group]
                y = positions[cid]
                axes.barh(y, row[NAMED], left=left, color=colour, edgecolor="white", linewidth=0.5)
                axes.barh(
                    y, row[COUNTED_ONLY], left=left + row[NAMED], color=colour, alpha=0.55, hatch="////",
                    edgecolor="white", linewidth=0.5,
                )  # fmt: skip
                left += row[TOTAL]
            axes.text(left, positions[cid], f" {left}", fontproperties=_font(7), va="center", ha="left")
        axes.set_yticks(
            [positions[c] for c in order], [_community_label(data, c) for c in order], fontproperties=_font(8)
        )
        axes.set_xlabel("構成員数（団体・人） / Members (bodies or people)", fontproperties=_font(8))
        axes.margins(x=0.08)
        axes.spines[["top", "right"]].set_visible(False)
        handles = [Patch(facecolor=GROUP_COLOURS[g], label=" / ".join(GROUP_LABELS[g])) for g in used]
        handles.append(Patch(facecolor="#999999", alpha=0.55, hatch="////", label="人数のみの記録 / Counted only"))
        figure.legend(handles=handles, loc="outside lower center", ncols=4, prop=_font(7), frameon=False)

    return _render(fmt, size, draw)


# --------------------------------------------------------------------------------------------------
# Fiscal years the data covers
# --------------------------------------------------------------------------------------------------


def _year_end(year: int, reference: dt.date) -> dt.date:
    """The day a fiscal year is judged on: its last day (31 March), or the reference date in its year."""
    return reference if year >= fiscal_year(reference) else dt.date(year + 1, 3, 31)


def first_fiscal_year(index: ActivityIndex, community_id: str) -> int:
    """The fiscal year of a community's first record: its founding, first membership, first count,
    first held event, or else the date of the record of the community itself."""
    act = index.activity(community_id)
    found = [tie_start(r) for r in index.member_ties(community_id)]
    found += [parse_date(h.as_of).first_day() for h in act.headcounts]
    found += [parse_date(e.start).first_day() for e in act.events]
    found.append(parse_date(act.community.as_of).first_day())
    years = [fiscal_year(day) for day in found]
    if act.community.founded:
        years.append(partial_fiscal_year(act.community.founded))
    return min(years)


def fiscal_years(index: ActivityIndex, community_ids: Iterable[str]) -> list[int]:
    """The fiscal years from the communities' first record to the reference date's, at most
    :data:`MAX_FISCAL_YEARS` (the latest)."""
    last = fiscal_year(index.reference_date)
    first = min((first_fiscal_year(index, c) for c in community_ids), default=last)
    return list(range(max(min(first, last), last - MAX_FISCAL_YEARS + 1), last + 1))


def _year_label(year: int, reference: dt.date) -> str:
    return f"{year}*" if _year_end(year, reference) < dt.date(year + 1, 3, 31) else str(year)


def _partial_note(years: list[int], reference: dt.date) -> str:
    if years and _year_label(years[-1], reference).endswith("*"):
        return "　（* 年度途中、基準日まで / * fiscal year in progress, up to the as-of date）"
    return ""


# --------------------------------------------------------------------------------------------------
# 2. Stage over fiscal years
# --------------------------------------------------------------------------------------------------


def stage_by_year_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """段階の推移 / Each community's engagement stage at the end of each fiscal year (April–March)
    from its first record to the scope's date (or the data's latest), judged by
    :func:`engagement_stage`'s rules on the network as it stood that day. The current fiscal year
    is judged on the scope's date. Before a community's first record (:func:`first_fiscal_year`),
    or while it is not yet founded, it has no row.
    """
    data, scope = _prepared(data, scope, hide_names)
    index = ActivityIndex(data, scope.as_of)
    ids = community_ids_in_scope(index.data, scope)
    years = fiscal_years(index, ids)
    first = {cid: first_fiscal_year(index, cid) for cid in ids}
    rows: list[dict[str, object]] = []
    for year in years if ids else []:
        day = _year_end(year, index.reference_date)
        judged = stages_on(ActivityIndex(data, day), scope, DEFAULT_RULES)
        for stage in judged.communities:
            if stage.community_id in first and year >= first[stage.community_id]:
                rows.append(
                    {
                        COMMUNITY_ID: stage.community_id,
                        COMMUNITY: stage.name,
                        FISCAL_YEAR: year,
                        JUDGED_ON: day.isoformat(),
                        STAGE: stage.stage,
                        STAGE_NAME: f"{stage.stage_ja} / {stage.stage_en}",
                    }
                )
    rows.sort(key=lambda r: (str(r[COMMUNITY_ID]), int(r[FISCAL_YEAR])))  # type: ignore[call-overload]
    return _frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, FISCAL_YEAR, JUDGED_ON, STAGE, STAGE_NAME],
        as_of=index.reference_date.isoformat(),
        communities=ids,
        fiscal_years=years if ids else [],
    )


def stage_by_year_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """段階の推移 / A heat grid: communities down, fiscal years across, each cell coloured by the
    stage reached at the year's end (its number written in); blank before the community existed."""
    data, scope = _prepared(data, scope, hide_names)
    table = stage_by_year_table(data, scope)
    ids: list[str] = table.attrs["communities"]
    years: list[int] = table.attrs["fiscal_years"]
    reference = dt.date.fromisoformat(table.attrs["as_of"])
    size = (max(6.5, 2.6 + 0.32 * len(years)), 2.6 + 0.3 * max(len(ids), 1))

    def draw(figure: Figure) -> None:
        spec = CHARTS["stage-by-year"]
        subtitle = (
            f"{_scope_text(data, scope)}\n基準日 / As of: {reference.isoformat()}{_partial_note(years, reference)}"
        )
        axes = figure.add_subplot()
        _titles(figure, axes, spec.title, subtitle, hide_names)
        if not ids or table.empty:
            _no_data(axes)
            return
        rows = {cid: len(ids) - 1 - i for i, cid in enumerate(ids)}
        for record in table.to_dict("records"):
            x, y, stage = years.index(record[FISCAL_YEAR]), rows[record[COMMUNITY_ID]], int(record[STAGE])
            axes.add_patch(Rectangle((x, y), 1, 1, facecolor=STAGE_COLOURS[stage], edgecolor="white", linewidth=1))
            colour = "white" if stage >= 2 else "black"
            axes.text(x + 0.5, y + 0.5, str(stage), fontproperties=_font(7), ha="center", va="center", color=colour)
        axes.set_xlim(0, len(years))
        axes.set_ylim(0, len(ids))
        axes.set_xticks(
            [i + 0.5 for i in range(len(years))],
            [_year_label(y, reference) for y in years],
            fontproperties=_font(7),
            rotation=90 if len(years) > 12 else 0,
        )
        axes.set_yticks([rows[c] + 0.5 for c in ids], [_community_label(data, c) for c in ids], fontproperties=_font(8))
        axes.set_xlabel("年度（4月〜3月） / Fiscal year (April–March)", fontproperties=_font(8))
        axes.tick_params(length=0)
        for side in axes.spines.values():
            side.set_visible(False)
        handles = [
            Patch(facecolor=STAGE_COLOURS[s.stage], edgecolor="#999999", label=f"{s.ja} / {s.en}")
            for s in sorted(DEFAULT_RULES.stages, key=lambda s: s.stage)
        ]
        handles.append(
            Patch(facecolor="white", edgecolor="#999999", label="空白: 記録がない / Blank: not yet recorded")
        )
        # one column: the stage names are long, and a narrow figure (few years) must still hold them
        figure.legend(handles=handles, loc="outside lower left", ncols=1, prop=_font(7), frameon=False)

    return _render(fmt, size, draw)


# --------------------------------------------------------------------------------------------------
# 3. Membership and attendance over fiscal years
# --------------------------------------------------------------------------------------------------


def attendance_of(data: GraphData) -> dict[str, int]:
    """Event id → attendees: the event's own figure, else its attendee counts (the larger of a
    total and the sum of the counts by sector, the rule :func:`membership_count` applies to members)."""
    rows: dict[str, list[Headcount]] = defaultdict(list)
    for node in data.nodes.values():
        if isinstance(node, Headcount) and node.count_kind == HeadcountKind.ATTENDEES:
            rows[node.subject_id].append(node)
    found: dict[str, int] = {}
    for node in data.nodes.values():
        if not isinstance(node, Event):
            continue
        if node.attendees is not None:
            found[node.id] = node.attendees
        elif node.id in rows:
            counts = rows[node.id]
            totals = [h.count for h in counts if h.sector is None and h.group is None]
            split = sum(h.count for h in counts if h.sector is not None or h.group is not None)
            found[node.id] = max([*totals, split])
    return found


@dataclass(frozen=True)
class _YearEvents:
    """A community's held events of one fiscal year, with the attendees of those that were counted."""

    held: tuple[str, ...]
    attendees: dict[str, int]


def _events_by_year(act: CommunityActivity, attendance: dict[str, int]) -> dict[int, _YearEvents]:
    by_year: dict[int, list[str]] = defaultdict(list)
    for event in act.events:
        by_year[event_fiscal_year(event)].append(event.id)
    return {
        year: _YearEvents(tuple(ids), {e: attendance[e] for e in ids if e in attendance})
        for year, ids in sorted(by_year.items())
    }


def membership_attendance_table(
    data: GraphData, scope: Scope | None = None, *, hide_names: bool = False
) -> pd.DataFrame:
    """構成員数と参加者数 / For each community and fiscal year: members at the year's end (named
    members then, and the latest member count not after it: the larger of the two, as the growth
    indicator counts them) and the community's held events of the year with their attendees (the
    event's own figure, else its attendee counts).
    """
    data, scope = _prepared(data, scope, hide_names)
    index = ActivityIndex(data, scope.as_of)
    ids = community_ids_in_scope(index.data, scope)
    years = fiscal_years(index, ids)
    attendance = attendance_of(index.data)
    rows: list[dict[str, object]] = []
    for cid in ids:
        act = index.activity(cid)
        events = _events_by_year(act, attendance)
        for year in years:
            day = _year_end(year, index.reference_date)
            count = membership_count(act, day)
            held = events.get(year, _YearEvents((), {}))
            rows.append(
                {
                    COMMUNITY_ID: cid,
                    COMMUNITY: act.community.name,
                    FISCAL_YEAR: year,
                    JUDGED_ON: day.isoformat(),
                    MEMBERS: count.estimate,
                    NAMED: count.named,
                    COUNTED: count.counted,
                    EVENTS: len(held.held),
                    EVENTS_COUNTED: len(held.attendees),
                    ATTENDEES: sum(held.attendees.values()),
                }
            )
    return _frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, FISCAL_YEAR, JUDGED_ON, MEMBERS, NAMED, COUNTED, EVENTS, EVENTS_COUNTED, ATTENDEES],
        as_of=index.reference_date.isoformat(),
        communities=ids,
        fiscal_years=years if ids else [],
    )


@dataclass(frozen=True)
class _Series:
    label: str
    members: list[int]
    attendees: list[int]


def _membership_series(data: GraphData, scope: Scope, table: pd.DataFrame) -> list[_Series]:
    """The lines to draw: the :data:`MAX_SERIES` largest communities, then the rest summed (their
    events counted once, since several communities often share one event)."""
    ids: list[str] = table.attrs["communities"]
    years: list[int] = table.attrs["fiscal_years"]
    values = {(r[COMMUNITY_ID], r[FISCAL_YEAR]): r for r in table.to_dict("records")}

    def weight(cid: str) -> tuple[int, int, str]:
        rows = [values[cid, y] for y in years]
        return (-rows[-1][MEMBERS], -sum(r[ATTENDEES] for r in rows), cid)

    ranked = sorted(ids, key=weight)
    shown, rest = (ranked, []) if len(ranked) <= MAX_SERIES + 1 else (ranked[:MAX_SERIES], ranked[MAX_SERIES:])
    series = [
        _Series(
            _community_label(data, cid),
            [values[cid, y][MEMBERS] for y in years],
            [values[cid, y][ATTENDEES] for y in years],
        )
        for cid in shown
    ]
    if rest:
        index = ActivityIndex(data, scope.as_of)
        attendance = attendance_of(index.data)
        shared: dict[int, dict[str, int]] = defaultdict(dict)
        for cid in rest:
            for year, held in _events_by_year(index.activity(cid), attendance).items():
                shared[year].update(held.attendees)
        series.append(
            _Series(
                f"その他{len(rest)}件 / {len(rest)} others",
                [sum(values[c, y][MEMBERS] for c in rest) for y in years],
                [sum(shared.get(y, {}).values()) for y in years],
            )
        )
    return series


def membership_attendance_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """構成員数と参加者数の推移 / Two panels over fiscal years: members at each year's end, and the
    attendees of the year's events; one line per community (the largest few, the rest summed)."""
    data, scope = _prepared(data, scope, hide_names)
    table = membership_attendance_table(data, scope)
    years: list[int] = table.attrs["fiscal_years"]
    reference = dt.date.fromisoformat(table.attrs["as_of"])
    series = _membership_series(data, scope, table) if years else []
    size = (max(7.0, 3.0 + 0.3 * len(years)), 6.4)

    def draw(figure: Figure) -> None:
        spec = CHARTS["membership-attendance"]
        subtitle = (
            f"{_scope_text(data, scope)}\n基準日 / As of: {reference.isoformat()}{_partial_note(years, reference)}"
        )
        if not series:
            axes = figure.add_subplot()
            _titles(figure, axes, spec.title, subtitle, hide_names)
            _no_data(axes)
            return
        top, bottom = figure.subplots(2, 1, sharex=True)
        _titles(figure, top, spec.title, subtitle, hide_names)
        xs = list(range(len(years)))
        for number, line in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            for axes, values in ((top, line.members), (bottom, line.attendees)):
                axes.plot(xs, values, color=colour, marker="o", markersize=3, linewidth=1.4, label=line.label)
                if len(series) == 1:  # one community: the numbers themselves
                    for x, value in zip(xs, values, strict=True):
                        axes.annotate(
                            str(value), (x, value), textcoords="offset points", xytext=(0, 4), ha="center",
                            fontproperties=_font(6),
                        )  # fmt: skip
        top.set_ylabel("構成員数（年度末） / Members at year end", fontproperties=_font(8))
        bottom.set_ylabel("参加者数（年度計） / Attendees per year", fontproperties=_font(8))
        bottom.set_xticks(xs, [_year_label(y, reference) for y in years], fontproperties=_font(7))
        bottom.set_xlabel("年度（4月〜3月） / Fiscal year (April–March)", fontproperties=_font(8))
        if len(years) > 12:
            bottom.tick_params(axis="x", labelrotation=90)
        for axes in (top, bottom):
            axes.set_ylim(bottom=0)
            axes.grid(axis="y", color="#dddddd", linewidth=0.5)
            axes.spines[["top", "right"]].set_visible(False)
        top.legend(loc="upper left", prop=_font(7), frameon=False, ncols=2)

    return _render(fmt, size, draw)


# --------------------------------------------------------------------------------------------------
# 4. Coverage map of prefectures
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """A prefecture's place on the tile-grid map: column from the left, row from the top."""

    code: str
    col: int
    row: int


@cache
def prefecture_tiles() -> dict[str, Tile]:
    """The tile grid of the 47 prefectures (``viz/data/prefecture_tiles.csv``), checked against the
    prefecture list: every prefecture once, no two on one tile."""
    text = resources.files("secgraph.viz").joinpath("data", "prefecture_tiles.csv").read_text(encoding="utf-8")
    tiles: dict[str, Tile] = {}
    for row in csv.DictReader(text.splitlines()):
        prefecture = geography.prefecture(row["code"])
        if prefecture.name != row["name"]:
            raise ValueError(f"tile {row['code']} is named {row['name']}, not {prefecture.name} / 名称が違います")
        tiles[prefecture.code] = Tile(prefecture.code, int(row["col"]), int(row["row"]))
    if set(tiles) != {p.code for p in geography.prefectures()}:
        raise ValueError("the tile grid must hold each of the 47 prefectures once / 47都道府県が揃っていません")
    if len({(t.col, t.row) for t in tiles.values()}) != len(tiles):
        raise ValueError("two prefectures share a tile / 同じ位置に二つの都道府県があります")
    return tiles


def scope_prefectures(data: GraphData, scope: Scope) -> set[str]:
    """The prefectures a scope looks at: the community's covered ones, the region's, the one, or all."""
    if scope.community is not None:
        return covered_prefectures(data.nodes[scope.community])  # type: ignore[arg-type]
    if scope.region is not None:
        return {p.code for p in geography.prefectures_of_region(scope.region)}
    if scope.prefecture is not None:
        return {scope.prefecture}
    return {p.code for p in geography.prefectures()}


def last_twelve_months(reference: dt.date) -> tuple[dt.date, dt.date]:
    """The year up to ``reference``: from the day after the same date a year earlier."""
    try:
        return months_before(reference, 12) + dt.timedelta(days=1), reference
    except ValueError:  # a date in year 1 has no year before it
        return dt.date.min, reference


def _status(has_community: bool, active: bool) -> str:
    if has_community:
        return "active" if active else "quiet"
    return "activity_only" if active else "none"


def coverage_map_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """カバー状況 / Each of the 47 prefectures (by code): the communities covering it, whether it had
    activity in the twelve months up to the scope's date (or the data's latest) — an event held
    there or a tie started by a body located only there, as :func:`isolated_regions` judges it —
    and the needed sectors (:data:`DEFAULT_SECTOR_NEEDS`) no community covering it has
    (:func:`missing_sectors`; all of them where no community covers it). ``対象範囲`` marks the
    prefectures of the scope.
    """
    data, scope = _prepared(data, scope, hide_names)
    reference = scope.as_of or data_date(data)
    period = last_twelve_months(reference)
    country = Scope(as_of=scope.as_of)
    gaps = {p.code: set(p.gaps) for p in isolated_regions(data, country, period=period).prefectures}
    met = {c.subject_id: set(c.met) for c in missing_sectors(data, country, suggestions_per_sector=0).communities}
    existing = communities_in_scope(snapshot_at(data, reference), Scope())
    in_scope = scope_prefectures(data, scope)
    rows = []
    for prefecture in geography.prefectures():
        code = prefecture.code
        covering = [c for c in existing if code in covered_prefectures(c)]
        has_community = "no_community" not in gaps.get(code, set())
        active = "no_activity" not in gaps.get(code, set())
        have = set().union(*(met.get(c.id, set()) for c in covering)) if has_community else set()
        missing = [need for need in DEFAULT_SECTOR_NEEDS if need.code not in have]
        status = _status(has_community, active)
        rows.append(
            {
                PREFECTURE_CODE: code,
                PREFECTURE: prefecture.name,
                PREFECTURE_EN: prefecture.name_en,
                IN_SCOPE: code in in_scope,
                COMMUNITY_COUNT: len(covering) if has_community else 0,
                COMMUNITY_IDS: "; ".join(c.id for c in covering) if has_community else "",
                ACTIVE: active,
                MISSING_COUNT: len(missing),
                MISSING: "、".join(need.ja for need in missing),
                STATUS: status,
                STATUS_NAME: f"{STATUSES[status][0]} / {STATUSES[status][1]}",
            }
        )
    return _frame(
        rows,
        [
            PREFECTURE_CODE,
            PREFECTURE,
            PREFECTURE_EN,
            IN_SCOPE,
            COMMUNITY_COUNT,
            COMMUNITY_IDS,
            ACTIVE,
            MISSING_COUNT,
            MISSING,
            STATUS,
            STATUS_NAME,
        ],
        as_of=reference.isoformat(),
        period_start=period[0].isoformat(),
        period_end=period[1].isoformat(),
        needs=[need.code for need in DEFAULT_SECTOR_NEEDS],
    )


def coverage_map_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """カバー状況の地図 / A tile-grid map of Japan: one tile per prefecture (Hokkaido top right,
    Okinawa bottom left) coloured by community and recent activity, with the number of needed
    sectors missing there; prefectures outside the scope faded."""
    data, scope = _prepared(data, scope, hide_names)
    table = coverage_map_table(data, scope)
    tiles = prefecture_tiles()
    columns = max(t.col for t in tiles.values()) + 1
    rows = max(t.row for t in tiles.values()) + 1
    needs = len(table.attrs["needs"])

    def draw(figure: Figure) -> None:
        spec = CHARTS["coverage-map"]
        period = f"{table.attrs['period_start']} 〜 {table.attrs['period_end']}"
        axes = figure.add_subplot()
        subtitle = f"{_scope_text(data, scope)}\n活動の期間 / Activity period: {period}"
        _titles(figure, axes, spec.title, subtitle, hide_names)
        axes.set_xlim(0, columns)
        axes.set_ylim(rows, 0)
        axes.set_aspect("equal")
        axes.set_axis_off()
        for record in table.to_dict("records"):
            tile = tiles[record[PREFECTURE_CODE]]
            _ja, _en, fill, ink = STATUSES[record[STATUS]]
            faded = not record[IN_SCOPE]
            axes.add_patch(
                Rectangle(
                    (tile.col + 0.04, tile.row + 0.04), 0.92, 0.92, facecolor=fill, alpha=0.3 if faded else 1.0,
                    edgecolor="white", linewidth=0.8,
                )
            )  # fmt: skip
            ink = "#777777" if faded else ink
            prefecture = geography.prefecture(record[PREFECTURE_CODE])
            x = tile.col + 0.5
            axes.text(x, tile.row + 0.36, prefecture.short, fontproperties=_font(7, "bold"), color=ink, ha="center")
            axes.text(x, tile.row + 0.58, prefecture.name_en, fontproperties=_font(3.8), color=ink, ha="center")
            if record[COMMUNITY_COUNT]:
                axes.text(
                    x, tile.row + 0.82, f"不足 {record[MISSING_COUNT]}", fontproperties=_font(5.5), color=ink,
                    ha="center",
                )  # fmt: skip
        handles = [
            Patch(facecolor=fill, edgecolor="#999999", label=f"{ja} / {en}") for ja, en, fill, _ in STATUSES.values()
        ]
        handles.append(
            Patch(
                facecolor="#d9d9d9",
                alpha=0.3,
                edgecolor="#cccccc",
                label="薄い色: 対象範囲外 / Faded: outside the scope",
            )
        )
        axes.legend(
            handles=handles,
            loc="lower right",
            prop=_font(6.5),
            frameon=False,
            title=f"「不足 n」: 必要な{needs}セクターのうち欠けている数 / missing sectors of the {needs} needed",
            title_fontproperties=_font(6.5),
        )

    return _render(fmt, (8.5, 7.2), draw)


# --------------------------------------------------------------------------------------------------
# The registry
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


CHARTS: dict[str, ChartSpec] = {
    spec.name: spec
    for spec in (
        ChartSpec(
            "sector-composition",
            "セクター構成",
            "Sector composition",
            sector_composition_chart,
            sector_composition_table,
        ),
        ChartSpec(
            "stage-by-year", "段階の推移", "Engagement stage by fiscal year", stage_by_year_chart, stage_by_year_table
        ),
        ChartSpec(
            "membership-attendance",
            "構成員数と参加者数の推移",
            "Membership and attendance by fiscal year",
            membership_attendance_chart,
            membership_attendance_table,
        ),
        ChartSpec(
            "coverage-map", "カバー状況の地図", "Coverage map of prefectures", coverage_map_chart, coverage_map_table
        ),
    )
}


def chart_spec(name: str) -> ChartSpec:
    """The chart called ``name``; KeyError (naming the charts there are) for any other."""
    try:
        return CHARTS[name]
    except KeyError:
        known = ", ".join(CHARTS)
        raise KeyError(f"chart '{name}' not found (charts: {known}) / グラフ「{name}」はありません") from None


def chart(
    name: str, data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """The chart called ``name`` for ``scope`` as ``fmt`` bytes (png, svg or pdf)."""
    return chart_spec(name).draw(data, scope, fmt=fmt, hide_names=hide_names or data.names_hidden)


def chart_table(name: str, data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """The table behind the chart called ``name`` (bilingual column names)."""
    return chart_spec(name).table(data, scope, hide_names=hide_names or data.names_hidden)
