"""Spreadsheet import of candidates and employers: read a CSV or XLSX file, map its columns, check
every row, then write all rows or none.

The web pages and the CLI share these functions: ``read_table`` (events.platform.import_files, which reads a file
within limits that keep a hostile one from taking the server down) -> ``guess_mapping`` (or a mapping the
organiser chose) -> ``preview_import`` -> ``apply_import``. Nothing here commits: ``apply_import`` flushes
in the caller's transaction, and refuses the whole file when a single row is wrong, so that an organiser
never has to find out which half of a spreadsheet made it in.

The pieces: imports_fields (the fields, the column mapping and the results), imports_cells (each cell's rule, the
row parser, the organiser's consent), imports_candidates and imports_employers (each kind's checks and writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import i18n
from events.platform.errors import DomainError, NotFoundError
from events.platform.identity import CurrentUser
from events.platform.import_files import Table as Table  # re-exported: callers read a file through this module
from events.platform.import_files import read_table as read_table
from events.platform.models import Event, Organisation, Role
from events.platform.services import audit
from events.registration.imports_candidates import apply_candidates, check_candidates
from events.registration.imports_cells import ImportConsent
from events.registration.imports_employers import apply_employers, check_employers
from events.registration.imports_fields import (
    ImportPreview,
    ImportRejected,
    ImportResult,
    RowError,
    check_mapping,
    unused_columns,
)


def _require_organiser(user: CurrentUser) -> None:
    if user.role is not Role.ORGANISER:
        raise NotFoundError("import")


def _actor(user: CurrentUser) -> CurrentUser | None:
    # The CLI may act without any organiser account (id 0); the audit log then records "system".
    return user if user.id else None


@dataclass
class _Checked:
    preview: ImportPreview
    coaches: dict[str, int]
    organisations: dict[str, Organisation]


async def _check(
    session: AsyncSession, user: CurrentUser, event: Event, kind: str, table: Table, mapping: dict[int, str]
) -> _Checked:
    _require_organiser(user)
    check_mapping(kind, mapping, len(table.headers))
    errors: list[RowError] = []
    coaches: dict[str, int] = {}
    organisations: dict[str, Organisation] = {}
    if kind == "candidates":
        rows, coaches = await check_candidates(session, event, table, mapping, errors)
        matched = sum(1 for r in rows if r.existing_id is not None)
        new = len(rows) - matched
    else:
        rows, organisations = await check_employers(session, event, table, mapping, errors)
        names = {r.values["organisation"].casefold() for r in rows if r.values.get("organisation")}
        matched = sum(1 for name in names if name in organisations)
        new = len(names) - matched
    errors.sort(key=lambda e: e.row)
    preview = ImportPreview(
        kind=kind,
        rows=rows,
        errors=errors,
        new=new,
        matched=matched,
        unused=unused_columns(table, mapping),
    )
    if kind == "candidates":
        preview.needs_consent = sum(1 for r in rows if r.existing_id is None and "consent_date" not in r.values)
    return _Checked(preview=preview, coaches=coaches, organisations=organisations)


async def preview_import(
    session: AsyncSession, user: CurrentUser, event: Event, kind: str, table: Table, mapping: dict[int, str]
) -> ImportPreview:
    """Parse and check every row and match it against the database, without writing anything."""
    return (await _check(session, user, event, kind, table, mapping)).preview


def consent_missing(preview: ImportPreview) -> DomainError:
    """The refusal when new candidates would come in without a consent record."""
    return DomainError(
        "consent_required",
        i18n.ngettext(
            "%(num)s new candidate has no consent record in the file: confirm how and when they consented",
            "%(num)s new candidates have no consent record in the file: confirm how and when they consented",
            preview.needs_consent,
        ),
        "consent",
    )


async def apply_import(
    session: AsyncSession,
    user: CurrentUser,
    event: Event,
    kind: str,
    table: Table,
    mapping: dict[int, str],
    consent: ImportConsent | None = None,
) -> ImportResult:
    """Import every row in the caller's transaction, or raise ImportRejected and write nothing.

    Every new candidate gets a consent record: from its row's consent columns, or else from `consent`,
    the organiser's confirmation; without either the import is refused (``consent_required``).
    """
    checked = await _check(session, user, event, kind, table, mapping)
    if checked.preview.errors:
        raise ImportRejected(checked.preview.errors)
    if kind == "candidates" and checked.preview.needs_consent and consent is None:
        raise consent_missing(checked.preview)
    if kind == "candidates":
        result = await apply_candidates(session, user, event, checked.preview.rows, checked.coaches, consent)
    else:
        result = await apply_employers(session, event, checked.preview.rows, checked.organisations)
    await audit(
        session,
        _actor(user),
        "import",
        "event",
        event.id,
        detail={
            "kind": kind,
            "rows": result.rows,
            "created": result.created,
            "matched": result.matched,
            "updated": result.updated,
            **result.details,
        },
    )
    return result
