"""Which ties of a network still hold: ties with some evidence within a window of fiscal years.

A tie whose latest evidence is a 2009 sponsorship says little about who links whom today. The
findings that something hangs on one actor — a region that "connects only through" it
(``isolated_regions``' single bridges), communities it is "the only link between" (key persons'
sole links) — are judged on the ties shown within the last ``tie_window_years`` fiscal years up to
the scope's date (or the data's latest date). The other measures read every tie.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from secgraph.analysis.index import NetworkArrays, network_arrays
from secgraph.analysis.measures import RemovalPieces, removal_pieces
from secgraph.analysis.network import Scope, actor_network, date_first_day, network_key, reference_day, reuse
from secgraph.model.dates import fiscal_year
from secgraph.model.graph import GraphData
from secgraph.model.records import Event, EventSeries, Node, Relationship

#: The default window: ties shown within the last five fiscal years count as holding.
TIE_WINDOW_YEARS = 5


def tie_window_start(data: GraphData, as_of: dt.date | None, tie_window_years: int | None) -> dt.date | None:
    """The first day of the window: April 1 of the fiscal year ``tie_window_years − 1`` before the one
    holding ``as_of`` (or the data's latest date). None (every tie holds) when the window is None."""
    if tie_window_years is None:
        return None
    if tie_window_years < 1:
        raise ValueError("tie_window_years must be at least 1 / 関係の有効期間は1年度以上にしてください")
    reference = reference_day(data, as_of)
    return dt.date(max(1, fiscal_year(reference) - tie_window_years + 1), 4, 1)


def last_shown(record: Relationship | Node | None) -> dt.date:
    """The latest day a record shows a tie on: a relationship's start, observation or end; an event's
    day (its end, else its start); a series' observation or end. ``date.min`` when it shows none."""
    if isinstance(record, Relationship):
        dates: tuple[str | None, ...] = (record.start, record.as_of, record.end)
    elif isinstance(record, Event):
        dates = (record.end or record.start,)
    elif record is not None:
        dates = (record.as_of, getattr(record, "until", None))
    else:
        dates = ()
    return max((date_first_day(d) for d in dates if d), default=dt.date.min)


def fresh_ties(data: GraphData, scope: Scope, window_start: dt.date | None, *, local_only: bool = False) -> np.ndarray:
    """Which ties of the scope's network (``network_arrays(data, scope, local_only=…)``, in its tie
    order) some evidence in ``data`` shows on or after ``window_start``: one of its relationships, or
    one of the events (or series) behind it (``last_shown``). Every tie when there is no window.
    Inside ``shared_inputs`` judged once per network and window (isolated regions and key persons
    both ask for the country's)."""
    records, dated = network_key(data, scope)
    arrays = network_arrays(records, dated, local_only=local_only)
    if window_start is None:
        return np.ones(arrays.m, dtype=bool)
    return reuse(
        "fresh_ties", records, (dated, local_only, window_start), lambda: _fresh_ties(records, arrays, window_start)
    )


def holding_removal_pieces(
    data: GraphData, scope: Scope, window_start: dt.date | None, *, local_only: bool = False
) -> RemovalPieces:
    """``measures.removal_pieces`` of the scope's network on the ties that still hold (``fresh_ties``):
    whom each actor's removal would cut off from whom, judged on those ties. Inside ``shared_inputs``
    searched once per network and window (key persons' sole links and isolated regions' single
    bridges both ask for the country's)."""
    records, dated = network_key(data, scope)
    fresh = fresh_ties(records, dated, window_start, local_only=local_only)
    arrays = network_arrays(records, dated, local_only=local_only)
    return reuse(
        "holding_removal_pieces",
        records,
        (dated, local_only, window_start),
        lambda: removal_pieces(actor_network(records, dated, local_only=local_only), arrays=arrays, ties=fresh),
    )


def _fresh_ties(data: GraphData, arrays: NetworkArrays, window_start: dt.date) -> np.ndarray:
    ties = arrays.tie_data
    # Hundreds of thousands of ties fall on a few thousand events and series (what parts are held in):
    # each is judged once. Only a tie without a recent event has its relationships read.
    recent_events = {
        node_id
        for node_id, node in data.nodes.items()
        if isinstance(node, Event | EventSeries) and last_shown(node) >= window_start
    }
    relationships = data.relationships

    def fresh(edge: dict) -> bool:
        if not recent_events.isdisjoint(edge["events"]):
            return True
        held = edge["relationships"]
        return bool(held) and any(last_shown(relationships.get(r)) >= window_start for r in held)

    return np.fromiter(map(fresh, ties), dtype=bool, count=len(ties))
