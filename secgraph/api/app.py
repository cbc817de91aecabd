"""The HTTP service: ``create_app`` builds it from settings. Routers stay thin (one module per
resource under ``routers/``); the logic lives in ``services``, ``imports`` and ``secgraph.access``."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from secgraph.access import FailureLimiter, KeyStore
from secgraph.access.sessions import SessionLimits, SessionStore
from secgraph.api.analysis_service import AnalysisCache
from secgraph.api.docs_pages import install_docs_pages
from secgraph.api.imports import ImportService
from secgraph.api.key_checks import KeyChecks
from secgraph.api.limits import BodyLimitMiddleware
from secgraph.api.problems import PROBLEM_JSON, install_handlers
from secgraph.api.routers import (
    analyses,
    charts,
    communities,
    documents,
    event_series,
    events,
    exports,
    headcounts,
    imports,
    meta,
    notes,
    organisations,
    people,
    relationships,
    search,
    views,
)
from secgraph.api.services import GraphService, StoreHolder
from secgraph.api.settings import ApiSettings
from secgraph.api.web import install_web
from secgraph.io.limits import ReadLimits
from secgraph.store import GraphStore, StoreSettings

VERSION = "0.1.0"

#: What an API key looks like (``sg_<id>_<secret>``), wherever someone might have pasted one.
_KEY_PATTERN = re.compile(r"sg_[0-9a-f]+_[A-Za-z0-9_-]+")
#: A run of the characters a key is written with, literally or as %XX escapes (any case, any mix):
#: each run is decoded before it is matched, so ``sg%5F…``, ``%73%67_…`` and ``sg%255F…`` (encoded
#: twice) are caught as well as ``sg_…``.
_KEY_LIKE_RUN = re.compile(r"[A-Za-z0-9_%-]+")
#: How many times a run is percent-decoded at most (a key encoded three times over is still found).
_DECODINGS = 4


def _holds_key(run: str) -> bool:
    for _ in range(_DECODINGS):
        if _KEY_PATTERN.search(run):
            return True
        decoded = unquote(run)
        if decoded == run:
            return False
        run = decoded
    return _KEY_PATTERN.search(run) is not None


def redact_keys(text: str) -> str:
    """``text`` with every run that is, or decodes to, something holding an API key replaced by
    ``sg_[redacted]``. The run goes whole, with whatever it decodes to: printing a decoded URL into
    the log would let %0A write lines of its own."""
    if "sg" not in text and "%" not in text:
        return text  # nothing that can be, or decode to, a key
    return _KEY_LIKE_RUN.sub(lambda run: "sg_[redacted]" if _holds_key(run.group()) else run.group(), text)


def _redacted(value: object) -> object:
    return redact_keys(value) if isinstance(value, str) else value


class RedactKeys(logging.Filter):
    """Keys never reach a log: the access log prints the path with its query string, and a key
    pasted into a URL by mistake, percent-encoded or not, would otherwise be written there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact_keys(record.msg)
        return True


def _redact_keys_in_logs() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "secgraph"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactKeys) for f in logger.filters):
            logger.addFilter(RedactKeys())


#: In the order a request's path is matched against them. A request walks the routers one after the
#: other (each takes microseconds to tens of them), so the analyses, the most asked-for answers that
#: are not records, come right after the service's own routes (/health, the baseline of the API's speed).
ROUTERS = (
    meta.router,
    analyses.router,
    search.router,
    organisations.router,
    people.router,
    communities.router,
    event_series.router,
    events.router,
    headcounts.router,
    notes.router,
    relationships.router,
    imports.router,
    views.router,
    charts.router,
    documents.router,
    exports.router,
)

TAGS: list[dict[str, str]] = [
    {"name": "service", "description": "稼働状況・キー・語彙 / Health, your key, vocabularies"},
    {"name": "search", "description": "名前・セクター・地域・コミュニティで横断検索 / Search across every kind"},
    {"name": "organisations", "description": "団体（企業・大学・警察・自治体…） / Organisations"},
    {"name": "people", "description": "人物（閲覧者には役割と所属だけ） / People (viewers: role and affiliation)"},
    {"name": "communities", "description": "コミュニティ（協議会・ネットワーク） / Communities"},
    {"name": "events", "description": "イベントとシリーズ / Events and event series"},
    {"name": "headcounts", "description": "人数だけ分かる構成員・参加者（企業14社） / Counts without names"},
    {"name": "notes", "description": "企画担当・事務局のメモ / Planners' and secretariats' notes"},
    {"name": "relationships", "description": "関係（構成員・事務局・主催・講演…） / Ties between records"},
    {"name": "imports", "description": "CSV・zip・Excelの一括読み込み（全部か無か） / Bulk import, all or nothing"},
    {"name": "analyses", "description": "分析（キーパーソン・空白地域・不足セクター・段階・健全性） / Analyses"},
    {"name": "views", "description": "ネットワーク図（HTML・PNG・SVG・PDF、オフラインで開ける） / Network maps"},
    {"name": "charts", "description": "グラフ（セクター構成・段階・参加者の推移・カバー地図） / Charts"},
    {"name": "documents", "description": "コミュニティ概要（1枚）・委員会資料（PDF） / Profiles and committee pack"},
    {"name": "exports", "description": "データ出力（CSV・XLSX・GraphML・GEXF・JSON） / Data exports"},
]

DESCRIPTION = """
地域SECUNITY（地域のサイバーセキュリティコミュニティ）の団体・人・コミュニティ・イベントとその関係を
読み書きします。 / Reads and writes the organisations, people, communities and events of Japan's regional
cybersecurity communities, and the ties between them.

**キー / Keys**: every route but `/health` needs `Authorization: Bearer <key>` (or `X-API-Key`). Press
*Authorize* and paste the key `secgraph serve` printed or `secgraph keys create` made.

| role | reads | writes |
|---|---|---|
| admin 管理者 | everything | everything |
| planner 企画担当 | everything, confidential included | notes, LONG_LISTED and CONTACTED ties, imports of those |
| secretariat 事務局 | all not confidential | its community; events and series it organises; their counts, notes, ties |
| viewer 閲覧者 | everything not confidential; people as role and affiliation, no notes | nothing |

**エラー / Errors** are `application/problem+json` (RFC 9457) with `errors`: one entry per field or row.
"""


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with error responses under their real media type, problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.isdigit() and int(status) >= 400 and "application/json" in content and status != "503":
                    content[PROBLEM_JSON] = content.pop("application/json")
                elif status == "503" and "application/json" in content:
                    # /health answers 503 with its own body; every other route with a problem.
                    ref = content["application/json"].get("schema", {}).get("$ref", "")
                    if ref.endswith("/ProblemOut"):
                        content[PROBLEM_JSON] = content.pop("application/json")
    app.openapi_schema = schema
    return schema


#: The variable through which ``secgraph serve`` hands its one-off admin key to every worker process,
#: as ``KeyStore.ephemeral_record`` gives it: salt and digest, never the key.
SERVED_ADMIN_KEY_ENV = "SECGRAPH_SERVED_ADMIN_KEY"


def create_served_app() -> FastAPI:
    """The service as ``secgraph serve`` runs it: uvicorn calls this factory once in each worker
    process. Everything comes from the environment the serve command prepared — the store, the key
    file, the trusted proxies, and its one-off admin key if it made one — so every worker answers the
    same keys from the same store."""
    settings = ApiSettings.from_env()
    keys = KeyStore(settings.keys_path)
    shared_key = os.environ.get(SERVED_ADMIN_KEY_ENV)
    if shared_key:
        keys.adopt_ephemeral(shared_key)
    return create_app(settings, keys=keys)


def create_app(
    settings: ApiSettings | StoreSettings | None = None,
    *,
    store: GraphStore | None = None,
    keys: KeyStore | None = None,
) -> FastAPI:
    """The service. ``store`` (already open, left open at shutdown) and ``keys`` are for tests and
    for ``secgraph serve``, which adds its one-off admin key to ``keys`` before serving."""
    if isinstance(settings, StoreSettings):
        settings = ApiSettings(store=settings)
    settings = settings or ApiSettings.from_env()
    _redact_keys_in_logs()
    keys = keys or KeyStore(settings.keys_path)
    holder = StoreHolder(settings.store, store)
    graph = GraphService(holder, keys.pseudonym_key())
    import_jobs = ImportService(graph, ReadLimits(unpacked_bytes=settings.max_unpacked_bytes))
    analyses = AnalysisCache(time_limit_s=settings.analysis_time_limit_s)
    key_checks = KeyChecks(keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Routes are synchronous and run on anyio's thread pool (40 threads by default). Requests
        # waiting for an analysis hold a thread while they wait; with the default, fifty clients
        # asking for analyses left writes and reads queueing for a thread for tens of seconds.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        yield
        import_jobs.close()
        analyses.close()
        key_checks.close()
        holder.close()

    app = FastAPI(
        title="secgraph API",
        version=VERSION,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc without a CDN: docs_pages
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.keys = keys
    app.state.key_checks = key_checks
    app.state.graph = graph
    app.state.imports = import_jobs
    app.state.limiter = FailureLimiter(settings.failed_auth_burst, settings.failed_auth_per_minute)
    app.state.analyses = analyses
    app.state.sessions = SessionStore(
        keys, SessionLimits(settings.session_idle_minutes * 60, settings.session_absolute_hours * 3600)
    )
    install_handlers(app)
    install_docs_pages(app)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app)
    app.add_middleware(
        BodyLimitMiddleware,  # type: ignore[arg-type]
        default_limit=settings.max_json_bytes,
        # the multipart envelope around the file; the file itself is held to max_import_bytes
        upload_limit=settings.max_import_bytes + 64 * 1024,
        upload_prefix=("/imports", "/web/data"),  # the API's uploads and the web page's
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
