"""The XLSX side of reading an upload (events.platform.import_files): the workbook's zip directory is checked
before anything is unpacked, and every part openpyxl opens is checked while it streams, before openpyxl sees it.
The limits and why they are what they are: events.platform.import_files."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Generator
from typing import IO, Any, Literal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.i18n import N_
from events.platform.import_limits import (
    EXCEL_LAST_ROW,
    MAX_COLUMNS,
    MAX_ELEMENTS_IN_ALL,
    MAX_OPENS,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_RATIO,
    MAX_ROW_CELLS,
    MAX_STREAMED_ELEMENTS,
    MAX_TOTAL_BYTES,
    MAX_WHOLE_ELEMENTS,
    MB,
    RATIO_FROM_BYTES,
    STREAMED_ROOTS,
    figure,
    over_limit,
    refused,
)

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
            raise over_limit(
                "too_complex",
                N_("part %(part)s of the Excel file has more than %(limit)s XML elements"),
                self.limit,
                part=self.part,
            )
        if self.budget.elements > MAX_ELEMENTS_IN_ALL:
            raise over_limit(
                "too_complex", N_("the Excel file has more than %(limit)s XML elements in all"), MAX_ELEMENTS_IN_ALL
            )
        if not self.sheet:
            return
        if name == "row":
            self.cells = 0
        elif name == "c":
            self.cells += 1
            if self.cells > MAX_ROW_CELLS:
                raise over_limit(
                    "too_complex",
                    N_("a row in part %(part)s of the Excel file has more than %(limit)s cells"),
                    MAX_ROW_CELLS,
                    part=self.part,
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
                raise refused(
                    "xml_refused",
                    i18n.gettext(
                        "part %(part)s of the Excel file holds XML with a DTD or entities, which is refused",
                        part=self._part,
                    ),
                ) from None
            except SyntaxError:
                raise refused(
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
            raise refused(
                "too_complex", i18n.gettext("the Excel file refers to part %(part)s more than twice", part=part)
            )
        return io.BufferedReader(_CheckedPart(stream, part, self.budget))


def _check_directory(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts would unpack to too much, before any of them is read."""
    entries = archive.infolist()
    if len(entries) > MAX_PARTS:
        raise over_limit("file_too_large", N_("the Excel file has more than %(limit)s parts"), MAX_PARTS)
    total = 0
    for entry in entries:
        if entry.file_size > MAX_PART_BYTES:
            raise over_limit(
                "file_too_large",
                N_("part %(part)s of the Excel file unpacks to more than %(limit)s MB"),
                MAX_PART_BYTES // MB,
                part=entry.filename,
            )
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_RATIO * entry.compress_size:
            raise refused(
                "file_too_large",
                i18n.gettext(
                    "part %(part)s of the Excel file unpacks to more than %(ratio)s times its packed size",
                    part=entry.filename,
                    ratio=figure(MAX_RATIO),
                ),
            )
        total += entry.file_size
    if total > MAX_TOTAL_BYTES:
        raise over_limit(
            "file_too_large", N_("the Excel file unpacks to more than %(limit)s MB in all"), MAX_TOTAL_BYTES // MB
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


def xlsx_records(data: bytes) -> Generator[tuple[int, list[str]]]:
    """The first sheet's non-empty rows, numbered as the spreadsheet numbers them, each as a list of cell texts."""
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
            # One column past the limit is read, so that data there is reported as not read (import_files).
            rows = sheet.iter_rows(min_row=1, max_row=EXCEL_LAST_ROW, max_col=MAX_COLUMNS + 1, values_only=True)
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
