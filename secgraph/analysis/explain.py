"""How every analysis result explains itself: the evidence behind it and what to do next.

A planner reading a result must see *why* — which ties, which events, which numbers — in Japanese
with English beside it. Results are pydantic models so the API serves them as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.network import reuse
from secgraph.model.graph import GraphData
from secgraph.model.records import Relationship
from secgraph.model.ties import is_inferred


class Evidence(ResultModel):
    """One fact a result rests on."""

    kind: Literal["relationship", "event", "node", "number", "rule"] = Field(
        description="根拠の種類 / What kind of fact"
    )
    ids: list[str] = Field(default_factory=list, description="根拠となる記録のID / Ids of the records")
    ja: str = Field(description="説明（日本語） / Explanation in Japanese")
    en: str = Field(description="Explanation in English / 説明（英語）")
    inferred: list[str] = Field(
        default_factory=list,
        description="この根拠が拠る推定の関係のID（空なら資料に明記された関係のみ） "
        "/ Ids of the inferred ties this fact rests on (empty: stated ties only)",
    )


class Advice(ResultModel):
    """A next step the result suggests."""

    ja: str
    en: str


def evidence(kind: str, ja: str, en: str, ids: list[str] | None = None) -> Evidence:
    return Evidence(kind=kind, ids=sorted(set(ids or [])), ja=ja, en=en)  # type: ignore[arg-type]


#: Marks an evidence line that rests on an inferred tie, after its text.
INFERRED_JA = "（推定の関係を含む）"
INFERRED_EN = " (includes an inferred tie)"

R = TypeVar("R", bound=BaseModel)


def mark_inferred(result: R, data: GraphData) -> R:
    """``result`` with every evidence line that rests on an inferred tie marked (its ``inferred``
    ids, and the words 「推定の関係を含む」 / "includes an inferred tie" after its text).

    A line rests on an inferred tie when it names the tie itself, or names one end of it and the
    other end is named by the line or anywhere else in the result (the community, event or body
    the result is about): the line then speaks of that tie.
    """
    # Every relationship is read: once per data object inside ``shared_inputs`` (every analysis asks).
    inferred = reuse("inferred_ties", data, None, lambda: [r for r in data.relationships.values() if is_inferred(r)])
    if not inferred:
        return result
    mentioned = {text for text in _texts(result) if text in data.nodes}
    return _marked(result, inferred, mentioned)


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        if isinstance(value, Evidence):
            return  # what a result is about, not what its evidence names
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)


def _ties_of(line: Evidence, inferred: list[Relationship], mentioned: set[str]) -> list[str]:
    named = set(line.ids)
    return sorted(
        str(rel.id)
        for rel in inferred
        if rel.id in named
        or (rel.from_id in named and (rel.to_id in named or rel.to_id in mentioned))
        or (rel.to_id in named and (rel.from_id in named or rel.from_id in mentioned))
    )


def _marked(value: Any, inferred: list[Relationship], mentioned: set[str]) -> Any:
    if isinstance(value, Evidence):
        ties = _ties_of(value, inferred, mentioned)
        if not ties:
            return value
        return value.model_copy(
            update={
                "inferred": sorted({*value.inferred, *ties}),
                "ja": value.ja if value.ja.endswith(INFERRED_JA) else value.ja + INFERRED_JA,
                "en": value.en if value.en.endswith(INFERRED_EN) else value.en + INFERRED_EN,
            }
        )
    if isinstance(value, BaseModel):
        changes = {}
        for name in type(value).model_fields:
            old = getattr(value, name)
            new = _marked(old, inferred, mentioned)
            if new is not old:
                changes[name] = new
        return value.model_copy(update=changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [_marked(item, inferred, mentioned) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
        return value
    if isinstance(value, dict):
        items_d = {key: _marked(item, inferred, mentioned) for key, item in value.items()}
        if any(items_d[key] is not item for key, item in value.items()):
            return items_d
        return value
    return value
