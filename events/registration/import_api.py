"""The JSON API of spreadsheet imports: a CSV or XLSX file of candidates or employers, all rows or none."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import import_files
from events.platform.auth import CurrentUser, requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.models import Role
from events.platform.services import EventService
from events.registration.imports import apply_import, preview_import
from events.registration.imports_cells import ImportConsent
from events.registration.imports_fields import KINDS, check_mapping, guess_mapping
from events.registration.schemas import Problem

organisers = requires(Role.ORGANISER)


class RowProblem(msgspec.Struct):
    row: int
    field: str
    reason: str


class ImportAnswer(msgspec.Struct):
    """What an import found and, unless it was a dry run or a row was wrong, what it wrote."""

    kind: str
    rows: int
    new: int
    matched: int
    imported: bool
    errors: list[RowProblem]
    created: int = 0
    updated: int = 0
    # New candidates without consent columns in the file: the import needs `consent_date` for them.
    needs_consent: int = 0
    # Columns that hold data the import does not read ("C (Doelgroep)"): reported, never refused.
    unused_columns: list[str] = msgspec.field(default_factory=list)


class ImportsApi(Controller):
    path = "/api/events/{event_ref:str}/imports"
    tags = ["imports"]
    guards = [organisers]

    @post(
        "/{kind:str}",
        name="api:import",
        status_code=HTTP_200_OK,
        # A wrong row answers what the import found; a wrong request (no file, an unreadable one, a bad
        # `consent_date`) the usual problem body.
        responses={
            422: ResponseSpec(
                ImportAnswer | Problem,
                description="A row is wrong (what the import found; nothing was imported), or the request is wrong",
            )
        },
    )
    async def import_file(
        self,
        event_ref: FromPath[str],
        kind: FromPath[str],
        data: MultipartBody[dict[str, UploadFile]],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        dry_run: FromQuery[bool] = False,
        consent_date: FromQuery[str | None] = None,
        consent_method: FromQuery[str] = "verbal",
        consent_purpose: FromQuery[str] = "",
    ) -> Response[ImportAnswer]:
        """Import a CSV or XLSX file of candidates or employers (field `file`); all or nothing; `dry_run` checks.

        New candidates need a consent record: the file's consent columns, or `consent_date` (and
        `consent_method`: verbal, paper or digital) confirming it for all of them; otherwise 422
        `consent_required`. A file over a limit is refused 422 with the limit named: `file_too_large` (over
        10 MB, an XLSX part unpacking to over 20 MB), `too_many_rows` (over 20,000 data rows), `xml_refused`
        (XML with a DTD or entities), `too_complex`, `cell_too_long`.
        """
        event = await EventService(db_session, current_user).get(event_ref)
        consent = None
        if consent_date is not None:
            consent = ImportConsent.parse(consent_method, consent_date, consent_purpose)
        if kind not in KINDS:
            raise NotFoundError("kind")
        upload = data.get("file")
        if not isinstance(upload, UploadFile):
            raise DomainError("required", "send the spreadsheet as the multipart field `file`", "file")
        table = await import_files.read_table_in_thread(await upload.read(), upload.filename)
        mapping = guess_mapping(kind, table.headers)
        check_mapping(kind, mapping, len(table.headers))
        preview = await preview_import(db_session, current_user, event, kind, table, mapping)
        answer = ImportAnswer(
            kind=kind,
            rows=len(preview.rows),
            new=preview.new,
            matched=preview.matched,
            imported=False,
            errors=[RowProblem(e.row, e.field, e.reason) for e in preview.errors],
            needs_consent=preview.needs_consent,
            unused_columns=[str(column) for column in preview.unused],
        )
        if not preview.ok:
            return Response(answer, status_code=422)
        if not dry_run:
            result = await apply_import(db_session, current_user, event, kind, table, mapping, consent)
            answer.imported, answer.created, answer.updated = True, result.created, result.updated
        return Response(answer)
