"""メモ / Notes: planners' and secretariats' working notes about a record. Viewers see none."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import NoteInput
from secgraph.model.records import Note

router = APIRouter(prefix="/notes", tags=["notes"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec("Note", "/notes", Note, NoteInput, "メモ", "notes", filters={"about": "", "q": ""}),
)
