"""What each web page shows, gathered from the services the API uses.

Every analysis is asked for through the registry and ``AnalysisRequest`` (the same cache and the
same view of the graph as ``/analyses/<slug>``), and every record read from
``GraphService.view_for``: confidential records are gone for the roles that may not see them, and a
viewer's pages are drawn from the anonymised view, people by role and affiliation only. Results are
handed to the templates as their JSON (``model_dump``), so a page shows whatever the analysis
returns. Writes go through ``GraphService``'s write functions and are judged by the access policy;
whether a page offers a form is asked of that same policy (``write_refusals``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from secgraph.access import Principal, Role, write_refusals
from secgraph.analysis.facts import DEFAULT_SECTOR_NEEDS
from secgraph.analysis.registry import ANALYSES, analysis_named
from secgraph.api.analysis_service import AnalysisCache, AnalysisRequest
from secgraph.api.problems import ProblemError, invalid_parameters, not_found
from secgraph.api.queries import GraphView
from secgraph.api.services import GraphService
from secgraph.model import geography
from secgraph.model.records import Community, Relationship
from secgraph.model.vocabulary import REL_TYPES, SECTORS, RelType
from secgraph.store import ChangeSet
from secgraph.viz.charts import CHARTS

#: The ties the partner finder writes: a candidate put on a community's long list, or a contact made.
PARTNER_ACTIONS: dict[str, RelType] = {"long-list": RelType.LONG_LISTED, "contact": RelType.CONTACTED}


@dataclass(frozen=True)
class WebContext:
    """One page's access to the services, as ``principal``."""

    graph: GraphService
    cache: AnalysisCache
    principal: Principal

    @property
    def view(self) -> GraphView:
        return self.graph.view_for(self.principal)

    def analysis(self, slug: str, **values: Any) -> dict[str, Any]:
        """The analysis ``slug`` with ``values`` (scope and its own parameters), as its JSON."""
        analysis = analysis_named(slug)
        try:
            parameters = analysis.parameters_of(**values)
        except ValidationError as error:
            raise invalid_parameters(error, whole="scope") from None
        answer = AnalysisRequest(self.graph, self.cache, self.principal).answer(analysis, parameters)
        return answer.result.model_dump(mode="json")  # type: ignore[attr-defined]

    def community(self, community_id: str) -> Community:
        node = self.view.node(community_id, "Community")
        if not isinstance(node, Community):
            raise not_found("Community", community_id)
        return node


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(item.get(key)): item for item in items}


# -- places ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """A place a dashboard is about: a bureau area (MIC or METI) or a prefecture."""

    kind: str  # "region" or "prefecture"
    code: str
    ja: str
    en: str

    @property
    def scope(self) -> dict[str, str]:
        return {self.kind: self.code}


def area_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The list a dashboard's place is chosen from: MIC areas, METI areas, prefectures."""
    regions = geography.regions()

    def areas(kind: str) -> list[tuple[str, str]]:
        return [(r.code, f"{r.name}（{r.bureau}） / {r.name_en}") for r in regions if r.kind == kind]

    return [
        ("総合通信局の管内 / MIC bureau areas", areas("mic")),
        ("経済産業局の管内 / METI bureau areas", areas("meti")),
        ("都道府県 / Prefectures", [(p.code, f"{p.name} / {p.name_en}") for p in geography.prefectures()]),
    ]


def area_named(text: str) -> Area:
    """The area ``text`` names (a region code or a prefecture code or name); 422 for anything else."""
    try:
        region = geography.region(text)
        return Area("region", region.code, f"{region.name}（{region.bureau}）", region.name_en)
    except ValueError:
        pass
    try:
        prefecture = geography.prefecture(text)
    except ValueError as error:
        raise ProblemError(422, str(error), [{"field": "area", "reason": str(error)}]) from None
    return Area("prefecture", prefecture.code, prefecture.name, prefecture.name_en)


def chosen_scope(ctx: WebContext, community: str, area: str) -> tuple[dict[str, str], str | None]:
    """The scope a page's form chose — a community the caller may see (404 otherwise), else an area,
    else the whole country — as the views' query, with its region (a community's own, or the area
    when it is a region; None for a prefecture or the country)."""
    if community:
        return {"community": community}, ctx.community(community).region
    if area:
        chosen = area_named(area)
        return chosen.scope, chosen.code if chosen.kind == "region" else None
    return {}, None


# -- dashboards --------------------------------------------------------------------------------------


def _needs(missing: dict[str, Any]) -> list[dict[str, str]]:
    """The sectors a community is expected to have, as the missing-sectors result names them."""
    labels: dict[str, dict[str, str]] = {}
    for coverage in [*missing.get("communities", []), *missing.get("regions", [])]:
        for need in coverage.get("needs", []):
            labels.setdefault(need["code"], {"code": need["code"], "ja": need.get("ja", ""), "en": need.get("en", "")})
    return [labels.get(code, {"code": code, "ja": code, "en": code}) for code in missing.get("needs", [])]


def _met(coverage: dict[str, Any] | None) -> dict[str, bool]:
    return {need["code"]: bool(need.get("met")) for need in (coverage or {}).get("needs", [])}


def _flagged(summary: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The indicators of a health summary that come with advice (what to look at first)."""
    return [i for i in (summary or {}).get("indicators", []) if i.get("advice")]


def region_dashboard(ctx: WebContext, area: Area) -> dict[str, Any]:
    """One bureau area or prefecture: each community's stage, health at a glance and sector grid,
    the key persons and the isolated prefectures."""
    scope = area.scope
    region_kind = "meti" if area.code.startswith("meti-") else "mic"
    stage = ctx.analysis("stage", **scope)
    health = ctx.analysis("health", **scope)
    missing = ctx.analysis("missing-sectors", suggestions=0, **scope)
    key_persons = ctx.analysis("key-persons", limit=10, **scope)
    isolated = ctx.analysis("isolated-regions", region_kind=region_kind, **scope)
    health_of = _by(health.get("communities", []), "subject")
    missing_of = _by(missing.get("communities", []), "subject_id")
    rows = []
    for community in stage.get("communities", []):
        cid = community["community_id"]
        rows.append(
            {
                "id": cid,
                "name": community.get("name", cid),
                "stage": community,
                "health": health_of.get(cid),
                "flagged": _flagged(health_of.get(cid)),
                "met": _met(missing_of.get(cid)),
            }
        )
    return {
        "area": area,
        "rows": rows,
        "needs": _needs(missing),
        "stage": stage,
        "key_persons": key_persons.get("candidates", []),
        "isolated": isolated,
        "area_health": [a for a in health.get("areas", []) if a.get("subject") == area.code],
    }


def national_dashboard(ctx: WebContext) -> dict[str, Any]:
    """Every bureau area side by side: communities, stages, health indicators, sectors met, isolated
    prefectures (the areas are those the analyses report for the whole country)."""
    stage = ctx.analysis("stage")
    health = ctx.analysis("health")
    missing = ctx.analysis("missing-sectors", suggestions=0)
    isolated = ctx.analysis("isolated-regions")
    areas = [a for a in stage.get("areas", []) if a.get("kind") == "region"]
    health_of = _by([a for a in health.get("areas", []) if a.get("kind") == "region"], "subject")
    missing_of = _by(missing.get("regions", []), "subject_id")
    indicators: list[dict[str, Any]] = []
    for summary in health_of.values():
        for indicator in summary.get("indicators", []):
            if indicator["code"] not in {i["code"] for i in indicators}:
                indicators.append(indicator)
    columns = []
    for area in areas:
        code = area["area"]
        summary = health_of.get(code)
        columns.append(
            {
                "code": code,
                "name": area.get("name", code),
                "stage": area,
                "values": {i["code"]: i for i in (summary or {}).get("indicators", [])},
                "met": _met(missing_of.get(code)),
                "has_sectors": code in missing_of,
                "isolated": [
                    p for p in isolated.get("prefectures", []) if code in (p.get("mic_region"), p.get("meti_region"))
                ],
            }
        )
    return {"columns": columns, "indicators": indicators, "needs": _needs(missing), "stage": stage}


# -- one community -----------------------------------------------------------------------------------


def _one(result: dict[str, Any], key: str, community_id: str, field: str) -> dict[str, Any] | None:
    return next((c for c in result.get(key, []) if c.get(field) == community_id), None)


def community_page(ctx: WebContext, community_id: str, since: dt.date | None) -> dict[str, Any]:
    """What the community's profile holds, in full: the record's text, stage with evidence and next
    step, missing sectors with ranked partners, key persons, health, and the change since ``since``."""
    community = ctx.community(community_id)
    scope = {"community": community_id}
    stage = ctx.analysis("stage", **scope)
    judged_on = dt.date.fromisoformat(stage["as_of"]) if stage.get("as_of") else dt.date.today()
    changes = None
    if since is not None:
        if since > judged_on:
            raise ProblemError(
                422,
                f"since must not be after {judged_on} (the latest date in the data)"
                f" / 比較の日付はデータの最新日（{judged_on}）以前にしてください",
                [{"field": "since", "reason": "after the latest date / 最新日より後"}],
            )
        changes = _one(
            ctx.analysis("changes", earlier=since, later=judged_on, **scope),
            "communities",
            community_id,
            "community_id",
        )
    return {
        "community": community,
        "stage": _one(stage, "communities", community_id, "community_id"),
        "health": _one(ctx.analysis("health", **scope), "communities", community_id, "subject"),
        "missing": _one(ctx.analysis("missing-sectors", **scope), "communities", community_id, "subject_id"),
        "key_persons": ctx.analysis("key-persons", limit=10, **scope).get("candidates", []),
        "since": since,
        "judged_on": judged_on,
        "changes": changes,
        "region": _region_label(community.region),
    }  # fmt: skip


def _region_label(code: str | None) -> str | None:
    if not code:
        return None
    try:
        region = geography.region(code)
    except ValueError:
        return code
    return f"{region.name}（{region.bureau}）"


def communities(ctx: WebContext) -> list[Community]:
    """The communities the principal sees, by name."""
    found = [n for n in ctx.view.data.nodes.values() if isinstance(n, Community)]
    return sorted(found, key=lambda c: (c.display_name(), c.id))


# -- partner finder ----------------------------------------------------------------------------------


def need_choices() -> list[tuple[str, str]]:
    """The sectors a partner can be sought for: the default needs, then every single sector."""
    choices = [(",".join(sorted(need.sectors)), f"{need.ja} / {need.en}") for need in DEFAULT_SECTOR_NEEDS]
    taken = {code for code, _ in choices}
    choices += [(str(s), f"{info.label.ja} / {info.label.en}") for s, info in SECTORS.items() if str(s) not in taken]
    return choices


def partner_tie(principal: Principal, action: str, community_id: str, organisation_id: str) -> Relationship:
    """The tie the partner finder writes for ``action``: a long-list entry (organisation → community,
    a prospect) or a contact (community → organisation), dated today, its source the key that wrote it."""
    rel_type = PARTNER_ACTIONS.get(action)
    if rel_type is None:
        raise ProblemError(422, "unknown action / 不明な操作です", [{"field": "action", "reason": action}])
    today = dt.date.today().isoformat()
    source = f"secgraph web: {principal.attribution}"
    if rel_type == RelType.LONG_LISTED:
        return Relationship(
            type=rel_type, from_id=organisation_id, to_id=community_id, status="prospect", source=source, as_of=today
        )
    return Relationship(type=rel_type, from_id=community_id, to_id=organisation_id, source=source, as_of=today)


def may_write(ctx: WebContext, rel: Relationship) -> bool:
    """Whether the access policy would let the principal write ``rel`` (the forms offered)."""
    if ctx.principal.role == Role.VIEWER:
        return False
    return not write_refusals(ctx.principal, ctx.graph.snapshot()[1], ChangeSet(relationships=[rel]))


def partner_page(ctx: WebContext, community_id: str | None, need: str | None) -> dict[str, Any]:
    """The ranked candidates of one sector for one community, with the forms the principal may use,
    and the community's long list and contacts so far."""
    page: dict[str, Any] = {"community_id": community_id, "need": need, "coverage": None, "ties": []}
    if not community_id:
        return page
    community = ctx.community(community_id)
    page["community"] = community
    data = ctx.view.data
    ties = []
    for rel in data.relationships.values():
        if rel.type in PARTNER_ACTIONS.values() and community_id in (rel.from_id, rel.to_id):
            other = rel.to_id if rel.from_id == community_id else rel.from_id
            node = data.nodes.get(other)
            ties.append(
                {
                    "type": REL_TYPES[RelType(rel.type)],
                    "name": node.display_name() if node is not None else other,
                    "as_of": rel.as_of,
                    "status": rel.status,
                    "source": rel.source,
                }
            )
    page["ties"] = sorted(ties, key=lambda t: (str(t["as_of"]), t["name"]), reverse=True)
    if not need:
        return page
    result = ctx.analysis("missing-sectors", community=community_id, need=(need,), suggestions=20)
    coverage = _one(result, "communities", community_id, "subject_id")
    wanted = (coverage or {}).get("needs", [])
    page["coverage"] = wanted[0] if wanted else None
    offers = []
    for suggestion in (page["coverage"] or {}).get("suggestions", []):
        org = suggestion.get("organisation_id")
        forms = {}
        if org:
            for action in PARTNER_ACTIONS:
                forms[action] = may_write(ctx, partner_tie(ctx.principal, action, community_id, org))
        offers.append({"suggestion": suggestion, "forms": forms})
    page["offers"] = offers
    return page


def add_partner(ctx: WebContext, action: str, community_id: str, organisation_id: str) -> Relationship:
    """Write the partner finder's tie through the service (the policy judges it as for the API)."""
    ctx.community(community_id)
    return ctx.graph.create_relationship(
        ctx.principal, partner_tie(ctx.principal, action, community_id, organisation_id)
    )


# -- exports -----------------------------------------------------------------------------------------

#: Analyses whose tables need parameters the exports page does not ask for.
_NEEDS_MORE = frozenset(
    slug
    for slug, a in ANALYSES.items()
    if any(a.parameters.model_fields[name].is_required() for name in a.own_parameters)
)


def _formats(path: str, formats: tuple[str, ...], query: str) -> list[tuple[str, str]]:
    extra = "&download=true" if path.startswith("/charts/") else ""
    return [(fmt.upper(), f"{path}?format={fmt}{extra}{query}") for fmt in formats]


def export_links(scope: dict[str, str], region: str | None, community_id: str | None) -> dict[str, Any]:
    """Every download for a scope: committee pack, profile, charts, tables, graph files, the map."""
    query = urlencode(scope)
    amp = f"&{query}" if query else ""
    charts = [
        {"ja": spec.title_ja, "en": spec.title_en, "links": _formats(f"/charts/{name}", ("png", "svg", "pdf"), amp)}
        for name, spec in CHARTS.items()
    ]
    tables = [
        {"ja": a.title.ja, "en": a.title.en, "links": _formats(f"/exports/analyses/{slug}", ("csv", "xlsx"), amp)}
        for slug, a in ANALYSES.items()
        if slug not in _NEEDS_MORE
    ]
    return {
        "pack": f"/documents/committee-pack?{urlencode({'region': region})}" if region else None,
        "profile": f"/documents/profiles/{community_id}?format=pdf" if community_id else None,
        "charts": charts,
        "tables": tables,
        "graph": [(fmt.upper(), f"/exports/graph?format={fmt}{amp}") for fmt in ("graphml", "gexf", "json")],
        "map": [("HTML", f"/views/network?download=true{amp}")]
        + [(fmt.upper(), f"/views/network/figure?format={fmt}{amp}") for fmt in ("png", "svg", "pdf")],
        "skipped": sorted(_NEEDS_MORE),
    }
