"""The JSON instance and solution format `meetmatch-schedule/1` (documented in schedule/README.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from schedule.solver.rules import check_meetings, place_locks
from schedule.solver.types import Candidate, Employer, Locked, Meeting, Pair, Problem, Quality, Solution, Stats

FORMAT = "meetmatch-schedule/1"


class InstanceError(ValueError):
    """Malformed input; the message names the offending entry, e.g. `candidates[3]: duplicate id "c7"`."""


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InstanceError(f"{where}: expected an object")
    return value


def _fields(entry: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    for key in entry:
        if key not in required | optional:
            raise InstanceError(f"{where}: unknown field {key!r}")
    for key in sorted(required):
        if key not in entry:
            raise InstanceError(f"{where}: missing field {key!r}")


def _int(entry: Mapping[str, Any], key: str, where: str, *, low: int, default: int | None = None) -> int:
    value = entry.get(key, default)
    # bool is an int in Python, but `true` as a number of tables is a mistake in the file.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InstanceError(f"{where}: {key} must be an integer, not {value!r}")
    if value < low:
        raise InstanceError(f"{where}: {key} must be at least {low}, not {value}")
    return value


def _id(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InstanceError(f"{where}: {key} must be a non-empty string, not {value!r}")
    return value


def _list(doc: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise InstanceError(f"{where}{key}: expected a list")
    return value


def _rounds(entry: Mapping[str, Any], where: str, rounds: int) -> frozenset[int]:
    if "rounds" not in entry:
        return frozenset(range(1, rounds + 1))
    value = entry["rounds"]
    if not isinstance(value, list):
        raise InstanceError(f"{where}: rounds must be a list of round numbers")
    seen: set[int] = set()
    for r in value:
        if not isinstance(r, int) or isinstance(r, bool) or not 1 <= r <= rounds:
            raise InstanceError(f"{where}: round {r!r} is not in 1..{rounds}")
        if r in seen:
            raise InstanceError(f"{where}: round {r} is listed twice")
        seen.add(r)
    return frozenset(seen)


def _check_format(doc: Mapping[str, Any]) -> None:
    if doc.get("format") != FORMAT:
        raise InstanceError(f"format: expected {FORMAT!r}, not {doc.get('format')!r}")


def problem_from_json(data: object) -> Problem:
    """Parse and validate an instance document; raise InstanceError naming the first bad entry."""
    doc = _obj(data, "instance")
    _fields(
        doc,
        "instance",
        {"format", "rounds", "employers", "candidates", "pairs"},
        {"min_meetings", "max_meetings", "locked"},
    )
    _check_format(doc)
    rounds = _int(doc, "rounds", "instance", low=1)
    min_default = _int(doc, "min_meetings", "instance", low=0, default=0)
    max_default = _int(doc, "max_meetings", "instance", low=0, default=rounds)

    employers: list[Employer] = []
    for n, raw in enumerate(_list(doc, "employers")):
        where = f"employers[{n}]"
        entry = _obj(raw, where)
        _fields(entry, where, {"id", "tables"}, {"seats", "rounds"})
        employers.append(
            Employer(
                _id(entry, "id", where),
                _int(entry, "tables", where, low=1),
                _int(entry, "seats", where, low=1, default=1),
                _rounds(entry, where, rounds),
            )
        )
    candidates: list[Candidate] = []
    for n, raw in enumerate(_list(doc, "candidates")):
        where = f"candidates[{n}]"
        entry = _obj(raw, where)
        _fields(entry, where, {"id"}, {"rounds", "min_meetings", "max_meetings"})
        candidates.append(
            Candidate(
                _id(entry, "id", where),
                _rounds(entry, where, rounds),
                _int(entry, "min_meetings", where, low=0, default=min_default),
                _int(entry, "max_meetings", where, low=0, default=max_default),
            )
        )
    # Ids are unique across both kinds, so `--absent c7,e3` is never ambiguous.
    kinds: dict[str, str] = {}
    for label, ids in (("employers", [e.id for e in employers]), ("candidates", [c.id for c in candidates])):
        for n, person in enumerate(ids):
            if person in kinds:
                raise InstanceError(f'{label}[{n}]: duplicate id "{person}"')
            kinds[person] = label

    pairs: list[Pair] = []
    seen_pairs: set[tuple[str, str]] = set()
    for n, raw in enumerate(_list(doc, "pairs")):
        where = f"pairs[{n}]"
        entry = _obj(raw, where)
        _fields(entry, where, {"candidate", "employer", "weight"}, set())
        cand, emp = _person(entry, where, kinds)
        weight = entry["weight"]
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 1:
            raise InstanceError(f"{where}: weight must be a positive integer, not {weight!r}")
        if (cand, emp) in seen_pairs:
            raise InstanceError(f"{where}: duplicate pair {cand}/{emp}")
        seen_pairs.add((cand, emp))
        pairs.append(Pair(cand, emp, weight))

    tables = {e.id: e.tables for e in employers}
    locked: list[Locked] = []
    for n, raw in enumerate(_list(doc, "locked")):
        where = f"locked[{n}]"
        entry = _obj(raw, where)
        _fields(entry, where, {"candidate", "employer", "round"}, {"table"})
        cand, emp = _person(entry, where, kinds)
        r = _int(entry, "round", where, low=1)
        if r > rounds:
            raise InstanceError(f"{where}: round {r} is not in 1..{rounds}")
        table = None
        if "table" in entry:
            table = _int(entry, "table", where, low=1)
            if table > tables[emp]:
                raise InstanceError(f"{where}: table {table} is not in 1..{tables[emp]}")
        locked.append(Locked(cand, emp, r, table))

    problem = Problem(
        rounds, tuple(employers), tuple(candidates), tuple(pairs), tuple(locked), min_default, max_default
    )
    # Locked meetings must obey the same hard rules as any schedule; the shared rules say which broke.
    for violation in check_meetings(problem, place_locks(problem)):
        raise InstanceError(f"locked[{violation.index}]: {violation.message}")
    return problem


def _person(entry: Mapping[str, Any], where: str, kinds: Mapping[str, str]) -> tuple[str, str]:
    cand = _id(entry, "candidate", where)
    emp = _id(entry, "employer", where)
    if kinds.get(cand) != "candidates":
        raise InstanceError(f'{where}: unknown candidate "{cand}"')
    if kinds.get(emp) != "employers":
        raise InstanceError(f'{where}: unknown employer "{emp}"')
    return cand, emp


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The instance document; per-person values equal to the defaults are left out."""
    every = frozenset(range(1, problem.rounds + 1))
    employers: list[dict[str, Any]] = []
    for e in problem.employers:
        entry: dict[str, Any] = {"id": e.id, "tables": e.tables}
        if e.seats != 1:
            entry["seats"] = e.seats
        if e.rounds != every:
            entry["rounds"] = sorted(e.rounds)
        employers.append(entry)
    candidates: list[dict[str, Any]] = []
    for c in problem.candidates:
        entry = {"id": c.id}
        if c.rounds != every:
            entry["rounds"] = sorted(c.rounds)
        if c.min_meetings != problem.min_meetings:
            entry["min_meetings"] = c.min_meetings
        if c.max_meetings != problem.max_meetings:
            entry["max_meetings"] = c.max_meetings
        candidates.append(entry)
    locked: list[dict[str, Any]] = []
    for lock in problem.locked:
        entry = {"candidate": lock.candidate, "employer": lock.employer, "round": lock.round}
        if lock.table is not None:
            entry["table"] = lock.table
        locked.append(entry)
    return {
        "format": FORMAT,
        "rounds": problem.rounds,
        "min_meetings": problem.min_meetings,
        "max_meetings": problem.max_meetings,
        "employers": employers,
        "candidates": candidates,
        "pairs": [{"candidate": p.candidate, "employer": p.employer, "weight": p.weight} for p in problem.pairs],
        "locked": locked,
    }


def problem_of(instance: dict[str, Any]) -> Problem:
    """A stored version's instance (the app wrote it after `problem_from_json`'s checks) as a Problem, read
    without those checks: 60,000 pairs in a tenth of the time, which keeps the pages of a large fair quick."""
    every = frozenset(range(1, instance["rounds"] + 1))
    low, high = instance["min_meetings"], instance["max_meetings"]
    return Problem(
        rounds=instance["rounds"],
        employers=tuple(
            Employer(e["id"], e["tables"], e.get("seats", 1), frozenset(e["rounds"]) if "rounds" in e else every)
            for e in instance["employers"]
        ),
        candidates=tuple(
            Candidate(
                c["id"],
                frozenset(c["rounds"]) if "rounds" in c else every,
                c.get("min_meetings", low),
                c.get("max_meetings", high),
            )
            for c in instance["candidates"]
        ),
        pairs=tuple(Pair(p["candidate"], p["employer"], p["weight"]) for p in instance["pairs"]),
        locked=tuple(
            Locked(lk["candidate"], lk["employer"], lk["round"], lk.get("table")) for lk in instance["locked"]
        ),
        min_meetings=low,
        max_meetings=high,
    )


_STAT_FIELDS = {
    "fairness": int,
    "fairness_bound": int,
    "weight": int,
    "weight_bound": int,
    "below_min": int,
    "solve_seconds": float,
}


def solution_from_json(data: object) -> Solution:
    """Parse a solution document's structure; whether it obeys the rules is `check()`'s job."""
    doc = _obj(data, "solution")
    _fields(doc, "solution", {"format", "meetings"}, {"stats"})
    _check_format(doc)
    meetings: list[Meeting] = []
    for n, raw in enumerate(_list(doc, "meetings")):
        where = f"meetings[{n}]"
        entry = _obj(raw, where)
        _fields(entry, where, {"candidate", "employer", "round", "table"}, set())
        meetings.append(
            Meeting(
                _int(entry, "round", where, low=-(2**31)),
                _id(entry, "employer", where),
                _int(entry, "table", where, low=-(2**31)),
                _id(entry, "candidate", where),
            )
        )
    return Solution(tuple(meetings), _stats(doc.get("stats")))


def _stats(raw: object) -> Stats | None:
    """Stats as written by this module, or None when they are absent or incomplete (they are informative)."""
    if not isinstance(raw, dict) or any(not isinstance(raw.get(k), (int, float)) for k in _STAT_FIELDS):
        return None
    moved = raw.get("moved")
    return Stats(
        fairness=int(raw["fairness"]),
        fairness_bound=int(raw["fairness_bound"]),
        weight=int(raw["weight"]),
        weight_bound=int(raw["weight_bound"]),
        below_min=int(raw["below_min"]),
        solve_seconds=float(raw["solve_seconds"]),
        seed=int(raw.get("seed", 0)),
        method=str(raw.get("method", "")),
        moved=int(moved) if isinstance(moved, int) else None,
    )


def solution_to_json(solution: Solution) -> dict[str, Any]:
    """The solution document, meetings sorted by round, employer, table, candidate."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "meetings": [
            {"candidate": m.candidate, "employer": m.employer, "round": m.round, "table": m.table}
            for m in sorted(solution.meetings)
        ],
    }
    s = solution.stats
    if s is not None:
        gap = 100.0 * (s.weight_bound - s.weight) / s.weight_bound if s.weight_bound else 0.0
        stats: dict[str, Any] = {
            "fairness": s.fairness,
            "fairness_bound": s.fairness_bound,
            "weight": s.weight,
            "weight_bound": s.weight_bound,
            "weight_gap_percent": round(gap, 3),
            "below_min": s.below_min,
            "solve_seconds": round(s.solve_seconds, 4),
            "seed": s.seed,
            "method": s.method,
        }
        if s.moved is not None:
            stats["moved"] = s.moved
        doc["stats"] = stats
    return doc


def read_json(path: Path) -> object:
    """The JSON document in `path`, or InstanceError naming the file and the position of a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InstanceError(f"{path}: not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(f"{path}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError:
        # Arrays or objects nested thousands deep: no instance or solution is; refused, never a traceback.
        raise InstanceError(f"{path}: not valid JSON: nested too deep") from None


def read_problem(path: Path) -> Problem:
    """Read and validate an instance file."""
    return problem_from_json(read_json(path))


def read_solution(path: Path) -> Solution:
    """Read a solution file."""
    return solution_from_json(read_json(path))


def quality_to_json(q: Quality) -> dict[str, Any]:
    """The quality figures as a JSON object (the app's quality panel shows the same)."""
    return {
        "fairness": q.fairness,
        "fairness_bound": q.fairness_bound,
        "fairness_short": q.fairness_short,
        "weight": q.weight,
        "weight_bound": q.weight_bound,
        "weight_gap_percent": q.weight_gap_percent,
        "below_min": q.below_min,
        "meetings": q.meetings,
        "talks_histogram": [{"talks": t, "candidates": n} for t, n in q.talks_histogram],
        "empty_seats_per_round": list(q.empty_seats_per_round),
    }
