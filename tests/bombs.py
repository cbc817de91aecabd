"""Hostile workbooks, their XML written by hand into a zip: what no spreadsheet program writes, but a
file of a few kilobytes can say."""

from __future__ import annotations

import io
import zipfile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def inline(reference: str, text: str) -> str:
    """A cell holding ``text`` inline (no shared-string table needed)."""
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(
    sheet_data: str, *, title: str = "団体", before_data: str = "", parts: dict[str, str] | None = None
) -> bytes:
    """A one-sheet .xlsx whose sheet is ``before_data`` then ``<sheetData>sheet_data</sheetData>``,
    with any further ``parts`` added as they are."""
    files = {
        "[Content_Types].xml": f'{_HEAD}<Types xmlns="{_TYPES}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_TYPE}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_TYPE}"/></Types>',
        "_rels/.rels": f'{_HEAD}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><sheets>'
        f'<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{_HEAD}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'{_HEAD}<worksheet xmlns="{_MAIN}">{before_data}'
        f"<sheetData>{sheet_data}</sheetData></worksheet>",
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """Issue 15's workbook (about 1.6 KB): a sheet declaring the whole of Excel's grid, with a cell in
    its first row and one in its last row and column. Read through its declared dimension, it is
    17 billion cells."""
    return workbook(
        f'<row r="1">{inline("A1", "id")}</row><row r="1048576">{inline("XFD1048576", "x")}</row>',
        before_data='<dimension ref="A1:XFD1048576"/>',
    )
