"""構成員数と参加者数の推移 / Membership and attendance by fiscal year."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from secgraph.analysis.activity import CommunityActivity, activity_index, event_fiscal_year, membership_count
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.headcounts import sum_headcounts
from secgraph.model.records import Event, Headcount
from secgraph.model.vocabulary import HeadcountKind
from secgraph.viz.charts.common import (
    A4_LANDSCAPE,
    ATTENDEES,
    COMMUNITY,
    COMMUNITY_ID,
    COUNTED,
    EVENTS,
    EVENTS_COUNTED,
    FISCAL_YEAR,
    JUDGED_ON,
    MEMBERS,
    NAMED,
    ChartFormat,
    ChartSpec,
    community_label,
    first_record_year,
    fiscal_years,
    font,
    no_data,
    partial_note,
    prepared,
    render,
    scope_text,
    table_frame,
    titles,
    year_end,
    year_label,
)

#: Communities drawn as their own line in the membership chart; the rest are summed as 「その他」.
MAX_SERIES = 8
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
            summed = sum_headcounts(rows[node.id])
            if summed is not None:
                found[node.id] = summed.count
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
    data, scope = prepared(data, scope, hide_names)
    index = activity_index(data, scope.as_of)
    ids = community_ids_in_scope(index.data, scope)
    years = fiscal_years(index, ids)
    attendance = attendance_of(index.data)
    rows: list[dict[str, object]] = []
    for cid in ids:
        act = index.activity(cid)
        events = _events_by_year(act, attendance)
        for year in years:
            day = year_end(year, index.reference_date)
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
    return table_frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, FISCAL_YEAR, JUDGED_ON, MEMBERS, NAMED, COUNTED, EVENTS, EVENTS_COUNTED, ATTENDEES],
        as_of=index.reference_date.isoformat(),
        communities=ids,
        fiscal_years=years if ids else [],
    )


@dataclass(frozen=True)
class _Series:
    """One line: None for a year before anything is recorded of its communities (drawn as no line)."""

    label: str
    members: list[int | None]
    attendees: list[int | None]


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
    index = activity_index(data, scope.as_of)
    first = {cid: first_record_year(index, cid) for cid in ids}

    def recorded(cids: list[str], year: int) -> bool:
        return any(first[c] is not None and year >= first[c] for c in cids)  # type: ignore[operator]

    series = [
        _Series(
            community_label(data, cid),
            [values[cid, y][MEMBERS] if recorded([cid], y) else None for y in years],
            [values[cid, y][ATTENDEES] if recorded([cid], y) else None for y in years],
        )
        for cid in shown
    ]
    if rest:
        attendance = attendance_of(index.data)
        shared: dict[int, dict[str, int]] = defaultdict(dict)
        for cid in rest:
            for year, held in _events_by_year(index.activity(cid), attendance).items():
                shared[year].update(held.attendees)
        series.append(
            _Series(
                f"その他{len(rest)}件 / {len(rest)} others",
                [sum(values[c, y][MEMBERS] for c in rest) if recorded(rest, y) else None for y in years],
                [sum(shared.get(y, {}).values()) if recorded(rest, y) else None for y in years],
            )
        )
    return series


def membership_attendance_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """構成員数と参加者数の推移 / Two panels over fiscal years: members at each year's end, and the
    attendees of the year's events; one line per community (the largest few, the rest summed)."""
    data, scope = prepared(data, scope, hide_names)
    table = membership_attendance_table(data, scope)
    years: list[int] = table.attrs["fiscal_years"]
    reference = dt.date.fromisoformat(table.attrs["as_of"])
    series = _membership_series(data, scope, table) if years else []
    # the axis starts at the first year anything is recorded, not at a founding decades before
    start = min((i for line in series for i, v in enumerate(line.members) if v is not None), default=0)
    years = years[start:]
    series = [_Series(line.label, line.members[start:], line.attendees[start:]) for line in series]
    size = (min(A4_LANDSCAPE[0], max(7.0, 3.0 + 0.3 * len(years))), 6.4)

    def draw(figure: Figure) -> None:
        spec = SPEC
        subtitle = f"{scope_text(data, scope)}\n基準日 / As of: {reference.isoformat()}{partial_note(years, reference)}"
        if not series:
            axes = figure.add_subplot()
            titles(figure, axes, spec.title, subtitle, hide_names)
            no_data(axes)
            return
        top, bottom = figure.subplots(2, 1, sharex=True)
        titles(figure, top, spec.title, subtitle, hide_names)
        xs = list(range(len(years)))
        for number, line in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            for axes, values in ((top, line.members), (bottom, line.attendees)):
                # no point (and no line from 0) for a year before anything was recorded
                drawn = [math.nan if v is None else v for v in values]
                axes.plot(xs, drawn, color=colour, marker="o", markersize=3, linewidth=1.4, label=line.label)
                if len(series) == 1:  # one community: the numbers themselves
                    for x, value in zip(xs, values, strict=True):
                        if value is None:
                            continue
                        axes.annotate(
                            str(value), (x, value), textcoords="offset points", xytext=(0, 4), ha="center",
                            fontproperties=font(7),
                        )  # fmt: skip
        top.set_ylabel("構成員数（年度末） / Members at year end", fontproperties=font(8))
        bottom.set_ylabel("参加者数（年度計） / Attendees per year", fontproperties=font(8))
        bottom.set_xticks(xs, [year_label(y, reference) for y in years], fontproperties=font(7))
        bottom.set_xlabel("年度（4月〜3月） / Fiscal year (April–March)", fontproperties=font(8))
        if len(years) > 12:
            bottom.tick_params(axis="x", labelrotation=90)
        for axes in (top, bottom):
            axes.set_ylim(bottom=0)
            axes.grid(axis="y", color="#dddddd", linewidth=0.5)
            axes.spines[["top", "right"]].set_visible(False)
        top.legend(loc="upper left", prop=font(7), frameon=False, ncols=2)
        bottom.text(
            0.0, -0.32 if len(years) <= 12 else -0.45,
            "線は記録のある年から / Lines start at a community's first record",
            transform=bottom.transAxes, fontproperties=font(7), color="#555555",
        )  # fmt: skip

    return render(fmt, size, draw)


SPEC = ChartSpec(
    "membership-attendance",
    "構成員数と参加者数の推移",
    "Membership and attendance by fiscal year",
    membership_attendance_chart,
    membership_attendance_table,
)
