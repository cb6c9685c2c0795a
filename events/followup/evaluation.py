"""The short evaluation after the event: a link by e-mail to candidates who came and to employers' contacts,
three questions in plain Dutch and room for a remark; the answers appear, in aggregate, in the report.

The link's token is derived from the secret key (so two processes queueing at once make the same link) and
only its hash is stored. Anyone holding the link may answer, once; answering again changes the answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from badges.queries import checked_in
from events.followup.models import Evaluation, Respondent
from events.platform import i18n, outbox
from events.platform.db import dialect_insert, utcnow
from events.platform.errors import DomainError, NotFoundError
from events.platform.i18n import gettext as _
from events.platform.models import (
    EVENT_TZ,
    Candidate,
    CandidateParticipation,
    Consent,
    EmployerContact,
    EmployerParticipation,
    Event,
    EventStatus,
    User,
)
from events.platform.security import digest
from events.platform.settings import Settings

# Evaluations go out from the day after the event, for two weeks (a late run of the job still sends them).
SEND_WITHIN_DAYS = 14
SCORES = (1, 2, 3, 4, 5)
AGAIN = ("yes", "maybe", "no")


def token_for(settings: Settings, event_id: int, respondent: Respondent, holder_id: int) -> str:
    key = settings.derive_key("evaluation")
    message = f"evaluation\x1f{event_id}\x1f{respondent.value}\x1f{holder_id}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()[:20]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Answers:
    overall: int
    talks: int
    again: str
    comment: str = ""


async def open_evaluation(session: AsyncSession, token: str) -> tuple[Evaluation, Event]:
    """The evaluation a link stands for; 404 for anything else (a wrong link says nothing)."""
    if not 20 <= len(token) <= 64:
        raise NotFoundError("evaluation")
    evaluation = await session.scalar(select(Evaluation).where(Evaluation.token_hash == digest(token)))
    if evaluation is None:
        raise NotFoundError("evaluation")
    event = await session.get(Event, evaluation.event_id)
    if event is None:
        raise NotFoundError("evaluation")
    return evaluation, event


def parse_answers(form: dict[str, Any]) -> Answers:
    """The form's answers, or a DomainError naming the question that is missing or not one of the choices."""
    values: dict[str, int] = {}
    for name in ("overall", "talks"):
        text = str(form.get(name, ""))
        if text not in {str(s) for s in SCORES}:
            raise DomainError("required", _("Choose one of the answers."), name)
        values[name] = int(text)
    again = str(form.get("again", ""))
    if again not in AGAIN:
        raise DomainError("required", _("Choose one of the answers."), "again")
    comment = str(form.get("comment", "")).strip()
    if len(comment) > 2000:
        raise DomainError("too_long", _("Please keep it under 2000 characters."), "comment")
    return Answers(values["overall"], values["talks"], again, comment)


async def answer(session: AsyncSession, token: str, answers: Answers) -> Evaluation:
    evaluation, _event = await open_evaluation(session, token)
    evaluation.answers = {"overall": answers.overall, "talks": answers.talks, "again": answers.again}
    evaluation.comment = answers.comment
    evaluation.answered_at = utcnow()
    await session.flush()
    return evaluation


async def _ensure(
    session: AsyncSession, settings: Settings, event: Event, respondent: Respondent, holder_id: int
) -> str:
    """The evaluation row of this person (made once, also when two processes get here together); its link."""
    token = token_for(settings, event.id, respondent, holder_id)
    column = "candidate_participation_id" if respondent is Respondent.CANDIDATE else "employer_contact_id"
    await session.execute(
        dialect_insert(session, Evaluation)
        .values(
            event_id=event.id,
            respondent=respondent.value,
            token_hash=digest(token),
            answers={},
            comment="",
            created_at=utcnow(),
            updated_at=utcnow(),
            **{column: holder_id},
        )
        .on_conflict_do_nothing()
    )
    return token


async def queue_event(session: AsyncSession, settings: Settings, event: Event) -> int:
    """Queue the evaluation e-mails of one event: candidates who came (with an e-mail address and their consent
    still standing) and every employer contact with an address. Each person gets one message, ever."""
    withdrawn = select(Consent.candidate_id).where(Consent.withdrawn_at.is_not(None))
    candidates = (
        await session.execute(
            select(CandidateParticipation.id, Candidate.first_name, Candidate.email, Candidate.locale)
            .join(Candidate, Candidate.id == CandidateParticipation.candidate_id)
            .where(
                CandidateParticipation.event_id == event.id,
                CandidateParticipation.id.in_(checked_in()),
                Candidate.email.is_not(None),
                Candidate.erased_at.is_(None),
                Candidate.id.not_in(withdrawn),
            )
            .order_by(CandidateParticipation.id)
        )
    ).tuples()
    contacts = (
        await session.execute(
            select(EmployerContact.id, EmployerContact.name, EmployerContact.email, User.locale)
            .join(EmployerParticipation, EmployerParticipation.id == EmployerContact.employer_participation_id)
            .outerjoin(User, User.id == EmployerContact.user_id)
            .where(EmployerParticipation.event_id == event.id, EmployerContact.email.is_not(None))
            .order_by(EmployerContact.id)
        )
    ).tuples()
    queued = 0
    people = [(Respondent.CANDIDATE, *row) for row in candidates] + [(Respondent.EMPLOYER, *row) for row in contacts]
    for respondent, holder_id, name, address, locale in people:
        if not address:
            continue
        token = await _ensure(session, settings, event, respondent, holder_id)
        link = f"{settings.base_url}/e/{token}"
        with i18n.language(locale or "nl"):
            subject = i18n.gettext("How was %(event)s?", event=event.name)
            if respondent is Respondent.CANDIDATE:
                body = i18n.gettext(
                    "Dear %(name)s,\n\nThank you for coming to %(event)s. How was it for you? Three short "
                    "questions, one minute:\n\n%(link)s\n\nYour answers help us make the next meeting better. "
                    "Your coach does not see what you write.\n\nmeetmatch",
                    name=name.split(" ")[0],
                    event=event.name,
                    link=link,
                )
            else:
                body = i18n.gettext(
                    "Dear %(name)s,\n\nThank you for taking part in %(event)s. How did it go for you? Three "
                    "short questions, one minute:\n\n%(link)s\n\nThe organiser uses your answers for the next "
                    "meeting.\n\nmeetmatch",
                    name=name,
                    event=event.name,
                    link=link,
                )
        added = await outbox.enqueue(
            session,
            outbox.Outgoing(
                kind="evaluation",
                dedupe_key=f"evaluation:{event.id}:{respondent.value}:{holder_id}",
                to_address=address,
                to_name=name,
                subject=subject,
                text_body=body,
                event_id=event.id,
                candidate_participation_id=holder_id if respondent is Respondent.CANDIDATE else None,
                employer_contact_id=holder_id if respondent is Respondent.EMPLOYER else None,
            ),
        )
        queued += int(added)
    return queued


async def evaluation_job(sessions: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> str:
    """Queue the evaluation of every event held in the last two weeks (from the day after it)."""
    today = now.astimezone(EVENT_TZ).date()
    queued = 0
    async with sessions() as session:
        events = list(
            await session.scalars(
                select(Event).where(
                    Event.date < today,
                    Event.date >= today - dt.timedelta(days=SEND_WITHIN_DAYS),
                    Event.status != EventStatus.DRAFT,
                )
            )
        )
        for event in events:
            queued += await queue_event(session, settings, event)
        await session.commit()
    return f"evaluations: {queued} queued for {len(events)} event(s)"
