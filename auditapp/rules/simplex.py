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
#: Pivots in a row that do not lower the cost before Bland's rule takes over.
STALL = 50


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
        self.reduced: list[float] = []  # the reduced costs of the objective being minimised

    def value(self, j: int) -> float:
        """The current value of variable ``j``."""
        if j in self.basis:
            return self.basic_values[self.basis.index(j)]
        return self.upper[j] if self.at_upper[j] else 0.0

    def run(self, costs: Sequence[float]) -> bool:
        """Pivot to an optimum of ``costs``; False when the objective is unbounded.

        Dantzig's rule (the steepest reduced cost) for speed; after a run of pivots that
        do not lower the cost, Bland's rule, which cannot cycle."""
        self.reduced = list(costs)
        for b, row in zip(self.basis, self.table, strict=True):
            if costs[b]:
                self.reduced = [r - costs[b] * a for r, a in zip(self.reduced, row, strict=True)]
        stalled = 0
        for _ in range(MAX_PIVOTS):
            entering = self._entering(bland=stalled > STALL)
            if entering is None:
                return True
            j, direction = entering
            gain = abs(self.reduced[j])  # what the objective falls per unit step
            step = self._step(j, direction)
            if step is None:
                return False
            stalled = stalled + 1 if gain * step <= EPSILON else 0
        raise RuntimeError("the simplex method did not converge")

    def _entering(self, bland: bool) -> tuple[int, int] | None:
        """A variable whose move lowers the cost, and its direction: the steepest, or with
        ``bland`` the first."""
        basic = set(self.basis)
        best: tuple[int, int] | None = None
        steepest = EPSILON
        for j, reduced in enumerate(self.reduced):
            if j in basic or self.upper[j] <= EPSILON and not self.at_upper[j]:
                continue
            gain = -reduced if not self.at_upper[j] else reduced
            if gain > steepest:
                best, steepest = (j, 1 if not self.at_upper[j] else -1), gain
                if bland:
                    return best
        return best

    def _step(self, j: int, direction: int) -> float | None:
        """Move variable ``j`` up (1) or down (-1) as far as the bounds allow; how far it
        moved, or None when nothing bounds the move (the objective is unbounded)."""
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
            return None
        for i, row in enumerate(self.table):
            self.basic_values[i] -= direction * row[j] * limit
        if leaving < 0:  # the variable reaches its other bound and stays out of the basis
            self.at_upper[j] = not self.at_upper[j]
            return limit
        start = self.upper[j] if self.at_upper[j] else 0.0
        self.at_upper[self.basis[leaving]] = rising  # it leaves at the bound it reached
        self._pivot(leaving, j)
        self.basic_values[leaving] = start + direction * limit
        self.at_upper[j] = False
        return limit

    def _pivot(self, r: int, j: int) -> None:
        pivot_row = self.table[r]
        scale = pivot_row[j]
        pivot_row[:] = [a / scale for a in pivot_row]
        # The rows are sums over a few figures each: only the pivot row's non-zeros matter.
        nonzero = [(k, p) for k, p in enumerate(pivot_row) if p]
        for row in (*(row for i, row in enumerate(self.table) if i != r), self.reduced):
            factor = row[j]
            if factor:
                for k, p in nonzero:
                    row[k] -= factor * p
        self.basis[r] = j
