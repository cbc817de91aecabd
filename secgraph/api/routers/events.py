"""イベント / Events."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import EventInput
from secgraph.model.records import Event

router = APIRouter(prefix="/events", tags=["events"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "Event",
        "/events",
        Event,
        EventInput,
        "イベント",
        "events",
        filters={
            "q": "",
            "event_type": "",
            "prefecture": "where it is held",
            "region": "where it is held",
            "community": "",
        },
        organiser=True,
    ),
)
