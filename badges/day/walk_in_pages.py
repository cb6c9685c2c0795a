"""The walk-in desk: register a person on the spot, check them in, print their badge."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from badges.day import walk_ins
from badges.day.deps import desk_events
from badges.day.door import ROLE_WORDS
from badges.day.live import Live, publish_after
from badges.models import HolderKind, TokenPurpose
from badges.people import KIND_PLURALS, live_tokens
from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_values, parse
from events.platform.i18n import gettext as _t
from events.platform.models import SECTORS, ConsentMethod, Event, Role
from events.platform.redirects import see_other

desk = requires(Role.ORGANISER, Role.DOOR)
# Walk-ins are candidates or employers (staff have accounts, not walk-in registrations).
KINDS = {word: kind for word, kind in KIND_PLURALS.items() if kind is not HolderKind.STAFF}
WALK_IN = {"type": "walk_in"}


def _context(event: Event, values: dict[str, Any], errors: dict[str, str], *, known: bool = False) -> dict[str, Any]:
    return {
        "event": event,
        "known": known,
        "values": {"kind": "candidate", "consent_method": "verbal", "tables": "1", "sectors": [], **values},
        "errors": errors,
        "sectors": SECTORS,
        "methods": [m.value for m in ConsentMethod],
    }


class WalkInForm(msgspec.Struct):
    """The walk-in form as posted: text throughout, checked by the walk-in service."""

    kind: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    sectors: list[str] = []
    consent: str = ""
    consent_method: str = ""
    organisation: str = ""
    tables: str = ""

    def walk_in(self) -> walk_ins.WalkIn:
        try:
            tables = int(self.tables or "1")
        except ValueError:
            tables = 0
        return walk_ins.WalkIn(
            kind=self.kind,
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            phone=self.phone,
            sectors=tuple(self.sectors),
            consent=self.consent == "1",
            consent_method=self.consent_method or ConsentMethod.VERBAL.value,
            organisation=self.organisation,
            tables=tables,
        )


def walk_in_kind(word: str) -> HolderKind:
    """The kind of walk-in a path names (`candidates`, `employers`); anything else is not found."""
    wanted = KINDS.get(word)
    if wanted is None:
        raise NotFoundError("person")
    return wanted


class WalkInPages(Controller):
    path = "/events/{event_ref:str}/walk-ins"
    guards = [desk]
    dependencies = desk_events
    include_in_schema = False

    @get("/", name="walk-ins")
    async def form(
        self,
        event: NamedDependency[Event],
        known: FromQuery[str | None] = None,
    ) -> Template:
        """The form; with `known`, after someone who was registered already was checked in."""
        return Template("badges/walk_in.html", context=_context(event, {}, {}, known=known == "1"))

    @post("/", name="walk-ins-add")
    async def add(
        self,
        request: Request[Any, Any, Any],
        event: NamedDependency[Event],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        """Register, check in; then the page to print the badge. A mistake shows the form again, named."""
        values = form_values(await request.form(), lists=("sectors",))
        data = parse(WalkInForm, values).walk_in()
        try:
            holder = await walk_ins.register(db_session, current_user, event, data)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = _context(event, values, {exc.field or "kind": exc.message})
            return Template("badges/walk_in.html", context=context, status_code=exc.status_code)
        at_door = await walk_ins.registered_at_door(db_session, event, holder.kind, holder.id)
        live: Live = request.app.state.live
        if not at_door and current_user.role is not Role.ORGANISER:
            # Someone registered before (found by e-mail) is checked in now; the door prints no badge of theirs.
            return publish_after(see_other(f"/events/{event.slug}/walk-ins?known=1"), live, event.id, WALK_IN)
        plural = "candidates" if holder.kind is HolderKind.CANDIDATE else "employers"
        return publish_after(see_other(f"/events/{event.slug}/walk-ins/{plural}/{holder.id}"), live, event.id, WALK_IN)

    @get("/{kind:str}/{holder_id:int}", name="walk-in")
    async def added(
        self,
        event: NamedDependency[Event],
        kind: FromPath[str],
        holder_id: FromPath[int],
        ctx: NamedDependency[AppContext],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Template:
        holder = await walk_ins.desk_person(db_session, current_user, event, walk_in_kind(kind), holder_id)
        tokens = await live_tokens(db_session, ctx.settings, event, TokenPurpose.BADGE, [holder])
        return Template(
            "badges/walk_in_done.html",
            context={
                "event": event,
                "holder": holder,
                "number": tokens[holder.key][1].number,
                "kind": kind,
                "role": _t(ROLE_WORDS[holder.kind]),
                "instruction": await walk_ins.instruction_of(db_session, holder),
            },
        )

    @get("/{kind:str}/{holder_id:int}/badge.pdf", name="walk-in-badge")
    async def badge(
        self,
        event: NamedDependency[Event],
        kind: FromPath[str],
        holder_id: FromPath[int],
        ctx: NamedDependency[AppContext],
        current_user: NamedDependency[CurrentUser],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[bytes]:
        """The person's badge as one A6 page, to print at the desk."""
        data = await walk_ins.single_badge(db_session, ctx.settings, current_user, event, walk_in_kind(kind), holder_id)
        return Response(
            data,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="badge-{kind}-{holder_id}.pdf"',
                "Cache-Control": "no-store",
            },
        )
