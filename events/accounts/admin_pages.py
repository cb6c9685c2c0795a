"""The administrator's pages (/admin/organisations): every organisation with its counts and no person's data, a
new organising organisation with its first organiser (invited by e-mail), and switching an organisation off and on
(events.accounts.admin)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from events.accounts import admin
from events.platform.auth import requires
from events.platform.errors import DomainError
from events.platform.forms import form_errors
from events.platform.models import Role
from events.platform.redirects import see_other
from events.platform.web import PageController, Web

TEMPLATE = "accounts/admin_organisations.html"


class OrganisationForm(msgspec.Struct):
    name: str = ""
    organiser_name: str = ""
    email: str = ""


class ActiveForm(msgspec.Struct):
    """Activate ("1") or deactivate (anything else)."""

    active: str = ""


async def _page(web: Web, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> Template:
    context = {
        "organisations": await admin.organisation_counts(web.db, web.user),
        "values": values or {},
        "errors": errors or {},
    }
    return Template(TEMPLATE, context=context, status_code=422 if errors else 200)


class AdminPages(PageController):
    path = "/admin"
    guards = [requires(Role.ADMIN)]

    @get("/organisations", name="admin_organisations")
    async def organisations(self, web: NamedDependency[Web]) -> Template:
        return await _page(web)

    @post("/organisations", name="admin_organisation_create")
    async def create(self, web: NamedDependency[Web]) -> Response[Any]:
        values = await web.values()
        form = await web.form(OrganisationForm)
        try:
            await admin.create_organising(
                web.db,
                web.user,
                name=form.name,
                organiser_name=form.organiser_name,
                email=form.email,
                base_url=web.settings.base_url,
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await _page(web, values, form_errors(exc))
        return see_other("/admin/organisations?msg=organisation_made")

    @post("/organisations/{organisation_id:int}/active", name="admin_organisation_active")
    async def set_active(self, web: NamedDependency[Web], organisation_id: FromPath[int]) -> Response[Any]:
        active = (await web.form(ActiveForm)).active == "1"
        organisation = await admin.organisation_by_id(web.db, web.user, organisation_id)
        await admin.set_active(web.db, web.user, organisation, active=active)
        return see_other(f"/admin/organisations?msg=saved#organisation-{organisation_id}")
