"""The organiser's attendee page: everyone who carries a badge, how their programme reaches them (own
address, their coach, or not at all), the e-mail to send with a dry run first, the outbox's state, and
re-issuing a lost badge."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.mail import services as mailing
from badges.models import HolderKind, PersonToken, TokenPurpose
from badges.people import KIND_PLURALS, holders, reissue
from events.platform import outbox
from events.platform.auth import CurrentUser, requires
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import parse
from events.platform.i18n import gettext as _t
from events.platform.models import Event, OutboxMessage, Role
from events.platform.redirects import see_other
from events.platform.services import audit

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


class AttendeePages(Controller):
    path = "/events/{event_ref:str}/attendees"
    guards = [organisers]
    include_in_schema = False

    @get("/", name="attendees")
    async def page(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Template:
        return Template("badges/attendees.html", context=await _context(db_session, event))

    @post("/mail", name="attendees_mail")
    async def mail(
        self,
        event: NamedDependency[Event],
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[Any]:
        """Preview (`action=preview`) or queue (`action=send`) the programme e-mail."""
        form = await request.form()
        # As posted, empty fields included: an empty choice of e-mail is refused, a missing one is the programme.
        data = parse(MailForm, {key: form.get(key) for key in form})
        kind = data.kind
        only_changed = data.only_changed in ("1", "on", "true")
        context = await _context(db_session, event)
        context["values"] = {"kind": kind, "only_changed": "1" if only_changed else ""}
        try:
            if kind not in ("programme", "update"):
                raise DomainError("bad_kind", _t("Choose which e-mail to send."), "kind")
            if data.action == "send":
                result = await mailing.queue(db_session, ctx.settings, event, kind, only_changed=only_changed)
                await audit(
                    db_session,
                    current_user,
                    "mail",
                    "event",
                    event.id,
                    detail={"kind": kind, "only_changed": only_changed, "queued": result.queued},
                )
                return see_other(f"/events/{event.slug}/attendees/?msg=mail_queued&n={result.queued}")
            context["plan"] = await mailing.plan(db_session, event, kind, only_changed=only_changed)
        except DomainError as exc:
            context["errors"] = {exc.field or "kind": exc.message}
            return Template("badges/attendees.html", context=context, status_code=exc.status_code)
        return Template("badges/attendees.html", context=context)

    @post("/retry", name="attendees_retry")
    async def retry(
        self,
        event: NamedDependency[Event],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        await outbox.retry_failed(db_session, event.id)
        return see_other(f"/events/{event.slug}/attendees/?msg=mail_retry")

    @post("/{kind:str}/{holder_id:int}/reissue", name="badge_reissue")
    async def reissue_badge(
        self,
        event: NamedDependency[Event],
        kind: FromPath[str],
        holder_id: FromPath[int],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
        ctx: NamedDependency[AppContext],
    ) -> Response[Any]:
        """A lost badge: the old one stops working (it answers "revoked"), a new one is to be printed."""
        if kind not in PLURAL:
            raise NotFoundError("badge holder")
        found = await holders(db_session, event, (PLURAL[kind],), only=(holder_id,))
        if not found:
            raise NotFoundError("badge holder")
        await reissue(db_session, ctx.settings, event, TokenPurpose.BADGE, found[0])
        await audit(db_session, current_user, "reissue_badge", PLURAL[kind].value, holder_id)
        return see_other(f"/events/{event.slug}/attendees/?msg=badge_reissued#{PLURAL[kind].value}-{holder_id}")
