"""稼働状況・自分のキー・語彙 / Health, the caller's key, and the vocabularies."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from secgraph.access import ROLE_LABELS, Visibility
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import unavailable_errors
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.schemas import Health, Me, Term, Vocabularies
from secgraph.model import geography
from secgraph.model.vocabulary import EVENT_TYPES, REL_TYPES, SECTORS, USER_REL_TYPES
from secgraph.store import StoreError

router = APIRouter(tags=["service"])


@router.get(
    "/health",
    response_model=Health,
    summary="稼働状況（キー不要） / Health (no key needed)",
    description="ストアに届けば 200、届かなければ 503（本文は同じ形） / 200 when the store answers, 503 (same body) "
    "when it does not.",
    responses={503: {"model": Health, "description": "ストアに接続できない / Store unreachable"}},
    operation_id="health",
)
def health(service: Graph) -> Health | JSONResponse:
    kind = service.holder.kind
    try:
        revision = service.ping()
    except (*unavailable_errors(), StoreError):
        body = Health(status="unavailable", store=kind, reachable=False)
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})
    return Health(status="ok", store=service.holder.kind, reachable=True, revision=revision)


@router.get(
    "/me",
    response_model=Me,
    summary="このキーの役割 / What this key may do",
    responses={k: v for k, v in ERROR_RESPONSES.items() if k in (401, 429)},
    operation_id="me",
)
def me(principal: CurrentPrincipal) -> Me:
    ja, en = ROLE_LABELS[principal.role]
    return Me(
        key_id=principal.key_id,
        name=principal.name,
        role=str(principal.role),
        role_ja=ja,
        role_en=en,
        community_id=principal.community_id,
        sees_confidential=principal.visibility == Visibility.FULL,
        sees_personal_names=principal.visibility != Visibility.ANONYMISED,
    )


@router.get(
    "/vocabularies",
    response_model=Vocabularies,
    response_model_exclude_none=True,
    summary="語彙（コードと日本語・英語名） / Vocabularies with Japanese and English labels",
    responses={k: v for k, v in ERROR_RESPONSES.items() if k in (401, 429)},
    operation_id="vocabularies",
)
def vocabularies(principal: CurrentPrincipal) -> Vocabularies:
    return Vocabularies(
        sectors=[Term(code=s, ja=i.label.ja, en=i.label.en, group=i.group) for s, i in SECTORS.items()],
        event_types=[Term(code=t, ja=label.ja, en=label.en) for t, label in EVENT_TYPES.items()],
        relationship_types=[Term(code=t, ja=REL_TYPES[t].ja, en=REL_TYPES[t].en) for t in USER_REL_TYPES],
        prefectures=[Term(code=p.code, ja=p.name, en=p.name_en) for p in geography.prefectures()],
        regions=[Term(code=r.code, ja=r.name, en=r.name_en, group=r.kind) for r in geography.regions()],
    )
