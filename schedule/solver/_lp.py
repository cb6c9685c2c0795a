"""Maximum-weight bipartite b-matching with a bonus tier on each node, solved as a network LP by HiGHS."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment, linprog
from scipy.sparse import csr_array

# Measured on the large fair: presolve finds nothing to remove in a network LP, and devex pricing
# beats the default dual steepest edge here (0.42 s instead of 0.6 s for the flow).
_SIMPLEX_OPTIONS = {"presolve": False, "simplex_dual_edge_weight_strategy": "devex"}
_HUNGARIAN_CELLS = 250_000  # dense matrix size below which linear_sum_assignment beats the LP

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def bmatch(
    n_left: int,
    n_right: int,
    left: IntArray,
    right: IntArray,
    value: FloatArray,
    left_tiers: tuple[FloatArray, FloatArray, FloatArray],
    right_tiers: tuple[FloatArray, FloatArray, FloatArray],
    *,
    method: str = "auto",
) -> BoolArray:
    """Chosen edges of a max-value b-matching; each node takes `cap1` edges worth `bonus` each, then `cap2` more.

    Each tier is (cap1, bonus, cap2). The constraint matrix is a bipartite incidence matrix plus unit
    columns, so it is totally unimodular and the dual simplex vertex is integral: no MIP is needed.
    Small problems where every left node takes at most one edge go to the Hungarian method instead,
    which skips the LP's fixed overhead.
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
    unit_left = (left_tiers[0] + left_tiers[2]).max() <= 1
    if method == "hungarian" or (method == "auto" and unit_left and n_left * int(seats.sum()) <= _HUNGARIAN_CELLS):
        return _hungarian(left, right, value, left_tiers, right_tiers, seats)
    return _lp(n_left, n_right, left, right, value, left_tiers, right_tiers)


def _lp(
    n_left: int,
    n_right: int,
    left: IntArray,
    right: IntArray,
    value: FloatArray,
    left_tiers: tuple[FloatArray, FloatArray, FloatArray],
    right_tiers: tuple[FloatArray, FloatArray, FloatArray],
) -> BoolArray:
    """Chosen edges of the b-matching LP."""
    m = len(value)
    l_cap1, l_bonus, l_cap2 = left_tiers
    r_cap1, r_bonus, r_cap2 = right_tiers
    n_vars = m + 2 * n_left + 2 * n_right
    # Equality per node: tier1 + tier2 - sum of incident edges = 0.
    edge_cols = np.arange(m)
    rows = np.concatenate(
        [
            left,
            n_left + right,
            np.arange(n_left),
            np.arange(n_left),
            n_left + np.arange(n_right),
            n_left + np.arange(n_right),
        ]
    )
    cols = np.concatenate(
        [
            edge_cols,
            edge_cols,
            m + np.arange(n_left),
            m + n_left + np.arange(n_left),
            m + 2 * n_left + np.arange(n_right),
            m + 2 * n_left + n_right + np.arange(n_right),
        ]
    )
    data = np.concatenate([-np.ones(2 * m), np.ones(2 * n_left + 2 * n_right)])
    a_eq = csr_array((data, (rows, cols)), shape=(n_left + n_right, n_vars))
    cost = -np.concatenate([value, l_bonus, np.zeros(n_left), r_bonus, np.zeros(n_right)])
    upper = np.concatenate([np.ones(m), l_cap1, l_cap2, r_cap1, r_cap2]).astype(np.float64)
    direct = _highs_dual_simplex(cost, a_eq.tocsc(), upper)
    if direct is not None:
        return np.asarray(direct[:m] > 0.5)
    bounds = np.column_stack([np.zeros(n_vars), upper])
    res = linprog(
        cost,
        A_eq=a_eq,
        b_eq=np.zeros(n_left + n_right),
        bounds=bounds,
        method="highs-ds",
        options=_SIMPLEX_OPTIONS,
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - the LP is always feasible (x = 0) and bounded
        raise RuntimeError(f"b-matching LP failed: {res.message}")
    chosen: BoolArray = np.asarray(res.x[:m] > 0.5)
    return chosen


def _highs_dual_simplex(cost: FloatArray, a_eq: Any, upper: FloatArray) -> FloatArray | None:
    """min cost·x with A x = 0 and 0 <= x <= upper, by HiGHS's dual simplex called directly; None when unavailable.

    ``linprog`` runs the same HiGHS solve but then computes bound marginals in a Python loop over every
    column (about 50 ms per solve on the large fair), which we never read. Its private module is used only
    when it has the shape this code knows; otherwise the caller falls back to ``linprog``.
    """
    try:
        from scipy.optimize._highspy import _core as highs_core
    except ImportError:  # pragma: no cover - other scipy versions
        return None
    try:
        n_rows, n_cols = a_eq.shape
        lp = highs_core.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = n_rows
        lp.a_matrix_.num_col_ = n_cols
        lp.a_matrix_.num_row_ = n_rows
        lp.a_matrix_.format_ = highs_core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a_eq.indptr
        lp.a_matrix_.index_ = a_eq.indices
        lp.a_matrix_.value_ = a_eq.data
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(n_cols)
        lp.col_upper_ = upper
        lp.row_lower_ = np.zeros(n_rows)
        lp.row_upper_ = np.zeros(n_rows)
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
        if highs.passModel(lp) == highs_core.HighsStatus.kError:
            return None
        highs.run()
        if highs.getModelStatus() != highs_core.HighsModelStatus.kOptimal:
            return None
        return np.asarray(highs.getSolution().col_value, dtype=np.float64)
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - a scipy whose private API differs
        return None


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
