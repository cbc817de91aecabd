"""カバー状況の地図 / Coverage map: the 47 prefectures as tiles, by community, activity and missing sectors."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from secgraph.analysis import isolated_regions, missing_sectors
from secgraph.analysis.activity import months_before
from secgraph.analysis.areas import communities_in_scope, covered_prefectures
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS
from secgraph.analysis.network import Scope, reference_day, snapshot_at
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.viz.charts.common import (
    A4_LANDSCAPE,
    ACTIVE,
    COMMUNITY_COUNT,
    COMMUNITY_IDS,
    IN_SCOPE,
    MISSING,
    MISSING_COUNT,
    PREFECTURE,
    PREFECTURE_CODE,
    PREFECTURE_EN,
    STATUS,
    STATUS_NAME,
    ChartFormat,
    ChartSpec,
    font,
    prepared,
    render,
    scope_text,
    table_frame,
    titles,
)

#: Coverage-map tiles: code → (日本語, English, fill, text colour).
STATUSES: dict[str, tuple[str, str, str, str]] = {
    "local": ("地域のコミュニティあり（域内の団体が参加）", "A local community with local members", "#2b8a3e", "white"),
    "programme_only": (
        "局の広域事業のみ（地域のコミュニティなし、または域内の団体が不参加）",
        "Covered only by a bureau-wide programme (no local community with local members)",
        "#f2c14e",
        "black",
    ),
    "none": ("コミュニティなし", "Nothing covers it", "#d9d9d9", "black"),
}
#: Drawn over a tile with no activity in the last twelve months.
QUIET_HATCH = "////"
LOCAL_COUNT = "地域のコミュニティ数 / Local communities"
COMMUNITY_NAMES = "コミュニティ / Communities"


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


def _status(has_community: bool, local: bool) -> str:
    if not has_community:
        return "none"
    return "local" if local else "programme_only"


def coverage_map_table(data: GraphData, scope: Scope | None = None, *, hide_names: bool = False) -> pd.DataFrame:
    """カバー状況 / Each of the 47 prefectures (by code): the communities covering it, whether it had
    activity in the twelve months up to the scope's date (or the data's latest) — an event held
    there or a tie started by a body located only there, as :func:`isolated_regions` judges it —
    and the needed sectors (:data:`DEFAULT_SECTOR_NEEDS`) no community covering it has
    (:func:`missing_sectors`; all of them where no community covers it). ``対象範囲`` marks the
    prefectures of the scope.

    ``区分``: ``local`` where a community lists the prefecture as its own (not only through its
    region, as a bureau's area-wide programme covers every prefecture of the area) and a body
    located there takes part in a community covering it (:func:`isolated_regions`' "no local
    member" is not raised); ``programme_only`` where communities cover it only that way or only on
    paper; ``none`` where none covers it.
    """
    data, scope = prepared(data, scope, hide_names)
    reference = reference_day(data, scope.as_of)
    period = last_twelve_months(reference)
    country = Scope(as_of=scope.as_of)
    gaps = {p.code: set(p.gaps) for p in isolated_regions(data, country, period=period).prefectures}
    met = {c.subject_id: set(c.met) for c in missing_sectors(data, country, suggestions_per_sector=0).communities}
    existing = communities_in_scope(snapshot_at(data, reference), Scope())  # records_as_of, its day found once
    in_scope = scope_prefectures(data, scope)
    rows = []
    for prefecture in geography.prefectures():
        code = prefecture.code
        covering = [c for c in existing if code in covered_prefectures(c)]
        has_community = "no_community" not in gaps.get(code, set())
        active = "no_activity" not in gaps.get(code, set())
        local_ones = [c for c in covering if code in (c.prefectures or ())]
        local = bool(local_ones) and "no_local_member" not in gaps.get(code, set())
        have = set().union(*(met.get(c.id, set()) for c in covering)) if has_community else set()
        missing = [need for need in DEFAULT_SECTOR_NEEDS if need.code not in have]
        status = _status(has_community, local)
        rows.append(
            {
                PREFECTURE_CODE: code,
                PREFECTURE: prefecture.name,
                PREFECTURE_EN: prefecture.name_en,
                IN_SCOPE: code in in_scope,
                COMMUNITY_COUNT: len(covering) if has_community else 0,
                LOCAL_COUNT: len(local_ones) if has_community else 0,
                COMMUNITY_NAMES: "、".join(c.display_name() for c in covering) if has_community else "",
                COMMUNITY_IDS: "; ".join(c.id for c in covering) if has_community else "",
                ACTIVE: active,
                MISSING_COUNT: len(missing),
                MISSING: "、".join(need.ja for need in missing),
                STATUS: status,
                STATUS_NAME: f"{STATUSES[status][0]} / {STATUSES[status][1]}",
            }
        )
    return table_frame(
        rows,
        [
            PREFECTURE_CODE,
            PREFECTURE,
            PREFECTURE_EN,
            IN_SCOPE,
            COMMUNITY_COUNT,
            LOCAL_COUNT,
            COMMUNITY_NAMES,
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
    """カバー状況の地図 / A tile-grid map of Japan on an A4 landscape page: one tile per prefecture
    (Hokkaido top right, Okinawa bottom left) coloured by its coverage (a local community with local
    members, a bureau-wide programme only, nothing), hatched where nothing happened in the last
    year, with the number of needed sectors missing there; prefectures outside the scope faded."""
    data, scope = prepared(data, scope, hide_names)
    table = coverage_map_table(data, scope)
    tiles = prefecture_tiles()
    columns = max(t.col for t in tiles.values()) + 1
    rows = max(t.row for t in tiles.values()) + 1
    needs = len(table.attrs["needs"])

    def draw(figure: Figure) -> None:
        spec = SPEC
        period = f"{table.attrs['period_start']} 〜 {table.attrs['period_end']}"
        axes = figure.add_subplot()
        subtitle = f"{scope_text(data, scope)}\n活動の期間 / Activity period: {period}"
        titles(figure, axes, spec.title, subtitle, hide_names)
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
            if not record[ACTIVE]:
                axes.add_patch(
                    Rectangle(
                        (tile.col + 0.04, tile.row + 0.04), 0.92, 0.92, facecolor="none", hatch=QUIET_HATCH,
                        edgecolor="#ffffff" if ink == "white" and not faded else "#888888", linewidth=0,
                        alpha=0.3 if faded else 0.6,
                    )
                )  # fmt: skip
            ink = "#777777" if faded else ink
            prefecture = geography.prefecture(record[PREFECTURE_CODE])
            x = tile.col + 0.5
            label_box = {"facecolor": fill, "edgecolor": "none", "pad": 0.6, "alpha": 0.3 if faded else 1.0}
            axes.text(
                x, tile.row + 0.42, prefecture.short, fontproperties=font(8, "bold"), color=ink, ha="center",
                va="center", bbox=label_box,
            )  # fmt: skip
            if record[COMMUNITY_COUNT]:
                axes.text(
                    x, tile.row + 0.76, f"不足{record[MISSING_COUNT]}", fontproperties=font(7), color=ink,
                    ha="center", va="center", bbox=label_box,
                )  # fmt: skip
        handles = [
            Patch(facecolor=fill, edgecolor="#999999", label=f"{ja} / {en}") for ja, en, fill, _ in STATUSES.values()
        ]
        handles.append(
            Patch(
                facecolor="white", hatch=QUIET_HATCH, edgecolor="#888888",
                label="斜線: 直近1年の活動なし / Hatched: no activity in the last year",
            )
        )  # fmt: skip
        handles.append(
            Patch(
                facecolor="#d9d9d9",
                alpha=0.3,
                edgecolor="#cccccc",
                label="薄い色: 対象範囲外 / Faded: outside the scope",
            )
        )
        counts = table[table[IN_SCOPE]][STATUS].value_counts()
        summary = "　".join(f"{STATUSES[code][0].split('（')[0]}: {int(counts.get(code, 0))}" for code in STATUSES)
        figure.legend(
            handles=handles,
            loc="outside lower center",
            prop=font(7),
            frameon=False,
            ncols=2,
            title=(
                f"「不足n」: 必要な{needs}セクターのうち、覆うコミュニティのどれにもない数 / "
                f"missing sectors of the {needs} needed\n対象範囲の都道府県 / Prefectures in scope — {summary}"
            ),
            title_fontproperties=font(7),
        )

    return render(fmt, A4_LANDSCAPE, draw)


SPEC = ChartSpec(
    "coverage-map", "カバー状況の地図", "Coverage map of prefectures", coverage_map_chart, coverage_map_table
)
