"""What the privacy templates call: the anonymisation dates on the candidate and event pages, and the audit
log's actions in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from events.platform import i18n
from events.platform.i18n import N_
from events.privacy.retention import erasure_date, event_erasure_date

ACTION_LABELS = {
    "read_sensitive": N_("read the confidential data"),
    "export": N_("exported all data"),
    "erase": N_("erased the personal data"),
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "consent": N_("recorded consent"),
    "withdraw_consent": N_("recorded withdrawn consent"),
    "assign_coach": N_("added a coach"),
    "remove_coach": N_("removed a coach"),
    "share_case": N_("shared the case with a professional of another organisation"),
    "end_share": N_("ended the sharing of the case"),
    "add_note": N_("added a note to the case"),
    "hand_over": N_("handed over candidates"),
    "sign_up": N_("signed up for an event"),
    "walk_in": N_("registered at the door"),
    "mark_absent": N_("marked absent"),
    "preference": N_("entered a wish"),
    "reissue_badge": N_("issued a new badge"),
    "import": N_("imported a file"),
    "mail": N_("sent e-mail"),
    "build": N_("built a programme"),
    "publish": N_("published a programme"),
    "edit": N_("changed a programme"),
    "replan": N_("re-planned the programme"),
    "copy": N_("copied"),
    "status": N_("changed the status"),
    "archive": N_("archived"),
    "unarchive": N_("brought back from the archive"),
    "paper_attendance": N_("entered the paper attendance list"),
    "paper_talks": N_("entered a paper table sheet"),
    "update_rounds": N_("changed the rounds"),
    "read": N_("read"),
    "propose": N_("reported a result"),
    "confirm": N_("confirmed a result"),
    "decline": N_("declined a result"),
    "withdraw": N_("withdrew a result"),
    "follow_up_check": N_("recorded a follow-up check"),
    "export_personal": N_("exported outcomes with names"),
    "set_targets": N_("set targets"),
    "attach": N_("added an event to a programme"),
    "detach": N_("took an event out of a programme"),
    "two_factor_on": N_("switched two-factor login on"),
    "two_factor_off": N_("switched two-factor login off"),
    "two_factor_new_codes": N_("made new recovery codes"),
    "two_factor_recovery_used": N_("logged in with a recovery code"),
    "two_factor_reset": N_("reset two-factor login"),
    "rehearsal_open": N_("opened the door early for a rehearsal"),
    "rehearsal_close": N_("closed the door after a rehearsal"),
    "refer": N_("referred the person to a programme"),
    "enrol": N_("enrolled the person in a programme"),
    "pick_up": N_("picked up the referral"),
    "decide": N_("recorded the intake's decision"),
    "move": N_("moved the person to another stage"),
    "add_coach": N_("added a coach"),
    "read_justice": N_("read the criminal-justice data"),
    "update_justice": N_("changed the criminal-justice data"),
    "add_activity": N_("added an activity"),
    "finish_activity": N_("recorded the end of an activity"),
    "record_introduction": N_("recorded an introduction"),
    "add_benefit": N_("recorded a benefit"),
    "leave_benefit": N_("recorded leaving a benefit"),
    "allow_justice": N_("allowed reading criminal-justice data"),
    "deny_justice": N_("took back reading criminal-justice data"),
}


def audit_action_label(code: str) -> str:
    return i18n.gettext(ACTION_LABELS[code]) if code in ACTION_LABELS else code


def candidate_erasure_date(
    candidate: Any, participations: Iterable[Any], enrolment_ends: Iterable[dt.date | None] = ()
) -> dt.date | None:
    """The candidate page's date, from what the page already loaded (participations with their events, the ends of
    the person's enrolments); None while a trajectory runs."""
    return erasure_date(
        candidate.created_at, [(p.event.date, p.event.retention_months) for p in participations], enrolment_ends
    )


TEMPLATE_GLOBALS = {
    "audit_action_label": audit_action_label,
    "candidate_erasure_date": candidate_erasure_date,
    "event_erasure_date": event_erasure_date,
}
