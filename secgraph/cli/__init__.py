"""The secgraph command line: load data, list and search it, analyse it, export it, manage API keys,
back it up and serve the API. One module per command group, each adding its own subcommands.

Messages are in Japanese or English: ``--lang ja|en``, or else the locale (LC_ALL, LC_MESSAGES, LANG
starting with ``ja`` means Japanese). Lists are readable tables by default and JSON with ``--json``.
The terminal user works as administrator of the store they can open; ``--hide-names`` shows what a
viewer key would see (no confidential records, people by role and affiliation).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from secgraph.cli import analyse, backup, browse, export, keys, load, serve
from secgraph.cli.common import EXIT_REFUSED, EXIT_STORE, _, choose_language, set_language
from secgraph.store import StoreError

#: The command groups, in the order ``secgraph --help`` lists their commands.
COMMAND_GROUPS = (load, backup, browse, analyse, keys, export, serve)


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
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    set_language(choose_language(arguments))
    args = build_parser().parse_args(arguments)
    try:
        return int(args.run(args))
    except StoreError as error:
        print(f"{_('エラー', 'error')}: {error}", file=sys.stderr)
        return EXIT_STORE
    except ValueError as error:  # a filter or key option the parser could not check
        print(f"{_('エラー', 'error')}: {error}", file=sys.stderr)
        return EXIT_REFUSED
