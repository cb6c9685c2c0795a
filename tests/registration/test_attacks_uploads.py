"""Uploads that could take the server down: spreadsheets that unpack to gigabytes (a sheet of empty rows, huge
shared strings, inline strings, one huge cell), XML with a DTD or entities, a sheet of a million XML elements
that passes the zip's limits and is refused while it is parsed, and a CSV of a million rows.

Each is refused with a 422 (the pages and the API) or exit code 2 (the command line) naming the limit, within
seconds and in bounded memory: a served app's memory grows by less than 300 MB while door scans sent meanwhile
are answered within a second each. The limits themselves are checked one by one on `read_table`, with files
just over and just under each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.to_process
import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import Workbook

from events.demo.seed import DEMO_PASSWORD, DEMO_SLUG, DemoResult, build_demo_in
from events.platform import i18n, import_files
from events.platform.db import open_session
from events.platform.errors import DomainError
from events.platform.import_files import read_table
from events.platform.migrate import upgrade
from events.platform.settings import Settings
from tests.cli import cli
from tests.conftest import DOOR, ORGANISER, csrf_headers, login, run, served_code
from tests.helpers import first_badge_token_in
from tests.served import MEETMATCH, served_app

MB = 1 << 20
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b"><sheetData>"
SHEET_TAIL = b"</sheetData></worksheet>"
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Voornaam</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Achternaam</t></is></c></row>'
)
SKELETON = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>",
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b" "
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>',
    "xl/sharedStrings.xml": b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b"><si><t>Anna</t></si></sst>",
    "xl/worksheets/sheet1.xml": SHEET_HEAD + HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c>'
    b'<c r="B2" t="inlineStr"><is><t>de Wit</t></is></c></row>' + SHEET_TAIL,
}
Part = bytes | Callable[[], Iterable[bytes]]


def repeated(head: bytes, unit: bytes, size: int, tail: bytes) -> Callable[[], Iterator[bytes]]:
    """A part of about ``size`` bytes: ``unit`` over and over between ``head`` and ``tail``, made as it is written."""

    def chunks() -> Iterator[bytes]:
        yield head
        chunk = unit * max(1, MB // len(unit))
        for _ in range(size // len(chunk)):
            yield chunk
        yield tail

    return chunks


def write_xlsx(path: Path, changes: dict[str, Part] | None = None) -> Path:
    """The skeleton workbook with some parts replaced or added; big parts are streamed into the zip as they are
    made, never held in memory."""
    parts: dict[str, Part] = {**SKELETON, **(changes or {})}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            if isinstance(part, bytes):
                archive.writestr(name, part)
                continue
            with archive.open(name, "w", force_zip64=True) as out:
                for chunk in part():
                    out.write(chunk)
    return path


def sheet(*rows: bytes) -> bytes:
    return SHEET_HEAD + HEADER_ROW + b"".join(rows) + SHEET_TAIL


# --- the bombs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bomb:
    filename: str
    code: str
    # What the answer names, in English (the unit tests, the command line) and in Dutch (the served app's default).
    english: str
    dutch: str
    # How long reading it may take: a refusal from the zip's directory is instant, one made while parsing
    # takes as long as an honest sheet of that size (generous bounds on a busy machine, not a benchmark).
    seconds: float = 5


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"".join([b"&lol%d;" % (n - 1) if n > 1 else b"&lol;"] * 10))
        for n in range(1, 10)
    )
    + b"]><worksheet "
    + NS
    + b"><sheetData>"
    + HEADER_ROW
    + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    + SHEET_TAIL
)
TOO_BIG = ("part xl/worksheets/sheet1.xml of the Excel file unpacks to more than 20 MB", "groter dan 20 MB")
BOMBS = {
    # A gigabyte of empty rows: 1.5 MB packed.
    "empty_rows": (
        Bomb("lege-rijen.xlsx", "file_too_large", *TOO_BIG),
        {"xl/worksheets/sheet1.xml": repeated(SHEET_HEAD + HEADER_ROW, b"<row/>", 1 << 30, SHEET_TAIL)},
    ),
    "shared_strings": (
        Bomb(
            "gedeelde-teksten.xlsx",
            "file_too_large",
            "part xl/sharedStrings.xml of the Excel file unpacks to more than 20 MB",
            "groter dan 20 MB",
        ),
        {
            "xl/sharedStrings.xml": repeated(
                b'<?xml version="1.0"?><sst ' + NS + b">", b"<si><t>meetmatch</t></si>", 400 * MB, b"</sst>"
            )
        },
    ),
    "inline_strings": (
        Bomb("teksten-in-de-cellen.xlsx", "file_too_large", *TOO_BIG),
        {
            "xl/worksheets/sheet1.xml": repeated(
                SHEET_HEAD + HEADER_ROW,
                b'<row><c t="inlineStr"><is><t>Anna</t></is></c><c t="inlineStr"><is><t>de Wit</t></is></c></row>',
                400 * MB,
                SHEET_TAIL,
            )
        },
    ),
    "huge_cell": (
        Bomb("een-grote-cel.xlsx", "file_too_large", *TOO_BIG),
        {
            "xl/worksheets/sheet1.xml": repeated(
                SHEET_HEAD + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>',
                b"A",
                400 * MB,
                b"</t></is></c></row>" + SHEET_TAIL,
            )
        },
    ),
    "dtd": (
        Bomb("dtd.xlsx", "xml_refused", "a DTD or entities", "een DTD of entiteiten"),
        {
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><!DOCTYPE worksheet SYSTEM "worksheet.dtd">'
            + sheet()[len(b'<?xml version="1.0" encoding="UTF-8"?>') :]
        },
    ),
    "entities": (
        Bomb("entiteiten.xlsx", "xml_refused", "a DTD or entities", "een DTD of entiteiten"),
        {"xl/worksheets/sheet1.xml": BILLION_LAUGHS},
    ),
}


def numbered_rows(count: int) -> Callable[[], Iterator[bytes]]:
    """A sheet of ``count`` empty rows, numbered: about 15 bytes a row, packing about 20 to 1."""

    def chunks() -> Iterator[bytes]:
        yield SHEET_HEAD + HEADER_ROW
        for start in range(2, count + 2, 10_000):
            yield b"".join(b'<row r="%d"/>' % n for n in range(start, min(start + 10_000, count + 2)))
        yield SHEET_TAIL

    return chunks


# Within the zip's limits (16 MB, packed 20 to 1), so it is parsed: refused at the millionth XML element.
BOMBS["many_elements"] = (
    Bomb(
        "elementen.xlsx",
        "too_complex",
        "part xl/worksheets/sheet1.xml of the Excel file has more than 1,000,000 XML elements",
        "meer dan 1.000.000 XML-elementen",
        seconds=30,
    ),
    {"xl/worksheets/sheet1.xml": numbered_rows(1_100_000)},
)
CSV_BOMB = Bomb("miljoen.csv", "too_many_rows", "more than 20,000 data rows", "meer dan 20.000 gegevensrijen")


def build(name: str, folder: Path) -> tuple[Bomb, Path]:
    if name == "csv_million":
        path = folder / CSV_BOMB.filename
        path.write_bytes(b"Voornaam;Achternaam\n" + b"An;Wit\n" * 1_000_000)  # 7 MB
        return CSV_BOMB, path
    bomb, parts = BOMBS[name]
    return bomb, write_xlsx(folder / bomb.filename, parts)


BOMB_NAMES = [*BOMBS, "csv_million"]


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Bomb, Path]]:
    folder = tmp_path_factory.mktemp("bombs")
    return {name: build(name, folder) for name in BOMB_NAMES}


def refusal(data: bytes, filename: str) -> DomainError:
    with i18n.language("en"), pytest.raises(DomainError) as caught:
        read_table(data, filename)
    return caught.value


# --- read_table: each bomb and each limit ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("name", BOMB_NAMES)
def test_read_table_bomb_refused_within_seconds_naming_the_limit(
    name: str, bombs: dict[str, tuple[Bomb, Path]]
) -> None:
    bomb, path = bombs[name]
    data = path.read_bytes()
    started = time.monotonic()

    error = refusal(data, bomb.filename)

    assert time.monotonic() - started < bomb.seconds
    assert (error.code, error.field) == (bomb.code, "file")
    assert bomb.english in error.message


def test_read_table_twenty_thousand_data_rows_accepted_one_more_refused() -> None:
    rows = "".join(f"Persoon{n};Achter{n}\n" for n in range(20_000))
    blank_lines = "\n" * 100  # blank lines are not data rows
    fine = f"Voornaam;Achternaam\n{blank_lines}{rows}".encode()

    table = read_table(fine, "lijst.csv")
    error = refusal(fine + b"Een;Teveel\n", "lijst.csv")

    assert (len(table.rows), table.row_numbers[-1]) == (20_000, 20_101)
    assert (error.code, error.message) == ("too_many_rows", "the file has more than 20,000 data rows")


def test_read_table_xlsx_over_twenty_thousand_data_rows_refused_at_the_first_row_over(tmp_path: Path) -> None:
    book = Workbook(write_only=True)
    data_sheet = book.create_sheet()
    data_sheet.append(["Voornaam", "Achternaam"])
    for n in range(20_001):
        data_sheet.append([f"Persoon{n}", f"Achter{n}"])
    book.save(tmp_path / "lijst.xlsx")

    error = refusal((tmp_path / "lijst.xlsx").read_bytes(), "lijst.xlsx")

    assert (error.code, error.message) == ("too_many_rows", "the file has more than 20,000 data rows")


def test_read_table_file_over_ten_megabytes_refused() -> None:
    data = b"Voornaam;Achternaam\n" + b"x" * (10 * MB)

    error = refusal(data, "lijst.csv")

    assert (error.code, error.message) == ("file_too_large", "the file is larger than 10 MB")


def test_read_table_part_packed_over_a_hundred_to_one_refused(tmp_path: Path) -> None:
    # 2 MB of rows with nothing in them packs to a few kB: well under 20 MB, but no real sheet packs that well.
    path = write_xlsx(
        tmp_path / "lucht.xlsx",
        {"xl/worksheets/sheet1.xml": repeated(SHEET_HEAD + HEADER_ROW, b"<row/>", 2 * MB, SHEET_TAIL)},
    )

    error = refusal(path.read_bytes(), "lucht.xlsx")

    assert (error.code, error.message) == (
        "file_too_large",
        "part xl/worksheets/sheet1.xml of the Excel file unpacks to more than 100 times its packed size",
    )


def test_read_table_more_than_a_thousand_parts_refused(tmp_path: Path) -> None:
    parts: dict[str, Part] = {f"xl/media/extra{n}.xml": b"<x/>" for n in range(1001)}
    path = tmp_path / "delen.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, part in {**SKELETON, **parts}.items():
            assert isinstance(part, bytes)
            archive.writestr(name, part)

    error = refusal(path.read_bytes(), "delen.xlsx")

    assert (error.code, error.message) == ("file_too_large", "the Excel file has more than 1,000 parts")


def test_read_table_parts_over_fifty_megabytes_in_all_refused(tmp_path: Path) -> None:
    # Three parts of 18 MB: each within its own limit, together over.
    extra: dict[str, Part] = {f"xl/worksheets/sheet{n}.xml": numbered_rows(1_200_000) for n in (2, 3, 4)}
    path = write_xlsx(tmp_path / "drie.xlsx", extra)

    error = refusal(path.read_bytes(), "drie.xlsx")

    assert (error.code, error.message) == ("file_too_large", "the Excel file unpacks to more than 50 MB in all")


def test_read_table_styles_of_more_than_a_hundred_thousand_elements_refused(tmp_path: Path) -> None:
    # Styles, the workbook and the like are read whole, not streamed: they get a tenth of a sheet's allowance.
    styles = (
        b'<?xml version="1.0"?><styleSheet '
        + NS
        + b"><cellXfs>"
        + b"<xf/>" * 100_001  # half a megabyte: too small for the packing ratio to count
        + b"</cellXfs></styleSheet>"
    )
    rels = SKELETON["xl/_rels/workbook.xml.rels"]
    assert isinstance(rels, bytes)
    with_styles = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rId3" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        b'Target="styles.xml"/></Relationships>',
    )
    path = write_xlsx(tmp_path / "stijlen.xlsx", {"xl/_rels/workbook.xml.rels": with_styles, "xl/styles.xml": styles})

    error = refusal(path.read_bytes(), "stijlen.xlsx")

    assert (error.code, error.message) == (
        "too_complex",
        "part xl/styles.xml of the Excel file has more than 100,000 XML elements",
    )


def test_read_table_row_of_more_cells_than_excel_allows_refused(tmp_path: Path) -> None:
    cells = b"".join(b"<c/>" for _ in range(16_385))
    path = write_xlsx(tmp_path / "breed.xlsx", {"xl/worksheets/sheet1.xml": sheet(b"<row>" + cells + b"</row>")})

    error = refusal(path.read_bytes(), "breed.xlsx")

    assert (error.code, error.message) == (
        "too_complex",
        "a row in part xl/worksheets/sheet1.xml of the Excel file has more than 16,384 cells",
    )


@pytest.mark.parametrize("filename", ["lang.csv", "lang.xlsx"])
def test_read_table_cell_longer_than_excel_allows_refused(filename: str, tmp_path: Path) -> None:
    long_text = "A" * 32_768
    if filename.endswith(".csv"):
        data = f"Voornaam;Achternaam\nAnna;de Wit\nJoost;{long_text}\n".encode()
    else:
        row = b'<row r="3"><c r="B3" t="inlineStr"><is><t>' + long_text.encode() + b"</t></is></c></row>"
        data = write_xlsx(tmp_path / filename, {"xl/worksheets/sheet1.xml": sheet(row)}).read_bytes()

    error = refusal(data, filename)

    assert (error.code, error.message) == ("cell_too_long", "row 3 has a cell of more than 32,767 characters")


def test_read_table_cell_of_exactly_the_excel_limit_accepted() -> None:
    data = f"Voornaam;Achternaam\nAnna;{'A' * 32_767}\n".encode()

    assert read_table(data, "lijst.csv").rows == [["Anna", "A" * 32_767]]


def test_read_table_one_long_shared_string_in_many_cells_refused(tmp_path: Path) -> None:
    # One shared string of 32,000 characters in 700 cells: 22 million characters from a file of a few kB.
    strings = b'<?xml version="1.0"?><sst ' + NS + b"><si><t>" + b"A" * 32_000 + b"</t></si></sst>"
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="s"><v>0</v></c></row>' % (n, n, n)
        for n in range(2, 352)
    )
    path = write_xlsx(
        tmp_path / "herhaald.xlsx", {"xl/sharedStrings.xml": strings, "xl/worksheets/sheet1.xml": sheet(rows)}
    )

    error = refusal(path.read_bytes(), "herhaald.xlsx")

    assert (error.code, error.message) == ("file_too_large", "the file holds more than 20,000,000 characters of text")


def test_read_table_rows_far_below_keep_their_numbers_and_rows_past_excel_are_ignored(tmp_path: Path) -> None:
    rows = (
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>Joost</t></is></c></row>'
        b'<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>Niemand</t></is></c></row>'
    )
    path = write_xlsx(tmp_path / "ver.xlsx", {"xl/worksheets/sheet1.xml": sheet(rows)})
    started = time.monotonic()

    table = read_table(path.read_bytes(), "ver.xlsx")

    assert time.monotonic() - started < 5
    assert (table.rows, table.row_numbers) == ([["Joost", ""]], [1_048_576])


def test_read_table_sheet_without_dimension_keeps_only_its_used_columns(tmp_path: Path) -> None:
    row = (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Anna</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>de Wit</t></is></c></row>'
    )
    path = write_xlsx(tmp_path / "smal.xlsx", {"xl/worksheets/sheet1.xml": sheet(row)})

    table = read_table(path.read_bytes(), "smal.xlsx")

    assert (table.headers, table.rows) == (["Voornaam", "Achternaam"], [["Anna", "de Wit"]])


@pytest.mark.parametrize(
    "part",
    ["xl/workbook.xml", "xl/sharedStrings.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"],
)
def test_read_table_dtd_in_any_part_refused(part: str, tmp_path: Path) -> None:
    original = SKELETON[part]
    assert isinstance(original, bytes)
    declaration, _, rest = original.partition(b"?>")
    root = rest[1 : rest.index(b" ")].decode()
    changed = declaration + b"?>" + f'<!DOCTYPE {root} [<!ENTITY x "y">]>'.encode() + rest
    path = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in SKELETON.items():
            assert isinstance(content, bytes)
            archive.writestr(name, changed if name == part else content)

    error = refusal(path.read_bytes(), "dtd.xlsx")

    assert (error.code, error.message) == (
        "xml_refused",
        f"part {part} of the Excel file holds XML with a DTD or entities, which is refused",
    )


def test_read_table_skeleton_workbook_reads(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "goed.xlsx")

    table = read_table(path.read_bytes(), "goed.xlsx")

    assert (table.headers, table.rows, table.row_numbers) == (["Voornaam", "Achternaam"], [["Anna", "de Wit"]], [2])


def test_read_table_refusal_is_dutch_by_default() -> None:
    data = b"Voornaam;Achternaam\n" + b"Anna;de Wit\n" * 20_001

    with pytest.raises(DomainError) as caught:
        read_table(data, "lijst.csv")

    assert caught.value.message == "het bestand heeft meer dan 20.000 gegevensrijen"


# --- the pages, the API and the command line ---------------------------------------------------------


def _bomb_refused(client: TestClient[Litestar], bomb: Bomb, path: Path, *, api: bool) -> Any:
    """The organiser uploads the bomb for a candidate import, through the API (a dry run) or the page: refused
    with 422 (the response)."""
    login(client, ORGANISER)
    files = {"file": (bomb.filename, path.read_bytes(), "application/octet-stream")}
    if api:
        response = client.post(
            f"/api/events/{DEMO_SLUG}/imports/candidates?dry_run=true", files=files, headers=csrf_headers(client)
        )
    else:
        response = client.post(
            f"/events/{DEMO_SLUG}/import/candidates",
            files=files,
            data={"_csrf_token": client.cookies.get("csrftoken")},
        )
    assert response.status_code == 422
    return response


@pytest.mark.parametrize("name", ["empty_rows", "entities", "csv_million"])
def test_import_page_bomb_refused_with_the_limit_beside_the_field(
    name: str, bombs: dict[str, tuple[Bomb, Path]], client: TestClient[Litestar], demo: DemoResult
) -> None:
    page = _bomb_refused(client, *bombs[name], api=False)

    assert 'class="field-error"' in page.text
    assert bombs[name][0].dutch in page.text


@pytest.mark.parametrize("name", ["shared_strings", "dtd", "csv_million"])
def test_import_api_bomb_refused_422_naming_the_limit(
    name: str, bombs: dict[str, tuple[Bomb, Path]], client: TestClient[Litestar], demo: DemoResult
) -> None:
    bomb, path = bombs[name]
    answer = _bomb_refused(client, bomb, path, api=True).json()

    assert (answer["code"], answer["field"]) == (bomb.code, "file")
    assert bomb.dutch in answer["detail"]


def test_import_preview_reload_does_not_read_the_file_again(
    client: TestClient[Litestar], demo: DemoResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, ORGANISER)
    upload = client.post(
        f"/events/{DEMO_SLUG}/import/candidates",
        files={"file": ("k.csv", b"Voornaam;Achternaam\nAnna;de Wit\n", "text/csv")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    reads: list[str] = []
    real = import_files.read_table
    monkeypatch.setattr(import_files, "read_table", lambda data, name: reads.append(name) or real(data, name))

    pages = [client.get(upload.headers["location"]) for _ in range(3)]

    assert upload.status_code == 303
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert all("de Wit" in page.text for page in pages)
    assert reads == []


def test_import_upload_is_read_in_a_worker_process_in_the_request_language(
    client: TestClient[Litestar], demo: DemoResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages and API parse in a worker process (a thread shares the interpreter lock with the event loop, which
    slowed the door's scans to a second), and the worker answers in the request's language."""
    login(client, ORGANISER)
    sent: list[tuple[str, str]] = []
    real = anyio.to_process.run_sync

    async def watched(func: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append((func.__name__, args[-1]))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_process, "run_sync", watched)
    page = client.post(
        f"/events/{DEMO_SLUG}/import/candidates",
        files={"file": ("k.csv", b"Voornaam;Achternaam\nAnna;de Wit\n", "text/csv")},
        data={"_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )
    api = client.post(
        f"/api/events/{DEMO_SLUG}/imports/candidates?dry_run=true",
        files={"file": ("k.csv", b"Voornaam;Achternaam\nAnna;de Wit\n", "text/csv")},
        headers=csrf_headers(client),
    )
    refused = client.post(
        f"/api/events/{DEMO_SLUG}/imports/candidates?dry_run=true",
        files={"file": ("k.csv", b"Voornaam;Achternaam\n" + b"Anna;" + b"x" * 40_000 + b"\n", "text/csv")},
        headers=csrf_headers(client),
    )

    assert (page.status_code, api.status_code) == (303, 200)
    assert sent == [("read_table_in_worker", "nl")] * 3
    # A refusal raised in the worker arrives whole: code, field and the Dutch message.
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("cell_too_long", "file")
    assert "32.767 tekens" in refused.json()["detail"]


def _peak_rss_of(command: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``command`` under a small Python of its own that reports its one child's peak memory (kB)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    *lines, peak = result.stderr.splitlines()
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout, "\n".join(lines)), int(peak)


@pytest.mark.slow
def test_cli_import_bombs_refused_exit_2_naming_the_limit_quickly_in_bounded_memory(
    settings: Settings, bombs: dict[str, tuple[Bomb, Path]], tmp_path: Path
) -> None:
    assert cli(settings, "demo").returncode == 0
    env = {
        **os.environ,
        "MEETMATCH_DATA_DIR": str(settings.data_dir),
        "MEETMATCH_DATABASE_URL": settings.database_url,
        "MEETMATCH_SECRET_KEY": settings.secret_key,
        **({"MEETMATCH_DATABASE_SCHEMA": settings.database_schema} if settings.database_schema else {}),
    }
    good = tmp_path / "goed.csv"
    good.write_bytes(b"Voornaam;Achternaam\nAnna;de Wit\n")
    command = [MEETMATCH, "import", DEMO_SLUG, "candidates"]
    fine, baseline = _peak_rss_of([*command, str(good), "--dry-run", "--consent-date", "2025-11-02"], env)
    assert fine.returncode == 0, fine.stderr

    found = {}
    for name, (bomb, path) in bombs.items():
        started = time.monotonic()
        result, peak = _peak_rss_of([*command, str(path), "--language", "en"], env)
        # The command's own start (Python, the app's modules) comes on top of reading the file.
        quick = time.monotonic() - started < bomb.seconds + 15
        found[name] = (result.returncode, result.stderr.strip(), quick, peak - baseline)

    for name, (bomb, _) in bombs.items():
        returncode, stderr, quick, grown = found[name]
        assert (returncode, stderr.startswith("error: file: "), bomb.english in stderr, quick) == (
            2,
            True,
            True,
            True,
        ), (
            name,
            stderr,
        )
        assert grown < 300 * 1024, (name, grown)


def test_cli_import_file_over_ten_megabytes_refused_before_it_is_read(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "groot.csv"
    with path.open("wb") as out:
        out.truncate(11 * MB)

    result = cli(settings, "import", DEMO_SLUG, "candidates", str(path), "--language", "en")

    assert (result.returncode, result.stderr.strip()) == (2, "error: file: the file is larger than 10 MB")


# --- a served app under attack -----------------------------------------------------------------------


def _rss_kb(pid: int) -> int:
    """The resident memory of ``pid`` and all its descendants (the server parses uploads in worker processes:
    what they take counts as the server's)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except (FileNotFoundError, ProcessLookupError):
        return total
    return total + sum(_rss_kb(child) for child in children)


async def _demo_and_a_badge(settings: Settings) -> str:
    await upgrade(settings)
    async with open_session(settings) as session:
        await build_demo_in(session, history=False)
        return await first_badge_token_in(session, settings)


class _Watch:
    """The server's peak memory while it runs; the server is stopped past 2 GB so that a failing test cannot
    take the machine down with it."""

    def __init__(self, server: subprocess.Popen[bytes]) -> None:
        self.server = server
        self.peak = _rss_kb(server.pid)
        self.running = True
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.running and self.server.poll() is None:
            self.peak = max(self.peak, _rss_kb(self.server.pid))
            if self.peak > 2 * 1024 * 1024:
                self.server.kill()
            time.sleep(0.01)  # the sampling rate of the memory watch, not a wait

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


@pytest.mark.slow
def test_served_app_refuses_each_bomb_quickly_in_bounded_memory_while_scans_are_answered(
    settings: Settings, bombs: dict[str, tuple[Bomb, Path]], tmp_path: Path
) -> None:
    token = run(_demo_and_a_badge(settings))
    with (
        served_app(settings, tmp_path) as (base, server),
        httpx.Client(base_url=base, timeout=60) as organiser,
        httpx.Client(base_url=base, timeout=10) as door,
    ):
        assert organiser.post(
            "/api/auth/login", json={"email": ORGANISER, "password": DEMO_PASSWORD, "code": served_code(ORGANISER)}
        ).is_success
        assert door.post("/api/auth/login", json={"email": DOOR, "password": DEMO_PASSWORD}).is_success
        scans = 0

        def scan() -> tuple[float, int, str]:
            nonlocal scans
            scans += 1
            started = time.monotonic()
            answer = door.post(
                "/api/scans",
                json={"token": token, "nonce": f"s-{scans}", "kind": "checkin"},
                headers={"x-csrftoken": door.cookies["csrftoken"]},
            )
            return time.monotonic() - started, answer.status_code, str(answer.json().get("code"))

        def send(name: str, path: Path) -> httpx.Response:
            return organiser.post(
                f"/api/events/{DEMO_SLUG}/imports/candidates?dry_run=true",
                files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
                headers={"x-csrftoken": organiser.cookies["csrftoken"]},
            )

        # Warm up: the import code and openpyxl loaded, a scan answered, before the baseline is taken.
        good = tmp_path / "goed.xlsx"
        write_xlsx(good)
        assert send("good", good).status_code == 200
        assert scan()[1] == 200
        watch = _Watch(server)
        baseline = watch.peak
        found: dict[str, tuple[int, str, str, float]] = {}
        scan_times: dict[str, list[tuple[float, int, str]]] = {}
        for name, (_, path) in bombs.items():
            answers: list[httpx.Response] = []
            started = time.monotonic()
            sender = threading.Thread(target=lambda p=path, n=name, a=answers: a.append(send(n, p)))
            sender.start()
            scan_times[name] = [scan()]
            while sender.is_alive():
                scan_times[name].append(scan())
                time.sleep(0.05)  # the scanner's pace while the bomb is read: part of the load, not a wait
            sender.join()
            took = time.monotonic() - started
            body = answers[0].json() if answers and answers[0].content else {}
            found[name] = (answers[0].status_code if answers else 0, body.get("code", ""), body.get("detail", ""), took)
        peak = watch.stop()

    for name, (bomb, _) in bombs.items():
        status, code, detail, took = found[name]
        assert (status, code, bomb.dutch in detail) == (422, bomb.code, True), (name, detail)
        assert took < bomb.seconds + 5, (name, took)
        assert all(seconds < 1 and status == 200 for seconds, status, _ in scan_times[name]), (name, scan_times[name])
    assert (peak - baseline) < 300 * 1024, f"the server grew by {(peak - baseline) // 1024} MB"
