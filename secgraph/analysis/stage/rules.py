"""The rules of the three-stage approach, as a user reads and adjusts them in ``stage_rules.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field, model_validator

from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.stage.measures import MEASURES

RULES_FILE = Path(__file__).parent.parent / "stage_rules.json"


class StageRule(ResultModel):
    """One rule of the approach: met when ``measure`` is at least ``threshold``."""

    id: str
    stage: int = Field(ge=1, le=3)
    measure: str = Field(description="計算する量 / The measure the rule tests")
    threshold: float = Field(ge=0, description="基準値 / Threshold")
    params: dict[str, float] = Field(default_factory=dict, description="測り方の設定 / Settings of the measure")
    unit_ja: str = ""
    unit_en: str = ""
    #: What the record lacks when the rule is not met, as a noun (「ロングリスト」 → 「ロングリストの記録なし」).
    gap_ja: str = ""
    gap_en: str = ""
    ja: str
    en: str
    advice_ja: str
    advice_en: str


class StageLabel(ResultModel):
    stage: int = Field(ge=0, le=3)
    ja: str
    en: str


class StageText(ResultModel):
    ja: str
    en: str


class StageRules(ResultModel):
    """The rules of the three-stage approach, as a user reads them in ``stage_rules.json``."""

    title_ja: str = ""
    title_en: str = ""
    source_ja: str = ""
    source_en: str = ""
    how_ja: str = ""
    how_en: str = ""
    stages: list[StageLabel]
    #: The label of a community with nothing recorded (no measure above zero), instead of stage 0's.
    no_evidence: StageText = Field(default_factory=lambda: StageText(ja="記録なし", en="no evidence recorded"))
    rules: list[StageRule]

    @model_validator(mode="after")
    def _check(self) -> StageRules:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique / ルールIDが重複しています")
        for rule in self.rules:
            if rule.measure not in MEASURES:
                known = ", ".join(sorted(MEASURES))
                raise ValueError(f"rule {rule.id}: unknown measure '{rule.measure}' (known: {known}) / 不明な測度です")
        if {label.stage for label in self.stages} != {0, 1, 2, 3}:
            raise ValueError("stages 0-3 each need a label / 段階0〜3の名称が必要です")
        return self

    @classmethod
    def from_file(cls, path: str | Path) -> StageRules:
        return cls.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))

    def adjusted(
        self,
        thresholds: Mapping[str, float] | None = None,
        params: Mapping[str, Mapping[str, float]] | None = None,
    ) -> StageRules:
        """The same rules with other thresholds or params, by rule id."""
        known = {rule.id for rule in self.rules}
        unknown = sorted((set(thresholds or {}) | set(params or {})) - known)
        if unknown:
            raise KeyError(f"unknown rule ids {unknown} / 不明なルールID: {', '.join(unknown)}")
        rules = []
        for rule in self.rules:
            changes: dict[str, object] = {}
            if thresholds and rule.id in thresholds:
                changes["threshold"] = float(thresholds[rule.id])
            if params and rule.id in params:
                changes["params"] = {**rule.params, **{k: float(v) for k, v in params[rule.id].items()}}
            rules.append(rule.model_copy(update=changes))
        return self.model_copy(update={"rules": rules})

    def label(self, stage: int) -> StageLabel:
        return next(label for label in self.stages if label.stage == stage)


DEFAULT_RULES = StageRules.from_file(RULES_FILE)


def rule_name(text: str) -> str:
    """A rule's name for tables and sentences: its statement up to the colon that starts the detail
    (「事務局がいる：事務局を担う団体…」 → 「事務局がいる」, "Someone convenes: the bodies…" → "Someone
    convenes"), so no reader sees a rule id."""
    for colon in ("：", ": "):
        if colon in text:
            return text.split(colon, 1)[0].strip()
    return text.strip()
