"""セクター構成 / Sector composition: each community's members by sector group."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from secgraph.analysis.activity import UNKNOWN_GROUP, CommunityActivity, activity_index, membership_count
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, SectorGroup
from secgraph.viz.charts.common import (
    A4_LANDSCAPE,
    COMMUNITY,
    COMMUNITY_ID,
    COUNTED_ONLY,
    GROUP,
    GROUP_NAME,
    NAMED,
    TOTAL,
    ChartFormat,
    ChartSpec,
    community_label,
    font,
    no_data,
    prepared,
    render,
    scope_text,
    table_frame,
    titles,
)

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
    data, scope = prepared(data, scope, hide_names)
    index = activity_index(data, scope.as_of)
    rows = [row for cid in community_ids_in_scope(index.data, scope) for row in _composition_rows(index.activity(cid))]
    return table_frame(
        rows,
        [COMMUNITY_ID, COMMUNITY, GROUP, GROUP_NAME, NAMED, COUNTED_ONLY, TOTAL],
        as_of=index.reference_date.isoformat(),
        communities=community_ids_in_scope(index.data, scope),
    )


#: A group added to the vocabulary before it has a colour of its own.
FALLBACK_COLOUR = "#aaaaaa"
#: Bars on an A4 landscape page; a larger scope shows the largest communities and sums the rest in one bar.
MAX_BARS = 24


def _bars(table: pd.DataFrame, data: GraphData) -> list[tuple[str, dict[str, tuple[int, int]]]]:
    """(label, group → (named, counted only)) per bar, largest community on top: every community up
    to :data:`MAX_BARS`, else the largest less one and 「その他 N件」 summing the rest."""
    totals = table.groupby(COMMUNITY_ID)[TOTAL].sum().to_dict() if len(table) else {}
    order = sorted(table.attrs["communities"], key=lambda c: (-totals.get(c, 0), c))
    rows = {(r[COMMUNITY_ID], r[GROUP]): r for r in table.to_dict("records")}

    def parts(ids: list[str]) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for group in GROUP_ORDER:
            named = sum(int(rows[c, group][NAMED]) for c in ids if (c, group) in rows)
            counted = sum(int(rows[c, group][COUNTED_ONLY]) for c in ids if (c, group) in rows)
            if named or counted:
                found[group] = (named, counted)
        return found

    shown, rest = (order, []) if len(order) <= MAX_BARS else (order[: MAX_BARS - 1], order[MAX_BARS - 1 :])
    bars = [(community_label(data, c), parts([c])) for c in shown]
    if rest:
        bars.append((f"その他{len(rest)}件（合計） / {len(rest)} others (summed)", parts(rest)))
    return bars


def sector_composition_chart(
    data: GraphData, scope: Scope | None = None, *, fmt: ChartFormat, hide_names: bool = False
) -> bytes:
    """セクター構成 / Stacked horizontal bars of 100 %: each community's members by sector group as
    a percentage of its members (the number of members written beside), so a community of 700 and
    one of 7 compare; the part known only as counts hatched. Largest community on top; in a scope of
    more than :data:`MAX_BARS` communities the rest are summed in one bar, named as such."""
    data, scope = prepared(data, scope, hide_names)
    table = sector_composition_table(data, scope)
    bars = _bars(table, data)
    size = (A4_LANDSCAPE[0], min(A4_LANDSCAPE[1], 2.4 + 0.3 * max(len(bars), 1)))

    def draw(figure: Figure) -> None:
        spec = SPEC
        axes = figure.add_subplot()
        titles(
            figure, axes, spec.title, f"{scope_text(data, scope)}\n基準日 / As of: {table.attrs['as_of']}", hide_names
        )
        if not bars:
            no_data(axes)
            return
        used = [g for g in GROUP_ORDER if any(g in parts for _, parts in bars)]
        for number, (_, parts) in enumerate(bars):
            y = len(bars) - 1 - number
            total = sum(named + counted for named, counted in parts.values())
            left = 0.0
            for group in used:
                if group not in parts:
                    continue
                named, counted = (100.0 * v / total for v in parts[group])  # parts only where total > 0
                colour = GROUP_COLOURS.get(group, FALLBACK_COLOUR)
                axes.barh(y, named, left=left, color=colour, edgecolor="white", linewidth=0.5)
                axes.barh(
                    y, counted, left=left + named, color=colour, alpha=0.55, hatch="////", edgecolor="white",
                    linewidth=0.5,
                )  # fmt: skip
                left += named + counted
            axes.text(101, y, f"{total:,}", fontproperties=font(7), va="center", ha="left")
            if not total:  # said in words, not left as an empty bar
                axes.text(1, y, "構成員の記録なし / No members recorded", fontproperties=font(7), va="center")
        axes.set_yticks(
            [len(bars) - 1 - i for i in range(len(bars))], [label for label, _ in bars], fontproperties=font(7)
        )
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        axes.set_xlabel(
            "構成員に占める割合（右の数字は構成員数：団体・個人）"
            " / Share of members (right: members, bodies or people)",
            fontproperties=font(8),
        )
        axes.spines[["top", "right"]].set_visible(False)
        handles = [
            Patch(facecolor=GROUP_COLOURS.get(g, FALLBACK_COLOUR), label=" / ".join(GROUP_LABELS.get(g, (g, g))))
            for g in used
        ]
        handles.append(Patch(facecolor="#999999", alpha=0.55, hatch="////", label="人数のみの記録 / Counted only"))
        figure.legend(handles=handles, loc="outside lower center", ncols=5, prop=font(7), frameon=False)

    return render(fmt, size, draw)


SPEC = ChartSpec(
    "sector-composition", "セクター構成", "Sector composition", sector_composition_chart, sector_composition_table
)
