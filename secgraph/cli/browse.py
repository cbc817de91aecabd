"""``secgraph info``, ``secgraph list`` and ``secgraph search``: what the store holds, one kind of
record at a time or every kind by name. Readable tables by default, JSON with ``--json``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from secgraph.cli.common import EXIT_OK, _, add_command, format_table, language, open_service, print_json
from secgraph.store import StoreSettings, open_store


def _cmd_info(args: argparse.Namespace) -> int:
    settings = StoreSettings.from_env()
    store = open_store(settings)
    try:
        counts = store.snapshot().counts()
        info = {"store": settings.describe(), "revision": store.revision(), "counts": counts}
    finally:
        store.close()
    print_json(info)
    return EXIT_OK


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


def _labels() -> tuple[Callable[[str | None], str], Callable[[str | None], str]]:
    from secgraph.model import geography
    from secgraph.model.vocabulary import Sector, label

    def sector(code: str | None) -> str:
        return label(Sector(code), language()) if code else ""

    def prefecture(code: str | None) -> str:
        if not code:
            return ""
        found = geography.prefecture(code)
        return found.name if language() == "ja" else found.name_en

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
        print_json({"total": result.total, "offset": result.offset, "limit": result.limit, "items": items})
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
    service, principal = open_service(args.hide_names)
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
        print_json({"total": result.total, "offset": result.offset, "limit": result.limit, "items": items})
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
    service, principal = open_service(args.hide_names)
    try:
        view = service.view_for(principal)
        result = service.list_nodes(principal, kinds, _filters(args, args.text), args.offset, args.limit)
        _print_nodes(view, result, args.json, mixed=len(kinds) > 1)
    finally:
        service.holder.close()
    return EXIT_OK


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


def add_commands(commands: Any) -> None:
    add_command(
        commands,
        "info",
        _cmd_info,
        ("ストアの状態", "what the store holds"),
        (
            "ストアの場所・リビジョン・種類ごとの件数をJSONで表示します。",
            "Prints the store, its revision and counts per kind as JSON.",
        ),
    )

    list_parser = add_command(
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

    search_parser = add_command(
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
