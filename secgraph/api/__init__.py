"""The HTTP service (FastAPI). ``create_app`` builds it; ``secgraph serve`` runs it."""

from secgraph.api.app import create_app
from secgraph.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
