"""Benchmark the scheduler against its flow bound and two baselines; prints a Markdown table.

Run from the repository root:

    python bench/bench_solver.py                   # all sizes, seeds 0-2, both instance families
    python bench/bench_solver.py --sizes small --seeds 0 --runs 1   # a quick look

For each generated instance it measures our solver (median of --runs in this warm process), the
greedy round-by-round fill, the full time-indexed MILP (HiGHS through scipy) under --milp-limit,
and a re-plan after 10 % no-shows at round 3. Gaps are against the flow upper bound.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schedule.instance import problem_to_json  # noqa: E402
from schedule.solver.baselines import full_milp, greedy  # noqa: E402
from schedule.solver.bound import Bound, bound  # noqa: E402
from schedule.solver.generate import generate  # noqa: E402
from schedule.solver.replan import replan, residual_problem  # noqa: E402
from schedule.solver.rules import check  # noqa: E402
from schedule.solver.solve import solve  # noqa: E402
from schedule.solver.types import Problem, Solution  # noqa: E402

MILP_LIMIT = {"small": 10.0, "medium": 20.0, "large": 30.0}


@dataclass
class Row:
    """Figures of one method on one (size, family) over the seeds."""

    times: list[float] = field(default_factory=list)
    short: list[int] = field(default_factory=list)  # fairness below the bound
    gaps: list[float] = field(default_factory=list)  # weight gap to the bound, percent
    below: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    missing: int = 0  # runs without a schedule (MILP found none in time)
    invalid: int = 0

    def add(self, solution: Solution | None, seconds: float, ceiling: Bound, problem: Problem) -> None:
        self.times.append(seconds)
        if solution is None or solution.stats is None:
            self.missing += 1
            return
        s = solution.stats
        self.short.append(ceiling.fairness - s.fairness)
        self.gaps.append(100.0 * (ceiling.weight - s.weight) / ceiling.weight if ceiling.weight else 0.0)
        self.below.append(s.below_min)
        if s.moved is not None:
            self.moved.append(s.moved)
        self.invalid += bool(check(problem, solution))

    def cells(self) -> list[str]:
        t = sorted(self.times)
        timing = f"{statistics.median(t):.3f} ({t[0]:.3f}-{t[-1]:.3f})" if t else "-"
        found = len(self.gaps)
        gap = f"{statistics.median(self.gaps):.3f} / {max(self.gaps):.3f}" if found else "-"
        no_schedule = f" ({self.missing} without a schedule)" if self.missing else ""
        return [
            timing,
            (str(sum(self.short)) if found else "-") + no_schedule,
            gap,
            str(sum(self.below)) if found else "-",
            str(sum(self.moved)) if self.moved else "-",
            str(self.invalid),
        ]


def timed(run: object, *args: object, **kwargs: object) -> tuple[Solution | None, float]:
    started = time.perf_counter()
    result = run(*args, **kwargs)  # type: ignore[operator]
    return result, time.perf_counter() - started


def _milp_child(problem: Problem, limit: float, ceiling: Bound, conn: object) -> None:
    conn.send(full_milp(problem, time_limit=limit, ceiling=ceiling))  # type: ignore[attr-defined]


def milp_walled(problem: Problem, limit: float, wall: float, ceiling: Bound) -> tuple[Solution | None, float]:
    """The full MILP in a child process killed after `wall` seconds: HiGHS can overrun its own time
    limit by minutes on the large fair (it does not check the limit while building and presolving)."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_milp_child, args=(problem, limit, ceiling, send))
    started = time.perf_counter()
    child.start()
    solution = receive.recv() if receive.poll(wall) else None
    seconds = time.perf_counter() - started
    child.kill()
    child.join()
    return solution, seconds


def cli_large_seconds(seed: int) -> float:
    """Wall time of the whole `schedule solve` command on the large size, start-up and imports included."""
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "large.json"
        instance.write_text(json.dumps(problem_to_json(generate("large", seed))))
        command = [sys.executable, "-c", "from schedule.cli import schedule_group; schedule_group()"]
        started = time.perf_counter()
        output = str(Path(tmp) / "out.json")
        subprocess.run(  # noqa: S603
            [*command, "solve", str(instance), "-o", output], check=True, cwd=ROOT, stdout=subprocess.DEVNULL
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--families", default="spec,short")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of our solver per instance (median)")
    parser.add_argument("--milp-limit", type=float, default=None, help="seconds; default 10/20/30 by size")
    parser.add_argument(
        "--milp-grace", type=float, default=60.0, help="seconds past the limit before the MILP is killed"
    )
    parser.add_argument("--no-milp", action="store_true", help="skip the full MILP baseline")
    parser.add_argument("--cli", action="store_true", help="also time the whole CLI solve on large (3 runs)")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    families = args.families.split(",")

    print(f"command: python bench/bench_solver.py {' '.join(sys.argv[1:])}".rstrip())
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}, numpy {np.__version__}")
    print()
    print(
        "| size | family | method | time [s] median (range) | fairness short of bound "
        "| weight gap % median / max | below min | moved | invalid |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        for family in families:
            rows = {name: Row() for name in ("bound", "ours", "greedy", "milp", "replan")}
            for seed in seeds:
                problem = generate(size, seed, short_windows=family == "short")
                ceiling, seconds = timed(bound, problem)
                rows["bound"].times.append(seconds)
                solution: Solution | None = None
                times = []
                for _ in range(args.runs):
                    solution, seconds = timed(solve, problem, seed=seed)
                    times.append(seconds)
                rows["ours"].add(solution, statistics.median(times), ceiling, problem)
                rows["greedy"].add(*timed(greedy, problem, seed=seed, ceiling=ceiling), ceiling, problem)
                if not args.no_milp:
                    limit = args.milp_limit or MILP_LIMIT[size]
                    rows["milp"].add(*milp_walled(problem, limit, limit + args.milp_grace, ceiling), ceiling, problem)
                assert solution is not None
                rng = np.random.default_rng(seed)
                ids = [c.id for c in problem.candidates]
                absent = [ids[int(k)] for k in rng.choice(len(ids), size=len(ids) // 10, replace=False)]
                replans = [
                    timed(replan, problem, solution, from_round=3, absent=absent, seed=seed) for _ in range(args.runs)
                ]
                new = replans[-1][0]
                replan_bound = Bound(new.stats.fairness_bound, new.stats.weight_bound) if new and new.stats else ceiling
                # A re-plan obeys the instance as it stands at round 3 (history locked, absentees gone).
                residual = residual_problem(problem, solution, from_round=3, absent=absent)
                rows["replan"].add(new, statistics.median(t for _, t in replans), replan_bound, residual)
            names = {"bound": "flow bound", "ours": "**bm_colour (ours)**", "greedy": "greedy", "milp": "full MILP"}
            names["replan"] = "re-plan, 10 % no-shows at round 3"
            for name, row in rows.items():
                if name == "milp" and args.no_milp:
                    continue
                cells = row.cells() if name != "bound" else [row.cells()[0], "-", "-", "-", "-", "-"]
                print(f"| {size} | {family} | {names[name]} | " + " | ".join(cells) + " |")
            sys.stdout.flush()
    if args.cli:
        runs = sorted(cli_large_seconds(seed) for seed in seeds[:3])
        print()
        figures = ", ".join(f"{t:.2f}" for t in runs)
        median = statistics.median(runs)
        print(f"whole CLI `schedule solve` on large (start-up, imports, JSON included): median {median:.2f} s")
        print(f"runs: {figures}")


if __name__ == "__main__":
    main()
