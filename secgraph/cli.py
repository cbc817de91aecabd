"""The secgraph command line: load data, list and search it, manage API keys, serve the API.

Messages are in Japanese or English: ``--lang ja|en``, or else the locale (LC_ALL, LC_MESSAGES, LANG
starting with ``ja`` means Japanese). Lists are readable tables by default and JSON with ``--json``.
The terminal user works as administrator of the store they can open; ``--hide-names`` shows what a
viewer key would see (no confidential records, people by role and affiliation).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import typing
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secgraph.io.importer import LoadReport, load
from secgraph.store import StoreError, StoreSettings, open_store

EXIT_OK, EXIT_REFUSED, EXIT_STORE = 0, 2, 3

_lang = "en"


def _(ja: str, en: str) -> str:
    """The message in the chosen language."""
    return ja if _lang == "ja" else en


def choose_language(argv: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """``--lang`` if given, else the locale: LC_ALL, LC_MESSAGES, LANG (the first one set)."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "ja" if argv[index + 1].startswith("ja") else "en"
        if arg.startswith("--lang="):
            return "ja" if arg.split("=", 1)[1].startswith("ja") else "en"
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return "ja" if env[name].lower().startswith("ja") else "en"
    return "en"


# -- tables -----------------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    out = ""
    for char in text:
        if _width(out + char) > limit - 1:
            return out + "…"
        out += char
    return out


def format_table(headers: list[str], rows: list[list[str]], max_cell: int = 48) -> str:
    cells = [[_clip(str(c or ""), max_cell) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# -- load and info ----------------------------------------------------------------------------------


def _print_report(report: LoadReport, as_json: bool, check_only: bool = False) -> None:
    if as_json:
        _print_json(report.as_dict())
        return
    if report.errors:
        print(
            _(
                f"読み込みを中止しました。何も書き込まれていません: {len(report.errors)} 件の問題",
                f"Load refused, nothing written: {len(report.errors)} problems",
            )
        )
        for error in report.errors:
            print(f"  {error}")
        return
    if check_only:
        state = _("検証のみ、問題なし（書き込みません）", "checked, no problems (nothing written)")
    elif report.written:
        state = _("書き込みました", "written")
    else:
        state = _("変更なし", "nothing to write")
    print(f"{report.path}: {state}")
    would = _("（予定）", " (would be)") if check_only else ""
    for title, counter in (
        (_("追加", "added") + would, report.added),
        (_("更新", "updated") + would, report.updated),
        (_("変更なし", "unchanged"), report.unchanged),
    ):
        if counter:
            print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    if report.merges:
        print(f"  {_('名寄せ', 'merges')} ({len(report.merges)}):")
        for merge in report.merges:
            print(f"    {merge}")
    if report.ignored_files:
        print(f"  {_('読み飛ばしたファイル', 'ignored files')}: " + ", ".join(report.ignored_files))


def _cmd_load(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        report = load(store, args.path, check_only=args.check)
    finally:
        store.close()
    _print_report(report, args.json, args.check)
    return EXIT_OK if report.ok else EXIT_REFUSED


def _cmd_backup(args: argparse.Namespace) -> int:
    from secgraph.io.backup import backup

    store = open_store()
    try:
        report = backup(store, args.file)
    finally:
        store.close()
    counts = ", ".join(f"{kind} {count}" for kind, count in report.nodes.items())
    print(
        _(
            f"{report.path}: バックアップしました（リビジョン {report.revision}、{report.size_bytes:,} バイト）",
            f"{report.path}: backed up (revision {report.revision}, {report.size_bytes:,} bytes)",
        )
    )
    print(f"  {counts}; {_('関係', 'relationships')} {report.relationships}")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from secgraph.io.backup import RestoreRefused, restore

    store = open_store()
    try:
        report = restore(store, args.file)
    except RestoreRefused as refused:
        print(f"{_('エラー', 'error')}: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        store.close()
    _print_report(report, args.json)
    return EXIT_OK if report.ok else EXIT_REFUSED


def _cmd_info(args: argparse.Namespace) -> int:
    settings = StoreSettings.from_env()
    store = open_store(settings)
    try:
        counts = store.snapshot().counts()
        info = {"store": settings.describe(), "revision": store.revision(), "counts": counts}
    finally:
        store.close()
    _print_json(info)
    return EXIT_OK


# -- list and search --------------------------------------------------------------------------------

#: command-line name -> model kind
LIST_KINDS: dict[str, str] = {
    "organisations": "Organisation",
    "people": "Person",
    "communities": "Community",
    "event-series": "EventSeries",
    "events": "Event",
    "headcounts": "Headcount",
    "notes": "Note",
}


def _service(hide_names: bool):  # type: ignore[no-untyped-def]
    from secgraph.access import LOCAL_ADMIN, KeyStore, Principal, Role
    from secgraph.api.services import GraphService, StoreHolder
    from secgraph.api.settings import ApiSettings

    settings = ApiSettings.from_env()
    # the service's own pseudonyms (the API's), so that a file made here matches what viewers see
    pseudonyms = KeyStore(settings.keys_path).pseudonym_key() if hide_names else b""
    principal = Principal("local", "command line", Role.VIEWER) if hide_names else LOCAL_ADMIN
    return GraphService(StoreHolder(settings.store), pseudonyms), principal


def _pseudonym_key() -> bytes:
    """The service's pseudonym key (made on first use), as ``serve`` uses it."""
    from secgraph.access import KeyStore
    from secgraph.api.settings import ApiSettings

    return KeyStore(ApiSettings.from_env().keys_path).pseudonym_key()


def _labels() -> tuple[Callable[[str | None], str], Callable[[str | None], str]]:
    from secgraph.model import geography
    from secgraph.model.vocabulary import Sector, label

    def sector(code: str | None) -> str:
        return label(Sector(code), _lang) if code else ""

    def prefecture(code: str | None) -> str:
        if not code:
            return ""
        found = geography.prefecture(code)
        return found.name if _lang == "ja" else found.name_en

    return sector, prefecture


def _node_row(view: Any, node: Any) -> tuple[list[str], list[str]]:
    """Headers and cells for one node in a table: the columns that say most about its kind."""
    sector, prefecture = _labels()
    kind = node.kind
    if kind == "Organisation":
        return [_("ID", "id"), _("名称", "name"), _("セクター", "sector"), _("都道府県", "prefecture")], [
            node.id,
            node.name,
            sector(node.sector),
            prefecture(node.prefecture),
        ]
    if kind == "Person":
        employers = ", ".join(o.display_name() for o in view.employers(node.id))
        return [_("ID", "id"), _("氏名", "name"), _("役割", "role"), _("所属", "works at")], [
            node.id,
            node.name,
            node.role_label or "",
            employers,
        ]
    if kind == "Community":
        return [_("ID", "id"), _("名称", "name"), _("地域", "region"), _("都道府県", "prefectures")], [
            node.id,
            node.abbreviation or node.name,
            node.region or "",
            " ".join(prefecture(p) for p in node.prefectures),
        ]
    if kind == "Event":
        return [
            _("ID", "id"),
            _("開催日", "start"),
            _("名称", "title"),
            _("種別", "type"),
            _("都道府県", "prefecture"),
        ], [
            node.id,
            node.start,
            node.title,
            str(node.event_type),
            prefecture(node.prefecture),
        ]
    if kind == "Headcount":
        return [
            _("対象", "subject"),
            _("種別", "kind"),
            _("セクター", "sector"),
            _("数", "count"),
            _("原文", "label"),
        ], [
            node.subject_id,
            str(node.count_kind),
            sector(node.sector) or str(node.group or ""),
            str(node.count),
            node.label or "",
        ]
    if kind == "Note":
        return [_("ID", "id"), _("対象", "about"), _("記入者", "author"), _("本文", "text")], [
            node.id,
            node.about_id,
            node.author or "",
            node.text,
        ]
    return [_("ID", "id"), _("名称", "name")], [node.id, node.display_name()]


def _print_nodes(view: Any, result: Any, as_json: bool, mixed: bool) -> None:
    if as_json:
        items = [{"kind": n.kind, **n.properties()} for n in result.items]
        _print_json({"total": result.total, "offset": result.offset, "limit": result.limit, "items": items})
        return
    if not result.items:
        print(_("該当なし", "nothing found"))
        return
    if mixed:
        headers = [_("種類", "kind"), _("ID", "id"), _("名称", "name")]
        rows = [[n.kind, n.id, n.display_name()] for n in result.items]
    else:
        headers = _node_row(view, result.items[0])[0]
        rows = [_node_row(view, n)[1] for n in result.items]
    print(format_table(headers, rows))
    shown_to = result.offset + len(result.items)
    print(
        _(f"{result.total} 件中 {result.offset + 1}–{shown_to} 件", f"{result.offset + 1}–{shown_to} of {result.total}")
    )


def _filters(args: argparse.Namespace, q: str | None) -> Any:
    from secgraph.api.queries import NodeFilters

    return NodeFilters.parse(
        q=q,
        sector=getattr(args, "sector", None),
        prefecture=getattr(args, "prefecture", None),
        region=getattr(args, "region", None),
        community=getattr(args, "community", None),
        event_type=getattr(args, "event_type", None),
    )


def _cmd_list(args: argparse.Namespace) -> int:
    service, principal = _service(args.hide_names)
    try:
        if args.kind == "relationships":
            return _list_relationships(service, principal, args)
        view = service.view_for(principal)
        result = service.list_nodes(
            principal, (LIST_KINDS[args.kind],), _filters(args, args.q), args.offset, args.limit
        )
        _print_nodes(view, result, args.json, mixed=False)
    finally:
        service.holder.close()
    return EXIT_OK


def _list_relationships(service: Any, principal: Any, args: argparse.Namespace) -> int:
    from secgraph.model.vocabulary import RelType, parse_term

    rel_type = parse_term(RelType, args.type) if args.type else None
    view, result = service.list_relationships(principal, args.offset, args.limit, rel_type, args.node)
    if args.json:
        items = [r.properties() for r in result.items]
        _print_json({"total": result.total, "offset": result.offset, "limit": result.limit, "items": items})
        return EXIT_OK

    def name(node_id: str) -> str:
        node = view.node(node_id)
        return node.display_name() if node else node_id

    headers = [_("ID", "id"), _("種類", "type"), _("起点", "from"), _("終点", "to"), _("役割", "role")]
    rows = [[str(r.id), str(r.type), name(r.from_id), name(r.to_id), r.role or ""] for r in result.items]
    print(format_table(headers, rows) if rows else _("該当なし", "nothing found"))
    return EXIT_OK


def _cmd_search(args: argparse.Namespace) -> int:
    from secgraph.api.queries import SEARCHABLE_KINDS

    kinds = tuple(LIST_KINDS[k] for k in args.kind) if args.kind else SEARCHABLE_KINDS
    service, principal = _service(args.hide_names)
    try:
        view = service.view_for(principal)
        result = service.list_nodes(principal, kinds, _filters(args, args.text), args.offset, args.limit)
        _print_nodes(view, result, args.json, mixed=len(kinds) > 1)
    finally:
        service.holder.close()
    return EXIT_OK


# -- analyses ---------------------------------------------------------------------------------------


def _scope(args: argparse.Namespace) -> Any:
    """The scope the options name: --community, --region or --prefecture, and --as-of."""
    from secgraph.analysis.network import Scope

    return Scope(community=args.community, region=args.region, prefecture=args.prefecture, as_of=_date(args.as_of))


def _analysis_options() -> dict[str, tuple[Any, list[str]]]:
    """Every analysis's own parameters, as options: name → (its field, the analyses that take it)."""
    from secgraph.analysis.registry import ANALYSES

    options: dict[str, tuple[Any, list[str]]] = {}
    for analysis in ANALYSES.values():
        for name in analysis.own_parameters:
            field, slugs = options.setdefault(name, (analysis.parameters.model_fields[name], []))
            slugs.append(analysis.slug)
    return options


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """The options of every analysis's own parameters (``--limit``, ``--earlier`` …), from the registry;
    each says which analyses take it. A parameter holding several values is repeated (``--need``)."""
    for name, (field, slugs) in _analysis_options().items():
        several = any(
            typing.get_origin(kind) is tuple for kind in (field.annotation, *typing.get_args(field.annotation))
        )
        parser.add_argument(
            _flag(name),
            dest=name,
            action="append" if several else "store",
            help=f"{field.description} ({', '.join(slugs)})" + (_("（複数可）", " (repeatable)") if several else ""),
        )


def _analysis_parameters(args: argparse.Namespace) -> tuple[Any, Any]:
    """The analysis the arguments name and its parameters, validated by the registry's model; a
    ``ValueError`` naming each option that is missing, wrong or not taken by this analysis."""
    from pydantic import ValidationError

    from secgraph.analysis.registry import ANALYSES, SCOPE_FIELDS

    analysis = ANALYSES[args.analysis]
    names = (*SCOPE_FIELDS, *_analysis_options())
    given = {name: value for name in names if (value := getattr(args, name, None)) is not None}
    try:
        return analysis, analysis.parameters_of(**given)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            flag = _flag(str(item["loc"][0])) if item["loc"] else ""
            if item["type"] == "extra_forbidden":
                problems.append(_(f"{analysis.slug} は {flag} を使いません", f"{analysis.slug} does not take {flag}"))
            elif item["type"] == "missing":
                problems.append(_(f"{analysis.slug} には {flag} が必要です", f"{analysis.slug} needs {flag}"))
            else:
                reason = str(item["msg"]).removeprefix("Value error, ")
                problems.append(f"{flag}: {reason}" if flag else reason)
        raise ValueError("; ".join(problems)) from None


def _analysis_slugs() -> list[str]:
    from secgraph.analysis.registry import ANALYSES

    return list(ANALYSES)


def _analysis_titles() -> tuple[str, str]:
    from secgraph.analysis.registry import ANALYSES

    titles = [a.title for a in ANALYSES.values()]
    return "分析（" + "・".join(t.ja for t in titles) + "）", "analyses: " + "; ".join(t.en for t in titles)


def _run_analysis(args: argparse.Namespace, data: Any) -> Any:
    analysis, parameters = _analysis_parameters(args)
    return analysis.run(data, parameters)


def _text(item: Any, position: int = 0) -> str:
    """A result item's evidence (or reason) at ``position`` — or its last one — in the chosen language."""
    for field in ("evidence", "reasons"):
        found = getattr(item, field, None)
        if found:
            chosen = found[min(position, len(found) - 1)]
            return chosen.ja if _lang == "ja" else chosen.en
    return ""


Rows = tuple[list[str], list[list[str]]]


def _key_person_rows(result: Any) -> Rows:
    headers = [_("順位", "rank"), _("名称", "name"), _("種類", "kind"), _("得点", "score"), _("理由", "why")]
    # The first piece of evidence states the score; the next says why it is high.
    return headers, [[str(c.rank), c.name, c.kind, f"{c.score:.3f}", _text(c, 1)] for c in result.candidates]


def _broker_rows(result: Any) -> Rows:
    headers = [_("順位", "rank"), _("名称", "name"), _("種類", "kind"), _("割合", "share"), _("根拠", "evidence")]
    return headers, [[str(b.rank), b.name, b.kind, f"{b.share:.3f}", _text(b)] for b in result.brokers]


def _isolated_rows(result: Any) -> Rows:
    headers = [_("都道府県", "prefecture"), _("欠けているもの", "gaps"), _("根拠", "evidence")]
    rows = [[p.name if _lang == "ja" else p.name_en, ", ".join(p.gaps), _text(p)] for p in result.prefectures]
    rows += [[_("【橋】", "[bridge] ") + b.name, str(b.cut_off_count), _text(b)] for b in result.single_bridges]
    return headers, rows


def _missing_rows(result: Any) -> Rows:
    headers = [_("コミュニティ", "community"), _("不足", "missing"), _("最初の候補", "first suggestion")]
    rows = []
    for coverage in result.communities:
        firsts = [f"{n.code}: {n.suggestions[0].label(_lang)}" for n in coverage.needs if n.suggestions]
        rows.append([coverage.name, ", ".join(coverage.missing) or "—", "; ".join(firsts)])
    return headers, rows


def _stage_rows(result: Any) -> Rows:
    headers = [_("コミュニティ", "community"), _("段階", "stage"), _("次の段階に足りないもの", "missing for next")]
    stage_text = (lambda c: c.stage_ja) if _lang == "ja" else (lambda c: c.stage_en)
    return headers, [[c.name, stage_text(c), ", ".join(c.missing)] for c in result.communities]


def _health_rows(result: Any) -> Rows:
    codes = [i.code for i in result.communities[0].indicators] if result.communities else []
    return [_("コミュニティ", "community"), *codes], [
        [h.name, *(str(i.value) if i.value is not None else "—" for i in h.indicators)] for h in result.communities
    ]


def _change_rows(result: Any) -> Rows:
    headers = [
        _("コミュニティ", "community"),
        _("状態", "status"),
        _("加入", "joined"),
        _("離脱", "left"),
        _("段階", "stage"),
    ]
    return headers, [
        [
            c.name,
            c.status,
            str(len(c.joined)),
            str(len(c.left)),
            f"{c.stage.earlier} → {c.stage.later}" if getattr(c, "stage", None) else "",
        ]
        for c in result.communities
    ]


#: The terminal table of each analysis of the registry, by slug (a test checks every one has one).
ANALYSIS_ROWS: dict[str, Callable[[Any], Rows]] = {
    "key-persons": _key_person_rows,
    "brokers-between": _broker_rows,
    "isolated-regions": _isolated_rows,
    "missing-sectors": _missing_rows,
    "stage": _stage_rows,
    "health": _health_rows,
    "changes": _change_rows,
}


def _cmd_analyse(args: argparse.Namespace) -> int:
    service, principal = _service(args.hide_names)
    try:
        data = service.view_for(principal).data
        try:
            result = _run_analysis(args, data)
        except (KeyError, ValueError) as error:
            print(_("エラー: ", "error: ") + str(error.args[0] if error.args else error), file=sys.stderr)
            return EXIT_REFUSED
    finally:
        service.holder.close()
    if args.json:
        print(result.model_dump_json(indent=2))
        return EXIT_OK
    headers, rows = ANALYSIS_ROWS[args.analysis](result)
    print(format_table(headers, rows) if rows else _("該当なし", "nothing found"))
    return EXIT_OK


# -- export -----------------------------------------------------------------------------------------

#: What `secgraph export` makes, and the formats of each (the first is the default).
EXPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "map": ("html", "png", "svg", "pdf"),
    "chart": ("png", "svg", "pdf"),
    "profile": ("pdf", "html"),
    "pack": ("pdf",),
    "table": ("xlsx", "csv"),
    "graph": ("json", "graphml", "gexf"),
}


def _export_map(args: argparse.Namespace, data: Any, scope: Any, pseudonyms: bytes) -> tuple[bytes, str]:
    from secgraph.viz.layouts import layout_of, positions_for, read_layout, write_layout
    from secgraph.viz.network_figure import map_figure
    from secgraph.viz.network_map import network_map
    from secgraph.viz.network_view import map_view_html

    positions, seed = None, args.seed
    if (args.layout or args.save_layout) and not pseudonyms:
        pseudonyms = _pseudonym_key()  # a layout keeps people under the service's pseudonyms
    if args.layout:
        stored = read_layout(Path(args.layout))
        positions, seed = positions_for(stored, data, pseudonym_key=pseudonyms), stored.seed
    drawn = network_map(data, scope, seed=seed, positions=positions, anonymised=data.names_hidden)
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
        made = make(data, args.community_id, as_of=scope.as_of, since=_date(args.since), hide_names=args.hide_names)
        return (made if isinstance(made, bytes) else made.encode("utf-8")), f"profile-{args.community_id}"
    if subject == "pack":
        from secgraph.viz.pack import committee_pack_pdf

        made = committee_pack_pdf(
            data, args.region, as_of=scope.as_of, since=_date(args.since), hide_names=args.hide_names, seed=args.seed
        )
        return made, "committee-pack"
    if subject == "table":
        from secgraph.viz.tables import analysis_tables, table_csv, to_csv_bytes, to_xlsx_bytes

        tables = analysis_tables(_run_analysis(args, data))
        if args.table:
            tables = [t for t in tables if t.key == args.table] or _no_table(args.table, tables)
        if args.format == "xlsx":
            return to_xlsx_bytes(tables), args.analysis
        # several tables as CSV come as a zip of one CSV each
        return (table_csv(tables[0]) if len(tables) == 1 else to_csv_bytes(tables)), args.analysis
    from secgraph.viz.graph_files import graph_gexf, graph_graphml, graph_json

    write = {"json": graph_json, "graphml": graph_graphml, "gexf": graph_gexf}[args.format]
    # with --hide-names ``data`` is the viewer's view, made with the service's pseudonyms: kept as it is
    return write(data, scope, hide_names=data.names_hidden), "graph"


def _no_table(key: str, tables: list[Any]) -> list[Any]:
    keys = ", ".join(t.key for t in tables)
    raise ValueError(_(f"表 {key} はありません（{keys}）", f"no table {key} (there are: {keys})"))


def _date(text: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text) if text else None


def _cmd_export(args: argparse.Namespace) -> int:
    from secgraph.viz.naming import file_name

    if args.subject == "pack" and not args.region:
        print(_("エラー: pack には --region が必要です", "error: pack needs --region"), file=sys.stderr)
        return EXIT_REFUSED
    service, principal = _service(args.hide_names)
    try:
        data = service.view_for(principal).data
        scope = _scope(args)
        content, what = _export_bytes(args, service, data, scope)
    except (KeyError, ValueError) as error:
        print(_("エラー: ", "error: ") + str(error.args[0] if error.args else error), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        service.holder.close()
    extension = "zip" if content[:2] == b"PK" and args.format == "csv" else args.format
    target = Path(args.output or file_name(what, scope, extension))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    print(_(f"{target} に書き出しました（{len(content):,} バイト）", f"wrote {target} ({len(content):,} bytes)"))
    return EXIT_OK


# -- keys -------------------------------------------------------------------------------------------


def _keys():  # type: ignore[no-untyped-def]
    from secgraph.access import KeyStore
    from secgraph.api.settings import ApiSettings

    return KeyStore(ApiSettings.from_env().keys_path)


def _cmd_keys_create(args: argparse.Namespace) -> int:
    if args.community:
        store = open_store()
        try:
            node = store.get_node(args.community)
        finally:
            store.close()
        if node is None or node.kind != "Community":
            print(
                _(f"コミュニティ「{args.community}」はありません", f"no community '{args.community}' in the store"),
                file=sys.stderr,
            )
            return EXIT_REFUSED
    keys = _keys()
    if args.only_if_none and keys.has_active_keys():
        print(_("有効なキーが既にあるので作りません", "An active key exists already; none created"))
        return EXIT_OK
    token, info = keys.create(args.role, args.name or "", args.community)
    print(_(f"キーを作りました（ID {info.id}、役割 {info.role}）。", f"Key created (id {info.id}, role {info.role})."))
    print(
        _("このキーは今だけ表示します。保存されるのはハッシュだけです:", "It is shown only now; only its hash is kept:")
    )
    print()
    print(f"    {token}")
    print()
    print(_("使い方: Authorization: Bearer <キー>", "Use it as: Authorization: Bearer <key>"))
    return EXIT_OK


def _cmd_keys_list(args: argparse.Namespace) -> int:
    infos = _keys().list(include_revoked=not args.active)
    if args.json:
        _print_json([{k: v for k, v in info.__dict__.items() if k != "ephemeral"} for info in infos])
        return EXIT_OK
    if not infos:
        print(_("キーはありません。secgraph keys create で作ります", "No keys. Make one with secgraph keys create"))
        return EXIT_OK
    headers = [_("ID", "id"), _("名前", "name"), _("役割", "role"), _("コミュニティ", "community")]
    headers += [_("作成", "created"), _("失効", "revoked")]
    rows = [[i.id, i.name, str(i.role), i.community_id or "", i.created_at, i.revoked_at or ""] for i in infos]
    print(format_table(headers, rows))
    return EXIT_OK


def _cmd_keys_revoke(args: argparse.Namespace) -> int:
    from secgraph.access import KeyRequestError

    try:
        info = _keys().revoke(args.key_id)
    except KeyRequestError as error:
        print(str(error), file=sys.stderr)
        return EXIT_REFUSED
    print(_(f"キー {info.id}（{info.name}）を失効させました", f"Key {info.id} ({info.name}) revoked"))
    return EXIT_OK


# -- serve ------------------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def trusted_proxies(value: str) -> list[str]:
    """The proxies named in ``value`` (comma-separated addresses or networks, or ``*``), each checked.

    Raises ValueError naming the first entry that is neither."""
    proxies = [entry.strip() for entry in value.split(",") if entry.strip()]
    for entry in proxies:
        if entry != "*":
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(entry) from None
    return proxies


def most_workers() -> int:
    """The most worker processes ``serve --workers`` accepts: four per core it may run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 4 * max(1, cores)


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from secgraph.access import KeyStore, Role
    from secgraph.api.app import SERVED_ADMIN_KEY_ENV
    from secgraph.api.settings import ApiSettings

    if not 1 <= args.workers <= most_workers():
        print(
            _(
                f"--workers は 1 から {most_workers()}（このマシンのコア数の4倍）までです: {args.workers}",
                f"--workers must be between 1 and {most_workers()} (four per core of this machine): {args.workers}",
            ),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    # Each worker builds the service from the environment (``create_served_app``): what is decided
    # here goes there, and nothing else does.
    os.environ.pop(SERVED_ADMIN_KEY_ENV, None)
    settings = ApiSettings.from_env()
    forwarded = settings.forwarded_allow_ips if args.forwarded_allow_ips is None else args.forwarded_allow_ips
    try:
        proxies = trusted_proxies(forwarded)
    except ValueError as bad:
        print(
            _(
                f"--forwarded-allow-ips（SECGRAPH_FORWARDED_ALLOW_IPS）の「{bad}」はIPアドレスでもネットワークでも"
                "ありません。例: 10.0.0.5,10.1.0.0/16",
                f"--forwarded-allow-ips (SECGRAPH_FORWARDED_ALLOW_IPS): '{bad}' is neither an IP address nor a "
                "network; for example 10.0.0.5,10.1.0.0/16",
            ),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    os.environ["SECGRAPH_FORWARDED_ALLOW_IPS"] = forwarded
    keys = KeyStore(settings.keys_path)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{args.port}/docs"
    if keys.has_active_keys():
        print(
            _(
                f"secgraph API: {url} を開き、Authorize に `secgraph keys create` で作ったキーを入れてください"
                f"（一覧: secgraph keys list）。ストア: {settings.store.describe()}",
                f"secgraph API: open {url} and press Authorize with a key made by `secgraph keys create` "
                f"(see `secgraph keys list`). Store: {settings.store.describe()}",
            ),
            flush=True,
        )
    elif not is_loopback(args.host):
        print(
            _(
                f"{args.host} で待ち受けるにはAPIキーが必要です。先に `secgraph keys create --role admin` でキーを"
                "作ってください（キーなしで使えるのは 127.0.0.1 だけです）",
                f"Refusing to listen on {args.host} with no API keys configured: anyone who can reach it could "
                "read and change everything. Create a key first with `secgraph keys create --role admin`; "
                "without keys, serve on 127.0.0.1 only.",
            ),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    else:
        token, made = keys.create_ephemeral(Role.ADMIN, "secgraph serve (this process only)")
        os.environ[SERVED_ADMIN_KEY_ENV] = keys.ephemeral_record(made.id)
        print(
            _(
                f"secgraph API: {url} を開き、Authorize に次の管理者キーを貼ってください（このプロセスの間だけ有効、"
                f"保存されません）: {token}   ストア: {settings.store.describe()}",
                f"secgraph API: open {url}, press Authorize and paste this admin key (valid while this process "
                f"runs, never stored): {token}   Store: {settings.store.describe()}",
            ),
            flush=True,
        )
    # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default: any local client could then
    # choose its address for the failed-key limit and the access log. Only named proxies are believed.
    uvicorn.run(
        "secgraph.api.app:create_served_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    return EXIT_OK


# -- the parser -------------------------------------------------------------------------------------


def _add_filters(parser: argparse.ArgumentParser, *names: str) -> None:
    helps = {
        "sector": _("セクター（コードまたは名前。例: insurer, 保険会社）", "sector, code or label (insurer, 保険会社)"),
        "prefecture": _("都道府県（27, 大阪府, Osaka）", "prefecture (27, 大阪府, Osaka)"),
        "region": _("地域（mic-kinki, 近畿）", "region (mic-kinki, 近畿)"),
        "community": _("このコミュニティと直接関係のある記録", "records with a direct tie to this community id"),
        "event-type": _("イベント種別（seminar, セミナー）", "event type (seminar, セミナー)"),
    }
    for name in names:
        parser.add_argument(f"--{name}", help=helps[name])


def _add_paging(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offset", type=int, default=0, help=_("飛ばす件数", "items to skip (default 0)"))
    parser.add_argument("--limit", type=int, default=50, help=_("表示件数（既定50）", "items to show (default 50)"))
    parser.add_argument("--json", action="store_true", help=_("JSONで出力", "print JSON instead of a table"))
    parser.add_argument(
        "--hide-names",
        action="store_true",
        help=_(
            "閲覧者と同じ表示（秘匿を除き、人物は役割と所属だけ）",
            "show what a viewer sees: no confidential records, people by role and affiliation",
        ),
    )


def _command(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int], help_: tuple[str, str], about: tuple[str, str]
) -> argparse.ArgumentParser:
    """A subcommand with its one-line help and its description, each in the chosen language."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=_(*help_), description=_(*about))
    parser.set_defaults(run=run)
    return parser


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


def _add_export_parser(commands: Any) -> None:
    from secgraph.viz.charts import CHARTS

    export_parser = _command(
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
        sub.add_argument("--format", choices=formats, default=formats[0], help=_("形式", "format") + f" ({formats[0]})")
        sub.add_argument(
            "-o", "--output", help=_("書き出すファイル（既定は名前を自動で）", "file to write (default: named for you)")
        )
        sub.add_argument(
            "--hide-names", action="store_true", help=_("人物は役割と所属だけ", "people by role and affiliation")
        )
        for flag, help_ja, help_en in (
            ("--community", "コミュニティID", "community id"),
            ("--region", "地域（mic-kinki, 近畿）", "region (mic-kinki, 近畿)"),
            ("--prefecture", "都道府県（27, 大阪府）", "prefecture (27, 大阪府)"),
            ("--as-of", "基準日（YYYY-MM-DD）", "as of date (YYYY-MM-DD)"),
        ):
            sub.add_argument(flag, help=_(help_ja, help_en))
        if subject in ("map", "pack"):
            sub.add_argument("--seed", type=int, default=0, help=_("配置の乱数シード", "layout seed"))
        if subject in ("profile", "pack"):
            sub.add_argument("--since", help=_("この日からの変化も示す", "also show what changed since this date"))
        if subject == "map":
            sub.add_argument("--layout", help=_("保存した配置（JSON）を使う", "reuse a saved layout (JSON)"))
            sub.add_argument("--save-layout", help=_("配置をJSONに保存", "save the layout as JSON"))
        if subject == "chart":
            sub.add_argument("name", choices=sorted(CHARTS), help=_("グラフの種類", "which chart"))
        if subject == "profile":
            sub.add_argument("community_id", help=_("コミュニティID", "community id"))
        if subject == "table":
            sub.add_argument("analysis", choices=_analysis_slugs(), help=_("分析の種類", "which analysis"))
            _add_analysis_options(sub)
            sub.add_argument("--table", help=_("この表だけ（CSVは1ファイル）", "only this table (one CSV file)"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secgraph",
        description=_(
            "地域SECUNITYの団体・人・コミュニティ・イベントをグラフとして蓄積し、検索し、APIで提供します。"
            "ストアは既定で var/secgraph.db（SECGRAPH_DB）、NEO4J_URI を設定すると Neo4j です。",
            "Stores the organisations, people, communities and events of Japan's regional cybersecurity "
            "communities (地域SECUNITY) as a graph, lists and searches them, and serves them as an API. "
            "The store is var/secgraph.db (SECGRAPH_DB) unless NEO4J_URI names a Neo4j server.",
        ),
        epilog=_(
            "例: secgraph load seed_data / secgraph search 保険 / secgraph keys create --role planner / secgraph serve",
            "examples: secgraph load seed_data; secgraph search insurer; secgraph keys create --role planner; "
            "secgraph serve",
        ),
    )
    parser.add_argument(
        "--lang", choices=("ja", "en"), help=_("表示言語（既定はロケール）", "message language (default: locale)")
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load_parser = _command(
        commands,
        "load",
        _cmd_load,
        ("フォルダ・CSV・Excelを読み込む（全部か無か）", "load a folder, CSV or workbook (all or nothing)"),
        (
            "seed_data/README.md の形式のデータを読み込みます。1行でも誤りがあれば何も書き込まず、"
            "ファイル・行・列・理由を表示します。同じデータを再度読み込んでも変わりません。",
            "Loads data in the format of seed_data/README.md. One bad row and nothing is written; every "
            "problem is shown with file, row, column and reason. Loading the same data again changes nothing.",
        ),
    )
    load_parser.add_argument("path", help=_("フォルダ・CSV・.xlsx", "folder, CSV or .xlsx"))
    load_parser.add_argument(
        "--check", action="store_true", help=_("検証のみ、書き込まない", "validate only, write nothing")
    )
    load_parser.add_argument("--json", action="store_true", help=_("JSONで報告", "report as JSON"))

    backup_parser = _command(
        commands,
        "backup",
        _cmd_backup,
        ("全データをJSONにバックアップ", "back up the whole graph to one JSON file"),
        (
            "ストアの全記録（秘匿・氏名を含む）をJSON出力として書き出します。途中で止まっても既存のファイルは壊れません。"
            "secgraph restore で空のストア（組み込み・Neo4jどちらでも）に戻せます。",
            "Writes every record of the store (confidential ones and names included) as the JSON export. An "
            "interrupted backup never leaves a half file. `secgraph restore` puts it back into an empty store "
            "of either kind.",
        ),
    )
    backup_parser.add_argument("file", help=_("書き出すファイル（.json）", "file to write (.json)"))
    restore_parser = _command(
        commands,
        "restore",
        _cmd_restore,
        ("バックアップを空のストアに復元", "restore a backup into an empty store"),
        (
            "secgraph backup のファイルを空のストアに読み込みます（全部か無か）。"
            "記録のあるストアへの復元は拒否します。",
            "Loads a file made by `secgraph backup` into an empty store, all or nothing. A store that already "
            "holds records is refused.",
        ),
    )
    restore_parser.add_argument("file", help=_("バックアップファイル", "backup file"))
    restore_parser.add_argument("--json", action="store_true", help=_("JSONで報告", "report as JSON"))

    _command(
        commands,
        "info",
        _cmd_info,
        ("ストアの状態", "what the store holds"),
        (
            "ストアの場所・リビジョン・種類ごとの件数をJSONで表示します。",
            "Prints the store, its revision and counts per kind as JSON.",
        ),
    )

    list_parser = _command(
        commands,
        "list",
        _cmd_list,
        ("一覧（団体・人物・コミュニティ・イベント…）", "list organisations, people, communities, events …"),
        (
            "種類ごとの一覧をID順に表示します。--q で名前を絞り込みます（別名・表記ゆれも一致）。",
            "Lists one kind of record in id order; --q narrows by name (aliases and spelling variants match).",
        ),
    )
    list_parser.add_argument("kind", choices=[*LIST_KINDS, "relationships"], help=_("種類", "what to list"))
    list_parser.add_argument("--q", help=_("名前で絞り込み", "name contains (folded spelling)"))
    _add_filters(list_parser, "sector", "prefecture", "region", "community", "event-type")
    list_parser.add_argument("--type", help=_("関係の種類（relationships のみ）", "relationship type (relationships)"))
    list_parser.add_argument(
        "--node", help=_("この記録に接する関係（relationships のみ）", "ties of this id (relationships)")
    )
    _add_paging(list_parser)

    search_parser = _command(
        commands,
        "search",
        _cmd_search,
        ("名前で横断検索", "search every kind by name"),
        (
            "名前・別名・略称・英語名で検索します。株式会社の位置・全角半角・空白の違いは無視します。"
            "完全一致・前方一致・部分一致の順に表示します。",
            "Searches names, aliases, abbreviations and English names, ignoring 株式会社 placement, "
            "full/half width and spaces. Whole matches first, then prefix, then substring.",
        ),
    )
    search_parser.add_argument("text", help=_("検索語", "what to look for"))
    search_parser.add_argument(
        "--kind",
        action="append",
        choices=list(LIST_KINDS),
        help=_("種類に絞る（複数可）", "only this kind (repeatable)"),
    )
    _add_filters(search_parser, "sector", "prefecture", "region", "community")
    _add_paging(search_parser)

    analyse_parser = _command(
        commands,
        "analyse",
        _cmd_analyse,
        _analysis_titles(),
        (
            "分析を実行して表で表示します（--json で全項目と根拠）。--community/--region/--prefecture で範囲を、"
            "--as-of でその日時点のネットワークを指定します。",
            "Runs an analysis and prints a table (--json for every field and its evidence). Scope it with "
            "--community, --region or --prefecture, and --as-of for the network as it stood on a date.",
        ),
    )
    analyse_parser.add_argument("analysis", choices=_analysis_slugs(), help=_("分析の種類", "which analysis"))
    for flag, help_ja, help_en in (
        ("--community", "コミュニティID", "community id"),
        ("--region", "地域（mic-kinki, 近畿）", "region (mic-kinki, 近畿)"),
        ("--prefecture", "都道府県（27, 大阪府）", "prefecture (27, 大阪府)"),
        ("--as-of", "基準日（YYYY-MM-DD）", "as of date (YYYY-MM-DD)"),
    ):
        analyse_parser.add_argument(flag, help=_(help_ja, help_en))
    _add_analysis_options(analyse_parser)
    analyse_parser.add_argument("--json", action="store_true", help=_("JSONで出力", "print JSON"))
    analyse_parser.add_argument(
        "--hide-names",
        action="store_true",
        help=_("閲覧者と同じ表示（人物は役割と所属だけ）", "what a viewer sees: people by role and affiliation"),
    )

    keys_parser = commands.add_parser(
        "keys",
        help=_("APIキーの作成・一覧・失効", "create, list and revoke API keys"),
        description=_(
            "APIキーは SECGRAPH_KEYS（既定 var/keys.db）にハッシュだけが保存されます。役割: admin（すべて）、"
            "planner（すべて読み、メモ・ロングリスト・接触を書く）、secretariat（秘匿以外を読み、自コミュニティを"
            "書く）、viewer（秘匿以外を読む。個人名なし）。",
            "API keys are kept, hashed only, in SECGRAPH_KEYS (default var/keys.db). Roles: admin (everything), "
            "planner (reads all; writes notes, long lists, contacts), secretariat (reads all not confidential; "
            "writes its own community), viewer (reads all not confidential, no personal names).",
        ),
    )
    key_commands = keys_parser.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create_parser = _command(
        key_commands,
        "create",
        _cmd_keys_create,
        ("キーを作り、一度だけ表示する", "make a key and show it once"),
        (
            "キーを作って一度だけ表示します。保存されるのはハッシュだけです。",
            "Makes a key and shows it once; only its salted hash is kept.",
        ),
    )
    create_parser.add_argument(
        "--role", required=True, choices=("admin", "planner", "secretariat", "viewer"), help=_("役割", "role")
    )
    create_parser.add_argument("--community", help=_("事務局のコミュニティID", "community id (secretariat keys)"))
    create_parser.add_argument("--name", help=_("キーの名前（誰のキーか）", "a label: whose key this is"))
    create_parser.add_argument(
        "--only-if-none",
        action="store_true",
        help=_(
            "有効なキーが1つもないときだけ作る（コンテナの初回起動用）",
            "create only when no active key exists (a container's first start)",
        ),
    )
    keys_list_parser = _command(
        key_commands,
        "list",
        _cmd_keys_list,
        ("キーの一覧（秘密は表示しない）", "list keys (no secrets)"),
        (
            "キーのID・名前・役割・作成日・失効日を表示します。",
            "Shows each key's id, label, role, creation and revocation.",
        ),
    )
    keys_list_parser.add_argument("--active", action="store_true", help=_("有効なキーだけ", "active keys only"))
    keys_list_parser.add_argument("--json", action="store_true", help=_("JSONで出力", "print JSON"))
    revoke_parser = _command(
        key_commands,
        "revoke",
        _cmd_keys_revoke,
        ("キーを失効させる", "revoke a key"),
        (
            "キーを失効させます。動いているAPIでも次の要求から拒否されます。",
            "Revokes a key; a running API refuses it from its next request.",
        ),
    )
    revoke_parser.add_argument("key_id", help=_("キーのID（keys list に表示）", "key id, as keys list shows"))

    _add_export_parser(commands)

    serve_parser = _command(
        commands,
        "serve",
        _cmd_serve,
        ("APIを起動", "serve the API"),
        (
            "APIを起動します。キーが未設定なら 127.0.0.1 でのみ起動し、このプロセスだけで有効な管理者キーを表示"
            "します。それ以外のアドレスでは先に secgraph keys create でキーを作ってください。",
            "Serves the API. With no keys configured it serves on 127.0.0.1 only and prints an admin key valid "
            "for this process; for any other address create keys first with secgraph keys create.",
        ),
    )
    serve_parser.add_argument(
        "--host", default="127.0.0.1", help=_("待ち受けアドレス（既定 127.0.0.1）", "address (default 127.0.0.1)")
    )
    serve_parser.add_argument("--port", type=int, default=8000, help=_("ポート（既定 8000）", "port (default 8000)"))
    serve_parser.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        default=None,
        help=_(
            "X-Forwarded-For を信じるプロキシのアドレス・ネットワーク（カンマ区切り、* はすべて）。既定は"
            "SECGRAPH_FORWARDED_ALLOW_IPS、なければどれも信じず接続元アドレスを使います",
            "addresses or networks of the proxies whose X-Forwarded-For is believed (comma-separated, * for any); "
            "default SECGRAPH_FORWARDED_ALLOW_IPS, else none: the client is the connection's peer",
        ),
    )
    serve_parser.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=1,
        help=_(
            "ワーカープロセス数（既定 1、最大はコア数の4倍）。どのワーカーも同じストアを読み書きし、"
            "あるワーカーへの書き込みは次の読み取りからどのワーカーにも見えます",
            "worker processes (default 1, at most four per core); every worker reads and writes the same "
            "store, so a write through one is seen by the next read through any other",
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    global _lang
    arguments = list(sys.argv[1:] if argv is None else argv)
    _lang = choose_language(arguments)
    args = build_parser().parse_args(arguments)
    try:
        return int(args.run(args))
    except StoreError as error:
        print(f"{_('エラー', 'error')}: {error}", file=sys.stderr)
        return EXIT_STORE
    except ValueError as error:  # a filter or key option the parser could not check
        print(f"{_('エラー', 'error')}: {error}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
