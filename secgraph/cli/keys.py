"""``secgraph keys create|list|revoke``: the API keys the service checks, kept hashed only in
``SECGRAPH_KEYS``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from secgraph.cli.common import EXIT_OK, EXIT_REFUSED, _, add_command, format_table, key_store, print_json
from secgraph.store import open_store


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
    keys = key_store()
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
    infos = key_store().list(include_revoked=not args.active)
    if args.json:
        print_json([{k: v for k, v in info.__dict__.items() if k != "ephemeral"} for info in infos])
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
        info = key_store().revoke(args.key_id)
    except KeyRequestError as error:
        print(str(error), file=sys.stderr)
        return EXIT_REFUSED
    print(_(f"キー {info.id}（{info.name}）を失効させました", f"Key {info.id} ({info.name}) revoked"))
    return EXIT_OK


def add_commands(commands: Any) -> None:
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
    create_parser = add_command(
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
    keys_list_parser = add_command(
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
    revoke_parser = add_command(
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
