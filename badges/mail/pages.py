"""The organiser's attendee page: everyone who carries a badge, how their programme reaches them (own
address, their coach, or not at all), the e-mail to send with a dry run first, the outbox's state, and
re-issuing a lost badge."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.mail import services as mailing
from badges.models import HolderKind, PersonToken, TokenPurpose
from badges.people import KIND_PLURALS, holders, reissue
from events.platform import outbox
from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_error
from events.platform.i18n import gettext as _t
from events.platform.models import Event, OutboxMessage, Role
from events.platform.services import audit
from events.platform.web import EventPageController, EventWeb

organisers = requires(Role.ORGANISER)
ALL_KINDS = (HolderKind.CANDIDATE, HolderKind.EMPLOYER, HolderKind.STAFF)
# How the kinds appear in addresses.
PLURAL = KIND_PLURALS


async def _context(session: AsyncSession, event: Event) -> dict[str, Any]:
    people = await holders(session, event, ALL_KINDS)
    badges = {
        (row.holder_kind, row.candidate_participation_id or row.employer_contact_id or row.user_id): row
        for row in await session.scalars(
            select(PersonToken).where(
                PersonToken.event_id == event.id,
                PersonToken.purpose == TokenPurpose.BADGE,
                PersonToken.revoked_at.is_(None),
            )
        )
    }
    # Each person's newest message: its state only (not the bodies).
    last_mail: dict[tuple[HolderKind, int], str] = {}
    mail_rows = await session.execute(
        select(OutboxMessage.candidate_participation_id, OutboxMessage.employer_contact_id, OutboxMessage.status)
        .where(OutboxMessage.event_id == event.id)
        .order_by(OutboxMessage.id)
    )
    for candidate_id, contact_id, status in mail_rows.tuples():
        if candidate_id:
            last_mail[(HolderKind.CANDIDATE, candidate_id)] = status.value
        elif contact_id:
            last_mail[(HolderKind.EMPLOYER, contact_id)] = status.value
    return {
        "event": event,
        "people": people,
        "plural": {kind: word for word, kind in PLURAL.items()},
        "badges": badges,
        "last_mail": last_mail,
        "outbox": await outbox.counts(session, event.id),
        "plan": None,
        "errors": {},
        "values": {"kind": "programme", "only_changed": ""},
    }


class MailForm(msgspec.Struct):
    kind: str = "programme"
    only_changed: str = ""
    action: str = ""


class AttendeePages(EventPageController):
    path = "/events/{event_ref:str}/attendees"
    guards = [organisers]

    @get("/", name="attendees")
    async def page(self, web: NamedDependency[EventWeb]) -> Template:
        return Template("badges/attendees.html", context=await _context(web.db, web.event))

    @post("/mail", name="attendees_mail")
    async def mail(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        """Preview (`action=preview`) or queue (`action=send`) the programme e-mail."""
        # As posted (not web.form, which drops empty fields): an empty choice of e-mail is refused, a missing one
        # is the programme.
        data = await web.posted(MailForm)
        kind = data.kind
        only_changed = data.only_changed in ("1", "on", "true")
        context = await _context(web.db, web.event)
        context["values"] = {"kind": kind, "only_changed": "1" if only_changed else ""}
        try:
            if kind not in ("programme", "update"):
                raise DomainError("bad_kind", _t("Choose which e-mail to send."), "kind")
            if data.action == "send":
                result = await mailing.queue(web.db, web.settings, web.event, kind, only_changed=only_changed)
                detail = {"kind": kind, "only_changed": only_changed, "queued": result.queued}
                await audit(web.db, web.user, "mail", "event", web.event.id, detail=detail)
                return web.redirect(f"/attendees/?msg=mail_queued&n={result.queued}")
            context["plan"] = await mailing.plan(web.db, web.event, kind, only_changed=only_changed)
        except DomainError as exc:
            return form_error("badges/attendees.html", context, exc, "kind", exc.status_code)
        return Template("badges/attendees.html", context=context)

    @post("/retry", name="attendees_retry")
    async def retry(self, web: NamedDependency[EventWeb]) -> Response[Any]:
        await outbox.retry_failed(web.db, web.event.id)
        return web.redirect("/attendees/?msg=mail_retry")

    @post("/{kind:str}/{holder_id:int}/reissue", name="badge_reissue")
    async def reissue_badge(
        self, web: NamedDependency[EventWeb], kind: FromPath[str], holder_id: FromPath[int]
    ) -> Response[Any]:
        """A lost badge: the old one stops working (it answers "revoked"), a new one is to be printed."""
        if kind not in PLURAL:
            raise NotFoundError("badge holder")
        found = await holders(web.db, web.event, (PLURAL[kind],), only=(holder_id,))
        if not found:
            raise NotFoundError("badge holder")
        await reissue(web.db, web.settings, web.event, TokenPurpose.BADGE, found[0])
        await audit(web.db, web.user, "reissue_badge", PLURAL[kind].value, holder_id)
        return web.redirect(f"/attendees/?msg=badge_reissued#{PLURAL[kind].value}-{holder_id}")
