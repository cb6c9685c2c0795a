"""The JSON format meetmatch-schedule/1: round trips and clear errors naming the entry."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from schedule.instance import (
    InstanceError,
    problem_from_json,
    problem_to_json,
    read_problem,
    solution_from_json,
    solution_to_json,
)
from schedule.solver.generate import generate
from schedule.solver.solve import solve
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Solution

EXAMPLE: dict[str, Any] = {
    "format": "meetmatch-schedule/1",
    "rounds": 6,
    "min_meetings": 2,
    "max_meetings": 4,
    "employers": [{"id": "e1", "tables": 2, "seats": 1, "rounds": [1, 2, 3, 4, 5, 6]}],
    "candidates": [{"id": "c1", "rounds": [1, 2, 3], "min_meetings": 1, "max_meetings": 3}],
    "pairs": [{"candidate": "c1", "employer": "e1", "weight": 7}],
    "locked": [{"candidate": "c1", "employer": "e1", "round": 2}],
}


def test_problem_from_json_reads_the_documented_example() -> None:
    problem = problem_from_json(EXAMPLE)

    assert problem.employers == (Employer("e1", 2, 1, frozenset(range(1, 7))),)
    assert problem.candidates == (Candidate("c1", frozenset({1, 2, 3}), 1, 3),)
    assert problem.pairs == (Pair("c1", "e1", 7),)
    assert problem.locked == (Locked("c1", "e1", 2, None),)


def test_problem_from_json_applies_defaults() -> None:
    doc = {
        "format": "meetmatch-schedule/1",
        "rounds": 3,
        "min_meetings": 1,
        "max_meetings": 2,
        "employers": [{"id": "e1", "tables": 1}],
        "candidates": [{"id": "c1"}],
        "pairs": [],
    }

    problem = problem_from_json(doc)

    assert problem.employers == (Employer("e1", 1, 1, frozenset({1, 2, 3})),)
    assert problem.candidates == (Candidate("c1", frozenset({1, 2, 3}), 1, 2),)


def test_problem_json_round_trip_is_identity() -> None:
    problem = generate("small", 3)

    assert problem_from_json(json.loads(json.dumps(problem_to_json(problem)))) == problem


def test_solution_json_round_trip_keeps_meetings_and_stats() -> None:
    problem = generate("small", 3)
    solution = solve(problem)

    again = solution_from_json(json.loads(json.dumps(solution_to_json(solution))))

    assert again.meetings == solution.meetings
    assert again.stats is not None
    assert solution.stats is not None
    assert (again.stats.fairness, again.stats.weight_bound) == (solution.stats.fairness, solution.stats.weight_bound)


def broken(path: str, value: object) -> dict[str, Any]:
    """EXAMPLE with one entry replaced; path like 'candidates.0.id' (a value of ... deletes)."""
    doc = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target: Any = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (broken("format", "other/2"), "format: expected 'meetmatch-schedule/1', not 'other/2'"),
        (broken("rounds", 0), "instance: rounds must be at least 1, not 0"),
        (broken("rounds", "6"), "instance: rounds must be an integer, not '6'"),
        (broken("employers.0.tables", True), "employers[0]: tables must be an integer, not True"),
        (broken("employers.0.seats", 0), "employers[0]: seats must be at least 1, not 0"),
        (broken("employers.0.rounds", [1, 7]), "employers[0]: round 7 is not in 1..6"),
        (broken("employers.0.tabels", 1), "employers[0]: unknown field 'tabels'"),
        (broken("candidates.0.id", ...), "candidates[0]: missing field 'id'"),
        (broken("candidates.0.id", "e1"), 'candidates[0]: duplicate id "e1"'),
        (broken("candidates.0.rounds", [2, 2]), "candidates[0]: round 2 is listed twice"),
        (broken("candidates.0.max_meetings", -1), "candidates[0]: max_meetings must be at least 0, not -1"),
        (broken("pairs.0.weight", -3), "pairs[0]: weight must be a positive integer, not -3"),
        (broken("pairs.0.candidate", "c9"), 'pairs[0]: unknown candidate "c9"'),
        (broken("pairs.0.employer", "c1"), 'pairs[0]: unknown employer "c1"'),
        (broken("locked.0.round", 9), "locked[0]: round 9 is not in 1..6"),
        (broken("locked.0.table", 3), "locked[0]: table 3 is not in 1..2"),
        (
            broken("locked.0.round", 5),
            "locked[0]: meeting c1/e1 round 5 table 1: candidate is not present in round 5",
        ),
        (broken("pairs", "none"), "pairs: expected a list"),
    ],
)
def test_problem_from_json_malformed_entry_is_named(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(InstanceError) as info:
        problem_from_json(doc)

    assert str(info.value) == message


def test_problem_from_json_duplicate_candidate_is_named() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["candidates"] += [{"id": "c2"}, {"id": "c1"}]

    with pytest.raises(InstanceError) as info:
        problem_from_json(doc)

    assert str(info.value) == 'candidates[2]: duplicate id "c1"'


def test_problem_from_json_two_locks_in_one_round_are_refused() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["employers"].append({"id": "e2", "tables": 1})
    doc["pairs"].append({"candidate": "c1", "employer": "e2", "weight": 1})
    doc["locked"].append({"candidate": "c1", "employer": "e2", "round": 2})

    with pytest.raises(InstanceError) as info:
        problem_from_json(doc)

    assert str(info.value) == "locked[1]: meeting c1/e2 round 2 table 1: candidate already has a talk in round 2"


def test_read_problem_invalid_json_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": ', encoding="utf-8")

    with pytest.raises(InstanceError) as info:
        read_problem(path)

    assert str(info.value) == f"{path}: not valid JSON: line 1 column 12: Expecting value"


def test_solution_from_json_meeting_without_table_is_named() -> None:
    doc = {"format": "meetmatch-schedule/1", "meetings": [{"candidate": "c1", "employer": "e1", "round": 1}]}

    with pytest.raises(InstanceError) as info:
        solution_from_json(doc)

    assert str(info.value) == "meetings[0]: missing field 'table'"


def test_solution_to_json_lists_meetings_in_order() -> None:
    solution = Solution((Meeting(2, "e1", 1, "c1"), Meeting(1, "e1", 1, "c2")))

    assert solution_to_json(solution)["meetings"] == [
        {"candidate": "c2", "employer": "e1", "round": 1, "table": 1},
        {"candidate": "c1", "employer": "e1", "round": 2, "table": 1},
    ]
