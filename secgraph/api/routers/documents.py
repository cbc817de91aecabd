"""資料 / Documents: one-page community profiles (HTML, PDF) and the committee pack (PDF)."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)
