"""関係 / Relationships: who is a member, secretariat, organiser, speaker … of what, and when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from secgraph.api.deps import CurrentPrincipal, Graph, Paging
from secgraph.api.problems import ProblemError
from secgraph.api.queries import GraphView
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import ASSIGNED_ID_NOTE
from secgraph.api.routers._params import as_page
from secgraph.api.schemas import EXAMPLES, PageOf, RelationshipInput, RelationshipOut
from secgraph.model.records import Relationship
from secgraph.model.vocabulary import RelType, parse_term

router = APIRouter(prefix="/relationships", tags=["relationships"], responses=ERROR_RESPONSES)

RelId = Annotated[str, Path(description="関係のID / Relationship id", examples=["r-0123456789abcdef0123"])]
RelBody = Annotated[RelationshipInput, Body(openapi_examples=EXAMPLES["Relationship"])]  # type: ignore[arg-type]


def _out(view: GraphView, rel: Relationship) -> RelationshipOut:
    start, end = view.node(rel.from_id), view.node(rel.to_id)
    return RelationshipOut.model_validate(
        rel.model_dump()
        | {
            "from_kind": start.kind if start else None,
            "from_name": start.display_name() if start else None,
            "to_kind": end.kind if end else None,
            "to_name": end.display_name() if end else None,
        }
    )


def _plain(body: Relationship) -> Relationship:
    """The stored record for a request body (which is a subclass with the edge's guards)."""
    return Relationship.model_validate(body.model_dump())


def _with_id(rel: Relationship, rel_id: str) -> Relationship:
    rel = _plain(rel)
    if rel.id not in (rel_id, rel.derive_id()):
        raise ProblemError(
            422,
            f"the body's id '{rel.id}' differs from the path's '{rel_id}' / 本文とパスのIDが違います",
            [{"field": "id", "reason": "must match the path or be omitted / パスと同じにするか省略してください"}],
        )
    return rel.model_copy(update={"id": rel_id})


@router.get(
    "",
    response_model=PageOf[RelationshipOut],
    response_model_exclude_none=True,
    summary="関係の一覧 / List relationships",
    operation_id="list_Relationship",
)
def list_relationships(
    paging: Paging,
    principal: CurrentPrincipal,
    service: Graph,
    type: Annotated[
        str | None,
        Query(max_length=50, description="種類（コードまたは名前） / Type, code or label", examples=["MEMBER_OF"]),
    ] = None,
    node: Annotated[
        str | None,
        Query(max_length=200, description="この記録に接する関係 / Ties touching this record", examples=["com-1"]),
    ] = None,
    from_id: Annotated[
        str | None, Query(max_length=200, description="起点 / Start", examples=["org-tokio-osaka"])
    ] = None,
    to_id: Annotated[str | None, Query(max_length=200, description="終点 / End", examples=["com-wakayama"])] = None,
) -> dict[str, Any]:
    rel_type = None
    if type:
        try:
            rel_type = parse_term(RelType, type)
        except ValueError as error:
            raise ProblemError(422, str(error), [{"field": "type", "reason": str(error)}]) from None
    view, result = service.list_relationships(principal, paging.offset, paging.limit, rel_type, node, from_id, to_id)
    items = [_out(view, r) for r in result.items]
    return as_page(result, items)


@router.get(
    "/{rel_id}",
    response_model=RelationshipOut,
    response_model_exclude_none=True,
    summary="関係を1件 / One relationship",
    operation_id="get_Relationship",
)
def get_relationship(
    principal: CurrentPrincipal,
    service: Graph,
    rel_id: RelId,
) -> RelationshipOut:
    view, rel = service.get_relationship(principal, rel_id)
    return _out(view, rel)


@router.post(
    "",
    response_model=RelationshipOut,
    response_model_exclude_none=True,
    status_code=201,
    summary="関係を追加 / Create a relationship",
    description="IDを省略すると種類・両端・役割・開始日から作られます / Without an id, one is derived from "
    "type, ends, role and start. " + ASSIGNED_ID_NOTE,
    operation_id="create_Relationship",
)
def create_relationship(
    response: Response,
    principal: CurrentPrincipal,
    service: Graph,
    body: RelBody,
) -> RelationshipOut:
    rel = service.create_relationship(principal, _plain(body))
    response.headers["Location"] = f"/relationships/{rel.id}"
    return _out(service.view_for(principal), rel)


@router.put(
    "/{rel_id}",
    response_model=RelationshipOut,
    response_model_exclude_none=True,
    summary="関係を置き換え / Replace a relationship",
    operation_id="replace_Relationship",
)
def replace_relationship(
    principal: CurrentPrincipal,
    service: Graph,
    rel_id: RelId,
    body: RelBody,
) -> RelationshipOut:
    rel = service.replace_relationship(principal, rel_id, _with_id(body, rel_id))
    return _out(service.view_for(principal), rel)


@router.delete(
    "/{rel_id}",
    status_code=204,
    response_class=Response,
    summary="関係を削除 / Delete a relationship",
    operation_id="delete_Relationship",
)
def delete_relationship(
    principal: CurrentPrincipal,
    service: Graph,
    rel_id: RelId,
) -> Response:
    service.delete_relationship(principal, rel_id)
    return Response(status_code=204)
