"""A job's terms over time: the hours a week and the contract from a date on (8 hours from 1 March, 27 from
1 September). Each change is an OutcomeTerm (one per outcome and date: the same date again replaces it); the outcome
holds the terms of its latest one, so every figure counted from outcomes sees the terms as they are now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, UnsetType
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from events.followup.access import followed_candidate, record_change
from events.followup.models import ContractType, Outcome, OutcomeStatus, OutcomeTerm
from events.platform import i18n
from events.platform.db import utcnow
from events.platform.errors import ConflictError, DomainError
from events.platform.i18n import gettext as _
from events.platform.identity import CurrentUser
from events.platform.labels import contract_type_label
from events.platform.models import PathwayKind
from events.platform.services import audit

# The kinds that have terms: what someone works or learns at, for hours a week, under a contract.
WITH_TERMS = (
    PathwayKind.TRIAL_PLACEMENT,
    PathwayKind.INTERNSHIP,
    PathwayKind.WORK_EXPERIENCE,
    PathwayKind.TRAINING,
    PathwayKind.PAID_JOB,
    PathwayKind.VOLUNTEERING,
)
TERM_FIELDS = ("hours_per_week", "contract_type", "contract_months")


class TermsInput(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A change of terms from ``effective_on``: a field left out keeps what held before that date; ``null`` clears
    it (an open-ended contract has no months)."""

    effective_on: dt.date
    hours_per_week: Annotated[int, msgspec.Meta(ge=1, le=60)] | UnsetType | None = UNSET
    contract_type: ContractType | UnsetType | None = UNSET
    contract_months: Annotated[int, msgspec.Meta(ge=1, le=120)] | UnsetType | None = UNSET


def _value(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


async def terms_of(session: AsyncSession, outcome_id: int) -> list[OutcomeTerm]:
    """The outcome's terms, oldest first."""
    return list(
        await session.scalars(
            select(OutcomeTerm).where(OutcomeTerm.outcome_id == outcome_id).order_by(OutcomeTerm.effective_on)
        )
    )


def _carried(outcome: Outcome, terms: Sequence[OutcomeTerm], effective_on: dt.date) -> dict[str, Any]:
    """The terms that held on ``effective_on`` before this change: the latest term from that day or earlier, else
    the outcome's own."""
    before = [t for t in terms if t.effective_on <= effective_on]
    source: Any = before[-1] if before else (terms[0] if terms else outcome)
    return {name: getattr(source, name) for name in TERM_FIELDS}


async def change_terms(
    session: AsyncSession,
    user: CurrentUser,
    outcome: Outcome,
    effective_on: dt.date,
    *,
    hours_per_week: int | UnsetType | None = UNSET,
    contract_type: ContractType | UnsetType | None = UNSET,
    contract_months: int | UnsetType | None = UNSET,
) -> OutcomeTerm:
    """Record the terms of a placement, training or job from ``effective_on`` on (the same date again replaces
    that day's terms); a field left UNSET keeps what held before. The outcome takes the terms of its latest term;
    the change is kept in its history and audited. Refused (404) for an outcome whose candidate the user does not
    follow up."""
    await followed_candidate(session, user, outcome.candidate_id)
    if outcome.status in (OutcomeStatus.WITHDRAWN, OutcomeStatus.DECLINED):
        raise ConflictError("outcome_closed", _("This result was withdrawn or declined; log a new one."))
    if outcome.kind not in WITH_TERMS:
        raise DomainError("no_terms", _("Only a placement, training or job has hours and a contract."), "kind")
    if outcome.start_date is not None and effective_on < outcome.start_date:
        raise DomainError("before_start", _("The change cannot be before the start date."), "effective_on")
    if outcome.end_date is not None and effective_on > outcome.end_date:
        raise DomainError("after_end", _("The change cannot be after the end date."), "effective_on")
    terms = await terms_of(session, outcome.id)
    if not terms and outcome.start_date is not None and effective_on > outcome.start_date:
        # The first change: what was logged at the start becomes the first term, so the history shows both.
        first = OutcomeTerm(
            outcome_id=outcome.id,
            effective_on=outcome.start_date,
            recorded_by_id=user.id or None,
            **{name: getattr(outcome, name) for name in TERM_FIELDS},
        )
        session.add(first)
        terms = [first]
    wanted = _carried(outcome, terms, effective_on)
    for name, value in (
        ("hours_per_week", hours_per_week),
        ("contract_type", contract_type),
        ("contract_months", contract_months),
    ):
        if value is not UNSET:
            wanted[name] = value
    if outcome.kind is PathwayKind.PAID_JOB and wanted["hours_per_week"] is None:
        raise DomainError("required", _("Give the hours per week."), "hours_per_week")
    if outcome.kind is PathwayKind.PAID_JOB and wanted["contract_type"] is None:
        raise DomainError("required", _("Choose the kind of contract."), "contract_type")
    term = next((t for t in terms if t.effective_on == effective_on), None)
    if term is None:
        term = OutcomeTerm(outcome_id=outcome.id, effective_on=effective_on)
        session.add(term)
        terms = sorted([*terms, term], key=lambda t: t.effective_on)
    for name, value in wanted.items():
        setattr(term, name, value)
    term.recorded_at = utcnow()
    term.recorded_by_id = user.id or None
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # a colleague recorded terms for the same day a moment ago
        raise ConflictError("terms_changed", _("These terms have just been changed by someone else.")) from None
    changes: dict[str, Any] = {"effective_on": [None, effective_on.isoformat()]}
    latest = terms[-1]
    for name in TERM_FIELDS:
        before, after = getattr(outcome, name), getattr(latest, name)
        if _value(before) != _value(after):
            changes[name] = [_value(before), _value(after)]
            setattr(outcome, name, after)
    await session.flush()
    await record_change(session, user, outcome, "terms", changes)
    await audit(
        session,
        user,
        "change_terms",
        "outcome",
        outcome.id,
        candidate_id=outcome.candidate_id,
        detail={"effective_on": effective_on.isoformat()},
    )
    return term


async def follow_start(session: AsyncSession, user: CurrentUser, outcome: Outcome, old_start: dt.date | None) -> None:
    """After an outcome was logged or changed by hand: its terms follow. A job logged with hours or a contract gets
    its first term on its start date; a start date moved takes a first term on the old one along; terms corrected
    by hand correct the latest term (the outcome holds the latest term's terms)."""
    if outcome.kind not in WITH_TERMS or outcome.start_date is None:
        return
    terms = await terms_of(session, outcome.id)
    current = {name: getattr(outcome, name) for name in TERM_FIELDS}
    if not terms:
        if any(value is not None for value in current.values()):
            session.add(
                OutcomeTerm(
                    outcome_id=outcome.id, effective_on=outcome.start_date, recorded_by_id=user.id or None, **current
                )
            )
            await session.flush()
        return
    first = terms[0]
    if old_start is not None and first.effective_on == old_start != outcome.start_date:
        later = [t for t in terms[1:] if t.effective_on <= outcome.start_date]
        if later:
            raise DomainError(
                "terms_before_start", _("The terms changed before this start date; change them first."), "start_date"
            )
        first.effective_on = outcome.start_date
    latest = terms[-1]
    for name, value in current.items():
        setattr(latest, name, value)
    await session.flush()


def describe_terms(terms: Sequence[OutcomeTerm]) -> str:
    """The terms over time in the current language: "8 hours a week from 1-3-2026, 27 hours from 1-9-2026" (a
    new kind of contract named where it changed)."""
    parts = []
    previous: OutcomeTerm | None = None
    for term in terms:
        day = f"{term.effective_on.day}-{term.effective_on.month}-{term.effective_on.year}"
        if term.hours_per_week is None:
            text = i18n.gettext("from %(date)s", date=day)
        elif previous is None:
            text = i18n.gettext("%(hours)s hours a week from %(date)s", hours=term.hours_per_week, date=day)
        else:
            text = i18n.gettext("%(hours)s hours from %(date)s", hours=term.hours_per_week, date=day)
        contract = term.contract_type
        if contract is not None and previous is not None and previous.contract_type is not contract:
            text += f" ({contract_type_label(contract.value)})"
        parts.append(text)
        previous = term
    return ", ".join(parts)
