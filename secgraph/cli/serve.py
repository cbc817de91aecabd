"""``secgraph serve``: the API over HTTP. With no keys configured it serves only on the loopback
address, with an admin key valid for this process alone."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from typing import Any

from secgraph.cli.common import EXIT_OK, EXIT_REFUSED, _, add_command


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
    sign_in = f"http://{shown_host}:{args.port}/"
    url = f"{sign_in}docs"
    if keys.has_active_keys():
        print(
            _(
                f"secgraph: ブラウザで {sign_in} を開き、`secgraph keys create` で作ったキーでサインインしてください"
                f"（一覧: secgraph keys list。API: {url} の Authorize にも同じキー）。"
                f"ストア: {settings.store.describe()}",
                f"secgraph: open {sign_in} in a browser and sign in with a key made by `secgraph keys create` "
                f"(see `secgraph keys list`; the API at {url} takes the same key under Authorize). "
                f"Store: {settings.store.describe()}",
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
                f"secgraph: ストア: {settings.store.describe()}。API: {url}（Authorize に同じキー）。"
                f"ブラウザで {sign_in} を開き、次の管理者キーを貼ってサインインしてください"
                f"（このプロセスの間だけ有効、保存されません）: {token}",
                f"secgraph: Store: {settings.store.describe()}. API: {url} (the same key under Authorize). "
                f"Open {sign_in} in a browser and sign in with this admin key (valid while this process runs, "
                f"never stored): {token}",
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


def add_commands(commands: Any) -> None:
    serve_parser = add_command(
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
