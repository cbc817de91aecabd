"""The HTTP service. This first version serves the store's health and contents; the analyses and
views arrive with their issues. Routers stay thin: the logic lives in the packages below."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from secgraph.store import GraphStore, StoreSettings, StoreUnavailable, open_store


class Health(BaseModel):
    status: str = Field(description="ok / unavailable（ストアに接続できない）", examples=["ok"])
    store: str = Field(description="使用中のストア / Store in use", examples=["embedded var/secgraph.db"])
    reachable: bool = Field(description="ストアに到達できるか / Whether the store answers")
    revision: int | None = Field(default=None, description="書き込み回数 / Write counter")


class NodeOut(BaseModel):
    id: str = Field(description="識別子 / Id")
    kind: str = Field(description="種類 / Kind", examples=["Organisation"])
    name: str = Field(description="名称 / Name or title")
    properties: dict = Field(description="全項目 / All fields")


class Page(BaseModel):
    total: int = Field(description="総件数 / Total")
    offset: int
    limit: int
    items: list[NodeOut]


def create_app(settings: StoreSettings | None = None) -> FastAPI:
    settings = settings or StoreSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        yield
        app.state.store.close()

    app = FastAPI(
        title="secgraph API",
        description="地域SECUNITYのステークホルダーネットワーク / 地域SECUNITY stakeholder networks",
        version="0.1.0",
        lifespan=lifespan,
    )

    @app.exception_handler(StoreUnavailable)
    async def unavailable(request: Request, error: StoreUnavailable) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            media_type="application/problem+json",
            content={
                "type": "about:blank",
                "title": "ストアに接続できません / Store unavailable",
                "status": 503,
                "detail": str(error),
            },
        )

    def store(request: Request) -> GraphStore:
        return request.app.state.store

    @app.get("/health", response_model=Health, summary="稼働状況 / Health")
    def health(request: Request) -> Health:
        try:
            revision = store(request).revision()
        except StoreUnavailable:
            return Health(status="unavailable", store=settings.describe(), reachable=False)
        return Health(status="ok", store=settings.describe(), reachable=True, revision=revision)

    @app.get("/nodes", response_model=Page, summary="ノード一覧 / List nodes")
    def list_nodes(
        request: Request,
        kind: str | None = Query(default=None, description="種類 / Kind", examples=["Community"]),
        offset: int = Query(default=0, ge=0),
        limit: int = Query(default=50, ge=1, le=500),
    ) -> Page:
        nodes = store(request).nodes(kind)
        items = [
            NodeOut(id=n.id, kind=n.kind, name=n.display_name(), properties=n.properties())
            for n in nodes[offset : offset + limit]
        ]
        return Page(total=len(nodes), offset=offset, limit=limit, items=items)

    return app
