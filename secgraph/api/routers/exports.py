"""データ出力 / Data exports: analysis tables as CSV/XLSX, the graph as GraphML/GEXF/JSON."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES

router = APIRouter(prefix="/exports", tags=["exports"], responses=ERROR_RESPONSES)
