"""The hard rules, each written once; the checker, the solver's tests and the lock validation use them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter

from schedule.solver.types import Candidate, Employer, Meeting, Problem, Solution, Violation


@dataclass(frozen=True, slots=True)
class Context:
    """Look-up tables built once per check."""

    problem: Problem
    candidates: dict[str, Candidate]
    employers: dict[str, Employer]
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, problem: Problem, meetings: Iterable[Meeting] | None = None) -> Context:
        """Index a problem for the rules; given the meetings to check, `pairs` holds only the listed pairs among them.

        A large fair lists some 66,000 pairs and its schedule uses about 6,000: keeping a set of only
        those does the same look-ups without allocating a tuple that lives on for every listed pair.
        """
        listed = map(attrgetter("candidate", "employer"), problem.pairs)
        if meetings is None:
            pairs = frozenset(listed)
        else:
            pairs = frozenset({(m.candidate, m.employer) for m in meetings}.intersection(listed))
        return cls(problem, {c.id: c for c in problem.candidates}, {e.id: e for e in problem.employers}, pairs)


Rule = Callable[[Context, Sequence[Meeting]], Iterator[Violation]]


def _known(ctx: Context, m: Meeting) -> bool:
    return m.candidate in ctx.candidates and m.employer in ctx.employers


def known_people(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """Every meeting names a candidate and an employer of the instance."""
    for i, m in enumerate(meetings):
        if m.candidate not in ctx.candidates:
            yield Violation("unknown_candidate", f"meeting {_show(m)}: unknown candidate {m.candidate!r}", i)
        if m.employer not in ctx.employers:
            yield Violation("unknown_employer", f"meeting {_show(m)}: unknown employer {m.employer!r}", i)


def round_in_range(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """Rounds run from 1 to the instance's number of rounds."""
    for i, m in enumerate(meetings):
        if not 1 <= m.round <= ctx.problem.rounds:
            yield Violation(
                "round_out_of_range", f"meeting {_show(m)}: round {m.round} is not in 1..{ctx.problem.rounds}", i
            )


def pair_listed(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """Only listed pairs meet."""
    for i, m in enumerate(meetings):
        if _known(ctx, m) and (m.candidate, m.employer) not in ctx.pairs:
            yield Violation("pair_not_listed", f"meeting {_show(m)}: the pair is not listed in pairs", i)


def both_present(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """Both sides are present in the meeting's round."""
    for i, m in enumerate(meetings):
        if m.candidate in ctx.candidates and m.round not in ctx.candidates[m.candidate].rounds:
            yield Violation("candidate_absent", f"meeting {_show(m)}: candidate is not present in round {m.round}", i)
        if m.employer in ctx.employers and m.round not in ctx.employers[m.employer].rounds:
            yield Violation("employer_absent", f"meeting {_show(m)}: employer is not present in round {m.round}", i)


def table_in_range(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """A table number runs from 1 to the employer's tables."""
    for i, m in enumerate(meetings):
        if m.employer in ctx.employers and not 1 <= m.table <= ctx.employers[m.employer].tables:
            tables = ctx.employers[m.employer].tables
            yield Violation("table_out_of_range", f"meeting {_show(m)}: table {m.table} is not in 1..{tables}", i)


def one_talk_per_round(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """A candidate has at most one talk per round."""
    seen: set[tuple[str, int]] = set()
    for i, m in enumerate(meetings):
        key = (m.candidate, m.round)
        if key in seen:
            yield Violation(
                "candidate_double_booked", f"meeting {_show(m)}: candidate already has a talk in round {m.round}", i
            )
        seen.add(key)


def seats_per_table(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """A table hosts at most `seats` candidates per round."""
    used: Counter[tuple[str, int, int]] = Counter()
    for i, m in enumerate(meetings):
        if m.employer not in ctx.employers:
            continue
        key = (m.employer, m.round, m.table)
        used[key] += 1
        seats = ctx.employers[m.employer].seats
        if used[key] == seats + 1:
            yield Violation(
                "table_over_capacity", f"meeting {_show(m)}: the table has only {seats} seat(s) in round {m.round}", i
            )


def pair_meets_once(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """A pair meets at most once."""
    seen: set[tuple[str, str]] = set()
    for i, m in enumerate(meetings):
        key = (m.candidate, m.employer)
        if key in seen:
            yield Violation("pair_repeated", f"meeting {_show(m)}: the pair already meets in another talk", i)
        seen.add(key)


def max_meetings(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """A candidate meets at most `max_meetings` employers."""
    count: Counter[str] = Counter()
    for i, m in enumerate(meetings):
        if m.candidate not in ctx.candidates:
            continue
        count[m.candidate] += 1
        limit = ctx.candidates[m.candidate].max_meetings
        if count[m.candidate] == limit + 1:
            yield Violation(
                "max_meetings_exceeded", f"meeting {_show(m)}: candidate has more than {limit} meeting(s)", i
            )


def locked_kept(ctx: Context, meetings: Sequence[Meeting]) -> Iterator[Violation]:
    """Every locked meeting appears as given (at its table when the lock names one)."""
    present = {(m.candidate, m.employer, m.round): m.table for m in meetings}
    for i, lock in enumerate(ctx.problem.locked):
        table = present.get((lock.candidate, lock.employer, lock.round))
        where = f"{lock.candidate}/{lock.employer} in round {lock.round}"
        if table is None:
            yield Violation("locked_missing", f"locked[{i}]: locked meeting {where} is missing", None)
        elif lock.table is not None and table != lock.table:
            yield Violation(
                "locked_moved", f"locked[{i}]: locked meeting {where} is at table {table}, not {lock.table}"
            )


# Rules a set of meetings must obey on its own; `locked_kept` relates a schedule to the instance's locks.
MEETING_RULES: tuple[Rule, ...] = (
    known_people,
    round_in_range,
    pair_listed,
    both_present,
    table_in_range,
    one_talk_per_round,
    seats_per_table,
    pair_meets_once,
    max_meetings,
)
RULES: tuple[Rule, ...] = (*MEETING_RULES, locked_kept)


def check_meetings(
    problem: Problem, meetings: Sequence[Meeting], rules: Sequence[Rule] = MEETING_RULES
) -> list[Violation]:
    """Every violation of `rules` by `meetings`, in rule order."""
    ctx = Context.of(problem, meetings)
    return [v for rule in rules for v in rule(ctx, meetings)]


def check(problem: Problem, solution: Solution) -> list[Violation]:
    """Every hard rule the solution breaks; an empty list means the schedule is valid."""
    return check_meetings(problem, solution.meetings, RULES)


def place_locks(problem: Problem) -> list[Meeting]:
    """The locked meetings with a table each: named tables first, the rest at the emptiest table."""
    employers = {e.id: e for e in problem.employers}
    used: Counter[tuple[str, int, int]] = Counter()
    for lock in problem.locked:
        if lock.table is not None:
            used[(lock.employer, lock.round, lock.table)] += 1
    placed: list[Meeting] = []
    for lock in problem.locked:
        table = lock.table
        if table is None:
            tables = employers[lock.employer].tables if lock.employer in employers else 1
            table = min(range(1, tables + 1), key=lambda t: (used[(lock.employer, lock.round, t)], t))
            used[(lock.employer, lock.round, table)] += 1
        placed.append(Meeting(lock.round, lock.employer, table, lock.candidate))
    return placed


def _show(m: Meeting) -> str:
    return f"{m.candidate}/{m.employer} round {m.round} table {m.table}"
