"""``secgraph load``: read a folder, CSV, workbook or JSON export into the store, all or nothing
(``--check`` validates and writes nothing)."""

from __future__ import annotations

import argparse
from typing import Any

from secgraph.cli.common import EXIT_OK, EXIT_REFUSED, _, add_command, print_json
from secgraph.io.importer import LoadReport, load
from secgraph.store import open_store


def print_load_report(report: LoadReport, as_json: bool, check_only: bool = False) -> None:
    """What a load (or a restore) wrote, or every problem that stopped it."""
    if as_json:
        print_json(report.as_dict())
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
    if report.resolved:
        title = _("名寄せ済みのIDを読み替えました", "merged-away ids resolved to the record they became")
        print(f"  {title} ({len(report.resolved)}):")
        for resolved in report.resolved:
            print(f"    {resolved}")
    if report.splits:
        title = _("別人として名寄せを取り消しました", "merges undone (not the same person)")
        print(f"  {title} ({len(report.splits)}):")
        for split in report.splits:
            print(f"    {split}")
    if any(merge.kind == "Person" for merge in report.merges):
        print(
            "  "
            + _(
                "人物の名寄せを確認してください。別人なら not_same.csv に person_id,other_id を書いて"
                "再度読み込みます。",
                "review the people merged; if two are not the same, add person_id,other_id to "
                "not_same.csv and load again.",
            )
        )
    if report.ignored_files:
        print(f"  {_('読み飛ばしたファイル', 'ignored files')}: " + ", ".join(report.ignored_files))


def _cmd_load(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        report = load(store, args.path, check_only=args.check)
    finally:
        store.close()
    print_load_report(report, args.json, args.check)
    return EXIT_OK if report.ok else EXIT_REFUSED


def add_commands(commands: Any) -> None:
    load_parser = add_command(
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
