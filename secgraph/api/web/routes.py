"""The web pages' routes: HTTP in, a rendered page (or a redirect) out."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from secgraph.access import FailureLimiter
from secgraph.api.deps import SESSION_COOKIE
from secgraph.api.imports import ImportService, new_upload_folder, safe_upload_name, save_upload, unpack_zip
from secgraph.api.problems import ProblemError
from secgraph.api.web import pages
from secgraph.api.web.session import (
    CSRF_FIELD,
    SignedIn,
    SignInNeeded,
    WebUser,
    check_form,
    clear_session_cookie,
    same_origin,
    sessions_of,
    set_session_cookie,
)
from secgraph.model.vocabulary import SECTORS
from secgraph.viz.fonts import FontMissing, cjk_font_path

router = APIRouter(include_in_schema=False)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "web"
STATIC = Path(__file__).resolve().parents[1] / "static"
#: The pages' policy: everything from this service, no script at all, framed only by itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)
#: Where each page sits in the navigation: path, Japanese, English.
NAVIGATION = (
    ("/web/dashboard", "地域ダッシュボード", "Region dashboard"),
    ("/web/partners", "連携先を探す", "Partner finder"),
    ("/web/map", "ネットワーク図", "Network map"),
    ("/web/data", "データ読み込み", "Data in"),
    ("/web/exports", "資料・データ出力", "Exports"),
)
FONT_MEDIA_TYPES = {".ttc": "font/collection", ".otf": "font/otf", ".ttf": "font/ttf"}


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "×"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}"
    return str(value)


def _sector(code: str | None) -> str:
    for sector, info in SECTORS.items():
        if str(sector) == code:
            return f"{info.label.ja} / {info.label.en}"
    return code or "–"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _number
    env.filters["sector"] = _sector
    env.globals["navigation"] = NAVIGATION
    return env


def render(request: Request, template: str, user: WebUser | None, status: int = 200, **values: Any) -> HTMLResponse:
    body = (
        environment().get_template(template).render(user=user, path=request.url.path, csrf_field=CSRF_FIELD, **values)
    )
    return HTMLResponse(body, status_code=status, headers=_headers())


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",  # personal data: not for shared caches, nor the back button after sign-out
    }


def problem_page(request: Request, user: WebUser | None, error: ProblemError) -> HTMLResponse:
    return render(request, "problem.html", user, status=error.status, problem=error)


def guarded(request: Request, user: WebUser, build: Callable[[], HTMLResponse | Response]) -> HTMLResponse | Response:
    """``build()``'s page, or the problem it raised as a page with its status."""
    try:
        return build()
    except ProblemError as error:
        return problem_page(request, user, error)


def context(request: Request, user: WebUser) -> pages.WebContext:
    return pages.WebContext(request.app.state.graph, request.app.state.analyses, user.principal)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=_headers())


# -- sign in and out ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and await run_in_threadpool(sessions_of(request).principal, session_id) is not None:
        return _see_other("/web/dashboard")
    signed_out = request.query_params.get("signed_out") is not None
    return render(request, "sign_in.html", None, signed_out=signed_out, failure=None)


@router.post("/", response_class=HTMLResponse)
async def sign_in(request: Request, key: Annotated[str, Form(max_length=500)] = "") -> Response:
    if not same_origin(request):
        error = ProblemError(403, "this form was sent from another site / 他のサイトから送られたフォームです")
        return problem_page(request, None, error)
    limiter: FailureLimiter = request.app.state.limiter
    address = request.client.host if request.client else "unknown"
    sessions = sessions_of(request)
    opened = await run_in_threadpool(sessions.open, key.strip()) if key.strip() else None
    if opened is None:
        wait = limiter.retry_after(address)
        limiter.failed(address)
        failure = (
            f"失敗が多すぎます。{wait}秒後に再試行してください / Too many failed attempts; try again in {wait} s"
            if wait is not None
            else "APIキーが無効か失効しています / Unknown or revoked API key"
        )
        return render(request, "sign_in.html", None, status=429 if wait else 401, signed_out=False, failure=failure)
    sessions.close(request.cookies.get(SESSION_COOKIE))  # a new id on every sign-in: none is carried over
    session_id, _principal = opened
    response = _see_other("/web/dashboard")
    set_session_cookie(request, response, session_id, sessions.limits.absolute_s)
    return response


@router.post("/web/sign-out")
async def sign_out(request: Request, user: SignedIn, csrf: Annotated[str, Form()] = "") -> Response:
    try:
        check_form(request, user, csrf)
    except ProblemError as error:
        return problem_page(request, user, error)
    await run_in_threadpool(sessions_of(request).close, user.session_id)
    response = _see_other("/?signed_out")
    clear_session_cookie(request, response)
    return response


# -- pages -------------------------------------------------------------------------------------------


@router.get("/web/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: SignedIn, area: Annotated[str, Query(max_length=50)] = "") -> Response:
    def build() -> HTMLResponse:
        ctx = context(request, user)
        choices = pages.area_choices()
        if not area:
            return render(request, "national.html", user, choices=choices, chosen="", **pages.national_dashboard(ctx))
        chosen = pages.area_named(area)
        board = pages.region_dashboard(ctx, chosen)
        return render(request, "dashboard.html", user, choices=choices, chosen=chosen.code, **board)

    return guarded(request, user, build)


@router.get("/web/communities/{community_id}", response_class=HTMLResponse)
def community(
    request: Request,
    user: SignedIn,
    community_id: str,
    since: Annotated[dt.date | None, Query()] = None,
) -> Response:
    def build() -> HTMLResponse:
        page = pages.community_page(context(request, user), community_id, since)
        profile_query = urlencode({"format": "html", **({"since": since.isoformat()} if since else {})})
        return render(request, "community.html", user, profile_query=profile_query, **page)

    return guarded(request, user, build)


@router.get("/web/partners", response_class=HTMLResponse)
def partners(
    request: Request,
    user: SignedIn,
    community: Annotated[str, Query(max_length=200)] = "",
    need: Annotated[str, Query(max_length=200)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    def build() -> HTMLResponse:
        ctx = context(request, user)
        chosen = community or user.principal.community_id or ""
        page = pages.partner_page(ctx, chosen or None, need or None)
        return render(
            request,
            "partners.html",
            user,
            communities=pages.communities(ctx),
            needs=pages.need_choices(),
            done=done,
            **page,
        )

    return guarded(request, user, build)


@router.post("/web/partners", response_class=HTMLResponse)
def add_partner(
    request: Request,
    user: SignedIn,
    community: Annotated[str, Form(max_length=200)],
    organisation: Annotated[str, Form(max_length=200)],
    action: Annotated[str, Form(max_length=20)],
    need: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    def build() -> Response:
        check_form(request, user, csrf)
        pages.add_partner(context(request, user), action, community, organisation)
        return _see_other("/web/partners?" + urlencode({"community": community, "need": need, "done": action}))

    return guarded(request, user, build)


@router.get("/web/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    user: SignedIn,
    community: Annotated[str, Query(max_length=200)] = "",
    area: Annotated[str, Query(max_length=50)] = "",
) -> Response:
    def build() -> HTMLResponse:
        ctx = context(request, user)
        scope, _ = pages.chosen_scope(ctx, community, area)
        return render(
            request,
            "map.html",
            user,
            choices=pages.area_choices(),
            communities=pages.communities(ctx),
            chosen=area,
            community_id=community,
            map_url="/views/network?" + urlencode(scope),
        )

    return guarded(request, user, build)


@router.get("/web/exports", response_class=HTMLResponse)
def exports(
    request: Request,
    user: SignedIn,
    community: Annotated[str, Query(max_length=200)] = "",
    area: Annotated[str, Query(max_length=50)] = "",
) -> Response:
    def build() -> HTMLResponse:
        ctx = context(request, user)
        scope, region = pages.chosen_scope(ctx, community, area)
        return render(
            request,
            "exports.html",
            user,
            choices=pages.area_choices(),
            communities=pages.communities(ctx),
            chosen=area,
            community_id=community,
            links=pages.export_links(scope, region, community or None),
        )

    return guarded(request, user, build)


# -- data in -----------------------------------------------------------------------------------------


@router.get("/web/data", response_class=HTMLResponse)
def data_page(request: Request, user: SignedIn) -> Response:
    return render(request, "data.html", user, may_import=_may_import(user), outcome=None, problem=None, file=None)


def _may_import(user: WebUser) -> bool:
    try:
        ImportService.check_role(user.principal)
    except ProblemError:
        return False
    return True


@router.post("/web/data", response_class=HTMLResponse)
def data_in(
    request: Request,
    user: SignedIn,
    file: UploadFile,
    action: Annotated[str, Form(max_length=10)] = "check",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Check (``action=check``) or load (``load``: checked again, then written all or nothing)."""
    imports: ImportService = request.app.state.imports
    settings = request.app.state.settings
    shown = None
    try:
        check_form(request, user, csrf)
        imports.check_role(user.principal)
        shown = safe_upload_name(file.filename)
        folder = new_upload_folder()
        try:
            saved = save_upload(file.file, folder, shown, settings.max_import_bytes)
            data = unpack_zip(saved, folder, settings.max_unpacked_bytes) if shown.lower().endswith(".zip") else saved
            outcome = imports.run(user.principal, data, shown, action != "load", phase=lambda _: None)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    except ProblemError as error:
        status = error.status
        return render(request, "data.html", user, status=status, may_import=_may_import(user), outcome=None,
                      problem=error, file=shown)  # fmt: skip
    # A file whose rows were refused is this page's answer, not a failed request: 200 with the table
    # (a refusal of the request itself — role, CSRF, size, kind of file — keeps its status above).
    return render(
        request,
        "data.html",
        user,
        status=200 if outcome.status == 422 else outcome.status,
        may_import=True,
        outcome=outcome,
        report=outcome.report,
        problem=outcome.problem,
        file=shown,
        action=action,
    )


# -- what the pages load -----------------------------------------------------------------------------


@router.get("/web/static/web.css")
def stylesheet() -> Response:
    return FileResponse(STATIC / "web.css", media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/web/static/font")
def font() -> Response:
    """The Japanese font the pages fall back to where the office PC has none (never a font site)."""
    try:
        path = cjk_font_path()
    except FontMissing as error:
        return Response(str(error), status_code=404, media_type="text/plain")
    media = FONT_MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media, headers={"Cache-Control": "max-age=86400"})


def install_web(app: FastAPI) -> None:
    """The pages, and the answer to a page asked for without a live session: the sign-in page."""

    async def _sign_in_needed(request: Request, _error: Exception) -> Response:
        response = RedirectResponse("/", status_code=303)
        if request.cookies.get(SESSION_COOKIE):
            clear_session_cookie(request, response)
        return response

    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.include_router(router)
