"""団体 / Organisations."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import OrganisationInput
from secgraph.model.records import Organisation

router = APIRouter(prefix="/organisations", tags=["organisations"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "Organisation",
        "/organisations",
        Organisation,
        OrganisationInput,
        "団体",
        "organisations",
        filters={
            "q": "",
            "sector": "the organisation's own",
            "prefecture": "where it is",
            "region": "its prefecture lies in the region",
            "community": "",
        },
    ),
)
