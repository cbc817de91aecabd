"""Running analyses for a caller: on the graph the caller may see, cached until the next write.

An analysis runs on ``GraphService.view_for(principal).data`` — confidential records and (for
viewers) personal names are gone from its input, so they cannot appear in its evidence. Answers
are cached on (analysis, parameters, revision, visibility, format): the revision grows with every
write, so a write invalidates the cache with no further bookkeeping.

What is cached is the answer as it goes over the wire: the result, its JSON bytes and those bytes
gzipped, made once, each with a strong ``ETag``. A cache hit sends the bytes the client accepts (or 304
to a client that already holds them) instead of validating, serialising and compressing the result
again. When the store's revision can be read without waiting (``GraphStore.revision_at_once``) a hit
is answered on the event loop, with no thread in between (bench/results/api_latency.md).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from fastapi import Response
from pydantic import BaseModel

from secgraph.access import Principal, shown_visibility
from secgraph.analysis.network import Scope, SharedInputs, shared_inputs
from secgraph.analysis.registry import Analysis, Place
from secgraph.api.problems import ProblemError, not_found_from
from secgraph.api.queries import GraphView
from secgraph.api.services import GraphService
from secgraph.model.graph import GraphData

Result = TypeVar("Result")


#: The header that tells which revision of the graph an analysis was computed on.
REVISION_HEADER = "X-Graph-Revision"


class Superseded(Exception):
    """A queued analysis was dropped before it started: the same one was asked for on a newer graph."""


class AnalysisCache:
    """A bounded least-recently-used cache of analysis results, computed on a small pool of workers.

    A caller waits at most ``time_limit_s`` for a result; past that it gets a clear "still computing"
    answer instead of a hung request, while the computation goes on and lands in the cache for the
    retry. Identical requests arriving together share one computation, and at most ``max_pending``
    distinct ones may wait or run at once, so slow analyses cannot pile up without bound.
    """

    def __init__(self, capacity: int = 256, *, time_limit_s: float = 30.0, workers: int = 2, max_pending: int = 32):
        self.capacity = capacity
        self.time_limit_s = time_limit_s
        self.max_pending = max_pending
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._running: dict[Hashable, Future[object]] = {}
        self._superseding: dict[Hashable, tuple[Hashable, int]] = {}  # running key → (same analysis, revision)
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._inputs: OrderedDict[int, tuple[GraphData, SharedInputs]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    #: Graphs whose shared inputs are kept: the newest revision's views (full, public, anonymised) and
    #: the one before, so analyses of one revision build its snapshot and network once between them.
    INPUTS_KEPT = 6

    def inputs_for(self, data: GraphData) -> SharedInputs:
        """What analyses of ``data`` build once and share (``shared_inputs``): snapshots, the tie index,
        actor networks. Two workers may build the same one at once; both are the same, either is kept."""
        with self._lock:
            kept = self._inputs.get(id(data))
            if kept is None or kept[0] is not data:
                kept = (data, {})
                self._inputs[id(data)] = kept
                while len(self._inputs) > self.INPUTS_KEPT:
                    self._inputs.popitem(last=False)
            else:
                self._inputs.move_to_end(id(data))
            return kept[1]

    def cached(self, key: Hashable) -> object | None:
        """The result cached under ``key``, or None; never computes, never waits for a computation."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], Result], *, newer: tuple[Hashable, int] | None = None
    ) -> Result:
        """The cached result of ``key``, or ``compute()``'s on the pool.

        ``newer`` = (the analysis and its parameters, the graph's revision): asking for an analysis on a
        newer graph drops the same analysis still queued for an older one (its waiters get
        ``Superseded`` and ask again on the newest graph), so a stream of writes cannot fill the queue
        with answers nobody will want."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
            future = self._running.get(key)
            if future is not None and newer is None:
                self._superseding.pop(key, None)  # a waiter sent away before waits for this one to the end
            if future is None:
                if newer is not None:
                    self._drop_older(*newer)
                if len(self._running) >= self.max_pending:
                    raise ProblemError(
                        503,
                        "分析が混み合っています。数秒後に再試行してください。"
                        " / Too many analyses are running; try again in a few seconds.",
                        headers={"Retry-After": "5"},
                    )
                if self._pool is None:  # first use, or used again after close (a new lifespan)
                    self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="analysis")
                future = self._pool.submit(self._compute, key, compute)
                self._running[key] = future
                if newer is not None:
                    self._superseding[key] = newer
        try:
            return future.result(timeout=self.time_limit_s)  # type: ignore[return-value]
        except CancelledError:
            raise Superseded() from None
        except FutureTimeout:
            raise ProblemError(
                503,
                f"分析が{self.time_limit_s:g}秒を超えました。計算は続いており、再試行で結果を返します。"
                "範囲（コミュニティ・地域・都道府県）を絞ると速くなります。"
                f" / The analysis took longer than {self.time_limit_s:g} s. It goes on computing and a retry"
                " will get the answer; a narrower scope (community, region, prefecture) is faster.",
                headers={"Retry-After": "5"},
            ) from None

    def kept(self, key: Hashable, make: Callable[[], Result]) -> Result:
        """What is cached under ``key``, or ``make()``'s result, cached: like ``get_or_compute`` but made
        on the calling thread with no time limit, for charts and documents (drawn one at a time under
        the drawing lock, ``viz.fonts``, whatever thread asks). Two callers missing at once both draw;
        the same bytes are kept."""
        found = self.cached(key)
        if found is not None:
            return found  # type: ignore[return-value]
        made = make()
        with self._lock:
            self._keep(key, made)
        return made

    def _keep(self, key: Hashable, result: object) -> None:
        """Store a result just made (a miss), dropping the least recently used beyond ``capacity``.
        Called with the lock held."""
        self.misses += 1
        self._entries[key] = result
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def _drop_older(self, analysis: Hashable, revision: int) -> None:
        """Cancel the queued (not yet started) runs of ``analysis`` on graphs older than ``revision``."""
        for key, (other, other_revision) in list(self._superseding.items()):
            if other == analysis and other_revision < revision and self._running[key].cancel():
                del self._running[key], self._superseding[key]

    def _compute(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        try:
            result = compute()
        except BaseException:
            with self._lock:
                self._running.pop(key, None)
                self._superseding.pop(key, None)
            raise
        with self._lock:
            # stored before it stops counting as running, so no request can start it a second time
            self._keep(key, result)
            self._running.pop(key, None)
            self._superseding.pop(key, None)
        return result

    def close(self) -> None:
        with self._lock:
            # what was waiting is cancelled with the pool: forgotten, so a later request starts it anew
            pool, self._pool = self._pool, None
            self._running.clear()
            self._superseding.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def parse_scope(community: str | None, region: str | None, prefecture: str | None, as_of: object) -> Scope:
    given = [
        name for name, value in (("community", community), ("region", region), ("prefecture", prefecture)) if value
    ]
    field = given[0] if len(given) == 1 else "scope"
    try:
        return Scope(community=community, region=region, prefecture=prefecture, as_of=as_of)  # type: ignore[arg-type]
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": field, "reason": str(error)}]) from None


def drawn(
    graph: GraphService,
    cache: AnalysisCache,
    principal: Principal,
    hide_names: bool,
    asked: tuple[Hashable, ...],
    draw: Callable[[GraphData], Result],
) -> Result:
    """``draw(data)`` on the graph ``principal`` may see (names hidden when asked), kept until the next
    write. A chart or document is the same bytes for the same data, so it is drawn once per revision and
    visibility (``asked`` says which one, with its parameters) and shares what the analyses of that
    revision build (``shared_inputs``)."""
    view = graph.view_for(principal, hide_names)

    def make() -> Result:
        with shared_inputs(cache.inputs_for(view.data)):
            return draw(view.data)

    return cache.kept(("drawn", *asked, shown_visibility(principal, hide_names), view.revision), make)


def _etag(body: bytes) -> str:
    # A strong validator: the same bytes give the same tag, whatever the revision or the role, so a
    # client whose copy is still exact gets 304 even across a write that did not change its answer.
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


#: Answers shorter than this go out as they are: gzip would save less than its header and the work.
GZIP_FROM_BYTES = 1024
#: zlib's default level: on the analyses' JSON within a few percent of level 9's size at a third of its time.
GZIP_LEVEL = 6


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip: ``gzip`` (or ``x-gzip``) with a weight above
    0, or, when neither is named, ``*`` with a weight above 0 (RFC 9110 §12.5.3)."""
    named: float | None = None
    anything: float | None = None
    for item in (accept_encoding or "").split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = weight if named is None else max(named, weight)
        elif coding == "*":
            anything = weight
    chosen = named if named is not None else anything
    return chosen is not None and chosen > 0


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (RFC 9110 §13.1.2: weak comparison, ``*`` matches any)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


@dataclass(frozen=True)
class CachedAnswer:
    """An analysis result with the bytes FastAPI would send for it, made once per cache entry.

    The body is what FastAPI's own serialisation gives for the route's ``response_model`` (pydantic's
    ``dump_json`` with ``by_alias=True``, FastAPI ≥ 0.130): a hit sends these bytes as they are instead
    of validating and dumping the model again on every request. ``gzipped`` is the same body gzipped
    (None for a short one), with a tag of its own: a strong validator differs between content codings
    (RFC 9110 §8.8.3). Both are made the same way every time (no timestamp in the gzip header), so an
    answer a write did not change keeps both tags."""

    result: BaseModel
    body: bytes
    etag: str
    revision: int
    gzipped: bytes | None = None
    gzipped_etag: str | None = None

    @classmethod
    def of(cls, result: BaseModel, revision: int) -> CachedAnswer:
        body = type(result).__pydantic_serializer__.to_json(result, by_alias=True)
        if len(body) < GZIP_FROM_BYTES:
            return cls(result, body, _etag(body), revision)
        gzipped = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
        return cls(result, body, _etag(body), revision, gzipped, _etag(gzipped))


class AnalysisAnswer(Response):
    """An analysis answered over HTTP: its JSON (gzipped for a caller that accepts it), or 304 when the
    caller's copy is current.

    ``result`` is the analysis itself, for routes that answer with something else made from it (the
    exports' tables)."""

    media_type = "application/json"

    def __init__(self, cached: CachedAnswer, if_none_match: str | None, gzip_accepted: bool = False):
        self.result = cached.result
        gzipped = cached.gzipped if gzip_accepted else None
        etag = cached.gzipped_etag if gzipped is not None and cached.gzipped_etag else cached.etag
        headers = {REVISION_HEADER: str(cached.revision), "ETag": etag, "Vary": "Accept-Encoding"}
        if _matches(if_none_match, etag):
            super().__init__(status_code=304, headers=headers)
        elif gzipped is not None:
            super().__init__(gzipped, headers={**headers, "Content-Encoding": "gzip"})
        else:
            super().__init__(cached.body, headers=headers)


#: How often a request asks again after its queued analysis was superseded by a newer graph's.
ASKED_AGAIN_AT_MOST = 5


@dataclass(frozen=True)
class AnalysisRequest:
    """What an analysis route needs besides its parameters: the graph, the cache, the caller, the
    caller's ``If-None-Match`` and whether it accepts gzip."""

    graph: GraphService
    cache: AnalysisCache
    principal: Principal
    if_none_match: str | None = None
    #: Computed on the view with names hidden (``access.shown_visibility``), as a viewer sees it.
    hide_names: bool = False
    gzip_accepted: bool = False

    def _asked(self, analysis: Analysis[Any, Any], parameters: Place) -> tuple[Hashable, ...]:
        """The analysis asked, whatever the revision: what the caller may see is part of it, so an
        answer made for one visibility is never handed to a caller with another."""
        return (analysis.slug, parameters, shown_visibility(self.principal, self.hide_names), "json")

    def _key(self, analysis: Analysis[Any, Any], parameters: Place, revision: int) -> Hashable:
        """What an answer is cached under: the analysis asked, on one revision of the graph."""
        return (*self._asked(analysis, parameters), revision)

    def answer_at_once(self, analysis: Analysis[Any, Any], parameters: Place) -> AnalysisAnswer | None:
        """``answer`` when it is cached for the store's revision and that revision can be read without
        waiting; None otherwise (then call ``answer`` on a thread). Never blocks: for the event loop."""
        revision = self.graph.revision_at_once()
        if revision is None:
            return None
        cached = self.cache.cached(self._key(analysis, parameters, revision))
        if not isinstance(cached, CachedAnswer):
            return None
        return AnalysisAnswer(cached, self.if_none_match, self.gzip_accepted)

    def answer(self, analysis: Analysis[Any, Any], parameters: Place) -> AnalysisAnswer:
        """``analysis`` with ``parameters`` on what the caller may see, as its JSON (or 304), from the
        cache when nothing was written since; ``X-Graph-Revision`` tells which revision of the graph
        it describes. Cached on the analysis's slug and its (validated, hashable) parameters."""
        # a run of the same analysis queued for an older graph gives way to this one
        asked = self._asked(analysis, parameters)
        for attempt in range(ASKED_AGAIN_AT_MOST):
            view = self.graph.view_for(self.principal, self.hide_names)

            def compute(view: GraphView = view) -> CachedAnswer:
                with shared_inputs(self.cache.inputs_for(view.data)):
                    return CachedAnswer.of(_analysed(analysis, parameters, view.data), view.revision)

            key = self._key(analysis, parameters, view.revision)
            try:
                # the last time, the run is not dropped for a newer graph: under a steady stream of
                # writes the caller gets the answer of the revision it names, not a 503
                newer = None if attempt == ASKED_AGAIN_AT_MOST - 1 else (asked, view.revision)
                cached = self.cache.get_or_compute(key, compute, newer=newer)
            except Superseded:
                continue  # the graph changed while this waited in the queue: ask on the newest one
            return AnalysisAnswer(cached, self.if_none_match, self.gzip_accepted)
        raise ProblemError(
            503,
            "データの更新が続いています。数秒後に再試行してください。"
            " / The graph keeps changing under this analysis; try again in a few seconds.",
            headers={"Retry-After": "5"},
        )

    def unconditional(self, hide_names: bool = False) -> AnalysisRequest:
        """The same request without ``If-None-Match`` (always a body, not gzipped), with names hidden
        when asked."""
        return replace(self, if_none_match=None, gzip_accepted=False, hide_names=self.hide_names or hide_names)


def _analysed(analysis: Analysis[Any, Result], parameters: Place, data: GraphData) -> Result:
    try:
        return analysis.run(data, parameters)
    except KeyError as error:
        raise not_found_from(error) from None
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": "parameters", "reason": str(error)}]) from None
