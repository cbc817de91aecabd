"""``secgraph export``: the committee's maps, charts, profiles and pack, analysis tables and graph
files, written to a file named for what it holds (``secgraph.viz.naming``) unless ``-o`` names one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from secgraph.cli.analyse import add_analysis_options, add_scope_options, analysis_slugs, run_analysis
from secgraph.cli.common import DATE_FORMS, EXIT_OK, EXIT_REFUSED, _, add_command, day_option, key_store, open_service

#: What `secgraph export` makes, and the formats of each (the first is the default).
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "map": ("html", "png", "svg", "pdf"),
    "chart": ("png", "svg", "pdf"),
    "profile": ("pdf", "html"),
    "pack": ("pdf",),
    "table": ("xlsx", "csv"),
    "graph": ("json", "graphml", "gexf"),
}


#: Each subject's one-line help, in Japanese and English.
EXPORT_HELP: dict[str, tuple[str, str]] = {
    "map": ("ネットワーク図（HTML・PNG・SVG・PDF）", "network map (HTML, PNG, SVG, PDF)"),
    "chart": (
        "グラフ（セクター構成・段階・参加者・カバー地図）",
        "chart: sector composition, stage, membership, coverage",
    ),
    "profile": ("コミュニティ概要1枚（PDF・HTML）", "one-page community profile (PDF, HTML)"),
    "pack": ("委員会資料（地域の概要一式、PDF）", "committee pack of a region (PDF)"),
    "table": ("分析の表（XLSX・CSV）", "analysis tables (XLSX, CSV)"),
    "graph": ("グラフデータ（JSON・GraphML・GEXF）", "the graph as JSON, GraphML or GEXF"),
}


def _scope(args: argparse.Namespace) -> Any:
    """The scope the options name: --community, --region or --prefecture, and --as-of."""
    from secgraph.analysis.network import Scope

    return Scope(community=args.community, region=args.region, prefecture=args.prefecture, as_of=args.as_of)


def _export_map(args: argparse.Namespace, data: Any, scope: Any, pseudonyms: bytes) -> tuple[bytes, str]:
    from secgraph.viz.layouts import layout_of, positions_for, read_layout, write_layout
    from secgraph.viz.network_figure import map_figure
    from secgraph.viz.network_map import network_map
    from secgraph.viz.network_view import map_view_html

    positions, seed = None, args.seed
    if (args.layout or args.save_layout) and not pseudonyms:
        pseudonyms = key_store().pseudonym_key()  # a layout keeps people under the service's pseudonyms
    if args.layout:
        stored = read_layout(Path(args.layout))
        positions, seed = positions_for(stored, data, pseudonym_key=pseudonyms), stored.seed
    drawn = network_map(data, scope, seed=seed, positions=positions, anonymised=data.names_hidden, ghosts=args.ghosts)
    if args.save_layout:
        write_layout(Path(args.save_layout), layout_of(drawn, pseudonym_key=pseudonyms))
    if args.format == "html":
        return map_view_html(drawn).encode("utf-8"), "network"
    return map_figure(drawn, fmt=args.format), "network"


def _export_bytes(args: argparse.Namespace, service: Any, data: Any, scope: Any) -> tuple[bytes, str]:
    """The file's content and the name it is saved under (before the scope and extension)."""
    subject = args.subject
    if subject == "map":
        return _export_map(args, data, scope, service.pseudonym_key)
    if subject == "chart":
        from secgraph.viz.charts import chart

        return chart(args.name, data, scope, fmt=args.format), args.name
    if subject == "profile":
        from secgraph.viz.profile import community_profile_html, community_profile_pdf

        make = community_profile_pdf if args.format == "pdf" else community_profile_html
        made = make(data, args.community_id, as_of=scope.as_of, since=args.since, hide_names=args.hide_names)
        return (made if isinstance(made, bytes) else made.encode("utf-8")), f"profile-{args.community_id}"
    if subject == "pack":
        from secgraph.viz.pack import committee_pack_pdf

        made = committee_pack_pdf(
            data, args.region, as_of=scope.as_of, since=args.since, hide_names=args.hide_names, seed=args.seed
        )
        return made, "committee-pack"
    if subject == "table":
        from secgraph.export.analysis_tables import (
            analysis_tables,
            community_names,
            table_csv,
            to_csv_bytes,
            to_xlsx_bytes,
        )

        tables = analysis_tables(run_analysis(args, data), community_names(data))
        if args.table:
            tables = [t for t in tables if t.key == args.table] or _no_table(args.table, tables)
        if args.format == "xlsx":
            return to_xlsx_bytes(tables), args.analysis
        # several tables as CSV come as a zip of one CSV each
        return (table_csv(tables[0]) if len(tables) == 1 else to_csv_bytes(tables)), args.analysis
    from secgraph.export.graph_files import graph_gexf, graph_graphml, graph_json

    write = {"json": graph_json, "graphml": graph_graphml, "gexf": graph_gexf}[args.format]
    # with --hide-names ``data`` is the viewer's view, made with the service's pseudonyms: kept as it is
    return write(data, scope, hide_names=data.names_hidden), "graph"


def _no_table(key: str, tables: list[Any]) -> list[Any]:
    keys = ", ".join(t.key for t in tables)
    raise ValueError(_(f"表 {key} はありません（{keys}）", f"no table {key} (there are: {keys})"))


def _format_from_output(args: argparse.Namespace) -> str | None:
    """Settle ``--format`` with the suffix of ``-o``: a file is written in the format its name says.

    ``-o x.svg`` alone writes SVG; ``--format`` naming another format than the suffix is an error, as
    is a suffix the subject has no format for (``.zip`` is how several CSV tables come). Returns the
    error message, or None."""
    formats = EXPORT_FORMATS[args.subject]
    if not args.output:
        args.format = args.format or formats[0]
        return None
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if not suffix:  # a name without a suffix says nothing about the format
        args.format = args.format or formats[0]
        return None
    by_suffix = "csv" if suffix == "zip" and "csv" in formats else suffix
    if by_suffix not in formats:
        return _(
            f"エラー: -o {args.output} の拡張子 .{suffix} は {args.subject} の形式"
            f"（{', '.join(formats)}）ではありません",
            f"error: -o {args.output}: .{suffix} is not a format of {args.subject} ({', '.join(formats)})",
        )
    if args.format and args.format != by_suffix:
        return _(
            f"エラー: --format {args.format} と -o {args.output} の拡張子が違います",
            f"error: --format {args.format} does not match the name -o {args.output}",
        )
    args.format = by_suffix
    return None


def _wrong_container(args: argparse.Namespace, content: bytes) -> str | None:
    """Several tables come as a zip of CSVs: refused under a ``.csv`` name, which would lie about it."""
    zipped = content[:2] == b"PK" and args.format == "csv"
    if zipped and args.output and Path(args.output).suffix.lower() == ".csv":
        return _(
            "エラー: 表が複数あるため zip になります。"
            f"-o を .zip にするか、--table で1つの表を選んでください（{args.output}）",
            f"error: several tables make a zip: name it .zip or pick one with --table ({args.output})",
        )
    return None


def _cmd_export(args: argparse.Namespace) -> int:
    from secgraph.viz.naming import file_name

    if args.subject == "pack" and not args.region:
        print(_("エラー: pack には --region が必要です", "error: pack needs --region"), file=sys.stderr)
        return EXIT_REFUSED
    problem = _format_from_output(args)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_REFUSED
    service, principal = open_service(args.hide_names)
    try:
        data = service.view_for(principal).data
        scope = _scope(args)
        content, what = _export_bytes(args, service, data, scope)
    except (KeyError, ValueError) as error:
        print(_("エラー: ", "error: ") + str(error.args[0] if error.args else error), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        service.holder.close()
    problem = _wrong_container(args, content)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_REFUSED
    extension = "zip" if content[:2] == b"PK" and args.format == "csv" else args.format
    target = Path(args.output or file_name(what, scope, extension))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    print(_(f"{target} に書き出しました（{len(content):,} バイト）", f"wrote {target} ({len(content):,} bytes)"))
    return EXIT_OK


class _ChartNames:
    """The charts' names as argparse choices, read when argparse first asks (a chart is exported, or
    its help is shown): the charts load matplotlib and pandas, which no other command needs."""

    def __iter__(self) -> Iterator[str]:
        from secgraph.viz.charts import CHARTS

        return iter(sorted(CHARTS))

    def __contains__(self, name: object) -> bool:
        from secgraph.viz.charts import CHARTS

        return name in CHARTS


def add_commands(commands: Any) -> None:
    export_parser = add_command(
        commands,
        "export",
        _cmd_export,
        ("図・資料・表・データを書き出す", "write maps, charts, profiles, tables and data files"),
        (
            "委員会用の図・資料とデータをファイルに書き出します。範囲は --community/--region/--prefecture と --as-of、"
            "--hide-names で人物を役割と所属だけにします。",
            "Writes the committee's maps, charts and documents and the data as files. Scope with --community, "
            "--region, --prefecture and --as-of; --hide-names shows people by role and affiliation only.",
        ),
    )
    subjects = export_parser.add_subparsers(dest="subject", required=True, metavar="WHAT")
    for subject, (help_ja, help_en) in EXPORT_HELP.items():
        sub = subjects.add_parser(subject, help=_(help_ja, help_en), description=_(help_ja, help_en))
        formats = EXPORT_FORMATS[subject]
        sub.add_argument(
            "--format",
            choices=formats,
            default=None,
            help=_("形式（既定は -o の拡張子、なければ", "format (default: the suffix of -o, else ") + f"{formats[0]})",
        )
        sub.add_argument(
            "-o", "--output", help=_("書き出すファイル（既定は名前を自動で）", "file to write (default: named for you)")
        )
        sub.add_argument(
            "--hide-names", action="store_true", help=_("人物は役割と所属だけ", "people by role and affiliation")
        )
        add_scope_options(sub)
        if subject in ("map", "pack"):
            sub.add_argument("--seed", type=int, default=0, help=_("配置の乱数シード", "layout seed"))
        if subject in ("profile", "pack"):
            sub.add_argument(
                "--since",
                type=day_option(first=True),
                help=_("この日からの変化も示す", "also show what changed since this date") + _(*DATE_FORMS),
            )
        if subject == "map":
            ghosts_help = _("不足セクターを点でも描く", "also draw missing sectors as nodes")
            sub.add_argument("--ghosts", action="store_true", help=ghosts_help)
            sub.add_argument("--layout", help=_("保存した配置（JSON）を使う", "reuse a saved layout (JSON)"))
            sub.add_argument("--save-layout", help=_("配置をJSONに保存", "save the layout as JSON"))
        if subject == "chart":
            # a metavar of its own, so that argparse does not list the choices until help is shown
            sub.add_argument(
                "name",
                choices=_ChartNames(),
                metavar="name",
                help=_("グラフの種類: %(choices)s", "which chart: %(choices)s"),
            )
        if subject == "profile":
            sub.add_argument("community_id", help=_("コミュニティID", "community id"))
        if subject == "table":
            sub.add_argument("analysis", choices=analysis_slugs(), help=_("分析の種類", "which analysis"))
            add_analysis_options(sub)
            sub.add_argument("--table", help=_("この表だけ（CSVは1ファイル）", "only this table (one CSV file)"))
