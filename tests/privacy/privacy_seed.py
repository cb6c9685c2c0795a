"""A person with a marker string in every personal field, everywhere the app keeps something about a person:
for the export and erase tests (tests/privacy/test_privacy_*.py).

`event_figures` is the comparison of "the event's figures" before and after an erasure: the results report of
events.results.figures whole (without the evaluation's comments, which leave with the person), and counts of
our own beside it (registered, present, talks held, follow-up wishes, confirmed outcomes by kind, checks,
evaluations).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from badges.models import (
    CheckIn,
    CheckInMethod,
    FollowUp,
    HeldTalk,
    HolderKind,
    PersonToken,
    PrintJob,
    PrintStatus,
    Scan,
    TokenPurpose,
)
from events.followup.models import Evaluation, FollowUpCheck, Outcome, OutcomeChange, OutcomeStatus, Respondent
from events.platform.db import open_session
from events.platform.models import (
    AuditEntry,
    Candidate,
    CandidateCoach,
    CandidateParticipation,
    Consent,
    EmployerParticipation,
    Event,
    OutboxMessage,
    OutboxStatus,
    ParticipationStatus,
    PathwayKind,
    Preference,
    PreferenceSide,
    User,
)
from events.platform.settings import Settings
from schedule.models import Meeting, ScheduleVersion
from tests.conftest import COACH
from tests.helpers import check_in

# Each personal value of the person carries one of these, so that a leftover names the field it came from.
MARKERS = {
    "first_name": "Mkfirstqz",
    "last_name": "Mklastqz",
    "email": "mkmailqz@example.org",
    "phone": "+31 6 5550 1977",
    "city": "Mkcityqz",
    "own_words": "Mkownwordsqz: ik werk graag buiten met mijn handen",
    "target_group": "Mktargetqz",
    "coach_note": "Mkcoachnoteqz: schulden bij de gemeente, zoon van vier",
    "consent": "Mkconsentqz: gegevens delen met werkgevers van het evenement",
    "accessibility": "Mkaccessqz: rolstoel, liever begane grond",
    "interpreter": "Mklangqz",
    "door": "Mkdoorqz: breng naar de coachtafel",
    "talk_note": "Mktalknoteqz: sterke indruk, snel bellen",
    "meeting_note": "Mkmeetingqz: iets later aan tafel",
    "outcome_note": "Mkoutcomenoteqz: begint maandag, proeftijd van een maand",
    "follow_up_note": "Mkfollowupqz: werkt er nog, heel tevreden",
    "evaluation": "Mkevaluationqz: fijne dag, de tweede ronde was te kort",
    "audit_detail": "Mkauditqz",
    "subject": "Mksubjectqz",
    "body": "Mkbodyqz",
    "attachment": "Mkattachqz.ics",
    "print_file": "Mkprintqz",
    "upload_file": "Mkuploadqz",
}
BIRTH_DATE = dt.date(1911, 11, 11)


@dataclass
class Seeded:
    candidate_id: int
    participation_id: int
    event_id: int
    other_candidate_id: int
    files: list[str] = field(default_factory=list)


def all_markers() -> list[str]:
    """Every marker, and the birth date as the database writes it; each must be gone after the erasure."""
    full_name = f"{MARKERS['first_name']} {MARKERS['last_name']}"
    values = [*MARKERS.values(), full_name, BIRTH_DATE.isoformat()]
    return [*values, base64.b64encode(MARKERS["body"].encode()).decode()]


async def _seed(session: AsyncSession, settings: Settings, event_id: int) -> Seeded:
    m = MARKERS
    coach = await session.scalar(select(User).where(User.email == COACH))
    assert coach is not None
    now = dt.datetime.now(dt.UTC)
    # Owned by the event's organisation, as a person its organiser registered (whose organisers read it all).
    owner = await session.scalar(select(Event.organisation_id).where(Event.id == event_id))
    assert owner is not None
    candidate = Candidate(
        first_name=m["first_name"],
        last_name=m["last_name"],
        email=m["email"],
        phone=m["phone"],
        date_of_birth=BIRTH_DATE,
        city=m["city"],
        sectors=["groen"],
        hours_per_week=24,
        own_words=m["own_words"],
        target_group=m["target_group"],
        barriers=["debts", "language"],
        coach_note=m["coach_note"],
        organisation_id=owner,
        created_by_id=coach.id,
    )
    session.add(candidate)
    await session.flush()
    session.add(CandidateCoach(candidate_id=candidate.id, coach_id=coach.id))
    session.add(Consent(candidate_id=candidate.id, purpose=m["consent"], recorded_by_id=coach.id))
    participation = CandidateParticipation(
        event_id=event_id,
        candidate_id=candidate.id,
        status=ParticipationStatus.CHECKED_IN,
        needs_interpreter=True,
        interpreter_language=m["interpreter"],
        accessibility=m["accessibility"],
        door_instruction=m["door"],
        registered_by_id=coach.id,
    )
    session.add(participation)
    await session.flush()
    employer = await session.scalar(
        select(EmployerParticipation)
        .where(EmployerParticipation.event_id == event_id)
        .order_by(EmployerParticipation.id)
    )
    assert employer is not None
    session.add(
        Preference(
            candidate_participation_id=participation.id,
            employer_participation_id=employer.id,
            side=PreferenceSide.CANDIDATE,
            level=3,
        )
    )
    session.add(
        PersonToken(
            event_id=event_id,
            purpose=TokenPurpose.BADGE,
            holder_kind=HolderKind.CANDIDATE,
            candidate_participation_id=participation.id,
            number=9001,
            token_hash=hashlib.sha256(b"privacy-test-badge").hexdigest(),
        )
    )
    session.add(
        check_in(event_id, HolderKind.CANDIDATE, participation.id, now, by_user_id=coach.id, method=CheckInMethod.DESK)
    )
    talk = HeldTalk(
        event_id=event_id,
        candidate_participation_id=participation.id,
        employer_participation_id=employer.id,
        round=1,
        planned=True,
        at=now,
        follow_up=FollowUp.YES,
        note=m["talk_note"],
    )
    session.add(talk)
    await session.flush()
    scanner = await session.scalar(select(User).order_by(User.id))
    assert scanner is not None
    answers = {
        "check_in": {
            "code": "checked_in",
            "message": f"Welkom, {m['first_name']}! Aangemeld.",
            "event": {"id": event_id},
            "person": {"first_name": m["first_name"], "role": "candidate", "number": 9001, "instruction": m["door"]},
        },
        "meeting": {
            "code": "meeting_logged",
            "message": f"Gesprek met {m['first_name']} (ronde 1) vastgelegd.",
            "talk": {"id": talk.id, "planned": True, "round": 1},
            "person": {"first_name": m["first_name"], "role": "candidate"},
        },
    }
    for number, (kind, answer) in enumerate(answers.items(), start=1):
        session.add(
            Scan(
                user_id=scanner.id,
                nonce=f"privacy-test-nonce-{number}",
                event_id=event_id,
                kind=kind,
                code=answer["code"],
                answer=answer,
                at=now,
            )
        )
    version = await session.scalar(
        select(ScheduleVersion).where(ScheduleVersion.event_id == event_id).order_by(ScheduleVersion.id.desc())
    )
    if version is not None:
        session.add(
            Meeting(
                version_id=version.id,
                round=1,
                table=1,
                employer_participation_id=employer.id,
                candidate_participation_id=participation.id,
                note=m["meeting_note"],
            )
        )
    outcome = Outcome(
        candidate_id=candidate.id,
        event_id=event_id,
        held_talk_id=talk.id,
        organisation_id=employer.organisation_id,
        kind=PathwayKind.PAID_JOB,
        status=OutcomeStatus.CONFIRMED,
        start_date=dt.date(2026, 12, 1),
        contract_months=12,
        hours_per_week=24,
        note=m["outcome_note"],
        logged_by_id=coach.id,
    )
    session.add(outcome)
    await session.flush()
    session.add(
        OutcomeChange(
            outcome_id=outcome.id,
            by_user_id=coach.id,
            by_role="coach",
            action="created",
            changes={"kind": [None, "paid_job"], "note": ["", m["outcome_note"]]},
        )
    )
    session.add(
        FollowUpCheck(
            candidate_participation_id=participation.id, months=1, done_by_id=coach.id, note=m["follow_up_note"]
        )
    )
    session.add(
        Evaluation(
            event_id=event_id,
            respondent=Respondent.CANDIDATE,
            candidate_participation_id=participation.id,
            token_hash=hashlib.sha256(b"privacy-test-evaluation").hexdigest(),
            answered_at=now,
            answers={"overall": 4, "talks": 5, "again": "yes"},
            comment=m["evaluation"],
        )
    )
    session.add(
        AuditEntry(
            actor_id=coach.id,
            actor_role="coach",
            action="update",
            object_type="candidate",
            object_id=candidate.id,
            candidate_id=candidate.id,
            detail={"note": m["audit_detail"], "name": f"{m['first_name']} {m['last_name']}"},
        )
    )
    session.add(
        OutboxMessage(
            event_id=event_id,
            kind="programme",
            dedupe_key=f"privacy-test:{participation.id}",
            to_address=m["email"],
            to_name=f"{m['first_name']} {m['last_name']}",
            candidate_participation_id=participation.id,
            subject=f"{m['subject']} voor {m['first_name']}",
            text_body=f"{m['body']} Beste {m['first_name']},",
            html_body=f"<p>{m['body']} Beste {m['first_name']}</p>",
            attachments=[
                {
                    "filename": m["attachment"],
                    "content_type": "text/calendar",
                    "data": base64.b64encode(m["body"].encode()).decode(),
                }
            ],
            status=OutboxStatus.QUEUED,
        )
    )
    session.add(
        OutboxMessage(
            event_id=event_id,
            kind="arrival_alert",
            dedupe_key=f"privacy-test:alert:{participation.id}",
            to_address=coach.email,
            to_name=coach.name,
            candidate_participation_id=participation.id,
            subject=f"{m['first_name']} is er nog niet",
            text_body=f"{m['first_name']} {m['last_name']} heeft zich nog niet gemeld.",
            status=OutboxStatus.SENT,
            sent_at=now,
        )
    )
    # Someone else's note that names the person: the sweep's business.
    other = await session.scalar(
        select(Candidate).where(Candidate.id != candidate.id, Candidate.erased_at.is_(None)).order_by(Candidate.id)
    )
    assert other is not None
    other.coach_note = f"Komt samen met {m['first_name']} {m['last_name']}."
    # Generated files: a finished print of the event, and an uploaded candidate list.
    prints = settings.data_dir / "prints"
    prints.mkdir(parents=True, exist_ok=True)
    job = PrintJob(
        event_id=event_id,
        started_by_id=coach.id,
        status=PrintStatus.DONE,
        what="badges",
        layout="a4-8",
        heartbeat_at=now,
        file_name="7-privacytest.pdf",
    )
    session.add(job)
    (prints / job.file_name).write_bytes(f"%PDF-1.7 {m['print_file']} {m['first_name']} {m['last_name']}".encode())
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    upload = uploads / f"{coach.id}-{event_id}-candidates-privacytestupload0000"
    upload.write_bytes(f"voornaam;achternaam\n{m['first_name']};{m['last_name']};{m['upload_file']}\n".encode())
    await session.flush()
    return Seeded(candidate.id, participation.id, event_id, other.id, [str(prints / job.file_name), str(upload)])


async def seed_person(settings: Settings, event_id: int) -> Seeded:
    async with open_session(settings) as session:
        seeded = await _seed(session, settings, event_id)
        await session.commit()
        return seeded


async def event_figures(settings: Settings, event_id: int) -> dict[str, Any]:
    """The event's figures: all of events.results.figures' report, and counts of our own beside it."""
    async with open_session(settings) as session:
        cp = CandidateParticipation

        async def count(query: Any) -> int:
            return int(await session.scalar(query) or 0)

        registered = await count(
            select(func.count())
            .select_from(cp)
            .where(cp.event_id == event_id, cp.status != ParticipationStatus.CANCELLED)
        )
        present = await count(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.event_id == event_id, CheckIn.holder_kind == HolderKind.CANDIDATE)
        )
        talks = await count(select(func.count()).select_from(HeldTalk).where(HeldTalk.event_id == event_id))
        wishes = await count(
            select(func.count())
            .select_from(HeldTalk)
            .where(HeldTalk.event_id == event_id, HeldTalk.follow_up == FollowUp.YES)
        )
        by_kind = await session.execute(
            select(Outcome.kind, func.count())
            .where(Outcome.event_id == event_id, Outcome.status == OutcomeStatus.CONFIRMED)
            .group_by(Outcome.kind)
        )
        # Not dict(result): a Result has keys(), so dict() would take it for a mapping.
        outcomes = {kind: n for kind, n in by_kind.tuples()}  # noqa: C416
        checks = await count(
            select(func.count())
            .select_from(FollowUpCheck)
            .join(cp, cp.id == FollowUpCheck.candidate_participation_id)
            .where(cp.event_id == event_id)
        )
        evaluations = await count(
            select(func.count())
            .select_from(Evaluation)
            .where(Evaluation.event_id == event_id, Evaluation.answered_at.is_not(None))
        )
        scores = (
            (await session.execute(select(Evaluation.answers).where(Evaluation.event_id == event_id))).scalars().all()
        )
        from events.platform.models import Event
        from events.results.figures import event_report

        event = await session.get(Event, event_id)
        assert event is not None
        # The results pages' and the PDF report's figures, every one of them (comments go with the person).
        report = (await event_report(session, event, dt.date.today())).counts_only()
        return {
            "report": report,
            "registered": registered,
            "present": present,
            "talks_held": talks,
            "follow_up_wishes": wishes,
            "outcomes": {k.value: int(v) for k, v in outcomes.items()},
            "follow_up_checks": checks,
            "evaluations": evaluations,
            "evaluation_overall": sorted(int(a.get("overall", 0)) for a in scores),
        }
