"""Werkfit's participants as plain values: for a seed and a day, each person's way through the trajectory (the
stages and the days they reached them), the activities on their timeline, what came of it and their benefit.

Pure (no database, no clock: ``today`` is given), so the demo stays the same for a seed and always looks current,
and events.demo.werkfit only turns these values into rows. The shape follows the story the product grew from: the
municipality of Den Haag with a consultancy, single parents and higher-educated people on benefits, three personal
steps (interests and qualities; conditions such as childcare, debts, language, health; positive experiences),
trainings, introductions with employers, jobs that start small and grow.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from events.followup.models import ContractType
from events.platform.models import ActivityKind, DropReason, IntroductionStatus, PathwayKind

SEED = 2019
# The trajectory's history reaches this many days back (about eight months).
HISTORY_DAYS = 240

ACTIVE = ("aangemeld", "intake", "voorbereiding", "kennismaking", "aan het werk", "nazorg")
COMPLETED = "afgerond"
DROPPED = "uitgevallen"
GROUPS = ("Alleenstaande ouders", "Hoogopgeleiden")
# How many of the 60 participants are in each stage today.
SPREAD = (
    ("aangemeld", 4),
    ("intake", 6),
    ("voorbereiding", 14),
    ("kennismaking", 9),
    ("aan het werk", 10),
    ("nazorg", 5),
    (COMPLETED, 5),
    (DROPPED, 7),
)
# Days from each stage of ACTIVE to the next one (the last: from nazorg to afgerond), lowest and highest.
GAPS = ((7, 21), (5, 14), (35, 70), (14, 42), (75, 105), (30, 60))
# Days since the last move, by the stage a person is in today.
TAIL = {
    "aangemeld": (1, 12),
    "intake": (1, 14),
    "voorbereiding": (3, 80),
    "kennismaking": (3, 40),
    "aan het werk": (7, 100),
    "nazorg": (5, 40),
    COMPLETED: (5, 20),
    DROPPED: (5, 90),
}
DROP_REASONS = (
    DropReason.HEALTH,
    DropReason.CARE,
    DropReason.NO_CONTACT,
    DropReason.MOVED,
    DropReason.OWN_CHOICE,
    DropReason.HEALTH,
    DropReason.OTHER_WORK,
)

CONSULTANCY = "Adviesbureau B&A"
TRAINER = "ROC Mondriaan"
# (name, sector, social enterprise)
EMPLOYERS = (
    ("Social Brew Den Haag", "horeca", True),
    ("Kringloop Haaglanden", "detailhandel", True),
    ("Zorgcentrum Mariahoeve", "zorg", False),
    ("Hofstad Kantoorservice", "administratie", False),
    ("Binckhorst Digital", "ict", False),
)
# Per target group: (employer index, job) for the jobs people find.
JOBS = (
    (
        (0, "Medewerker bediening, onder schooltijd"),
        (1, "Medewerker winkel en sorteren"),
        (2, "Helpende zorg en welzijn"),
        (3, "Administratief medewerker"),
    ),
    (
        (3, "Financieel-administratief medewerker"),
        (4, "Junior software-tester"),
        (2, "Beleidsmedewerker kwaliteit"),
        (4, "Functioneel beheerder"),
    ),
)
# Per target group: (title, provider, weeks).
TRAININGS = (
    (
        ("Training persoonlijke effectiviteit", CONSULTANCY, 8),
        ("Taaltraining Nederlands op de werkvloer", TRAINER, 12),
        ("Training gezonde leefstijl en dagritme", CONSULTANCY, 6),
        ("Cursus digitale vaardigheden", TRAINER, 10),
    ),
    (
        ("Training solliciteren en netwerken", CONSULTANCY, 6),
        ("Cursus Nederlands B2 voor professionals", TRAINER, 16),
        ("Training persoonlijke effectiviteit", CONSULTANCY, 8),
        ("Cursus Excel en rapporteren", TRAINER, 8),
    ),
)
WORKSHOPS = ("Workshop werk en kinderopvang combineren", "Workshop buitenlands diploma laten waarderen")
STUDIES = ("Opleiding helpende zorg en welzijn (BBL)", "Opleiding associate degree ICT (deeltijd)")
COACHING = (
    ("Stap 1: interesses en kwaliteiten", "Wat doet iemand graag, waar is iemand goed in?"),
    ("Stap 2: randvoorwaarden", "Kinderopvang, schulden, taal en gezondheid op een rij."),
    ("Stap 3: positieve ervaringen", "Op pad: een werkervaringsplek of een kennismaking bij een werkgever."),
    ("Nazorg: hoe gaat het op het werk?", "Gaat goed; wil na de zomer meer uren."),
)
GOALS = (
    (
        "Werk dat past bij de schooltijden van mijn kinderen.",
        "Een diploma halen in de zorg en daarna werken.",
        "Weer onder de mensen zijn en mijn eigen geld verdienen.",
    ),
    (
        "Weer aan de slag op mijn niveau, het liefst in de ICT.",
        "Mijn diploma laten erkennen en werken in mijn vak.",
        "Nederlandse werkervaring opdoen, eerst als vrijwilliger.",
    ),
)
BARRIERS = (
    ("single_parent", "childcare", "long_term_benefits", "debts", "health"),
    ("long_term_benefits", "language", "no_work_experience", "health", "housing"),
)
WISHES = (
    "Wil graag aan het werk als de kinderen op school zijn.",
    "Zoekt werk op niveau; heeft een diploma uit het buitenland.",
    "Wil iets doen met mensen; heeft ervaring als vrijwilliger.",
    "Wil weer structuur in de week en werkervaring opdoen.",
)
ANSWERS_NO = (
    "Nog geen plek voor iemand zonder ervaring; over drie maanden graag opnieuw.",
    "Aardig gesprek, maar de werktijden passen niet bij de kinderopvang.",
)


@dataclass(frozen=True)
class Step:
    """One activity on the timeline."""

    kind: ActivityKind
    title: str
    on: dt.date
    provider: str = ""
    employer: int | None = None  # index in EMPLOYERS
    planned_end: dt.date | None = None
    ended_on: dt.date | None = None
    completed: bool | None = None
    introduction: IntroductionStatus | None = None
    match: bool | None = None
    answer: str = ""
    note: str = ""


@dataclass(frozen=True)
class Term:
    """A job's terms from a day on."""

    on: dt.date
    hours: int
    contract: ContractType | None
    months: int | None


@dataclass(frozen=True)
class Result:
    """An outcome outside any event: a job (its terms growing), a training start or volunteering."""

    kind: PathwayKind
    start: dt.date
    organisation: str
    note: str
    terms: tuple[Term, ...] = ()
    hours: int | None = None
    left_benefits_on: dt.date | None = None


@dataclass(frozen=True)
class Participant:
    number: int
    group: int  # index in GROUPS
    coach: int | None  # which of the municipality's coaches; None: a referral nobody has picked up yet
    moves: tuple[tuple[str, dt.date], ...]  # (stage, day), the first the referral
    drop_reason: DropReason | None
    intake_on: dt.date | None
    goals: str
    wishes: str
    barriers: tuple[str, ...]
    hours_wanted: int
    benefit_since: dt.date
    steps: tuple[Step, ...]
    results: tuple[Result, ...]

    @property
    def stage(self) -> str:
        return self.moves[-1][0]

    @property
    def referred_on(self) -> dt.date:
        return self.moves[0][1]

    @property
    def ended_on(self) -> dt.date | None:
        return self.moves[-1][1] if self.stage in (COMPLETED, DROPPED) else None

    @property
    def benefit_left_on(self) -> dt.date | None:
        return next((r.left_benefits_on for r in self.results if r.left_benefits_on), None)

    def reached(self, stage: str) -> dt.date | None:
        return next((day for name, day in self.moves if name == stage), None)


def participants(today: dt.date, seed: int = SEED) -> list[Participant]:
    """Werkfit's participants for ``today``: the same for a seed, every date at most HISTORY_DAYS back and
    none in the future but planned ones (a proposed introduction, a training's planned end)."""
    rng = random.Random(seed)
    finals = [(stage, i % 2) for stage, count in SPREAD for i in range(count)]
    rng.shuffle(finals)
    return [_participant(number, stage, group, today, rng) for number, (stage, group) in enumerate(finals)]


def _moves(final: str, today: dt.date, rng: random.Random) -> tuple[tuple[str, dt.date], ...]:
    if final == DROPPED:
        reached = rng.choice((1, 2, 2, 3))
        steps = [*ACTIVE[: reached + 1], DROPPED]
        gaps = [rng.randint(*GAPS[i]) for i in range(reached)] + [rng.randint(14, 60)]
    else:
        chain = [*ACTIVE, COMPLETED]
        steps = chain[: chain.index(final) + 1]
        gaps = [rng.randint(*GAPS[i]) for i in range(len(steps) - 1)]
    tail = rng.randint(*TAIL[final])
    room = HISTORY_DAYS - tail
    if sum(gaps) > room:
        total = sum(gaps)
        gaps = [max(1, gap * room // total) for gap in gaps]
    day = today - dt.timedelta(days=tail + sum(gaps))
    days = [day]
    for gap in gaps:
        day += dt.timedelta(days=gap)
        days.append(day)
    return tuple(zip(steps, days, strict=True))


def _participant(number: int, final: str, group: int, today: dt.date, rng: random.Random) -> Participant:
    moves = _moves(final, today, rng)
    reached = dict(moves)
    intake_on = None
    if "voorbereiding" in reached or final == DROPPED:
        intake_on = reached["intake"] + dt.timedelta(days=min(3, (moves[2][1] - reached["intake"]).days))
    elif final == "intake" and number % 2:
        intake_on = min(today, reached["intake"] + dt.timedelta(days=2))  # held; the next step not set yet
    end = moves[-1][1] if final == DROPPED else None
    steps: list[Step] = []
    results: list[Result] = []
    _coaching(steps, reached, intake_on if "voorbereiding" in reached else None, today)
    if "voorbereiding" in reached:
        _trainings(steps, number, group, reached["voorbereiding"], end, today, rng)
    if "kennismaking" in reached and "aan het werk" not in reached:
        _introductions(steps, number, group, reached["kennismaking"], end, today, rng)
    if "aan het werk" in reached:
        results.append(_job(steps, number, group, reached["kennismaking"], reached["aan het werk"], today, rng))
    elif final in ("voorbereiding", "kennismaking"):
        _other_results(results, number, group, reached["voorbereiding"], rng)
    return Participant(
        number=number,
        group=group,
        coach=None if final == "aangemeld" else (number // 2) % 2,
        moves=moves,
        drop_reason=DROP_REASONS[number % len(DROP_REASONS)] if final == DROPPED else None,
        intake_on=intake_on,
        goals=rng.choice(GOALS[group]) if intake_on else "",
        wishes=rng.choice(WISHES),
        barriers=tuple(sorted(rng.sample(BARRIERS[group], 2 + number % 2))) if intake_on else (),
        hours_wanted=rng.choice((16, 20, 24)) if group == 0 else rng.choice((24, 32, 36)),
        benefit_since=moves[0][1] - dt.timedelta(days=rng.randint(400, 3300)),
        steps=tuple(s for s in steps if s.on <= today or s.introduction is IntroductionStatus.PROPOSED),
        results=tuple(r for r in results if r.start <= today),
    )


def _coaching(steps: list[Step], reached: dict[str, dt.date], intake_on: dt.date | None, today: dt.date) -> None:
    """The coach's talks: the three steps (the first at the intake) and, once at work, the aftercare."""
    days = {"intake": intake_on, "voorbereiding": None, "kennismaking": None, "nazorg": None}
    for stage, after in (("voorbereiding", 2), ("kennismaking", 2), ("nazorg", 14)):
        if stage in reached:
            days[stage] = reached[stage] + dt.timedelta(days=after)
    for (title, note), on in zip(COACHING, days.values(), strict=True):
        if on is not None and on <= today:
            steps.append(Step(ActivityKind.COACHING, title, on, provider=CONSULTANCY, note=note))


def _trainings(
    steps: list[Step],
    number: int,
    group: int,
    start: dt.date,
    dropped_on: dt.date | None,
    today: dt.date,
    rng: random.Random,
) -> None:
    """One or two trainings from the preparation on: done, stopped, or running while their planned end lies
    ahead; a workshop besides."""
    options = TRAININGS[group]
    chosen = rng.sample(options, 1 + number % 2)
    on = start + dt.timedelta(days=rng.randint(3, 14))
    for title, provider, weeks in chosen:
        planned = on + dt.timedelta(weeks=weeks)
        if dropped_on is not None and dropped_on < planned:
            if on < dropped_on:
                steps.append(Step(ActivityKind.TRAINING, title, on, provider, None, planned, dropped_on, False))
            break
        if planned > today:
            steps.append(Step(ActivityKind.TRAINING, title, on, provider, None, planned))  # loopt
        elif rng.random() < 0.1:
            stopped = on + dt.timedelta(weeks=max(1, weeks // 2))
            steps.append(
                Step(
                    ActivityKind.TRAINING, title, on, provider, None, planned, stopped, False, note="Gestopt: te zwaar."
                )
            )
        else:
            steps.append(Step(ActivityKind.TRAINING, title, on, provider, None, planned, planned, True))
        on = planned + dt.timedelta(days=rng.randint(3, 10))
    day = start + dt.timedelta(days=10)
    if dropped_on is None or day < dropped_on:
        steps.append(Step(ActivityKind.WORKSHOP, WORKSHOPS[group], day, CONSULTANCY, None, day, day, True))


def _introductions(
    steps: list[Step],
    number: int,
    group: int,
    start: dt.date,
    dropped_on: dt.date | None,
    today: dt.date,
    rng: random.Random,
) -> None:
    """Positive experiences: introductions with an employer (held, matched or not, or proposed) and a work
    experience place at a social enterprise."""
    employer, job = JOBS[group][number % len(JOBS[group])]
    other = JOBS[group][(number + 1) % len(JOBS[group])][0]
    held = start + dt.timedelta(days=rng.randint(7, 20))
    if number % 3 == 0 and (dropped_on is None or held < dropped_on):
        steps.append(
            Step(
                ActivityKind.INTRODUCTION,
                f"Kennismaking: {job.lower()}",
                held,
                employer=other,
                introduction=IntroductionStatus.HELD,
                match=False,
                answer=ANSWERS_NO[number % 2],
            )
        )
    if dropped_on is not None:
        return
    if number % 3 == 1 and held <= today:
        steps.append(
            Step(
                ActivityKind.INTRODUCTION,
                f"Kennismaking: {job.lower()}",
                held,
                employer=employer,
                introduction=IntroductionStatus.HELD,
                match=True,
                answer="Graag een proefdag; daarna beginnen met een paar uur per week.",
            )
        )
    else:
        steps.append(
            Step(
                ActivityKind.INTRODUCTION,
                f"Kennismaking: {job.lower()}",
                today + dt.timedelta(days=rng.randint(3, 14)),
                employer=employer,
                introduction=IntroductionStatus.PROPOSED,
            )
        )
    if number % 3 == 2:
        place = start + dt.timedelta(days=5)
        steps.append(
            Step(
                ActivityKind.WORK_EXPERIENCE,
                "Werkervaringsplek",
                place,
                employer=number % 2,  # one of the social enterprises
                planned_end=place + dt.timedelta(weeks=8),
                ended_on=place + dt.timedelta(weeks=8) if place + dt.timedelta(weeks=8) <= today else None,
                completed=True if place + dt.timedelta(weeks=8) <= today else None,
            )
        )


def _job(
    steps: list[Step], number: int, group: int, met: dt.date, start: dt.date, today: dt.date, rng: random.Random
) -> Result:
    """A job after a matching introduction: single parents start at 8 hours and grow to 16 and 27, leaving their
    benefit at 27; the higher-educated start at 24 and grow to 32, leaving it then."""
    employer, job = JOBS[group][number % len(JOBS[group])]
    name = EMPLOYERS[employer][0]
    if number % 2 == 0:
        # A first introduction elsewhere did not match.
        other, other_job = JOBS[group][(number + 1) % len(JOBS[group])]
        steps.append(
            Step(
                ActivityKind.INTRODUCTION,
                f"Kennismaking: {other_job.lower()}",
                met + dt.timedelta(days=1),
                employer=other,
                introduction=IntroductionStatus.HELD,
                match=False,
                answer=ANSWERS_NO[number % 4 // 2],
            )
        )
    steps.append(
        Step(
            ActivityKind.INTRODUCTION,
            f"Kennismaking: {job.lower()}",
            min(start, max(met + dt.timedelta(days=5), start - dt.timedelta(days=rng.randint(7, 20)))),
            employer=employer,
            introduction=IntroductionStatus.HELD,
            match=True,
            answer="Past goed in het team; we beginnen klein en bouwen uren op.",
        )
    )
    plan: tuple[Term, ...]
    if group == 0:
        plan = (
            Term(start, 8, ContractType.FIXED_TERM, 6),
            Term(start + dt.timedelta(days=42), 16, ContractType.FIXED_TERM, 6),
            Term(start + dt.timedelta(days=91), 27, ContractType.FIXED_TERM, 12),
        )
        leaves_at = 27
    else:
        plan = (
            Term(start, 24, ContractType.FIXED_TERM, 12),
            Term(start + dt.timedelta(days=61), 32, ContractType.PERMANENT, None),
        )
        leaves_at = 32
    terms = tuple(t for t in plan if t.on <= today)
    left = next((t.on for t in terms if t.hours >= leaves_at), None)
    return Result(PathwayKind.PAID_JOB, start, name, job, terms, terms[-1].hours, left)


def _other_results(results: list[Result], number: int, group: int, start: dt.date, rng: random.Random) -> None:
    """Some start a course of study, some volunteer at a social enterprise while they prepare."""
    on = start + dt.timedelta(days=rng.randint(20, 45))
    if number % 5 == 0:
        results.append(Result(PathwayKind.TRAINING, on, TRAINER, STUDIES[group]))
    elif number % 5 in (2, 4):
        name = EMPLOYERS[number % 2][0]
        results.append(Result(PathwayKind.VOLUNTEERING, on, name, "Vrijwilligerswerk, twee ochtenden", hours=8))
