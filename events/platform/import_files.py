"""Reading an uploaded spreadsheet (CSV, or the first sheet of an XLSX file) into a Table, within limits that keep
a hostile file from taking the server down.

An XLSX file is a zip of XML parts, and a few kB can unpack to gigabytes. So before anything is parsed, the zip's
directory is checked: at most 1,000 parts, each unpacking to at most 20 MB (and, over 1 MB, to at most 100 times
its packed size: real sheets pack 5 to 20 to 1), 50 MB in all. zipfile never hands out more than a part's stated
size, so the stated sizes are what count. Then every part openpyxl opens is checked while it streams, before
openpyxl sees it: XML with a DTD or entities is refused (defusedxml); a sheet or the shared strings may hold a
million XML elements, a part that openpyxl reads whole (styles, the workbook) a hundred thousand, a row 16,384
cells (Excel's own limit), all parts together three million elements. Rows are counted as openpyxl streams them
(read-only): the file is refused at the first data row over 20,000, a cell over 32,767 characters (Excel's
limit) or a table over 20 million characters. A CSV file has the same row, cell and text limits, and both are
at most 10 MB.

Parsing is CPU work: the web layer calls ``read_table_in_thread``, which parses in a worker process (anyio's
process pool), one file at a time per server. A thread was not enough: it shares the interpreter lock with the
event loop, and while a large sheet was parsed the door's scans took up to a second (measured on two loaded
cores; in a process they stay at their usual milliseconds). The worker also caps its own address space, so that a
file that slips past every check above costs that worker, never the server.

The limits are the constants of events.platform.import_limits; the XLSX checks live in events.platform.import_xlsx.
"""

from __future__ import annotations

import contextlib
import csv
import io
import resource
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import anyio
import anyio.lowlevel
import anyio.to_process

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.i18n import N_
from events.platform.import_limits import (
    EXCEL_LAST_ROW,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_TEXT_CHARS,
    MB,
    over_limit,
    refused,
)
from events.platform.import_xlsx import xlsx_records

# One file at a time, in any thread: memory stays bounded however many uploads arrive at once, and the warnings
# filter that openpyxl's chatter needs is not switched by two threads at once.
_READING = threading.Lock()


@dataclass
class Table:
    """A sheet as text: the header row and the data rows, each with its row number as the spreadsheet shows it."""

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    # Columns (0-based) with data that were not kept: past a CSV file's header, past an Excel sheet's
    # MAX_COLUMNS. An import lists them with the columns it does not use, so that nothing is dropped unsaid.
    unread_columns: list[int] = field(default_factory=list)

    def numbered(self) -> Iterable[tuple[int, list[str]]]:
        """Each data row with its spreadsheet row number."""
        return zip(self.row_numbers, self.rows, strict=True)


def check_file_size(size: int) -> None:
    """Refuse a file of ``size`` bytes when it is over the limit (the command line asks before reading it)."""
    if size > MAX_FILE_BYTES:
        raise over_limit("file_too_large", N_("the file is larger than %(limit)s MB"), MAX_FILE_BYTES // MB)


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV (``;`` or ``,``, UTF-8 or Windows-1252) or XLSX file (its first sheet) into a Table, within the
    limits above."""
    name = filename.lower().strip()
    check_file_size(len(data))
    if not data.strip():
        raise DomainError("empty_file", "the file is empty", field="file")
    if name.endswith((".xlsx", ".xlsm")):
        # closing(): a refusal half-way closes the workbook (and its warnings filter) now, not when collected.
        with _READING, contextlib.closing(xlsx_records(data)) as records:
            return _to_table(records, keep_wider_rows=True)
    if name.endswith((".csv", ".txt")):
        if data.startswith(b"PK\x03\x04"):
            raise DomainError("unsupported_file", "this is not a CSV file; save it as .xlsx or .csv", field="file")
        with _READING:
            return _to_table(_csv_records(data), keep_wider_rows=False)
    if name.endswith(".xls"):
        raise DomainError(
            "unsupported_file", "old Excel files (.xls) cannot be read; save the file as .xlsx or .csv", field="file"
        )
    raise DomainError("unsupported_file", "choose a .csv or .xlsx file", field="file")


# What a parsing worker process may take (address space): far above what a file within the limits needs (about
# 200 MB for the largest), far below what would hurt a server.
WORKER_MEMORY_BYTES = 2048 * MB
_WORKER_LIMITER: anyio.lowlevel.RunVar[anyio.CapacityLimiter] = anyio.lowlevel.RunVar("import_file_parsers")


def read_table_in_worker(data: bytes, filename: str, language: str) -> Table:
    """``read_table`` as run in a worker process: in the request's language, within the worker's memory cap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > WORKER_MEMORY_BYTES:
        capped = WORKER_MEMORY_BYTES if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (capped, hard))
    with i18n.language(language):
        try:
            return read_table(data, filename)
        except MemoryError:
            raise refused(
                "file_too_complex",
                i18n.gettext("the file needs more memory to read than is allowed; save it again as a plain .csv"),
            ) from None


async def read_table_in_thread(data: bytes, filename: str) -> Table:
    """``read_table`` in a worker process (see the module's text), so that the event loop goes on answering, at
    its usual pace, while a file is parsed. One file at a time per server."""
    try:
        limiter = _WORKER_LIMITER.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(1)
        _WORKER_LIMITER.set(limiter)
    return await anyio.to_process.run_sync(
        read_table_in_worker, data, filename, i18n.current_language(), limiter=limiter
    )


# How many unread columns a table notes: enough to say what was left out, never a row's worth of a hostile file.
_UNREAD_NOTED = 20


def _to_table(records: Iterable[tuple[int, list[str]]], *, keep_wider_rows: bool) -> Table:
    """The header row and the data rows of ``records`` (numbered as the spreadsheet numbers them), refused at the
    first data row over the limit. ``keep_wider_rows``: a column with data but no header is kept (an XLSX sheet,
    as wide as the cells in use); otherwise the header row sets the width (CSV)."""
    headers: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    unread: set[int] = set()
    text = 0
    width = 0
    for number, raw in records:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        longest = max(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise over_limit(
                "cell_too_long",
                N_("row %(row)s has a cell of more than %(limit)s characters"),
                MAX_CELL_CHARS,
                row=number,
            )
        text += sum(map(len, cells))
        if text > MAX_TEXT_CHARS:
            raise over_limit(
                "file_too_large", N_("the file holds more than %(limit)s characters of text"), MAX_TEXT_CHARS
            )
        if headers is None:
            headers = cells
            width = min(len(cells), MAX_COLUMNS) if keep_wider_rows else len(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise over_limit("too_many_rows", N_("the file has more than %(limit)s data rows"), MAX_ROWS)
        if keep_wider_rows:
            width = min(max(width, len(cells)), MAX_COLUMNS)
        if len(cells) > width and len(unread) < _UNREAD_NOTED:
            unread.update(i for i in range(width, len(cells)) if cells[i])
        rows.append(cells)
        numbers.append(number)
    if headers is None:
        raise DomainError("no_header", "the file has no header row", field="file")
    if not rows:
        raise DomainError("no_rows", "the file has a header row but no data rows", field="file")
    padding = [""] * width
    return Table(
        headers=(headers + padding)[:width],
        rows=[(row + padding)[:width] for row in rows],
        row_numbers=numbers,
        unread_columns=sorted(unread)[:_UNREAD_NOTED],
    )


# --- CSV ---------------------------------------------------------------------------------------------


def _first_line(text: str) -> str:
    """The first line with something on it, found without splitting a file of blank lines into a million."""
    start = len(text) - len(text.lstrip())
    if start == len(text):
        return ""
    begin = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    end = min((i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0), default=len(text))
    return text[begin:end]


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\0" in data:
        raise DomainError("unsupported_file", "this is not a text (CSV) file", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252 unless told otherwise.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise DomainError(
                "bad_encoding", "the file's character encoding is not UTF-8 or Windows-1252", field="file"
            ) from None
    first_line = _first_line(text)
    # Dutch Excel writes ";" (the comma is the decimal separator); the rest of the world writes ",".
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, record in enumerate(reader, start=1):
            if number > EXCEL_LAST_ROW:
                raise over_limit(
                    "too_many_rows", N_("the file goes on past row %(limit)s, the last row Excel has"), EXCEL_LAST_ROW
                )
            yield number, record
    except csv.Error as exc:
        raise DomainError("bad_csv", f"the CSV file cannot be read: {exc}", field="file") from None
