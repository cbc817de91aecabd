"""資料 / Documents: one-page community profiles (HTML, PDF) and the committee pack (PDF).

Drawn from what the caller may see (``graph.view_for(principal, hide_names).data``): confidential
records are already gone, and for a viewer or with ``hide_names`` so are personal names (the
document says so). A community the caller cannot see is 404, like one that does not exist. A document
is the same bytes for the same data, so each is made once per revision of the graph and what the
caller may see (``analysis_service.drawn``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from secgraph.api.analysis_service import drawn
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError, not_found_from
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers.analyses import Cache
from secgraph.model import geography
from secgraph.viz.pack import committee_pack_pdf
from secgraph.viz.profile import community_profile_html, community_profile_pdf

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)

#: The page's own policy, repeated as a header: no script, nothing loaded from anywhere.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
_PROBLEMS = {code: {**spec, "content": {"application/problem+json": {}}} for code, spec in ERROR_RESPONSES.items()}

AsOf = Annotated[
    dt.date | None, Query(description="この日時点のネットワーク / The network as of this date", examples=["2021-03-31"])
]
Since = Annotated[
    dt.date | None,
    Query(description="この日からの変化も示す / Also show what changed since this date", examples=["2020-03-31"]),
]
HideNames = Annotated[bool, Query(description="氏名を伏せる / Show people by role and affiliation")]


def disposition(kind: str, ascii_name: str, name: str) -> str:
    """``Content-Disposition`` with an ASCII file name and the Japanese one (RFC 6266 / RFC 5987)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return f"{kind}; filename=\"{safe}\"; filename*=UTF-8''{quote(name, safe='')}"


def _headers(content_disposition: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


def _date_problem(error: ValueError, since: dt.date | None) -> ProblemError:
    """A date the documents cannot be made for: ``since`` not before the date judged on, or a date
    the analyses cannot count fiscal years from."""
    field = "since" if since is not None else "as_of"
    return ProblemError(422, str(error), [{"field": field, "reason": str(error)}])


@router.get(
    "/profiles/{community_id}",
    response_class=Response,
    summary="コミュニティ概要（1枚） / One-page community profile",
    description="設立の経緯・狙い、取組方針、協力機関、イベント、段階、不足セクター、キーパーソン候補、健全性、変化。"
    "HTMLとPDF（A4・1ページ）。 / Background, policy, partners, events, stage, missing sectors, key persons, "
    "health and change, as HTML or a one-page A4 PDF.",
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "HTML or PDF"},
        **_PROBLEMS,
    },
)
def profile(
    graph: Graph,
    cache: Cache,
    who: CurrentPrincipal,
    community_id: Annotated[str, Path(max_length=200, description="コミュニティID / Community id")],
    fmt: Annotated[Literal["html", "pdf"], Query(alias="format", description="形式 / Format: html, pdf")] = "html",
    as_of: AsOf = None,
    since: Since = None,
    hide_names: HideNames = False,
) -> Response:
    data = graph.view_for(who, hide_names).data  # names hidden already when asked (and for a viewer)
    make = community_profile_pdf if fmt == "pdf" else community_profile_html
    try:
        body: str | bytes = drawn(
            graph,
            cache,
            who,
            hide_names,
            ("profile", community_id, fmt, as_of, since),
            lambda seen: make(seen, community_id, as_of=as_of, since=since),
        )
    except KeyError as error:  # unknown, not yet founded, or a confidential community this caller cannot see
        raise not_found_from(error) from None
    except ValueError as error:
        raise _date_problem(error, since) from None
    name = data.nodes[community_id].display_name()
    if fmt == "pdf":
        headers = _headers(disposition("attachment", f"secgraph-profile-{community_id}.pdf", f"{name}_概要.pdf"))
        return Response(body, media_type="application/pdf", headers=headers)
    headers = _headers(disposition("inline", f"secgraph-profile-{community_id}.html", f"{name}_概要.html"))
    headers["Content-Security-Policy"] = CSP
    return HTMLResponse(body, headers=headers)


@router.get(
    "/committee-pack",
    response_class=Response,
    summary="委員会資料（PDF） / Committee pack (PDF)",
    description="表紙・地域のネットワーク図・コミュニティの比較表・各コミュニティの概要を1つのPDFに。"
    " / Cover, regional network map, comparison table and every community's profile, in one PDF.",
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}, **_PROBLEMS},
)
def committee_pack(
    graph: Graph,
    cache: Cache,
    who: CurrentPrincipal,
    region: Annotated[
        str, Query(max_length=50, description="地域（mic-kinki, meti-kinki, 近畿） / Region", examples=["mic-kinki"])
    ],
    as_of: AsOf = None,
    since: Since = None,
    hide_names: HideNames = False,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1, description="図の配置の乱数シード / Map layout seed")] = 0,
) -> Response:
    try:
        found = geography.region(region)
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": "region", "reason": str(error)}]) from None
    try:
        body = drawn(  # names hidden already when asked (and for a viewer)
            graph,
            cache,
            who,
            hide_names,
            ("committee-pack", found.code, as_of, since, seed),
            lambda seen: committee_pack_pdf(seen, found.code, as_of=as_of, since=since, seed=seed),
        )
    except ValueError as error:
        raise _date_problem(error, since) from None
    headers = _headers(
        disposition("attachment", f"secgraph-committee-pack-{found.code}.pdf", f"委員会資料_{found.name}.pdf")
    )
    return Response(body, media_type="application/pdf", headers=headers)
