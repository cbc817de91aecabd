"""人数 / Headcounts: membership or attendance known only as a number (「企業14社」)."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import HeadcountInput
from secgraph.model.records import Headcount

router = APIRouter(prefix="/headcounts", tags=["headcounts"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "Headcount",
        "/headcounts",
        Headcount,
        HeadcountInput,
        "人数",
        "headcounts",
        filters={"subject": ""},
        replaceable=False,
    ),
)
