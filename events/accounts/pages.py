"""HTML pages of the events slice: login, home per role, events, candidates, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.queries import held_talks
from events.accounts.api import end_session, login_attempt
from events.accounts.twofactor_pages import after_password
from events.followup import follow_up
from events.followup.placements import due_placement_checks
from events.followup.services import OutcomeService
from events.platform import i18n
from events.platform.auth import CurrentUser, cookie, logged_in, requires
from events.platform.dates import today
from events.platform.deps import AppContext
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_errors, parse
from events.platform.i18n import gettext as _
from events.platform.models import ConsentMethod, Enrolment, Event, Role, User
from events.platform.redirects import safe_next, see_other
from events.platform.security import LANGUAGE_COOKIE
from events.platform.services import CandidateService, EventService, set_locale
from events.platform.web import EventPageController, EventWeb, PageController, Web
from events.registration import candidates as registration
from events.registration import case_shares
from events.registration import preferences as prefs
from events.registration.candidate_search import (
    SEARCH_PARAMETERS,
    STATUSES,
    CandidateSearch,
    search_candidates,
    search_choices,
)
from events.registration.guests import list_guests


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = ""


class LanguageForm(msgspec.Struct):
    language: str = "nl"
    next: str = "/"


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_page(
        self, viewer: NamedDependency[CurrentUser | None], next_path: FromQuery[str] = ""
    ) -> Response[Any]:
        if viewer is not None:
            return see_other(safe_next(next_path))
        return Template("events/login.html", context={"next": safe_next(next_path, ""), "email": "", "error": None})

    @post("/login", name="login_submit")
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        data: URLEncodedBody[LoginForm],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        user = await login_attempt(ctx, db_session, request, data.email, data.password)
        if user is None:
            context = {
                "next": safe_next(data.next, ""),
                "email": data.email,
                "error": _("Unknown e-mail address or wrong password."),
            }
            return Template("events/login.html", context=context, status_code=401)
        return await after_password(ctx, request, user, safe_next(data.next))

    @post("/logout", name="logout", guards=[logged_in])
    async def logout(self, request: Request[Any, Any, Any], ctx: NamedDependency[AppContext]) -> Redirect:
        return see_other("/login?msg=logged_out", cookies=await end_session(ctx, request))

    @post("/language", name="language")
    async def switch_language(
        self,
        data: URLEncodedBody[LanguageForm],
        ctx: NamedDependency[AppContext],
        viewer: NamedDependency[CurrentUser | None],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        language = i18n.normalise(data.language)
        if viewer is not None:
            await set_locale(db_session, viewer, language)
        one_year = 365 * 24 * 3600
        return see_other(
            safe_next(data.next), cookies=[cookie(ctx.settings, LANGUAGE_COOKIE, language, max_age=one_year)]
        )


class HomePages(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(
        self, viewer: NamedDependency[CurrentUser | None], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        if viewer is None:
            return see_other("/login")
        if viewer.role is Role.ADMIN:
            return see_other("/admin/organisations")
        events_service = EventService(db_session, viewer)
        events = await events_service.list()
        figures = await events_service.figures(events)
        context: dict[str, Any] = {"events": events, "figures": figures}
        if viewer.role is Role.COACH:
            # A page of them (the list at /candidates searches and pages all of them).
            found = await search_candidates(db_session, viewer, CandidateSearch())
            context["candidates"], context["candidate_total"] = found.items, found.total
            context["colleagues"] = [c for c in await registration.coaches(db_session, viewer) if c.id != viewer.id]
            context["todo"] = await follow_up.todo_context(db_session, viewer, today())
        return Template(f"events/home_{viewer.role.value}.html", context=context)

    @get("/healthz", name="health", include_in_schema=False)
    async def health(self, db_session: NamedDependency[AsyncSession]) -> dict[str, str]:
        await db_session.execute(select(1))
        return {"status": "ok"}


class EventPages(EventPageController):
    path = "/events"
    guards = [requires(Role.ORGANISER, Role.COACH, Role.EMPLOYER)]

    @get("/{event_ref:str}", name="event")
    async def event_page(self, web: NamedDependency[EventWeb]) -> Template:
        service, event, user = EventService(web.db, web.user), web.event, web.user
        figures = (await service.figures([event]))[event.id]
        employers = await service.employers(event)
        candidates = await service.candidates(event) if user.role in (Role.ORGANISER, Role.COACH) else []
        # A plenary gathering has no rounds, so no seats to weigh against talks.
        capacity = await prefs.capacity(web.db, user, event) if user.is_organiser and not event.plenary else None
        guests = await list_guests(web.db, user, event) if user.is_organiser else []
        return Template(
            "events/event.html",
            context={
                "event": event,
                "figures": figures,
                "employers": employers,
                "participations": candidates,
                "capacity": capacity,
                "guests": guests,
            },
        )


class CandidatePages(PageController):
    path = "/candidates"
    guards = [requires(Role.ORGANISER, Role.COACH)]

    @get("/", name="candidates")
    async def candidates_page(self, request: Request[Any, Any, Any], web: NamedDependency[Web]) -> Template:
        """The candidates the user reaches, searched, filtered, sorted and a page at a time
        (events.registration.candidate_search)."""
        wanted = CandidateSearch.parse(**{name: request.query_params.get(name) for name in SEARCH_PARAMETERS})
        found = await search_candidates(web.db, web.user, wanted)
        choices = await search_choices(web.db, web.user)
        coach_ids = {c.coach_id for candidate in found.items for c in candidate.coaches}
        coaches = {}
        if coach_ids:
            coaches = {u.id: u for u in (await web.db.scalars(select(User).where(User.id.in_(coach_ids)))).all()}
        return Template(
            "events/candidates.html",
            context={
                "candidates": found.items,
                "found": found,
                "wanted": wanted,
                "choices": choices,
                "coaches": coaches,
                "statuses": STATUSES,
            },
        )

    @get("/{candidate_id:int}", name="candidate")
    async def candidate_page(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Template:
        return Template("events/candidate.html", context=await candidate_context(web, candidate_id))

    @post("/{candidate_id:int}/shares", name="case_share")
    async def share(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[Any]:
        await CandidateService(web.db, web.user).get(candidate_id)  # reach first: sharing is for those who manage
        values = await web.values()
        try:
            if values.get("agreed") != "true":
                raise DomainError("no_consent", _("Confirm that the candidate agreed to share their case."), "agreed")
            await case_shares.share_case(web.db, web.user, candidate_id, parse(case_shares.ShareInput, values))
        except DomainError as exc:
            if isinstance(exc, NotFoundError):
                raise
            return await _candidate_form_error(web, candidate_id, "share", exc, values)
        return see_other(f"/candidates/{candidate_id}?msg=shared#access")

    @post("/{candidate_id:int}/shares/{share_id:int}/end", name="case_share_end")
    async def end_share(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], share_id: FromPath[int]
    ) -> Response[Any]:
        try:
            await case_shares.end_share(web.db, web.user, candidate_id, share_id)
        except DomainError as exc:
            if isinstance(exc, NotFoundError):
                raise
            return await _candidate_form_error(web, candidate_id, "end", exc, {})
        if await _reaches(web, candidate_id):
            return see_other(f"/candidates/{candidate_id}?msg=share_ended#access")
        return see_other("/?msg=share_ended")  # the professional ended their own access

    @post("/{candidate_id:int}/notes", name="case_note_add")
    async def add_note(self, web: NamedDependency[Web], candidate_id: FromPath[int]) -> Response[Any]:
        await CandidateService(web.db, web.user).get(candidate_id, shared=True)  # reach first
        values = await web.values()
        try:
            await case_shares.add_note(web.db, web.user, candidate_id, parse(case_shares.NoteInput, values))
        except DomainError as exc:
            if isinstance(exc, NotFoundError):
                raise
            return await _candidate_form_error(web, candidate_id, "note", exc, values)
        return see_other(f"/candidates/{candidate_id}?msg=note_added#case-notes")

    @post("/{candidate_id:int}/consents/{consent_id:int}/withdraw", name="consent_withdraw")
    async def withdraw_consent(
        self, web: NamedDependency[Web], candidate_id: FromPath[int], consent_id: FromPath[int]
    ) -> Redirect:
        """Record that the candidate withdrew a consent; a case shared on it is shared no longer."""
        await registration.withdraw_consent(web.db, web.user, candidate_id, consent_id)
        return see_other(f"/candidates/{candidate_id}?msg=saved#access")


async def _reaches(web: Web, candidate_id: int) -> bool:
    try:
        await CandidateService(web.db, web.user).get(candidate_id, shared=True)
    except NotFoundError:
        return False
    return True


async def _candidate_form_error(
    web: Web, candidate_id: int, form: str, exc: DomainError, values: dict[str, Any]
) -> Template:
    """The candidate's page again with the message beside the field of the form (``form``) that failed."""
    context = await candidate_context(web, candidate_id)
    context.update(errors={form: form_errors(exc, "_form")}, values={form: values})
    return Template("events/candidate.html", context=context, status_code=exc.status_code)


async def candidate_context(web: Web, candidate_id: int) -> dict[str, Any]:
    """What the candidate's page shows this user: a professional the case is shared with reads it (confidential
    fields included) and adds notes and outcomes; managing the record (coaches, sign-ups, sharing) stays with the
    candidate's coaches and organisers."""
    service = CandidateService(web.db, web.user)
    candidate = await service.get(candidate_id, sensitive=True, shared=True)
    confidential = service.confidential(candidate)
    user = web.user
    coaches_it = any(link.coach_id == user.id for link in candidate.coaches)
    # Managing the record is for its coaches and the organisers of the organisation that owns it (an organiser
    # whose event the candidate of another organisation merely takes part in sees the page, not the controls).
    manages = coaches_it or (user.role is Role.ORGANISER and confidential)
    participations = await service.participations(candidate)
    if not confidential:
        # Another organisation's person: only their part in this user's own events shows.
        reached = {e.id for e in await EventService(web.db, user).list()}
        participations = [p for p in participations if p.event_id in reached]
    signed_up = {p.event_id for p in participations}
    events = [e for e in await EventService(web.db, user).list() if e.id not in signed_up] if manages else []
    return {
        "candidate": candidate,
        "confidential": confidential,
        "manages": manages,
        "shared_with_me": user.role is Role.COACH and not coaches_it,
        "may_share": coaches_it,
        "owns": user.role is Role.ORGANISER and candidate.organisation_id == user.organisation_id,
        "shares": await case_shares.shares(web.db, candidate),
        "owner_name": await case_shares.owning_organisation_name(web.db, candidate),
        "case_notes": await case_shares.notes(web.db, user, candidate, confidential=confidential),
        "consent_methods": [m.value for m in ConsentMethod],
        "errors": {},
        "values": {},
        "talks_held": await talks_held(web.db, [p.id for p in participations]),
        "outcome_views": await OutcomeService(web.db, user).for_candidate(candidate.id),
        "candidate_checks": await follow_up.due_checks(web.db, user, today(), candidate_id=candidate.id),
        "placement_checks": await due_placement_checks(web.db, user, today(), candidate_id=candidate.id),
        "participations": participations,
        # When the person's data may be anonymised depends on their trajectories too (events.privacy.retention).
        "enrolment_ends": list(
            await web.db.scalars(select(Enrolment.ended_on).where(Enrolment.candidate_id == candidate.id))
        ),
        "open_events": events,
        "all_coaches": await registration.coaches(web.db, user) if manages else [],
    }


async def talks_held(session: AsyncSession, participation_ids: list[int]) -> list[dict[str, Any]]:
    """The talks a candidate held at events, with the employer's follow-up answer and note (read here only by
    the candidate's coaches and organisers, who alone reach this page)."""
    if not participation_ids:
        return []
    talks = await held_talks(session, candidate_participations=participation_ids)
    if not talks:
        return []
    events = {t.event_id for t in talks}
    names = dict((await session.execute(select(Event.id, Event.name).where(Event.id.in_(events)))).tuples().all())
    return [
        {
            "id": t.id,
            "round": t.round,
            "planned": t.planned,
            "follow_up": t.follow_up,
            "note": t.note,
            "at": t.at,
            "employer": t.employer,
            "event": names[t.event_id],
        }
        for t in talks
    ]


def login_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """Where an anonymous visitor of a page is sent: the login page, coming back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return see_other(f"/login?next_path={quote(target, safe='/')}")


__all__ = [
    "AccountPages",
    "CandidatePages",
    "EventPages",
    "HomePages",
    "login_redirect",
]
