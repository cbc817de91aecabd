"""The analyses by name: one entry per analysis, read by the command line, the API and its exports,
the benchmarks and the tests.

An entry says what the analysis is called — its slug, the one name used in URLs
(``/analyses/<slug>``, ``/exports/analyses/<slug>``), on the command line (``secgraph analyse
<slug>``) and in cache keys, and its title in Japanese and English — which function computes it,
the parameters it takes (a frozen pydantic model: the scope and the analysis's own, each with its
bounds and its description), the model of its result, and how the function is called with those
parameters (``Analysis.run``).

Parameters are validated by their model wherever they come from, so a bad value gets the same
answer from the API and the command line. Equal parameters are equal (and hash alike) after
validation: sector needs and kinds are normalised, region and prefecture become codes.

Tables of a result (CSV, XLSX) belong to ``secgraph.export.analysis_tables``, above this package: it keys its
builders by the ``result`` models named here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from secgraph.analysis.areas import RegionKind
from secgraph.analysis.compare import Changes, changes_between
from secgraph.analysis.explain import mark_inferred
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS, SectorNeed, sector_need
from secgraph.analysis.health import NetworkHealth, network_health
from secgraph.analysis.key_persons import (
    GroupBrokers,
    KeyPersonCandidates,
    betweenness_between_groups,
    key_person_candidates,
)
from secgraph.analysis.network import Scope
from secgraph.analysis.regions.findings import DateSpan, IsolatedRegions, isolated_regions
from secgraph.analysis.sectors import MissingSectors, missing_sectors
from secgraph.analysis.stage.results import EngagementStages, engagement_stage
from secgraph.analysis.tie_freshness import TIE_WINDOW_YEARS
from secgraph.model.graph import GraphData
from secgraph.model.ties import without_inferred
from secgraph.model.vocabulary import Label

#: The fields of a scope, in the order the API lists them.
SCOPE_FIELDS = ("community", "region", "prefecture", "as_of")


class Place(BaseModel):
    """Where an analysis looks: one community, region or prefecture, or (none given) the country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    community: str | None = None
    region: str | None = None
    prefecture: str | None = None
    include_inferred: bool = Field(
        True,
        description="推定の関係（certainty=inferred）を含める。false で資料に明記された関係だけで分析"
        " / Include inferred ties; false: analyse the stated ties only",
    )

    @model_validator(mode="before")
    @classmethod
    def _one_place(cls, values: Any) -> Any:
        # Scope is the one rule for a place: at most one of the three, regions and prefectures as codes
        if not isinstance(values, dict):
            return values
        place = Scope(values.get("community"), values.get("region"), values.get("prefecture"))
        normalised = {"region": place.region, "prefecture": place.prefecture}
        return {**values, **{key: value for key, value in normalised.items() if key in values}}

    @property
    def scope(self) -> Scope:
        return Scope(self.community, self.region, self.prefecture, getattr(self, "as_of", None))


class Scoped(Place):
    """A place on a date: the network as it stood then (``as_of`` None: as the data stands now)."""

    as_of: dt.date | None = None


_LIMIT = Field(20, ge=1, le=500, description="件数 / How many")


_TIE_WINDOW_YEARS = Field(
    TIE_WINDOW_YEARS,
    ge=1,
    le=100,
    description="「だけでつながる」「唯一のつなぎ役」の判定に使う関係の有効期間（年度）。これより古く、その後の記録がない関係は使わない"
    " / Fiscal years a tie counts for single bridges and sole links: older ties with no later evidence are left out",
)


class KeyPersonsParameters(Scoped):
    limit: int = _LIMIT
    tie_window_years: int = _TIE_WINDOW_YEARS
    kind: tuple[Literal["Person", "Organisation"], ...] | None = Field(
        None, description="人物・団体 / People, organisations"
    )
    local_only: bool = Field(
        False,
        description="所在地のない全国的な団体とその人を除く"
        " / Leave out national bodies (no prefecture) and their people",
    )

    @field_validator("kind")
    @classmethod
    def _sorted(cls, kind: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return tuple(sorted(set(kind))) if kind else None

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.kind or ("Organisation", "Person")


class BrokersParameters(Scoped):
    group_a: str = Field(description="グループA（セクターまたは都道府県） / Group A", examples=["police"])
    group_b: str = Field(description="グループB / Group B", examples=["university"])
    by: Literal["sector", "prefecture"] = Field("sector", description="グループの種類 / Grouped by")
    limit: int = _LIMIT


class IsolatedRegionsParameters(Scoped):
    period_start: dt.date | None = Field(None, description="期間の開始 / Period start")
    period_end: dt.date | None = Field(None, validate_default=True, description="期間の終了 / Period end")
    region_kind: RegionKind = Field("mic", description="地域区分 / Kind of region")
    tie_window_years: int = _TIE_WINDOW_YEARS

    @field_validator("period_end")
    @classmethod
    def _both_or_neither(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if (info.data.get("period_start") is None) != (end is None):
            raise ValueError("give both period_start and period_end / 期間は開始と終了の両方を指定してください")
        return end

    @property
    def period(self) -> DateSpan | None:
        return (self.period_start, self.period_end) if self.period_start and self.period_end else None


class MissingSectorsParameters(Scoped):
    need: tuple[str, ...] | None = Field(
        None,
        description="必要なセクター（カンマ区切りで「いずれか」、複数指定可）。省略時は既定の一覧"
        " / Required sectors: comma = any of; repeat for several. Default list when omitted",
        examples=[["insurer", "university,kosen", "police"]],
    )
    suggestions: int = Field(5, ge=0, le=50, description="候補数 / Suggestions per sector")

    @field_validator("need")
    @classmethod
    def _known_sectors(cls, need: tuple[str, ...] | None) -> tuple[str, ...] | None:
        # each need as the sorted codes it accepts, so 「保険,大学」 and "university,insurer" are one
        return tuple(",".join(sorted(sector_need(item.split(",")).sectors)) for item in need) if need else None

    @property
    def needs(self) -> tuple[SectorNeed, ...]:
        return tuple(sector_need(item.split(",")) for item in self.need) if self.need else DEFAULT_SECTOR_NEEDS


class StageParameters(Scoped):
    pass


class HealthParameters(Scoped):
    dormant_months: int = Field(12, ge=1, le=120, description="休眠とみなす月数 / Months without activity")


class ChangesParameters(Place):
    """``changes`` compares the network on two dates, ``earlier`` and ``later``: it takes no ``as_of``
    (an ``as_of`` given with the scope is not used)."""

    earlier: dt.date = Field(description="前回 / Earlier date", examples=["2020-03-31"])
    later: dt.date = Field(description="今回 / Later date", examples=["2021-03-31"])

    @field_validator("later")
    @classmethod
    def _not_before_earlier(cls, later: dt.date, info: ValidationInfo) -> dt.date:
        earlier = info.data.get("earlier")
        if earlier is not None and later < earlier:
            raise ValueError("later is before earlier / 今回の日付が前回より前です")
        return later


P = TypeVar("P", bound=Place)
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Analysis(Generic[P, R]):
    """One analysis: its names, its function, its parameters and result, and how they meet."""

    slug: str
    title: Label
    function: Callable[..., R]
    parameters: type[P]
    result: type[R]
    call: Callable[[GraphData, P], R]
    #: A longer explanation, where the title alone does not say how the result is ordered or judged.
    description: Label | None = None

    def run(self, data: GraphData, parameters: P) -> R:
        """The analysis of ``data`` with ``parameters`` (a ``self.parameters``, validated)."""
        if type(parameters) is not self.parameters:
            raise TypeError(f"{self.slug} takes {self.parameters.__name__}, not {type(parameters).__name__}")
        if not parameters.include_inferred:
            data = without_inferred(data)
        return mark_inferred(self.call(data, parameters), data)

    def parameters_of(self, **values: Any) -> P:
        """The parameters from plain values (text is parsed); ``pydantic.ValidationError`` naming each
        field that is wrong, missing or not taken by this analysis."""
        return self.parameters.model_validate(values)

    @property
    def own_parameters(self) -> tuple[str, ...]:
        """The parameter fields besides the scope's, in order."""
        return tuple(name for name in self.parameters.model_fields if name not in SCOPE_FIELDS)


def _analysis(slug: str, ja: str, en: str, function: Callable[..., R], parameters: type[P], result: type[R],
              call: Callable[[GraphData, P], R], description: Label | None = None) -> Analysis[P, R]:  # fmt: skip
    return Analysis(slug, Label(ja, en), function, parameters, result, call, description)


#: Every analysis by slug, in the order the API and the command line list them.
ANALYSES: dict[str, Analysis[Any, Any]] = {
    entry.slug: entry
    for entry in (
        _analysis(
            "key-persons", "キーパーソン候補", "Key-person candidates",
            key_person_candidates, KeyPersonsParameters, KeyPersonCandidates,
            lambda data, p: key_person_candidates(
                data, p.scope, limit=p.limit, kinds=p.kinds, local_only=p.local_only,
                tie_window_years=p.tie_window_years,
            ),
            Label(
                "仲介性・複数コミュニティでの活動・離脱時の分断リスクで順位付け。",
                "Ranked by brokerage, activity across communities and the fragmentation their departure would cause.",
            ),
        ),
        _analysis(
            "brokers-between", "二つのグループをつなぐ人・団体", "Who links two groups",
            betweenness_between_groups, BrokersParameters, GroupBrokers,
            lambda data, p: betweenness_between_groups(data, p.group_a, p.group_b, p.scope, by=p.by, limit=p.limit),
        ),
        _analysis(
            "isolated-regions", "空白・孤立地域", "Isolated regions",
            isolated_regions, IsolatedRegionsParameters, IsolatedRegions,
            lambda data, p: isolated_regions(
                data, p.scope, period=p.period, region_kind=p.region_kind, tie_window_years=p.tie_window_years
            ),
        ),
        _analysis(
            "missing-sectors", "不足セクターと候補", "Missing sectors",
            missing_sectors, MissingSectorsParameters, MissingSectors,
            lambda data, p: missing_sectors(data, p.scope, needs=p.needs, suggestions_per_sector=p.suggestions),
        ),
        _analysis(
            "stage", "段階的アプローチの段階", "Engagement stage",
            engagement_stage, StageParameters, EngagementStages,
            lambda data, p: engagement_stage(data, p.scope),
        ),
        _analysis(
            "health", "ネットワークの健全性", "Network health",
            network_health, HealthParameters, NetworkHealth,
            lambda data, p: network_health(data, p.scope, dormant_months=p.dormant_months, as_of=p.as_of),
        ),
        _analysis(
            "changes", "二時点の変化", "What changed between two dates",
            changes_between, ChangesParameters, Changes,
            lambda data, p: changes_between(data, p.earlier, p.later, p.scope),
        ),
    )
}  # fmt: skip


def analysis_named(slug: str) -> Analysis[Any, Any]:
    """The analysis called ``slug``; ``KeyError`` naming the analyses there are for any other."""
    try:
        return ANALYSES[slug]
    except KeyError:
        known = ", ".join(ANALYSES)
        raise KeyError(f"no analysis '{slug}' (analyses: {known}) / 分析「{slug}」はありません") from None
