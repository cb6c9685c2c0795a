"""The pages of two-factor login (events.platform.twofactor): the code after the password, the setup on first login,
and the account's own page (recovery codes, switching it on or off where the role allows)."""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidTag
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from badges.printing import qr
from events.accounts.api import check_throttle, login_done
from events.platform import crypto, twofactor
from events.platform.auth import CurrentUser, cookie, logged_in
from events.platform.deps import AppContext, client_address
from events.platform.i18n import gettext as _
from events.platform.models import User
from events.platform.redirects import see_other
from events.platform.services import audit, to_current_user

NO_STORE = {"Cache-Control": "no-store"}


async def after_password(ctx: AppContext, request: Request[Any, Any, Any], user: User, next_path: str) -> Response[Any]:
    """The password was right: on to the code (or to setting two-factor login up), or straight in for an
    account without it."""
    on = twofactor.is_on(user)
    if not on and not twofactor.required_for(user.role):
        return see_other(next_path, cookies=await login_done(ctx, request, user))
    token = await ctx.pending_logins.start(user.id, next_path, setup=not on)
    pending_cookie = cookie(ctx.settings, twofactor.PENDING_COOKIE, token, max_age=twofactor.PENDING_SECONDS)
    return see_other("/login/code" if on else "/login/setup", cookies=[pending_cookie])


def _setup_context(secret: str, email: str, error: str | None = None) -> dict[str, Any]:
    return {
        "qr": qr.svg(twofactor.otpauth_uri(secret, email), 'class="qr" role="img"'),
        "secret": twofactor.grouped(secret),
        "error": error,
        "sealed": "",
    }


def _wrong_code() -> str:
    return _("This code is not right. Type the code your app shows now.")


def _codes_page(codes: list[str], next_path: str, cookies: list[Any] | None = None) -> Template:
    return Template(
        "events/two_factor_codes.html",
        context={"codes": codes, "next": next_path},
        cookies=cookies or [],
        headers=NO_STORE,
    )


class TwoFactorLoginPages(Controller):
    """Between the password and the session: the code, or the setup on an organiser's or coach's first login."""

    path = "/login"
    include_in_schema = False

    async def _pending(self, ctx: AppContext, request: Request[Any, Any, Any]) -> twofactor.Pending | None:
        return await ctx.pending_logins.load(request.cookies.get(twofactor.PENDING_COOKIE))

    async def _pending_user(
        self, ctx: AppContext, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> tuple[twofactor.Pending, User] | None:
        """The pending login and its account (still active), or None: the password must be given again."""
        pending = await self._pending(ctx, request)
        if pending is None:
            return None
        user = await db_session.get(User, pending.user_id)
        return (pending, user) if user is not None and user.is_active else None

    @staticmethod
    def _expired(ctx: AppContext, msg: str = "login_expired") -> Response[Any]:
        return see_other(f"/login?msg={msg}", cookies=[cookie(ctx.settings, twofactor.PENDING_COOKIE, "", max_age=0)])

    async def _wrong(
        self, ctx: AppContext, request: Request[Any, Any, Any], user: User, pending: twofactor.Pending
    ) -> bool:
        """A wrong code: counted by the throttle and by the pending login; False once the tries are used up."""
        await ctx.login_throttle.failed(user.email, client_address(request))
        return await ctx.pending_logins.failed(request.cookies.get(twofactor.PENDING_COOKIE, ""), pending)

    async def _finish(self, ctx: AppContext, request: Request[Any, Any, Any], user: User) -> list[Any]:
        await ctx.pending_logins.end(request.cookies.get(twofactor.PENDING_COOKIE, ""))
        cookies = await login_done(ctx, request, user)
        return [*cookies, cookie(ctx.settings, twofactor.PENDING_COOKIE, "", max_age=0)]

    @get("/code", name="login_code")
    async def code_page(self, request: Request[Any, Any, Any], ctx: NamedDependency[AppContext]) -> Response[Any]:
        pending = await self._pending(ctx, request)
        if pending is None:
            return self._expired(ctx)
        if pending.setup_secret is not None:
            return see_other("/login/setup")
        return Template("events/login_code.html", context={"error": None}, headers=NO_STORE)

    @post("/code", name="login_code_submit")
    async def code_submit(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        found = await self._pending_user(ctx, request, db_session)
        if found is None or found[0].setup_secret is not None:
            return self._expired(ctx)
        pending, user = found
        await check_throttle(ctx, request, user.email)
        typed = str((await request.form()).get("code", ""))
        how = await twofactor.check_code(db_session, user, typed)
        if how is None:
            if not await self._wrong(ctx, request, user, pending):
                return self._expired(ctx, "code_tries")
            error = _("This code is not right, has expired or was used already. Try the code your app shows now.")
            return Template("events/login_code.html", context={"error": error}, status_code=401, headers=NO_STORE)
        cookies = await self._finish(ctx, request, user)
        if how == "recovery":
            left = await twofactor.recovery_codes_left(db_session, user.id)
            await audit(
                db_session, to_current_user(user), "two_factor_recovery_used", "user", user.id, detail={"left": left}
            )
            if left <= 3:
                return see_other("/account/two-factor?msg=recovery_low", cookies=cookies)
        return see_other(pending.next, cookies=cookies)

    @get("/setup", name="login_setup")
    async def setup_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        found = await self._pending_user(ctx, request, db_session)
        if found is None:
            return self._expired(ctx)
        pending, user = found
        if pending.setup_secret is None:
            return see_other("/login/code")
        context = {**_setup_context(pending.setup_secret, user.email), "action": "/login/setup"}
        return Template("events/two_factor_setup.html", context=context, headers=NO_STORE)

    @post("/setup", name="login_setup_submit")
    async def setup_submit(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[AppContext],
        db_session: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        found = await self._pending_user(ctx, request, db_session)
        secret = found[0].setup_secret if found else None
        if found is None or secret is None:
            return self._expired(ctx)
        pending, user = found
        await check_throttle(ctx, request, user.email)
        typed = twofactor.normalise(str((await request.form()).get("code", "")))
        step = twofactor.matching_step(secret, typed, None)
        if step is None:
            if not await self._wrong(ctx, request, user, pending):
                return self._expired(ctx, "code_tries")
            error = _("This code is not right. Check that the app shows meetmatch and type the code it shows now.")
            context = {**_setup_context(secret, user.email, error), "action": "/login/setup"}
            return Template("events/two_factor_setup.html", context=context, status_code=422, headers=NO_STORE)
        codes = await twofactor.enrol(db_session, user, secret, step)
        await audit(db_session, to_current_user(user), "two_factor_on", "user", user.id)
        return _codes_page(codes, pending.next, await self._finish(ctx, request, user))


class TwoFactorAccountPages(Controller):
    """The account's own two-factor page: how it stands, new recovery codes, on or off."""

    path = "/account/two-factor"
    include_in_schema = False
    guards = [logged_in]

    @staticmethod
    async def _row(db_session: AsyncSession, current_user: CurrentUser) -> User:
        user = await db_session.get(User, current_user.id)
        if user is None:  # pragma: no cover - the session's user was just loaded
            raise PermissionDeniedException
        return user

    @staticmethod
    async def _code_given(request: Request[Any, Any, Any], db_session: AsyncSession, user: User) -> bool:
        """Whether the form carries a good code of the account (each accepted once)."""
        return await twofactor.check_code(db_session, user, str((await request.form()).get("code", ""))) is not None

    async def _page(
        self, db_session: AsyncSession, current_user: CurrentUser, error: str | None = None, status: int = 200
    ) -> Template:
        user = await self._row(db_session, current_user)
        context: dict[str, Any] = {
            "on": twofactor.is_on(user),
            "since": user.two_factor_since,
            "required": twofactor.required_for(user.role),
            "left": await twofactor.recovery_codes_left(db_session, user.id),
            "error": error,
        }
        if not context["on"]:
            secret = twofactor.new_secret()
            context |= _setup_context(secret, user.email)
            context |= {"action": "/account/two-factor/setup", "sealed": _seal(secret, user.id)}
        return Template("events/account_two_factor.html", context=context, status_code=status, headers=NO_STORE)

    @get("/", name="account_two_factor")
    async def page(
        self, db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
    ) -> Template:
        return await self._page(db_session, current_user)

    @post("/setup", name="account_two_factor_setup")
    async def setup(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        user = await self._row(db_session, current_user)
        if twofactor.is_on(user):
            return see_other("/account/two-factor")
        form = await request.form()
        secret = _unseal(str(form.get("sealed", "")), user.id)
        step = twofactor.matching_step(secret, twofactor.normalise(str(form.get("code", ""))), None) if secret else None
        if secret is None or step is None:
            return await self._page(
                db_session, current_user, _("This code is not right. Scan the new QR code and try again."), 422
            )
        codes = await twofactor.enrol(db_session, user, secret, step)
        await audit(db_session, current_user, "two_factor_on", "user", user.id)
        return _codes_page(codes, "/account/two-factor")

    @post("/recovery-codes", name="account_recovery_codes")
    async def recovery_codes(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        user = await self._row(db_session, current_user)
        if not await self._code_given(request, db_session, user):
            return await self._page(db_session, current_user, _wrong_code(), 422)
        codes = await twofactor.replace_recovery_codes(db_session, user.id)
        await audit(db_session, current_user, "two_factor_new_codes", "user", user.id)
        return _codes_page(codes, "/account/two-factor")

    @post("/off", name="account_two_factor_off")
    async def switch_off(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        current_user: NamedDependency[CurrentUser],
    ) -> Response[Any]:
        user = await self._row(db_session, current_user)
        if twofactor.required_for(user.role):
            raise PermissionDeniedException(detail="Organisers and coaches keep two-factor login on")
        if not await self._code_given(request, db_session, user):
            return await self._page(db_session, current_user, _wrong_code(), 422)
        await twofactor.switch_off(db_session, user)
        await audit(db_session, current_user, "two_factor_off", "user", user.id)
        return see_other("/account/two-factor?msg=two_factor_off")


def _seal(secret: str, user_id: int) -> str:
    """A new secret travels in the setup form, encrypted and bound to the account, until its first code."""
    return crypto.encrypt(secret, f"two-factor-setup:{user_id}")


def _unseal(sealed: str, user_id: int) -> str | None:
    if not sealed.startswith(crypto.PREFIX):
        return None
    try:
        return crypto.decrypt(sealed, f"two-factor-setup:{user_id}")
    except (ValueError, InvalidTag):  # not base64, or not sealed by us for this account
        return None
