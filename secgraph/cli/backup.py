"""``secgraph backup`` and ``secgraph restore``: the whole store as one JSON export, and back into an
empty store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from secgraph.cli.common import EXIT_OK, EXIT_REFUSED, _, add_command
from secgraph.cli.load import print_load_report
from secgraph.store import open_store


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
    print_load_report(report, args.json)
    return EXIT_OK if report.ok else EXIT_REFUSED


def add_commands(commands: Any) -> None:
    backup_parser = add_command(
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
    restore_parser = add_command(
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
