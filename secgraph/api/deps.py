"""What routes ask FastAPI for: the caller (from the API key, or for a read from the web pages' session
cookie), the services, and page parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from secgraph.access import FailureLimiter, Principal
from secgraph.access.sessions import SessionStore
from secgraph.api.imports import ImportService
from secgraph.api.key_checks import KeyChecks
from secgraph.api.problems import ProblemError
from secgraph.api.services import GraphService

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <key>`: `secgraph keys create` で作ったキー / key from `secgraph keys create`",
)
_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="`X-API-Key: <key>` — Bearerと同じキー / the same key as for Bearer",
)


#: The cookie a browser session travels in (``access.sessions``; set by the sign-in page).
SESSION_COOKIE = "secgraph_session"
#: Methods a session cookie is accepted for on the API's own routes. A write through the API needs
#: the key in a header, which a page of another site cannot make a browser send; the web pages'
#: forms write through their own routes, each checking the session's CSRF token.
SESSION_METHODS = frozenset({"GET", "HEAD"})


# Dependencies that only read what is in memory are ``async def``: FastAPI runs a plain ``def``
# dependency on the thread pool, and under many clients each such hop cost about as much as sending a
# cached answer.


async def graph_service(request: Request) -> GraphService:
    return request.app.state.graph


async def import_service(request: Request) -> ImportService:
    return request.app.state.imports


def _client_address(request: Request) -> str:
    # The socket's peer, or what a proxy named in ``secgraph serve --forwarded-allow-ips`` says the
    # client was: uvicorn rewrites the peer only for those, so a client cannot pick its own bucket.
    return request.client.host if request.client else "unknown"


async def current_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header_key: Annotated[str | None, Security(_header)],
) -> Principal:
    """The holder of the presented key (or, for a read, of the browser session the cookie names).
    401 without a valid key; 429 for a wrong key from an address
    that failed too often. A valid key is served whatever its address did: behind NAT or a proxy many
    people share one, and one of them guessing must not lock the others out."""
    token = bearer.credentials if bearer is not None else header_key
    challenge = {"WWW-Authenticate": 'Bearer realm="secgraph"'}
    if not token and request.method in SESSION_METHODS and request.cookies.get(SESSION_COOKIE):
        # the web pages' session: their links (the map, the downloads) read with it
        sessions: SessionStore = request.app.state.sessions
        signed_in = await run_in_threadpool(sessions.principal, request.cookies.get(SESSION_COOKIE))
        if signed_in is not None:
            return signed_in
    if not token:
        raise ProblemError(
            401,
            "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>' "
            "/ APIキーを Authorization: Bearer <key> または X-API-Key で送ってください",
            headers=challenge,
        )
    checks: KeyChecks = request.app.state.key_checks
    token = token.strip()
    # A key verified lately and unchanged since is answered here on the event loop; any other goes to
    # a worker thread, since checking it reads the key file (and compares in constant time).
    principal = checks.remembered(token) or await run_in_threadpool(checks.verify, token)
    if principal is not None:
        return principal
    limiter: FailureLimiter = request.app.state.limiter
    address = _client_address(request)
    wait = limiter.retry_after(address)
    limiter.failed(address)
    if wait is not None:
        raise ProblemError(
            429,
            f"too many failed key attempts from this address; try again in {wait} s "
            f"/ 失敗が多すぎます。{wait}秒後に再試行してください",
            headers={"Retry-After": str(wait)},
        )
    raise ProblemError(401, "unknown or revoked API key / APIキーが無効か失効しています", headers=challenge)


@dataclass(frozen=True)
class PageParams:
    offset: int
    limit: int


async def page_params(
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="飛ばす件数 / Items to skip", examples=[0])] = 0,
    limit: Annotated[
        int, Query(ge=1, le=500, description="1ページの件数（最大500） / Page size (at most 500)", examples=[50])
    ] = 50,
) -> PageParams:
    return PageParams(offset, limit)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Graph = Annotated[GraphService, Depends(graph_service)]
Imports = Annotated[ImportService, Depends(import_service)]
Paging = Annotated[PageParams, Depends(page_params)]
