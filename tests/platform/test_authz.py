"""Every route, tried by every role and by an anonymous visitor.

A route missing from MATRIX fails ``test_matrix_covers_every_route``: adding a route means deciding who may use it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select

from events.demo.seed import DEMO_PASSWORD, DEMO_SLUG, DemoResult
from events.platform import dates
from events.platform.db import open_session
from events.platform.models import (
    Activity,
    BenefitPeriod,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Consent,
    EmployerContact,
    EmployerParticipation,
    Opening,
    Organisation,
    User,
)
from events.platform.services import find_event, to_current_user
from events.platform.settings import Settings
from schedule.models import Meeting
from tests.badges.day.door_seed import event_on
from tests.conftest import COACH, DOOR, EMPLOYER, ORGANISER, OTHER_COACH, login, run

ROLES = ("anonymous", "organiser", "coach", "other_coach", "employer", "door")
ACCOUNTS = {"organiser": ORGANISER, "coach": COACH, "other_coach": OTHER_COACH, "employer": EMPLOYER, "door": DOOR}

# (method, route path) -> expected status per role, in ROLES order.
# Pages send anonymous visitors to the login page (303); the API answers 401.
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/"): (303, 200, 200, 200, 200, 200),
    ("GET", "/login"): (200, 303, 303, 303, 303, 303),
    ("POST", "/login"): (401, 401, 401, 401, 401, 401),
    ("POST", "/logout"): (303, 303, 303, 303, 303, 303),
    # The second login step answers only a pending login (none here): back to the login page.
    ("GET", "/login/code"): (303, 303, 303, 303, 303, 303),
    ("POST", "/login/code"): (303, 303, 303, 303, 303, 303),
    ("GET", "/login/setup"): (303, 303, 303, 303, 303, 303),
    ("POST", "/login/setup"): (303, 303, 303, 303, 303, 303),
    ("GET", "/account/two-factor"): (303, 200, 200, 200, 200, 200),
    # Without a code: refused (422); switching off is not for organisers and coaches (403).
    ("POST", "/account/two-factor/setup"): (303, 303, 303, 303, 422, 422),
    ("POST", "/account/two-factor/recovery-codes"): (303, 422, 422, 422, 422, 422),
    ("POST", "/account/two-factor/off"): (303, 403, 403, 403, 422, 422),
    ("POST", "/language"): (303, 303, 303, 303, 303, 303),
    ("GET", "/healthz"): (200, 200, 200, 200, 200, 200),
    ("GET", "/events/{event_ref:str}"): (303, 200, 200, 200, 200, 403),
    ("GET", "/candidates"): (303, 200, 200, 200, 403, 403),
    ("GET", "/candidates/{candidate_id:int}"): (303, 200, 200, 404, 403, 403),
    # Privacy: a person's export and erasure are for organisers only (the erase without its confirmation: 422);
    # who read a person's data, for organisers and the person's own coaches; the audit log, organisers only.
    ("GET", "/candidates/{candidate_id:int}/export.json"): (303, 200, 403, 403, 403, 403),
    ("GET", "/candidates/{candidate_id:int}/export.pdf"): (303, 200, 403, 403, 403, 403),
    ("GET", "/candidates/{candidate_id:int}/erase"): (303, 200, 403, 403, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/erase"): (303, 422, 403, 403, 403, 403),
    ("GET", "/candidates/{candidate_id:int}/access"): (303, 200, 200, 404, 403, 403),
    ("GET", "/audit"): (303, 200, 403, 403, 403, 403),
    ("GET", "/api/candidates/{candidate_id:int}/export"): (401, 200, 403, 403, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/erase"): (401, 422, 403, 403, 403, 403),
    # Calendars: a feed opened by its token alone (an unknown one answers 404 to everyone); organisers see every
    # person's link and download, coaches download their own candidates' (another coach's: 404).
    # Before the writes below, which withdraw the coach's candidate's consent (and so take them off the programme).
    ("GET", "/c/{token:path}"): (404, 404, 404, 404, 404, 404),
    ("GET", "/events/{event_ref:str}/calendars"): (303, 200, 200, 200, 403, 403),
    ("GET", "/events/{event_ref:str}/calendars/{calendar:str}"): (303, 200, 200, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/calendar.ics"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/calendars/{person:str}/reissue"): (303, 303, 403, 403, 403, 403),
    ("POST", "/api/auth/login"): (401, 401, 401, 401, 401, 401),
    ("POST", "/api/auth/logout"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/auth/me"): (401, 200, 200, 200, 200, 200),
    # The event day: door staff and organisers check in, employers log talks (the matrix's empty body: 422).
    ("POST", "/api/scans"): (401, 422, 403, 403, 422, 422),
    ("GET", "/api/events/{event_ref:str}/scan-list"): (401, 200, 403, 403, 403, 200),
    ("PUT", "/api/talks/{talk_id:int}"): (401, 422, 403, 403, 422, 403),
    ("GET", "/scan"): (303, 200, 403, 403, 200, 200),
    ("GET", "/scan/sw.js"): (303, 200, 403, 403, 200, 200),
    ("GET", "/events/{event_ref:str}/day"): (303, 200, 403, 403, 403, 403),
    # Follow-up after the event: coaches reach their own candidates only, employers their own talks.
    ("GET", "/follow-up"): (303, 200, 200, 200, 403, 403),
    ("GET", "/events/{event_ref:str}/follow-up"): (303, 200, 200, 200, 403, 403),
    ("POST", "/account/digest"): (303, 303, 303, 303, 403, 403),
    ("GET", "/candidates/{candidate_id:int}/outcomes/new"): (303, 200, 200, 404, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/outcomes/new"): (303, 422, 422, 404, 403, 403),
    ("GET", "/outcomes/{outcome_id:int}/edit"): (303, 404, 404, 404, 403, 403),
    ("POST", "/outcomes/{outcome_id:int}/edit"): (303, 404, 404, 404, 403, 403),
    ("POST", "/outcomes/{outcome_id:int}/status"): (303, 404, 404, 404, 403, 403),
    # The upcoming event's one-month check is not due: the form shows, saving it is refused.
    ("GET", "/checks/{participation_id:int}/{months:int}"): (303, 200, 200, 404, 403, 403),
    ("POST", "/checks/{participation_id:int}/{months:int}"): (303, 422, 422, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/talks"): (303, 403, 403, 403, 200, 403),
    ("GET", "/api/candidates/{candidate_id:int}/outcomes"): (401, 200, 200, 404, 403, 403),
    # The matrix's empty body is refused before anything is looked up.
    ("POST", "/api/candidates/{candidate_id:int}/outcomes"): (401, 422, 422, 422, 403, 403),
    ("PUT", "/api/outcomes/{outcome_id:int}"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/outcomes/{outcome_id:int}/status"): (401, 422, 422, 422, 403, 403),
    ("GET", "/api/follow-up"): (401, 200, 200, 200, 403, 403),
    # A job's terms over time and the checks after a placement: the outcome's candidate's coaches and organisers
    # (the matrix's outcome does not exist; the API's empty body is refused before anything is looked up).
    ("POST", "/outcomes/{outcome_id:int}/terms"): (303, 404, 404, 404, 403, 403),
    ("GET", "/checks/placements/{outcome_id:int}/{months:int}"): (303, 404, 404, 404, 403, 403),
    ("POST", "/checks/placements/{outcome_id:int}/{months:int}"): (303, 404, 404, 404, 403, 403),
    ("POST", "/api/outcomes/{outcome_id:int}/terms"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/outcomes/{outcome_id:int}/checks"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/events/{event_ref:str}/proposals"): (401, 403, 403, 403, 422, 403),
    # The evaluation after the event: its link is the key; a wrong one is not found, for everyone.
    ("GET", "/e/{token:str}"): (404, 404, 404, 404, 404, 404),
    ("POST", "/e/{token:str}"): (404, 404, 404, 404, 404, 404),
    ("POST", "/events/{event_ref:str}/talks"): (303, 403, 403, 403, 422, 403),
    ("GET", "/events/{event_ref:str}/day/figures"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/day/stream"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/clock"): (303, 200, 403, 403, 403, 200),
    ("GET", "/events/{event_ref:str}/clock/state"): (303, 200, 403, 403, 403, 200),
    ("POST", "/events/{event_ref:str}/clock"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/coach-desk"): (303, 200, 200, 200, 403, 403),
    ("GET", "/events/{event_ref:str}/day/replan"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/day/paper"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/day/paper/attendance"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/day/paper/talks"): (303, 422, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/day/replan"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/walk-ins"): (303, 200, 403, 403, 403, 200),
    ("POST", "/events/{event_ref:str}/walk-ins"): (303, 422, 403, 403, 403, 422),
    # A registered candidate: door staff print only walk-ins registered at the door (see the end of this file).
    ("GET", "/events/{event_ref:str}/walk-ins/{kind:str}/{holder_id:int}"): (303, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/walk-ins/{kind:str}/{holder_id:int}/badge.pdf"): (303, 200, 403, 403, 403, 404),
    # Check-in by name at the door (plenary gatherings, people without their badge): door staff and organisers.
    ("GET", "/events/{event_ref:str}/door"): (303, 200, 403, 403, 403, 200),
    ("POST", "/events/{event_ref:str}/door/{kind:str}/{holder_id:int}"): (303, 303, 403, 403, 403, 303),
    ("POST", "/events/{event_ref:str}/day/{kind:str}/{holder_id:int}/present"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/day/{kind:str}/{holder_id:int}/instruction"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/day/{kind:str}/{holder_id:int}/absent"): (303, 303, 403, 403, 403, 403),
    ("GET", "/api/events"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/events/{event_ref:str}"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/events/{event_ref:str}/employers"): (401, 200, 200, 200, 200, 403),
    ("GET", "/api/events/{event_ref:str}/candidates"): (401, 200, 200, 200, 403, 403),
    ("GET", "/api/candidates"): (401, 200, 200, 200, 403, 403),
    ("GET", "/api/candidates/{candidate_id:int}"): (401, 200, 200, 404, 403, 403),
    ("GET", "/api/events/{event_ref:str}/employers/{employer_id:int}"): (401, 200, 200, 200, 200, 403),
    ("GET", "/api/events/{event_ref:str}/employers/{employer_id:int}/cards"): (401, 200, 403, 403, 200, 403),
    ("GET", "/api/events/{event_ref:str}/capacity"): (401, 200, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/preferences"): (401, 200, 403, 403, 403, 403),
    ("GET", "/api/coaches"): (401, 200, 200, 200, 403, 403),
    ("GET", "/api/organisations"): (401, 200, 403, 403, 403, 403),
    # Writes get an invalid body: a role that may write answers 422, one that may not 403 (guards come first).
    ("POST", "/api/events"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/copy"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/archive"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/preferences"): (401, 422, 422, 422, 422, 403),
    ("POST", "/api/events/{event_ref:str}/participations"): (401, 422, 422, 422, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/participations/{participation_id:int}"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/events/{event_ref:str}/employers"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/employers/{employer_id:int}"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/employers/{employer_id:int}/rounds"): (401, 422, 403, 403, 422, 403),
    ("POST", "/api/events/{event_ref:str}/employers/{employer_id:int}/openings"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/openings/{opening_id:int}"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/employers/{employer_id:int}/contacts"): (401, 422, 403, 403, 403, 403),
    # An event's guests (partners, officials, press): organisers only; the demo has none, so guest 999999 is not
    # found, and the matrix's empty body or form is refused (422).
    ("GET", "/api/events/{event_ref:str}/guests"): (401, 200, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/guests"): (401, 422, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/guests/{guest_id:int}"): (401, 404, 403, 403, 403, 403),
    ("PUT", "/api/events/{event_ref:str}/guests/{guest_id:int}"): (401, 422, 403, 403, 403, 403),
    ("DELETE", "/api/events/{event_ref:str}/guests/{guest_id:int}"): (401, 404, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/guests"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/guests"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/guests/{guest_id:int}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/guests/{guest_id:int}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/guests/{guest_id:int}/delete"): (303, 404, 403, 403, 403, 403),
    ("POST", "/api/candidates"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/events/{event_ref:str}/imports/{kind:str}"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/candidates/{candidate_id:int}"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/consents"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/consents/{consent_id:int}/withdraw"): (401, 200, 200, 404, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/consents/{consent_id:int}/withdraw"): (303, 303, 303, 404, 403, 403),
    # Sharing a case (issue 19): who it is shared with, for those who reach the candidate; sharing, for their
    # coach (the matrix's empty form or body: 422); no share 999999 (404); notes, for readers of the confidential
    # fields (the owning organisation's organisers and the coaches). tests/registration/test_case_shares.py
    # follows a share through.
    ("GET", "/api/candidates/{candidate_id:int}/shares"): (401, 200, 200, 404, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/shares"): (401, 422, 422, 422, 403, 403),
    ("DELETE", "/api/candidates/{candidate_id:int}/shares/{share_id:int}"): (401, 404, 404, 404, 403, 403),
    ("GET", "/api/candidates/{candidate_id:int}/notes"): (401, 200, 200, 404, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/notes"): (401, 422, 422, 422, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/shares"): (303, 422, 422, 404, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/shares/{share_id:int}/end"): (303, 404, 404, 404, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/notes"): (303, 422, 422, 404, 403, 403),
    ("POST", "/api/candidates/{candidate_id:int}/coaches"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/coaches/{coach_id:int}/handover"): (401, 422, 422, 422, 403, 403),
    ("GET", "/schema"): (200, 200, 200, 200, 200, 200),
    ("GET", "/schema/openapi.json"): (200, 200, 200, 200, 200, 200),
    ("GET", "/schema/{path:str}"): (200, 200, 200, 200, 200, 200),
    ("GET", "/static/{file_path:path}"): (200, 200, 200, 200, 200, 200),
    ("GET", "/events/new"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/new"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/edit"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/edit"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/preferences"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/employers/new"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/employers/new"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/employers/{employer_id:int}"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/employers/{employer_id:int}"): (303, 422, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/employers/{employer_id:int}/openings"): (303, 422, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/employers/{employer_id:int}/contacts"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/wishes/{participation_id:int}"): (303, 200, 200, 404, 403, 403),
    ("POST", "/events/{event_ref:str}/wishes/{participation_id:int}"): (303, 422, 422, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/cards"): (303, 403, 403, 403, 200, 403),
    ("POST", "/events/{event_ref:str}/cards"): (303, 403, 403, 403, 422, 403),
    ("POST", "/events/{event_ref:str}/rounds"): (303, 403, 403, 403, 303, 403),
    ("POST", "/events/{event_ref:str}/wishes/{participation_id:int}/details"): (303, 303, 303, 404, 403, 403),
    ("POST", "/coaches/assign/{candidate_id:int}"): (303, 422, 422, 404, 403, 403),
    ("POST", "/coaches/handover"): (303, 422, 422, 422, 403, 403),
    ("GET", "/candidates/new"): (303, 200, 200, 200, 403, 403),
    ("POST", "/candidates/new"): (303, 422, 422, 422, 403, 403),
    ("GET", "/candidates/{candidate_id:int}/edit"): (303, 200, 200, 404, 403, 403),
    ("POST", "/candidates/{candidate_id:int}/edit"): (303, 422, 422, 404, 403, 403),
    # No event named in the form: the event is not found.
    ("POST", "/candidates/{candidate_id:int}/signup"): (303, 404, 404, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/import/{kind:str}"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/import/{kind:str}"): (303, 422, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/import/{kind:str}/{upload_id:str}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/import/{kind:str}/{upload_id:str}"): (303, 404, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/export/{filename:str}"): (303, 200, 403, 403, 403, 403),
    # The programme: organisers only. The demo's version 1 is published, so edits on it answer 409.
    ("GET", "/events/{event_ref:str}/programme"): (303, 303, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/programme/builds/{build_id:int}"): (303, 404, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/programme/{number:int}"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/programme/{number:int}/meetings/{meeting_id:int}"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/programme/{number:int}/meetings/{meeting_id:int}"): (
        303,
        422,
        403,
        403,
        403,
        403,
    ),
    ("POST", "/events/{event_ref:str}/programme/{number:int}/add"): (303, 409, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/programme/{number:int}/diff"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/programme/{number:int}/print/{layout:str}"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/programme/{number:int}/publish"): (303, 303, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/programme/builds/{build_id:int}"): (401, 404, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/programme/versions"): (401, 200, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/programme/versions/{number:int}"): (401, 200, 403, 403, 403, 403),
    ("GET", "/api/events/{event_ref:str}/programme/versions/{number:int}/diff"): (401, 200, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/programme/builds"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/programme/versions/{number:int}/edits"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/events/{event_ref:str}/programme/versions/{number:int}/publish"): (401, 409, 403, 403, 403, 403),
    # The briefing pack of Werkse! Groen: its own employer and organisers.
    ("GET", "/events/{event_ref:str}/briefing/{employer_id:int}"): (303, 200, 403, 403, 200, 403),
    # Writes that make something: a new draft, a build in the background.
    ("POST", "/api/events/{event_ref:str}/programme/versions/{number:int}/copy"): (401, 201, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/programme/{number:int}/copy"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/programme/build"): (303, 303, 403, 403, 403, 403),
    # Badges and printing: organisers, and coaches for handouts of their own candidates; the form without
    # a choice answers 422; an unknown print job is not found; the handout is the coach's own candidate's.
    ("GET", "/events/{event_ref:str}/badges"): (303, 200, 200, 200, 403, 403),
    ("POST", "/events/{event_ref:str}/badges"): (303, 422, 422, 422, 403, 403),
    ("GET", "/events/{event_ref:str}/badges/jobs/{job_id:int}"): (303, 404, 404, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/badges/jobs/{job_id:int}/download"): (303, 404, 404, 404, 403, 403),
    ("GET", "/events/{event_ref:str}/badges/handouts/{holder_id:int}"): (303, 200, 200, 404, 403, 403),
    # Results and programmes: organisers only. The matrix's form sets no target (saved: 303) and names no
    # programme (422); an unknown programme is not found.
    ("GET", "/events/{event_ref:str}/results"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/results/targets"): (303, 303, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/results.pdf"): (303, 200, 403, 403, 403, 403),
    ("GET", "/events/{event_ref:str}/results/{filename:str}"): (303, 200, 403, 403, 403, 403),
    ("GET", "/programmes"): (303, 200, 403, 403, 403, 403),
    ("POST", "/programmes"): (303, 422, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/programmes/{programme_id:int}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/programmes/{programme_id:int}/events"): (303, 404, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}/report.pdf"): (303, 404, 403, 403, 403, 403),
    # A programme's import and participants download: its organisers only (an unknown programme is not found).
    ("GET", "/programmes/{programme_id:int}/import"): (303, 404, 403, 403, 403, 403),
    ("POST", "/programmes/{programme_id:int}/import"): (303, 404, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}/import/{upload_id:str}"): (303, 404, 403, 403, 403, 403),
    ("POST", "/programmes/{programme_id:int}/import/{upload_id:str}"): (303, 404, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}/export/{filename:str}"): (303, 404, 403, 403, 403, 403),
    # Trajectories (issue 20): set-up for organisers (the matrix's form names no programme: 422); participants,
    # a person's page, referral for organisers and coaches; an unknown programme or enrolment is not found.
    ("GET", "/programmes/new"): (303, 200, 403, 403, 403, 403),
    ("POST", "/programmes/new"): (303, 422, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}/settings"): (303, 404, 403, 403, 403, 403),
    ("POST", "/programmes/{programme_id:int}/settings/{action:str}"): (303, 404, 403, 403, 403, 403),
    ("GET", "/programmes/{programme_id:int}/participants"): (303, 404, 404, 404, 403, 403),
    ("POST", "/programmes/{programme_id:int}/participants"): (303, 404, 404, 404, 403, 403),
    ("GET", "/programmes/{programme_id:int}/refer"): (303, 404, 404, 404, 403, 403),
    ("POST", "/programmes/{programme_id:int}/refer"): (303, 404, 404, 404, 403, 403),
    ("GET", "/enrolments/{enrolment_id:int}"): (303, 200, 200, 404, 403, 403),
    ("POST", "/enrolments/{enrolment_id:int}/{action:str}"): (303, 404, 404, 404, 403, 403),
    ("GET", "/desk"): (303, 200, 200, 200, 403, 403),
    ("POST", "/desk/pick-up/{enrolment_id:int}"): (303, 422, 422, 404, 403, 403),
    ("GET", "/referrals"): (303, 200, 200, 200, 403, 403),
    # An unknown invitation token: the same 404 for everyone.
    ("GET", "/invite/{token:str}"): (404, 404, 404, 404, 404, 404),
    ("GET", "/b/{token:path}"): (404, 404, 404, 404, 404, 404),
    ("GET", "/events/{event_ref:str}/attendees"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/attendees/mail"): (303, 200, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/attendees/retry"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/attendees/{kind:str}/{holder_id:int}/reissue"): (303, 303, 403, 403, 403, 403),
    ("POST", "/invite/{token:str}"): (404, 404, 404, 404, 404, 404),
    # Deletes last: they really delete for the roles allowed to (the pages on another employer than the API).
    ("POST", "/events/{event_ref:str}/copy"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/contacts/{contact_id:int}/delete"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/openings/{opening_id:int}/delete"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/employers/{employer_id:int}/delete"): (303, 303, 403, 403, 403, 403),
    ("POST", "/events/{event_ref:str}/archive"): (303, 303, 403, 403, 403, 403),
    ("POST", "/coaches/unassign/{candidate_id:int}/{coach_id:int}"): (303, 422, 422, 404, 403, 403),
    # The demo's candidates have one coach, whom nobody may take off (the last coach stays): 422 for those allowed.
    ("DELETE", "/api/candidates/{candidate_id:int}/coaches/{coach_id:int}"): (401, 422, 422, 404, 403, 403),
    ("DELETE", "/api/events/{event_ref:str}/contacts/{contact_id:int}"): (401, 200, 403, 403, 403, 403),
    ("DELETE", "/api/events/{event_ref:str}/openings/{opening_id:int}"): (401, 200, 403, 403, 403, 403),
    ("DELETE", "/api/events/{event_ref:str}/employers/{employer_id:int}"): (401, 200, 403, 403, 403, 403),
    # Publishing asks first (issue 17): the question's page is the organisers'; version 1 is published already,
    # so it sends them back to the version.
    ("GET", "/events/{event_ref:str}/programme/{number:int}/publish"): (303, 303, 403, 403, 403, 403),
    # The rehearsal switch on the day page (issue 17): organisers only (the matrix's form closes the door: 303).
    ("POST", "/events/{event_ref:str}/day/rehearsal"): (303, 303, 403, 403, 403, 403),
    # The team page (issue 19): organisers only. The matrix's form names nobody (422); an unknown account is
    # not found, as is another organisation's (tests/accounts/test_team.py).
    ("GET", "/team"): (303, 200, 403, 403, 403, 403),
    ("POST", "/team/invite"): (303, 422, 403, 403, 403, 403),
    ("POST", "/team/invite-partner"): (303, 422, 403, 403, 403, 403),
    ("POST", "/team/{account_id:int}/role"): (303, 404, 403, 403, 403, 403),
    ("POST", "/team/{account_id:int}/active"): (303, 404, 403, 403, 403, 403),
    ("POST", "/team/{account_id:int}/justice"): (303, 404, 403, 403, 403, 403),
    ("POST", "/team/{account_id:int}/two-factor-reset"): (303, 404, 403, 403, 403, 403),
    ("POST", "/team/{account_id:int}/invite-again"): (303, 404, 403, 403, 403, 403),
    # An invitation's link: an unknown token is the same 404 for everyone.
    ("GET", "/join/{token:str}"): (404, 404, 404, 404, 404, 404),
    ("POST", "/join/{token:str}"): (404, 404, 404, 404, 404, 404),
    # Programmes (trajectories, issue 20): organisers set them up, coaches and organisers reach their people. The
    # matrix's programme is Werkse!'s "perspectief" with the coach's candidate enrolled (_programme_ids). Coaches
    # see the programme, not its set-up (403); another coach does not reach the enrolment (404); the coach picks up
    # a referral that is theirs already (409); criminal-justice data is the coach's, not an organiser's who was not
    # allowed it (404, as a missing enrolment).
    ("GET", "/api/programmes"): (401, 200, 200, 200, 403, 403),
    ("POST", "/api/programmes"): (401, 422, 403, 403, 403, 403),
    ("GET", "/api/programmes/{programme_ref:str}"): (401, 200, 200, 200, 403, 403),
    ("PATCH", "/api/programmes/{programme_ref:str}"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/target-groups"): (401, 422, 403, 403, 403, 403),
    ("PATCH", "/api/programmes/{programme_ref:str}/target-groups/{group_id:int}"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/stages"): (401, 422, 403, 403, 403, 403),
    ("PUT", "/api/programmes/{programme_ref:str}/stages/order"): (401, 422, 403, 403, 403, 403),
    ("PATCH", "/api/programmes/{programme_ref:str}/stages/{stage_id:int}"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/partners"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/employers"): (401, 422, 403, 403, 403, 403),
    ("GET", "/api/programmes/{programme_ref:str}/enrolments"): (401, 200, 200, 200, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/enrolments"): (401, 422, 403, 403, 403, 403),
    ("POST", "/api/programmes/{programme_ref:str}/referrals"): (401, 422, 422, 422, 403, 403),
    ("GET", "/api/referrals"): (401, 200, 200, 200, 403, 403),
    ("GET", "/api/intake"): (401, 200, 200, 200, 403, 403),
    ("GET", "/api/enrolments/{enrolment_id:int}"): (401, 200, 200, 404, 403, 403),
    ("PATCH", "/api/enrolments/{enrolment_id:int}"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/pick-up"): (401, 403, 409, 404, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/decision"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/stage"): (401, 422, 422, 422, 403, 403),
    ("GET", "/api/enrolments/{enrolment_id:int}/stage-changes"): (401, 200, 200, 404, 403, 403),
    ("GET", "/api/enrolments/{enrolment_id:int}/justice"): (401, 404, 200, 404, 403, 403),
    ("PUT", "/api/enrolments/{enrolment_id:int}/justice"): (401, 422, 422, 422, 403, 403),
    ("GET", "/api/enrolments/{enrolment_id:int}/activities"): (401, 200, 200, 404, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/activities"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/activities/{activity_id:int}/finish"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/activities/{activity_id:int}/introduction"): (
        401,
        422,
        422,
        422,
        403,
        403,
    ),
    ("GET", "/api/enrolments/{enrolment_id:int}/benefits"): (401, 200, 200, 404, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/benefits"): (401, 422, 422, 422, 403, 403),
    ("POST", "/api/enrolments/{enrolment_id:int}/benefits/{benefit_id:int}/left"): (401, 422, 422, 422, 403, 403),
    ("GET", "/api/enrolments/{enrolment_id:int}/outcomes"): (401, 200, 200, 404, 403, 403),
    # The programme's set-up taken apart last: nobody is in the target group or stage, so they go.
    ("DELETE", "/api/programmes/{programme_ref:str}/target-groups/{group_id:int}"): (401, 200, 403, 403, 403, 403),
    ("DELETE", "/api/programmes/{programme_ref:str}/stages/{stage_id:int}"): (401, 200, 403, 403, 403, 403),
    ("DELETE", "/api/programmes/{programme_ref:str}/partners/{partnership_id:int}"): (401, 200, 403, 403, 403, 403),
    ("DELETE", "/api/programmes/{programme_ref:str}/employers/{organisation_id:int}"): (
        401,
        200,
        403,
        403,
        403,
        403,
    ),
    # The administrator's pages: nobody else (tests/accounts/test_admin.py).
    ("GET", "/admin/organisations"): (303, 403, 403, 403, 403, 403),
    ("POST", "/admin/organisations"): (303, 403, 403, 403, 403, 403),
    ("POST", "/admin/organisations/{organisation_id:int}/active"): (303, 403, 403, 403, 403, 403),
}
# Litestar adds these to every route; they answer the same for everyone.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for method in getattr(route, "http_handler_mapping", {}) or getattr(route, "methods", ()):
            if method not in IMPLICIT_METHODS:
                found.add((method, route.path))
    return found


def test_matrix_covers_every_route(app: Litestar) -> None:
    assert app_routes(app) == set(MATRIX)


async def _ids(settings: Settings) -> dict[str, int]:
    """Ids of objects in the demo that the matrix addresses: the coach's own candidate, the employer's own
    participation, its opening and contact."""
    async with open_session(settings) as session:
        coach_id = await session.scalar(select(User.id).where(User.email == COACH))
        own = (
            await session.scalars(
                select(CandidateCoach.candidate_id)
                .where(CandidateCoach.coach_id == coach_id)
                .order_by(CandidateCoach.candidate_id)
                .limit(2)
            )
        ).all()
        candidate_id, second_candidate_id = own[0], own[1]
        employer_id = await _employer_id(session, "Werkse! Groen")
        other_employer_id = await _employer_id(session, "Bouwbedrijf Van der Linden")
        ids = {
            "coach_id": coach_id,
            "candidate_id": candidate_id,
            "employer_id": employer_id,
            "opening_id": await session.scalar(
                select(Opening.id).where(Opening.employer_participation_id == employer_id).limit(1)
            ),
            "contact_id": await session.scalar(
                select(EmployerContact.id).where(EmployerContact.employer_participation_id == employer_id).limit(1)
            ),
            "participation_id": await session.scalar(
                select(CandidateParticipation.id).where(CandidateParticipation.candidate_id == candidate_id)
            ),
            "consent_id": await session.scalar(select(Consent.id).where(Consent.candidate_id == candidate_id).limit(1)),
            "other_employer_id": other_employer_id,
            "number": 1,
            "build_id": 999_999,
            "job_id": 999_999,
            "talk_id": 999_999,
            "outcome_id": 999_999,
            "share_id": 999_999,
            "months": 1,
            "programme_id": 999_999,
            "enrolment_id": 999_999,
            "account_id": 999_999,
            "organisation_id": 999_999,
            "guest_id": 999_999,
            # A handout: the participation of the coach's second candidate (the first one's consent is
            # withdrawn by an earlier route of the matrix, which hides them).
            "holder_id": await session.scalar(
                select(CandidateParticipation.id).where(CandidateParticipation.candidate_id == second_candidate_id)
            ),
            "meeting_id": await session.scalar(select(Meeting.id).order_by(Meeting.id).limit(1)),
            "second_candidate_id": second_candidate_id,
            "other_opening_id": await session.scalar(
                select(Opening.id).where(Opening.employer_participation_id == other_employer_id).limit(1)
            ),
            "other_contact_id": await session.scalar(
                select(EmployerContact.id)
                .where(EmployerContact.employer_participation_id == other_employer_id)
                .limit(1)
            ),
        }
        ids.update(await _programme_ids(session, int(candidate_id)))
        assert all(v is not None for v in ids.values()), ids
        return {k: int(v or 0) for k, v in ids.items()}


async def _programme_ids(session: Any, candidate_id: int) -> dict[str, int]:
    """Werkse!'s programme "perspectief" (made once): a target group and a stage nobody is in, a partner, an
    employer, and the coach's candidate enrolled with a training and a benefit on their timeline."""
    from events.platform.models import ActivityKind, BenefitKind, Enrolment, PartnerRole, Programme
    from events.programmes import activities, enrolments, setup
    from events.programmes.services import create_programme

    organiser = to_current_user(await session.scalar(select(User).where(User.email == ORGANISER)))
    programme = await session.scalar(select(Programme).where(Programme.slug == "perspectief"))
    if programme is None:
        programme = await create_programme(session, organiser, "Perspectief Delft", slug="perspectief")
        await setup.add_target_group(session, organiser, programme, "Ex-gedetineerden")
        await setup.invite_partner(session, organiser, programme, "Reclassering Haaglanden", PartnerRole.REFERRER)
        await setup.add_employer(session, organiser, programme, "De Buurtkeuken", social_enterprise=True)
        candidate = await session.get(Candidate, candidate_id)
        enrolment = await enrolments.enrol(session, organiser, programme, candidate)
        await activities.add_activity(
            session, organiser, enrolment, activities.ActivityInput(ActivityKind.TRAINING, title="Heftruck")
        )
        await activities.add_benefit(session, organiser, enrolment, BenefitKind.PARTICIPATIEWET)
        await session.commit()
    enrolment_id = await session.scalar(select(Enrolment.id).where(Enrolment.programme_id == programme.id))
    found = {
        "programme_ref": programme.id,
        "group_id": (await enrolments.target_groups(session, programme.id))[0].id,
        "stage_id": next(s.id for s in await enrolments.stages(session, programme.id) if s.name == "nazorg"),
        "partnership_id": (await setup.partners(session, programme))[0][0].id,
        "organisation_id": (await setup.employers(session, programme))[0].id,
        "enrolment_id": enrolment_id,
        "activity_id": await session.scalar(select(Activity.id).where(Activity.enrolment_id == enrolment_id)),
        "benefit_id": await session.scalar(select(BenefitPeriod.id).where(BenefitPeriod.enrolment_id == enrolment_id)),
    }
    return {k: int(v) for k, v in found.items() if v is not None}


async def _employer_id(session: Any, name: str) -> int | None:
    found = await session.scalar(
        select(EmployerParticipation.id)
        .join(Organisation, Organisation.id == EmployerParticipation.organisation_id)
        .where(Organisation.name == name)
    )
    return int(found) if found is not None else None


def concrete(path: str, ids: dict[str, int]) -> str:
    if not path.startswith("/api/") and path.endswith("/delete"):
        ids = {**ids, **{k.removeprefix("other_"): v for k, v in ids.items() if k.startswith("other_")}}
    if path.startswith("/coaches/unassign/"):
        # The API's DELETE removes the first candidate's link; the page removes another one.
        ids = {**ids, "candidate_id": ids["second_candidate_id"]}
    if path.endswith("/reissue") and "/attendees/" in path:
        # Re-issue an employer contact's badge (the coach's candidate may have withdrawn consent by now).
        path = path.replace("{kind:str}", "employers").replace("{holder_id:int}", str(ids["contact_id"]))
    path = (
        path.replace("{token:str}", "no-such-invitation-token-00000")
        .replace("{filename:str}", "outcomes.csv" if "/results/" in path else "candidates.csv")
        .replace("{kind:str}", "candidates")
        .replace("{upload_id:str}", "no-such-upload-0000")
        .replace("{layout:str}", "tables")
        .replace("{token:path}", "no-such-calendar-token.ics")
        .replace("{calendar:str}", "candidate-{participation_id:int}.ics")
        .replace("{person:str}", "candidate-{participation_id:int}")
    )
    for name, value in ids.items():
        path = path.replace("{" + name + ":int}", str(value))
    return (
        path.replace("{event_ref:str}", "samen-werkt")
        .replace("{programme_ref:str}", str(ids.get("programme_ref", 999_999)))
        .replace("{file_path:path}", "css/app.css")
        .replace("{path:str}", "openapi.json")
    )


def request(client: TestClient[Litestar], method: str, path: str) -> Any:
    headers = {"x-csrftoken": client.cookies.get("csrftoken") or ""}
    if path.endswith("/day/stream"):
        path += "?once=1"  # the live stream never ends by itself
    if path in ("/login",) and method == "POST":
        client.get("/login")
        return client.post(
            path,
            data={"email": "x@example.org", "password": "wrong", "_csrf_token": client.cookies.get("csrftoken")},
            follow_redirects=False,
        )
    if method == "POST" and not path.startswith("/api/"):
        client.get("/")
        data = {"_csrf_token": client.cookies.get("csrftoken"), "language": "en", "next": "/"}
        return client.post(path, data=data, follow_redirects=False)
    if path == "/api/auth/login":
        return client.post(path, json={"email": "x@example.org", "password": "wrong"})
    if method in ("POST", "PUT", "PATCH") and path != "/api/auth/logout" and not path.endswith("/withdraw"):
        return client.request(method, path, headers=headers, json=[], follow_redirects=False)
    return client.request(method, path, headers=headers, follow_redirects=False)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_matrix_says(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, role: str
) -> None:
    ids = run(_ids(database))
    results = {}
    for (method, path), expected in MATRIX.items():
        client.cookies.clear()
        if role != "anonymous":
            login(client, ACCOUNTS[role], DEMO_PASSWORD)
        response = request(client, method, concrete(path, ids))
        results[(method, path)] = (response.status_code, expected[ROLES.index(role)])

    wrong = {k: v for k, v in results.items() if v[0] != v[1]}
    assert wrong == {}, "(actual, expected) per route"


def test_coach_gets_404_for_another_coachs_candidate_exactly_like_a_missing_one(
    client: TestClient[Litestar], coach_candidate: int
) -> None:
    login(client, OTHER_COACH)

    foreign = client.get(f"/api/candidates/{coach_candidate}")
    missing = client.get("/api/candidates/987654")
    foreign_page = client.get(f"/candidates/{coach_candidate}")
    missing_page = client.get("/candidates/987654")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert foreign_page.status_code == missing_page.status_code == 404
    # The page echoes its own path (the language switch returns there); apart from that it is the same.
    assert foreign_page.text.replace(f"/candidates/{coach_candidate}", "/candidates/ID") == missing_page.text.replace(
        "/candidates/987654", "/candidates/ID"
    )


def test_coach_lists_only_own_candidates(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, OTHER_COACH)
    mine = client.get("/api/candidates").json()["items"]
    login(client, ORGANISER)
    everyone = client.get("/api/candidates").json()["items"]

    assert len(everyone) == 50
    assert 0 < len(mine) < 50
    me = client.get("/api/auth/me")
    assert me.status_code == 200


def test_employer_sees_only_its_own_participation(client: TestClient[Litestar], demo: DemoResult) -> None:
    login(client, EMPLOYER)

    employers = client.get("/api/events/samen-werkt/employers").json()

    assert [e["name"] for e in employers] == ["Werkse! Groen"]


def test_employer_gets_404_for_an_event_it_is_not_part_of(
    client: TestClient[Litestar], demo: DemoResult, database: Settings
) -> None:
    from events.platform.models import OrganisationKind
    from events.platform.organisations import add_organisation, create_user

    async def add_other_employer() -> None:
        async with open_session(database) as session:
            await add_organisation(session, "Ander BV", OrganisationKind.EMPLOYER)
            await create_user(
                session, email="ander@example.org", role="employer", password=DEMO_PASSWORD, organisation="Ander BV"
            )
            await session.commit()

    run(add_other_employer())
    login(client, "ander@example.org")

    assert client.get("/api/events").json() == []
    assert client.get("/api/events/samen-werkt").status_code == 404
    assert client.get("/events/samen-werkt").status_code == 404


# --- the door's reach (issue 17) -------------------------------------------------------------------------------


# What each role reaches of an event held on another day than today (yesterday and next week), and of a walk-in
# registered at the door today; in ROLES order. Door accounts work for events on their day only.
OTHER_DAY_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/events/{event_ref:str}"): (401, 200, 200, 200, 404, 404),
    ("GET", "/api/events/{event_ref:str}/scan-list"): (401, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/walk-ins"): (303, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/walk-ins/candidates/{participation_id:int}"): (303, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/walk-ins/candidates/{participation_id:int}/badge.pdf"): (
        303,
        200,
        403,
        403,
        403,
        404,
    ),
    ("GET", "/events/{event_ref:str}/clock"): (303, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/clock/state"): (303, 200, 403, 403, 403, 404),
    ("GET", "/events/{event_ref:str}/day"): (303, 200, 403, 403, 403, 403),
}
# A walk-in registered at the door of today's event: door staff print their badge.
WALK_IN_MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/events/samen-werkt/walk-ins/candidates/{participation_id:int}"): (303, 200, 403, 403, 403, 200),
    ("GET", "/events/samen-werkt/walk-ins/candidates/{participation_id:int}/badge.pdf"): (303, 200, 403, 403, 403, 200),
}
# A scan of a badge of an event on another day, by each role that scans: `not_today` (the others: 401, 403).
SCAN_CODES = {
    "anonymous": 401,
    "organiser": "not_today",
    "coach": 403,
    "other_coach": 403,
    "employer": "not_today",
    "door": "not_today",
}


async def _other_day_events(settings: Settings) -> dict[str, tuple[str, int, str]]:
    """An event yesterday and one next week (slug, a registered candidate's participation, their badge code)."""
    made = {}
    for slug, days in (("gisteren-authz", -1), ("volgende-week-authz", 7)):
        event = await event_on(settings, slug, dates.today() + dt.timedelta(days=days))
        made[slug] = (event.slug, event.participation, event.token)
    return made


async def _walk_in(settings: Settings) -> int:
    """A candidate registered at the door of the demo event today (as the walk-in desk records it)."""
    async with open_session(settings) as session:
        event = await find_event(session, DEMO_SLUG)
        candidate = Candidate(first_name="Wim", last_name="Aandeur", organisation_id=event.organisation_id)
        session.add(candidate)
        await session.flush()
        participation = CandidateParticipation(event_id=event.id, candidate_id=candidate.id, walk_in=True)
        session.add(participation)
        await session.commit()
        return participation.id


@pytest.mark.parametrize("role", ROLES)
def test_events_on_other_days_and_walk_ins_answer_each_role_as_the_matrix_says(
    client: TestClient[Litestar], demo: DemoResult, database: Settings, role: str
) -> None:
    events = run(_other_day_events(database))
    walk_in = run(_walk_in(database))
    if role != "anonymous":
        login(client, ACCOUNTS[role], DEMO_PASSWORD)
    results = {}
    for slug, participation, token in events.values():
        for (method, path), expected in OTHER_DAY_MATRIX.items():
            concrete_path = path.replace("{event_ref:str}", slug).replace("{participation_id:int}", str(participation))
            response = client.request(method, concrete_path, follow_redirects=False)
            results[(slug, path)] = (response.status_code, expected[ROLES.index(role)])
        scan = client.post(
            "/api/scans",
            json={"token": token, "nonce": uuid.uuid4().hex, "kind": "meeting" if role == "employer" else "checkin"},
            headers={"x-csrftoken": client.cookies.get("csrftoken") or ""},
        )
        answer = scan.json().get("code") if scan.status_code == 200 else scan.status_code
        results[(slug, "POST /api/scans")] = (answer, SCAN_CODES[role])
    for (method, path), expected in WALK_IN_MATRIX.items():
        response = client.request(method, path.replace("{participation_id:int}", str(walk_in)), follow_redirects=False)
        results[("samen-werkt", path)] = (response.status_code, expected[ROLES.index(role)])

    wrong = {k: v for k, v in results.items() if v[0] != v[1]}
    assert wrong == {}, "(actual, expected) per route"
