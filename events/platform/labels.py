"""Readable, translated labels for the codes the domain stores, and date formatting per language."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time

from events.platform import i18n
from events.platform.i18n import N_
from events.platform.models import EVENT_TZ

ROLE_LABELS = {
    "organiser": N_("organiser"),
    "coach": N_("coach"),
    "employer": N_("employer"),
    "door": N_("door staff"),
    "admin": N_("administrator"),
}
ORGANISATION_KIND_LABELS = {
    "organiser": N_("organising"),
    "partner": N_("partner"),
    "employer": N_("employer"),
}
EVENT_STATUS_LABELS = {
    "draft": N_("draft"),
    "published": N_("published"),
    "live": N_("under way"),
    "closed": N_("closed"),
}
# What an event guest's badge and the lists call their kind (events.platform.models.GuestKind).
GUEST_KIND_LABELS = {
    "partner": N_("Partner"),
    "official": N_("Official"),
    "press": N_("Press"),
    "other": N_("Guest"),
}
PARTICIPATION_STATUS_LABELS = {
    "registered": N_("registered"),
    "confirmed": N_("confirmed"),
    "cancelled": N_("cancelled"),
    "checked_in": N_("checked in"),
    "no_show": N_("no-show"),
}
PATHWAY_LABELS = {
    "second_interview": N_("second interview"),
    "trial_placement": N_("trial placement"),
    "internship": N_("internship"),
    "work_experience": N_("work-experience placement"),
    "training": N_("training"),
    "paid_job": N_("paid job"),
    "volunteering": N_("volunteering"),
    "stopped": N_("stopped"),
}
COACH_KIND_LABELS = {
    "jobcoach": N_("job coach"),
    "consulent": N_("consultant"),
    "probation": N_("probation officer"),
    "other": N_("coach"),
}
SECTOR_LABELS = {
    "groen": N_("green spaces"),
    "schoonmaak": N_("cleaning"),
    "logistiek": N_("logistics"),
    "zorg": N_("care"),
    "horeca": N_("hospitality"),
    "bouw": N_("construction"),
    "techniek": N_("technical work"),
    "detailhandel": N_("retail"),
    "administratie": N_("office work"),
    "productie": N_("production"),
    "facilitair": N_("facility services"),
    "beveiliging": N_("security"),
}
BARRIER_LABELS = {
    "long_term_benefits": N_("long on benefits"),
    "criminal_record": N_("criminal record"),
    "debts": N_("debts"),
    "language": N_("language"),
    "health": N_("health"),
    "addiction": N_("addiction"),
    "single_parent": N_("single parent"),
    "disability": N_("disability"),
    "no_work_experience": N_("little work experience"),
    "other": N_("other"),
}


BUILD_STAGE_LABELS = {
    "queued": N_("Starting the build"),
    "loading": N_("Reading people and wishes"),
    "instance": N_("Weighing the wishes"),
    "flow": N_("Dividing the talks fairly"),
    "rounds": N_("Placing talks in rounds and at tables"),
    "fill": N_("Filling empty seats"),
    "exact": N_("Checking the best possible programme"),
    "checking": N_("Checking every rule"),
    "saving": N_("Saving the new version"),
    "done": N_("Done"),
    "failed": N_("Stopped"),
}
CHANGE_LABELS = {"added": N_("new talk"), "removed": N_("talk removed"), "moved": N_("talk moved")}
SHORTFALL_LABELS = {
    "absent": N_("away most of the day"),
    "vetoes": N_("few possible employers"),
    "capacity": N_("tables full"),
}
CONSENT_METHOD_LABELS = {
    "verbal": N_("spoken"),
    "paper": N_("on paper"),
    "digital": N_("digitally"),
}

OUTCOME_STATUS_LABELS = {
    "proposed": N_("to confirm"),
    "confirmed": N_("confirmed"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
}
CONTRACT_TYPE_LABELS = {
    "permanent": N_("permanent contract"),
    "fixed_term": N_("fixed-term contract"),
    "temp_agency": N_("temp agency contract"),
    "on_call": N_("on-call contract"),
    "sheltered": N_("sheltered work or wage subsidy"),
    "other": N_("other contract"),
}
STOP_REASON_LABELS = {
    "health": N_("health"),
    "care": N_("care for children or family"),
    "did_not_fit": N_("the work did not fit"),
    "employer_ended": N_("the employer ended it"),
    "contract_ended": N_("the contract ended"),
    "other_work": N_("found other work"),
    "no_contact": N_("no contact any more"),
    "other": N_("other reason"),
}
OUTCOME_ACTION_LABELS = {
    "created": N_("logged"),
    "proposed": N_("reported by the employer"),
    "updated": N_("changed"),
    "confirmed": N_("confirmed"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "ended": N_("ended"),
    "terms": N_("hours or contract changed"),
}

OUTCOME_FIELD_LABELS = {
    "kind": N_("what happened"),
    "status": N_("status"),
    "start_date": N_("date"),
    "end_date": N_("end date"),
    "organisation_id": N_("employer"),
    "opening_id": N_("opening"),
    "held_talk_id": N_("talk"),
    "event_id": N_("event"),
    "contract_type": N_("contract"),
    "contract_months": N_("contract length"),
    "hours_per_week": N_("hours per week"),
    "stop_reason": N_("reason"),
    "leaves_benefits": N_("leaves benefits"),
    "note": N_("note"),
    "enrolment_id": N_("trajectory"),
    "effective_on": N_("from"),
}


def _label(table: dict[str, str], code: str) -> str:
    return i18n.gettext(table[code]) if code in table else code


def role_label(code: str) -> str:
    return _label(ROLE_LABELS, code)


def build_stage_label(code: str) -> str:
    return _label(BUILD_STAGE_LABELS, code)


def change_label(code: str) -> str:
    return _label(CHANGE_LABELS, code)


def shortfall_label(code: str) -> str:
    return _label(SHORTFALL_LABELS, code)


def event_status_label(code: str) -> str:
    return _label(EVENT_STATUS_LABELS, code)


def participation_status_label(code: str) -> str:
    return _label(PARTICIPATION_STATUS_LABELS, code)


def guest_kind_label(code: str) -> str:
    return _label(GUEST_KIND_LABELS, code)


def pathway_label(code: str) -> str:
    return _label(PATHWAY_LABELS, code)


def organisation_kind_label(code: str) -> str:
    return _label(ORGANISATION_KIND_LABELS, code)


def coach_kind_label(code: str) -> str:
    return _label(COACH_KIND_LABELS, code)


def sector_label(code: str) -> str:
    return _label(SECTOR_LABELS, code)


def barrier_label(code: str) -> str:
    return _label(BARRIER_LABELS, code)


def consent_method_label(code: str) -> str:
    return _label(CONSENT_METHOD_LABELS, code)


def outcome_status_label(code: str) -> str:
    return _label(OUTCOME_STATUS_LABELS, code)


def contract_type_label(code: str) -> str:
    return _label(CONTRACT_TYPE_LABELS, code)


def stop_reason_label(code: str) -> str:
    return _label(STOP_REASON_LABELS, code)


def outcome_action_label(code: str) -> str:
    return _label(OUTCOME_ACTION_LABELS, code)


def outcome_field_label(code: str) -> str:
    return _label(OUTCOME_FIELD_LABELS, code)


def format_date(value: dt.date | dt.datetime) -> str:
    """A date as people write it in the current language ("zaterdag 5 december 2026", "Saturday 5 December
    2026": British order, as the Dutch one, where babel's English would write "Saturday, December 5, 2026")."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(EVENT_TZ).date()
    language = i18n.current_language()
    return babel_format_date(value, format="EEEE d MMMM y" if language == "en" else "full", locale=language)


def format_time(value: dt.datetime | dt.time) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(EVENT_TZ)
    return babel_format_time(value, format="HH:mm", locale=i18n.current_language())


TEMPLATE_GLOBALS = {
    "role_label": role_label,
    "event_status_label": event_status_label,
    "build_stage_label": build_stage_label,
    "change_label": change_label,
    "shortfall_label": shortfall_label,
    "participation_status_label": participation_status_label,
    "pathway_label": pathway_label,
    "guest_kind_label": guest_kind_label,
    "coach_kind_label": coach_kind_label,
    "organisation_kind_label": organisation_kind_label,
    "consent_method_label": consent_method_label,
    "sector_label": sector_label,
    "barrier_label": barrier_label,
    "outcome_status_label": outcome_status_label,
    "contract_type_label": contract_type_label,
    "stop_reason_label": stop_reason_label,
    "outcome_action_label": outcome_action_label,
    "format_date": format_date,
    "format_time": format_time,
}
TEMPLATE_FILTERS = {
    "sector_label": sector_label,
    "barrier_label": barrier_label,
    "outcome_field_label": outcome_field_label,
}
