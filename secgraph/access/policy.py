"""Who may write what. A write is a ``ChangeSet``; it is allowed only if every record it creates,
replaces or deletes is one the principal may write, judged on the graph before the change and (for
what the change creates or replaces) on the graph as it would be after it.

What a community owns is one rule, ``owners``: the community itself; the events and event series it
organises (主催: an ``ORGANISED`` tie from it), and the editions of a series it organises; headcounts
and notes on any of those. ``community_records`` (what community C owns) is that rule read per
community, and the secretariat's write policy below decides on the same rule.

- admin: everything.
- planner: notes (``Note``), and ``LONG_LISTED`` (ロングリスト) and ``CONTACTED`` (接触) ties —
  the planner's own working lists. A tie may not be changed into or out of those types.
- secretariat of community C writes C's records:
  * C itself (replace; not create or delete);
  * the events and series C owns, headcounts whose subject is one of those, notes about any of those;
  * every relationship that touches C or one of C's events or series (members, secretariat,
    partners, speakers, co-hosts …).
  Organisations and people are shared by every community (one body is a member of many, and names
  are merged across them), so a secretariat changes them through an administrator. A record that
  belongs to C before a change must still belong to C after it (a tie cannot be moved to another
  community). Who organises an event or series (directly or through its series) changes only by C
  adding or removing itself: C may not make another community an organiser (an ``ORGANISED`` tie
  from it, or C's event put into its series), may not take a record from another community that
  organises it (removing its tie, moving the event out of its series, deleting the record), and
  may claim an existing event or series as organiser only if nobody organises it yet.
- viewer: nothing.
"""

from __future__ import annotations

from collections import defaultdict

from secgraph.access.roles import Principal, Role
from secgraph.model.graph import GraphData
from secgraph.model.records import Node, Relationship
from secgraph.model.vocabulary import RelType
from secgraph.store.base import ChangeSet, Problem

PLANNER_NODE_KINDS = frozenset({"Note"})
PLANNER_REL_TYPES = frozenset({RelType.LONG_LISTED, RelType.CONTACTED})
_SHARED_KINDS = frozenset({"Organisation", "Person"})
_CORE_KINDS = frozenset({"Community", "Event", "EventSeries"})
_ORGANISED_KINDS = frozenset({"Event", "EventSeries"})
_DEPENDENT_KINDS = frozenset({"Headcount", "Note"})


def apply_change(data: GraphData, change: ChangeSet) -> GraphData:
    """The graph as it would be after ``change`` (without checks or derived ties)."""
    nodes = dict(data.nodes)
    relationships = dict(data.relationships)
    for rel_id in change.delete_relationship_ids:
        relationships.pop(rel_id, None)
    deleted = set(change.delete_node_ids)
    for node_id in deleted:
        nodes.pop(node_id, None)
    if deleted:  # both stores delete a node's relationships with it
        relationships = {k: r for k, r in relationships.items() if r.from_id not in deleted and r.to_id not in deleted}
    for node in change.nodes:
        nodes[node.id] = node
    for rel in change.relationships:
        relationships[str(rel.id)] = rel
    return GraphData(nodes=nodes, relationships=relationships)


def organisers(data: GraphData) -> dict[str, frozenset[str]]:
    """Who organises each event and series: the bodies (communities, organisations, people) with an
    ``ORGANISED`` tie to it, and for an edition of a series also those of the series. Records that
    nobody organises are absent."""
    direct: dict[str, set[str]] = defaultdict(set)
    for rel in data.relationships.values():
        if rel.type == RelType.ORGANISED:
            direct[rel.to_id].add(rel.from_id)
    result: dict[str, frozenset[str]] = {}
    for node in data.nodes.values():
        if node.kind not in _ORGANISED_KINDS:
            continue
        who = set(direct.get(node.id, ()))
        series_id = getattr(node, "series_id", None)
        if series_id:
            who |= direct.get(series_id, set())
        if who:
            result[node.id] = frozenset(who)
    return result


def owners(data: GraphData, organised_by: dict[str, frozenset[str]] | None = None) -> dict[str, frozenset[str]]:
    """The communities each record belongs to: a community to itself; an event or series to the
    communities among its ``organisers``; a headcount or note to those of the record it counts or is
    about (following a note about a note to the end). Organisations and people belong to none, and
    records that belong to nobody are absent. ``organised_by`` is ``organisers(data)`` when made."""
    organised_by = organisers(data) if organised_by is None else organised_by
    nodes = data.nodes
    result: dict[str, frozenset[str]] = {}
    for node in nodes.values():
        if node.kind == "Community":
            result[node.id] = frozenset({node.id})
        elif node.id in organised_by:
            communities = frozenset(o for o in organised_by[node.id] if _is_community(data, o))
            if communities:
                result[node.id] = communities
    for node in nodes.values():
        target: Node | None = node
        seen: set[str] = set()
        while target is not None and target.kind in _DEPENDENT_KINDS and target.id not in seen:
            seen.add(target.id)
            target = nodes.get(getattr(target, "subject_id", None) or getattr(target, "about_id", None) or "")
        if target is not None and target.kind not in _DEPENDENT_KINDS and target.id in result and target is not node:
            result[node.id] = result[target.id]
    return result


def community_records(data: GraphData, community_id: str) -> set[str]:
    """The ids of the records that belong to community ``community_id`` (see ``owners``)."""
    return {record_id for record_id, who in owners(data).items() if community_id in who}


def _is_community(data: GraphData, node_id: str) -> bool:
    node = data.nodes.get(node_id)
    return node is not None and node.kind == "Community"


def _refused(record: str, reason_en: str, reason_ja: str, field: str = "id") -> Problem:
    return Problem(record, field, f"{reason_en} / {reason_ja}")


def write_refusals(principal: Principal, before: GraphData, change: ChangeSet) -> list[Problem]:
    """Why ``principal`` may not make ``change`` (empty when it may)."""
    if principal.role == Role.ADMIN:
        return []
    if principal.role == Role.VIEWER:
        return [_refused("*", "viewers cannot write", "閲覧者は書き込めません", "role")]
    if principal.role == Role.PLANNER:
        return _planner_refusals(before, change)
    return _secretariat_refusals(str(principal.community_id), before, change)


def _planner_refusals(before: GraphData, change: ChangeSet) -> list[Problem]:
    problems: list[Problem] = []

    def node_ok(node: Node | None) -> bool:
        return node is None or node.kind in PLANNER_NODE_KINDS

    def rel_ok(rel: Relationship | None) -> bool:
        return rel is None or rel.type in PLANNER_REL_TYPES

    why_node = ("planners write only notes", "企画担当が書けるのはメモだけです")
    why_rel = ("planners write only LONG_LISTED and CONTACTED ties", "企画担当が書ける関係はロングリストと接触だけです")
    for node in change.nodes:
        if not (node_ok(node) and node_ok(before.nodes.get(node.id))):
            problems.append(_refused(node.id, *why_node))
    for node_id in change.delete_node_ids:
        if not node_ok(before.nodes.get(node_id)):
            problems.append(_refused(node_id, *why_node))
    for rel in change.relationships:
        if not (rel_ok(rel) and rel_ok(before.relationships.get(str(rel.id)))):
            problems.append(_refused(str(rel.id), *why_rel, field="type"))
    for rel_id in change.delete_relationship_ids:
        if not rel_ok(before.relationships.get(rel_id)):
            problems.append(_refused(rel_id, *why_rel, field="type"))
    return problems


def _secretariat_refusals(community_id: str, before: GraphData, change: ChangeSet) -> list[Problem]:
    after = apply_change(before, change)
    organised_before, organised_after = organisers(before), organisers(after)
    owned_before = {i for i, who in owners(before, organised_before).items() if community_id in who}
    owned_after = {i for i, who in owners(after, organised_after).items() if community_id in who}
    core_before = {i for i in owned_before if before.nodes[i].kind in _CORE_KINDS}
    core_after = {i for i in owned_after if after.nodes[i].kind in _CORE_KINDS}
    problems: list[Problem] = []
    not_ours = (
        f"not a record of community {community_id}",
        f"コミュニティ{community_id}の記録ではありません",
    )

    def touches(rel: Relationship, core: set[str]) -> bool:
        return rel.from_id in core or rel.to_id in core

    for node in change.nodes:
        existed = node.id in before.nodes
        if node.kind in _SHARED_KINDS:
            problems.append(
                _refused(
                    node.id,
                    "organisations and people are shared by all communities: ask an administrator",
                    "団体と人物は全コミュニティ共通の記録です。管理者に依頼してください",
                )
            )
        elif not _may_replace(node, community_id, existed, owned_before, owned_after):
            problems.append(_refused(node.id, *not_ours))
    for node_id in change.delete_node_ids:
        if node_id == community_id:
            problems.append(_refused(node_id, "a secretariat cannot delete its community", "コミュニティは削除不可"))
        elif node_id in before.nodes and node_id not in owned_before:
            problems.append(_refused(node_id, *not_ours))
    for rel in change.relationships:
        old = before.relationships.get(str(rel.id))
        if not touches(rel, core_after) or (old is not None and not touches(old, core_before)):
            problems.append(_refused(str(rel.id), *not_ours, field="from_id/to_id"))
    for rel_id in change.delete_relationship_ids:
        old = before.relationships.get(rel_id)
        if old is not None and not touches(old, core_before):
            problems.append(_refused(rel_id, *not_ours, field="from_id/to_id"))
    problems += _organiser_changes(community_id, before, after, organised_before, organised_after)
    return problems


def _may_replace(node: Node, community_id: str, existed: bool, owned_before: set[str], owned_after: set[str]) -> bool:
    """C's own node, before (if it existed) and after the change; the community only replaced."""
    if node.kind == "Community" and (node.id != community_id or not existed):
        return False
    return node.id in owned_after and (not existed or node.id in owned_before)


def _organiser_changes(
    community_id: str,
    before: GraphData,
    after: GraphData,
    organised_before: dict[str, frozenset[str]],
    organised_after: dict[str, frozenset[str]],
) -> list[Problem]:
    """Why the change's effect on who organises what is not C's to make (see the module's text).

    Judged on the organisers the change leaves, whatever tie or field it went through: an ``ORGANISED``
    tie, an event's series, a deletion. The other community is not named: its tie may be one the
    secretariat cannot see.
    """
    problems: list[Problem] = []
    for record_id in sorted(organised_before.keys() | organised_after.keys()):
        was = organised_before.get(record_id, frozenset())
        now = organised_after.get(record_id, frozenset())
        if was == now:
            continue
        if any(o != community_id and _is_community(after, o) for o in now - was):
            problems.append(
                _refused(
                    record_id,
                    f"a secretariat cannot make another community an organiser of '{record_id}' (by an ORGANISED tie "
                    "or by putting an event into its series)",
                    f"事務局は他のコミュニティを「{record_id}」の主催者にできません（主催の関係・シリーズへの追加とも）",
                    field="organiser",
                )
            )
        if any(o != community_id and _is_community(before, o) for o in was - now):
            problems.append(
                _refused(
                    record_id,
                    f"'{record_id}' is also organised by another community; a secretariat cannot take it from them",
                    f"「{record_id}」は他のコミュニティも主催しています。事務局はそれを外せません",
                    field="organiser",
                )
            )
        if community_id in now - was and was:
            problems.append(
                _refused(
                    record_id,
                    f"'{record_id}' already has an organiser; only a new or unorganised event or series can be claimed",
                    f"「{record_id}」には既に主催者がいます（シリーズの主催者を含む）",
                    field="organiser",
                )
            )
    return problems
