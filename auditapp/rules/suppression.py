"""Small-number suppression for published figures (domain.md section 5).

Primary suppression: a count from 1 to ``threshold - 1`` is shown as ``<5`` (for the
default threshold of 5). Secondary suppression: further counts are shown as ``c`` until no
suppressed count can be worked out from the figures that remain. A percentage is shown
only when both of its counts are shown. Zeros are always shown.

The figures and the sums that tie them together (a total and its parts) are registered in
a :class:`DisclosureModel`. A reader is assumed to know every shown figure exactly, that a
``<5`` figure lies between 1 and threshold - 1, that a ``c`` figure is at least the
threshold, that a figure the document never shows (registered as unshown, because a sum
needs it) is not negative, and every registered sum. Only shown counts are protected.
A suppressed figure counts as worked out when those
facts pin it to one value: either by linear algebra alone (exact reduction of the sums) or
by combining the sums with those bounds (integer bounds propagation, which finds every
disclosure within one sum and most across several).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from auditapp.errors import UserError

#: The threshold N when none is chosen: counts from 1 to N - 1 are withheld.
DEFAULT_THRESHOLD = 5
#: The thresholds a user may choose: below 2 nothing is withheld; far above 50 a board pack
#: would withhold nearly everything.
MIN_THRESHOLD, MAX_THRESHOLD = 2, 50
Key = Hashable
TOTAL = "total"
DETAIL, TOTALS, HEADLINE = 0, 1, 2  # priorities: which figures to keep when there is a choice
UNBOUNDED = 10**12  # "no upper bound" for a figure shown as c
SECONDARY = "c"
PROPAGATION_STEPS_PER_EQUATION = 50


def check_threshold(threshold: int) -> int:
    """``threshold``, if a user may choose it; else a :class:`UserError` saying the range."""
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise UserError(f"The suppression threshold must be between {MIN_THRESHOLD} and "
                        f"{MAX_THRESHOLD}, not {threshold}.")
    return threshold


class ProtectionError(RuntimeError):
    """No set of further suppressions protects a small count (cannot happen when the model
    holds every figure shown; raised rather than publishing a disclosive table)."""


@dataclass(frozen=True)
class _Equation:
    coefficients: Mapping[Key, int]
    constant: int  # sum of coefficient * value over the unknowns = constant


@dataclass
class DisclosureModel:
    """The figures a document shows and the sums that tie them together."""

    threshold: int = DEFAULT_THRESHOLD
    values: dict[Key, int] = field(default_factory=dict)
    priority: dict[Key, int] = field(default_factory=dict)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    unshown: set[Key] = field(default_factory=set)

    def add(self, key: Key, value: int, priority: int = DETAIL) -> None:
        """A count the document shows (directly, or through a percentage). Figures of a
        higher priority (totals, headlines) are withheld only when no figure of a lower
        priority protects a small count."""
        if key in self.values and self.values[key] != value:
            raise ValueError(f"{key!r} is already {self.values[key]}, not {value}")
        self.values[key] = value
        self.priority[key] = max(priority, self.priority.get(key, DETAIL))

    def add_unshown(self, key: Key, value: int) -> None:
        """A count the document never shows but which a sum needs, such as the audits
        graded Requires improvement when only Good or better and Inadequate are shown. A
        reader knows nothing of it but that it is not negative."""
        self.add(key, value)
        self.unshown.add(key)

    def add_sum(self, total: Key, parts: Iterable[Key]) -> None:
        """Record that ``total`` is the sum of ``parts`` (all already added)."""
        parts = tuple(parts)
        if sum(self.values[p] for p in parts) != self.values[total]:
            raise ValueError(f"{total!r} is not the sum of its parts")
        self.sums.append((total, parts))

    def add_table(self, name: str, cells: Mapping[Key, Mapping[Key, int]],
                  row_totals: bool = True, column_totals: bool = True) -> None:
        """A table of counts ``cells[row][column]`` keyed ``(name, row, column)``, with
        ``(name, row, TOTAL)``, ``(name, TOTAL, column)`` and ``(name, TOTAL, TOTAL)`` for
        the totals shown. Inner cells are withheld before totals."""
        columns = list(dict.fromkeys(c for row in cells.values() for c in row))
        for row, values in cells.items():
            for column in columns:
                self.add((name, row, column), values.get(column, 0))
        if row_totals:
            for row, values in cells.items():
                self.add((name, row, TOTAL), sum(values.values()), TOTALS)
                self.add_sum((name, row, TOTAL), [(name, row, c) for c in columns])
        if column_totals:
            for column in columns:
                self.add((name, TOTAL, column), sum(v.get(column, 0) for v in cells.values()),
                         TOTALS)
                self.add_sum((name, TOTAL, column), [(name, r, column) for r in cells])
        if row_totals and column_totals:
            grand = sum(sum(v.values()) for v in cells.values())
            self.add((name, TOTAL, TOTAL), grand, HEADLINE)
            self.add_sum((name, TOTAL, TOTAL), [(name, r, TOTAL) for r in cells])

    def protect(self) -> Protection:
        """Choose the suppressions: primary for small counts, then secondary, one figure at a
        time (preferring figures of low priority, then small figures that share a sum with
        the exposed count), until no suppressed count can be worked out."""
        primary = frozenset(k for k, v in self.values.items()
                            if 0 < v < self.threshold and k not in self.unshown)
        secondary: set[Key] = set()
        while exposed := self.worked_out(primary | secondary):
            target = next(k for k in self.values if k in exposed)
            secondary.add(self._choose(target, primary, secondary))
        return Protection(self.threshold, dict(self.values), primary, frozenset(secondary))

    # --- choosing a secondary suppression -------------------------------------------------

    def _choose(self, target: Key, primary: frozenset[Key], secondary: set[Key]) -> Key:
        hidden = primary | secondary
        near = {k for total, parts in self.sums if target in (total, *parts)
                for k in (total, *parts)}
        component = self._component(target, hidden | self.unshown)
        tiers = [[k for k in keys if self.values[k] > 0 and k not in hidden | self.unshown]
                 for keys in (near, component)]
        order = {k: i for i, k in enumerate(self.values)}
        ranked = [sorted(tier, key=lambda k: (self.priority[k], self.values[k], order[k]))
                  for tier in tiers]
        for tier in ranked:
            for candidate in tier:
                if target not in self.worked_out(hidden | {candidate}, focus=target):
                    return candidate
        fallback = ranked[0] or ranked[1]
        if not fallback:
            raise ProtectionError(f"nothing left to suppress to protect {target!r}")
        return fallback[0]

    def _component(self, start: Key, hidden: frozenset[Key] | set[Key]) -> set[Key]:
        """Every figure linked to ``start`` through sums, walking through hidden figures."""
        seen, todo = {start}, [start]
        while todo:
            key = todo.pop()
            for total, parts in self.sums:
                members = (total, *parts)
                if key in members:
                    for other in members:
                        if other not in seen:
                            seen.add(other)
                            if other in hidden:
                                todo.append(other)
        return seen

    # --- what a reader can work out -------------------------------------------------------

    def worked_out(self, withheld: Iterable[Key], focus: Key | None = None) -> set[Key]:
        """The small counts among ``withheld`` that a reader could pin to one value from
        everything else the model shows (only those linked to ``focus``, when given)."""
        unknown = frozenset(withheld) | self.unshown
        equations = [e for e in (self._equation(t, p, unknown) for t, p in self.sums)
                     if e.coefficients]
        found: set[Key] = set()
        for group in _components(equations):
            keys = {k for e in group for k in e.coefficients}
            if focus is not None and focus not in keys:
                continue
            found |= _pinned_down(group, {k: self._bounds(k) for k in keys})
        return {k for k in found if self.values[k] < self.threshold and k not in self.unshown}

    def _bounds(self, key: Key) -> tuple[int, int]:
        """What a reader knows of a figure not shown: 1 to threshold - 1 for <5, at least the
        threshold for c, only that it is not negative for one never shown."""
        if key in self.unshown:
            return 0, UNBOUNDED
        if self.values[key] < self.threshold:
            return 1, self.threshold - 1
        return self.threshold, UNBOUNDED

    def _equation(self, total: Key, parts: Sequence[Key], unknown: frozenset[Key]) -> _Equation:
        coefficients: dict[Key, int] = {}
        constant = 0
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in unknown:
                coefficients[key] = coefficients.get(key, 0) + sign
            else:
                constant -= sign * self.values[key]
        return _Equation({k: c for k, c in coefficients.items() if c}, constant)


def _components(equations: Sequence[_Equation]) -> list[list[_Equation]]:
    """Equations grouped so that no two groups share an unknown."""
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        """The representative of the key's group (union-find)."""
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for equation in equations:
        first, *rest = equation.coefficients
        for key in rest:
            parent[root(key)] = root(first)
    groups: dict[Key, list[_Equation]] = {}
    for equation in equations:
        groups.setdefault(root(next(iter(equation.coefficients))), []).append(equation)
    return list(groups.values())


def _pinned_down(equations: Sequence[_Equation], bounds: dict[Key, tuple[int, int]]
                 ) -> set[Key]:
    """Unknowns that the equations and bounds allow only one value for."""
    reduced = reduce_equations(equations)
    found = {next(iter(e.coefficients)) for e in reduced if len(e.coefficients) == 1}
    tightened = propagate_bounds([*equations, *reduced], bounds)
    return found | {k for k, (low, high) in tightened.items() if low == high}


def reduce_equations(equations: Sequence[_Equation]) -> list[_Equation]:
    """Gauss-Jordan elimination in exact fractions: the equations in reduced row echelon
    form, each scaled back to whole-number coefficients."""
    reduced: list[tuple[dict[Key, Fraction], Fraction]] = []
    for equation in equations:
        row = {k: Fraction(v) for k, v in equation.coefficients.items()}
        constant = Fraction(equation.constant)
        for pivot_row, pivot_constant in reduced:
            factor = row.get(next(iter(pivot_row)))
            if factor:
                row, constant = _subtract(row, constant, pivot_row, pivot_constant, factor)
        if not row:
            continue
        pivot = next(iter(row))
        scale = row[pivot]
        row = {pivot: Fraction(1)} | {k: v / scale for k, v in row.items() if k != pivot}
        constant /= scale
        reduced = [_subtract(other, other_constant, row, constant, other[pivot])
                   if other.get(pivot) else (other, other_constant)
                   for other, other_constant in reduced]
        reduced.append((row, constant))
    return [_whole(row, constant) for row, constant in reduced]


def _subtract(row: dict[Key, Fraction], constant: Fraction, other: Mapping[Key, Fraction],
              other_constant: Fraction, factor: Fraction
              ) -> tuple[dict[Key, Fraction], Fraction]:
    """row - factor * other, keeping the key order of ``row`` (its first key is its pivot)."""
    result = dict(row)
    for key, value in other.items():
        result[key] = result.get(key, Fraction(0)) - factor * value
    return {k: v for k, v in result.items() if v}, constant - factor * other_constant


def _whole(row: Mapping[Key, Fraction], constant: Fraction) -> _Equation:
    scale = math.lcm(*(v.denominator for v in row.values()), constant.denominator)
    return _Equation({k: int(v * scale) for k, v in row.items()}, int(constant * scale))


def propagate_bounds(equations: Sequence[_Equation],
                     bounds: Mapping[Key, tuple[int, int]]) -> dict[Key, tuple[int, int]]:
    """Tighten integer bounds with the equations until nothing changes (or a step limit,
    which only leaves bounds looser, never wrong)."""
    result = dict(bounds)
    uses: dict[Key, list[int]] = {}
    for i, equation in enumerate(equations):
        for key in equation.coefficients:
            uses.setdefault(key, []).append(i)
    queue = deque(range(len(equations)))
    queued = set(queue)
    for _ in range(PROPAGATION_STEPS_PER_EQUATION * max(len(equations), 1)):
        if not queue:
            break
        i = queue.popleft()
        queued.discard(i)
        for key in _tighten(equations[i], result):
            for j in uses[key]:
                if j not in queued:
                    queue.append(j)
                    queued.add(j)
    return result


def _tighten(equation: _Equation, bounds: dict[Key, tuple[int, int]]) -> list[Key]:
    """Apply one equation to the bounds of each of its unknowns; returns those changed."""
    terms = {k: sorted((a * bounds[k][0], a * bounds[k][1]))
             for k, a in equation.coefficients.items()}
    low_sum = sum(t[0] for t in terms.values())
    high_sum = sum(t[1] for t in terms.values())
    changed = []
    for key, coefficient in equation.coefficients.items():
        # coefficient * key = constant - (the other terms)
        top = equation.constant - (low_sum - terms[key][0])
        bottom = equation.constant - (high_sum - terms[key][1])
        if coefficient > 0:
            low, high = -((-bottom) // coefficient), top // coefficient
        else:
            low, high = -((-top) // coefficient), bottom // coefficient
        old = bounds[key]
        new = (max(old[0], low), min(old[1], high))
        if new != old:
            bounds[key] = new
            changed.append(key)
    return changed


@dataclass(frozen=True)
class Protection:
    """The suppressions chosen for a model, and the text each figure is shown as."""

    threshold: int
    values: Mapping[Key, int]
    primary: frozenset[Key]
    secondary: frozenset[Key]

    def shown(self, key: Key) -> bool:
        """Whether a figure is shown as its number."""
        return key not in self.primary and key not in self.secondary

    def count(self, key: Key) -> str:
        """A count as printed: the number, ``<5`` or ``c``."""
        if key in self.primary:
            return f"<{self.threshold}"
        if key in self.secondary:
            return SECONDARY
        return f"{self.values[key]:,}"

    def share(self, part: Key, whole: Key) -> str:
        """``part`` as a whole-number percentage of ``whole``; ``c`` when either is
        suppressed, a dash when the whole is zero."""
        value = self.share_value(part, whole)
        if value is None:
            return SECONDARY if self.values[whole] else "\u2013"
        return f"{math.floor(100 * value + 0.5)}%"

    def share_value(self, part: Key, whole: Key) -> float | None:
        """``part / whole`` when both are shown and the whole is not zero, else None."""
        if not (self.shown(part) and self.shown(whole)) or not self.values[whole]:
            return None
        return self.values[part] / self.values[whole]
