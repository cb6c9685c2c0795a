"""Privacy pages and their API twins: a person's export (JSON, PDF), erasing a person (confirm, then do it), who
read a person's data, and the organisers' audit-log viewer.

Export, erase and the viewer are for organisers only: an access or erasure request is answered by the
organisation that runs the events (see events.privacy.export). A person's own coaches see who read their
candidate's data, on the candidate page.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, URLEncodedBody
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import ConflictError, DomainError
from events.platform.i18n import gettext as _t
from events.platform.models import Candidate, Role
from events.platform.reach import candidate_reach
from events.platform.redirects import see_other
from events.platform.security import export_limit
from events.platform.web import PRIVATE, PageController, Web, download
from events.privacy import audit_log, export
from events.privacy.erasure import erase_person
from events.privacy.retention import erasure_dates

organisers = requires(Role.ORGANISER)


class EraseForm(msgspec.Struct):
    confirm: str = ""


class EraseRequest(msgspec.Struct, forbid_unknown_fields=True):
    confirm: bool


class Erased(msgspec.Struct):
    candidate_id: int
    files_removed: int


def _sessions(request: Request[Any, Any, Any]) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


async def _erasable(session: AsyncSession, user: CurrentUser, candidate_id: int) -> Candidate:
    candidate = await export.load_candidate(session, user, candidate_id)
    if candidate.erased_at is not None:
        from events.platform import labels

        raise ConflictError(
            "already_erased",
            _t("This person's data was already erased on %(date)s.")
            % {"date": labels.format_date(candidate.erased_at)},
        )
    return candidate


class PersonDataPages(PageController):
    """A person's export and erasure (organisers)."""

    path = "/candidates/{candidate_id:int}"
    guards = [organisers]

    @get("/export.json", name="privacy:export_json", guards=[export_limit])
    async def export_json(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[bytes]:
        data = await export.person_data(web.db, web.user, candidate_id)
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        return download(body, "application/json", f"person-{candidate_id}.json", cache=PRIVATE)

    @get("/export.pdf", name="privacy:export_pdf", guards=[export_limit])
    async def export_pdf(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[bytes]:
        data = await export.person_data(web.db, web.user, candidate_id)
        pdf = await anyio.to_thread.run_sync(export.render_pdf, export.export_html(data))
        return download(pdf, "application/pdf", f"person-{candidate_id}.pdf", cache=PRIVATE)

    @get("/erase", name="privacy:erase_confirm")
    async def erase_confirm(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Template:
        candidate = await _erasable(web.db, web.user, candidate_id)
        return Template("events/privacy/erase.html", context={"candidate": candidate, "error": None})

    @post("/erase", name="privacy:erase")
    async def erase(
        self,
        candidate_id: FromPath[int],
        request: Request[Any, Any, Any],
        data: URLEncodedBody[EraseForm],
        ctx: NamedDependency[AppContext],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        # The erasure commits in a transaction of its own: the raw bytes are scrubbed only after the commit.
        async with _sessions(request)() as session:
            candidate = await _erasable(session, current_user, candidate_id)
            if data.confirm != "erase":
                error = _t("Tick the box to confirm that this person's data is erased.")
                return Template(
                    "events/privacy/erase.html", context={"candidate": candidate, "error": error}, status_code=422
                )
        await erase_person(_sessions(request), ctx.settings, current_user, candidate_id)
        return see_other("/candidates/?msg=erased")


class PersonAccessPages(PageController):
    """Who read or changed a person's data: organisers and the person's own coaches."""

    path = "/candidates/{candidate_id:int}"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/access", name="privacy:access")
    async def access(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], fragment: FromQuery[bool] = False
    ) -> Template:
        rows = await audit_log.recent_access(web.db, web.user, candidate_id)
        dates = await erasure_dates(web.db, [candidate_id])
        context = {
            "rows": rows,
            "candidate_id": candidate_id,
            "erasure_date": dates.get(candidate_id),
            "in_trajectory": candidate_id in dates and dates[candidate_id] is None,
        }
        name = "events/privacy/_access.html" if fragment else "events/privacy/access.html"
        return Template(name, context=context)


class AuditPages(PageController):
    """The audit log for organisers: newest first, in pages, by person, actor and action."""

    path = "/audit"
    guards = [organisers]

    @get("/", name="privacy:audit")
    async def audit_page(
        self,
        web: NamedDependency[Web],
        candidate: FromQuery[str] = "",
        actor: FromQuery[str] = "",
        action: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        wanted = audit_log.AuditFilter(
            candidate_id=_number(candidate),
            actor_id=_number(actor),
            action=action.strip()[:40],
            page=_number(page) or 1,
        )
        found = await audit_log.entries(web.db, web.user, wanted)
        name = None
        if wanted.candidate_id is not None:
            hit = await web.db.execute(
                select(Candidate.first_name, Candidate.last_name).where(
                    Candidate.id == wanted.candidate_id, candidate_reach(web.user)
                )
            )
            first_last = hit.first()
            name = " ".join(first_last) if first_last else None
        return Template(
            "events/privacy/audit.html",
            context={"found": found, "wanted": wanted, "candidate_name": name},
        )


def _number(text: str) -> int | None:
    """A filter's id; anything that is not one filters nothing (a page of filters is no place for errors)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class PersonDataApi(Controller):
    """The API twins: a person's export as JSON, and erasing a person."""

    path = "/api/candidates/{candidate_id:int}"
    tags = ["privacy"]
    guards = [organisers]

    @get("/export", name="api:privacy_export", guards=[export_limit])
    async def export_api(
        self,
        candidate_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> dict[str, Any]:
        """All data of one person (GDPR art. 15/20), as the page's JSON download; the read is audited."""
        return await export.person_data(db_session, current_user, candidate_id)

    @post("/erase", name="api:privacy_erase", status_code=200)
    async def erase_api(
        self,
        candidate_id: FromPath[int],
        request: Request[Any, Any, Any],
        data: JSONBody[EraseRequest],
        ctx: NamedDependency[AppContext],
        current_user: NamedDependency[CurrentUser],
    ) -> Erased:
        """Erase one person's personal data everywhere (send {"confirm": true}); the figures stay."""
        if not data.confirm:
            raise DomainError("confirm", "send confirm: true to erase this person", "confirm")
        report = await erase_person(_sessions(request), ctx.settings, current_user, candidate_id)
        return Erased(candidate_id, report.files_removed)


__all__ = ["AuditPages", "PersonAccessPages", "PersonDataApi", "PersonDataPages"]
