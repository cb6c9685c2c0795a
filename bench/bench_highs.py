"""Scipy's private HiGHS binding against its public `linprog`, in the scheduler as it runs; prints a Markdown table.

Run from the repository root:

    python bench/bench_highs.py                      # large, both families, seeds 0-2, 5 runs each
    python bench/bench_highs.py --seeds 0 --runs 1   # a quick look

`schedule/solver/_lp.py` solves its LPs through `scipy.optimize._highspy._core` where scipy has it, and falls
back to the public `scipy.optimize.linprog` (method "highs-ds") where it does not. This bench times both paths
in one process, interleaved run by run so that the machine's load falls on both alike: the public one by
making the private binding unavailable, exactly as on a scipy without it. Without the binding the re-plan
cannot re-solve its bound's LP from the previous basis after pricing (linprog has no warm start), so it
solves the whole LP from scratch. The schedules are compared too: both paths must give the same weight and
fairness.

`--busy N` runs N processes that keep a core busy meanwhile, as on the event day, when the same two cores that
re-plan also answer the door's scans and the dashboards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import scipy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schedule.solver import _lp
from schedule.solver.generate import generate
from schedule.solver.replan import replan
from schedule.solver.solve import solve
from schedule.solver.types import Problem, Solution


@contextmanager
def public_highs() -> Iterator[None]:
    """Run the solver as on a scipy without the private binding: every LP through `linprog`."""
    private = _lp._highs
    _lp._highs = lambda n_rows: None
    try:
        yield
    finally:
        _lp._highs = private


def timed(run: Callable[[], Solution]) -> tuple[Solution, float]:
    started = time.perf_counter()
    solution = run()
    return solution, time.perf_counter() - started


def figures(solution: Solution) -> tuple[float, int]:
    assert solution.stats is not None
    return round(solution.stats.weight, 6), solution.stats.fairness


def absentees(problem: Problem, seed: int) -> list[str]:
    """10 % of the candidates, drawn by seed (as bench_solver.py draws them)."""
    rng = np.random.default_rng(seed)
    ids = [c.id for c in problem.candidates]
    return [ids[int(k)] for k in rng.choice(len(ids), size=len(ids) // 10, replace=False)]


def spin(stop: Any) -> None:
    """Keep one core busy until told to stop."""
    while not stop.is_set():
        sum(range(10_000))


@contextmanager
def busy(processes: int) -> Iterator[None]:
    """`processes` busy cores for the duration."""
    stop = multiprocessing.Event()
    workers = [multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--families", default="spec,short")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each path per instance (median)")
    parser.add_argument("--busy", type=int, default=0, help="processes that keep a core busy meanwhile")
    args = parser.parse_args()
    with busy(args.busy):
        measure(args)


def measure(args: argparse.Namespace) -> None:
    seeds = [int(s) for s in args.seeds.split(",")]

    print(f"command: python bench/bench_highs.py {' '.join(sys.argv[1:])}".rstrip())
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}")
    print()
    header = "| size | family | step | private binding [s] median (range) | public linprog [s] median (range)"
    print(header + " | public / private |")
    print("|---|---|---|---|---|---|")
    for family in args.families.split(","):
        times: dict[tuple[str, str], list[float]] = {}
        for seed in seeds:
            problem = generate(args.size, seed, short_windows=family == "short")
            absent = absentees(problem, seed)
            base = solve(problem, seed=seed)
            steps: dict[str, Callable[[], Solution]] = {
                "solve": partial(solve, problem, seed=seed),
                "re-plan, 10 % no-shows at round 3": partial(
                    replan, problem, base, from_round=3, absent=absent, seed=seed
                ),
            }
            for step, run in steps.items():
                per_path: dict[str, list[float]] = {"private": [], "public": []}
                results: dict[str, tuple[float, int]] = {}
                for _ in range(args.runs):
                    solution, seconds = timed(run)
                    per_path["private"].append(seconds)
                    results["private"] = figures(solution)
                    with public_highs():
                        solution, seconds = timed(run)
                    per_path["public"].append(seconds)
                    results["public"] = figures(solution)
                if results["private"] != results["public"]:
                    raise SystemExit(f"{family} seed {seed} {step}: the paths differ: {results}")
                for path, values in per_path.items():
                    times.setdefault((step, path), []).append(statistics.median(values))
        for step in ("solve", "re-plan, 10 % no-shows at round 3"):
            cells = []
            for path in ("private", "public"):
                values = times[(step, path)]
                cells.append(f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
            ratio = statistics.median(times[(step, "public")]) / statistics.median(times[(step, "private")])
            print(f"| {args.size} | {family} | {step} | {cells[0]} | {cells[1]} | {ratio:.2f} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
