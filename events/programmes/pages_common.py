"""What the programme pages share: the words of the programme's codes in the UI, dates from forms, the programme
of the path within the user's reach, and the tabs of a programme's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from events.platform import i18n
from events.platform.errors import DomainError
from events.platform.i18n import N_
from events.platform.identity import CurrentUser
from events.platform.labels import barrier_label
from events.platform.models import Programme, Role
from events.programmes.enrolments import get_programme

STAGE_KIND_LABELS = {"active": N_("step"), "completed": N_("ended as completed"), "dropped": N_("ended early")}
DROP_REASON_LABELS = {
    "detention": N_("detention"),
    "health": N_("health"),
    "moved": N_("moved"),
    "no_contact": N_("no contact"),
    "own_choice": N_("own choice"),
    "care": N_("care for others"),
    "other_work": N_("found other work"),
    "other": N_("other reason"),
}
DECISION_LABELS = {"accepted": N_("accepted"), "refused": N_("not taken in")}
PARTNER_ROLE_LABELS = {"referrer": N_("referrer"), "coaching": N_("coaching"), "training": N_("training")}
ACTIVITY_KIND_LABELS = {
    "coaching": N_("coaching talk"),
    "training": N_("training"),
    "workshop": N_("workshop"),
    "work_experience": N_("work experience"),
    "introduction": N_("introduction with an employer"),
    "event": N_("event"),
}
ACTIVITY_STATE_LABELS = {
    "planned": N_("planned"),
    "running": N_("running"),
    "completed": N_("completed"),
    "stopped": N_("stopped"),
    "ended": N_("end date passed"),
    "proposed": N_("proposed"),
    "held": N_("held"),
    "cancelled": N_("cancelled"),
}
BENEFIT_LABELS = {
    "participatiewet": N_("social assistance (Participatiewet)"),
    "ww": N_("unemployment benefit (WW)"),
    "wia": N_("disability benefit (WIA)"),
    "wajong": N_("Wajong"),
    "zw": N_("sickness benefit (ZW)"),
    "ioaw": N_("IOAW"),
    "anw": N_("survivor's benefit (Anw)"),
    "none": N_("no benefit"),
    "other": N_("other benefit"),
}
EXTRA_BARRIER_LABELS = {"childcare": N_("childcare"), "housing": N_("housing")}


def _from(table: dict[str, str]) -> Any:
    def label(code: Any) -> str:
        key = str(getattr(code, "value", code) or "")
        return i18n.gettext(table[key]) if key in table else key

    return label


def enrolment_barrier_label(code: str) -> str:
    if code in EXTRA_BARRIER_LABELS:
        return i18n.gettext(EXTRA_BARRIER_LABELS[code])
    return barrier_label(code)


def labels() -> dict[str, Any]:
    """The label functions the programme templates use."""
    return {
        "stage_kind_label": _from(STAGE_KIND_LABELS),
        "drop_reason_label": _from(DROP_REASON_LABELS),
        "decision_label": _from(DECISION_LABELS),
        "partner_role_label": _from(PARTNER_ROLE_LABELS),
        "activity_kind_label": _from(ACTIVITY_KIND_LABELS),
        "activity_state_label": _from(ACTIVITY_STATE_LABELS),
        "benefit_label": _from(BENEFIT_LABELS),
        "enrolment_barrier_label": enrolment_barrier_label,
    }


def form_date(values: dict[str, Any], field: str) -> dt.date | None:
    """A date from a form field, as a date input sends it (yyyy-mm-dd) or as people write it (dd-mm-yyyy); empty
    is None; anything else a DomainError naming the field."""
    text = str(values.get(field) or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise DomainError("invalid_date", i18n.gettext("Give a date as dd-mm-yyyy."), field)


def form_int(values: dict[str, Any], field: str) -> int:
    """A row's id from a form field (a select or a hidden input), else a DomainError naming the field."""
    text = str(values.get(field) or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise DomainError("required", i18n.gettext("Choose one of the options."), field)
    return int(text)


async def provide_reached_programme(
    programme_id: FromPath[int], db_session: NamedDependency[AsyncSession], current_user: NamedDependency[CurrentUser]
) -> Programme:
    """The programme of the path's ``{programme_id}`` if the user reaches it, else a 404."""
    return await get_programme(db_session, current_user, programme_id)


def tabs(user: CurrentUser, programme: Programme, current: str) -> dict[str, Any]:
    """The tabs over a programme's pages: results and settings for its organisers, participants for all."""
    organiser = user.role is Role.ORGANISER
    items = []
    if organiser:
        items.append(("results", f"/programmes/{programme.id}", N_("Results")))
    items.append(("participants", f"/programmes/{programme.id}/participants", N_("Participants")))
    if organiser:
        items.append(("settings", f"/programmes/{programme.id}/settings", N_("Settings")))
    return {"programme": programme, "tab_items": items, "tab_current": current, **labels()}
