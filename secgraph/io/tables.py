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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secgraph.io.json_graph import is_graph_export, read_graph_json
from secgraph.io.limits import DEFAULT_LIMITS, ReadLimits
from secgraph.io.rows import RowError, Table
from secgraph.io.xlsx_scan import column_letters, scan_workbook, sheet_titles

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
    "not_same": ("別人",),
}
_BY_NAME = {alias: table for table, aliases in TABLE_NAMES.items() for alias in (table, *aliases)}

#: A cell starting like a spreadsheet formula (=HYPERLINK(...), @SUM, +cmd) would run in Excel when
#: an export is opened; such text is refused on the way in.
_FORMULA_STARTS = ("=", "@", "\t", "\r")


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


def _check_cell(
    table: Table, row_number: int, column: str, value: str, errors: list[RowError], limits: ReadLimits
) -> str:
    value = value.strip()
    if len(value) > limits.cell_chars:
        errors.append(
            RowError(
                table.file, row_number, column, f"cell longer than {limits.cell_chars} characters / セルが長すぎます"
            )
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


@dataclass
class ReadTally:
    """What a load has read so far, across all its tables."""

    cells: int = 0


class _TableBuilder:
    """Turns a table's rows, given one at a time as they are read, into ``table.rows``: the first
    row is the header. Counts them against the limits; past one, the table is refused whole."""

    def __init__(self, table: Table, errors: list[RowError], limits: ReadLimits, tally: ReadTally):
        self.table = table
        self.errors = errors
        self.limits = limits
        self.tally = tally
        self.header: list[str] | None = None
        self.rows = 0
        self.refused = False

    def _refuse(self, row_number: int, reason: str) -> bool:
        self.errors.append(RowError(self.table.file, row_number, "", reason))
        self.table.rows.clear()  # one reason for the table, not a report of each row read before it
        self.refused = True
        return False

    def add(self, row_number: int, cells: Sequence[str]) -> bool:
        """Take one row; False when reading should stop (a limit passed, or a header in error)."""
        width = len(cells)
        while width and not cells[width - 1].strip():
            width -= 1  # blank trailing cells (and rows) count for nothing
        limits = self.limits
        if width > limits.columns:
            return self._refuse(
                row_number,
                f"more than {limits.columns} columns (a value in column {width}, {column_letters(width)}) "
                f"/ 列が多すぎます（上限{limits.columns}列）",
            )
        if width or self.header is None:
            self.rows += 1
            if self.rows > limits.rows:
                return self._refuse(
                    row_number, f"more than {limits.rows:,} rows / 行が多すぎます（上限{limits.rows:,}行）"
                )
            self.tally.cells += max(width, len(self.header or ()))
            if self.tally.cells > limits.cells:
                return self._refuse(
                    row_number,
                    f"the load holds more than {limits.cells:,} cells "
                    f"/ セルが多すぎます（読み込み全体で上限{limits.cells:,}）",
                )
        if self.header is None:
            return self._take_header(cells[:width])
        if width:
            self._take_row(row_number, cells[:width])
        return True

    def _take_header(self, cells: Sequence[str]) -> bool:
        header = [h.strip() for h in cells]
        if len(set(header)) != len(header) or "" in header:
            self.errors.append(
                RowError(self.table.file, 1, "", f"header has empty or repeated columns: {header} / 見出しが不正です")
            )
            return False
        self.header = header
        return True

    def _take_row(self, row_number: int, cells: Sequence[str]) -> None:
        header = self.header or []
        if len(cells) > len(header):
            self.errors.append(
                RowError(
                    self.table.file,
                    row_number,
                    "",
                    f"row has {len(cells)} cells but the header has {len(header)} / 列数が見出しと合いません",
                )
            )
            return
        errors_before = len(self.errors)
        values = {
            column: _check_cell(
                self.table, row_number, column, cells[i] if i < len(cells) else "", self.errors, self.limits
            )
            for i, column in enumerate(header)
        }
        if len(self.errors) == errors_before:  # a refused cell is reported once, not again as missing
            self.table.rows.append((row_number, values))

    def finish(self) -> None:
        if self.header is None and not self.refused:
            self.errors.append(
                RowError(self.table.file, 0, "", "the file is empty (no header row) / 見出し行がありません")
            )


def read_csv(
    path: Path, shown_as: str, name: str, errors: list[RowError], limits: ReadLimits, tally: ReadTally
) -> Table:
    table = Table(name=name, file=shown_as)
    try:
        text, table.encoding = _decode(path.read_bytes())
    except (OSError, ValueError) as error:
        errors.append(RowError(shown_as, 0, "", str(error)))
        return table
    if "\x00" in text:
        errors.append(RowError(shown_as, 0, "", "the file contains NUL bytes (not a text CSV) / CSVではありません"))
        return table
    builder = _TableBuilder(table, errors, limits, tally)
    try:
        for row_number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), start=1):
            if not builder.add(row_number, cells):
                return table
    except csv.Error as error:
        table.rows.clear()
        errors.append(
            RowError(shown_as, 0, "", f"malformed CSV (truncated or bad quoting): {error} / CSVが壊れています")
        )
        return table
    builder.finish()
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


def read_workbook(
    path: Path, shown_as: str, errors: list[RowError], limits: ReadLimits, tally: ReadTally
) -> list[Table]:
    from openpyxl import load_workbook

    # openpyxl would build whatever the parts hold: they are measured first, as a stream.
    problem = scan_workbook(path, limits)
    if problem is not None:
        where = f"{shown_as}:{sheet_titles(path).get(problem.part, problem.part)}" if problem.part else shown_as
        errors.append(RowError(where, problem.row, "", problem.reason))
        return []
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
            # The declared <dimension> would pad every row and add every row up to it: read the
            # rows that are there, each as wide as its own last cell.
            sheet.reset_dimensions()
            builder = _TableBuilder(table, errors, limits, tally)
            rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
            try:
                complete = all(
                    builder.add(number, [_cell_text(v) for v in row]) for number, row in enumerate(rows, start=1)
                )
            except Exception as error:  # a read-only sheet is parsed only now: its XML may be damaged
                errors.append(
                    RowError(table.file, 0, "", f"the sheet cannot be read: {error} / シートを読めません（破損）")
                )
                continue
            if complete:
                builder.finish()
            tables.append(table)
    finally:
        workbook.close()
    return tables


def read_tables(
    path: Path, errors: list[RowError], limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[Table], list[str]]:
    """Every table under ``path`` (a folder, searched recursively in name order, a CSV, a workbook,
    or a JSON export), and the files it passed over. In a folder, a .json file that is not a secgraph
    export is passed over like any other file; named on its own, it must be one. Spreadsheets are
    read as streams and refused past ``limits``."""
    path = Path(path)
    if not path.exists():
        errors.append(RowError(str(path), 0, "", "no such file or folder / ファイルまたはフォルダがありません"))
        return [], []
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    base = path if path.is_dir() else path.parent
    tables: list[Table] = []
    ignored: list[str] = []
    tally = ReadTally()
    for file in files:
        shown = file.relative_to(base).as_posix()
        suffix = file.suffix.casefold()
        if suffix == ".xlsx":
            tables.extend(read_workbook(file, shown, errors, limits, tally))
        elif suffix == ".csv" and (name := table_name_for(file.stem)) is not None:
            tables.append(read_csv(file, shown, name, errors, limits, tally))
        elif suffix == ".json" and (file == path or is_graph_export(file)):
            tables.extend(read_graph_json(file, shown, errors))
        else:
            ignored.append(shown)
    return tables, ignored
