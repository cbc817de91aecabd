"""分析 / Analyses: key persons, brokers between groups, isolated regions, missing sectors, stage,
health, change.

One route per analysis of ``secgraph.analysis.registry``, made from its entry: path
``/analyses/<slug>``, summary from its title, query parameters from its parameter model, response
model from its result. Each scopes the analysis to a community, region or prefecture (or the country)
on a date, runs it on what the caller may see and answers from the cache until the next write.
"""

# No ``from __future__ import annotations``: the routes' parameter annotations are built per analysis
# at run time, and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from secgraph.analysis.network import Scope
from secgraph.analysis.registry import ANALYSES, SCOPE_FIELDS, Analysis, Place
from secgraph.api.analysis_service import AnalysisAnswer, AnalysisCache, AnalysisRequest, accepts_gzip, parse_scope
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import invalid_parameters
from secgraph.api.routers import ERROR_RESPONSES

router = APIRouter(prefix="/analyses", tags=["analyses"], responses=ERROR_RESPONSES)


# Dependencies here are ``async def``, as in secgraph.api.deps: they only read what is in memory.


async def analysis_cache(request: Request) -> AnalysisCache:
    return request.app.state.analyses


Cache = Annotated[AnalysisCache, Depends(analysis_cache)]


async def analysis_request(request: Request, graph: Graph, cache: Cache, who: CurrentPrincipal) -> AnalysisRequest:
    headers = request.headers
    return AnalysisRequest(
        graph,
        cache,
        who,
        headers.get("if-none-match"),
        gzip_accepted=accepts_gzip(headers.get("accept-encoding")),
    )


Answers = Annotated[AnalysisRequest, Depends(analysis_request)]


async def scope(
    community: Annotated[
        str | None, Query(description="コミュニティID / Community id", examples=["s001-com-kansai-secnet"])
    ] = None,
    region: Annotated[
        str | None, Query(description="地域（mic-kinki, meti-kinki, 近畿） / Region", examples=["mic-kyushu"])
    ] = None,
    prefecture: Annotated[str | None, Query(description="都道府県（27, 大阪府） / Prefecture", examples=["40"])] = None,
    as_of: Annotated[
        dt.date | None,
        Query(description="この日時点のネットワーク / The network as of this date", examples=["2021-03-31"]),
    ] = None,
) -> Scope:
    return parse_scope(community, region, prefecture, as_of)


ScopeParam = Annotated[Scope, Depends(scope)]


def _query(name: str, field: FieldInfo) -> inspect.Parameter:
    """The query parameter of one parameter field: its type and bounds, default, description and examples."""
    query = Query(description=field.description, examples=field.examples)
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=inspect.Parameter.empty if field.is_required() else field.default,
        annotation=Annotated[(field.annotation, *field.metadata, query)],  # type: ignore[valid-type]
    )


def parameters_dependency(analysis: Analysis[Any, Any]) -> Callable[..., Coroutine[Any, Any, Place]]:
    """A dependency taking ``analysis``'s own parameters as query parameters, as its registry entry
    declares them, beside the scope; it answers with the analysis's parameters, validated by their
    model (422 naming the field when a rule over several is broken, e.g. ``later`` before ``earlier``).

    Every analysis takes the whole scope, ``as_of`` included, so that every route offers the same
    one; one whose parameters have no ``as_of`` (``changes``) does not use it."""
    fields = analysis.parameters.model_fields
    taken = [name for name in SCOPE_FIELDS if name in fields]

    async def parse(where: ScopeParam, **values: Any) -> Place:
        try:
            return analysis.parameters_of(**{name: getattr(where, name) for name in taken}, **values)
        except ValidationError as error:
            raise invalid_parameters(error, whole="scope") from None

    # FastAPI reads a dependency's parameters from its signature: the scope's, then the analysis's own.
    where = inspect.Parameter("where", inspect.Parameter.KEYWORD_ONLY, annotation=ScopeParam)
    own = [_query(name, fields[name]) for name in analysis.own_parameters]
    parse.__signature__ = inspect.Signature([where, *own])  # type: ignore[attr-defined]
    return parse


def _route(analysis: Analysis[Any, Any]) -> Callable[..., AnalysisAnswer]:
    Parameters = Annotated[analysis.parameters, Depends(parameters_dependency(analysis))]

    async def answer(answers: Answers, parameters: Parameters) -> AnalysisAnswer:  # type: ignore[valid-type]
        # A hit on the store's current revision is sent from the event loop; reading the revision when
        # that would wait, computing, or waiting for a computation goes to a thread.
        at_once = answers.answer_at_once(analysis, parameters)
        if at_once is not None:
            return at_once
        return await run_in_threadpool(answers.answer, analysis, parameters)

    answer.__name__ = analysis.slug.replace("-", "_")  # FastAPI's operation id starts with it
    return answer


for _analysis in ANALYSES.values():
    router.add_api_route(
        f"/{_analysis.slug}",
        _route(_analysis),
        methods=["GET"],
        response_model=_analysis.result,
        summary=f"{_analysis.title.ja} / {_analysis.title.en}",
        description=f"{_analysis.description.ja} / {_analysis.description.en}" if _analysis.description else None,
    )
