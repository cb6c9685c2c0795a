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
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import resource
import threading
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

import anyio
import anyio.lowlevel
import anyio.to_process
from babel.numbers import format_decimal
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

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

# One file at a time, in any thread: memory stays bounded however many uploads arrive at once, and the warnings
# filter that openpyxl's chatter needs is not switched by two threads at once.
_READING = threading.Lock()


@dataclass
class Table:
    """A sheet as text: the header row and the data rows, each with its row number as the spreadsheet shows it."""

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]

    def numbered(self) -> Iterable[tuple[int, list[str]]]:
        """Each data row with its spreadsheet row number."""
        return zip(self.row_numbers, self.rows, strict=True)


def _number(value: int) -> str:
    return format_decimal(value, locale=i18n.current_language())


def _refused(code: str, message: str) -> DomainError:
    return DomainError(code, message, field="file")


def check_file_size(size: int) -> None:
    """Refuse a file of ``size`` bytes when it is over the limit (the command line asks before reading it)."""
    if size > MAX_FILE_BYTES:
        raise _refused(
            "file_too_large", i18n.gettext("the file is larger than %(limit)s MB", limit=_number(MAX_FILE_BYTES // MB))
        )


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV (``;`` or ``,``, UTF-8 or Windows-1252) or XLSX file (its first sheet) into a Table, within the
    limits above."""
    name = filename.lower().strip()
    check_file_size(len(data))
    if not data.strip():
        raise DomainError("empty_file", "the file is empty", field="file")
    if name.endswith((".xlsx", ".xlsm")):
        # closing(): a refusal half-way closes the workbook (and its warnings filter) now, not when collected.
        with _READING, contextlib.closing(_xlsx_records(data)) as records:
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
            raise _refused(
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


def _to_table(records: Iterable[tuple[int, list[str]]], *, keep_wider_rows: bool) -> Table:
    """The header row and the data rows of ``records`` (numbered as the spreadsheet numbers them), refused at the
    first data row over the limit. ``keep_wider_rows``: a column with data but no header is kept (an XLSX sheet,
    as wide as the cells in use); otherwise the header row sets the width (CSV)."""
    headers: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    text = 0
    width = 0
    for number, raw in records:
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        longest = max(map(len, cells))
        if longest > MAX_CELL_CHARS:
            raise _refused(
                "cell_too_long",
                i18n.gettext(
                    "row %(row)s has a cell of more than %(limit)s characters",
                    row=number,
                    limit=_number(MAX_CELL_CHARS),
                ),
            )
        text += sum(map(len, cells))
        if text > MAX_TEXT_CHARS:
            raise _refused(
                "file_too_large",
                i18n.gettext("the file holds more than %(limit)s characters of text", limit=_number(MAX_TEXT_CHARS)),
            )
        if headers is None:
            headers = cells
            width = len(cells)
            continue
        if len(rows) == MAX_ROWS:
            raise _refused(
                "too_many_rows", i18n.gettext("the file has more than %(limit)s data rows", limit=_number(MAX_ROWS))
            )
        if keep_wider_rows:
            width = max(width, len(cells))
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
                raise _refused(
                    "too_many_rows",
                    i18n.gettext(
                        "the file goes on past row %(limit)s, the last row Excel has", limit=_number(EXCEL_LAST_ROW)
                    ),
                )
            yield number, record
    except csv.Error as exc:
        raise DomainError("bad_csv", f"the CSV file cannot be read: {exc}", field="file") from None


# --- XLSX --------------------------------------------------------------------------------------------

# What a damaged or hostile workbook makes the zip module, the XML parser or openpyxl raise; our own refusals
# (DomainError) pass through.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    AttributeError,
    TypeError,
    ValueError,
    SyntaxError,  # xml.etree's ParseError
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted part
)


class _Budget:
    """What reading one workbook may cost, shared by every part the reader opens."""

    def __init__(self) -> None:
        self.elements = 0
        self.opened: Counter[str] = Counter()


class _PartCheck:
    """The target of a defused XML parser that follows a part as openpyxl reads it: counts its elements, and
    the cells of each row of a sheet."""

    def __init__(self, part: str, budget: _Budget) -> None:
        self.part = part
        self.budget = budget
        self.elements = 0
        self.limit = MAX_WHOLE_ELEMENTS
        self.sheet = False
        self.cells = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]
        self.elements += 1
        self.budget.elements += 1
        if self.elements == 1 and name in STREAMED_ROOTS:
            self.limit = MAX_STREAMED_ELEMENTS
            self.sheet = name == "worksheet"
        if self.elements > self.limit:
            raise _refused(
                "too_complex",
                i18n.gettext(
                    "part %(part)s of the Excel file has more than %(limit)s XML elements",
                    part=self.part,
                    limit=_number(self.limit),
                ),
            )
        if self.budget.elements > MAX_ELEMENTS_IN_ALL:
            raise _refused(
                "too_complex",
                i18n.gettext(
                    "the Excel file has more than %(limit)s XML elements in all", limit=_number(MAX_ELEMENTS_IN_ALL)
                ),
            )
        if not self.sheet:
            return
        if name == "row":
            self.cells = 0
        elif name == "c":
            self.cells += 1
            if self.cells > MAX_ROW_CELLS:
                raise _refused(
                    "too_complex",
                    i18n.gettext(
                        "a row in part %(part)s of the Excel file has more than %(limit)s cells",
                        part=self.part,
                        limit=_number(MAX_ROW_CELLS),
                    ),
                )

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


class _CheckedPart(io.RawIOBase):
    """A part of the workbook as openpyxl reads it: every byte goes through the check before openpyxl gets it."""

    def __init__(self, raw: IO[bytes], part: str, budget: _Budget) -> None:
        super().__init__()
        self._raw = raw
        self._part = part
        self._parser = DefusedXMLParser(
            target=_PartCheck(part, budget), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        if data:
            try:
                self._parser.feed(data)
            except DefusedXmlException:
                raise _refused(
                    "xml_refused",
                    i18n.gettext(
                        "part %(part)s of the Excel file holds XML with a DTD or entities, which is refused",
                        part=self._part,
                    ),
                ) from None
            except SyntaxError:
                raise _refused(
                    "unreadable_file",
                    i18n.gettext("part %(part)s of the Excel file is not valid XML", part=self._part),
                ) from None
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _CheckedArchive(zipfile.ZipFile):
    """The workbook's zip, handing out each part as a _CheckedPart."""

    budget: _Budget

    def open(
        self,
        name: str | zipfile.ZipInfo,
        mode: Literal["r", "w"] = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> IO[bytes]:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        part = name.filename if isinstance(name, zipfile.ZipInfo) else name
        self.budget.opened[part] += 1
        if self.budget.opened[part] > MAX_OPENS:
            stream.close()
            raise _refused(
                "too_complex", i18n.gettext("the Excel file refers to part %(part)s more than twice", part=part)
            )
        return io.BufferedReader(_CheckedPart(stream, part, self.budget))


def _check_directory(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts would unpack to too much, before any of them is read."""
    entries = archive.infolist()
    if len(entries) > MAX_PARTS:
        raise _refused(
            "file_too_large",
            i18n.gettext("the Excel file has more than %(limit)s parts", limit=_number(MAX_PARTS)),
        )
    total = 0
    for entry in entries:
        if entry.file_size > MAX_PART_BYTES:
            raise _refused(
                "file_too_large",
                i18n.gettext(
                    "part %(part)s of the Excel file unpacks to more than %(limit)s MB",
                    part=entry.filename,
                    limit=_number(MAX_PART_BYTES // MB),
                ),
            )
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * entry.compress_size:
            raise _refused(
                "file_too_large",
                i18n.gettext(
                    "part %(part)s of the Excel file unpacks to more than %(ratio)s times its packed size",
                    part=entry.filename,
                    ratio=_number(MAX_RATIO),
                ),
            )
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise _refused(
            "file_too_large",
            i18n.gettext(
                "the Excel file unpacks to more than %(limit)s MB in all", limit=_number(MAX_TOTAL_BYTES // MB)
            ),
        )


def _open_workbook(data: bytes) -> Any:
    from openpyxl.reader.excel import ExcelReader

    archive = _CheckedArchive(io.BytesIO(data))
    archive.budget = _Budget()
    try:
        _check_directory(archive)
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        # load_workbook(), with the checked zip in place of openpyxl's own.
        reader.archive.close()
        reader.archive = archive
        reader.read()
    except BaseException:
        archive.close()
        raise
    return reader.wb


def _xlsx_records(data: bytes) -> Generator[tuple[int, list[str]]]:
    with warnings.catch_warnings():
        # Real-world workbooks carry extensions openpyxl warns about (data validation, styles); they do not matter.
        warnings.simplefilter("ignore")
        try:
            workbook = _open_workbook(data)
        except _UNREADABLE as exc:
            raise DomainError("unreadable_file", f"the Excel file cannot be read ({exc})", field="file") from None
        try:
            if not workbook.worksheets:
                raise DomainError("no_header", "the file has no header row", field="file")
            sheet = workbook.worksheets[0]
            # read_only parses lazily: a damaged sheet fails here, not when the workbook opens. Rows past Excel's
            # last one cannot come from Excel; openpyxl stops there rather than filling the gap with empty rows.
            rows = sheet.iter_rows(min_row=1, max_row=EXCEL_LAST_ROW, max_col=MAX_COLUMNS, values_only=True)
            for number, row in enumerate(rows, start=1):
                if row.count(None) == len(row):
                    continue
                end = len(row)
                while row[end - 1] is None:
                    end -= 1
                yield number, [_cell_text(value) for value in row[:end]]
        except _UNREADABLE as exc:
            raise DomainError(
                "unreadable_file", f"the Excel file cannot be read ({type(exc).__name__})", field="file"
            ) from None
        finally:
            workbook.close()


def _cell_text(value: object) -> str:
    """A cell as text, the way a person reads it; dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
