"""A small linear program solver: minimise ``c·x`` subject to ``A x = b`` and ``lo <= x <= hi``.

Disclosure control asks many small questions of this shape ("can this withheld count be 4,
given everything published, and what is the least that must be withheld for that?"), tens of
variables each. This is the bounded-variable primal simplex method, in floating point with
Bland's rule against cycling; :mod:`auditapp.rules.suppression` never trusts its answer
without checking it exactly in whole numbers. ``tests/rules/test_simplex.py`` holds it to
SciPy's HiGHS on random programs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EPSILON = 1e-9
INFINITY = math.inf
#: A safety net against a bug looping forever; Bland's rule itself never cycles.
MAX_PIVOTS = 20_000


@dataclass(frozen=True)
class Row:
    """One equation: the sum of coefficient times variable equals ``constant``."""

    coefficients: Mapping[int, float]
    constant: float


def minimise(costs: Sequence[float], rows: Sequence[Row], low: Sequence[float],
             high: Sequence[float]) -> list[float] | None:
    """A solution minimising ``costs``, or None when there is none (infeasible, or
    unbounded below). ``low`` must be finite; ``high`` may be :data:`INFINITY`."""
    n = len(costs)
    upper = [h - lo for lo, h in zip(low, high, strict=True)]
    if any(u < -EPSILON for u in upper):
        return None
    # Shift to 0 <= y <= upper, and make every right-hand side non-negative.
    table: list[list[float]] = []
    rhs: list[float] = []
    for row in rows:
        line = [0.0] * n
        constant = row.constant
        for j, a in row.coefficients.items():
            line[j] += a
            constant -= a * low[j]
        if constant < 0:
            line = [-a for a in line]
            constant = -constant
        table.append(line)
        rhs.append(constant)
    m = len(table)
    # One artificial variable per row (columns n..n+m-1), the starting basis.
    for i, line in enumerate(table):
        line.extend(1.0 if k == i else 0.0 for k in range(m))
    solver = _Simplex(table, rhs, [*upper, *([INFINITY] * m)], list(range(n, n + m)))
    if not solver.run([0.0] * n + [1.0] * m):
        return None
    if sum(solver.value(n + i) for i in range(m)) > 1e-7:
        return None  # infeasible
    for k in range(n, n + m):
        solver.upper[k] = 0.0  # artificials stay at zero from here on
    if not solver.run([*costs, *([0.0] * m)]):
        return None  # unbounded
    return [low[j] + solver.value(j) for j in range(n)]


class _Simplex:
    """The tableau of the bounded-variable simplex method."""

    def __init__(self, table: list[list[float]], rhs: list[float], upper: list[float],
                 basis: list[int]) -> None:
        self.table = table
        self.basic_values = rhs
        self.upper = upper
        self.basis = basis
        self.at_upper = [False] * len(upper)

    def value(self, j: int) -> float:
        """The current value of variable ``j``."""
        if j in self.basis:
            return self.basic_values[self.basis.index(j)]
        return self.upper[j] if self.at_upper[j] else 0.0

    def run(self, costs: Sequence[float]) -> bool:
        """Pivot to an optimum of ``costs``; False when the objective is unbounded."""
        for _ in range(MAX_PIVOTS):
            entering = self._entering(costs)
            if entering is None:
                return True
            if not self._step(*entering):
                return False
        raise RuntimeError("the simplex method did not converge")

    def _entering(self, costs: Sequence[float]) -> tuple[int, int] | None:
        """The first variable (Bland's rule) whose move lowers the cost, and its direction."""
        basic = set(self.basis)
        for j in range(len(costs)):
            if j in basic or self.upper[j] <= EPSILON and not self.at_upper[j]:
                continue
            reduced = costs[j] - sum(costs[b] * row[j] for b, row in zip(self.basis, self.table,
                                                                         strict=True))
            if reduced < -EPSILON and not self.at_upper[j]:
                return j, 1
            if reduced > EPSILON and self.at_upper[j]:
                return j, -1
        return None

    def _step(self, j: int, direction: int) -> bool:
        """Move variable ``j`` up (1) or down (-1) as far as the bounds allow."""
        limit, leaving, rising = self.upper[j], -1, False
        for i, row in enumerate(self.table):
            change = -direction * row[j]  # how the basic variable moves per unit step
            if abs(change) <= EPSILON:
                continue
            b = self.basis[i]
            room = (self.basic_values[i] / -change if change < 0
                    else (self.upper[b] - self.basic_values[i]) / change)
            room = max(room, 0.0)
            if room < limit - EPSILON or (abs(room - limit) <= EPSILON and leaving >= 0
                                          and b < self.basis[leaving]):
                limit, leaving, rising = room, i, change > 0
        if math.isinf(limit):
            return False
        for i, row in enumerate(self.table):
            self.basic_values[i] -= direction * row[j] * limit
        if leaving < 0:  # the variable reaches its other bound and stays out of the basis
            self.at_upper[j] = not self.at_upper[j]
            return True
        start = self.upper[j] if self.at_upper[j] else 0.0
        self.at_upper[self.basis[leaving]] = rising  # it leaves at the bound it reached
        self._pivot(leaving, j)
        self.basic_values[leaving] = start + direction * limit
        self.at_upper[j] = False
        return True

    def _pivot(self, r: int, j: int) -> None:
        pivot_row = self.table[r]
        scale = pivot_row[j]
        pivot_row[:] = [a / scale for a in pivot_row]
        for i, row in enumerate(self.table):
            factor = row[j]
            if i != r and abs(factor) > 0:
                row[:] = [a - factor * p for a, p in zip(row, pivot_row, strict=True)]
        self.basis[r] = j
