"""The organiser's team page (/team): the organisation's accounts and the partner coaches of its events and
programmes, invitations by e-mail, and changes to a colleague's role, state or second factor (events.accounts.team);
the page where an invited person chooses a password (/join/<token>), then sets up two-factor login where the
role needs it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from events.accounts import team
from events.accounts.twofactor_pages import after_password
from events.platform.auth import requires
from events.platform.errors import DomainError, NotFoundError
from events.platform.forms import form_errors
from events.platform.i18n import gettext as _t
from events.platform.models import Role, User
from events.platform.redirects import see_other
from events.platform.security import MIN_PASSWORD_LENGTH
from events.platform.services import may_log_in
from events.platform.web import PageController, PublicPageController, Visit, Web
from events.registration.employers import accept_invitation, open_invitation

TEMPLATE = "accounts/team.html"


class ColleagueForm(msgspec.Struct):
    name: str = ""
    email: str = ""
    role: str = ""


class PartnerCoachForm(msgspec.Struct):
    name: str = ""
    email: str = ""
    organisation: str = ""
    activity: str = ""


class RoleForm(msgspec.Struct):
    role: str = ""


class ActiveForm(msgspec.Struct):
    """Activate ("1") or deactivate (anything else)."""

    active: str = ""


class PasswordForm(msgspec.Struct):
    """The password an invited person chooses, twice; as typed, spaces included."""

    password: str = ""
    password_again: str = ""


async def _page(
    web: Web,
    *,
    form: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    row_error: tuple[int, str] | None = None,
) -> Template:
    """The team page; ``form`` names the form that ``values`` and ``errors`` belong to (422 with errors)."""
    failed = bool(errors or row_error)
    context = {
        "members": await team.members(web.db, web.user),
        "partner_coaches": await team.partner_coaches(web.db, web.user),
        "activities": await team.activities(web.db, web.user),
        "partner_names": await team.partner_names(web.db, web.user),
        "roles": [r.value for r in team.TEAM_ROLES],
        "form": form,
        "values": values or {},
        "errors": errors or {},
        "row_error": row_error,
        "me": web.user.id,
    }
    return Template(TEMPLATE, context=context, status_code=422 if failed else 200)


class TeamPages(PageController):
    path = "/team"
    guards = [requires(Role.ORGANISER)]

    @get("/", name="team")
    async def team_page(self, web: NamedDependency[Web]) -> Template:
        return await _page(web)

    @post("/invite", name="team_invite")
    async def invite(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values()
        form = await web.form(ColleagueForm)
        try:
            await team.invite_colleague(
                web.db, web.user, name=form.name, email=form.email, role=form.role, base_url=web.settings.base_url
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _page(web, form="colleague", values=values, errors=form_errors(exc))
        return see_other("/team?msg=invited")

    @post("/invite-partner", name="team_invite_partner")
    async def invite_partner(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values()
        form = await web.form(PartnerCoachForm)
        try:
            token = await team.invite_partner_coach(
                web.db,
                web.user,
                name=form.name,
                email=form.email,
                organisation=form.organisation,
                activity=form.activity,
                base_url=web.settings.base_url,
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _page(web, form="partner", values=values, errors=form_errors(exc))
        return see_other(f"/team?msg={'invited' if token else 'partner_invited'}")

    @post("/{account_id:int}/role", name="team_role")
    async def change_role(self, web: NamedDependency[Web], account_id: FromPath[int]) -> Response[Any]:
        form = await web.form(RoleForm)
        return await _changed(web, account_id, lambda: team.change_role(web.db, web.user, account_id, form.role))

    @post("/{account_id:int}/active", name="team_active")
    async def set_active(self, web: NamedDependency[Web], account_id: FromPath[int]) -> Response[Any]:
        active = (await web.form(ActiveForm)).active == "1"
        return await _changed(
            web, account_id, lambda: team.set_account_active(web.db, web.user, account_id, active=active)
        )

    @post("/{account_id:int}/justice", name="team_justice")
    async def allow_justice(self, web: NamedDependency[Web], account_id: FromPath[int]) -> Response[Any]:
        allowed = (await web.form(ActiveForm)).active == "1"
        return await _changed(
            web, account_id, lambda: team.allow_justice(web.db, web.user, account_id, allowed=allowed)
        )

    @post("/{account_id:int}/two-factor-reset", name="team_two_factor_reset")
    async def reset_two_factor(self, web: NamedDependency[Web], account_id: FromPath[int]) -> Response[Any]:
        return await _changed(web, account_id, lambda: team.reset_two_factor(web.db, web.user, account_id))

    @post("/{account_id:int}/invite-again", name="team_invite_again")
    async def invite_again(self, web: NamedDependency[Web], account_id: FromPath[int]) -> Response[Any]:
        base_url = web.settings.base_url
        return await _changed(
            web, account_id, lambda: team.invite_again(web.db, web.user, account_id, base_url), "invited"
        )


async def _changed(web: Web, account_id: int, change: Any, msg: str = "saved") -> Response[Any]:
    """Make the change and go back to the list, or show the list again with the reason beside the account."""
    try:
        await change()
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _page(web, row_error=(account_id, exc.message))
    return see_other(f"/team?msg={msg}#account-{account_id}")


# --- accepting an invitation --------------------------------------------------------------------------------


async def _invited(web: Visit, token: str) -> User:
    """The account a link invites, while the link is good and the account's organisation active; else 404."""
    _, account = await open_invitation(web.db, token)
    if not await may_log_in(web.db, account):
        raise NotFoundError("invitation")
    return account


JOIN_TEMPLATE = "events/invitation.html"


class JoinPages(PublicPageController):
    """The link of an invitation: choose a password, then set up two-factor login (organisers and coaches) or go
    straight in (door staff)."""

    path = "/join"

    @get("/{token:str}", name="join")
    async def join_page(self, web: NamedDependency[Visit], token: FromPath[str]) -> Template:
        account = await _invited(web, token)
        return Template(JOIN_TEMPLATE, context={"account": account, "token": token, "errors": {}})

    @post("/{token:str}", name="join_submit")
    async def join(self, web: NamedDependency[Visit], token: FromPath[str]) -> Response[Any]:
        account = await _invited(web, token)
        form = await web.posted(PasswordForm)
        try:
            if form.password != form.password_again:
                raise DomainError("mismatch", _t("The two passwords are not the same."), "password_again")
            if len(form.password) < MIN_PASSWORD_LENGTH:
                message = _t("Choose a password of at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
                raise DomainError("weak_password", message, "password")
            account = await accept_invitation(web.db, token, form.password)
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            context = {"account": account, "token": token, "errors": form_errors(exc)}
            return Template(JOIN_TEMPLATE, context=context, status_code=422)
        return await after_password(web.ctx, web.request, account, "/")
