"""The app factory: the one module that sees every slice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from jinja2 import Environment
from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig
from sqlalchemy.exc import DBAPIError

from badges.calendars.pages import CalendarFeed, CalendarPages
from badges.day.clock_pages import ClockPages
from badges.day.door_pages import DoorPages
from badges.day.live import Live, make_channels
from badges.day.pages import CoachDeskPages, DayPages
from badges.day.scan_api import ScanApi, ScanThrottle
from badges.day.scanner_pages import ScannerPages
from badges.day.walk_in_pages import WalkInPages
from badges.mail.pages import AttendeePages
from badges.pages import BadgePages
from badges.personal_data import BadgesData
from badges.printing.pages import BadgePrintPages
from badges.tokens import install_log_redaction
from events.accounts.admin_pages import AdminPages
from events.accounts.api import AuthApi
from events.accounts.pages import AccountPages, CandidatePages, EventPages, HomePages, login_redirect
from events.accounts.team_pages import JoinPages, TeamPages
from events.accounts.twofactor_pages import TwoFactorAccountPages, TwoFactorLoginPages
from events.followup.api import OutcomeApi, ProposalApi
from events.followup.pages import EmployerTalkPages, EvaluationPages, FollowUpPages, OutcomePages, PlacementCheckPages
from events.followup.personal_data import FollowUpData
from events.platform import i18n, personal_data, templating
from events.platform.auth import CurrentUser, SessionMiddleware
from events.platform.background import JobRunner
from events.platform.db import RETRY_AFTER_SECONDS, create_engine, dispose_engine, is_unavailable, session_maker
from events.platform.deps import AppContext, provide_ctx, provide_current_user, provide_event, provide_viewer
from events.platform.errors import DomainError, NotFoundError
from events.platform.input import CheckedRequest, InputGuard
from events.platform.jobs import timer as background_jobs
from events.platform.security import CsrfTokens, ExportThrottle, LoginThrottle, SessionStore, add_security_headers
from events.platform.services import check_key_fingerprint, load_active_user
from events.platform.settings import Settings
from events.platform.templating import templates_dir
from events.platform.twofactor import PendingLogins
from events.privacy import display as privacy_display
from events.privacy.logs import keep_personal_data_out_of_logs
from events.privacy.pages import AuditPages, PersonAccessPages, PersonDataApi, PersonDataPages
from events.privacy.records import RecordsData
from events.programmes.api import ProgrammeApi
from events.programmes.api_enrolments import EnrolmentApi, ReferralApi
from events.programmes.import_pages import ProgrammeImportPages
from events.programmes.pages import ParticipantPages, ProgrammeSetupPages
from events.programmes.pages_desk import DeskPages, ReferralPages
from events.programmes.pages_enrolment import EnrolmentPages
from events.programmes.personal_data import ProgrammesData
from events.registration.api import EventAdminApi
from events.registration.candidate_api import CandidateAdminApi
from events.registration.candidate_pages import CandidateAdminPages, CoachPages
from events.registration.case_share_api import CaseShareApi
from events.registration.data_pages import ImportPages
from events.registration.employer_api import EmployerAdminApi
from events.registration.employer_pages import EmployerAdminPages
from events.registration.guest_api import GuestApi
from events.registration.guest_pages import GuestPages
from events.registration.import_api import ImportsApi
from events.registration.pages import EventAdminPages, InvitationPages
from events.registration.personal_data import RegistrationData
from events.registration.schemas import Problem
from events.registration.wish_pages import WishPages
from events.results.pages import ProgrammeResultPages, ResultPages
from schedule.api import ScheduleApi
from schedule.pages import BriefingPages, SchedulePages
from schedule.personal_data import ScheduleData

log = logging.getLogger("meetmatch")
# Browsers compile WebAssembly while it downloads only when it is served as such (the scanner's QR decoder).
mimetypes.add_type("application/wasm", ".wasm")

VERSION = "0.1.0"


FLASH_MESSAGES = {
    "logged_out": i18n.N_("You have been logged out."),
    "language": i18n.N_("The language has been changed."),
    "saved": i18n.N_("Saved."),
    "checked_in": i18n.N_("Checked in."),
    "already_in": i18n.N_("Already checked in."),
    "deleted": i18n.N_("Deleted."),
    "archived": i18n.N_("The event is archived."),
    "copied": i18n.N_("The event is copied with its employers. Check the date and settings."),
    "copy_failed": i18n.N_("The event could not be copied: give a valid date."),
    "signed_up": i18n.N_("Signed up. Now enter the candidate's wishes."),
    "signup_failed": i18n.N_(
        "Signing up did not work: the candidate may already be signed up, or the rounds are not right."
    ),
    "rounds_failed": i18n.N_("Those rounds are not right."),
    "password_set": i18n.N_("Your password is set. You can log in now."),
    "handed_over": i18n.N_("The candidates are handed over."),
    "shared": i18n.N_("The case is shared. The professional can read it and add to it until the sharing ends."),
    "share_ended": i18n.N_("The sharing has ended."),
    "note_added": i18n.N_("The note is added to the case."),
    "imported": i18n.N_("The file is imported."),
    "built": i18n.N_("The programme is built as a new draft version. Check it, adjust it and publish it."),
    "build_running": i18n.N_("A build of this programme is already running. Wait for it to finish."),
    "edited": i18n.N_("The change is saved."),
    "already_published": i18n.N_("This version is already the published programme."),
    "draft_made": i18n.N_("A new draft with the same talks is made. Adjust it and publish it."),
    "mail_queued": i18n.N_("The e-mails are in the outbox and go out within a minute."),
    "mail_retry": i18n.N_("The failed e-mails will be tried again."),
    "badge_reissued": i18n.N_("A new badge is issued: the old one no longer works. Print the new one."),
    "reported": i18n.N_("Thank you. The candidate's coach will confirm it."),
    "erased": i18n.N_("The person's personal data is erased. The figures of the events stay the same."),
    "replanned": i18n.N_(
        "The re-planned programme is a draft: check what changes for whom below, then publish it from the version."
    ),
    "login_expired": i18n.N_("That login took too long. Log in again with your e-mail address and password."),
    "code_tries": i18n.N_("Too many wrong codes. Log in again with your e-mail address and password."),
    "recovery_low": i18n.N_("You have few recovery codes left. Make new ones below."),
    "two_factor_off": i18n.N_("Two-factor login is off."),
    "invited": i18n.N_(
        "The invitation is in the outbox and goes out within a minute. The link works once, for 7 days."
    ),
    "partner_invited": i18n.N_(
        "This coach has an account already: their organisation now takes part, and they find it in meetmatch."
    ),
    "referred": i18n.N_("The referral is passed on. The programme's coaches contact the person for an intake."),
    "organisation_made": i18n.N_(
        "The organisation is made. Its first organiser gets an invitation by e-mail within a minute."
    ),
}


def flash_text(code: str | None) -> str | None:
    """The readable text of a flash message passed as ``?msg=code`` (unknown codes show nothing)."""
    message = FLASH_MESSAGES.get(code or "")
    return i18n.gettext(message) if message else None


def build_jinja_environment() -> Environment:
    return templating.environment(
        languages=i18n.LANGUAGE_NAMES,
        app_version=VERSION,
        flash_text=flash_text,
        **privacy_display.TEMPLATE_GLOBALS,
    )


def make_store(settings: Settings, namespace: str) -> Store:
    """In-process memory without Redis; Redis, shared by every process, when configured."""
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=settings.redis_url, namespace=f"meetmatch:{namespace}")
    return MemoryStore()


def is_api(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/schema"))


def _problem(status: int, code: str, detail: str, field: str | None = None, headers: Any = None) -> Response[Problem]:
    return Response(Problem(status, code, detail, field), status_code=status, headers=headers or {})


STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def _error_page(request: Request[Any, Any, Any], status: int, detail: str | None = None) -> Response[Any]:
    titles = {
        400: i18n.gettext("The request could not be read"),
        401: i18n.gettext("Please log in"),
        403: i18n.gettext("This page is not for your account"),
        404: i18n.gettext("Page not found"),
        405: i18n.gettext("This action is not possible here"),
        422: i18n.gettext("Something in the form is not right"),
        429: i18n.gettext("Too many attempts"),
        500: i18n.gettext("Something went wrong on our side"),
        503: i18n.gettext("meetmatch is briefly unavailable"),
    }
    return Template(
        "errors/error.html",
        context={"status": status, "title": titles.get(status, i18n.gettext("Something went wrong")), "detail": detail},
        status_code=status,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if is_api(request):
        detail = exc.detail if status < 500 else "Internal server error"
        field = None
        extra = exc.extra
        if status == 400:
            # Bad input is 422 with the field named (docs/architecture.md, "A request"); Litestar's validation
            # errors carry the field.
            items = extra if isinstance(extra, list) else [extra] if isinstance(extra, dict) else []
            first = items[0] if items and isinstance(items[0], dict) else {}
            message = str(first.get("message") or detail)
            field = str(first.get("key") or "") or None
            named = re.search(r"field `([^`]+)`", message)
            if named and field in (None, "data"):
                field = named.group(1)
            return _problem(422, "invalid", message, field)
        return _problem(status, STATUS_CODES.get(status, "error"), detail, field, headers)
    if isinstance(exc, NotAuthorizedException):
        return login_redirect(request)
    response = _error_page(request, status)
    response.headers.update(headers)
    return response


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if is_api(request):
        detail = exc.message if exc.status_code != 404 else "Not found"
        return _problem(exc.status_code, exc.code, detail, exc.field)
    return _error_page(request, exc.status_code, exc.message if exc.status_code != 404 else None)


def handle_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database (or Redis) is out of reach for a moment: 503 with Retry-After, which the scanner treats as
    offline (it keeps the scan and sends it again; the nonce makes that safe), never a 500."""
    log.warning("unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(request):
        return _problem(503, "unavailable", "The database is briefly unavailable; try again in a moment", None, headers)
    response = _error_page(request, 503)
    response.headers.update(headers)
    return response


def handle_out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An id beyond what the database can hold cannot exist: answer exactly like a missing object."""
    if isinstance(exc, OverflowError) or "out of range" in str(exc) or "out of int" in str(exc):
        return handle_domain_error(request, NotFoundError("object"))
    return handle_internal_error(request, exc)


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_unavailable(exc):
        return handle_unavailable(request, exc)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return _problem(500, "server_error", "Internal server error")
    return _error_page(request, 500)


# Every slice's part of a person's data, which the export, the erasure and retention ask (events.platform.
# personal_data); a slice that keeps data about a candidate adds its part here.
PERSONAL_DATA: tuple[personal_data.PersonalData, ...] = (
    RegistrationData(),
    BadgesData(),
    ScheduleData(),
    FollowUpData(),
    ProgrammesData(),
    RecordsData(),
)


def register_personal_data() -> None:
    """Register every slice's part of a person's data (the app and the command line do, before any sweep)."""
    personal_data.register(*PERSONAL_DATA)


def create_app(settings: Settings | None = None, *, stores: dict[str, Store] | None = None) -> Litestar:
    """Build the Litestar app for ``settings`` (from the environment when omitted)."""
    settings = settings or Settings.from_env()
    register_personal_data()
    install_log_redaction()
    keep_personal_data_out_of_logs()
    engine = create_engine(settings)
    sessions_for_users = session_maker(engine)
    stores = stores or {name: make_store(settings, name) for name in ("session", "throttle")}
    ctx = AppContext(
        settings=settings,
        stores=stores,
        sessions=SessionStore(stores["session"], settings),
        csrf=CsrfTokens(settings),
        login_throttle=LoginThrottle(stores["throttle"], settings),
        pending_logins=PendingLogins(stores["session"]),
        write_queue=asyncio.Lock() if settings.is_sqlite else contextlib.nullcontext(),
    )

    job_runner = JobRunner(sessions_for_users)
    channels = make_channels(settings)

    async def load_user(user_id: int) -> CurrentUser | None:
        async with sessions_for_users() as session:
            return await load_active_user(session, user_id)

    @asynccontextmanager
    async def check_installation(app: Litestar) -> AsyncIterator[None]:
        async with sessions_for_users() as session:
            await check_key_fingerprint(session, settings.key_fingerprint)
            await session.commit()
        try:
            async with AsyncExitStack() as stack:
                for each in stores.values():
                    # A Redis store closes its connection pool on exit; the memory store does nothing.
                    await stack.enter_async_context(each)
                jobs = None
                if settings.jobs_interval > 0:
                    jobs = asyncio.get_running_loop().create_task(
                        background_jobs(sessions_for_users, settings, settings.jobs_interval)
                    )
                try:
                    yield
                finally:
                    if jobs is not None:
                        jobs.cancel()
                        with suppress(asyncio.CancelledError):
                            await jobs
                    # Builds and print files of this process stop with it; their jobs are marked failed.
                    await job_runner.close()
        finally:
            # Runs after the SQLAlchemy plugin's own shutdown: let closed connections finish closing.
            await dispose_engine(engine)

    alchemy = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=sessions_for_users,
        # Forms answer with 303 See Other; those must commit too.
        before_send_handler="autocommit_include_redirects",
        set_default_exception_handler=False,
    )
    template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(build_jinja_environment()))
    static = create_static_files_router(
        path="/static", directories=[templates_dir() / "static"], name="static", include_in_schema=False
    )
    return Litestar(
        route_handlers=[
            AuthApi,
            EventAdminApi,
            EmployerAdminApi,
            GuestApi,
            CandidateAdminApi,
            CaseShareApi,
            ImportsApi,
            ScheduleApi,
            ScanApi,
            OutcomeApi,
            ProposalApi,
            ProgrammeApi,
            EnrolmentApi,
            ReferralApi,
            EventAdminPages,
            EmployerAdminPages,
            GuestPages,
            ImportPages,
            CandidateAdminPages,
            CoachPages,
            WishPages,
            InvitationPages,
            JoinPages,
            TeamPages,
            AdminPages,
            AccountPages,
            TwoFactorLoginPages,
            TwoFactorAccountPages,
            HomePages,
            EventPages,
            CandidatePages,
            ResultPages,
            ProgrammeResultPages,
            ProgrammeImportPages,
            ProgrammeSetupPages,
            ParticipantPages,
            EnrolmentPages,
            DeskPages,
            ReferralPages,
            SchedulePages,
            BriefingPages,
            BadgePages,
            BadgePrintPages,
            CalendarPages,
            CalendarFeed,
            AttendeePages,
            ScannerPages,
            DayPages,
            ClockPages,
            CoachDeskPages,
            WalkInPages,
            DoorPages,
            FollowUpPages,
            OutcomePages,
            PlacementCheckPages,
            EmployerTalkPages,
            EvaluationPages,
            PersonDataPages,
            PersonAccessPages,
            PersonDataApi,
            AuditPages,
            static,
        ],
        plugins=[SQLAlchemyPlugin(config=alchemy), channels],
        dependencies={
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "current_user": Provide(provide_current_user, sync_to_thread=False),
            "viewer": Provide(provide_viewer, sync_to_thread=False),
            "event": Provide(provide_event),
        },
        middleware=[
            DefineMiddleware(
                SessionMiddleware, settings=settings, sessions=ctx.sessions, csrf=ctx.csrf, load_user=load_user
            ),
            # After the session: its refusals speak the visitor's language, and come after the CSRF check.
            InputGuard,
        ],
        # Refuses JSON nested too deep before decoding it, and NUL characters in it after (events.platform.input).
        request_class=CheckedRequest,
        template_config=template_config,
        exception_handlers={
            HTTPException: handle_http_exception,
            DomainError: handle_domain_error,
            OverflowError: handle_out_of_range,
            DBAPIError: handle_out_of_range,
            Exception: handle_internal_error,
        },
        openapi_config=OpenAPIConfig(
            title="meetmatch",
            version=VERSION,
            description="The JSON API of meetmatch. Log in with POST /api/auth/login; send the csrftoken "
            "cookie's value as x-csrftoken on writes.",
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
        ),
        lifespan=[check_installation],
        before_send=[add_security_headers],
        state=State(
            {
                "ctx": ctx,
                "jobs": job_runner,
                "live": Live(channels, settings.installation),
                "sessions": sessions_for_users,
                "scan_throttle": ScanThrottle(stores["throttle"]),
                "export_throttle": ExportThrottle(stores["throttle"], settings),
            }
        ),
        debug=False,
    )
