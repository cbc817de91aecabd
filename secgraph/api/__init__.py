"""The HTTP service (FastAPI). ``create_app`` builds it; ``secgraph serve`` runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from secgraph.api.app import create_app
    from secgraph.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    # Loaded when asked for (PEP 562): the command line reads the graph service
    # (``secgraph.api.services``) without loading the app, its routers and their renderers.
    if name == "create_app":
        from secgraph.api.app import create_app

        return create_app
    if name == "ApiSettings":
        from secgraph.api.settings import ApiSettings

        return ApiSettings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
