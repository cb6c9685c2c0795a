"""The JSON API of the events slice (under /api/)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotAuthorizedException, TooManyRequestsException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import twofactor
from events.platform.auth import CurrentUser, cookie, logged_in
from events.platform.deps import AppContext, client_address
from events.platform.errors import LoginRefusedError
from events.platform.models import User
from events.platform.security import CSRF_COOKIE, SESSION_COOKIE
from events.platform.services import authenticate, to_current_user
from events.registration.schemas import (
    LoginRequest,
    Me,
)


async def start_session(ctx: AppContext, request: Request[Any, Any, Any], user: CurrentUser) -> list[Any]:
    """Create a session for ``user`` and return its cookies (the session and a CSRF token bound to it)."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await ctx.sessions.delete(old)
    session_id = await ctx.sessions.create(user.id, user.role.value)
    return [
        cookie(ctx.settings, SESSION_COOKIE, session_id),
        cookie(ctx.settings, CSRF_COOKIE, ctx.csrf.mint(session_id), httponly=False),
    ]


async def end_session(ctx: AppContext, request: Request[Any, Any, Any]) -> list[Any]:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await ctx.sessions.delete(session_id)
    return [
        cookie(ctx.settings, SESSION_COOKIE, "", max_age=0),
        cookie(ctx.settings, CSRF_COOKIE, ctx.csrf.mint(None), httponly=False),
    ]


async def login_attempt(
    ctx: AppContext, db_session: AsyncSession, request: Request[Any, Any, Any], email: str, password: str
) -> User | None:
    """Check the throttle, then the password; a 429 carries Retry-After. The account's failures are cleared
    only when the whole login succeeds (`login_done`): the password alone buys no more guesses at the code."""
    await check_throttle(ctx, request, email)
    user = await authenticate(db_session, email, password)
    if user is None:
        await ctx.login_throttle.failed(email, client_address(request))
    return user


async def check_throttle(ctx: AppContext, request: Request[Any, Any, Any], email: str) -> None:
    wait = await ctx.login_throttle.retry_after(email, client_address(request))
    if wait is not None:
        raise TooManyRequestsException(
            detail="Too many failed logins; try again later", headers={"Retry-After": str(wait)}
        )


async def login_done(ctx: AppContext, request: Request[Any, Any, Any], user: User) -> list[Any]:
    """Both steps passed: the throttle forgets the account's failures, and a session starts (its cookies)."""
    await ctx.login_throttle.succeeded(user.email)
    return await start_session(ctx, request, to_current_user(user))


async def second_step(
    ctx: AppContext, db_session: AsyncSession, request: Request[Any, Any, Any], user: User, code: str | None
) -> None:
    """The API's second step: the code must come with the password (401 ``two_factor_required`` without it,
    ``two_factor_invalid`` when wrong); an account that must have two-factor login and has not set it up is
    sent to the web app (403 ``two_factor_setup_required``)."""
    if not twofactor.is_on(user):
        if twofactor.required_for(user.role):
            raise LoginRefusedError(
                "two_factor_setup_required",
                "Set up two-factor login first: log in once on the website (/login)",
                status_code=403,
            )
        return
    if not code:
        raise LoginRefusedError("two_factor_required", "Send the code of your authenticator app (or a recovery code)")
    if await twofactor.check_code(db_session, user, code) is None:
        await ctx.login_throttle.failed(user.email, client_address(request))
        raise LoginRefusedError("two_factor_invalid", "The code is wrong, expired or already used")


class AuthApi(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", name="api:login", status_code=HTTP_200_OK)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Me]:
        """Log in with e-mail, password and, for an account with two-factor login, `code` (from the authenticator
        app, or a recovery code); sets the session cookie and a `csrftoken` cookie."""
        if request.content_type[0] != "application/json":
            # Without a CSRF token here, only a JSON body keeps a cross-site form from logging a victim in.
            raise HTTPException(status_code=415, detail="Send the credentials as application/json")
        user = await login_attempt(ctx, db_session, request, data.email, data.password)
        if user is None:
            raise NotAuthorizedException(detail="Unknown e-mail address or wrong password")
        await second_step(ctx, db_session, request, user, data.code)
        return Response(Me.of(to_current_user(user)), cookies=await login_done(ctx, request, user))

    @post("/logout", name="api:logout", guards=[logged_in], status_code=HTTP_200_OK)
    async def logout(
        self, request: Request[Any, Any, Any], ctx: NamedDependency[AppContext]
    ) -> Response[dict[str, bool]]:
        """End the session."""
        return Response({"logged_out": True}, cookies=await end_session(ctx, request))

    @get("/me", name="api:me", guards=[logged_in])
    async def me(self, current_user: NamedDependency[CurrentUser]) -> Me:
        """Who is logged in."""
        return Me.of(current_user)
