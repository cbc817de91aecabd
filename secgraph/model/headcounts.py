"""Adding up headcounts (「企業14社」「参加者約60名」): the one rule every analysis and chart uses.

Counts of one subject, kind and date are read together. A count with neither sector nor group is a
whole (a total); counts by sector or group are the parts a document split it into, and add up to a
whole of their own. A count marked ``part_of`` another (内数: 「うちITコーディネータ18名」) is a
subset of a count already there: it is never added to anything, so nobody is counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from secgraph.model.records import Headcount
from secgraph.model.vocabulary import Sector, SectorGroup, sector_group

#: ``part_of`` value naming the whole count of the subject, kind and date (総数), whether it is a
#: row of its own, the event's own figure or the sum of the parts.
WHOLE = "total"


@dataclass(frozen=True)
class HeadcountSum:
    """What a set of counts of one subject and kind says: the number (the larger of the largest
    whole and the sum of the parts by sector or group, subsets left out), whether any number behind
    it was approximate (約), and the parts by sector group."""

    count: int
    approximate: bool
    by_group: dict[str, int] = field(default_factory=dict)


def adds_up(count: Headcount) -> bool:
    """Whether ``count`` takes part in a sum: a subset of another count (``part_of``) never does."""
    return count.part_of is None


def sum_headcounts(counts: Iterable[Headcount]) -> HeadcountSum | None:
    """The sum of ``counts`` (see the module's rule); None when there are none."""
    rows = [h for h in counts if adds_up(h)]
    if not rows:
        return None
    wholes = [h for h in rows if h.sector is None and h.group is None]
    parts = [h for h in rows if h.sector is not None or h.group is not None]
    largest_whole = max(wholes, key=lambda h: (h.count, not h.approximate), default=None)
    parts_total = sum(h.count for h in parts)
    if largest_whole is not None and largest_whole.count >= parts_total:
        count, approximate = largest_whole.count, largest_whole.approximate
    else:
        count, approximate = parts_total, any(h.approximate for h in parts)
    by_group: dict[str, int] = defaultdict(int)
    for h in parts:
        group = sector_group(Sector(h.sector)) if h.sector else SectorGroup(h.group)
        by_group[str(group)] += h.count
    return HeadcountSum(count, approximate, dict(sorted(by_group.items())))
