"""分析 / Analyses: key persons, isolated regions, missing sectors, stage, health, change.

Each route scopes an analysis to a community, region or prefecture (or the country) on a date,
runs it on what the caller may see and answers from the cache until the next write.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from secgraph.analysis import (
    changes_between,
    engagement_stage,
    isolated_regions,
    key_person_candidates,
    missing_sectors,
    network_health,
)
from secgraph.analysis.compare import Changes
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS, SectorNeed, sector_need
from secgraph.analysis.health import NetworkHealth
from secgraph.analysis.key_persons import GroupBrokers, KeyPersonCandidates, betweenness_between_groups
from secgraph.analysis.network import Scope
from secgraph.analysis.regions import IsolatedRegions
from secgraph.analysis.sectors import MissingSectors
from secgraph.analysis.stage import EngagementStages
from secgraph.api.analysis_service import AnalysisAnswer, AnalysisCache, AnalysisRequest, parse_scope
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError
from secgraph.api.routers import ERROR_RESPONSES

router = APIRouter(prefix="/analyses", tags=["analyses"], responses=ERROR_RESPONSES)


# Dependencies here are ``async def``, as in secgraph.api.deps: they only read what is in memory.


async def analysis_cache(request: Request) -> AnalysisCache:
    return request.app.state.analyses


Cache = Annotated[AnalysisCache, Depends(analysis_cache)]


async def analysis_request(request: Request, graph: Graph, cache: Cache, who: CurrentPrincipal) -> AnalysisRequest:
    return AnalysisRequest(graph, cache, who, request.headers.get("if-none-match"))


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


def _key(scope: Scope) -> tuple[object, ...]:
    return (scope.community, scope.region, scope.prefecture, scope.as_of)


@router.get(
    "/key-persons",
    response_model=KeyPersonCandidates,
    summary="キーパーソン候補 / Key-person candidates",
    description="仲介性・複数コミュニティでの活動・離脱時の分断リスクで順位付け。"
    " / Ranked by brokerage, activity across communities and the fragmentation their departure would cause.",
)
def key_persons(
    answers: Answers,
    where: ScopeParam,
    limit: Annotated[int, Query(ge=1, le=500, description="件数 / How many")] = 20,
    kind: Annotated[
        list[Literal["Person", "Organisation"]] | None, Query(description="人物・団体 / People, organisations")
    ] = None,
) -> AnalysisAnswer:
    kinds = tuple(sorted(kind or ["Organisation", "Person"]))
    return answers.answer(
        "key_persons",
        (*_key(where), limit, kinds),
        lambda d: key_person_candidates(d, where, limit=limit, kinds=kinds),
    )


@router.get(
    "/brokers-between",
    response_model=GroupBrokers,
    summary="二つのグループをつなぐ人・団体 / Who links two groups",
)
def brokers_between(
    answers: Answers,
    where: ScopeParam,
    group_a: Annotated[str, Query(description="グループA（セクターまたは都道府県） / Group A", examples=["police"])],
    group_b: Annotated[str, Query(description="グループB / Group B", examples=["university"])],
    by: Annotated[Literal["sector", "prefecture"], Query(description="グループの種類 / Grouped by")] = "sector",
    limit: Annotated[int, Query(ge=1, le=500, description="件数 / How many")] = 20,
) -> AnalysisAnswer:
    return answers.answer(
        "brokers",
        (*_key(where), group_a, group_b, by, limit),
        lambda d: betweenness_between_groups(d, group_a, group_b, where, by=by, limit=limit),
    )


@router.get("/isolated-regions", response_model=IsolatedRegions, summary="空白・孤立地域 / Isolated regions")
def isolated(
    answers: Answers,
    where: ScopeParam,
    period_start: Annotated[dt.date | None, Query(description="期間の開始 / Period start")] = None,
    period_end: Annotated[dt.date | None, Query(description="期間の終了 / Period end")] = None,
    region_kind: Annotated[Literal["mic", "meti"], Query(description="地域区分 / Kind of region")] = "mic",
) -> AnalysisAnswer:
    if (period_start is None) != (period_end is None):
        raise ProblemError(
            422,
            "give both period_start and period_end / 期間は開始と終了の両方を指定してください",
            [{"field": "period_end", "reason": "both or neither"}],
        )
    period = (period_start, period_end) if period_start and period_end else None
    return answers.answer(
        "isolated",
        (*_key(where), period, region_kind),
        lambda d: isolated_regions(d, where, period=period, region_kind=region_kind),
    )


def _needs(need: list[str] | None) -> tuple[SectorNeed, ...]:
    if not need:
        return DEFAULT_SECTOR_NEEDS
    try:
        return tuple(sector_need(item.split(",")) for item in need)
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": "need", "reason": str(error)}]) from None


@router.get("/missing-sectors", response_model=MissingSectors, summary="不足セクターと候補 / Missing sectors")
def missing(
    answers: Answers,
    where: ScopeParam,
    need: Annotated[
        list[str] | None,
        Query(
            description="必要なセクター（カンマ区切りで「いずれか」、複数指定可）。省略時は既定の一覧"
            " / Required sectors: comma = any of; repeat for several. Default list when omitted",
            examples=[["insurer", "university,kosen", "police"]],
        ),
    ] = None,
    suggestions: Annotated[int, Query(ge=0, le=50, description="候補数 / Suggestions per sector")] = 5,
) -> AnalysisAnswer:
    needs = _needs(need)
    return answers.answer(
        "missing",
        (*_key(where), tuple(n.code for n in needs), suggestions),
        lambda d: missing_sectors(d, where, needs=needs, suggestions_per_sector=suggestions),
    )


@router.get("/stage", response_model=EngagementStages, summary="段階的アプローチの段階 / Engagement stage")
def stage(answers: Answers, where: ScopeParam) -> AnalysisAnswer:
    return answers.answer("stage", _key(where), lambda d: engagement_stage(d, where))


@router.get("/health", response_model=NetworkHealth, summary="ネットワークの健全性 / Network health")
def health(
    answers: Answers,
    where: ScopeParam,
    dormant_months: Annotated[int, Query(ge=1, le=120, description="休眠とみなす月数 / Months without activity")] = 12,
) -> AnalysisAnswer:
    return answers.answer(
        "health",
        (*_key(where), dormant_months),
        lambda d: network_health(d, where, dormant_months=dormant_months, as_of=where.as_of),
    )


@router.get("/changes", response_model=Changes, summary="二時点の変化 / What changed between two dates")
def changes(
    answers: Answers,
    where: ScopeParam,
    earlier: Annotated[dt.date, Query(description="前回 / Earlier date", examples=["2020-03-31"])],
    later: Annotated[dt.date, Query(description="今回 / Later date", examples=["2021-03-31"])],
) -> AnalysisAnswer:
    if later < earlier:
        raise ProblemError(
            422,
            "later is before earlier / 今回の日付が前回より前です",
            [{"field": "later", "reason": "before earlier"}],
        )
    plain = Scope(community=where.community, region=where.region, prefecture=where.prefecture)
    return answers.answer(
        "changes",
        (*_key(plain), earlier, later),
        lambda d: changes_between(d, earlier, later, plain),
    )
