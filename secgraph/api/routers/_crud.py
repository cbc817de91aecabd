"""The routes of one kind of record: list (with its filters), get, create, replace, delete.

No ``from __future__ import annotations`` here: FastAPI reads models and dependencies from each
route function's annotations, and these functions are made per kind inside ``add_record_routes``.
"""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from pydantic import BaseModel, ValidationError

from secgraph.api.deps import CurrentPrincipal, Graph, Paging
from secgraph.api.problems import ProblemError
from secgraph.api.queries import NodeFilters
from secgraph.api.routers._params import as_page, filters
from secgraph.api.schemas import EXAMPLES, PageOf
from secgraph.api.services import new_id
from secgraph.model.records import Node


@dataclass(frozen=True)
class RecordSpec:
    kind: str  # the model's kind, e.g. "Organisation"
    path: str  # the collection's path, e.g. "/organisations"
    record: type[Node]
    body: type[BaseModel]
    ja: str  # what one record is called in Japanese
    en: str  # … and a list of them in English
    #: filter name -> what it looks at for this kind (see _params.FILTERS)
    filters: dict[str, str] = field(default_factory=dict)
    replaceable: bool = True  # a headcount's id is its content: it is deleted and made again instead
    organiser: bool = False  # create takes ?organised_by= (events and series)


ASSIGNED_ID_NOTE = (
    "事務局のキーはIDを指定できず、自動で付与されます（秘匿の記録の有無が分からないように） / A secretariat's key "
    "sends no id: the service assigns one (so that no answer tells whether a confidential record holds an id)."
)

EXAMPLE_IDS = {
    "Organisation": "org-tokio-osaka",
    "Person": "per-yamada",
    "Community": "com-wakayama",
    "EventSeries": "ser-1",
    "Event": "ev-wakayama-2026-1",
    "Headcount": "hc:com-wakayama:members:sme:2026-01-15:-",
    "Note": "note-1",
}


def to_record(spec: RecordSpec, body: BaseModel, record_id: str | None) -> Node:
    """The stored record for a request body: its id from the path, the body, or a new one."""
    given = getattr(body, "id", None)
    if record_id is not None and given not in (None, record_id):
        raise ProblemError(
            422,
            f"the body's id '{given}' differs from the path's '{record_id}' / 本文とパスのIDが違います",
            [{"field": "id", "reason": "must match the path or be omitted / パスと同じにするか省略してください"}],
        )
    data = body.model_dump(exclude={"id"})
    if spec.kind != "Headcount":
        data["id"] = record_id or given or new_id(spec.kind)
    try:
        return spec.record.model_validate(data)
    except ValidationError as error:  # re-validation of an already valid body: only ids can fail
        raise ProblemError(422, str(error), [{"field": "id", "reason": str(error)}]) from None


async def _organised_by(
    organised_by: Annotated[
        str | None, Query(max_length=200, description="主催者のID / Id of the organiser", examples=["com-wakayama"])
    ] = None,
) -> str | None:
    return organised_by


async def _no_organiser() -> None:
    return None


def add_record_routes(router: APIRouter, spec: RecordSpec) -> None:
    kind, Record = spec.kind, spec.record
    RecordId = Annotated[str, Path(description=f"{spec.ja}のID / {kind} id", examples=[EXAMPLE_IDS[kind]])]
    RecordBody = Annotated[spec.body, Body(openapi_examples=EXAMPLES.get(kind, {}))]  # type: ignore[name-defined]
    Filters = Annotated[NodeFilters, Depends(filters(**spec.filters))]
    Organiser = Annotated[str | None, Depends(_organised_by if spec.organiser else _no_organiser)]

    @router.get(
        "",
        response_model=PageOf[Record],  # type: ignore[valid-type]
        response_model_exclude_none=True,
        summary=f"{spec.ja}の一覧・検索 / List or search {spec.en}",
        operation_id=f"list_{kind}",
    )
    def list_records(principal: CurrentPrincipal, service: Graph, paging: Paging, chosen: Filters) -> dict:
        return as_page(service.list_nodes(principal, (kind,), chosen, paging.offset, paging.limit))

    @router.get(
        "/{record_id}",
        response_model=Record,
        response_model_exclude_none=True,
        summary=f"{spec.ja}を1件 / One {kind}",
        operation_id=f"get_{kind}",
    )
    def get_one(record_id: RecordId, principal: CurrentPrincipal, service: Graph) -> Node:
        return service.get_node(principal, kind, record_id)

    organiser_note = (
        "`organised_by` に主催者（コミュニティ・団体）のIDを渡すと主催の関係も同時に作ります（事務局は自分の"
        "コミュニティを渡します） / `organised_by` also records who organises it (a secretariat passes its own "
        "community)."
    )

    @router.post(
        "",
        response_model=Record,
        response_model_exclude_none=True,
        status_code=201,
        summary=f"{spec.ja}を追加 / Create a {kind}",
        description=f"{organiser_note} {ASSIGNED_ID_NOTE}" if spec.organiser else ASSIGNED_ID_NOTE,
        operation_id=f"create_{kind}",
    )
    def create(
        response: Response, body: RecordBody, principal: CurrentPrincipal, service: Graph, organised_by: Organiser
    ) -> Node:
        chosen = spec.kind != "Headcount" and getattr(body, "id", None) is not None  # a count's id is made
        node = service.create_node(principal, to_record(spec, body, None), organised_by, id_chosen=chosen)
        response.headers["Location"] = f"{spec.path}/{node.id}"
        return node

    if spec.replaceable:

        @router.put(
            "/{record_id}",
            response_model=Record,
            response_model_exclude_none=True,
            summary=f"{spec.ja}を置き換え / Replace a {kind}",
            description="全項目を送ります（省略した項目は空になります） / Send every field: omitted ones become empty.",
            operation_id=f"replace_{kind}",
        )
        def replace(record_id: RecordId, body: RecordBody, principal: CurrentPrincipal, service: Graph) -> Node:
            return service.replace_node(principal, kind, record_id, to_record(spec, body, record_id))

    @router.delete(
        "/{record_id}",
        status_code=204,
        response_class=Response,
        summary=f"{spec.ja}を削除 / Delete a {kind}",
        description="その記録に付いた関係も消えます。人数・メモ・子組織から参照されていれば 409 "
        "/ Its relationships go with it; 409 while headcounts, notes or sub-units still refer to it.",
        operation_id=f"delete_{kind}",
    )
    def delete(record_id: RecordId, principal: CurrentPrincipal, service: Graph) -> Response:
        service.delete_node(principal, kind, record_id)
        return Response(status_code=204)
