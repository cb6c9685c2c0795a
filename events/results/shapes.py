"""What the results report is made of: the funnel's steps, what a target may be set for, the hour bands funders
ask about, and the frozen dataclasses of exact counts that events.results.figures and events.results.breakdown
fill in and events.results.view lays out.

Plain values only: nothing here queries, renders or anonymises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from events.followup.models import Respondent
from events.platform.i18n import N_
from events.platform.models import PathwayKind

PLACEMENT_KINDS = frozenset(
    {PathwayKind.TRIAL_PLACEMENT, PathwayKind.INTERNSHIP, PathwayKind.WORK_EXPERIENCE, PathwayKind.VOLUNTEERING}
)
# The funnel step an outcome kind counts towards ("stopped" counts towards none).
STEP_OF_KIND: dict[PathwayKind, str] = {
    PathwayKind.SECOND_INTERVIEW: "second_interviews",
    **dict.fromkeys(PLACEMENT_KINDS, "placements"),
    PathwayKind.TRAINING: "training_starts",
    PathwayKind.PAID_JOB: "job_starts",
}
# The kinds that start something that lasts (and so can still be running at a follow-up check).
START_STEPS = ("placements", "training_starts", "job_starts")

# The funnel's steps in order, with their labels (msgids; the pages translate them).
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("registered", N_("registered")),
    ("present", N_("present")),
    ("talked", N_("held a talk")),
    ("follow_up", N_("follow-up wished")),
    ("second_interviews", N_("second interview")),
    ("placements", N_("placement")),
    ("training_starts", N_("started a training")),
    ("job_starts", N_("started a paid job")),
)

# What an organiser may set a target for (Event.targets and Programme.targets), in this order.
TARGETS: dict[str, str] = {
    "present": N_("present at the event"),
    "second_interviews": N_("second interviews"),
    "placements": N_("placements"),
    "training_starts": N_("training starts"),
    "job_starts": N_("paid job starts"),
}

# Hours per week of a paid job, in the buckets funders ask about: (label, lowest, highest).
HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
    (N_("under 12 hours"), 0, 11),
    (N_("12 to 23 hours"), 12, 23),
    (N_("24 to 31 hours"), 24, 31),
    (N_("32 hours or more"), 32, 10_000),
)


class Counts:
    """A row of counts whose figures a table or chart reads by key."""

    def value(self, key: str) -> int:
        return int(getattr(self, key))


@dataclass(frozen=True)
class Funnel(Counts):
    """Distinct candidates at each step; `talks` is the number of talks held (not of candidates)."""

    registered: int = 0
    present: int = 0
    talked: int = 0
    talks: int = 0
    follow_up: int = 0
    second_interviews: int = 0
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0

    def steps(self) -> list[tuple[str, str, int]]:
        """(key, label msgid, count) for each step, in order."""
        return [(key, label, self.value(key)) for key, label in FUNNEL_STEPS]

    @staticmethod
    def total(funnels: Iterable[Funnel]) -> Funnel:
        """Step by step sums (a candidate at two events counts at each)."""
        sums = dict.fromkeys((f.name for f in fields(Funnel)), 0)
        for funnel in funnels:
            for name in sums:
                sums[name] += funnel.value(name)
        return Funnel(**sums)


@dataclass(frozen=True)
class Checkpoint(Counts):
    """The candidates whose placement, training or job had started by `months` after the event and was still
    running on that day. Not `reached` while that day is still to come (then every count is 0)."""

    months: int
    date: dt.date
    reached: bool
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0
    any_start: int = 0


@dataclass(frozen=True)
class EmployerRow(Counts):
    organisation_id: int
    name: str
    talks: int = 0
    follow_up: int = 0
    second_interviews: int = 0
    placements: int = 0
    training_starts: int = 0
    job_starts: int = 0
    # Candidates with any placement, training or job start at this employer.
    starts: int = 0


@dataclass(frozen=True)
class CoachOrganisationRow(Counts):
    """Candidates per organisation of their coaches (a candidate with coaches at two organisations counts at
    each); organisation_id None: candidates whose coaches belong to no organisation, or who have no coach."""

    organisation_id: int | None
    name: str
    registered: int = 0
    present: int = 0
    with_outcome: int = 0  # any confirmed outcome other than "stopped"
    job_starts: int = 0


@dataclass(frozen=True)
class FunderFigures:
    """What funders ask about. Each group below is a partition of the candidates it names."""

    # Candidates with a placement, training or job start: did they leave benefits?
    started: int = 0
    left_benefits: int = 0
    kept_benefits: int = 0
    benefits_unknown: int = 0
    # Candidates with a paid job start: was (one of) their contracts lasting (LASTING_MONTHS or more)?
    job_starts: int = 0
    lasting: int = 0
    short: int = 0
    length_unknown: int = 0
    # Paid job starts by hours per week (a candidate's longest week), and the mean of those known.
    hour_bands: tuple[tuple[str, int], ...] = ()
    hours_unknown: int = 0
    hours_known: int = 0
    mean_hours: float | None = None
    # Candidates per outcome kind (second interview ... stopped).
    per_kind: tuple[tuple[PathwayKind, int], ...] = ()


@dataclass(frozen=True)
class TargetRow:
    key: str
    label: str
    target: int
    actual: int

    @property
    def reached(self) -> bool:
        return self.actual >= self.target

    @property
    def percent(self) -> int:
        return round(100 * self.actual / self.target) if self.target else 0


@dataclass(frozen=True)
class RespondentSummary:
    respondent: Respondent
    invited: int = 0
    answered: int = 0
    # Means over the answers that gave the question a valid value (1-5), and how many those were.
    overall_mean: float | None = None
    overall_count: int = 0
    talks_mean: float | None = None
    talks_count: int = 0
    again: tuple[tuple[str, int], ...] = (("yes", 0), ("maybe", 0), ("no", 0))
    # The free-text comments; only in organisers' own pages, never in anonymised output.
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventReport:
    """Every figure of one event, on the day `today`."""

    event_id: int
    slug: str
    name: str
    date: dt.date
    today: dt.date
    funnel: Funnel
    checkpoints: tuple[Checkpoint, ...]
    employers: tuple[EmployerRow, ...]
    coach_organisations: tuple[CoachOrganisationRow, ...]
    funder: FunderFigures
    targets: tuple[TargetRow, ...]
    evaluation: tuple[RespondentSummary, ...]

    def counts_only(self) -> EventReport:
        """The same report without the evaluation's free-text comments: what must stay equal when a person is
        erased (their comment goes with them; every figure stays)."""
        return replace(self, evaluation=tuple(replace(s, comments=()) for s in self.evaluation))


@dataclass(frozen=True)
class ProgrammeEvent:
    event_id: int
    slug: str
    name: str
    date: dt.date
    funnel: Funnel
    checkpoints: tuple[Checkpoint, ...]


@dataclass(frozen=True)
class OutsideEvents:
    """A programme's outcomes that came about outside its events: logged for an enrolment with no event, or at an
    event outside the programme. The funnel holds the outcome steps only (registration, presence and talks are
    the events'); the checks fall 1, 3 and 6 months after each start."""

    funnel: Funnel = field(default_factory=Funnel)
    checkpoints: tuple[Checkpoint, ...] = ()
    outcomes: int = 0  # confirmed outcomes counted here


@dataclass(frozen=True)
class ProgrammeReport:
    programme_id: int
    name: str
    description: str
    today: dt.date
    events: tuple[ProgrammeEvent, ...]  # by date
    totals: Funnel
    # Candidates still in a placement, training or job at each check, summed over the events that reached it.
    checkpoint_totals: tuple[Checkpoint, ...]
    targets: tuple[TargetRow, ...]
    funder: FunderFigures = field(default_factory=FunderFigures)
    # Outcomes of the programme's enrolments outside its events (each outcome counts once: at its event when that
    # is one of the programme's, else here); the totals, checks, targets and funder figures include them.
    outside: OutsideEvents = field(default_factory=OutsideEvents)
