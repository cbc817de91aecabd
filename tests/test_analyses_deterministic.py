"""Committees compare meetings: the same data must give the same output, in the same order,
whatever order the records arrive in."""

from __future__ import annotations

import random
from typing import Any

import pytest

from secgraph.analysis.registry import ANALYSES
from secgraph.model.graph import GraphData

#: Each case: an analysis of the registry (by slug) and its parameters. Every analysis has a case.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "key-persons": ("key-persons", {"limit": 50}),
    "brokers-between": ("brokers-between", {"group_a": "police", "group_b": "university"}),
    "isolated-regions": ("isolated-regions", {}),
    "missing-sectors": ("missing-sectors", {}),
    "stage": ("stage", {}),
    "health": ("health", {}),
    "changes": ("changes", {"earlier": "2019-04-01", "later": "2021-03-31"}),
    "key-persons-kyushu-2020": ("key-persons", {"region": "mic-kyushu", "as_of": "2020-12-31"}),
}


def test_every_analysis_has_a_case() -> None:
    assert {slug for slug, _ in CASES.values()} == set(ANALYSES)


def shuffled(data: GraphData, seed: int) -> GraphData:
    rng = random.Random(seed)
    nodes = list(data.nodes.items())
    relationships = list(data.relationships.items())
    rng.shuffle(nodes)
    rng.shuffle(relationships)
    return GraphData(nodes=dict(nodes), relationships=dict(relationships))


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_data_in_any_order_gives_the_same_output(seed: GraphData, case: str) -> None:
    slug, values = CASES[case]
    analysis = ANALYSES[slug]
    parameters = analysis.parameters_of(**values)
    first = analysis.run(seed, parameters).model_dump_json()
    assert analysis.run(seed, parameters).model_dump_json() == first
    assert analysis.run(shuffled(seed, 7), parameters).model_dump_json() == first
