"""Where communities are, and which communities and areas a scope covers.

A community belongs to the MIC or METI areas of its region (or of the prefectures it lists) and
covers the prefectures it lists, else those of its region; one with neither is national. A scope is
summarised by areas: the 地域SECUNITY areas (MIC regions) for the country, the region or prefecture
itself otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from secgraph.analysis.network import Scope, reuse
from secgraph.model import geography
from secgraph.model.graph import GraphData, community_of
from secgraph.model.records import Community

RegionKind = Literal["mic", "meti"]
Proximity = Literal["same_prefecture", "same_mic_area", "same_meti_area"]

PROXIMITY_LABELS: dict[str, tuple[str, str]] = {
    "same_prefecture": ("同じ都道府県", "same prefecture"),
    "same_mic_area": ("同じ総合通信局の管内", "same MIC area"),
    "same_meti_area": ("同じ経済産業局の管内", "same METI area"),
}


@cache
def area_of(prefecture_code: str, kind: str) -> str:
    """The MIC or METI area a prefecture belongs to."""
    prefecture = geography.prefecture(prefecture_code)
    return prefecture.mic_region if kind == "mic" else prefecture.meti_region


def region_kind(region_code: str) -> RegionKind:
    return "meti" if geography.region(region_code).kind == "meti" else "mic"


def proximity(located: Iterable[str], targets: set[str]) -> Proximity | None:
    """How near a body located in ``located`` is to the ``targets`` prefectures."""
    located = set(located)
    if not located or not targets:
        return None
    if located & targets:
        return "same_prefecture"
    for kind, level in (("mic", "same_mic_area"), ("meti", "same_meti_area")):
        if {area_of(p, kind) for p in located} & {area_of(p, kind) for p in targets}:
            return level  # type: ignore[return-value]
    return None


def community_areas(community: Community, kind: str = "mic") -> set[str]:
    """The areas of ``kind`` a community belongs to.

    Its own region when of ``kind``; a region of the other kind maps to the one area holding most of
    its prefectures (the METI Kinki area is the MIC Kinki area, though it also holds Fukui); with no
    region, the areas of the prefectures it lists. A community with neither is national: no area.
    """
    if community.region:
        if region_kind(community.region) == kind:
            return {community.region}
        counts: dict[str, int] = defaultdict(int)
        for prefecture in geography.prefectures_of_region(community.region):
            counts[area_of(prefecture.code, kind)] += 1
        return {min(counts, key=lambda area: (-counts[area], area))}
    return {area_of(p, kind) for p in community.prefectures}


def communities_in_scope(data: GraphData, scope: Scope) -> list[Community]:
    """Communities a scope looks at: the one named, those of a region (by its areas), those covering a
    prefecture, or all."""
    found = reuse(
        "regions.communities",
        data,
        None,
        lambda: sorted((n for n in data.nodes.values() if isinstance(n, Community)), key=lambda c: c.id),
    )
    if scope.community is not None:
        return [c for c in found if c.id == scope.community]
    if scope.region is not None:
        kind = region_kind(scope.region)
        return [c for c in found if scope.region in community_areas(c, kind)]
    if scope.prefecture is not None:
        return [c for c in found if scope.prefecture in covered_prefectures(c)]
    return list(found)  # a copy: the sorted list is shared inside ``shared_inputs``


def other_region(own: set[str], other: set[str]) -> bool:
    """Whether a community belonging to areas ``other`` is of another region than one belonging to
    ``own``: both belong to some area, and not to the same ones (a national community is of none)."""
    return bool(own) and bool(other) and own != other


def covered_prefectures(community: Community) -> set[str]:
    if community.prefectures:
        return set(community.prefectures)
    if community.region:
        return {p.code for p in geography.prefectures_of_region(community.region)}
    return set()


@dataclass(frozen=True)
class Area:
    """A region or prefecture summarised over its communities."""

    code: str
    kind: Literal["region", "prefecture"]
    name: str
    name_en: str
    communities: tuple[str, ...]


def community_ids_in_scope(data: GraphData, scope: Scope) -> list[str]:
    """Ids of the communities a scope covers (:func:`communities_in_scope`), sorted."""
    return [c.id for c in communities_in_scope(data, scope)]


def scope_areas(data: GraphData, scope: Scope) -> list[Area]:
    """The areas a scope is summarised by: the 地域SECUNITY areas (MIC regions) for the country,
    the region or prefecture itself otherwise, none for one community."""
    if scope.community is not None:
        return []
    if scope.prefecture is not None:
        pref = geography.prefecture(scope.prefecture)
        return [Area(pref.code, "prefecture", pref.name, pref.name_en, tuple(community_ids_in_scope(data, scope)))]
    regions = (
        [geography.region(scope.region)]
        if scope.region is not None
        else [r for r in geography.regions() if r.kind == "mic"]
    )
    return [
        Area(r.code, "region", r.name, r.name_en, tuple(community_ids_in_scope(data, Scope(region=r.code))))
        for r in regions
    ]


def check_community(data: GraphData, scope: Scope) -> None:
    if scope.community is not None:
        community_of(data, scope.community)
