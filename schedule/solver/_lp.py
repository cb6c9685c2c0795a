"""Maximum-weight bipartite b-matching with a bonus tier on each node, solved as a network LP by HiGHS.

Why scipy's private HiGHS binding (``scipy.optimize._highspy._core``) and not only the public ``linprog``:
the priced LP below adds columns and re-solves from the previous basis, which ``linprog`` cannot do (it has no
warm start), and ``linprog`` spends about 50 ms a solve on marginals we never read. Measured by
``bench/bench_highs.py`` (both paths in one process, BENCHMARKS.md "The private HiGHS binding"): without the
binding every LP takes 1.2 to 1.6 times as long. On a quiet machine the re-plan on the large fair still meets
its 0.5 s target either way (0.27 s against 0.19 s), but with two other busy processes on the two cores, as on
the event day when the same cores answer the door's scans, the public path's re-plan takes 0.86 s against the
binding's 0.49 s (medians). The binding is used only where it has the shape this code knows; otherwise every
LP goes through ``linprog`` (tests pin both paths to the same answers), so a scipy release that changes it
costs speed, never a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csc_array

# Measured on the large fair: presolve finds nothing to remove in a network LP, and devex pricing
# beats the default dual steepest edge here (0.42 s instead of 0.6 s for the flow).
_SIMPLEX_OPTIONS = {"presolve": False, "simplex_dual_edge_weight_strategy": "devex"}
_HUNGARIAN_CELLS = 250_000  # dense matrix size below which linear_sum_assignment beats the LP
# A value-only b-matching with more edges than this is priced (see _priced_lp). Measured on the large
# fair: at 60k edges the priced LP takes about 60 % of the plain one; at medium size it gains nothing.
PRICED_EDGES = 20_000
_PRICED_SPARE = 4  # edges per left node beyond its capacity in the first subset (fewest re-solves)
_PRICED_ROUNDS = 50  # re-solves before giving up on pricing and solving the plain LP
_DUAL_TOLERANCE = 1e-7  # HiGHS's dual feasibility tolerance, applied to the left-out edges as to its own

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Tiers = tuple[FloatArray, FloatArray, FloatArray]


@dataclass(frozen=True, slots=True)
class _Network:
    """The b-matching as a network LP over renumbered nodes: the left nodes' rows first, then the right nodes'.

    Edge i joins left node `left[i]` and right node `right[i]` and is worth `value[i]`; the tier columns are
    `_tier_columns`'s, and `left_cap` is each left node's capacity over both tiers."""

    n_left: int
    n_rows: int
    left: IntArray
    right: IntArray
    value: FloatArray
    tier_rows: IntArray
    tier_cost: FloatArray
    tier_upper: FloatArray
    left_cap: FloatArray


def bmatch(
    n_left: int,
    n_right: int,
    left: IntArray,
    right: IntArray,
    value: FloatArray,
    left_tiers: Tiers,
    right_tiers: Tiers,
    *,
    method: str = "auto",
    any_optimum: bool = False,
) -> BoolArray:
    """Chosen edges of a max-value b-matching; each node takes `cap1` edges worth `bonus` each, then `cap2` more.

    Each tier is (cap1, bonus, cap2). The constraint matrix is a bipartite incidence matrix plus unit
    columns, so it is totally unimodular and the dual simplex vertex is integral: no MIP is needed.
    Small problems where every left node takes at most one edge go to the Hungarian method instead,
    which skips the LP's fixed overhead. `any_optimum` says the caller reads only the optimal value, so
    a large LP may be priced (`_priced_lp`), which can return another optimal vertex when optima tie.
    `method` "hungarian", "lp" or "priced" forces a path (tests compare them).
    """
    m = len(value)
    if m == 0:
        return np.zeros(0, dtype=np.bool_)
    # Only nodes with edges matter; renumbering them keeps the LP (or the matrix) small.
    left_nodes, left = np.unique(left, return_inverse=True)
    right_nodes, right = np.unique(right, return_inverse=True)
    n_left, n_right = len(left_nodes), len(right_nodes)
    left_tiers = (left_tiers[0][left_nodes], left_tiers[1][left_nodes], left_tiers[2][left_nodes])
    right_tiers = (right_tiers[0][right_nodes], right_tiers[1][right_nodes], right_tiers[2][right_nodes])
    seats = (right_tiers[0] + right_tiers[2]).astype(np.int64)
    left_cap = left_tiers[0] + left_tiers[2]
    unit_left = left_cap.max() <= 1
    if method == "hungarian" or (method == "auto" and unit_left and n_left * int(seats.sum()) <= _HUNGARIAN_CELLS):
        return _hungarian(left, right, value, left_tiers, right_tiers, seats)
    tier_rows, tier_cost, tier_upper = _tier_columns(n_left, n_right, left_tiers, right_tiers)
    network = _Network(
        n_left=n_left,
        n_rows=n_left + n_right,
        left=left,
        right=right,
        value=value,
        tier_rows=tier_rows,
        tier_cost=tier_cost,
        tier_upper=tier_upper,
        left_cap=left_cap,
    )
    if method == "priced" or (method == "auto" and any_optimum and m > PRICED_EDGES):
        priced = _priced_lp(network)
        if priced is not None:
            return priced
    return _lp(network)


def _lp(network: _Network) -> BoolArray:
    """Chosen edges of the b-matching LP: one column per edge, then the tier columns of each node."""
    n_left, n_rows, left, right, value = network.n_left, network.n_rows, network.left, network.right, network.value
    tier_rows, tier_cost, tier_upper = network.tier_rows, network.tier_cost, network.tier_upper
    m = len(value)
    # Equality per node: tier1 + tier2 - sum of incident edges = 0. The matrix is built column-wise
    # directly: each edge column holds -1 at its left row and its right row, each tier column a 1.
    index = np.concatenate([_edge_rows(n_left, left, right), tier_rows]).astype(np.int32)
    start = np.concatenate([np.arange(0, 2 * m, 2), np.arange(2 * m, 2 * m + len(tier_rows) + 1)]).astype(np.int32)
    data = np.concatenate([np.full(2 * m, -1.0), np.ones(len(tier_rows))])
    cost = np.concatenate([-value, tier_cost])
    upper = np.concatenate([np.ones(m), tier_upper])
    direct = _highs_dual_simplex(n_rows, start, index, data, cost, upper)
    if direct is not None:
        return np.asarray(direct[:m] > 0.5)
    a_eq = csc_array((data, index, start), shape=(n_rows, len(cost)))
    bounds = np.column_stack([np.zeros(len(cost)), upper])
    res = linprog(
        cost,
        A_eq=a_eq,
        b_eq=np.zeros(n_rows),
        bounds=bounds,
        method="highs-ds",
        options=_SIMPLEX_OPTIONS,
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - the LP is always feasible (x = 0) and bounded
        raise RuntimeError(f"b-matching LP failed: {res.message}")
    chosen: BoolArray = np.asarray(res.x[:m] > 0.5)
    return chosen


def _edge_rows(n_left: int, left: IntArray, right: IntArray) -> IntArray:
    """The two rows of each edge column, interleaved: left node, then right node (rows sorted per column)."""
    rows = np.empty(2 * len(left), dtype=np.int64)
    rows[0::2] = left
    rows[1::2] = n_left + right
    return rows


def _tier_columns(
    n_left: int, n_right: int, left_tiers: Tiers, right_tiers: Tiers
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Row, cost and upper bound of the tier columns: every left node's two tiers, then every right node's."""
    l_cap1, l_bonus, l_cap2 = left_tiers
    r_cap1, r_bonus, r_cap2 = right_tiers
    lefts, rights = np.arange(n_left), n_left + np.arange(n_right)
    rows = np.concatenate([lefts, lefts, rights, rights])
    cost = -np.concatenate([l_bonus, np.zeros(n_left), r_bonus, np.zeros(n_right)])
    upper = np.concatenate([l_cap1, l_cap2, r_cap1, r_cap2]).astype(np.float64)
    return rows, cost, upper


def _highs_dual_simplex(
    n_rows: int, start: Any, index: Any, data: FloatArray, cost: FloatArray, upper: FloatArray
) -> FloatArray | None:
    """min cost·x with A x = 0 and 0 <= x <= upper, A given column-wise, by HiGHS's dual simplex; None when unavailable.

    ``linprog`` runs the same HiGHS solve but then computes bound marginals in a Python loop over every
    column (about 50 ms per solve on the large fair), which we never read.
    """
    highs = _highs(n_rows)
    if highs is None or not _add_columns(highs, start, index, data, cost, upper) or not _run(highs):
        return None
    return np.asarray(highs.getSolution().col_value, dtype=np.float64)


def _highs(n_rows: int) -> Any | None:
    """A HiGHS instance with our simplex options and `n_rows` rows fixed at 0; None when scipy lacks one we know.

    scipy's private module is used only when it has the shape this code knows; otherwise the caller falls
    back to ``linprog``. Rows and columns go in through addRows/addCols, which read numpy arrays as buffers:
    assigning them to a HighsLp's fields instead copies element by element (about 40 ms on the large fair).
    """
    try:
        from scipy.optimize._highspy import _core as highs_core
    except ImportError:  # pragma: no cover - other scipy versions
        return None
    try:
        options = highs_core.HighsOptions()
        options.presolve = "off"
        options.solver = "simplex"
        options.simplex_strategy = highs_core.simplex_constants.SimplexStrategy.kSimplexStrategyDual
        options.simplex_dual_edge_weight_strategy = (
            highs_core.simplex_constants.SimplexEdgeWeightStrategy.kSimplexEdgeWeightStrategyDevex
        )
        options.output_flag = False
        options.log_to_console = False
        highs = highs_core._Highs()
        if highs.passOptions(options) == highs_core.HighsStatus.kError:
            return None
        zeros = np.zeros(n_rows)
        no_entries = np.zeros(0, dtype=np.int32)
        status = highs.addRows(n_rows, zeros, zeros, 0, no_entries, no_entries, np.zeros(0))
        if status == highs_core.HighsStatus.kError:
            return None
        return highs
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - a scipy whose private API differs
        return None


def _add_columns(highs: Any, start: Any, index: Any, data: FloatArray, cost: FloatArray, upper: FloatArray) -> bool:
    """Append columns (CSC: `start` has one entry per column, or one more) with lower bounds 0; False on error."""
    from scipy.optimize._highspy import _core as highs_core

    n = len(cost)
    try:
        status = highs.addCols(
            n,
            np.ascontiguousarray(cost, dtype=np.float64),
            np.zeros(n),
            np.ascontiguousarray(upper, dtype=np.float64),
            len(index),
            np.ascontiguousarray(start[:n], dtype=np.int32),
            np.ascontiguousarray(index, dtype=np.int32),
            np.ascontiguousarray(data, dtype=np.float64),
        )
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - a scipy whose private API differs
        return False
    return bool(status != highs_core.HighsStatus.kError)


def _run(highs: Any) -> bool:
    """Solve; whether HiGHS reports an optimum."""
    from scipy.optimize._highspy import _core as highs_core

    highs.run()
    return bool(highs.getModelStatus() == highs_core.HighsModelStatus.kOptimal)


def _priced_lp(network: _Network) -> BoolArray | None:
    """An optimal b-matching solved over a subset of the edges and certified by the duals; None when unavailable.

    A node takes only a few of its edges, so most edges are zero at an optimum, yet each one costs the
    simplex pricing work. The LP starts with each left node's heaviest edges (its capacity plus
    _PRICED_SPARE). After each solve, a left-out edge whose reduced cost (its cost less the duals of its two
    rows) is negative could improve the objective: all such edges are added and the LP re-solved from the
    previous basis, again by the dual simplex: every column is boxed, so HiGHS makes that basis dual feasible
    by putting each new column at its upper bound (on the large fair the primal simplex, which keeps the old
    primal solution, took about twice as long for a re-solve's few hundred iterations). When no left-out edge
    has a negative reduced cost, the restricted optimum satisfies the full LP's optimality conditions (with
    the tolerance HiGHS applies to its own columns), so its value is the full LP's. Where optima tie, the
    vertex may differ from `_lp`'s.
    """
    n_left, left, right, value = network.n_left, network.left, network.right, network.value
    tier_rows, tier_cost, tier_upper = network.tier_rows, network.tier_cost, network.tier_upper
    m = len(value)
    highs = _highs(network.n_rows)
    if highs is None:
        return None
    cap = network.left_cap.astype(np.int64)
    # Each edge's rank among its left node's edges, heaviest first.
    by_left = np.lexsort((-value, left))
    first = np.searchsorted(left[by_left], np.arange(n_left))
    rank = np.empty(m, dtype=np.int64)
    rank[by_left] = np.arange(m) - first[left[by_left]]
    inside = rank < cap[left] + _PRICED_SPARE
    if not _add_columns(highs, np.arange(len(tier_rows)), tier_rows, np.ones(len(tier_rows)), tier_cost, tier_upper):
        return None  # pragma: no cover - a scipy whose private API differs
    added = np.flatnonzero(inside)
    columns: list[IntArray] = []  # the edge of each HiGHS column after the tier columns, batch by batch
    for _ in range(_PRICED_ROUNDS):
        columns.append(added)
        edge_rows = _edge_rows(n_left, left[added], right[added])
        start = np.arange(0, 2 * len(added), 2)
        if not _add_columns(highs, start, edge_rows, np.full(2 * len(added), -1.0), -value[added], np.ones(len(added))):
            return None  # pragma: no cover - a scipy whose private API differs
        if not _run(highs):
            return None  # pragma: no cover - the LP is always feasible (x = 0) and bounded
        dual = np.asarray(highs.getSolution().row_dual, dtype=np.float64)
        outside = np.flatnonzero(~inside)
        reduced = -value[outside] + dual[left[outside]] + dual[n_left + right[outside]]
        added = outside[reduced < -_DUAL_TOLERANCE]
        if len(added) == 0:
            x = np.asarray(highs.getSolution().col_value, dtype=np.float64)[len(tier_rows) :]
            chosen = np.zeros(m, dtype=np.bool_)
            chosen[np.concatenate(columns)[x > 0.5]] = True
            return chosen
        inside[added] = True
    return None  # pragma: no cover - never reached on the benchmark families (at most 3 solves)


def _hungarian(
    left: IntArray,
    right: IntArray,
    value: FloatArray,
    left_tiers: tuple[FloatArray, FloatArray, FloatArray],
    right_tiers: tuple[FloatArray, FloatArray, FloatArray],
    seats: IntArray,
) -> BoolArray:
    """The same b-matching as a dense assignment: one column per seat, bonus seats first."""
    n_left, m = int(left.max()) + 1, len(value)
    start = np.concatenate([[0], np.cumsum(seats)[:-1]])
    n_cols = int(seats.sum())
    owner = np.repeat(np.arange(len(seats)), seats)
    seat_no = np.arange(n_cols) - start[owner]
    seat_bonus = np.where(seat_no < right_tiers[0][owner], right_tiers[1][owner], 0.0)
    row_ok = (left_tiers[0] + left_tiers[2]) > 0
    row_bonus = np.where(left_tiers[0] > 0, left_tiers[1], 0.0)
    # Every edge repeated once per seat of its right node.
    per_edge = seats[right]
    edge = np.repeat(np.arange(m), per_edge)
    col = start[right[edge]] + (np.arange(len(edge)) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge))
    keep = row_ok[left[edge]]
    edge, col = edge[keep], col[keep]
    gain = np.zeros((n_left, n_cols))
    gain[left[edge], col] = value[edge] + row_bonus[left[edge]] + seat_bonus[col]
    edge_of = np.full((n_left, len(seats)), -1, dtype=np.int64)
    edge_of[left, right] = np.arange(m)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    hit = gain[rows, cols] > 0
    chosen = np.zeros(m, dtype=np.bool_)
    chosen[edge_of[rows[hit], owner[cols[hit]]]] = True
    return chosen
