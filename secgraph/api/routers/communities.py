"""コミュニティ / Communities."""

from __future__ import annotations

from fastapi import APIRouter

from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers._crud import RecordSpec, add_record_routes
from secgraph.api.schemas import CommunityInput
from secgraph.model.records import Community

router = APIRouter(prefix="/communities", tags=["communities"], responses=ERROR_RESPONSES)

add_record_routes(
    router,
    RecordSpec(
        "Community",
        "/communities",
        Community,
        CommunityInput,
        "コミュニティ",
        "communities",
        filters={
            "q": "",
            "sector": "of a member or secretariat organisation",
            "prefecture": "one of the prefectures it covers",
            "region": "its region, or a prefecture it covers in that region",
            "community": "",
        },
    ),
)
