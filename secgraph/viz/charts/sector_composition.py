"""セクター構成 / Sector composition: each community's members by sector group."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from secgraph.analysis.activity import UNKNOWN_GROUP, ActivityIndex, CommunityActivity, membership_count
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, SectorGroup
from secgraph.viz.charts.common import (
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
    index = ActivityIndex(data, scope.as_of)
    rows = [row for cid in community_ids_in_scope(index.data, scope) for row in _composition_rows(index.activity(cid))]
    return table_frame(
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
    data, scope = prepared(data, scope, hide_names)
    table = sector_composition_table(data, scope)
    totals = table.groupby(COMMUNITY_ID)[TOTAL].sum().to_dict() if len(table) else {}
    order = sorted(table.attrs["communities"], key=lambda c: (-totals.get(c, 0), c))
    size = (8.0, 1.6 + 0.34 * max(len(order), 1))

    def draw(figure: Figure) -> None:
        spec = SPEC
        axes = figure.add_subplot()
        titles(
            figure, axes, spec.title, f"{scope_text(data, scope)}\n基準日 / As of: {table.attrs['as_of']}", hide_names
        )
        if not order:
            no_data(axes)
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
            axes.text(left, positions[cid], f" {left}", fontproperties=font(7), va="center", ha="left")
        axes.set_yticks(
            [positions[c] for c in order], [community_label(data, c) for c in order], fontproperties=font(8)
        )
        axes.set_xlabel("構成員数（団体・個人） / Members (bodies or people)", fontproperties=font(8))
        axes.margins(x=0.08)
        axes.spines[["top", "right"]].set_visible(False)
        handles = [Patch(facecolor=GROUP_COLOURS[g], label=" / ".join(GROUP_LABELS[g])) for g in used]
        handles.append(Patch(facecolor="#999999", alpha=0.55, hatch="////", label="人数のみの記録 / Counted only"))
        figure.legend(handles=handles, loc="outside lower center", ncols=4, prop=font(7), frameon=False)

    return render(fmt, size, draw)


SPEC = ChartSpec(
    "sector-composition", "セクター構成", "Sector composition", sector_composition_chart, sector_composition_table
)
