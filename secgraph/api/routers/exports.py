"""データ出力 / Data exports: analysis tables as CSV/XLSX, the graph as GraphML/GEXF/JSON.

- ``GET /exports/analyses/<slug>?format=csv|xlsx`` for every analysis of the registry
  (``secgraph.analysis.registry``), with the same scope, parameters and cache as ``/analyses/<slug>``,
  its result turned into tables (``secgraph.export.analysis_tables``). CSV of several tables is a zip, one CSV each;
  ``table=<key>`` gives one table as plain CSV. ``hide_names`` computes the tables as a viewer would.
- ``GET /exports/graph?format=graphml|gexf|json``: the graph of a scope (``secgraph.export.graph_files``).

Drawn from what the caller may see: confidential records are gone for every role but admin and
planner, and a viewer's files always show people by role and affiliation only.
"""

# No ``from __future__ import annotations``: the export routes' parameter annotations are built per
# analysis at run time, and FastAPI must see them as objects, not as names to look up in this module.

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from secgraph.analysis.registry import ANALYSES, Analysis
from secgraph.api.analysis_service import REVISION_HEADER
from secgraph.api.deps import CurrentPrincipal, Graph
from secgraph.api.problems import ProblemError, not_found_from
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.routers.analyses import Answers, ScopeParam, parameters_dependency
from secgraph.export.analysis_tables import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    ZIP_MEDIA_TYPE,
    analysis_tables,
    community_names,
    to_csv_bytes,
    to_xlsx_bytes,
)
from secgraph.export.graph_files import (
    GEXF_MEDIA_TYPE,
    GRAPHML_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    graph_gexf,
    graph_graphml,
    graph_json,
)
from secgraph.viz.naming import file_name

router = APIRouter(prefix="/exports", tags=["exports"], responses=ERROR_RESPONSES)

#: Errors of a file route are problem+json all the same (FastAPI would document them as the file's type).
_PROBLEMS = {code: {**spec, "content": {"application/problem+json": {}}} for code, spec in ERROR_RESPONSES.items()}
_HIDE_NAMES = Query(description="氏名を伏せる（人物は役割と所属だけ） / Show people by role and affiliation only")


def _file(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",  # personal data: not for shared caches
        },
    )


def _export_route(analysis: Analysis[Any, Any]) -> Callable[..., Response]:
    """The route answering with ``analysis``'s result as tables: the analysis's own parameters and
    scope (the same dependency as ``/analyses/<slug>``), the same cache, plus ``format``, ``table``
    and ``hide_names``."""
    Parameters = Annotated[analysis.parameters, Depends(parameters_dependency(analysis))]

    def export(
        answers: Answers,
        parameters: Parameters,  # type: ignore[valid-type]
        file_format: Annotated[
            Literal["csv", "xlsx"], Query(alias="format", description="形式 / Format: csv, xlsx")
        ] = "csv",
        table: Annotated[
            str | None,
            Query(
                max_length=50,
                description="この表だけ（CSV） / Only this table, as one CSV (its key: candidates, summary …)",
            ),
        ] = None,
        hide_names: Annotated[bool, _HIDE_NAMES] = False,
    ) -> Response:
        asked = answers.unconditional(hide_names)
        answer = asked.answer(analysis, parameters)
        view = asked.graph.view_for(asked.principal, asked.hide_names)
        every = analysis_tables(answer.result, community_names(view.data))
        tables = [t for t in every if table is None or t.key == table]
        if not tables:
            keys = ", ".join(t.key for t in every)
            raise ProblemError(
                422,
                f"no table '{table}' in this analysis (tables: {keys}) / その表はありません",
                [{"field": "table", "reason": f"one of {keys}"}],
            )
        name = analysis.slug
        stem = name + (f"-{table}" if table else "")
        if file_format == "xlsx":
            body, media_type, extension = to_xlsx_bytes(tables, title=name), XLSX_MEDIA_TYPE, "xlsx"
        elif len(tables) == 1:
            body, media_type, extension = to_csv_bytes(tables), CSV_MEDIA_TYPE, "csv"
        else:
            body, media_type, extension = to_csv_bytes(tables), ZIP_MEDIA_TYPE, "zip"
        response = _file(body, media_type, file_name(stem, parameters.scope, extension))
        response.headers[REVISION_HEADER] = answer.headers[REVISION_HEADER]  # the revision it describes
        return response

    export.__name__ = "export_" + analysis.slug.replace("-", "_")  # FastAPI's operation id starts with it
    return export


for _analysis in ANALYSES.values():
    _name = _analysis.slug
    router.add_api_route(
        f"/analyses/{_name}",
        _export_route(_analysis),
        methods=["GET"],
        response_class=Response,
        summary=f"分析の表（CSV・XLSX）: {_name} / Analysis tables as CSV or XLSX: {_name}",
        description="`/analyses/" + _name + "` と同じ範囲・パラメータ・キャッシュ。CSVはUTF-8（BOM付き）、"
        "表が複数ならCSVごとのzip（`table=` で1つだけ）。XLSXは表ごとのシート。数式に見える文字列は ' を前置。"
        f" / Same scope, parameters and cache as `/analyses/{_name}`. CSV is UTF-8 with a BOM; several tables "
        "come as a zip of CSVs (or one with `table=`). XLSX has a sheet per table. Text that looks like a "
        "formula is prefixed with '.",
        responses={
            200: {
                "content": {CSV_MEDIA_TYPE: {}, ZIP_MEDIA_TYPE: {}, XLSX_MEDIA_TYPE: {}},
                "description": "CSV, zip of CSV, or XLSX",
            },
            **_PROBLEMS,
        },
    )


_GRAPH_FORMATS: dict[str, tuple[Callable[..., bytes], str]] = {
    "graphml": (graph_graphml, GRAPHML_MEDIA_TYPE),
    "gexf": (graph_gexf, GEXF_MEDIA_TYPE),
    "json": (graph_json, JSON_MEDIA_TYPE),
}


@router.get(
    "/graph",
    response_class=Response,
    summary="グラフ全体・範囲（GraphML・GEXF・JSON） / The graph or a scope as GraphML, GEXF or JSON",
    description="GraphMLとGEXFはCytoscape・Gephiで開けます（全項目を属性として保持）。JSONは全記録・全項目で、"
    "`secgraph load` で読み戻すと同じグラフになります。"
    " / GraphML and GEXF open in Cytoscape and Gephi with every field as an attribute; JSON holds every "
    "record and field and loads back with `secgraph load` as the same graph.",
    responses={
        200: {
            "content": {GRAPHML_MEDIA_TYPE: {}, GEXF_MEDIA_TYPE: {}, JSON_MEDIA_TYPE: {}},
            "description": "GraphML, GEXF or JSON",
        },
        **_PROBLEMS,
    },
)
def graph_file(
    graph: Graph,
    who: CurrentPrincipal,
    where: ScopeParam,
    file_format: Annotated[
        Literal["graphml", "gexf", "json"], Query(alias="format", description="形式 / Format: graphml, gexf, json")
    ] = "graphml",
    hide_names: Annotated[bool, _HIDE_NAMES] = False,
) -> Response:
    # the caller's view, names hidden for a viewer or when asked: the pseudonyms every viewer read shows
    data = graph.view_for(who, hide_names).data
    write, media_type = _GRAPH_FORMATS[file_format]
    try:
        body = write(data, where, hide_names=data.names_hidden)
    except KeyError as error:
        raise not_found_from(error) from None
    return _file(body, media_type, file_name("graph", where, file_format))
