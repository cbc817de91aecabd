"""段階の推移 / Engagement stage by fiscal year: each community's stage at each fiscal year's end."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from secgraph.analysis.activity import ActivityIndex, activity_index
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.analysis.stage.results import stages_on
from secgraph.analysis.stage.rules import DEFAULT_RULES
from secgraph.model.graph import GraphData
from secgraph.viz.charts.common import (
    A4_LANDSCAPE,
    COMMUNITY,
    COMMUNITY_ID,
    FISCAL_YEAR,
    JUDGED_ON,
    STAGE,
    STAGE_NAME,
    ChartFormat,
    ChartSpec,
    community_label,
    first_fiscal_year,
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

STAGE_COLOURS: dict[int, str] = {0: "#eeeeee", 1: "#c6dbef", 2: "#6baed6", 3: "#08519c"}
#: A year with nothing recorded of the community: not a stage.
NO_RECORD = ("記録なし", "no record")
NO_RECORD_COLOUR = "#ffffff"
NO_RECORD_HATCH = "...."
#: Rows on an A4 landscape page; a larger scope shows this many less one, and the rest as one row.
MAX_ROWS = 24


def _no_record(stage: object, year: int, first_record: int | None) -> bool:
    """No record that year: nothing recorded of the community by the year's end, or the stage
    judged so (a stage result without a stage)."""
    return first_record is None or year < first_record or getattr(stage, "stage", None) is None


def stage_by_year_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """段階の推移 / Each community's engagement stage at the end of each fiscal year (April–March)
    from its first record to the scope's date (or the data's latest), judged by
    :func:`engagement_stage`'s rules on the network as it stood that day. The current fiscal year
    is judged on the scope's date. Before a community's first record (:func:`first_fiscal_year`),
    or while it is not yet founded, it has no row. A year in which the community existed but nothing
    of what it did is recorded yet (:func:`first_record_year`) is 「記録なし / no record」 with no
    stage (empty), not stage 0.
    """
    data, scope = prepared(data, scope, hide_names)
    index = activity_index(data, scope.as_of)
    ids = community_ids_in_scope(index.data, scope)
    years = fiscal_years(index, ids)
    first = {cid: first_fiscal_year(index, cid) for cid in ids}
    recorded = {cid: first_record_year(index, cid) for cid in ids}
    rows: list[dict[str, object]] = []
    for year in years if ids else []:
        day = year_end(year, index.reference_date)
        # the past years' indexes are made here and dropped, not kept with the revision's shared inputs
        # (a snapshot each); the current year's is the one the analyses of this revision share
        past = day != index.reference_date
        judged = stages_on(ActivityIndex(data, day) if past else index, scope, DEFAULT_RULES)
        for stage in judged.communities:
            if stage.community_id in first and year >= first[stage.community_id]:
                missing = _no_record(stage, year, recorded[stage.community_id])
                rows.append(
                    {
                        COMMUNITY_ID: stage.community_id,
                        COMMUNITY: stage.name,
                        FISCAL_YEAR: year,
                        JUDGED_ON: day.isoformat(),
                        STAGE: None if missing else stage.stage,
                        STAGE_NAME: " / ".join(NO_RECORD) if missing else f"{stage.stage_ja} / {stage.stage_en}",
                    }
                )
    rows.sort(key=lambda r: (str(r[COMMUNITY_ID]), int(r[FISCAL_YEAR])))  # type: ignore[call-overload]
    frame = table_frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, FISCAL_YEAR, JUDGED_ON, STAGE, STAGE_NAME],
        as_of=index.reference_date.isoformat(),
        communities=ids,
        fiscal_years=years if ids else [],
    )
    frame[STAGE] = frame[STAGE].astype("Int64")  # whole numbers, empty where there is no record
    return frame


def _shown_rows(table: pd.DataFrame, ids: list[str]) -> tuple[list[str], list[str]]:
    """The communities drawn as their own row and those summed in the last: all of them up to
    :data:`MAX_ROWS`; else the most advanced (latest stage, then longest record, then id)."""
    if len(ids) <= MAX_ROWS:
        return ids, []
    latest: dict[str, tuple[int, int]] = {}
    for record in table.to_dict("records"):
        stage = record[STAGE]
        value = -1 if pd.isna(stage) else int(stage)
        years = latest.get(record[COMMUNITY_ID], (-1, 0))[1] + (0 if pd.isna(stage) else 1)
        latest[record[COMMUNITY_ID]] = (value, years)
    ranked = sorted(ids, key=lambda c: (-latest.get(c, (-1, 0))[0], -latest.get(c, (-1, 0))[1], c))
    shown = ranked[: MAX_ROWS - 1]
    return [c for c in ids if c in shown], [c for c in ids if c not in shown]


def stage_by_year_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """段階の推移 / A heat grid: communities down, fiscal years across, each cell coloured by the
    stage reached at the year's end (its number written in), dotted 「記録なし」 where nothing was
    recorded yet, blank before the community existed. At most :data:`MAX_ROWS` rows, on a page no
    larger than A4 landscape: in a larger scope the most advanced communities, then one row counting
    the others recorded each year."""
    data, scope = prepared(data, scope, hide_names)
    table = stage_by_year_table(data, scope)
    ids: list[str] = table.attrs["communities"]
    years: list[int] = table.attrs["fiscal_years"]
    reference = dt.date.fromisoformat(table.attrs["as_of"])
    shown, others = _shown_rows(table, ids)
    row_count = len(shown) + (1 if others else 0)
    size = (
        min(A4_LANDSCAPE[0], max(6.5, 3.2 + 0.3 * len(years))),
        min(A4_LANDSCAPE[1], 2.9 + 0.26 * max(row_count, 1)),
    )

    def draw(figure: Figure) -> None:
        spec = SPEC
        subtitle = f"{scope_text(data, scope)}\n基準日 / As of: {reference.isoformat()}{partial_note(years, reference)}"
        if others:
            subtitle += (
                f"\n進んだ{len(shown)}件と、その他{len(others)}件の記録のある数"
                f" / the {len(shown)} most advanced, and how many of the other {len(others)} have a record"
            )
        axes = figure.add_subplot()
        titles(figure, axes, spec.title, subtitle, hide_names)
        if not ids or table.empty:
            no_data(axes)
            return
        rows = {cid: row_count - 1 - i for i, cid in enumerate(shown)}
        recorded_others: dict[int, int] = {}
        for record in table.to_dict("records"):
            x = years.index(record[FISCAL_YEAR])
            if record[COMMUNITY_ID] not in rows:
                if not pd.isna(record[STAGE]):
                    recorded_others[x] = recorded_others.get(x, 0) + 1
                continue
            y = rows[record[COMMUNITY_ID]]
            if pd.isna(record[STAGE]):
                axes.add_patch(
                    Rectangle((x, y), 1, 1, facecolor=NO_RECORD_COLOUR, hatch=NO_RECORD_HATCH, edgecolor="#bbbbbb",
                              linewidth=0)
                )  # fmt: skip
                continue
            stage = int(record[STAGE])
            axes.add_patch(Rectangle((x, y), 1, 1, facecolor=STAGE_COLOURS[stage], edgecolor="white", linewidth=1))
            colour = "white" if stage >= 2 else "black"
            axes.text(x + 0.5, y + 0.5, str(stage), fontproperties=font(7), ha="center", va="center", color=colour)
        for x, count in recorded_others.items():
            axes.add_patch(Rectangle((x, 0), 1, 1, facecolor="#f4f4f4", edgecolor="white", linewidth=1))
            axes.text(x + 0.5, 0.5, str(count), fontproperties=font(7), ha="center", va="center", color="#333333")
        axes.set_xlim(0, len(years))
        axes.set_ylim(0, row_count)
        axes.set_xticks(
            [i + 0.5 for i in range(len(years))],
            [year_label(y, reference) for y in years],
            fontproperties=font(7),
            rotation=90 if len(years) > 12 else 0,
        )
        labels = [community_label(data, c) for c in shown]
        ticks = [rows[c] + 0.5 for c in shown]
        if others:
            labels.append(f"その他{len(others)}件（記録のある数） / {len(others)} others (how many recorded)")
            ticks.append(0.5)
        axes.set_yticks(ticks, labels, fontproperties=font(7))
        axes.set_xlabel("年度（4月〜3月） / Fiscal year (April–March)", fontproperties=font(8))
        axes.tick_params(length=0)
        for side in axes.spines.values():
            side.set_visible(False)
        handles = [
            Patch(facecolor=STAGE_COLOURS[s.stage], edgecolor="#999999", label=f"{s.ja} / {s.en}")
            for s in sorted(DEFAULT_RULES.stages, key=lambda s: s.stage)
        ]
        handles.append(
            Patch(
                facecolor=NO_RECORD_COLOUR, hatch=NO_RECORD_HATCH, edgecolor="#999999",
                label="点: 記録なし（活動の記録がまだない） / Dotted: no record (nothing recorded yet)",
            )
        )  # fmt: skip
        handles.append(
            Patch(facecolor="white", edgecolor="#999999", label="空白: 設立・登録の前 / Blank: before it existed")
        )
        figure.legend(handles=handles, loc="outside lower left", ncols=2, prop=font(7), frameon=False)

    return render(fmt, size, draw)


SPEC = ChartSpec(
    "stage-by-year", "段階の推移", "Engagement stage by fiscal year", stage_by_year_chart, stage_by_year_table
)
