"""段階の推移 / Engagement stage by fiscal year: each community's stage at each fiscal year's end."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from secgraph.analysis.activity import ActivityIndex
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.analysis.stage.results import stages_on
from secgraph.analysis.stage.rules import DEFAULT_RULES
from secgraph.model.graph import GraphData
from secgraph.viz.charts.common import (
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


def stage_by_year_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """段階の推移 / Each community's engagement stage at the end of each fiscal year (April–March)
    from its first record to the scope's date (or the data's latest), judged by
    :func:`engagement_stage`'s rules on the network as it stood that day. The current fiscal year
    is judged on the scope's date. Before a community's first record (:func:`first_fiscal_year`),
    or while it is not yet founded, it has no row.
    """
    data, scope = prepared(data, scope, hide_names)
    index = ActivityIndex(data, scope.as_of)
    ids = community_ids_in_scope(index.data, scope)
    years = fiscal_years(index, ids)
    first = {cid: first_fiscal_year(index, cid) for cid in ids}
    rows: list[dict[str, object]] = []
    for year in years if ids else []:
        day = year_end(year, index.reference_date)
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
    return table_frame(
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
    data, scope = prepared(data, scope, hide_names)
    table = stage_by_year_table(data, scope)
    ids: list[str] = table.attrs["communities"]
    years: list[int] = table.attrs["fiscal_years"]
    reference = dt.date.fromisoformat(table.attrs["as_of"])
    size = (max(6.5, 2.6 + 0.32 * len(years)), 2.6 + 0.3 * max(len(ids), 1))

    def draw(figure: Figure) -> None:
        spec = SPEC
        subtitle = f"{scope_text(data, scope)}\n基準日 / As of: {reference.isoformat()}{partial_note(years, reference)}"
        axes = figure.add_subplot()
        titles(figure, axes, spec.title, subtitle, hide_names)
        if not ids or table.empty:
            no_data(axes)
            return
        rows = {cid: len(ids) - 1 - i for i, cid in enumerate(ids)}
        for record in table.to_dict("records"):
            x, y, stage = years.index(record[FISCAL_YEAR]), rows[record[COMMUNITY_ID]], int(record[STAGE])
            axes.add_patch(Rectangle((x, y), 1, 1, facecolor=STAGE_COLOURS[stage], edgecolor="white", linewidth=1))
            colour = "white" if stage >= 2 else "black"
            axes.text(x + 0.5, y + 0.5, str(stage), fontproperties=font(7), ha="center", va="center", color=colour)
        axes.set_xlim(0, len(years))
        axes.set_ylim(0, len(ids))
        axes.set_xticks(
            [i + 0.5 for i in range(len(years))],
            [year_label(y, reference) for y in years],
            fontproperties=font(7),
            rotation=90 if len(years) > 12 else 0,
        )
        axes.set_yticks([rows[c] + 0.5 for c in ids], [community_label(data, c) for c in ids], fontproperties=font(8))
        axes.set_xlabel("年度（4月〜3月） / Fiscal year (April–March)", fontproperties=font(8))
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
        figure.legend(handles=handles, loc="outside lower left", ncols=1, prop=font(7), frameon=False)

    return render(fmt, size, draw)


SPEC = ChartSpec(
    "stage-by-year", "段階の推移", "Engagement stage by fiscal year", stage_by_year_chart, stage_by_year_table
)
