"""One way to cut a list of names and one way to say a community is not there, used everywhere."""

from __future__ import annotations

import pytest

from secgraph.analysis.registry import ANALYSES
from secgraph.model.graph import CommunityNotFound, GraphData
from secgraph.model.listing import listed, more_text
from secgraph.viz.profile import environment


def test_a_list_cut_to_fit_says_how_many_more_in_each_language() -> None:
    names = ["甲", "乙", "丙", "丁"]
    assert listed(names, 2) == "甲、乙 ほか2"
    assert listed(names, 2, "en") == "甲, 乙 and 2 more"
    assert listed(names, 2, "ja/en") == "甲、乙 ほか2 / 2 more"
    assert listed(names, 4) == listed(names, 9) == "甲、乙、丙、丁"
    asked: list[str] = []
    assert listed(["a", "b", "c"], 1, name=lambda i: asked.append(i) or i.upper()) == "A ほか2"
    assert asked == ["a"], "names are made for the shown items only"
    assert more_text(3, "ja/en") == "ほか3 / 3 more"
    # A list inside a list marks its names apart: 「甲・乙 ほか2」、「丙」.
    assert listed(names, 2, between="・") == "甲・乙 ほか2"
    assert listed(names, 2, "en", between=" / ") == "甲 / 乙 and 2 more"


def test_the_documents_cut_lists_the_same_way() -> None:
    more = environment().from_string('{% from "_macros.html.j2" import names %}{{ names(items, 2) }}')
    assert more.render(items=["甲", "乙", "丙"]) == f'甲、乙 <span class="more">{more_text(1, "ja/en")}</span>'


@pytest.mark.parametrize("slug", list(ANALYSES))
def test_every_analysis_says_an_unknown_community_is_not_found(seed: GraphData, slug: str) -> None:
    analysis = ANALYSES[slug]
    own = {"group_a": "police", "group_b": "university", "earlier": "2020-01-01", "later": "2021-01-01"}
    parameters = analysis.parameters_of(
        community="com-nowhere", **{k: v for k, v in own.items() if k in analysis.own_parameters}
    )
    with pytest.raises(CommunityNotFound) as raised:
        analysis.run(seed, parameters)
    assert str(raised.value) == "community 'com-nowhere' not found / コミュニティ「com-nowhere」が見つかりません"
    assert isinstance(raised.value, KeyError)
