"""A table as a reader gives it to the importer, and a problem with one of its rows. Spreadsheets
(``tables.py``) and secgraph's JSON export (``json_graph.py``) are both read into these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    """What is wrong, and where: the file (or workbook:sheet, or export.json:array), the row a
    person sees (0 for the file as a whole) and the column (empty for the row as a whole)."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} 行{self.row}" if self.row else self.file
        return f"{where} [{self.column}]: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class Table:
    name: str  # one of tables.TABLE_NAMES
    file: str  # shown in messages: a path relative to the loaded folder, workbook:sheet, or export.json:nodes
    #: (row number, values): text by column from a spreadsheet; typed values by field from a JSON export
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    encoding: str = "utf-8"
    #: Rows of secgraph's JSON export: keyed by model field, taken as the store had them (never
    #: merged by name with one another).
    exported: bool = False
    #: A JSON export with personal names hidden: it loads only into a store holding nothing else.
    names_hidden: bool = False
