"""The web pages: planners, secretariats and committee members use secgraph with a browser only.

Server-rendered (Jinja2), no script: sign in with an API key at ``/`` (exchanged for a session
cookie, ``access.sessions``), then the region dashboard, community pages, the partner finder, the
embedded map, data in and the downloads. The routes here translate HTTP only; what a page shows
comes from ``pages`` (the services and the analysis registry), and every write from the service
layer under the access policy. Pages are in Japanese with English beside it, and nothing is fetched
from anywhere but this service.
"""

from secgraph.api.web.routes import install_web

__all__ = ["install_web"]
