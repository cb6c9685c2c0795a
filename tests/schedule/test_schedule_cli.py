"""`meetmatch schedule ...` through click's runner, and the cost of importing it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from schedule.cli import schedule_group
from schedule.instance import problem_from_json, solution_from_json
from schedule.solver.rules import check


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def instance(runner: CliRunner, tmp_path: Path) -> Path:
    path = tmp_path / "small.json"
    result = runner.invoke(schedule_group, ["generate", "--size", "small", "--seed", "4", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def solved(runner: CliRunner, instance: Path, tmp_path: Path) -> Path:
    path = tmp_path / "solution.json"
    result = runner.invoke(schedule_group, ["solve", str(instance), "-o", str(path), "--seed", "2"])
    assert result.exit_code == 0, result.output
    return path


def test_cli_solve_writes_valid_solution_with_stats(instance: Path, solved: Path) -> None:
    problem = problem_from_json(json.loads(instance.read_text()))
    doc = json.loads(solved.read_text())

    assert check(problem, solution_from_json(doc)) == []
    assert set(doc["stats"]) >= {"fairness", "fairness_bound", "weight", "weight_bound", "below_min", "solve_seconds"}


def test_cli_check_valid_solution_exits_zero_with_figures(runner: CliRunner, instance: Path, solved: Path) -> None:
    result = runner.invoke(schedule_group, ["check", str(instance), str(solved)])

    assert result.exit_code == 0
    assert "0 violation(s)" in result.output
    assert "empty seats/round" in result.output


def test_cli_check_json_reports_quality_figures(runner: CliRunner, instance: Path, solved: Path) -> None:
    result = runner.invoke(schedule_group, ["check", str(instance), str(solved), "--json"])

    doc = json.loads(result.output)
    stats = json.loads(solved.read_text())["stats"]
    assert result.exit_code == 0
    assert doc["violations"] == []
    assert (doc["quality"]["fairness"], doc["quality"]["weight_bound"]) == (stats["fairness"], stats["weight_bound"])
    assert set(doc["quality"]) >= {"talks_histogram", "empty_seats_per_round", "weight_gap_percent", "below_min"}


def test_cli_check_broken_solution_lists_violations_and_exits_one(
    runner: CliRunner, instance: Path, solved: Path
) -> None:
    doc = json.loads(solved.read_text())
    first = doc["meetings"][0]
    doc["meetings"].append(dict(first))
    solved.write_text(json.dumps(doc))

    result = runner.invoke(schedule_group, ["check", str(instance), str(solved)])

    assert result.exit_code == 1
    assert "violation candidate_double_booked:" in result.output
    assert "violation pair_repeated:" in result.output


def test_cli_replan_writes_complete_new_solution(
    runner: CliRunner, instance: Path, solved: Path, tmp_path: Path
) -> None:
    new = tmp_path / "new.json"

    result = runner.invoke(
        schedule_group,
        ["replan", str(instance), str(solved), "--from-round", "3", "--absent", "c7,c12,e3", "-o", str(new)],
    )

    old = json.loads(solved.read_text())["meetings"]
    doc = json.loads(new.read_text())
    assert result.exit_code == 0, result.output
    assert [m for m in doc["meetings"] if m["round"] < 3] == [m for m in old if m["round"] < 3]
    assert [
        m for m in doc["meetings"] if m["round"] >= 3 and {m["candidate"], m["employer"]} & {"c7", "c12", "e3"}
    ] == []
    surviving = [m for m in old if m["round"] >= 3 and not {m["candidate"], m["employer"]} & {"c7", "c12", "e3"}]
    kept = [m for m in surviving if m in doc["meetings"]]
    assert len(surviving) - len(kept) == doc["stats"]["moved"]
    assert doc["stats"]["fairness"] == doc["stats"]["fairness_bound"]


def test_cli_solve_duplicate_id_exits_two_without_output(runner: CliRunner, instance: Path, tmp_path: Path) -> None:
    doc = json.loads(instance.read_text())
    doc["candidates"][3]["id"] = doc["candidates"][6]["id"]
    instance.write_text(json.dumps(doc))
    out = tmp_path / "out.json"

    result = runner.invoke(schedule_group, ["solve", str(instance), "-o", str(out)])

    assert result.exit_code == 2
    assert result.stderr == 'error: candidates[6]: duplicate id "c7"\n'
    assert not out.exists()
    assert list(tmp_path.glob(".out.json*")) == []


def test_cli_solve_not_json_exits_two(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json")

    result = runner.invoke(schedule_group, ["solve", str(bad), "-o", str(tmp_path / "out.json")])

    assert result.exit_code == 2
    assert result.stderr == f"error: {bad}: not valid JSON: line 1 column 1: Expecting value\n"


def test_cli_replan_unknown_absent_id_exits_two(
    runner: CliRunner, instance: Path, solved: Path, tmp_path: Path
) -> None:
    new = tmp_path / "new.json"

    result = runner.invoke(
        schedule_group, ["replan", str(instance), str(solved), "--from-round", "2", "--absent", "zz", "-o", str(new)]
    )

    assert result.exit_code == 2
    assert result.stderr == "error: absent: unknown id 'zz'\n"
    assert not new.exists()


def test_cli_generate_same_seed_writes_same_instance(runner: CliRunner, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"

    for path in (a, b):
        runner.invoke(schedule_group, ["generate", "--size", "small", "--seed", "9", "-o", str(path)])

    assert a.read_text() == b.read_text()


def test_cli_import_loads_no_numeric_or_web_modules() -> None:
    code = (
        "import sys, schedule.cli; "
        "print(sorted(m for m in ('numpy', 'scipy', 'litestar', 'sqlalchemy', 'weasyprint') if m in sys.modules))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout == "[]\n"


def test_solver_import_loads_no_web_modules() -> None:
    code = (
        "import sys, schedule.solver.solve, schedule.solver.replan, schedule.instance; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('litestar', 'sqlalchemy', 'advanced_alchemy', 'weasyprint', 'events', 'badges')))"
    )

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout == "[]\n"
