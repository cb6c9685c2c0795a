"""What the programmes' JSON API takes and answers (events.programmes.api, events.programmes.api_enrolments):
explicit msgspec structs, inputs refusing unknown fields, every text bounded."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from events.platform.models import (
    ActivityKind,
    BenefitKind,
    Decision,
    DropReason,
    IntroductionStatus,
    PartnerRole,
    StageKind,
)

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
# A stage or target group: its id, or its name (case and surrounding spaces ignored).
Ref = Id | Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


# --- inputs ---------------------------------------------------------------------------------------------------


class ProgrammeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new programme: without `stages` it gets the default ones (aangemeld → nazorg, afgerond, uitgevallen);
    with them, these active stages in this order and the two endings."""

    name: Name
    slug: Annotated[str, msgspec.Meta(max_length=80)] = ""
    description: LongText = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    target_groups: Annotated[list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=50)] = []
    stages: Annotated[list[Annotated[str, msgspec.Meta(max_length=80)]], msgspec.Meta(max_length=50)] = []


class ProgrammeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """What changes; a field left out stays as it is (an `ends_on` of null makes the intake open-ended)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType = msgspec.UNSET
    starts_on: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    ends_on: dt.date | msgspec.UnsetType | None = msgspec.UNSET


class NameInput(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new stage, after the stage `after` (an id; else after the last active stage)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    kind: StageKind = StageKind.ACTIVE
    after: Id | None = None


class StageOrder(msgspec.Struct, forbid_unknown_fields=True):
    order: Annotated[list[Id], msgspec.Meta(max_length=100)]


class PartnerInput(msgspec.Struct, forbid_unknown_fields=True):
    """A partner organisation by name (a new name makes one) and its role in the programme."""

    organisation: Name
    role: PartnerRole


class EmployerInput(msgspec.Struct, forbid_unknown_fields=True):
    """An employer by name (a new name makes one), a social entrepreneur or not."""

    name: Name
    social_enterprise: bool | None = None


class EnrolmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A candidate of the programme's organisation put in the programme; `referred_by` is the referring
    organisation's id (yours or one of the programme's partners)."""

    candidate_id: Id
    target_group: Ref | None = None
    stage: Ref | None = None
    referred_by: Id | None = None
    referrer_name: Text200 = ""
    referred_on: dt.date | None = None
    intake_on: dt.date | None = None
    coach_ids: Annotated[list[Id], msgspec.Meta(max_length=10)] = []


class ReferralInput(msgspec.Struct, forbid_unknown_fields=True):
    """A referral: who, how to reach them (an e-mail address, a phone number or through whom), what they want, and
    that they agreed to it being passed on (`consent` must be true)."""

    first_name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    last_name: Annotated[str, msgspec.Meta(min_length=1, max_length=150)]
    consent: bool
    email: Annotated[str, msgspec.Meta(max_length=254)] = ""
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    contact_through: Annotated[str, msgspec.Meta(max_length=300)] = ""
    wishes: LongText = ""
    referrer_name: Text200 = ""


class PlanUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The person's own goals, the barriers worked on, the target group; a field left out stays as it is."""

    goals: LongText | None = None
    barriers: Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=20)] | None = None
    target_group: Ref | None = None


class DecisionInput(msgspec.Struct, forbid_unknown_fields=True):
    decision: Decision
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    intake_on: dt.date | None = None


class StageMove(msgspec.Struct, forbid_unknown_fields=True):
    """Move to another of the programme's stages; ending as dropped asks for the reason."""

    stage: Ref
    drop_reason: DropReason | None = None
    on: dt.date | None = None


class JusticeInput(msgspec.Struct, forbid_unknown_fields=True):
    detained: bool
    criminal_record: bool
    release_date: dt.date | None = None


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An activity on the timeline; an introduction or work experience names its employer (a new one is made on the
    spot), an event is one of the programme's (`event_id`)."""

    kind: ActivityKind
    title: Text200 = ""
    starts_on: dt.date | None = None
    planned_end: dt.date | None = None
    provider: Text200 = ""
    employer: Text200 = ""
    event_id: Id | None = None
    note: LongText = ""


class FinishInput(msgspec.Struct, forbid_unknown_fields=True):
    """Completed or stopped, on `ended_on` (today when left out; never in the future)."""

    completed: bool
    ended_on: dt.date | None = None


class IntroductionInput(msgspec.Struct, forbid_unknown_fields=True):
    status: IntroductionStatus
    match: bool | None = None
    employer_answer: LongText = ""
    held_on: dt.date | None = None


class BenefitInput(msgspec.Struct, forbid_unknown_fields=True):
    benefit: BenefitKind
    since: dt.date | None = None


class BenefitLeft(msgspec.Struct, forbid_unknown_fields=True):
    left_on: dt.date


# --- answers --------------------------------------------------------------------------------------------------


class ProgrammeRow(msgspec.Struct):
    id: int
    slug: str
    name: str
    description: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    # Whether you manage it (its organisation's organisers) or take part as a partner.
    manages: bool


class StageRow(msgspec.Struct):
    id: int
    name: str
    kind: str
    position: int


class TargetGroupRow(msgspec.Struct):
    id: int
    name: str


class PartnerRow(msgspec.Struct):
    id: int
    organisation_id: int
    organisation: str
    role: str


class EmployerRow(msgspec.Struct):
    organisation_id: int
    name: str
    social_enterprise: bool


class Period(msgspec.Struct):
    starts_on: dt.date | None
    ends_on: dt.date | None
    open_ended: bool


class ProgrammeDetail(msgspec.Struct):
    id: int
    slug: str
    name: str
    description: str
    period: Period
    target_groups: list[TargetGroupRow]
    stages: list[StageRow]
    partners: list[PartnerRow]
    employers: list[EmployerRow]
    manages: bool


class StageRef(msgspec.Struct):
    id: int
    name: str
    kind: str


class EnrolmentRow(msgspec.Struct):
    id: int
    candidate_id: int
    name: str
    target_group: TargetGroupRow | None
    stage: StageRef
    referred_on: dt.date
    intake_on: dt.date | None
    decision: str | None
    ended_on: dt.date | None


class EnrolmentList(msgspec.Struct):
    """One page of a programme's enrolments (those you reach), and how many there are in all."""

    items: list[EnrolmentRow]
    total: int
    page: int
    per_page: int


class ProgrammeRef(msgspec.Struct):
    id: int
    slug: str
    name: str


class CoachRef(msgspec.Struct):
    id: int
    name: str


class EnrolmentDetail(msgspec.Struct):
    """An enrolment as you may read it: goals, barriers and the decision's reason only for the person's coaches and
    the programme's organisers (null otherwise); criminal-justice data never (see .../justice)."""

    id: int
    programme: ProgrammeRef
    candidate_id: int
    name: str
    target_group: TargetGroupRow | None
    stage: StageRef
    referred_by: str | None
    referrer_name: str
    referred_on: dt.date
    intake_on: dt.date | None
    decision: str | None
    ended_on: dt.date | None
    drop_reason: str | None
    contact_through: str
    wishes: str
    coaches: list[CoachRef]
    goals: str | None
    barriers: list[str] | None
    decision_reason: str | None


class ReferralRow(msgspec.Struct):
    """A referral as its referrer sees it: who, where, since when, the stage. Nothing confidential."""

    enrolment_id: int
    name: str
    programme: str
    referred_on: dt.date
    stage: str
    ended: bool


class IntakeRow(msgspec.Struct):
    """A referral waiting to be picked up for the intake."""

    enrolment_id: int
    name: str
    programme: ProgrammeRef
    referred_on: dt.date
    referrer_name: str


class StageChangeRow(msgspec.Struct):
    at: dt.datetime
    from_stage: str | None
    to_stage: str | None
    by: str
    drop_reason: str | None


class JusticeRow(msgspec.Struct):
    detained: bool
    release_date: dt.date | None
    criminal_record: bool


class ActivityRow(msgspec.Struct):
    """An activity; `state` is how it stands today (a training whose planned end lies ahead is `running`). The note
    and the employer's answer are for the person's coaches and the programme's organisers (null otherwise)."""

    id: int
    kind: str
    state: str
    title: str
    organisation_id: int | None
    organisation: str | None
    provider: str
    event_id: int | None
    starts_on: dt.date | None
    planned_end: dt.date | None
    ended_on: dt.date | None
    completed: bool | None
    introduction_status: str | None
    match: bool | None
    employer_answer: str | None
    note: str | None


class BenefitRow(msgspec.Struct):
    id: int
    benefit: str
    since: dt.date | None
    left_on: dt.date | None


class OutcomeTermRow(msgspec.Struct):
    effective_on: dt.date
    hours_per_week: int | None
    contract_type: str | None
    contract_months: int | None


class EnrolmentOutcomeRow(msgspec.Struct):
    """An outcome of the enrolment, with its terms over time (8 hours a week, later 27)."""

    id: int
    kind: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    organisation_id: int | None
    employer: str | None
    event_id: int | None
    contract_type: str | None
    contract_months: int | None
    hours_per_week: int | None
    leaves_benefits: bool | None
    terms: list[OutcomeTermRow]
    note: str | None


class Deleted(msgspec.Struct):
    deleted: bool
