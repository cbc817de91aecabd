"""The secgraph command line. 日本語とEnglishで案内します。"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from secgraph.io.importer import LoadReport, load
from secgraph.store import StoreError, StoreSettings, open_store


def _print_report(report: LoadReport, as_json: bool, check_only: bool = False) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    if report.errors:
        print(
            f"読み込みを中止しました。何も書き込まれていません / Load refused, nothing written: "
            f"{len(report.errors)} 件の問題 / problems"
        )
        for error in report.errors:
            print(f"  {error}")
        return
    if check_only:
        state = "検証のみ、問題なし（書き込みません） / checked, no problems (nothing written)"
    else:
        state = "書き込みました / written" if report.written else "変更なし / nothing to write"
    print(f"{report.path}: {state}")
    would = "（予定） / would be " if check_only else ""
    for title, counter in (
        (f"追加{would}added", report.added),
        (f"更新{would}updated", report.updated),
        ("変更なし / unchanged", report.unchanged),
    ):
        if counter:
            print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    if report.merges:
        print(f"  名寄せ / merges ({len(report.merges)}):")
        for merge in report.merges:
            print(f"    {merge}")
    if report.ignored_files:
        print("  読み飛ばしたファイル / ignored files: " + ", ".join(report.ignored_files))


def _cmd_load(args: argparse.Namespace) -> int:
    store = open_store()
    try:
        report = load(store, args.path, check_only=args.check)
    finally:
        store.close()
    _print_report(report, args.json, args.check)
    return 0 if report.ok else 2


def _cmd_info(args: argparse.Namespace) -> int:
    settings = StoreSettings.from_env()
    store = open_store(settings)
    try:
        counts = store.snapshot().counts()
        info = {"store": settings.describe(), "revision": store.revision(), "counts": counts}
    finally:
        store.close()
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from secgraph.api.app import create_app

    settings = StoreSettings.from_env()
    print(
        f"secgraph API: http://{args.host}:{args.port}/docs を開いてください / open it in a browser "
        f"(store: {settings.describe()})",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secgraph",
        description="地域SECUNITYのネットワークを蓄積・分析します / Stores and analyses 地域SECUNITY networks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    load_parser = commands.add_parser(
        "load", help="フォルダまたはExcelブックを読み込む / load a folder or workbook (all or nothing)"
    )
    load_parser.add_argument("path", help="フォルダ・CSV・.xlsx / folder, CSV or .xlsx")
    load_parser.add_argument("--check", action="store_true", help="検証のみ / validate only, write nothing")
    load_parser.add_argument("--json", action="store_true", help="JSONで報告 / report as JSON")
    load_parser.set_defaults(run=_cmd_load)

    info_parser = commands.add_parser("info", help="ストアの状態 / what the store holds")
    info_parser.set_defaults(run=_cmd_info)

    serve_parser = commands.add_parser("serve", help="APIを起動 / serve the API")
    serve_parser.add_argument("--host", default="127.0.0.1", help="待ち受けアドレス / address (default 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=8000, help="ポート / port (default 8000)")
    serve_parser.set_defaults(run=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except StoreError as error:
        print(f"エラー / error: {error}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
