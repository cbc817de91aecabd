"""Reading the files secretariats send: CSV in UTF-8 or Shift_JIS/CP932 (with or without a BOM),
and Excel workbooks whose sheets are named like the CSV files; and secgraph's own JSON export
(``json_graph.py``), so that a backup loads back.

A table is a list of rows, each a dict from column to text, with the row number a person sees in
Excel (the header is row 1). Problems are collected, not raised, so that one pass reports them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_CELL_CHARS = 20_000

#: The kinds of file a data set has, and the Japanese sheet names a workbook may use for them.
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "organisations": ("団体", "組織"),
    "people": ("人物",),
    "communities": ("コミュニティ",),
    "event_series": ("シリーズ",),
    "events": ("イベント",),
    "relationships": ("関係",),
    "headcounts": ("人数",),
    "notes": ("メモ",),
}
_BY_NAME = {alias: table for table, aliases in TABLE_NAMES.items() for alias in (table, *aliases)}

#: A cell starting like a spreadsheet formula (=HYPERLINK(...), @SUM, +cmd) would run in Excel when
#: an export is opened; such text is refused on the way in.
_FORMULA_STARTS = ("=", "@", "\t", "\r")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} 行{self.row}" if self.row else self.file
        return f"{where} [{self.column}]: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class Table:
    name: str  # one of TABLE_NAMES
    file: str  # shown in messages: a path relative to the loaded folder, workbook:sheet, or export.json:nodes
    #: (row number, values): text by column from a spreadsheet; typed values by field from a JSON export
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    encoding: str = "utf-8"
    #: Rows of secgraph's JSON export: keyed by model field, taken as the store had them (never
    #: merged by name with one another).
    exported: bool = False
    #: A JSON export with personal names hidden: it loads only into a store holding nothing else.
    names_hidden: bool = False


def looks_like_formula(text: str) -> bool:
    if text.startswith(_FORMULA_STARTS):
        return True
    # "+81-..." or "-5" are data; "+cmd|..." or "-2+3" style payloads start with a sign then a letter.
    return len(text) > 1 and text[0] in "+-" and not (text[1].isdigit() or text[1].isspace())


def table_name_for(stem: str) -> str | None:
    return _BY_NAME.get(stem.strip().casefold()) or _BY_NAME.get(stem.strip())


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not) first, then CP932 (Shift_JIS)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" saves UTF-16: readable, but tab-separated and not what we document
        raise ValueError(
            "UTF-16 (Excel's 'Unicode text'): save as 'CSV UTF-8' instead "
            "/ UTF-16です。Excelで「CSV UTF-8（コンマ区切り）」として保存し直してください"
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp932"), "cp932"
    except UnicodeDecodeError as error:
        raise ValueError(
            f"neither UTF-8 nor Shift_JIS/CP932 (byte {error.start}) / 文字コードがUTF-8でもShift_JISでもありません"
        ) from None


def _check_cell(table: Table, row_number: int, column: str, value: str, errors: list[RowError]) -> str:
    value = value.strip()
    if len(value) > MAX_CELL_CHARS:
        errors.append(
            RowError(table.file, row_number, column, f"cell longer than {MAX_CELL_CHARS} characters / セルが長すぎます")
        )
        return ""
    if value and looks_like_formula(value):
        errors.append(
            RowError(
                table.file,
                row_number,
                column,
                "looks like a spreadsheet formula; refused / 数式のような値は受け付けません",
            )
        )
        return ""
    return value


def _rows_from_matrix(table: Table, matrix: list[list[str]], errors: list[RowError]) -> None:
    if not matrix:
        errors.append(RowError(table.file, 0, "", "the file is empty (no header row) / 見出し行がありません"))
        return
    header = [h.strip() for h in matrix[0]]
    while header and not header[-1]:
        header.pop()
    if len(set(header)) != len(header) or "" in header:
        errors.append(RowError(table.file, 1, "", f"header has empty or repeated columns: {header} / 見出しが不正です"))
        return
    for offset, cells in enumerate(matrix[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errors.append(
                RowError(
                    table.file,
                    offset,
                    "",
                    f"row has {len(cells)} cells but the header has {len(header)} / 列数が見出しと合いません",
                )
            )
            continue
        errors_before = len(errors)
        values = {
            column: _check_cell(table, offset, column, cells[i] if i < len(cells) else "", errors)
            for i, column in enumerate(header)
        }
        if len(errors) == errors_before:  # a refused cell is reported once, not again as missing
            table.rows.append((offset, values))


def read_csv(path: Path, shown_as: str, name: str, errors: list[RowError]) -> Table:
    table = Table(name=name, file=shown_as)
    try:
        text, table.encoding = _decode(path.read_bytes())
    except (OSError, ValueError) as error:
        errors.append(RowError(shown_as, 0, "", str(error)))
        return table
    if "\x00" in text:
        errors.append(RowError(shown_as, 0, "", "the file contains NUL bytes (not a text CSV) / CSVではありません"))
        return table
    try:
        matrix = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        errors.append(
            RowError(shown_as, 0, "", f"malformed CSV (truncated or bad quoting): {error} / CSVが壊れています")
        )
        return table
    _rows_from_matrix(table, matrix, errors)
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path, shown_as: str, errors: list[RowError]) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        errors.append(
            RowError(shown_as, 0, "", f"not a readable .xlsx workbook: {error} / Excelブックとして読めません")
        )
        return []
    tables: list[Table] = []
    try:
        for sheet in workbook.worksheets:
            name = table_name_for(sheet.title)
            if name is None:
                continue
            table = Table(name=name, file=f"{shown_as}:{sheet.title}")
            try:
                matrix = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            except Exception as error:  # a read-only sheet is parsed only now: its XML may be damaged
                errors.append(
                    RowError(table.file, 0, "", f"the sheet cannot be read: {error} / シートを読めません（破損）")
                )
                continue
            _rows_from_matrix(table, matrix, errors)
            tables.append(table)
    finally:
        workbook.close()
    return tables


def read_tables(path: Path, errors: list[RowError]) -> tuple[list[Table], list[str]]:
    """Every table under ``path`` (a folder, searched recursively in name order, a CSV, a workbook,
    or a JSON export), and the files it passed over. In a folder, a .json file that is not a secgraph
    export is passed over like any other file; named on its own, it must be one."""
    from secgraph.io.json_graph import is_graph_export, read_graph_json

    path = Path(path)
    if not path.exists():
        errors.append(RowError(str(path), 0, "", "no such file or folder / ファイルまたはフォルダがありません"))
        return [], []
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    base = path if path.is_dir() else path.parent
    tables: list[Table] = []
    ignored: list[str] = []
    for file in files:
        shown = file.relative_to(base).as_posix()
        suffix = file.suffix.casefold()
        if suffix == ".xlsx":
            tables.extend(read_workbook(file, shown, errors))
        elif suffix == ".csv" and (name := table_name_for(file.stem)) is not None:
            tables.append(read_csv(file, shown, name, errors))
        elif suffix == ".json" and (file == path or is_graph_export(file)):
            tables.extend(read_graph_json(file, shown, errors))
        else:
            ignored.append(shown)
    return tables, ignored
