"""A programme's import page (upload, columns, the check, all-or-nothing import) and its participants download, for
the programme's organisers. The same steps as the event import (events.registration.data_pages), whose upload
store this reuses: the table as read is kept for a day, under the user's and the programme's ids.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import anyio.to_thread
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import import_files
from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.identity import CurrentUser
from events.platform.models import EVENT_TZ, ConsentMethod, Programme, Role
from events.platform.redirects import see_other
from events.platform.security import export_limit
from events.platform.web import SPREADSHEET_TYPES, WEB, PageController, Web, spreadsheet
from events.programmes.enrolments import get_programme, manages
from events.programmes.exports import participant_rows
from events.programmes.imports import (
    KIND,
    PARTICIPANT_FIELDS,
    apply_participants,
    participants_purpose,
    preview_participants,
)
from events.registration.data_pages import (
    MAX_UPLOAD_BYTES,
    UPLOAD_ID,
    UploadForm,
    forget_old_uploads,
    loaded_upload,
    mapping_from_form,
    store_upload,
    upload_dir,
)
from events.registration.imports import Table, consent_missing
from events.registration.imports_cells import ImportConsent
from events.registration.imports_fields import ImportRejected, check_mapping, guess_mapping

TEMPLATE = "events/programmes/import.html"
_CONSENT_FIELDS = ("consent_purpose", "consent_method", "consent_date", "consent_confirmed")


async def provide_managed_programme(
    programme_id: FromPath[int], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Programme:
    """The path's programme, for its organisers only (anyone else: 404, as a missing one)."""
    programme = await get_programme(db_session, current_user, programme_id)
    manages(current_user, programme)
    return programme


def _upload_path(web: Web, programme: Programme, upload_id: str) -> Path:
    # The user's and programme's ids are part of the name: an upload is only ever found by the one who made it.
    if not UPLOAD_ID.match(upload_id):
        raise NotFoundError("upload")
    return upload_dir(web.ctx) / f"{web.user.id}-programme{programme.id}-{KIND}-{upload_id}"


class ProgrammeImportPages(PageController):
    path = "/programmes/{programme_id:int}"
    guards = [requires(Role.ORGANISER)]
    dependencies = {"programme": Provide(provide_managed_programme), **WEB}

    @get("/import", name="programme_import_start")
    async def start(self, programme: NamedDependency[Programme]) -> Template:
        return Template(TEMPLATE, context={"programme": programme, "stage": "upload", "errors": {}})

    @post("/import", name="programme_import_upload")
    async def upload(self, web: NamedDependency[Web], programme: NamedDependency[Programme]) -> Response[Any]:
        upload = (await web.form(UploadForm)).file
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        filename = upload.filename if isinstance(upload, UploadFile) else ""
        try:
            if not data:
                raise DomainError("required", _t("Choose a CSV or Excel file."), "file")
            if len(data) > MAX_UPLOAD_BYTES:
                raise DomainError("too_large", _t("The file is larger than 10 MB."), "file")
            # A file that cannot be read, or is over a limit, is refused here, not later.
            table = await import_files.read_table_in_thread(data, filename)
        except DomainError as exc:
            context = {"programme": programme, "stage": "upload", "errors": {"file": exc.message}}
            return Template(TEMPLATE, context=context, status_code=422)
        forget_old_uploads(web.ctx)
        upload_id = secrets.token_urlsafe(18)
        stem, dot, suffix = filename.rpartition(".")
        name = f"{stem[:100]}{dot}{suffix[:10]}" if dot else filename[:100]
        await anyio.to_thread.run_sync(store_upload, _upload_path(web, programme, upload_id), name, table)
        return see_other(f"/programmes/{programme.id}/import/{upload_id}")

    async def _preview(
        self,
        web: Web,
        programme: Programme,
        upload_id: str,
        upload: tuple[str, Table],
        mapping: dict[int, str] | None,
    ) -> dict[str, Any]:
        filename, table = upload
        mapping = guess_mapping(PARTICIPANT_FIELDS, table.headers) if mapping is None else mapping
        context: dict[str, Any] = {
            "programme": programme,
            "stage": "preview",
            "upload_id": upload_id,
            "filename": filename,
            "table": table,
            "mapping": mapping,
            "fields": PARTICIPANT_FIELDS,
            "field_labels": {f.name: _t(f.label) for f in PARTICIPANT_FIELDS},
            "errors": {},
            "preview": None,
            "consent_values": {
                "consent_purpose": participants_purpose(programme),
                "consent_method": "verbal",
                "consent_date": dt.datetime.now(EVENT_TZ).date().isoformat(),
            },
            "consent_methods": [m.value for m in ConsentMethod],
        }
        try:
            check_mapping(PARTICIPANT_FIELDS, mapping, len(table.headers))
            context["preview"] = await preview_participants(web.db, web.user, programme, table, mapping)
        except DomainError as exc:
            context["errors"] = {exc.field or "mapping": exc.message}
        return context

    @get("/import/{upload_id:str}", name="programme_import_preview")
    async def preview(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], upload_id: FromPath[str]
    ) -> Template:
        upload = await loaded_upload(_upload_path(web, programme, upload_id))
        return Template(TEMPLATE, context=await self._preview(web, programme, upload_id, upload, None))

    @post("/import/{upload_id:str}", name="programme_import_apply")
    async def apply(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], upload_id: FromPath[str]
    ) -> Response[Any]:
        path = _upload_path(web, programme, upload_id)
        upload = await loaded_upload(path)
        table = upload[1]
        form = await web.request.form()
        mapping = mapping_from_form(form, len(table.headers))
        context = await self._preview(web, programme, upload_id, upload, mapping)
        preview = context["preview"]
        if "consent_date" in form:
            context["consent_values"] = {name: str(form.get(name, "")) for name in _CONSENT_FIELDS}
        if form.get("action") != "import" or preview is None or not preview.ok:
            return Template(TEMPLATE, context=context, status_code=200 if preview and preview.ok else 422)
        consent = None
        if preview.needs_consent:
            values = context["consent_values"]
            try:
                if form.get("consent_confirmed") != "yes":
                    raise consent_missing(preview)
                consent = ImportConsent.parse(
                    values["consent_method"], values["consent_date"], values["consent_purpose"]
                )
            except DomainError as exc:
                context["errors"] = {exc.field or "consent": exc.message}
                return Template(TEMPLATE, context=context, status_code=422)
        try:
            result = await apply_participants(web.db, web.user, programme, table, mapping, consent)
        except ImportRejected:
            return Template(TEMPLATE, context=context, status_code=422)
        path.unlink(missing_ok=True)
        return see_other(f"/programmes/{programme.id}?msg=imported&rows={result.rows}")

    @get("/export/{filename:str}", name="programme_export", guards=[export_limit])
    async def export(
        self, web: NamedDependency[Web], programme: NamedDependency[Programme], filename: FromPath[str]
    ) -> Response[bytes]:
        kind, _, fmt = filename.partition(".")
        if kind != KIND or fmt not in SPREADSHEET_TYPES:
            raise NotFoundError("export")
        headers, rows = await participant_rows(web.db, web.user, programme)
        return spreadsheet(headers, rows, fmt, kind, f"{programme.slug or programme.id}-{kind}.{fmt}")
