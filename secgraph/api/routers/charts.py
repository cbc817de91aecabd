"""グラフ / Charts: sector composition, stage over fiscal years, membership and attendance, coverage map.

Drawn from what the caller may see (``graph.view_for(principal, hide_names).data``): confidential
records are already gone, and for a viewer or with ``hide_names`` so are personal names. Scoped like
the analyses; PNG (300 dpi), SVG or PDF, the same bytes for the same data, so each is drawn once per
revision of the graph and what the caller may see (``analysis_service.drawn``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from secgraph.api.analysis_service import drawn
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError, not_found_from
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers.analyses import Cache, ScopeParam
from secgraph.viz.charts import CHARTS, MEDIA_TYPES, ChartFormat, chart, chart_spec
from secgraph.viz.naming import file_name

router = APIRouter(prefix="/charts", tags=["charts"], responses=ERROR_RESPONSES)


class ChartInfo(BaseModel):
    name: str = Field(description="URLで使う名前 / Name used in the URL")
    title_ja: str = Field(description="題名（日本語） / Title in Japanese")
    title_en: str = Field(description="題名（英語） / Title in English")
    formats: list[str] = Field(description="形式（png, svg, pdf） / Formats it comes in")


@router.get("", response_model=list[ChartInfo], summary="グラフの一覧 / The charts there are")
def list_charts(who: CurrentPrincipal) -> list[ChartInfo]:
    return [
        ChartInfo(name=spec.name, title_ja=spec.title_ja, title_en=spec.title_en, formats=list(MEDIA_TYPES))
        for spec in CHARTS.values()
    ]


@router.get(
    "/{name}",
    response_class=Response,
    summary="グラフ（PNG・SVG・PDF） / A chart as PNG, SVG or PDF",
    description="セクター構成・段階の推移・構成員数と参加者数・カバー状況の地図。同じデータなら同じバイト列。"
    " / Sector composition, stage by fiscal year, membership and attendance, coverage map; the same data "
    "gives the same bytes.",
    # An image route documents its errors as images unless told: they are problem+json like everywhere.
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}, "description": "PNG, SVG or PDF"},
        **{code: {**spec, "content": {"application/problem+json": {}}} for code, spec in ERROR_RESPONSES.items()},
    },
)
def get_chart(
    graph: Graph,
    cache: Cache,
    who: CurrentPrincipal,
    where: ScopeParam,
    name: Annotated[str, Path(description=f"グラフ / Chart: {', '.join(CHARTS)}", examples=["coverage-map"])],
    fmt: Annotated[ChartFormat, Query(alias="format", description="形式 / Format: png, svg, pdf")] = "png",
    hide_names: Annotated[bool, Query(description="氏名を伏せる / Show people by role and affiliation")] = False,
    download: Annotated[bool, Query(description="ファイルとして保存 / Send as a file download")] = False,
) -> Response:
    try:
        spec = chart_spec(name)
    except KeyError as error:
        raise ProblemError(404, str(error.args[0])) from None
    try:
        body = drawn(  # names hidden already when asked (and for a viewer)
            graph,
            cache,
            who,
            hide_names,
            ("chart", spec.name, where, fmt),
            lambda data: chart(spec.name, data, where, fmt=fmt),
        )
    except KeyError as error:  # a community this caller cannot see, or that does not exist
        raise not_found_from(error) from None
    disposition = "attachment" if download else "inline"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{file_name(spec.name, where, fmt)}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
