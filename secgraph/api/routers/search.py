"""横断検索 / Search across organisations, people, communities, series, events and notes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from secgraph.api.deps import CurrentPrincipal, Graph, Paging
from secgraph.api.problems import ProblemError
from secgraph.api.queries import SEARCHABLE_KINDS, NodeFilters
from secgraph.api.routers import ERROR_RESPONSES, _params
from secgraph.api.schemas import PageOf

router = APIRouter(tags=["search"], responses=ERROR_RESPONSES)
_KIND_HELP = "種類に絞る（複数可） / Only these kinds (repeatable): " + ", ".join(SEARCHABLE_KINDS)


class SearchHit(BaseModel):
    kind: str = Field(description="種類 / Kind", examples=["Organisation"])
    id: str = Field(description="識別子 / Id", examples=["org-tokio-osaka"])
    name: str = Field(description="名称 / Name or title", examples=["東京海上日動火災保険株式会社 大阪支店"])
    sector: str | None = Field(default=None, description="セクター / Sector", examples=["insurer"])
    prefecture: str | None = Field(default=None, description="都道府県 / Prefecture", examples=["27"])
    confidential: bool = Field(default=False, description="秘匿扱い / Confidential", examples=[False])


SearchFilters = Annotated[
    NodeFilters,
    Depends(
        _params.filters(
            q="",
            sector="organisations; people by employer; communities by members",
            prefecture="organisations, events, communities; people by employer",
            region="as prefecture, or a community's region",
            community="",
        )
    ),
]


@router.get(
    "/search",
    response_model=PageOf[SearchHit],
    response_model_exclude_none=True,
    summary="横断検索 / Search every kind of record",
    description="名前の完全一致・前方一致・部分一致の順、その中はID順 / Whole-name matches first, then "
    "name starts, then anywhere; each group by id. A filter that does not apply to a kind leaves that kind out.",
    operation_id="search",
)
def search(
    principal: CurrentPrincipal,
    service: Graph,
    paging: Paging,
    chosen: SearchFilters,
    kind: Annotated[list[str] | None, Query(description=_KIND_HELP, examples=[["Organisation"]])] = None,
) -> dict[str, Any]:
    kinds = tuple(kind) if kind else SEARCHABLE_KINDS
    unknown = sorted(set(kinds) - set(SEARCHABLE_KINDS))
    if unknown:
        reason = f"unknown kind {', '.join(unknown)}; use {', '.join(SEARCHABLE_KINDS)} / 不明な種類です"
        raise ProblemError(422, reason, [{"field": "kind", "reason": reason}])
    result = service.list_nodes(principal, kinds, chosen, paging.offset, paging.limit)
    items = [
        SearchHit(
            kind=n.kind,
            id=n.id,
            name=n.display_name(),
            sector=getattr(n, "sector", None),
            prefecture=getattr(n, "prefecture", None),
            confidential=n.confidential,
        )
        for n in result.items
    ]
    return _params.as_page(result, items)
