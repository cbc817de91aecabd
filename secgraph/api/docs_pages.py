"""The API documentation pages, /docs (Swagger UI) and /redoc, working on a network with no internet.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on a closed office network they stay
blank. Here their scripts, styles and icon are the copies the fastapi-offline package ships (Swagger
UI 5, ReDoc 2), served from this process under ``ASSETS_URL`` — the pages of FastAPI's "Self-hosting
JavaScript and CSS for docs". ReDoc still draws a "Redocly" logo from its makers' CDN; the pages'
Content-Security-Policy lets them load nothing but from this server, so the browser never asks (and
ReDoc hides the logo it could not load).
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

#: Where Swagger UI's and ReDoc's files are served from.
ASSETS_URL = "/docs-assets"
#: Swagger UI's page starts itself with an inline script and both draw with inline styles; ReDoc's
#: search runs in a worker made from a blob.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def _assets() -> str:
    return str(files("fastapi_offline") / "static")


def install_docs_pages(app: FastAPI) -> None:
    """/docs, /redoc and their files on ``app`` (made with ``docs_url=None, redoc_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=_assets()), name="docs-assets")

    def _page(page: HTMLResponse) -> HTMLResponse:
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return page

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - Swagger UI",
                oauth2_redirect_url=None,  # keys are pasted into Authorize; there is no OAuth2 flow
                swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _page(
            get_redoc_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
