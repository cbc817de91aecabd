"""The signed-in browser: its session cookie, its CSRF token, and the checks every form that writes
passes (``access.sessions`` keeps the sessions themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from secgraph.access import ROLE_LABELS, Principal, Role
from secgraph.access.sessions import SessionStore, csrf_matches, csrf_token
from secgraph.api.deps import SESSION_COOKIE
from secgraph.api.problems import ProblemError

#: The form field every form that writes carries.
CSRF_FIELD = "csrf"


class SignInNeeded(Exception):
    """A page was asked for without a live session: the browser is sent to the sign-in page."""


@dataclass(frozen=True)
class WebUser:
    """Whoever is signed in: the key's principal and the session (for the CSRF token)."""

    principal: Principal
    session_id: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)

    @property
    def role_label(self) -> tuple[str, str]:
        return ROLE_LABELS[self.principal.role]

    @property
    def shown_name(self) -> str | None:
        """The key's label as the header shows it; not for viewers, whose pages name no one."""
        return None if self.principal.role == Role.VIEWER else self.principal.name


def sessions_of(request: Request) -> SessionStore:
    return request.app.state.sessions


async def web_user(request: Request) -> WebUser:
    session_id = request.cookies.get(SESSION_COOKIE)
    principal = await run_in_threadpool(sessions_of(request).principal, session_id) if session_id else None
    if principal is None or session_id is None:
        raise SignInNeeded()
    return WebUser(principal, session_id)


SignedIn = Annotated[WebUser, Depends(web_user)]


def same_origin(request: Request) -> bool:
    """Whether a form was sent by a page of this service: ``Origin`` (sent by browsers with every
    POST), if present, names this host. A form posted from another site is refused before its token
    is even looked at."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def check_form(request: Request, user: WebUser, token: str | None) -> None:
    """403 unless the form came from this service's page with the session's CSRF token."""
    if not same_origin(request):
        raise ProblemError(
            403,
            "this form was sent from another site; nothing was written"
            " / 他のサイトから送られたフォームです（書き込みなし）",
            [{"field": "Origin", "reason": "not this service / このサービスではありません"}],
        )
    if not csrf_matches(user.session_id, token):
        raise ProblemError(
            403,
            "the form's CSRF token is missing or wrong: reload the page and try again; nothing was written"
            " / フォームの確認用トークンがないか誤っています。ページを再読み込みしてください（書き込みなし）",
            [{"field": CSRF_FIELD, "reason": "missing or wrong / ないか誤り"}],
        )


def set_session_cookie(request: Request, response: Response, session_id: str, max_age_s: float) -> None:
    """The cookie: not readable by scripts, never sent by another site's page, over HTTPS only
    when the service is reached over HTTPS (directly or, with ``--forwarded-allow-ips``, through a
    proxy that says so), and gone when the session's absolute limit passes."""
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(max_age_s),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
