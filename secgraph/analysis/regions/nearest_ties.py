"""The nearest ties: bodies and communities that could connect an isolated item, ranked.

A candidate is ranked by geographic proximity (same prefecture, then the same MIC area, then the
same METI area — the two jurisdictions do not always agree), by path length in the actor network
where the item has actors, and by how active the candidate already is. People are never proposed.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from pydantic import Field

from secgraph.analysis.areas import (
    PROXIMITY_LABELS,
    Proximity,
    RegionKind,
    area_of,
    community_areas,
    covered_prefectures,
    other_region,
    proximity,
)
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.facts import display, names_of
from secgraph.analysis.glossary import ResultModel
from secgraph.analysis.network_index import NetworkIndex
from secgraph.model.geography import prefecture_names
from secgraph.model.records import Community

#: How much being near counts: the same prefecture is where a body can actually meet.
PROXIMITY_WEIGHT: dict[str, float] = {"same_prefecture": 3.0, "same_mic_area": 2.0, "same_meti_area": 1.5}


def path_weight(distance: int | None) -> float:
    """How much a path in the actor network counts: 2.0 with one actor between, less the longer it is."""
    return 4.0 / distance if distance else 0.0


class NearestTie(ResultModel):
    """A body or community that could connect an isolated item, and why."""

    actor_id: str
    name: str
    kind: str = Field(description="Organisation / Community")
    sector: str | None = None
    prefectures: list[str] = Field(default_factory=list)
    proximity: Proximity | None = Field(default=None, description="地理的な近さ / How near it is")
    network_distance: int | None = Field(default=None, description="アクターネットワーク上の距離 / Path length")
    communities: list[str] = Field(default_factory=list, description="参加しているコミュニティ / Its communities")
    score: float
    reasons: list[Evidence]
    advice: Advice


@dataclass
class NearestTieIndex(NetworkIndex):
    """The network index plus the actors a nearest tie may be and where they are."""

    #: The actors a nearest tie may be (organisations and communities: people are never proposed), sorted.
    approachable: list[str] = field(default_factory=list)
    #: Those actors' prefectures and MIC and METI areas (what ``proximity`` compares).
    whereabouts: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = field(default_factory=dict)
    #: MIC or METI area → those of them located in it: only they can be near a place in the area.
    approachable_in: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: (nearness, prefecture or area) → the actors that near a target there could propose, best first
    #: (``nearest_ties_to``'s ranking), made on first use.
    _ranked: dict[tuple[str, str], list[tuple[float, str, str, float]]] | None = None

    def ranked(self, near: Proximity, where: str) -> list[tuple[float, str, str, float]]:
        """The actors that a target ``near`` to them by ``where`` (a prefecture for the same prefecture, an
        area for the same area) would rank, as ``(-score, actor, near, bonus)`` sorted: best first."""
        if self._ranked is None:
            self._ranked = _rank_approachable(self)
        return self._ranked.get((near, where), [])


def note_approachable(ix: NearestTieIndex) -> None:
    """Fill in the actors a nearest tie may be, with their prefectures and areas."""
    ix.approachable = sorted(a for a, kind in ix.network.nodes(data="kind") if kind != "Person")
    for actor_id in ix.approachable:
        located = frozenset(ix.located.get(actor_id, set()))
        mic, meti = (frozenset(area_of(p, kind) for p in located) for kind in ("mic", "meti"))
        ix.whereabouts[actor_id] = (located, mic, meti)
        for area in mic | meti:
            ix.approachable_in[area].add(actor_id)


def _activity_bonus(communities: int, events: int) -> float:
    """Already active bodies are easier to bring in; capped so nearness still decides."""
    return min(1.0, 0.25 * communities + 0.05 * events)


def _community_bonus(ix: NetworkIndex, community_id: str) -> float:
    """A community with members and events can carry a newcomer; capped like ``_activity_bonus``."""
    return min(1.0, 0.05 * len(ix.members.get(community_id, set())) + 0.1 * len(ix.parts.get(community_id, set())))


def _tie(
    ix: NearestTieIndex,
    actor_id: str,
    near: Proximity | None,
    distance: int | None,
    reasons: list[Evidence],
    advice: Advice,
    bonus: float,
) -> NearestTie:
    node = ix.network.nodes[actor_id]
    score = PROXIMITY_WEIGHT.get(near or "", 0.0) + path_weight(distance) + bonus
    return NearestTie(
        actor_id=actor_id,
        name=node["name"],
        kind=node["kind"],
        sector=node["sector"] if node["kind"] != "Community" else None,
        prefectures=sorted(ix.located.get(actor_id, set())),
        proximity=near,
        network_distance=distance,
        communities=sorted(ix.memberships.get(actor_id, set())),
        score=round(score, 3),
        reasons=reasons,
        advice=advice,
    )


def _near_reason(ix: NearestTieIndex, actor_id: str, near: Proximity, targets: set[str]) -> Evidence:
    ja, en = PROXIMITY_LABELS[near]
    where_ja = prefecture_names(ix.located[actor_id])
    where_en = prefecture_names(ix.located[actor_id], "en")
    return evidence(
        "node",
        f"{display(ix.data, actor_id)}は{where_ja}（対象の{prefecture_names(targets)}と{ja}）",
        f"{display(ix.data, actor_id)} is in {where_en} ({en} as {prefecture_names(targets, 'en')})",
        [actor_id],
    )


def nearest_ties_to(
    ix: NearestTieIndex, targets: set[str], exclude: set[str], limit: int, within: set[str] | None = None
) -> list[NearestTie]:
    """Bodies and communities near ``targets`` that could connect them, best first.

    Organisations located in the target prefectures always qualify (in no community: recruit them; in
    one elsewhere: they already have a way in). Organisations of the same MIC or METI area qualify when
    they are in a community; communities when they cover a near prefecture and have members or events.
    """
    if not targets:
        return []  # nothing is near nowhere (``proximity``)
    if limit <= 0:
        ranked = _nearest_by_scan(ix, targets, exclude, within)[:limit]
        return [_nearest_tie(ix, actor_id, near, bonus, targets) for _, actor_id, near, bonus in ranked]
    target_areas = (frozenset(area_of(p, "mic") for p in targets), frozenset(area_of(p, "meti") for p in targets))
    # Every actor near the targets is in the ranked list of its nearness for a target prefecture or
    # area, with the score it gets; merging those lists gives ``_nearest_by_scan``'s order without
    # scoring every body of the areas for every item. An entry whose nearness is not the actor's own
    # (a body of the same MIC area that is in a target prefecture too) is passed over: its own entry
    # ranks it.
    streams = [ix.ranked("same_prefecture", p) for p in sorted(targets)]
    streams += [ix.ranked("same_mic_area", a) for a in sorted(target_areas[0])]
    streams += [ix.ranked("same_meti_area", a) for a in sorted(target_areas[1])]
    found: list[NearestTie] = []
    taken: set[str] = set()
    for _, actor_id, near, bonus in heapq.merge(*streams):
        if actor_id in taken or actor_id in exclude or (within is not None and actor_id not in within):
            continue
        if _nearness(ix.whereabouts[actor_id], targets, target_areas) != near:
            continue
        taken.add(actor_id)
        found.append(_nearest_tie(ix, actor_id, near, bonus, targets))  # type: ignore[arg-type]
        if len(found) == limit:
            break
    return found


def _nearest_by_scan(
    ix: NearestTieIndex, targets: set[str], exclude: set[str], within: set[str] | None = None
) -> list[tuple[float, str, Proximity, float]]:
    """``nearest_ties_to``'s ranking by its definition: every body and community of the targets' areas
    scored, as ``(-score, actor, nearness, bonus)`` sorted."""
    target_areas = (frozenset(area_of(p, "mic") for p in targets), frozenset(area_of(p, "meti") for p in targets))
    ranked: list[tuple[float, str, Proximity, float]] = []
    # Near means sharing a prefecture (so its MIC area), a MIC area or a METI area: only bodies and
    # communities of the targets' areas can be; a person is never proposed.
    for actor_id in set().union(*(ix.approachable_in.get(area, set()) for areas in target_areas for area in areas)):
        if actor_id in exclude or (within is not None and actor_id not in within):
            continue
        near = _nearness(ix.whereabouts[actor_id], targets, target_areas)
        if near is None:
            continue
        scored = _approach_score(ix, actor_id, near)
        if scored is not None:
            ranked.append((scored[0], actor_id, near, scored[1]))
    ranked.sort()
    return ranked


def _approach_score(ix: NearestTieIndex, actor_id: str, near: Proximity) -> tuple[float, float] | None:
    """(-score, bonus) of an actor ``near`` a target, or None when it does not qualify at that nearness."""
    events = ix.parts.get(actor_id, set())
    if ix.network.nodes[actor_id]["kind"] == "Organisation":
        comms = ix.memberships.get(actor_id, set())
        if near != "same_prefecture" and not comms:
            return None
        bonus = _activity_bonus(len(comms), len(events))
    else:
        if not ix.members.get(actor_id) and not events:
            return None
        bonus = _community_bonus(ix, actor_id)
    # The score ``_tie`` gives, so that only the best few get their reasons written.
    return -round(PROXIMITY_WEIGHT[near] + path_weight(None) + bonus, 3), bonus


def _rank_approachable(ix: NearestTieIndex) -> dict[tuple[str, str], list[tuple[float, str, str, float]]]:
    """``_Index.ranked`` for every prefecture and area at once."""
    ranked: dict[tuple[str, str], list[tuple[float, str, str, float]]] = defaultdict(list)
    for actor_id in ix.approachable:
        located, mic, meti = ix.whereabouts[actor_id]
        if not located:
            continue  # ``_nearness``: an actor located nowhere is near nothing
        for near, places in (("same_prefecture", located), ("same_mic_area", mic), ("same_meti_area", meti)):
            scored = _approach_score(ix, actor_id, near)  # type: ignore[arg-type]
            if scored is not None:
                for where in places:
                    ranked[(near, where)].append((scored[0], actor_id, near, scored[1]))
    for entries in ranked.values():
        entries.sort()
    return dict(ranked)


def _nearness(
    whereabouts: tuple[frozenset[str], frozenset[str], frozenset[str]],
    targets: set[str],
    target_areas: tuple[frozenset[str], frozenset[str]],
) -> Proximity | None:
    """``proximity`` with the areas of both sides worked out beforehand (it runs for every body, per item)."""
    located, mic, meti = whereabouts
    if not located:
        return None
    if not located.isdisjoint(targets):
        return "same_prefecture"
    if not mic.isdisjoint(target_areas[0]):
        return "same_mic_area"
    if not meti.isdisjoint(target_areas[1]):
        return "same_meti_area"
    return None


def _nearest_tie(ix: NearestTieIndex, actor_id: str, near: Proximity, bonus: float, targets: set[str]) -> NearestTie:
    """A nearest tie with its reasons and advice."""
    comms = ix.memberships.get(actor_id, set())
    events = ix.parts.get(actor_id, set())
    reasons = [_near_reason(ix, actor_id, near, targets)]
    name = display(ix.data, actor_id)
    if ix.network.nodes[actor_id]["kind"] == "Organisation":
        if comms:
            reasons.append(
                evidence(
                    "relationship",
                    f"{name}は{names_of(ix.data, comms)}に参加している",
                    f"{name} takes part in {len(comms)} communit(ies): {names_of(ix.data, comms)}",
                    sorted(comms),
                )
            )
            advice = Advice(
                ja=f"{name}に、参加している{names_of(ix.data, comms, 2)}とのつなぎ役を依頼する",
                en=f"Ask {name} to connect them with {names_of(ix.data, comms, 2)}, where it already takes part",
            )
        else:
            reasons.append(evidence("node", f"{name}はどのコミュニティにも属していない", f"{name} is in no community"))
            advice = Advice(
                ja=f"{name}を個別訪問し（第1段階）、最寄りのコミュニティへの参加を提案する",
                en=f"Visit {name} one-to-one (stage 1) and invite it to the nearest community",
            )
    else:
        members = ix.members.get(actor_id, set())
        reasons.append(
            evidence(
                "number",
                f"{name}: 構成員{len(members)}、イベント{len(events)}",
                f"{name}: {len(members)} members, {len(events)} events",
                [actor_id],
            )
        )
        advice = Advice(
            ja=f"{name}に、対象地域でのイベント開催や構成員の募集を働きかける",
            en=f"Ask {name} to hold an event in the area and recruit members there",
        )
    return _tie(ix, actor_id, near, None, reasons, advice, bonus)


def _best(ties: list[NearestTie], limit: int) -> list[NearestTie]:
    return sorted(ties, key=lambda t: (-t.score, t.actor_id))[:limit]


def nearest_communities(
    ix: NearestTieIndex, community: Community, own: set[str], kind: RegionKind, limit: int
) -> list[NearestTie]:
    """Communities of another region near by geography or by a short path in the actor network."""
    paths = nx.single_source_shortest_path(ix.network, community.id) if community.id in ix.network else {}
    covered = covered_prefectures(community)
    found: list[NearestTie] = []
    for other_id in sorted(ix.communities):
        other = ix.communities[other_id]
        if other_id == community.id or not other_region(own, community_areas(other, kind)):
            continue
        near = proximity(covered_prefectures(other), covered)
        path = paths.get(other_id)
        distance = len(path) - 1 if path else None
        if near is None and distance is None:
            continue
        reasons: list[Evidence] = []
        if near is not None:
            reasons.append(_near_reason(ix, other_id, near, covered))
        if path:
            between = path[1:-1]
            reasons.append(
                evidence(
                    "relationship",
                    f"ネットワーク上で{len(path) - 1}歩: {' → '.join(display(ix.data, p) for p in path)}",
                    f"{len(path) - 1} steps apart in the actor network, via {len(between)} actor(s)",
                    path,
                )
            )
        advice = Advice(
            ja=f"{community.name}と{other.name}で講師の相互派遣や共同イベントを企画する",
            en=f"Plan an exchange of speakers or a joint event between {community.name} and {other.name}",
        )
        found.append(_tie(ix, other_id, near, distance, reasons, advice, _community_bonus(ix, other_id)))
    return _best(found, limit)
