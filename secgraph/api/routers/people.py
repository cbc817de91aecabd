"""人物 / People. Viewers see each person as a pseudonymous id with role and affiliation only."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import PersonInput
from secgraph.model.records import Person

router = APIRouter(prefix="/people", tags=["people"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "Person",
        "/people",
        Person,
        PersonInput,
        "人物",
        "people",
        filters={
            "q": "",
            "sector": "of an organisation the person works at",
            "prefecture": "of an organisation the person works at",
            "region": "of an organisation the person works at",
            "community": "",
        },
    ),
)
