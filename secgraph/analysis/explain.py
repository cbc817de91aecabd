"""How every analysis result explains itself: the evidence behind it and what to do next.

A planner reading a result must see *why* — which ties, which events, which numbers — in Japanese
with English beside it. Results are pydantic models so the API serves them as they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from secgraph.analysis.glossary import ResultModel


class Evidence(ResultModel):
    """One fact a result rests on."""

    kind: Literal["relationship", "event", "node", "number", "rule"] = Field(
        description="根拠の種類 / What kind of fact"
    )
    ids: list[str] = Field(default_factory=list, description="根拠となる記録のID / Ids of the records")
    ja: str = Field(description="説明（日本語） / Explanation in Japanese")
    en: str = Field(description="Explanation in English / 説明（英語）")


class Advice(ResultModel):
    """A next step the result suggests."""

    ja: str
    en: str


def evidence(kind: str, ja: str, en: str, ids: list[str] | None = None) -> Evidence:
    return Evidence(kind=kind, ids=sorted(set(ids or [])), ja=ja, en=en)  # type: ignore[arg-type]
