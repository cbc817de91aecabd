"""Who may write what. A write is a ``ChangeSet``; it is allowed only if every record it creates,
replaces or deletes is one the principal may write, judged on the graph before the change and (for
what the change creates or replaces) on the graph as it would be after it.

- admin: everything.
- planner: notes (``Note``), and ``LONG_LISTED`` (ロングリスト) and ``CONTACTED`` (接触) ties —
  the planner's own working lists. A tie may not be changed into or out of those types.
- secretariat of community C writes C's records:
  * C itself (replace; not create or delete);
  * the events and event series C organises (an ``ORGANISED`` tie from C; 主催), and the editions
    of a series C organises;
  * headcounts whose subject is one of those, and notes about any of those;
  * every relationship that touches C or one of C's events or series (members, secretariat,
    partners, speakers, co-hosts …).
  Organisations and people are shared by every community (one body is a member of many, and names
  are merged across them), so a secretariat changes them through an administrator. A record that
  belongs to C before a change must still belong to C after it (a tie cannot be moved to another
  community), and C may claim an existing event as organiser only if nobody organises it yet.
- viewer: nothing.
"""

from __future__ import annotations

from secgraph.access.roles import Principal, Role
from secgraph.model.graph import GraphData
from secgraph.model.records import Node, Relationship
from secgraph.model.vocabulary import RelType
from secgraph.store.base import ChangeSet, Problem

PLANNER_NODE_KINDS = frozenset({"Note"})
PLANNER_REL_TYPES = frozenset({RelType.LONG_LISTED, RelType.CONTACTED})
_SHARED_KINDS = frozenset({"Organisation", "Person"})
_CORE_KINDS = frozenset({"Community", "Event", "EventSeries"})


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


def community_records(data: GraphData, community_id: str) -> set[str]:
    """The ids of the nodes that belong to community ``community_id`` (see the module's text)."""
    community = data.nodes.get(community_id)
    if community is None or community.kind != "Community":
        return set()
    organised = {
        r.to_id for r in data.relationships.values() if r.from_id == community_id and r.type == RelType.ORGANISED
    }
    owned = {community_id, *organised}
    owned |= {n.id for n in data.nodes.values() if n.kind == "Event" and getattr(n, "series_id", None) in organised}
    owned |= {n.id for n in data.nodes.values() if n.kind == "Headcount" and getattr(n, "subject_id", None) in owned}
    owned |= {n.id for n in data.nodes.values() if n.kind == "Note" and getattr(n, "about_id", None) in owned}
    return owned


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
    owned_before = community_records(before, community_id)
    owned_after = community_records(after, community_id)
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
        elif _claims_organised_event(rel, community_id, before, owned_before):
            problems.append(
                _refused(
                    str(rel.id),
                    f"'{rel.to_id}' already has an organiser; only a new or unorganised event can be claimed",
                    f"「{rel.to_id}」には既に主催者がいます",
                    field="to_id",
                )
            )
    for rel_id in change.delete_relationship_ids:
        old = before.relationships.get(rel_id)
        if old is not None and not touches(old, core_before):
            problems.append(_refused(rel_id, *not_ours, field="from_id/to_id"))
    return problems


def _may_replace(node: Node, community_id: str, existed: bool, owned_before: set[str], owned_after: set[str]) -> bool:
    """C's own node, before (if it existed) and after the change; the community only replaced."""
    if node.kind == "Community" and (node.id != community_id or not existed):
        return False
    return node.id in owned_after and (not existed or node.id in owned_before)


def _claims_organised_event(rel: Relationship, community_id: str, before: GraphData, owned_before: set[str]) -> bool:
    """An ORGANISED tie from C to an existing event someone else organises would make it C's."""
    if rel.type != RelType.ORGANISED or rel.from_id != community_id:
        return False
    if rel.to_id not in before.nodes or rel.to_id in owned_before:
        return False
    return any(r.type == RelType.ORGANISED and r.to_id == rel.to_id for r in before.relationships.values())
