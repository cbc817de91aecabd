"""委員会資料 / The committee pack: one PDF for a region's committee meeting.

In order: a cover (the region, the date judged on, the contents with page numbers), the regional
network map (``network_figure``), a table comparing the region's communities (stage, members,
sector groups present, missing sectors, the key health indicators), then every community's
one-page profile (:mod:`secgraph.viz.profile`), one per page, in the order of the table.

Each part is laid out on its own and the pages are joined, so every profile keeps exactly the
one page it has when printed alone. Everything is drawn from the same data: anonymised once when
names are hidden, and the date judged on is ``as_of`` or the latest date in the data, never today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weasyprint import Document

from secgraph.analysis.activity import activity_index
from secgraph.analysis.areas import community_ids_in_scope
from secgraph.analysis.network import Scope
from secgraph.model import geography
from secgraph.model.graph import GraphData
from secgraph.viz import pdf
from secgraph.viz.network_figure import map_page_svgs
from secgraph.viz.network_map import network_map
from secgraph.viz.profile import (
    CommunityProfile,
    Text,
    build_profile,
    environment,
    fitted_profile,
    indicator_text,
    prepared,
    svg_data_uri,
)

#: Health indicators the comparison table shows, in this order (codes of ``health.INDICATORS``).
COMPARED_INDICATORS: tuple[str, ...] = (
    "sector_coverage",
    "dependence",
    "dormant_members",
    "event_cadence",
    "links",
)


#: The map's box on an A4 landscape sheet of the pack (inches): the width between the margins, the
#: height left under the heading.
MAP_SIZE = (279.0 / 25.4, 160.0 / 25.4)


@dataclass(frozen=True)
class ComparisonRow:
    """One community's line in the comparison table."""

    name: str
    stage: Text
    members: int
    groups: list[str]
    missing: list[str]
    indicators: list[str]


@dataclass(frozen=True)
class ContentsLine:
    label: Text
    page: int


def comparison_rows(profiles: list[CommunityProfile]) -> list[ComparisonRow]:
    rows = []
    for p in profiles:
        values = []
        for code in COMPARED_INDICATORS:
            indicator = p.health.indicator(code)
            values.append(indicator_text(indicator.value, indicator.unit_en))
        rows.append(
            ComparisonRow(
                name=p.name,
                stage=Text(f"第{p.stage.stage}段階", f"Stage {p.stage.stage}"),
                members=p.members_estimate,
                groups=[g.ja for g in p.groups_present],
                missing=[m.ja for m in p.missing],
                indicators=values,
            )
        )
    return rows


def _region_text(code: str) -> Text:
    region = geography.region(code)
    return Text(f"{region.name}（{region.bureau}管内）", f"{region.name_en} ({region.bureau_en})")


def _render(template: str, **values: object) -> Document:
    return pdf.render(environment().get_template(template).render(**values))


def committee_pack_pdf(
    data: GraphData,
    region: str,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    hide_names: bool = False,
    seed: int = 0,
) -> bytes:
    """The committee pack of ``region`` (a region code or name, ``mic-kinki`` or 「近畿」) as one PDF.

    ``as_of``: the network as it stood on that date (default: the latest date in the data);
    ``since``: each profile also shows what changed from that date; ``hide_names``: people by role
    and affiliation; ``seed``: the map's layout seed (the same seed, the same map).
    Raises ``ValueError`` for an unknown region or ``since`` not before the date judged on.
    """
    code = geography.region(region).code
    data = prepared(data, hide_names)
    hide_names = data.names_hidden  # also for a view that came with names hidden
    index = activity_index(data, as_of)
    scope = Scope(region=code, as_of=as_of)
    ids = community_ids_in_scope(index.data, scope)
    profiles = [build_profile(data, cid, as_of=as_of, since=since, names_hidden=hide_names, index=index) for cid in ids]
    common = {
        "region": _region_text(code),
        "as_of": index.reference_date.isoformat(),
        "since": since.isoformat() if since else None,
        "names_hidden": hide_names,
    }
    # the data is already anonymised when names are hidden: the map only marks it so
    nmap = network_map(data, scope, anonymised=hide_names, seed=seed)
    # drawn at the size it is printed (the sheet's content box), so its 7 pt text stays 7 pt on paper
    figures = map_page_svgs(nmap, size=MAP_SIZE)
    map_page = _render("pack_map.html.j2", map_uris=[svg_data_uri(f) for f in figures], **common)
    table = _render("pack_table.html.j2", rows=comparison_rows(profiles), **common)
    profile_pages = [fitted_profile(p)[1] for p in profiles]

    contents = [ContentsLine(Text("表紙・目次", "Cover and contents"), 1)]
    page = 2
    contents.append(ContentsLine(Text("地域のネットワーク図", "Regional network map"), page))
    page += len(map_page.pages)
    contents.append(ContentsLine(Text("コミュニティの比較", "Communities compared"), page))
    page += len(table.pages)
    for p in profiles:
        contents.append(ContentsLine(Text(p.name, "Community profile"), page))
        page += 1
    cover = _render("pack_cover.html.j2", contents=contents, communities=len(profiles), **common)
    return pdf.write_pdf([cover, map_page, table, *profile_pages])
