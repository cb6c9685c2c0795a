"""The pages of two-factor login (events.platform.twofactor): the code after the password, the setup on first login,
and the account's own page (recovery codes, switching it on or off where the role allows)."""

from __future__ import annotations

from typing import Any

import msgspec
from cryptography.exceptions import InvalidTag
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template

from badges.printing import qr
from events.accounts.api import check_throttle, login_done
from events.platform import crypto, twofactor
from events.platform.auth import cookie, logged_in
from events.platform.deps import AppContext, client_address
from events.platform.i18n import gettext as _
from events.platform.models import User
from events.platform.redirects import see_other
from events.platform.services import audit, to_current_user
from events.platform.web import PageController, PublicPageController, Visit, Web

NO_STORE = {"Cache-Control": "no-store"}


class CodeForm(msgspec.Struct):
    """A code as typed (an authenticator's or a recovery code); while setting up, the new secret as sealed."""

    code: str = ""
    sealed: str = ""


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


class TwoFactorLoginPages(PublicPageController):
    """Between the password and the session: the code, or the setup on an organiser's or coach's first login."""

    path = "/login"

    async def _pending(self, web: Visit) -> twofactor.Pending | None:
        return await web.ctx.pending_logins.load(web.request.cookies.get(twofactor.PENDING_COOKIE))

    async def _pending_user(self, web: Visit) -> tuple[twofactor.Pending, User] | None:
        """The pending login and its account (still active), or None: the password must be given again."""
        pending = await self._pending(web)
        if pending is None:
            return None
        user = await web.db.get(User, pending.user_id)
        return (pending, user) if user is not None and user.is_active else None

    @staticmethod
    def _expired(web: Visit, msg: str = "login_expired") -> Response[Any]:
        return see_other(f"/login?msg={msg}", cookies=[cookie(web.settings, twofactor.PENDING_COOKIE, "", max_age=0)])

    async def _wrong(self, web: Visit, user: User, pending: twofactor.Pending) -> Response[Any] | None:
        """Count a wrong code against the throttle and the pending login. None while tries are left; once they
        are used up the login is over, and the answer that says so."""
        await web.ctx.login_throttle.failed(user.email, client_address(web.request))
        if await web.ctx.pending_logins.failed(web.request.cookies.get(twofactor.PENDING_COOKIE, ""), pending):
            return None
        return self._expired(web, "code_tries")

    async def _finish(self, web: Visit, user: User) -> list[Any]:
        await web.ctx.pending_logins.end(web.request.cookies.get(twofactor.PENDING_COOKIE, ""))
        cookies = await login_done(web.ctx, web.request, user)
        return [*cookies, cookie(web.settings, twofactor.PENDING_COOKIE, "", max_age=0)]

    @get("/code", name="login_code")
    async def code_page(self, web: NamedDependency[Visit]) -> Response[Any]:
        pending = await self._pending(web)
        if pending is None:
            return self._expired(web)
        if pending.setup_secret is not None:
            return see_other("/login/setup")
        return Template("events/login_code.html", context={"error": None}, headers=NO_STORE)

    @post("/code", name="login_code_submit")
    async def code_submit(self, web: NamedDependency[Visit]) -> Response[Any]:
        found = await self._pending_user(web)
        if found is None or found[0].setup_secret is not None:
            return self._expired(web)
        pending, user = found
        await check_throttle(web.ctx, web.request, user.email)  # before the code is even read
        how = await twofactor.check_code(web.db, user, (await web.form(CodeForm)).code)
        if how is None:
            if expired := await self._wrong(web, user, pending):
                return expired
            error = _("This code is not right, has expired or was used already. Try the code your app shows now.")
            return Template("events/login_code.html", context={"error": error}, status_code=401, headers=NO_STORE)
        cookies = await self._finish(web, user)
        if how == "recovery":
            left = await twofactor.recovery_codes_left(web.db, user.id)
            await audit(
                web.db, to_current_user(user), "two_factor_recovery_used", "user", user.id, detail={"left": left}
            )
            if left <= 3:
                return see_other("/account/two-factor?msg=recovery_low", cookies=cookies)
        return see_other(pending.next, cookies=cookies)

    @get("/setup", name="login_setup")
    async def setup_page(self, web: NamedDependency[Visit]) -> Response[Any]:
        found = await self._pending_user(web)
        if found is None:
            return self._expired(web)
        pending, user = found
        if pending.setup_secret is None:
            return see_other("/login/code")
        context = {**_setup_context(pending.setup_secret, user.email), "action": "/login/setup"}
        return Template("events/two_factor_setup.html", context=context, headers=NO_STORE)

    @post("/setup", name="login_setup_submit")
    async def setup_submit(self, web: NamedDependency[Visit]) -> Response[Any]:
        found = await self._pending_user(web)
        secret = found[0].setup_secret if found else None
        if found is None or secret is None:
            return self._expired(web)
        pending, user = found
        await check_throttle(web.ctx, web.request, user.email)  # before the code is even read
        step = twofactor.matching_step(secret, twofactor.normalise((await web.form(CodeForm)).code), None)
        if step is None:
            if expired := await self._wrong(web, user, pending):
                return expired
            error = _("This code is not right. Check that the app shows meetmatch and type the code it shows now.")
            context = {**_setup_context(secret, user.email, error), "action": "/login/setup"}
            return Template("events/two_factor_setup.html", context=context, status_code=422, headers=NO_STORE)
        codes = await twofactor.enrol(web.db, user, secret, step)
        await audit(web.db, to_current_user(user), "two_factor_on", "user", user.id)
        return _codes_page(codes, pending.next, await self._finish(web, user))


class TwoFactorAccountPages(PageController):
    """The account's own two-factor page: how it stands, new recovery codes, on or off."""

    path = "/account/two-factor"
    guards = [logged_in]

    @staticmethod
    async def _row(web: Web) -> User:
        user = await web.db.get(User, web.user.id)
        if user is None:  # pragma: no cover - the session's user was just loaded
            raise PermissionDeniedException
        return user

    async def _page(self, web: Web, error: str | None = None, status: int = 200) -> Template:
        user = await self._row(web)
        context: dict[str, Any] = {
            "on": twofactor.is_on(user),
            "since": user.two_factor_since,
            "required": twofactor.required_for(user.role),
            "left": await twofactor.recovery_codes_left(web.db, user.id),
            "error": error,
        }
        if not context["on"]:
            secret = twofactor.new_secret()
            context |= _setup_context(secret, user.email)
            context |= {"action": "/account/two-factor/setup", "sealed": _seal(secret, user.id)}
        return Template("events/account_two_factor.html", context=context, status_code=status, headers=NO_STORE)

    async def _code_refused(self, web: Web, user: User) -> Template | None:
        """None when the form carries a good code of the account (each accepted once); else the page again."""
        typed = (await web.form(CodeForm)).code
        if await twofactor.check_code(web.db, user, typed) is not None:
            return None
        return await self._page(web, _wrong_code(), 422)

    @get("/", name="account_two_factor")
    async def page(self, web: NamedDependency[Web]) -> Template:
        return await self._page(web)

    @post("/setup", name="account_two_factor_setup")
    async def setup(self, web: NamedDependency[Web]) -> Response[Any]:
        user = await self._row(web)
        if twofactor.is_on(user):
            return see_other("/account/two-factor")
        form = await web.form(CodeForm)
        secret = _unseal(form.sealed, user.id)
        step = twofactor.matching_step(secret, twofactor.normalise(form.code), None) if secret else None
        if secret is None or step is None:
            return await self._page(web, _("This code is not right. Scan the new QR code and try again."), 422)
        codes = await twofactor.enrol(web.db, user, secret, step)
        await audit(web.db, web.user, "two_factor_on", "user", user.id)
        return _codes_page(codes, "/account/two-factor")

    @post("/recovery-codes", name="account_recovery_codes")
    async def recovery_codes(self, web: NamedDependency[Web]) -> Response[Any]:
        user = await self._row(web)
        if refused := await self._code_refused(web, user):
            return refused
        codes = await twofactor.replace_recovery_codes(web.db, user.id)
        await audit(web.db, web.user, "two_factor_new_codes", "user", user.id)
        return _codes_page(codes, "/account/two-factor")

    @post("/off", name="account_two_factor_off")
    async def switch_off(self, web: NamedDependency[Web]) -> Response[Any]:
        user = await self._row(web)
        if twofactor.required_for(user.role):
            raise PermissionDeniedException(detail="Organisers and coaches keep two-factor login on")
        if refused := await self._code_refused(web, user):
            return refused
        await twofactor.switch_off(web.db, user)
        await audit(web.db, web.user, "two_factor_off", "user", user.id)
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
