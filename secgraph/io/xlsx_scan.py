"""Checking an .xlsx workbook before openpyxl opens it.

A workbook is a zip of XML parts, and openpyxl builds objects from some parts whole (styles, shared
strings) and from a sheet row by row, each row as long as its last cell. A file of a few kilobytes
can therefore unpack to gigabytes, or declare one row with millions of cells, or a million rows
each reaching column XFD. This scan reads every part once as a stream — counting the bytes that come
out, not the sizes the zip declares, and the XML elements with expat, which builds nothing — and
refuses the workbook at the first part that passes a limit, before openpyxl reads any of it.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from secgraph.io.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, MB, ReadLimits

_CHUNK = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_ROW, _CELL, _SHARED_STRING = _MAIN + "row", _MAIN + "c", _MAIN + "si"


@dataclass(frozen=True)
class PartProblem:
    """Why a workbook is refused: in which part (empty for the archive itself), at which sheet row
    (0 when not in a row), and the reason in English and Japanese."""

    part: str
    row: int
    reason: str


class _Refused(Exception):
    def __init__(self, row: int, reason: str):
        super().__init__(reason)
        self.row = row
        self.reason = reason


def column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_index(reference: str) -> int:
    """The column of a cell reference such as ``XFD1048576``; 0 when it names none."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - ord("A") + 1
            if index > EXCEL_MAX_COLUMNS:
                return index
        else:
            break
    return index


@dataclass
class _Tally:
    """What the whole workbook holds so far."""

    elements: int = 0
    shared_strings: int = 0
    laid_out: int = 0


class _PartScanner:
    """Counts one XML part as its bytes arrive, raising ``_Refused`` at the first limit passed."""

    def __init__(self, limits: ReadLimits, tally: _Tally):
        self.limits = limits
        self.tally = tally
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.rows = 0
        self.row = 0
        self.cells_in_row = 0
        self.column = 0
        self.row_width = 0

    def feed(self, data: bytes, final: bool = False) -> None:
        self.parser.Parse(data, final)

    def _doctype(self, *_: object) -> None:
        # No part of a workbook has a DTD; one could only be there to declare expanding entities.
        raise _Refused(0, "declares a DTD, which no Excel part has / Excelの部品にないDTD宣言があります")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.tally.elements += 1
        if self.tally.elements > self.limits.xml_elements:
            raise _Refused(
                self.row,
                f"the workbook holds more than {self.limits.xml_elements:,} XML elements "
                "/ ブックの中身（XML要素）が多すぎます",
            )
        if name == _ROW:
            self._start_row(attributes.get("r"))
        elif name == _CELL:
            self._start_cell(attributes.get("r"))
        elif name == _SHARED_STRING:
            self.tally.shared_strings += 1
            if self.tally.shared_strings > self.limits.cells:
                raise _Refused(
                    0,
                    f"more than {self.limits.cells:,} shared strings (the cells a load may hold) "
                    "/ 共有文字列が多すぎます",
                )

    def _start_row(self, number: str | None) -> None:
        self.rows += 1
        try:
            self.row = int(float(number)) if number is not None else self.row + 1
        except (ValueError, OverflowError):
            raise _Refused(self.row, f"row number '{number[:20]}' is not a number / 行番号が不正です") from None
        if self.rows > EXCEL_MAX_ROWS or not 1 <= self.row <= EXCEL_MAX_ROWS:
            raise _Refused(
                self.row,
                f"rows past Excel's {EXCEL_MAX_ROWS:,} / Excelの上限（{EXCEL_MAX_ROWS:,}行）を超える行があります",
            )
        self.cells_in_row = 0
        self.column = 0
        self.row_width = 0

    def _start_cell(self, reference: str | None) -> None:
        self.cells_in_row += 1
        self.column = _column_index(reference) if reference else self.column + 1
        if self.cells_in_row > EXCEL_MAX_COLUMNS or not 1 <= self.column <= EXCEL_MAX_COLUMNS:
            raise _Refused(
                self.row,
                f"cells past Excel's {EXCEL_MAX_COLUMNS:,} columns "
                f"/ Excelの上限（{EXCEL_MAX_COLUMNS:,}列）を超えるセルがあります",
            )
        if self.column > self.row_width:
            self.tally.laid_out += self.column - self.row_width
            self.row_width = self.column
            if self.tally.laid_out > self.limits.laid_out_cells:
                raise _Refused(
                    self.row,
                    f"the sheets lay out more than {self.limits.laid_out_cells:,} cells, blank ones included "
                    "/ シートのセル（空白を含む）が多すぎます",
                )


def _looks_like_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def scan_workbook(path: Path, limits: ReadLimits) -> PartProblem | None:
    """The first reason to refuse the workbook at ``path`` before reading it, or None.

    A part that does not start like XML (a picture, a printer's settings) is only counted in bytes;
    one that does is parsed whatever its name, as openpyxl follows the workbook's own references."""
    tally = _Tally()
    unpacked = 0
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > limits.archive_files:
                return PartProblem(
                    "", 0, f"the workbook holds more than {limits.archive_files} parts / ブックの部品が多すぎます"
                )
            for member in members:
                scanner: _PartScanner | None = None
                first = True
                try:
                    with archive.open(member) as source:
                        while chunk := source.read(_CHUNK):
                            unpacked += len(chunk)
                            if unpacked > limits.unpacked_bytes:
                                mib = limits.unpacked_bytes // MB
                                return PartProblem(
                                    member.filename,
                                    0,
                                    f"the workbook unpacks to more than {mib} MiB / ブックの展開後が大きすぎます",
                                )
                            if first and _looks_like_xml(chunk):
                                scanner = _PartScanner(limits, tally)
                            first = False
                            if scanner is not None:
                                scanner.feed(chunk)
                        if scanner is not None:
                            scanner.feed(b"", final=True)
                except _Refused as refused:
                    return PartProblem(member.filename, refused.row, refused.reason)
                except zlib.error as error:
                    return PartProblem(member.filename, 0, f"damaged: {error} / 壊れています")
                except expat.ExpatError as error:
                    return PartProblem(member.filename, 0, f"not well-formed XML: {error} / XMLとして読めません")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        return PartProblem("", 0, f"not a readable .xlsx workbook: {error} / Excelブックとして読めません")
    return None


_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_SHEET = _MAIN + "sheet"
_SHEET_REL_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
_SMALL_PART = 1 * MB


def _attributes_of(archive: zipfile.ZipFile, part: str, tag: str) -> list[dict[str, str]]:
    """The attributes of every ``tag`` element of a small part (none if it is larger, or missing)."""
    try:
        with archive.open(part) as source:
            data = source.read(_SMALL_PART + 1)
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError):
        return []
    if len(data) > _SMALL_PART:
        return []
    found: list[dict[str, str]] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == tag:
            found.append(attributes)

    def doctype(*_: object) -> None:
        raise _Refused(0, "DTD")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Refused):
        return []
    return found


def _targets(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, the part it points to)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    for rel in _attributes_of(archive, rels, _PACKAGE_RELS):
        target = rel.get("Target", "")
        resolved = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return found


def sheet_titles(path: Path) -> dict[str, str]:
    """Each worksheet part's sheet title, to name the sheet in a refusal; what cannot be read
    (a part too large to be a workbook's index) is left out, and the part is named instead."""
    try:
        with zipfile.ZipFile(path) as archive:
            books = [t for kind, t in _targets(archive, "").values() if kind.endswith("/officeDocument")]
            if not books:
                return {}
            sheets = _targets(archive, books[0])
            return {
                sheets[sheet[_SHEET_REL_ID]][1]: sheet.get("name", "")
                for sheet in _attributes_of(archive, books[0], _SHEET)
                if sheet.get(_SHEET_REL_ID) in sheets
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError):
        return {}
