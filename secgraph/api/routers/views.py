"""図 / Views: the network map as one standalone HTML page or a PNG/SVG/PDF figure, and stored layouts.

Drawn from what the caller may see: confidential records are gone, and for a viewer — or anyone
asking ``hide_names`` — the map is drawn from the service's anonymised view, where people are shown
by role and affiliation under the same pseudonyms everywhere. Scoped like the analyses. The
key-person ranking and missing sectors behind the map are computed once per scope and revision and
shared by the page, the figure and the layouts (the analyses' cache).

Layouts (``secgraph.viz.layouts``) are files in ``ApiSettings.layouts_folder``. Administrators and
planners save them (as for imports: a layout is shared by every role, so a secretariat does not
overwrite one); every role reads them, cut to the actors it may see, people by pseudonym.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from secgraph.access import Principal, Role, Visibility, shown_visibility
from secgraph.analysis.key_persons import key_person_candidates
from secgraph.analysis.network import Scope, shared_inputs
from secgraph.analysis.sectors import missing_sectors
from secgraph.api.analysis_service import AnalysisCache
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError, not_found_from
from secgraph.api.queries import GraphView
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers.analyses import Cache, ScopeParam
from secgraph.api.services import GraphService
from secgraph.viz.layouts import (
    Layout,
    LayoutDamaged,
    LayoutNameError,
    LayoutNotFound,
    LayoutStore,
    layout_of,
    positions_for,
    visible_layout,
)
from secgraph.viz.network_figure import MEDIA_TYPES, map_figure
from secgraph.viz.network_map import NetworkMap, network_map
from secgraph.viz.network_view import CONTENT_SECURITY_POLICY, map_view_html

router = APIRouter(prefix="/views", tags=["views"], responses=ERROR_RESPONSES)

#: Roles that may save a layout.
LAYOUT_WRITERS = (Role.ADMIN, Role.PLANNER)
NAME_RULE = "半角英数字・-・_ で64文字まで / 1-64 ASCII letters, digits, - or _"


async def layout_store(request: Request) -> LayoutStore:
    return LayoutStore(request.app.state.settings.layouts_folder)


Layouts = Annotated[LayoutStore, Depends(layout_store)]
HideNames = Annotated[bool, Query(description="氏名を伏せる / Show people by role and affiliation")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="配置の乱数シード / Layout seed")]
LayoutName = Annotated[
    str | None,
    Query(
        max_length=64,
        description=f"保存した配置を使う（シードも配置のもの） / Use a stored layout (and its seed); {NAME_RULE}",
    ),
]
LayoutPath = Annotated[str, Path(max_length=64, description=f"配置名 / Layout name: {NAME_RULE}", examples=["kinki"])]


@dataclass(frozen=True)
class MapOptions:
    """How to draw: names hidden or not, the layout seed, or a stored layout (which brings its seed)."""

    hide_names: bool
    seed: int
    layout: str | None
    ghosts: bool = False  # also draw each missing sector as a node (the ✓/× table is there either way)


Ghosts = Annotated[
    bool, Query(description="不足セクターを点でも描く / Also draw missing sectors as nodes (off by default)")
]


async def map_options(
    hide_names: HideNames = False, seed: Seed = 0, layout: LayoutName = None, ghosts: Ghosts = False
) -> MapOptions:
    return MapOptions(hide_names, seed, layout, ghosts)


Options = Annotated[MapOptions, Depends(map_options)]


@dataclass(frozen=True)
class Drawing:
    """The graph a map is drawn from and how much of it the caller sees."""

    view: GraphView
    visibility: Visibility

    @property
    def anonymised(self) -> bool:
        return self.visibility == Visibility.ANONYMISED


def drawing_for(graph: GraphService, who: Principal, hide_names: bool) -> Drawing:
    # the service's anonymised view (not an anonymisation of our own): one set of pseudonyms for
    # every role, so that one stored layout fits the map of a viewer and of a planner hiding names
    return Drawing(graph.view_for(who, hide_names), shown_visibility(who, hide_names))


def _load(layouts: LayoutStore, name: str) -> Layout:
    try:
        return layouts.load(name)
    except LayoutNameError as error:
        raise ProblemError(422, str(error), [{"field": "layout", "reason": str(error)}]) from None
    except LayoutNotFound as error:
        raise ProblemError(404, str(error)) from None
    except LayoutDamaged as error:
        raise ProblemError(500, f"stored layout '{name}' is damaged / 保存された配置が壊れています: {error}") from None


def _cached(cache: AnalysisCache, name: str, where: Scope, drawing: Drawing, compute: Callable) -> object:
    key = (name, (where.community, where.region, where.prefecture, where.as_of), drawing.view.revision)

    def run() -> object:
        try:
            with shared_inputs(cache.inputs_for(drawing.view.data)):
                return compute()
        except KeyError as error:  # an unknown community
            raise not_found_from(error) from None

    return cache.get_or_compute((*key, drawing.visibility), run)


def build_map(
    graph: GraphService, cache: AnalysisCache, layouts: LayoutStore, who: Principal, where: Scope, options: MapOptions
) -> NetworkMap:
    """The map of ``where`` as ``who`` may see it, from a stored layout when the options name one."""
    drawing = drawing_for(graph, who, options.hide_names)
    data = drawing.view.data
    positions, seed = None, options.seed
    if options.layout is not None:
        stored = _load(layouts, options.layout)
        positions = positions_for(stored, data, pseudonym_key=graph.pseudonym_key)
        seed = stored.seed
    key_persons = _cached(
        cache, "views.key_persons", where, drawing, lambda: key_person_candidates(data, where, limit=None)
    )
    missing = _cached(
        cache, "views.missing_sectors", where, drawing, lambda: missing_sectors(data, where, suggestions_per_sector=0)
    )
    try:
        return network_map(
            data,
            where,
            seed=seed,
            positions=positions,
            anonymised=drawing.anonymised,
            key_persons=key_persons,  # type: ignore[arg-type]
            missing=missing,  # type: ignore[arg-type]
            ghosts=options.ghosts,
        )
    except KeyError as error:
        raise not_found_from(error) from None


def drawn_map(
    graph: Graph, cache: Cache, layouts: Layouts, who: CurrentPrincipal, where: ScopeParam, options: Options
) -> NetworkMap:
    return build_map(graph, cache, layouts, who, where, options)


DrawnMap = Annotated[NetworkMap, Depends(drawn_map)]

_PROBLEM_RESPONSES = {
    code: {**spec, "content": {"application/problem+json": {}}} for code, spec in ERROR_RESPONSES.items()
}


@router.get(
    "/network",
    response_class=HTMLResponse,
    summary="ネットワーク図（HTML） / Interactive network map (HTML)",
    description="インターネット接続なしで開ける単一のHTMLファイル。同じデータなら同じ配置。"
    " / One self-contained HTML file that opens without internet; the same data gives the same layout.",
    # An HTML route documents its errors as text/html unless told: they are problem+json like everywhere.
    responses={200: {"content": {"text/html": {}}, "description": "HTML"}, **_PROBLEM_RESPONSES},
)
def network(
    nmap: DrawnMap,
    download: Annotated[bool, Query(description="ファイルとして保存 / Send as a file download")] = False,
) -> HTMLResponse:
    headers = {
        # the page's own policy, repeated as a header: nothing may load from anywhere
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    if download:
        headers["Content-Disposition"] = 'attachment; filename="secgraph-network.html"'
    return HTMLResponse(map_view_html(nmap), headers=headers)


@router.get(
    "/network/figure",
    response_class=Response,
    summary="ネットワーク図（PNG・SVG・PDF） / Network map as a figure (PNG, SVG, PDF)",
    description="会議資料用の静止画（A4横、PNGは300dpi）。HTMLの図と同じ配置・色・大きさ。"
    " / A static figure for meeting papers (A4 landscape, PNG at 300 dpi): the same map as the HTML view.",
    responses={
        200: {"content": {media: {} for media in MEDIA_TYPES.values()}, "description": "PNG, SVG or PDF"},
        **_PROBLEM_RESPONSES,
    },
)
def network_figure(
    nmap: DrawnMap,
    fmt: Annotated[Literal["png", "svg", "pdf"], Query(alias="format", description="形式 / Format")] = "png",
) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="secgraph-network.{fmt}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        # an SVG opened on its own is a document: it may not run or load anything
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    }
    return Response(map_figure(nmap, fmt=fmt), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/layouts",
    summary="保存した配置の一覧 / Stored layouts",
    response_model=list[str],
)
def list_layouts(layouts: Layouts, who: CurrentPrincipal) -> list[str]:
    return layouts.names()


@router.get(
    "/layouts/{name}",
    response_model=Layout,
    summary="保存した配置 / A stored layout",
    description="見える主体の位置だけ（人物は仮名ID） / Positions of the actors this key may see"
    " (people by pseudonym).",
)
def get_layout(name: LayoutPath, graph: Graph, layouts: Layouts, who: CurrentPrincipal) -> Layout:
    drawing = drawing_for(graph, who, hide_names=False)
    return visible_layout(
        _load(layouts, name), drawing.view.data, pseudonym_key=graph.pseudonym_key, anonymised=drawing.anonymised
    )


@router.put(
    "/layouts/{name}",
    response_model=Layout,
    summary="今の配置を保存 / Save the current layout of a scope",
    description="対象の図の配置を名前を付けて保存（同名は上書き）。`layout` を渡すとその配置を引き継ぎ、新しい主体を"
    "近くに置いて保存。管理者・企画担当のみ。 / Saves the positions of the scope's map under a name (replacing one"
    " of that name); with `layout`, starts from that stored layout and places new actors near their neighbours."
    " Administrators and planners only.",
)
def put_layout(
    name: LayoutPath,
    graph: Graph,
    cache: Cache,
    layouts: Layouts,
    who: CurrentPrincipal,
    where: ScopeParam,
    options: Options,
) -> Layout:
    if who.role not in LAYOUT_WRITERS:
        raise ProblemError(
            403,
            "layouts are saved by administrators and planners / 配置の保存は管理者と企画担当のみです",
            [{"field": "role", "reason": f"role {who.role} may not save layouts"}],
        )
    try:
        path = layouts.path(name)
    except LayoutNameError as error:
        raise ProblemError(422, str(error), [{"field": "name", "reason": str(error)}]) from None
    nmap = build_map(graph, cache, layouts, who, where, options)
    saved = layout_of(nmap, pseudonym_key=graph.pseudonym_key)
    layouts.save(path.stem, saved)
    drawing = drawing_for(graph, who, hide_names=False)
    return visible_layout(saved, drawing.view.data, pseudonym_key=graph.pseudonym_key, anonymised=drawing.anonymised)
