"""Each community's and area's stage: every rule evaluated, with its evidence and what would move it on."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Literal

from pydantic import Field

from secgraph.analysis.activity import ActivityIndex, CommunityActivity, activity_index
from secgraph.analysis.areas import Area, check_community, community_ids_in_scope, scope_areas
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.network import Scope, shared_inputs
from secgraph.analysis.stage.measures import MEASURES, Measured
from secgraph.analysis.stage.rules import DEFAULT_RULES, StageRule, StageRules, rule_name
from secgraph.model.graph import GraphData


class RuleResult(ResultModel):
    """One rule evaluated for one community."""

    rule_id: str
    stage: int
    ja: str
    en: str
    measure: str
    threshold: float
    params: dict[str, float] = Field(default_factory=dict)
    value: float
    met: bool
    evidence: list[Evidence] = Field(default_factory=list)


class CommunityStage(ResultModel):
    """A community's stage: the highest stage whose own rules are all met (0 when none is), with the
    unmet rules of earlier stages as gaps in the record."""

    community_id: str
    name: str
    stage: int = Field(ge=0, le=3)
    stage_ja: str
    stage_en: str
    #: False when nothing at all is recorded (every measure zero): 「記録なし」, not 第0段階.
    recorded: bool = True
    #: Rules of stages below ``stage`` that are not met: what the record lacks, not a lower stage.
    gaps: list[str] = Field(default_factory=list)
    gaps_ja: list[str] = Field(default_factory=list)
    gaps_en: list[str] = Field(default_factory=list)
    #: The stage with its gaps, e.g. 「第3段階 定番化。ただしロングリストの記録なし」.
    summary_ja: str = ""
    summary_en: str = ""
    #: Every rule, in the order of the rules file.
    rules: list[RuleResult]
    #: One item per rule met, with the numbers and the ids behind it.
    evidence: list[Evidence] = Field(default_factory=list)
    next_stage: int | None = None
    #: Rules of the next stage not yet met (ids), and what each asks for, in words.
    missing: list[str] = Field(default_factory=list)
    missing_ja: list[str] = Field(default_factory=list)
    missing_en: list[str] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.rule_id == rule_id)


class AreaStage(ResultModel):
    """A region's or prefecture's stage: the best of its communities, and the typical one (median)."""

    area: str
    kind: Literal["region", "prefecture"]
    name: str
    communities: list[str]
    best_stage: int | None
    best_communities: list[str]
    typical_stage: int | None = Field(description="中央値（低い方） / Median stage (lower median)")
    distribution: dict[int, int]
    evidence: list[Evidence] = Field(default_factory=list)
    advice: list[Advice] = Field(default_factory=list)


class EngagementStages(ResultModel):
    scope: str
    as_of: dt.date = Field(description="判定日（指定がなければデータの最新日） / Date judged on")
    rules_title_ja: str
    rules_title_en: str
    communities: list[CommunityStage]
    areas: list[AreaStage]

    def community(self, community_id: str) -> CommunityStage:
        return next(c for c in self.communities if c.community_id == community_id)


def _format(text: str, rule: StageRule) -> str:
    return text.replace("min_bodies", _number(rule.params.get("min_bodies", 3))).replace(
        "min_sector_groups", _number(rule.params.get("min_sector_groups", 2))
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def evaluate_rules(act: CommunityActivity, rules: StageRules) -> list[tuple[StageRule, RuleResult, Measured]]:
    results = []
    for rule in rules.rules:
        measured = MEASURES[rule.measure](act, rule)
        results.append(
            (
                rule,
                RuleResult(
                    rule_id=rule.id,
                    stage=rule.stage,
                    ja=_format(rule.ja, rule),
                    en=_format(rule.en, rule),
                    measure=rule.measure,
                    threshold=rule.threshold,
                    params=dict(rule.params),
                    value=measured.value,
                    met=measured.value >= rule.threshold,
                    evidence=measured.evidence,
                ),
                measured,
            )
        )
    return results


def _gap(rule: StageRule, result: RuleResult) -> tuple[str, str]:
    """What the record lacks for an unmet rule: 「ロングリストの記録なし」 when nothing is recorded,
    else the value against the threshold."""
    noun_ja, noun_en = rule.gap_ja or rule.id, rule.gap_en or rule.id
    if result.value <= 0:
        return f"{noun_ja}の記録なし", f"no {noun_en} recorded"
    return (
        f"{noun_ja}が基準未満（{_number(result.value)}{rule.unit_ja}、基準 {_number(rule.threshold)}以上）",
        f"{noun_en}: below the threshold ({_number(result.value)} {rule.unit_en}, needs {_number(rule.threshold)})",
    )


def community_stage(act: CommunityActivity, rules: StageRules = DEFAULT_RULES) -> CommunityStage:
    """Evaluate every rule for one community and place it on the scale: the highest stage whose own
    rules are all met, the unmet rules of earlier stages reported as gaps of the record."""
    evaluated = evaluate_rules(act, rules)
    # A stage with no rules (a user's rules file may leave one out) asks nothing beyond the stage below.
    met_by_stage = {0: True}
    for s in (1, 2, 3):
        own = [r for _, r, _ in evaluated if r.stage == s]
        met_by_stage[s] = all(r.met for r in own) if own else met_by_stage[s - 1]
    stage = max((s for s in (1, 2, 3) if met_by_stage[s]), default=0)
    recorded = any(r.value > 0 for _, r, _ in evaluated)
    label = rules.label(stage)
    stage_ja, stage_en = (label.ja, label.en) if recorded else (rules.no_evidence.ja, rules.no_evidence.en)
    summary = [
        evidence(
            "rule",
            f"{rule_name(r.ja)} を満たす: {_number(r.value)}{rule.unit_ja}（基準 {_number(r.threshold)}以上）",
            f"{rule_name(r.en)} met: {_number(r.value)} {rule.unit_en} (threshold {_number(r.threshold)})",
            sorted({i for e in r.evidence for i in e.ids}),
        )
        for rule, r, _ in evaluated
        if r.met
    ]
    gaps = [(rule, r, m) for rule, r, m in evaluated if r.stage < stage and not r.met]
    gap_texts = [_gap(rule, r) for rule, r, _ in gaps]
    next_stage = stage + 1 if stage < 3 else None
    missing = [(rule, r, m) for rule, r, m in evaluated if r.stage == next_stage and not r.met]
    advice = []
    for rule, r, measured in [*missing, *gaps]:
        advice.append(
            Advice(
                ja=f"{rule_name(r.ja)}（現在 {_number(r.value)}{rule.unit_ja}、基準 {_number(r.threshold)}以上）: "
                f"{rule.advice_ja}",
                en=f"{rule_name(r.en)} (now {_number(r.value)} {rule.unit_en}, needs {_number(r.threshold)}): "
                f"{rule.advice_en}",
            )
        )
        advice.extend(measured.advice)
    summary_ja = stage_ja + ("。ただし" + "、".join(ja for ja, _ in gap_texts) if gap_texts else "")
    summary_en = stage_en + ("; but " + "; ".join(en for _, en in gap_texts) if gap_texts else "")
    return CommunityStage(
        community_id=act.id,
        name=act.community.name,
        stage=stage,
        stage_ja=stage_ja,
        stage_en=stage_en,
        recorded=recorded,
        gaps=[r.rule_id for _, r, _ in gaps],
        gaps_ja=[ja for ja, _ in gap_texts],
        gaps_en=[en for _, en in gap_texts],
        summary_ja=summary_ja,
        summary_en=summary_en,
        rules=[r for _, r, _ in evaluated],
        evidence=summary,
        next_stage=next_stage,
        missing=[r.rule_id for _, r, _ in missing],
        missing_ja=[rule.gap_ja or rule.id for rule, _, _ in missing],
        missing_en=[rule.gap_en or rule.id for rule, _, _ in missing],
        advice=advice,
    )


def area_stage(area: Area, stages: Mapping[str, CommunityStage], rules: StageRules = DEFAULT_RULES) -> AreaStage:
    """The best stage among an area's communities and the median one."""
    placed = sorted((stages[c] for c in area.communities if c in stages), key=lambda s: s.community_id)
    if not placed:
        return AreaStage(
            area=area.code,
            kind=area.kind,
            name=area.name,
            communities=[],
            best_stage=None,
            best_communities=[],
            typical_stage=None,
            distribution={},
            evidence=[evidence("number", f"{area.name}にコミュニティがない", f"no community in {area.name_en}")],
            advice=[
                Advice(
                    ja="第1段階から始める: 地域関係機関のロングリストを作り、キーパーソン候補に接触する",
                    en="Start at stage 1: build a long list of regional bodies and contact key-person candidates",
                )
            ],
        )
    values = [s.stage for s in placed]
    best = max(values)
    best_ids = [s.community_id for s in placed if s.stage == best]
    typical = statistics.median_low(values)
    distribution = {stage: values.count(stage) for stage in (0, 1, 2, 3)}
    best_label = rules.label(best)
    best_names = [s.name for s in placed if s.stage == best]
    unrecorded = [s for s in placed if not s.recorded]
    found = [
        evidence(
            "number",
            f"{len(placed)}コミュニティ。最も進んでいるのは{best_label.ja}: {'、'.join(best_names)}。"
            f"中央値は第{typical}段階" + (f"（うち記録なし{len(unrecorded)}）" if unrecorded else ""),
            f"{len(placed)} communities. Furthest: {best_label.en}: {', '.join(best_names)}. Median stage {typical}"
            + (f" ({len(unrecorded)} with no evidence recorded)" if unrecorded else ""),
            best_ids,
        )
    ]
    lead = next(s for s in placed if s.stage == best)
    return AreaStage(
        area=area.code,
        kind=area.kind,
        name=area.name,
        communities=[s.community_id for s in placed],
        best_stage=best,
        best_communities=best_ids,
        typical_stage=typical,
        distribution=distribution,
        evidence=found,
        advice=lead.advice,
    )


def engagement_stage(
    data: GraphData, scope: Scope | None = None, *, rules: StageRules = DEFAULT_RULES
) -> EngagementStages:
    """Place each community in ``scope`` (and each region) on the three-stage approach.

    Definition: practice 11 of the METI practice collection (seed 001) with practice 5's hand-over;
    the rules and thresholds are data (:data:`DEFAULT_RULES`, ``stage_rules.json``; change them with
    :meth:`StageRules.adjusted` or :meth:`StageRules.from_file`). A community is at the highest stage
    whose own rules are all met; unmet rules of earlier stages are gaps of the record (``gaps``,
    ``summary_ja``), never a lower stage; with nothing recorded it is 「記録なし」. Each community
    carries the evidence of every rule met and, for the next stage and the gaps, the rules missing
    and what would meet them. An area's stage is the best of its
    communities (which ones, named) and the typical one (lower median).
    """
    scope = scope or Scope()
    check_community(data, scope)
    with shared_inputs():
        return stages_on(activity_index(data, scope.as_of), scope, rules)


def stages_on(index: ActivityIndex, scope: Scope, rules: StageRules = DEFAULT_RULES) -> EngagementStages:
    """:func:`engagement_stage` on an index already cut to the scope's date (to share it)."""
    placed = {cid: community_stage(index.activity(cid), rules) for cid in community_ids_in_scope(index.data, scope)}
    return EngagementStages(
        scope=scope.describe(),
        as_of=index.reference_date,
        rules_title_ja=rules.title_ja,
        rules_title_en=rules.title_en,
        communities=[placed[c] for c in sorted(placed)],
        areas=[area_stage(area, placed, rules) for area in scope_areas(index.data, scope)],
    )
