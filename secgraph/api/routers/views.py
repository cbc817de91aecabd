"""図 / Views: the interactive network map as one standalone HTML page.

Drawn from what the caller may see (``graph.view_for(principal).data``): confidential records are
already gone, and for a viewer so are personal names. Scoped like the analyses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers.analyses import ScopeParam
from secgraph.viz.network_view import network_view_html

router = APIRouter(prefix="/views", tags=["views"], responses=ERROR_RESPONSES)


@router.get(
    "/network",
    response_class=HTMLResponse,
    summary="ネットワーク図（HTML） / Interactive network map (HTML)",
    description="インターネット接続なしで開ける単一のHTMLファイル。同じデータなら同じ配置。"
    " / One self-contained HTML file that opens without internet; the same data gives the same layout.",
    # An HTML route documents its errors as text/html unless told: they are problem+json like everywhere.
    responses={
        200: {"content": {"text/html": {}}, "description": "HTML"},
        **{code: {**spec, "content": {"application/problem+json": {}}} for code, spec in ERROR_RESPONSES.items()},
    },
)
def network(
    graph: Graph,
    who: CurrentPrincipal,
    where: ScopeParam,
    hide_names: Annotated[bool, Query(description="氏名を伏せる / Show people by role and affiliation")] = False,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1, description="配置の乱数シード / Layout seed")] = 0,
    download: Annotated[bool, Query(description="ファイルとして保存 / Send as a file download")] = False,
) -> HTMLResponse:
    data = graph.view_for(who).data
    try:
        page = network_view_html(data, where, hide_names=hide_names, seed=seed)
    except KeyError as error:
        raise ProblemError(404, str(error.args[0]) if error.args else "not found") from None
    headers = {
        # the page's own policy, repeated as a header: nothing may load from anywhere
        "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if download:
        headers["Content-Disposition"] = 'attachment; filename="secgraph-network.html"'
    return HTMLResponse(page, headers=headers)
