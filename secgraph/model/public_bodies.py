"""The reference directory of the standard public bodies of every prefecture.

A *standard public body* is one every prefecture has (or is served by), taken from an official list:
the prefectural police headquarters, the prefectural government, the METI bureau and the MIC telecom
bureau whose area takes in the prefecture, the chamber of commerce of the prefectural capital, and the
national universities and national kosen whose main campus lies in the prefecture. A bureau serves
several prefectures and so appears once for each of them: the directory answers "which body of this
sector serves prefecture X", not "how many bodies exist".

The directory is package data (``data/public_bodies.csv``, described in ``data/README.md``), read once
and checked as a whole on load. It is reference knowledge, not graph data: a body listed here need not
be in any store.

Aliases are the short forms people write for the body (「県警」「大阪府警」「阪大」), and former names of a
body that absorbed others. They are read within the row's prefecture: 「県警」 names the police of the
row's prefecture only, so the same alias may stand on the police rows of many prefectures, but within
one prefecture a name or alias denotes one body.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from secgraph.model import geography
from secgraph.model.names import name_key, name_keys
from secgraph.model.vocabulary import BUREAU_AREA_KINDS, Sector, parse_term

FILE_NAME = "public_bodies.csv"
COLUMNS: tuple[str, ...] = ("prefecture", "sector", "name", "name_en", "aliases", "source", "as_of")
ALIAS_SEPARATOR = "|"


@dataclass(frozen=True)
class PublicBody:
    """One standard public body of one prefecture, as an official list names it on ``as_of``.

    ``prefecture`` is the JIS code of the prefecture the body serves (for a bureau) or stands in (for
    the others); ``source`` names the publisher and the list the row comes from.
    """

    prefecture: str
    sector: Sector
    name: str
    name_en: str
    aliases: tuple[str, ...]
    source: str
    as_of: dt.date

    @property
    def names(self) -> tuple[str, ...]:
        """The official name, then every alias."""
        return (self.name, *self.aliases)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.prefecture, self.sector.value, self.name)


class PublicBodiesError(ValueError):
    """The directory file breaks a rule; the message lists every broken rule with its line and field."""


class _Problems(list[str]):
    """Broken rules of one file, each naming the line and field, in English and Japanese."""

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def add(self, line: int, field: str, en: str, ja: str) -> None:
        self.append(f"{self.file_name} line {line}, {field}: {en} / {self.file_name} {line}行目 {field}: {ja}")


def parse_public_bodies(text: str, file_name: str = FILE_NAME) -> tuple[PublicBody, ...]:
    """Read and check directory rows from CSV text; rows come back sorted by prefecture, sector, name.

    Rules: the header is exactly ``COLUMNS``; every prefecture is a JIS code of geography's
    prefectures; every sector is a ``Sector`` code; name, source and as_of (ISO date) are present;
    aliases are non-empty and differ from the name; (prefecture, sector, name) is unique; within a
    prefecture a name or alias (compared by ``names.name_key``) denotes one body; a METI or MIC bureau
    row names (as its name or an alias) the bureau of the prefecture's region in geography.
    Raises ``PublicBodiesError`` naming every broken rule, and returns nothing then.
    """
    # A byte-order mark is what a spreadsheet saving "CSV UTF-8" puts first; it is not part of the header.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = tuple(next(reader, ()))
    if header != COLUMNS:
        raise PublicBodiesError(
            f"{file_name}: the header must be {','.join(COLUMNS)}, not {','.join(header) or '(empty)'}"
            f" / {file_name}: 見出し行は {','.join(COLUMNS)} である必要があります"
        )
    prefectures = {p.code: p for p in geography.prefectures()}
    regions = {r.code: r for r in geography.regions()}
    problems = _Problems(file_name)
    bodies: list[PublicBody] = []
    lines: dict[tuple[str, str, str], int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(COLUMNS):
            problems.add(
                line,
                "(row)",
                f"has {len(fields)} fields, expected {len(COLUMNS)}",
                f"列の数が {len(fields)} です（{len(COLUMNS)} 列が必要です）",
            )
            continue
        row = dict(zip(COLUMNS, (field.strip() for field in fields), strict=True))
        before = len(problems)
        if row["prefecture"] not in prefectures:
            problems.add(
                line,
                "prefecture",
                f"'{row['prefecture']}' is not a two-digit JIS prefecture code (01-47)",
                f"「{row['prefecture']}」は都道府県コード（01〜47 の2桁）ではありません",
            )
        try:
            sector = Sector(row["sector"])
        except ValueError:
            problems.add(
                line,
                "sector",
                f"'{row['sector']}' is not a sector code",
                f"「{row['sector']}」は分類コードではありません",
            )
        for field in ("name", "source", "as_of"):
            if not row[field]:
                problems.add(line, field, "is empty", "が空です")
        as_of: dt.date | None = None
        if row["as_of"]:
            try:
                as_of = dt.date.fromisoformat(row["as_of"])
            except ValueError:
                problems.add(
                    line,
                    "as_of",
                    f"'{row['as_of']}' is not a date (YYYY-MM-DD)",
                    f"「{row['as_of']}」は日付（YYYY-MM-DD）ではありません",
                )
        aliases = tuple(alias.strip() for alias in row["aliases"].split(ALIAS_SEPARATOR)) if row["aliases"] else ()
        if any(not alias for alias in aliases):
            problems.add(line, "aliases", "has an empty alias between '|'", "「|」の間に空の別名があります")
        if row["name"] and any(name_key(alias) == name_key(row["name"]) for alias in aliases):
            problems.add(line, "aliases", "repeats the name", "名称と同じ別名があります")
        if len(problems) > before:
            continue
        assert as_of is not None
        body = PublicBody(row["prefecture"], sector, row["name"], row["name_en"], aliases, row["source"], as_of)
        if body.sort_key in lines:
            problems.add(
                line,
                "name",
                f"'{body.name}' is already listed for this prefecture and sector on line {lines[body.sort_key]}",
                f"「{body.name}」は同じ都道府県・分類で {lines[body.sort_key]} 行目にもあります",
            )
            continue
        lines[body.sort_key] = line
        bodies.append(body)

    _check_ambiguous_names(bodies, lines, problems)
    _check_bureaus_against_geography(bodies, lines, problems, prefectures, regions)
    if problems:
        raise PublicBodiesError("\n".join(problems))
    return tuple(sorted(bodies, key=lambda body: body.sort_key))


def _check_ambiguous_names(
    bodies: list[PublicBody], lines: dict[tuple[str, str, str], int], problems: _Problems
) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for body in bodies:
        for name in body.names:
            owners[(body.prefecture, name_key(name))].add(body.name)
    for body in bodies:
        for alias in body.aliases:
            others = sorted(owners[(body.prefecture, name_key(alias))] - {body.name})
            if others:
                problems.add(
                    lines[body.sort_key],
                    "aliases",
                    f"'{alias}' also names {', '.join(others)} in prefecture {body.prefecture}",
                    f"別名「{alias}」は同じ都道府県（{body.prefecture}）の「{'」「'.join(others)}」も指します",
                )


def _check_bureaus_against_geography(
    bodies: list[PublicBody],
    lines: dict[tuple[str, str, str], int],
    problems: _Problems,
    prefectures: dict[str, geography.Prefecture],
    regions: dict[str, geography.Region],
) -> None:
    """A bureau row must agree with geography's jurisdictions, so the two can never disagree."""
    for body in bodies:
        if body.sector is Sector.METI_BUREAU:
            region = regions[prefectures[body.prefecture].meti_region]
        elif body.sector is Sector.MIC_BUREAU:
            region = regions[prefectures[body.prefecture].mic_region]
        else:
            continue
        if name_key(region.bureau) not in {name_key(name) for name in body.names}:
            problems.add(
                lines[body.sort_key],
                "name",
                f"'{body.name}' is not {region.bureau}, the bureau geography gives for {body.prefecture}",
                f"「{body.name}」は {body.prefecture} を管轄する「{region.bureau}」ではありません",
            )


@cache
def _directory() -> tuple[PublicBody, ...]:
    text = resources.files("secgraph.model").joinpath("data", FILE_NAME).read_text(encoding="utf-8")
    return parse_public_bodies(text)


def public_bodies(prefecture: str | None = None, sector: Sector | None = None) -> tuple[PublicBody, ...]:
    """The directory's bodies, sorted by prefecture code, sector code and name.

    ``prefecture`` is anything ``geography.prefecture`` resolves (「27」「大阪府」「Osaka」); ``sector``
    a ``Sector`` (or its code or label). Either left out means all.
    """
    bodies = _directory()
    if prefecture is not None:
        code = geography.prefecture(prefecture).code
        bodies = tuple(body for body in bodies if body.prefecture == code)
    if sector is not None:
        wanted = parse_term(Sector, str(sector))
        bodies = tuple(body for body in bodies if body.sector is wanted)
    return bodies


def body_key(body: PublicBody) -> tuple[str, str]:
    """What one body is across its rows (a bureau has a row for each prefecture it serves)."""
    return (body.sector.value, name_key(body.name))


@cache
def _rows_by_name() -> dict[str, tuple[PublicBody, ...]]:
    found: dict[str, list[PublicBody]] = defaultdict(list)
    for body in _directory():
        for key in name_keys(body.names):
            found[key].append(body)
    return {key: tuple(rows) for key, rows in found.items()}


@cache
def _rows_by_body() -> dict[tuple[str, str], tuple[PublicBody, ...]]:
    found: dict[tuple[str, str], list[PublicBody]] = defaultdict(list)
    for body in _directory():
        found[body_key(body)].append(body)
    return {key: tuple(rows) for key, rows in found.items()}


def listed_rows(keys: Iterable[str], prefecture: str | None) -> tuple[PublicBody, ...]:
    """Every row of the one directory body a record known by ``keys`` (``names.record_name_keys``) is.

    A name or alias is read within the row's prefecture, so for a record located in ``prefecture`` only
    that prefecture's rows count — bureau rows excepted, as a bureau stands in one prefecture and serves
    others. A record with no prefecture is matched on all rows. When the keys reach no body, or more
    than one (「県警」 alone names every prefecture's police), the record is not listed: ``()``.
    """
    rows = {row for key in keys for row in _rows_by_name().get(key, ())}
    if prefecture is not None:
        rows = {row for row in rows if row.prefecture == prefecture or row.sector in BUREAU_AREA_KINDS}
    bodies = {body_key(row) for row in rows}
    if len(bodies) != 1:
        return ()
    return _rows_by_body()[bodies.pop()]
