"""What changed between two dates (since the last committee meeting): members who joined or left,
events held in between, each community's stage (with the rules whose result changed) and the
difference in every health indicator. Both dates are cut from the same data, so the comparison
shows what the records say held on each date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

from pydantic import Field

from secgraph.analysis.activity import ActivityIndex, CommunityActivity, activity_index
from secgraph.analysis.areas import check_community
from secgraph.analysis.explain import Evidence, evidence
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS, SectorNeed
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.health import HealthSummary, NetworkHealth, health_on
from secgraph.analysis.network import Scope, event_day, shared_inputs
from secgraph.analysis.stage.results import CommunityStage, EngagementStages, stages_on
from secgraph.analysis.stage.rules import DEFAULT_RULES, StageRules
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Relationship


class MemberChange(ResultModel):
    actor_id: str
    name: str
    role: Literal["member", "secretariat"]
    #: ``first_observed``: the tie has no start, so its date is when a list first showed it, not a join.
    change: Literal["joined", "first_observed", "left"]
    evidence: list[Evidence] = Field(default_factory=list)


class EventHeld(ResultModel):
    event_id: str
    title: str
    start: str
    series_id: str | None = None
    attendees: int | None = None


class RuleChange(ResultModel):
    rule_id: str
    stage: int
    earlier_value: float | None
    later_value: float | None
    earlier_met: bool | None
    later_met: bool | None


class StageChange(ResultModel):
    earlier: int | None
    later: int | None
    changed: bool
    #: Rules whose value or result differs between the dates.
    rules: list[RuleChange] = Field(default_factory=list)


class IndicatorDelta(ResultModel):
    code: str
    ja: str
    en: str
    earlier: float | None
    later: float | None
    delta: float | None = Field(description="後 − 前（どちらかが空なら空） / later − earlier")


class CommunityChanges(ResultModel):
    community_id: str
    name: str
    status: Literal["new", "existing", "gone"]
    changed: bool
    joined: list[MemberChange] = Field(default_factory=list)
    #: Members and secretariat bodies first observed between the dates (初回確認), with no start date:
    #: they may have joined at any time before.
    first_observed: list[MemberChange] = Field(default_factory=list)
    left: list[MemberChange] = Field(default_factory=list)
    events: list[EventHeld] = Field(default_factory=list)
    stage: StageChange
    health: list[IndicatorDelta] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)


class AreaChanges(ResultModel):
    area: str
    name: str
    best_stage: StageChange
    typical_stage: StageChange
    health: list[IndicatorDelta] = Field(default_factory=list)


class Changes(ResultModel):
    scope: str
    earlier: dt.date
    later: dt.date
    communities: list[CommunityChanges]
    areas: list[AreaChanges]

    def community(self, community_id: str) -> CommunityChanges:
        return next(c for c in self.communities if c.community_id == community_id)


def _deltas(earlier: HealthSummary | None, later: HealthSummary | None) -> list[IndicatorDelta]:
    rows = []
    reference = later or earlier
    if reference is None:
        return rows
    for indicator in reference.indicators:
        before = earlier.indicator(indicator.code).value if earlier else None
        after = later.indicator(indicator.code).value if later else None
        delta = round(after - before, 4) if before is not None and after is not None else None
        rows.append(
            IndicatorDelta(
                code=indicator.code, ja=indicator.ja, en=indicator.en, earlier=before, later=after, delta=delta
            )
        )
    return rows


def _stage_change(earlier: CommunityStage | None, later: CommunityStage | None) -> StageChange:
    before = {r.rule_id: r for r in earlier.rules} if earlier else {}
    after = {r.rule_id: r for r in later.rules} if later else {}
    order = [r.rule_id for r in (later or earlier).rules] if (later or earlier) else []  # type: ignore[union-attr]
    rules = []
    for rule_id in order:
        b, a = before.get(rule_id), after.get(rule_id)
        if b is not None and a is not None and b.value == a.value and b.met == a.met:
            continue
        rules.append(
            RuleChange(
                rule_id=rule_id,
                stage=(a or b).stage,  # type: ignore[union-attr]
                earlier_value=b.value if b else None,
                later_value=a.value if a else None,
                earlier_met=b.met if b else None,
                later_met=a.met if a else None,
            )
        )
    stage_before = earlier.stage if earlier else None
    stage_after = later.stage if later else None
    return StageChange(earlier=stage_before, later=stage_after, changed=stage_before != stage_after, rules=rules)


def _holders(act: CommunityActivity | None) -> dict[tuple[str, str], list[Relationship]]:
    """(actor, member|secretariat) → the relationships that show it."""
    if act is None:
        return {}
    held: dict[tuple[str, str], list[Relationship]] = {}
    for member, rels in act.member_rels.items():
        held[(member, "member")] = list(rels)
    for body in act.secretariat:
        held[(body, "secretariat")] = [
            r for r in act.index.by_from.get(body, []) if r.type == "SECRETARIAT_OF" and r.to_id == act.id
        ]
    return held


def _member_changes(
    before: CommunityActivity | None, after: CommunityActivity | None, index: ActivityIndex
) -> tuple[list[MemberChange], list[MemberChange], list[MemberChange]]:
    """Joined (a tie with a start between the dates), first observed (a tie without a start, whose
    date is when a list first showed it: 「初回確認」, not a join) and left."""
    held_before, held_after = _holders(before), _holders(after)

    def change(actor: str, role: str, kind: str, rels: list[Relationship]) -> MemberChange:
        ja, en = {
            "joined": ("加入", "joined"),
            "first_observed": ("初回確認（加入日の記録なし）", "first observed (no join date recorded)"),
            "left": ("退会・終了", "left or ended"),
        }[kind]
        if kind == "first_observed":
            seen = min(r.as_of for r in rels)
            ja, en = f"{ja}: {seen}", f"{en}: {seen}"
        return MemberChange(
            actor_id=actor,
            name=index.name(actor),
            role=role,  # type: ignore[arg-type]
            change=kind,  # type: ignore[arg-type]
            evidence=[evidence("relationship", ja, en, [str(r.id) for r in rels])],
        )

    arrived = sorted(set(held_after) - set(held_before))
    joined = [
        change(a, r, "joined", held_after[(a, r)]) for a, r in arrived if any(x.start for x in held_after[(a, r)])
    ]
    observed = [
        change(a, r, "first_observed", held_after[(a, r)])
        for a, r in arrived
        if not any(x.start for x in held_after[(a, r)])
    ]
    left = [change(a, r, "left", held_before[(a, r)]) for a, r in sorted(set(held_before) - set(held_after))]
    return joined, observed, left


def _activity(index: ActivityIndex, community_id: str) -> CommunityActivity | None:
    return index.activity(community_id) if isinstance(index.data.nodes.get(community_id), Community) else None


def changes_between(
    data: GraphData,
    earlier: dt.date,
    later: dt.date,
    scope: Scope | None = None,
    *,
    rules: StageRules = DEFAULT_RULES,
    dormant_months: int = 12,
    needs: tuple[SectorNeed, ...] = DEFAULT_SECTOR_NEEDS,
) -> Changes:
    """What changed in ``scope`` between ``earlier`` and ``later`` (``scope.as_of`` is ignored).

    Per community (sorted by id): members and secretariat bodies that joined or left (ties begun
    or ended between the dates; a tie with no start is 「初回確認 / first observed」 on its
    document's date, not a join), events it held after ``earlier`` up to ``later``, its stage on each
    date (:func:`engagement_stage`) with the rules whose value or result changed, and every health
    indicator on each date with the difference (:func:`network_health`). Per area: the best and
    typical stage and the health deltas. A community founded in between is ``new``.
    """
    if later <= earlier:
        raise ValueError("later must be after earlier / 後の日付は前の日付より後にしてください")
    scope = scope or Scope()
    check_community(data, scope)
    before_scope = dataclasses.replace(scope, as_of=earlier)
    after_scope = dataclasses.replace(scope, as_of=later)
    with shared_inputs():
        before_index, after_index = activity_index(data, earlier), activity_index(data, later)
        stages_before = stages_on(before_index, before_scope, rules)
        stages_after = stages_on(after_index, after_scope, rules)
        health_before = health_on(before_index, before_scope, dormant_months, needs)
        health_after = health_on(after_index, after_scope, dormant_months, needs)
    ids = sorted(
        {c.community_id for c in stages_before.communities} | {c.community_id for c in stages_after.communities}
    )
    return Changes(
        scope=scope.describe(),
        earlier=earlier,
        later=later,
        communities=[
            _community_changes(
                cid, earlier, before_index, after_index, stages_before, stages_after, health_before, health_after
            )
            for cid in ids
        ],
        areas=_area_changes(stages_before, stages_after, health_before, health_after),
    )


def _community_changes(
    cid: str,
    earlier: dt.date,
    before_index: ActivityIndex,
    after_index: ActivityIndex,
    stages_before: EngagementStages,
    stages_after: EngagementStages,
    health_before: NetworkHealth,
    health_after: NetworkHealth,
) -> CommunityChanges:
    before, after = _activity(before_index, cid), _activity(after_index, cid)
    status: Literal["new", "existing", "gone"] = "new" if before is None else "gone" if after is None else "existing"
    joined, observed, left = _member_changes(before, after, after_index)
    held = [e for e in (after.events if after else []) if event_day(e) > earlier]
    stage = _stage_change(
        next((c for c in stages_before.communities if c.community_id == cid), None),
        next((c for c in stages_after.communities if c.community_id == cid), None),
    )
    health = _deltas(
        next((h for h in health_before.communities if h.subject == cid), None),
        next((h for h in health_after.communities if h.subject == cid), None),
    )
    changed = bool(joined or observed or left or held or stage.changed or stage.rules or status != "existing")
    changed = changed or any(d.earlier != d.later for d in health)
    node = (after or before).community  # type: ignore[union-attr]
    summary = evidence(
        "number",
        f"加入 {len(joined)}、初回確認 {len(observed)}、退会 {len(left)}、開催 {len(held)}回、"
        f"段階 {_stage_text(stage)}",
        f"{len(joined)} joined, {len(observed)} first observed, {len(left)} left, {len(held)} events held, "
        f"stage {_stage_text(stage)}",
        [*(m.actor_id for m in (*joined, *observed, *left)), *(e.id for e in held)],
    )
    return CommunityChanges(
        community_id=cid,
        name=node.name,
        status=status,
        changed=changed,
        joined=joined,
        first_observed=observed,
        left=left,
        events=[
            EventHeld(event_id=e.id, title=e.title, start=e.start, series_id=e.series_id, attendees=e.attendees)
            for e in held
        ],
        stage=stage,
        health=health,
        evidence=[summary],
    )


def _stage_text(stage: StageChange) -> str:
    def text(value: int | None) -> str:
        return "-" if value is None else str(value)

    return f"{text(stage.earlier)}→{text(stage.later)}"


def _area_changes(
    stages_before: EngagementStages,
    stages_after: EngagementStages,
    health_before: NetworkHealth,
    health_after: NetworkHealth,
) -> list[AreaChanges]:
    before = {a.area: a for a in stages_before.areas}
    rows = []
    for area in stages_after.areas:
        old = before.get(area.area)
        best = StageChange(
            earlier=old.best_stage if old else None,
            later=area.best_stage,
            changed=(old.best_stage if old else None) != area.best_stage,
        )
        typical = StageChange(
            earlier=old.typical_stage if old else None,
            later=area.typical_stage,
            changed=(old.typical_stage if old else None) != area.typical_stage,
        )
        rows.append(
            AreaChanges(
                area=area.area,
                name=area.name,
                best_stage=best,
                typical_stage=typical,
                health=_deltas(
                    next((h for h in health_before.areas if h.subject == area.area), None),
                    next((h for h in health_after.areas if h.subject == area.area), None),
                ),
            )
        )
    return rows
