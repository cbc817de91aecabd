"""The filters lists take as query parameters, each documented in Japanese and English, and the
dependency that parses them (422 naming the parameter when a value means nothing)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query

from secgraph.api.queries import NodeFilters
from secgraph.api.services import Page, filters_or_422

#: name -> (description, example, longest value accepted)
FILTERS: dict[str, tuple[str, str, int]] = {
    "q": (
        "名前で検索（別名・略称・英語名も。株式会社の位置・全角半角・空白の違いは無視、部分一致） / Name search over "
        "names, aliases, abbreviations and English names; spelling variants match; substring",
        "トレンドマイクロ",
        200,
    ),
    "sector": ("セクター（コードまたは日本語・英語名） / Sector, code or label", "insurer", 100),
    "prefecture": ("都道府県（JISコード・名前・英語名） / Prefecture: JIS code, name or English", "27", 50),
    "region": ("地域（mic-kinki / meti-kinki / 近畿 など） / Region code or name", "mic-kinki", 50),
    "community": (
        "このコミュニティと直接の関係がある記録（ロングリスト・接触は除く） / Records with a direct tie to this "
        "community (long-list and contact ties do not count)",
        "com-wakayama",
        200,
    ),
    "event_type": ("種別（コードまたは名前） / Event type, code or label", "seminar", 50),
    "subject": ("数えられた対象のID / Id of what is counted", "com-wakayama", 200),
    "about": ("メモの対象のID / Id of the record noted", "com-wakayama", 200),
}


def filters(**applies_to: str) -> Callable[..., NodeFilters]:
    """A dependency taking the named filters as query parameters (the values say, in English, what
    each filter looks at for this kind of record)."""

    async def parse(**values: str | None) -> NodeFilters:
        return filters_or_422(**values)

    parameters = []
    for name, note in applies_to.items():
        text, example, longest = FILTERS[name]
        query = Query(max_length=longest, description=f"{text} — {note}" if note else text, examples=[example])
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[str | None, query]
            )
        )
    # FastAPI reads a dependency's parameters from its signature: only these filters are offered.
    parse.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return parse


def as_page(result: Page, items: list[Any] | None = None) -> dict[str, Any]:
    return {
        "total": result.total,
        "offset": result.offset,
        "limit": result.limit,
        "items": result.items if items is None else items,
    }
