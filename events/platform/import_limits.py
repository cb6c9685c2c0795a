"""The limits an uploaded spreadsheet is read within (events.platform.import_files explains each of them), and
how a refusal names its limit."""

from __future__ import annotations

from babel.numbers import format_decimal

from events.platform import i18n
from events.platform.errors import DomainError

MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB
# A regional fair has thousands of rows, not hundreds of thousands; larger is a mistake or an attack.
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_TEXT_CHARS = 20_000_000
EXCEL_LAST_ROW = 1_048_576
MAX_PARTS = 1_000
MAX_PART_BYTES = 20 * MB
MAX_TOTAL_BYTES = 50 * MB
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 * MB
MAX_STREAMED_ELEMENTS = 1_000_000  # a sheet or the shared strings: openpyxl streams them
MAX_WHOLE_ELEMENTS = 100_000  # any other part: openpyxl builds its whole tree, at several hundred bytes an element
MAX_ELEMENTS_IN_ALL = 3_000_000
MAX_ROW_CELLS = 16_384  # Excel's own limit: columns A to XFD
MAX_OPENS = 2  # openpyxl opens the first sheet twice (its size, then its rows), every other part once
STREAMED_ROOTS = ("worksheet", "sst")


def figure(value: int) -> str:
    """A limit as the reader's language writes it ("20.000" in Dutch)."""
    return format_decimal(value, locale=i18n.current_language())


def refused(code: str, message: str) -> DomainError:
    """The refusal of a file over a limit: ``code`` and a message that names the limit."""
    return DomainError(code, message, field="file")


def over_limit(code: str, message: str, limit: int, **params: object) -> DomainError:
    """The refusal of a file over ``limit``: ``message`` (marked with N_ where it is written) is translated here,
    with the limit as the reader's language writes it in its ``%(limit)s``."""
    return refused(code, i18n.gettext(message, limit=figure(limit), **params))
