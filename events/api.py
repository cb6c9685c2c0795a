"""The JSON API of the events slice (under /api/)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotAuthorizedException, TooManyRequestsException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from events.auth import CurrentUser, cookie, logged_in
from events.deps import AppContext, client_address
from events.schemas import (
    LoginRequest,
    Me,
)
from events.security import CSRF_COOKIE, SESSION_COOKIE
from events.services import authenticate, to_current_user


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
) -> CurrentUser | None:
    """Check the throttle, then the credentials; a 429 carries Retry-After."""
    address = client_address(request)
    wait = await ctx.login_throttle.retry_after(email, address)
    if wait is not None:
        raise TooManyRequestsException(
            detail="Too many failed logins; try again later", headers={"Retry-After": str(wait)}
        )
    user = await authenticate(db_session, email, password)
    if user is None:
        await ctx.login_throttle.failed(email, address)
        return None
    await ctx.login_throttle.succeeded(email)
    return to_current_user(user)


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
        """Log in with e-mail and password; sets the session cookie and a `csrftoken` cookie."""
        if request.content_type[0] != "application/json":
            # Without a CSRF token here, only a JSON body keeps a cross-site form from logging a victim in.
            raise HTTPException(status_code=415, detail="Send the credentials as application/json")
        user = await login_attempt(ctx, db_session, request, data.email, data.password)
        if user is None:
            raise NotAuthorizedException(detail="Unknown e-mail address or wrong password")
        return Response(Me.of(user), cookies=await start_session(ctx, request, user))

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
