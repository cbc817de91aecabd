"""Running analyses for a caller: on the graph the caller may see, cached until the next write.

An analysis runs on ``GraphService.view_for(principal).data`` — confidential records and (for
viewers) personal names are gone from its input, so they cannot appear in its evidence. Results
are cached on (analysis, parameters, revision, visibility): the revision grows with every write,
so a write invalidates the cache with no further bookkeeping.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from pydantic import BaseModel

from secgraph.access import Principal
from secgraph.analysis.network import Scope
from secgraph.api.problems import ProblemError
from secgraph.api.services import GraphService
from secgraph.model.graph import GraphData

Result = TypeVar("Result", bound=BaseModel)


class AnalysisCache:
    """A bounded least-recently-used cache of analysis results."""

    def __init__(self, capacity: int = 256):
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, BaseModel] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
        result = compute()  # outside the lock: two analyses may run at once on two cores
        with self._lock:
            self.misses += 1
            self._entries[key] = result
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return result


def parse_scope(community: str | None, region: str | None, prefecture: str | None, as_of: object) -> Scope:
    given = [
        name for name, value in (("community", community), ("region", region), ("prefecture", prefecture)) if value
    ]
    field = given[0] if len(given) == 1 else "scope"
    try:
        return Scope(community=community, region=region, prefecture=prefecture, as_of=as_of)  # type: ignore[arg-type]
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": field, "reason": str(error)}]) from None


def run_analysis(
    graph: GraphService,
    cache: AnalysisCache,
    principal: Principal,
    name: str,
    parameters: tuple[Hashable, ...],
    analysis: Callable[[GraphData], Result],
) -> Result:
    """``analysis`` on what ``principal`` may see, from the cache when nothing was written since."""
    view = graph.view_for(principal)
    key = (name, parameters, view.revision, principal.visibility)

    def compute() -> Result:
        try:
            return analysis(view.data)
        except KeyError as error:
            detail = str(error.args[0]) if error.args else "not found"
            raise ProblemError(404, detail) from None
        except ValueError as error:
            raise ProblemError(422, str(error), [{"field": "parameters", "reason": str(error)}]) from None

    return cache.get_or_compute(key, compute)
