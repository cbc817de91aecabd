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
  local community with local members, which are covered only by a bureau-wide programme (or on
  paper), which have nothing; which had activity in the last twelve months (:func:`isolated_regions`),
  and how many of the needed sectors (:func:`missing_sectors`) no community there has.

Every chart fits an A4 landscape page (a large scope shows the largest or most advanced
communities and sums or counts the rest, saying so), prints no text under 7 pt, names communities
(wrapped, never cut), and shows what is not recorded as not recorded.

Every figure is a ``matplotlib.figure.Figure`` (no pyplot state), drawn inside
``deterministic_drawing()`` (``DETERMINISTIC_RC``, one figure at a time) with every text in the
Japanese font of ``secgraph.viz.fonts`` and saved with ``DETERMINISTIC_METADATA``: the same data and
options give the same bytes. PNG is saved at :data:`DPI` dots per inch; SVG keeps text as text in
the named Japanese font (editable in PowerPoint); PDF embeds the font, so its text can be searched
and extracted.

One module per chart (each with its table and its :data:`SPEC`), what they share in
:mod:`.common`. With ``hide_names`` every chart is drawn from ``visible_graph(data, Visibility.ANONYMISED)``.
"""

from __future__ import annotations

import pandas as pd

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.charts import coverage_map, membership_attendance, sector_composition, stage_by_year
from secgraph.viz.charts.common import FORMATS, MEDIA_TYPES, ChartFormat, ChartSpec

__all__ = ["CHARTS", "FORMATS", "MEDIA_TYPES", "ChartFormat", "ChartSpec", "chart", "chart_spec", "chart_table"]

CHARTS: dict[str, ChartSpec] = {
    spec.name: spec
    for spec in (sector_composition.SPEC, stage_by_year.SPEC, membership_attendance.SPEC, coverage_map.SPEC)
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
