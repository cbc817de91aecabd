"""グラフ / Charts: sector composition, stage over fiscal years, membership and attendance, coverage map."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES

router = APIRouter(prefix="/charts", tags=["charts"], responses=ERROR_RESPONSES)
