"""Committees compare meetings: the same data must give the same output, in the same order,
whatever order the records arrive in."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from pydantic import BaseModel

from secgraph.analysis import (
    Scope,
    changes_between,
    engagement_stage,
    isolated_regions,
    key_person_candidates,
    missing_sectors,
    network_health,
)
from secgraph.model.graph import GraphData

ANALYSES: dict[str, Callable[[GraphData], BaseModel]] = {
    "key_person_candidates": lambda d: key_person_candidates(d, limit=50),
    "isolated_regions": isolated_regions,
    "missing_sectors": missing_sectors,
    "engagement_stage": engagement_stage,
    "network_health": network_health,
    "changes_between": lambda d: changes_between(d, dt.date(2019, 4, 1), dt.date(2021, 3, 31)),
    "key_persons_kyushu_2020": lambda d: key_person_candidates(
        d, Scope(region="mic-kyushu", as_of=dt.date(2020, 12, 31))
    ),
}


def shuffled(data: GraphData, seed: int) -> GraphData:
    rng = random.Random(seed)
    nodes = list(data.nodes.items())
    relationships = list(data.relationships.items())
    rng.shuffle(nodes)
    rng.shuffle(relationships)
    return GraphData(nodes=dict(nodes), relationships=dict(relationships))


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_same_data_in_any_order_gives_the_same_output(seed: GraphData, name: str) -> None:
    analysis = ANALYSES[name]
    first = analysis(seed).model_dump_json()
    assert analysis(seed).model_dump_json() == first
    assert analysis(shuffled(seed, 7)).model_dump_json() == first
