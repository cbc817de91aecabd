"""When a tie holds, and the one thing every layer asks of a person's ties: where they work now.

A tie without a start date counts from its ``as_of`` (the date a document showed it), since nothing
earlier is known of it. A tie derived from a record's own field (its place, series or subject) or from
the built-in geography has no dates of its own: it holds whenever its two records are there. Dates
are compared as dates (``model.dates``: ISO, 和暦, partial dates), never as the text they were
written in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from secgraph.model.dates import parse_date
from secgraph.model.graph import GraphData
from secgraph.model.records import Relationship
from secgraph.model.vocabulary import DERIVED_REL_TYPES, Certainty, RelType

_DERIVED = frozenset(DERIVED_REL_TYPES)


@lru_cache(maxsize=1 << 16)
def date_first_day(text: str) -> dt.date:
    """The first day a written date (``2014-09``, ``2021``) can mean; each text parsed once."""
    return parse_date(text).first_day()


@lru_cache(maxsize=1 << 16)
def date_last_day(text: str) -> dt.date:
    """The last day a written date can mean; each text parsed once."""
    return parse_date(text).last_day()


def tie_start(rel: Relationship) -> dt.date:
    """When a tie is first known to hold: its start, or else the date a document showed it."""
    return date_first_day(rel.start or rel.as_of)


def tie_holds_on(rel: Relationship, day: dt.date) -> bool:
    """Whether the tie had begun by ``day`` and not ended before it; a derived tie
    (``DERIVED_REL_TYPES``) always holds, since its ``as_of`` is when its record was written down."""
    if rel.type in _DERIVED:
        return True
    if tie_start(rel) > day:
        return False
    return rel.end is None or date_last_day(rel.end) >= day


def current_employers(
    data: GraphData, day: dt.date | None = None, *, works_at: Iterable[Relationship] | None = None
) -> dict[str, str]:
    """Person id → the id of the organisation they currently work at (現在の所属先).

    The rule, the only one in secgraph: among the person's WORKS_AT ties to an organisation in
    ``data`` that hold on ``day`` (all of them when ``day`` is None, as in a snapshot already cut to
    its day), an open tie (no end) comes before one with an end; then the latest start
    (``tie_start``, compared as dates); then the smallest organisation id, then the smallest tie id.
    A person with no such tie is absent.

    ``works_at`` is the WORKS_AT ties of ``data`` when the caller has them already (the analyses keep
    the ties of each type); otherwise every relationship is read.
    """
    best: dict[str, tuple[bool, int, str, str]] = {}
    for rel in data.relationships.values() if works_at is None else works_at:
        if rel.type != RelType.WORKS_AT or rel.to_id not in data.nodes:
            continue
        if day is not None and not tie_holds_on(rel, day):
            continue
        # smallest key wins: open first, then the latest start, then the ids
        key = (rel.end is not None, -tie_start(rel).toordinal(), rel.to_id, str(rel.id))
        known = best.get(rel.from_id)
        if known is None or key < known:
            best[rel.from_id] = key
    return {person: key[2] for person, key in sorted(best.items())}


def is_inferred(rel: Relationship) -> bool:
    """Whether the tie was inferred by whoever entered it rather than stated by a document."""
    return rel.certainty == Certainty.INFERRED


def without_inferred(data: GraphData) -> GraphData:
    """``data`` with the inferred ties left out (``data`` itself when it has none)."""
    if not any(is_inferred(rel) for rel in data.relationships.values()):
        return data
    return GraphData(
        nodes=data.nodes,
        relationships={rel_id: rel for rel_id, rel in data.relationships.items() if not is_inferred(rel)},
        names_hidden=data.names_hidden,
        cut_on=data.cut_on,
    )
