"""Each hard rule, on a hand-made instance: a valid schedule passes, each kind of breach is named."""

from __future__ import annotations

import pytest

from schedule.solver.rules import Context, check, check_meetings, place_locks
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem, Solution

ALL = frozenset({1, 2, 3})


def make_problem(locked: tuple[Locked, ...] = ()) -> Problem:
    return Problem(
        rounds=3,
        employers=(Employer("e1", 1, 2, ALL), Employer("e2", 2, 1, frozenset({1, 2}))),
        candidates=(
            Candidate("c1", ALL, 1, 2),
            Candidate("c2", ALL, 1, 3),
            Candidate("c3", frozenset({2, 3}), 1, 3),
        ),
        pairs=(
            Pair("c1", "e1", 5),
            Pair("c1", "e2", 3),
            Pair("c2", "e1", 4),
            Pair("c2", "e2", 2),
            Pair("c3", "e1", 1),
        ),
        locked=locked,
        min_meetings=1,
        max_meetings=3,
    )


VALID = (
    Meeting(1, "e1", 1, "c1"),
    Meeting(1, "e1", 1, "c2"),
    Meeting(2, "e2", 1, "c1"),
    Meeting(2, "e2", 2, "c2"),
    Meeting(3, "e1", 1, "c3"),
)


def codes(problem: Problem, meetings: tuple[Meeting, ...]) -> list[str]:
    return [v.code for v in check(problem, Solution(meetings))]


def test_check_valid_schedule_has_no_violations() -> None:
    assert check(make_problem(), Solution(VALID)) == []


@pytest.mark.parametrize(
    ("meeting", "code"),
    [
        (Meeting(3, "e1", 1, "c9"), "unknown_candidate"),
        (Meeting(3, "e9", 1, "c1"), "unknown_employer"),
        (Meeting(4, "e1", 1, "c2"), "round_out_of_range"),
        (Meeting(3, "e2", 1, "c3"), "pair_not_listed"),
        (Meeting(3, "e2", 1, "c2"), "employer_absent"),
        (Meeting(3, "e1", 2, "c2"), "table_out_of_range"),
        (Meeting(1, "e2", 1, "c1"), "candidate_double_booked"),
    ],
)
def test_check_added_meeting_breaks_named_rule(meeting: Meeting, code: str) -> None:
    assert code in codes(make_problem(), (*VALID, meeting))


def test_check_candidate_outside_window_is_absent() -> None:
    meetings = (Meeting(1, "e1", 1, "c3"),)

    assert codes(make_problem(), meetings) == ["candidate_absent"]


def test_check_third_candidate_at_two_seat_table_is_over_capacity() -> None:
    problem = make_problem()
    meetings = (Meeting(2, "e1", 1, "c1"), Meeting(2, "e1", 1, "c2"), Meeting(2, "e1", 1, "c3"))

    assert codes(problem, meetings) == ["table_over_capacity"]


def test_check_pair_meeting_twice_is_repeated() -> None:
    meetings = (Meeting(1, "e1", 1, "c1"), Meeting(2, "e1", 1, "c1"))

    assert codes(make_problem(), meetings) == ["pair_repeated"]


def test_check_meetings_above_maximum_are_flagged() -> None:
    problem = make_problem()
    meetings = (Meeting(1, "e1", 1, "c1"), Meeting(2, "e2", 1, "c1"))
    tight = Problem(
        problem.rounds,
        problem.employers,
        (Candidate("c1", ALL, 1, 1), *problem.candidates[1:]),
        problem.pairs,
    )

    assert codes(tight, meetings) == ["max_meetings_exceeded"]


def test_check_missing_lock_is_flagged() -> None:
    problem = make_problem(locked=(Locked("c3", "e1", 2),))

    assert codes(problem, VALID) == ["locked_missing"]


def test_check_lock_at_other_table_is_moved() -> None:
    problem = make_problem(locked=(Locked("c1", "e2", 2, 2),))

    assert codes(problem, VALID) == ["locked_moved"]


def test_check_violation_names_the_offending_meeting() -> None:
    meetings = (Meeting(1, "e1", 1, "c1"), Meeting(1, "e2", 1, "c1"))

    violations = check(make_problem(), Solution(meetings))

    assert [(v.code, v.index) for v in violations] == [("candidate_double_booked", 1)]
    assert violations[0].message == "meeting c1/e2 round 1 table 1: candidate already has a talk in round 1"


def test_place_locks_puts_unnamed_locks_at_emptiest_table() -> None:
    problem = make_problem(locked=(Locked("c1", "e2", 1, 1), Locked("c2", "e2", 1)))

    placed = place_locks(problem)

    assert placed == [Meeting(1, "e2", 1, "c1"), Meeting(1, "e2", 2, "c2")]
    assert check_meetings(problem, placed) == []


def test_context_of_meetings_holds_only_their_listed_pairs() -> None:
    meetings = (Meeting(1, "e1", 1, "c1"), Meeting(3, "e2", 1, "c3"))

    ctx = Context.of(make_problem(), meetings)

    assert ctx.pairs == frozenset({("c1", "e1")})
    assert Context.of(make_problem()).pairs == frozenset(
        {("c1", "e1"), ("c1", "e2"), ("c2", "e1"), ("c2", "e2"), ("c3", "e1")}
    )
