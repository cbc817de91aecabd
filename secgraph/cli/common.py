"""What every command shares: the message language, exit codes, terminal output, and opening the
service as the terminal user.

The terminal user works as administrator of the store they can open; ``--hide-names`` opens it as a
viewer would see it (no confidential records, people by role and affiliation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from secgraph.model.dates import day_named

if TYPE_CHECKING:
    from secgraph.access import KeyStore, Principal
    from secgraph.api.services import GraphService

EXIT_OK, EXIT_REFUSED, EXIT_STORE = 0, 2, 3

_lang = "en"


def _(ja: str, en: str) -> str:
    """The message in the chosen language."""
    return ja if _lang == "ja" else en


def language() -> str:
    """The chosen language: ``ja`` or ``en``."""
    return _lang


def set_language(lang: str) -> None:
    global _lang
    _lang = lang


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


# -- output -----------------------------------------------------------------------------------------


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


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# -- commands ---------------------------------------------------------------------------------------


def add_command(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int], help_: tuple[str, str], about: tuple[str, str]
) -> argparse.ArgumentParser:
    """A subcommand with its one-line help and its description, each in the chosen language."""
    parser: argparse.ArgumentParser = commands.add_parser(name, help=_(*help_), description=_(*about))
    parser.set_defaults(run=run)
    return parser


def day_option(*, first: bool = False) -> Callable[[str], dt.date]:
    """An option's ``type``: a date in any form the data files take (2021-03-31, 2020年度, 令和3年3月),
    read by the one date parser; a month, year or fiscal year stands for its last day, or its first
    with ``first`` (an option where a span begins)."""

    def read(text: str) -> dt.date:
        try:
            return day_named(text, first=first)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return read


#: How a date option's help ends: the forms it takes.
DATE_FORMS = ("（2021-03-31、2020年度、令和3年3月など）", " (2021-03-31, FY2020, 令和3年3月 …)")


# -- the service ------------------------------------------------------------------------------------


def open_service(hide_names: bool) -> tuple[GraphService, Principal]:
    """The API's graph service over the configured store, and who the terminal user is in it."""
    from secgraph.access import LOCAL_ADMIN, KeyStore, Principal, Role
    from secgraph.api.services import GraphService, StoreHolder
    from secgraph.api.settings import ApiSettings

    settings = ApiSettings.from_env()
    # the service's own pseudonyms (the API's), so that a file made here matches what viewers see
    pseudonyms = KeyStore(settings.keys_path).pseudonym_key() if hide_names else b""
    principal = Principal("local", "command line", Role.VIEWER) if hide_names else LOCAL_ADMIN
    return GraphService(StoreHolder(settings.store), pseudonyms), principal


def key_store() -> KeyStore:
    """The API keys the service checks (``SECGRAPH_KEYS``)."""
    from secgraph.access import KeyStore
    from secgraph.api.settings import ApiSettings

    return KeyStore(ApiSettings.from_env().keys_path)
