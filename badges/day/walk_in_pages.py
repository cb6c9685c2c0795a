"""The walk-in desk: register a person on the spot, check them in, print their badge."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from badges.day import walk_ins
from badges.day.door import ROLE_WORDS
from badges.day.page_helpers import DESK_WEB, published
from badges.models import HolderKind, TokenPurpose
from badges.people import KIND_PLURALS, live_tokens
from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import parse
from events.platform.i18n import gettext as _t
from events.platform.labels import guest_kind_label
from events.platform.models import SECTORS, ConsentMethod, Event, GuestKind, Role
from events.platform.web import EventPageController, EventWeb, download

desk = requires(Role.ORGANISER, Role.DOOR)
# Walk-ins are candidates, employers or guests (staff have accounts, not walk-in registrations).
KINDS = {word: kind for word, kind in KIND_PLURALS.items() if kind is not HolderKind.STAFF}
WALK_IN = {"type": "walk_in"}


def _context(event: Event, values: dict[str, Any], errors: dict[str, str], *, known: bool = False) -> dict[str, Any]:
    return {
        "event": event,
        "known": known,
        "values": {
            "kind": "guest" if event.plenary else "candidate",
            "consent_method": "verbal",
            "tables": "1",
            "sectors": [],
            "guest_kind": GuestKind.OTHER.value,
            **values,
        },
        "guest_kinds": [k.value for k in GuestKind],
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
    guest_kind: str = ""
    function: str = ""

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
            guest_kind=self.guest_kind or GuestKind.OTHER.value,
            function=self.function,
        )


def walk_in_kind(word: str) -> HolderKind:
    """The kind of walk-in a path names (`candidates`, `employers`, `guests`); anything else is not found."""
    wanted = KINDS.get(word)
    if wanted is None:
        raise NotFoundError("person")
    return wanted


class WalkInPages(EventPageController):
    path = "/events/{event_ref:str}/walk-ins"
    guards = [desk]
    dependencies = DESK_WEB

    @get("/", name="walk-ins")
    async def form(self, event: NamedDependency[Event], known: FromQuery[str | None] = None) -> Template:
        """The form; with `known`, after someone who was registered already was checked in."""
        return Template("badges/walk_in.html", context=_context(event, {}, {}, known=known == "1"))

    @post("/", name="walk-ins-add")
    async def add(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        """Register, check in; then the page to print the badge. A mistake shows the form again, named."""
        values = await web.values(lists=("sectors",))
        data = parse(WalkInForm, values).walk_in()
        try:
            holder = await walk_ins.register(web.db, web.user, web.event, data)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = _context(web.event, values, {exc.field or "kind": exc.message})
            return Template("badges/walk_in.html", context=context, status_code=exc.status_code)
        at_door = await walk_ins.registered_at_door(web.db, web.event, holder.kind, holder.id)
        if not at_door and web.user.role is not Role.ORGANISER:
            # Someone registered before (found by e-mail) is checked in now; the door prints no badge of theirs.
            return published(web, "/walk-ins?known=1", WALK_IN)
        plural = {HolderKind.CANDIDATE: "candidates", HolderKind.GUEST: "guests"}.get(holder.kind, "employers")
        return published(web, f"/walk-ins/{plural}/{holder.id}", WALK_IN)

    @get("/{kind:str}/{holder_id:int}", name="walk-in")
    async def added(self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]) -> Template:
        holder = await walk_ins.desk_person(web.db, web.user, web.event, walk_in_kind(kind), holder_id)
        tokens = await live_tokens(web.db, web.settings, web.event, TokenPurpose.BADGE, [holder])
        return Template(
            "badges/walk_in_done.html",
            context={
                "event": web.event,
                "holder": holder,
                "number": tokens[holder.key][1].number,
                "kind": kind,
                "role": guest_kind_label(holder.guest_kind) if holder.guest_kind else _t(ROLE_WORDS[holder.kind]),
                "instruction": await walk_ins.instruction_of(web.db, holder),
            },
        )

    @get("/{kind:str}/{holder_id:int}/badge.pdf", name="walk-in-badge")
    async def badge(
        self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]
    ) -> Response[bytes]:
        """The person's badge as one A6 page, to print at the desk."""
        data = await walk_ins.single_badge(web.db, web.settings, web.user, web.event, walk_in_kind(kind), holder_id)
        return download(data, "application/pdf", f"badge-{kind}-{holder_id}.pdf", inline=True, cache="no-store")
