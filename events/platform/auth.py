"""Who is asking: the session middleware (user, language, CSRF) and the role guards."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from events.platform import i18n
from events.platform.identity import CurrentUser as CurrentUser  # the pages and guards take it from here too
from events.platform.models import Role
from events.platform.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    CsrfTokens,
    SessionStore,
)
from events.platform.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# API login needs no CSRF token (contract); it issues one.
CSRF_EXEMPT_PATHS = frozenset({"/api/auth/login"})


UserLoader = Callable[[int], Awaitable[CurrentUser | None]]


def cookie(settings: Settings, key: str, value: str, *, max_age: int | None = None, httponly: bool = True) -> Cookie:
    """A cookie with the project's flags: HttpOnly, SameSite=Lax, Secure when the base URL is https."""
    return Cookie(
        key=key,
        value=value,
        path="/",
        max_age=max_age,
        httponly=httponly,
        secure=settings.secure_cookies,
        samesite="lax",
    )


class SessionMiddleware:
    """Loads the session and its user, picks the language, and enforces CSRF on state-changing requests."""

    def __init__(
        self, app: ASGIApp, *, settings: Settings, sessions: SessionStore, csrf: CsrfTokens, load_user: UserLoader
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessions = sessions
        self.csrf = csrf
        self.load_user = load_user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Litestar hands middleware only http and websocket scopes.
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookies = request.cookies
        session_id: str | None = cookies.get(SESSION_COOKIE)
        user: CurrentUser | None = None
        clear_session_cookie = False
        if session_id:
            data = await self.sessions.load(session_id)
            user = await self.load_user(data.user_id) if data else None
            if user is None:
                if data:
                    await self.sessions.delete(session_id)
                session_id = None
                clear_session_cookie = True
        scope["user"] = user
        scope["auth"] = session_id

        language_token = i18n.set_language(str(cookies.get(LANGUAGE_COOKIE) or (user.locale if user else "")))
        try:
            csrf_cookie = cookies.get(CSRF_COOKIE)
            cookie_valid = self.csrf.valid(csrf_cookie, session_id)
            token = csrf_cookie if cookie_valid and csrf_cookie else self.csrf.mint(session_id)
            ScopeState.from_scope(scope).csrf_token = token

            # An anonymous API call has no session to abuse: let the guard answer 401 instead.
            needs_csrf = user is not None or not scope["path"].startswith("/api/")
            if (
                scope["type"] == ScopeType.HTTP
                and scope.get("method") in UNSAFE_METHODS
                and scope["path"] not in CSRF_EXEMPT_PATHS
                and needs_csrf
            ):
                submitted = request.headers.get(CSRF_HEADER)
                if not submitted and request.content_type[0] in (
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                ):
                    form = await request.form()
                    submitted = form.get(CSRF_FIELD)
                if not (cookie_valid and submitted and submitted == csrf_cookie):
                    raise PermissionDeniedException(detail="CSRF token missing or invalid")

            send = self._wrap_send(send, None if cookie_valid else token, clear_session_cookie)
            await self.app(scope, receive, send)
        finally:
            i18n.reset_language(language_token)

    def _wrap_send(self, send: Send, new_csrf: str | None, clear_session: bool) -> Send:
        if new_csrf is None and not clear_session:
            return send

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                existing = " ".join(headers.getall("set-cookie", []))
                if new_csrf is not None and f"{CSRF_COOKIE}=" not in existing:
                    # Readable by the page's script, which sends it back as x-csrftoken.
                    c = cookie(self.settings, CSRF_COOKIE, new_csrf, httponly=False)
                    headers.add("set-cookie", c.to_header(header=""))
                if clear_session and f"{SESSION_COOKIE}=" not in existing:
                    c = cookie(self.settings, SESSION_COOKIE, "", max_age=0)
                    headers.add("set-cookie", c.to_header(header=""))
            await send(message)

        return wrapped


def current_user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def requires(*roles: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: 401 for an anonymous visitor, 403 for a user of another role; 404 for the administrator, who
    reaches no event, candidate or person and does not learn what exists."""
    allowed: Sequence[Role] = roles

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = current_user_of(connection)
        if user is None:
            raise NotAuthorizedException(detail="Log in first")
        if allowed and user.role not in allowed:
            if user.role is Role.ADMIN:
                raise NotFoundException
            raise PermissionDeniedException(detail="Not allowed for your role")

    return guard


logged_in = requires(*Role)
# Everyone but the administrator, who reaches no event and no person (a 404).
in_an_organisation = requires(*(role for role in Role if role is not Role.ADMIN))
