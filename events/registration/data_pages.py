"""Spreadsheet import (upload, column mapping, preview, all-or-nothing import) and export downloads."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from events.platform import import_files
from events.platform.auth import requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _t
from events.platform.models import EVENT_TZ, ConsentMethod, Event, Role
from events.platform.security import export_limit
from events.platform.web import SPREADSHEET_TYPES, EventPageController, EventWeb, spreadsheet
from events.registration import exports
from events.registration.imports import Table, apply_import, consent_missing, preview_import
from events.registration.imports_cells import ImportConsent, default_consent_purpose
from events.registration.imports_fields import KINDS, ImportRejected, check_mapping, fields_for, guess_mapping

UPLOAD_TTL_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
EXPORT_KINDS = exports.EXPORT_KINDS
_CONSENT_FIELDS = ("consent_purpose", "consent_method", "consent_date", "consent_confirmed")


class UploadForm(msgspec.Struct):
    """The spreadsheet to import: an uploaded file (anything else, or nothing, is asked for again)."""

    file: Any = None


def _check_kind(kind: str, allowed: tuple[str, ...]) -> str:
    if kind not in allowed:
        raise NotFoundError("kind")
    return kind


def upload_dir(ctx: AppContext) -> Path:
    path = ctx.settings.data_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _upload_path(web: EventWeb, kind: str, upload_id: str) -> Path:
    # The user's and event's ids are part of the name: an upload is only ever found by the one who made it.
    if not UPLOAD_ID.match(upload_id):
        raise NotFoundError("upload")
    return upload_dir(web.ctx) / f"{web.user.id}-{web.event.id}-{kind}-{upload_id}"


def forget_old_uploads(ctx: AppContext) -> None:
    now = time.time()
    for path in upload_dir(ctx).iterdir():
        if now - path.stat().st_mtime > UPLOAD_TTL_SECONDS:
            path.unlink(missing_ok=True)


def store_upload(path: Path, filename: str, table: Table) -> None:
    # The table as read, not the file: a reload of the preview or the import itself never parses the file again.
    stored = {
        "filename": filename,
        "headers": table.headers,
        "rows": table.rows,
        "row_numbers": table.row_numbers,
        "unread_columns": table.unread_columns,
    }
    path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")


def load_upload(path: Path) -> tuple[str, Table]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        table = Table(
            headers=stored["headers"],
            rows=stored["rows"],
            row_numbers=stored["row_numbers"],
            unread_columns=[int(i) for i in stored.get("unread_columns", [])],
        )
        return str(stored["filename"]), table
    except (OSError, ValueError, KeyError, TypeError):
        # Gone, expired, or kept by an earlier version as the raw file: upload it again.
        raise NotFoundError("upload") from None


async def loaded_upload(path: Path) -> tuple[str, Table]:
    return await anyio.to_thread.run_sync(load_upload, path)


def mapping_from_form(form: Any, width: int) -> dict[int, str]:
    mapping = {}
    for index in range(width):
        value = str(form.get(f"col_{index}", "")).strip()
        if value:
            mapping[index] = value
    return mapping


class ImportPages(EventPageController):
    path = "/events/{event_ref:str}"
    guards = [requires(Role.ORGANISER)]

    @get("/import/{kind:str}", name="import_start")
    async def start(self, event: NamedDependency[Event], kind: FromPath[str]) -> Template:
        _check_kind(kind, KINDS)
        return Template("events/import.html", context={"event": event, "kind": kind, "stage": "upload", "errors": {}})

    @post("/import/{kind:str}", name="import_upload")
    async def upload(self, web: NamedDependency[EventWeb], kind: FromPath[str]) -> Response[Any]:
        _check_kind(kind, KINDS)
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
            context = {"event": web.event, "kind": kind, "stage": "upload", "errors": {"file": exc.message}}
            return Template("events/import.html", context=context, status_code=422)
        forget_old_uploads(web.ctx)
        upload_id = secrets.token_urlsafe(18)
        # Keep the extension (it tells CSV from Excel) and shorten only the rest of a long name.
        stem, dot, suffix = filename.rpartition(".")
        name = f"{stem[:100]}{dot}{suffix[:10]}" if dot else filename[:100]
        await anyio.to_thread.run_sync(store_upload, _upload_path(web, kind, upload_id), name, table)
        return web.redirect(f"/import/{kind}/{upload_id}")

    async def _preview(
        self, web: EventWeb, kind: str, upload_id: str, upload: tuple[str, Table], mapping: dict[int, str] | None
    ) -> dict[str, Any]:
        filename, table = upload
        mapping = guess_mapping(kind, table.headers) if mapping is None else mapping
        context: dict[str, Any] = {
            "event": web.event,
            "kind": kind,
            "stage": "preview",
            "upload_id": upload_id,
            "filename": filename,
            "table": table,
            "mapping": mapping,
            "fields": fields_for(kind),
            "field_labels": {f.name: _t(f.label) for f in fields_for(kind)},
            "errors": {},
            "preview": None,
            "consent_values": {
                "consent_purpose": default_consent_purpose(),
                "consent_method": "verbal",
                "consent_date": dt.datetime.now(EVENT_TZ).date().isoformat(),
            },
            "consent_methods": [m.value for m in ConsentMethod],
        }
        try:
            check_mapping(kind, mapping, len(table.headers))
            context["preview"] = await preview_import(web.db, web.user, web.event, kind, table, mapping)
        except DomainError as exc:
            context["errors"] = {exc.field or "mapping": exc.message}
        return context

    @get("/import/{kind:str}/{upload_id:str}", name="import_preview")
    async def preview(self, web: NamedDependency[EventWeb], kind: FromPath[str], upload_id: FromPath[str]) -> Template:
        _check_kind(kind, KINDS)
        upload = await loaded_upload(_upload_path(web, kind, upload_id))
        return Template("events/import.html", context=await self._preview(web, kind, upload_id, upload, None))

    @post("/import/{kind:str}/{upload_id:str}", name="import_apply")
    async def apply(
        self, web: NamedDependency[EventWeb], kind: FromPath[str], upload_id: FromPath[str]
    ) -> Response[Any]:
        _check_kind(kind, KINDS)
        path = _upload_path(web, kind, upload_id)
        upload = await loaded_upload(path)
        table = upload[1]
        # Read by hand: the mapping's fields are named by column (col_0, col_1, ...), and the consent fields are
        # shown back as sent (empty ones too) once consent_date was sent at all.
        form = await web.request.form()
        mapping = mapping_from_form(form, len(table.headers))
        context = await self._preview(web, kind, upload_id, upload, mapping)
        preview = context["preview"]
        if "consent_date" in form:
            context["consent_values"] = {name: str(form.get(name, "")) for name in _CONSENT_FIELDS}
        if form.get("action") != "import" or preview is None or not preview.ok:
            return Template("events/import.html", context=context, status_code=200 if preview and preview.ok else 422)
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
                return Template("events/import.html", context=context, status_code=422)
        try:
            result = await apply_import(web.db, web.user, web.event, kind, table, mapping, consent)
        except ImportRejected:
            return Template("events/import.html", context=context, status_code=422)
        path.unlink(missing_ok=True)
        return web.redirect(f"?msg=imported&rows={result.rows}")

    @get("/export/{filename:str}", name="export_download", guards=[export_limit])
    async def export(self, web: NamedDependency[EventWeb], filename: FromPath[str]) -> Response[bytes]:
        kind, _, fmt = filename.partition(".")
        _check_kind(kind, EXPORT_KINDS)
        if fmt not in SPREADSHEET_TYPES:
            raise NotFoundError("format")
        headers, rows = await exports.export_rows(web.db, web.user, web.event, kind)
        return spreadsheet(headers, rows, fmt, kind, f"{web.event.slug}-{kind}.{fmt}")
