"""How much of a data set one load may read, the same for every format (CSV, workbook, zip of them).

A file is read as a stream and refused the moment it passes a limit, so that no file — however
small it is packed — makes the process hold more than these allow. The limits sit far above any
real data set of the regional communities, national ones included (the largest test loads
100,000 rows).
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024

#: Excel's own sheet size: a workbook part claiming more is not a spreadsheet Excel wrote.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


@dataclass(frozen=True)
class ReadLimits:
    """Limits of one load. A row or cell counts only when it holds a value: empty rows and empty
    trailing cells (a formatted but blank area, a sheet's declared ``<dimension>``) count for nothing."""

    #: Rows with a value in one table (a CSV file or a sheet), the header included.
    rows: int = 1_000_000
    #: Columns of one table: the position of the last cell holding a value, in any row.
    columns: int = 256
    #: Cells holding a value, over the whole load: a national data set (80,000 actors and 650,000
    #: ties, about 6 million cells) fits, at about 100 bytes a cell while it is read.
    cells: int = 10_000_000
    #: Characters in one cell.
    cell_chars: int = 20_000
    #: Bytes an archive (a zip upload, or the zip an .xlsx workbook is) may unpack to, counted as
    #: they come out rather than as its directory declares them.
    unpacked_bytes: int = 200 * MB
    #: Files in an archive.
    archive_files: int = 1_000
    #: XML elements in one workbook: openpyxl turns its styles and shared strings into objects
    #: whole, at some hundred bytes each, so markup past this would exhaust memory before any cell
    #: is read. A workbook of some 3 million cells fits; larger data sets load as CSV.
    xml_elements: int = 10_000_000
    #: Cells openpyxl lays out in a workbook's sheets: each row as wide as its last cell, blank
    #: (formatted) ones included, before a blank cell can be told from a value.
    laid_out_cells: int = 20_000_000


DEFAULT_LIMITS = ReadLimits()
