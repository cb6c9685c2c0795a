"""Spreadsheets as Dutch Excel opens them, for every export: CSV in UTF-8 with a byte-order mark and ``;``
between cells, or an XLSX workbook of one sheet; text that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

# What a spreadsheet may take for the start of a formula (OWASP "CSV injection"), full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, with a leading apostrophe; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """CSV as Dutch Excel opens it: UTF-8 with a byte-order mark, ``;`` between cells, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for line in (headers, *rows):
        writer.writerow([_text(neutralise(cell)) for cell in line])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "meetmatch") -> bytes:
    """An XLSX workbook of one sheet; text cells are always stored as strings, never as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])

    def cell(value: object) -> Any:
        value = neutralise(value)
        if isinstance(value, str):
            # XLSX cannot hold most control characters; openpyxl refuses them rather than writing a broken file.
            written = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            written.data_type = "s"
            return written
        return WriteOnlyCell(sheet, value=value)

    for line in (headers, *rows):
        sheet.append([cell(value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
