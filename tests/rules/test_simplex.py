"""The small simplex solver against SciPy's HiGHS, on random bounded programs."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.rules.simplex import INFINITY, Row, minimise

scipy_optimize = pytest.importorskip("scipy.optimize")


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[Row], list[float], list[float]]:
    n = draw(st.integers(2, 7))
    m = draw(st.integers(1, 4))
    low = [float(draw(st.integers(-3, 3))) for _ in range(n)]
    high = [lo + draw(st.sampled_from([0, 1, 2, 5, 40])) if draw(st.booleans()) else INFINITY
            for lo in low]
    # A feasible point in quarters: the solver meets whole counts, and fractions of a quarter
    # keep HiGHS's tolerance and ours from disagreeing over a point 1e-7 outside a bound.
    point = [lo + (min(h - lo, 3) if not math.isinf(h) else 2) * draw(st.integers(0, 4)) / 4
             for lo, h in zip(low, high, strict=True)]
    feasible = draw(st.booleans())
    rows = []
    for _ in range(m):
        coefficients = {j: float(draw(st.sampled_from([-1, 1, 2]))) for j in range(n)
                        if draw(st.booleans())}
        constant = sum(a * point[j] for j, a in coefficients.items())
        rows.append(Row(coefficients, constant if feasible else constant + draw(
            st.sampled_from([0.0, 7.5]))))
    costs = [float(draw(st.integers(-3, 3))) for _ in range(n)]
    return costs, rows, low, high


@settings(max_examples=400)
@given(programs())
def test_the_optimum_matches_highs(program: tuple[list[float], list[Row], list[float],
                                                  list[float]]) -> None:
    costs, rows, low, high = program
    n = len(costs)
    a_eq = [[row.coefficients.get(j, 0.0) for j in range(n)] for row in rows]
    reference = scipy_optimize.linprog(
        costs, A_eq=a_eq, b_eq=[row.constant for row in rows],
        bounds=[(lo, None if math.isinf(h) else h) for lo, h in zip(low, high, strict=True)],
        method="highs")
    ours = minimise(costs, rows, low, high)
    if reference.status != 0:
        assert ours is None, reference.message
        return
    assert ours is not None, "HiGHS found an optimum"
    assert sum(c * x for c, x in zip(costs, ours, strict=True)) == pytest.approx(
        reference.fun, abs=1e-6)
    for row in rows:
        assert sum(a * ours[j] for j, a in row.coefficients.items()) == pytest.approx(
            row.constant, abs=1e-6)
    assert all(lo - 1e-7 <= x <= h + 1e-7 for x, lo, h in zip(ours, low, high, strict=True))
