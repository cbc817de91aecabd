"""イベントシリーズ / Event series."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import EventSeriesInput
from secgraph.model.records import EventSeries

router = APIRouter(prefix="/event-series", tags=["events"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "EventSeries",
        "/event-series",
        EventSeries,
        EventSeriesInput,
        "シリーズ",
        "event series",
        filters={"q": "", "community": ""},
        organiser=True,
    ),
)
