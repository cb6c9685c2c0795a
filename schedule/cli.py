"""`meetmatch schedule ...`: solve, check, re-plan and generate instances from the command line.

Only click, json and the standard library load with this module; numpy, scipy and the solver are
imported inside the commands, so `meetmatch --help` stays fast. Other modules add commands to
`schedule_group` with `schedule_group.add_command(...)`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)
OUTPUT = click.Path(dir_okay=False, path_type=Path)


@click.group(name="schedule")
def schedule_group() -> None:
    """Build and check speed-date programmes (JSON format meetmatch-schedule/1)."""


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@contextmanager
def _input_errors() -> Iterator[None]:
    """Turn malformed input into `error: ...` on stderr and exit code 2, never a traceback."""
    from schedule.instance import InstanceError
    from schedule.solver.replan import ReplanError

    try:
        yield
    except (InstanceError, ReplanError) as exc:
        _fail(str(exc))


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write all or nothing: a temporary file beside the target, renamed into place."""
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    try:
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path())
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        _fail(f"{path}: cannot write: {exc.strerror}")


def _say(path: Path) -> Callable[[str], None]:
    """Where to print a summary: stderr when the document itself goes to stdout."""
    to_err = str(path) == "-"
    return lambda text: click.echo(text, err=to_err)


def _summary(stats: Any) -> str:
    gap = 100.0 * (stats.weight_bound - stats.weight) / stats.weight_bound if stats.weight_bound else 0.0
    moved = f", moved {stats.moved}" if stats.moved is not None else ""
    return (
        f"fairness {stats.fairness}/{stats.fairness_bound}, weight {stats.weight}/{stats.weight_bound} "
        f"(gap {gap:.3f} %), below minimum {stats.below_min}{moved}, {stats.solve_seconds:.3f} s"
    )


@schedule_group.command()
@click.argument("instance", type=EXISTING)
@click.option("-o", "--output", type=OUTPUT, required=True, help="Solution file to write ('-' for stdout).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for deterministic tie-breaking.")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    default=None,
    help="Let the exact MILP polish run up to S seconds when below the bound (up to 100k meeting variables).",
)
def solve(instance: Path, output: Path, seed: int, time_limit: float | None) -> None:
    """Build a schedule for INSTANCE.json."""
    from schedule.instance import read_problem, solution_to_json
    from schedule.solver.solve import solve as run

    with _input_errors():
        problem = read_problem(instance)
    solution = run(problem, seed=seed, time_limit=time_limit)
    _write_json(output, solution_to_json(solution))
    _say(output)(_summary(solution.stats))


@schedule_group.command()
@click.argument("instance", type=EXISTING)
@click.argument("solution", type=EXISTING)
@click.option("--json", "as_json", is_flag=True, help="Print violations and quality figures as JSON.")
def check(instance: Path, solution: Path, as_json: bool) -> None:
    """List every rule SOLUTION.json breaks (exit 1 if any) and its quality figures."""
    from schedule.instance import quality_to_json, read_problem, read_solution
    from schedule.solver.quality import quality
    from schedule.solver.rules import check as run

    with _input_errors():
        problem = read_problem(instance)
        sol = read_solution(solution)
    violations = run(problem, sol)
    figures = quality(problem, sol)
    if as_json:
        doc = {
            "violations": [{"code": v.code, "message": v.message, "index": v.index} for v in violations],
            "quality": quality_to_json(figures),
        }
        click.echo(json.dumps(doc, indent=1))
    else:
        for v in violations:
            click.echo(f"violation {v.code}: {v.message}")
        click.echo(f"{len(violations)} violation(s)")
        click.echo(f"fairness          {figures.fairness} of bound {figures.fairness_bound}")
        click.echo(f"total weight      {figures.weight} of bound {figures.weight_bound}")
        click.echo(f"weight gap        {figures.weight_gap_percent:.3f} %")
        click.echo(f"below minimum     {figures.below_min} candidate(s)")
        click.echo(f"meetings          {figures.meetings}")
        histogram = ", ".join(f"{talks}: {count}" for talks, count in figures.talks_histogram)
        click.echo(f"talks/candidate   {histogram}")
        click.echo(f"empty seats/round {' '.join(str(n) for n in figures.empty_seats_per_round)}")
    sys.exit(1 if violations else 0)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@schedule_group.command()
@click.argument("instance", type=EXISTING)
@click.argument("solution", type=EXISTING)
@click.option("--from-round", type=int, required=True, help="First round to re-plan; earlier rounds stay.")
@click.option("--absent", default="", help="Comma-separated ids of people who left or never came.")
@click.option("--arrived", default="", help="Comma-separated ids of people who are here after all.")
@click.option("-o", "--output", type=OUTPUT, required=True, help="New solution file ('-' for stdout).")
@click.option("--seed", type=int, default=0, show_default=True)
def replan(instance: Path, solution: Path, from_round: int, absent: str, arrived: str, output: Path, seed: int) -> None:
    """Re-plan rounds FROM-ROUND.. of SOLUTION.json after no-shows, keeping every meeting that can stay."""
    from schedule.instance import read_problem, read_solution, solution_to_json
    from schedule.solver.replan import replan as run

    with _input_errors():
        problem = read_problem(instance)
        sol = read_solution(solution)
        new = run(problem, sol, from_round=from_round, absent=_ids(absent), arrived=_ids(arrived), seed=seed)
    _write_json(output, solution_to_json(new))
    _say(output)(_summary(new.stats))


@schedule_group.command()
@click.option("--size", type=click.Choice(["small", "medium", "large"]), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--short-windows", is_flag=True, help="Half the candidates stay only 2-4 rounds (stress variant).")
@click.option("-o", "--output", type=OUTPUT, required=True, help="Instance file ('-' for stdout).")
def generate(size: str, seed: int, short_windows: bool, output: Path) -> None:
    """Write a realistic seeded instance (popular employers, windows, group tables, locks)."""
    from schedule.instance import problem_to_json
    from schedule.solver.generate import generate as run

    problem = run(size, seed, short_windows=short_windows)
    _write_json(output, problem_to_json(problem))
    _say(output)(
        f"{len(problem.employers)} employers, {len(problem.candidates)} candidates, {problem.rounds} rounds, "
        f"{len(problem.pairs)} pairs, {len(problem.locked)} locked"
    )
