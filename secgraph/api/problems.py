"""Errors as problem details (RFC 9457, ``application/problem+json``).

Every error the service gives has ``type``, ``title``, ``status``, ``detail`` and ``instance``, and
where there is more than one reason, ``errors``: one entry per field or row, naming it and why.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from secgraph.model.names import printable
from secgraph.store import ChangeRefused, StorageFull, StoreError, StoreUnavailable

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("secgraph.api")

#: status -> (type slug, title)
_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "不正な要求 / Bad request"),
    401: ("unauthenticated", "APIキーが必要です / API key required"),
    403: ("forbidden", "権限がありません / Not allowed for this key"),
    404: ("not-found", "見つかりません / Not found"),
    405: ("method-not-allowed", "この操作はできません / Method not allowed"),
    409: ("conflict", "変更は拒否されました / Change refused"),
    413: ("too-large", "要求が大きすぎます / Request too large"),
    415: ("unsupported-media-type", "この形式は受け付けません / Unsupported media type"),
    422: ("invalid", "入力に誤りがあります / Invalid input"),
    429: ("too-many-attempts", "失敗が多すぎます / Too many failed attempts"),
    500: ("internal", "内部エラー / Internal error"),
    503: ("store-unavailable", "ストアに接続できません / Store unavailable"),
}


class ProblemItem(BaseModel):
    """One reason: which field (or file, row and column, or record) and why."""

    model_config = ConfigDict(extra="allow")

    field: str | None = Field(default=None, description="項目 / Field", examples=["sector"])
    file: str | None = Field(default=None, description="ファイル / File", examples=["organisations.csv"])
    row: int | None = Field(default=None, description="行（見出し=1） / Row (header = 1)", examples=[3])
    column: str | None = Field(default=None, description="列 / Column", examples=["prefecture"])
    record: str | None = Field(default=None, description="記録のID / Record id", examples=["org-1"])
    reason: str = Field(description="理由 / Reason", examples=["unknown Sector 'x' / 不明な値です"])


class ProblemOut(BaseModel):
    """Problem details (RFC 9457)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="問題の種類（URI） / Problem type URI", examples=["urn:secgraph:problem:not-found"])
    title: str = Field(description="要約 / Summary", examples=["見つかりません / Not found"])
    status: int = Field(description="HTTPステータス / HTTP status", examples=[404])
    detail: str = Field(description="説明 / Explanation", examples=["no Organisation 'x' / 団体「x」はありません"])
    instance: str = Field(description="要求のパス / Request path", examples=["/organisations/x"])
    errors: list[ProblemItem] = Field(default_factory=list, description="理由の一覧 / Reasons, one per field or row")


class ProblemError(Exception):
    """Raised anywhere below a route to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra


def _shown(value: Any) -> Any:
    # A reason may quote what the client sent; a lone surrogate in it could not be encoded as the
    # answer's UTF-8 and would turn a 422 into a 500.
    return printable(value) if isinstance(value, str) else value


def not_found(what: str, record_id: str) -> ProblemError:
    """A record the route itself looked for and did not find, as 404."""
    return ProblemError(404, f"no {what} '{record_id}' / {what}「{record_id}」はありません")


def not_found_from(error: KeyError) -> ProblemError:
    """A lookup below a route that found nothing (an unknown community, chart …) as 404, its message
    (which names what was looked for) as the detail."""
    return ProblemError(404, str(error.args[0]) if error.args else "not found / 見つかりません")


def problem_body(status: int, detail: str, instance: str, errors: list[dict[str, Any]] | None = None) -> dict:
    slug, title = _KINDS.get(status, ("error", "エラー / Error"))
    return {
        "type": f"urn:secgraph:problem:{slug}",
        "title": title,
        "status": status,
        "detail": printable(detail),
        "instance": printable(instance),
        "errors": [{k: _shown(v) for k, v in e.items() if v is not None} for e in errors or []],
    }


def problem_response(
    status: int,
    detail: str,
    instance: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_body(status, detail, instance, errors) | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_items(error: RequestValidationError | ValidationError, whole: str = "") -> list[dict[str, Any]]:
    """One item per error, naming its field; ``whole`` names a rule over several fields (no location)."""
    items = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = location[1:] if location and location[0] in ("body", "query", "path", "header") else location
        reason = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        items.append({"field": ".".join(where) or (location[0] if location else whole), "reason": reason})
    return items


def invalid_parameters(error: ValidationError, whole: str = "parameters") -> ProblemError:
    """Parameters their model refused, as 422 naming each field and why (``whole``: a rule over several)."""
    items = _validation_items(error, whole)
    return ProblemError(422, "; ".join(f"{i['field']}: {i['reason']}" for i in items[:5]), items)


@cache
def unavailable_errors() -> tuple[type[BaseException], ...]:
    """The errors that mean the store cannot be reached now (503): the store's own and the Neo4j
    driver's. The driver is imported here, when the service installs its handlers, so that the
    command line, which reads this module for ``ProblemError``, does not load it on the embedded store."""
    from neo4j.exceptions import DriverError, ServiceUnavailable, SessionExpired, TransientError

    return (StoreUnavailable, ServiceUnavailable, SessionExpired, TransientError, DriverError)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(
            error.status, error.detail, request.url.path, error.errors, error.headers, **error.extra
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        items = _validation_items(error)
        detail = "; ".join(f"{i['field']}: {i['reason']}" for i in items[:5])
        return problem_response(422, detail or "invalid input / 入力に誤りがあります", request.url.path, items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8, broken multipart): invalid
            # input like any other, so 422 with the body named as the field.
            reason = "the body could not be read (JSON in UTF-8, or a multipart form) / 本文を読めません"
            return problem_response(422, reason, request.url.path, [{"field": "body", "reason": reason}])
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        return problem_response(error.status_code, detail, request.url.path, headers=getattr(error, "headers", None))

    @app.exception_handler(ChangeRefused)
    async def _refused(request: Request, error: ChangeRefused) -> JSONResponse:
        items = [{"record": p.record, "field": p.field, "reason": p.reason} for p in error.problems]
        detail = "the store refused the change; nothing was written / 変更は拒否され、何も書き込まれていません"
        return problem_response(409, detail, request.url.path, items)

    async def _unavailable(request: Request, error: Exception) -> JSONResponse:
        # The driver reconnects by itself and a closed embedded store is reopened on the next
        # request, so this is temporary: say so, and when to try again.
        log.warning("store unavailable on %s: %s", request.url.path, type(error).__name__)
        detail = (
            "the graph store cannot be reached or cannot write right now; nothing was changed. Try again shortly "
            "/ グラフストアに接続できないか書き込めません。何も変更されていません。しばらくして再試行してください"
        )
        return problem_response(503, detail, request.url.path, headers={"Retry-After": "5"})

    for error_type in (*unavailable_errors(), StoreError):
        app.add_exception_handler(error_type, _unavailable)  # type: ignore[arg-type]

    @app.exception_handler(StorageFull)
    async def _full(request: Request, error: StorageFull) -> JSONResponse:
        # not temporary like 503: someone has to free the disk or fix the folder's permissions
        log.error("store cannot write on %s: %s", request.url.path, error)
        return problem_response(507, str(error), request.url.path)

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem_response(500, "unexpected error / 予期しないエラー", request.url.path)
