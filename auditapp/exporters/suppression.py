"""Small-number suppression for published figures (domain.md section 5).

Primary suppression: a count from 1 to ``threshold - 1`` is shown as ``<5`` (for the
default threshold of 5). Secondary suppression: further counts are shown as ``c`` until no
suppressed count can be worked out from the figures that remain. A percentage is shown
only when both of its counts are shown. Zeros are always shown.

The figures and the sums that tie them together (a total and its parts) are registered in
a :class:`DisclosureModel`. A reader is assumed to know every shown figure exactly, that a
``<5`` figure lies between 1 and threshold - 1, that a ``c`` figure is at least the
threshold, and every registered sum. A suppressed figure counts as worked out when those
facts pin it to one value: either by linear algebra alone (exact reduction of the sums) or
by combining the sums with those bounds (integer bounds propagation, which finds every
disclosure within one sum and most across several).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Key = Hashable
TOTAL = "total"
UNBOUNDED = 10**12  # "no upper bound" for a figure shown as c
SECONDARY = "c"
PROPAGATION_ROUNDS = 200


class ProtectionError(RuntimeError):
    """No set of further suppressions protects a small count (cannot happen when the model
    holds every figure shown; raised rather than publishing a disclosive table)."""


@dataclass(frozen=True)
class _Equation:
    coefficients: Mapping[Key, Fraction]
    constant: Fraction  # sum of coefficient * value over the unknowns = constant


@dataclass
class DisclosureModel:
    """The figures a document shows and the sums that tie them together."""

    threshold: int = 5
    values: dict[Key, int] = field(default_factory=dict)
    pinned: set[Key] = field(default_factory=set)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)

    def add(self, key: Key, value: int, pinned: bool = False) -> None:
        """A count the document shows (directly, or through a percentage). Pinned figures,
        such as headline totals, are suppressed only when nothing else protects a count."""
        if key in self.values and self.values[key] != value:
            raise ValueError(f"{key!r} is already {self.values[key]}, not {value}")
        self.values[key] = value
        if pinned:
            self.pinned.add(key)

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
        the totals shown. Totals are pinned: inner cells are suppressed first."""
        columns = list(dict.fromkeys(c for row in cells.values() for c in row))
        for row, values in cells.items():
            for column in columns:
                self.add((name, row, column), values.get(column, 0))
        if row_totals:
            for row, values in cells.items():
                self.add((name, row, TOTAL), sum(values.values()), pinned=True)
                self.add_sum((name, row, TOTAL), [(name, row, c) for c in columns])
        if column_totals:
            for column in columns:
                self.add((name, TOTAL, column), sum(v.get(column, 0) for v in cells.values()),
                         pinned=True)
                self.add_sum((name, TOTAL, column), [(name, r, column) for r in cells])
        if row_totals and column_totals:
            grand = sum(sum(v.values()) for v in cells.values())
            self.add((name, TOTAL, TOTAL), grand, pinned=True)
            self.add_sum((name, TOTAL, TOTAL), [(name, r, TOTAL) for r in cells])

    def protect(self) -> Protection:
        """Choose the suppressions: primary for small counts, then secondary, one figure at a
        time (preferring small figures that share a sum with the exposed count, and figures
        that are not pinned), until no suppressed count can be worked out."""
        primary = frozenset(k for k, v in self.values.items() if 0 < v < self.threshold)
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
        component = self._component(target, hidden)
        tiers = [[k for k in keys if self.values[k] > 0 and k not in hidden]
                 for keys in (near, component)]
        order = {k: i for i, k in enumerate(self.values)}
        ranked = [sorted(tier, key=lambda k: (k in self.pinned, self.values[k], order[k]))
                  for tier in tiers]
        for tier in ranked:
            for candidate in tier:
                if target not in self.worked_out(hidden | {candidate}):
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

    def worked_out(self, withheld: Iterable[Key]) -> set[Key]:
        """The small counts among ``withheld`` that a reader could pin to one value from
        everything else the model shows."""
        unknown = frozenset(withheld)
        primary = {k for k in unknown if self.values[k] < self.threshold}
        equations = [e for e in (self._equation(t, p, unknown) for t, p in self.sums)
                     if e.coefficients]
        bounds = {k: (1, self.threshold - 1) if k in primary else (self.threshold, UNBOUNDED)
                  for k in unknown}
        reduced = reduce_equations(equations)
        pinned_down = {next(iter(e.coefficients)) for e in reduced if len(e.coefficients) == 1}
        bounds = propagate_bounds([*equations, *reduced], bounds)
        pinned_down |= {k for k, (low, high) in bounds.items() if low == high}
        return pinned_down & primary

    def _equation(self, total: Key, parts: Sequence[Key], unknown: frozenset[Key]) -> _Equation:
        coefficients: dict[Key, Fraction] = {}
        constant = Fraction(0)
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in unknown:
                coefficients[key] = coefficients.get(key, Fraction(0)) + sign
            else:
                constant -= sign * self.values[key]
        return _Equation({k: c for k, c in coefficients.items() if c}, constant)


def reduce_equations(equations: Sequence[_Equation]) -> list[_Equation]:
    """Gauss-Jordan elimination: equations in reduced row echelon form (exact fractions)."""
    rows = [(dict(e.coefficients), e.constant) for e in equations]
    reduced: list[tuple[dict[Key, Fraction], Fraction]] = []
    while rows:
        coefficients, constant = rows.pop()
        for pivot_row, pivot_constant in reduced:
            pivot = next(iter(pivot_row))
            factor = coefficients.get(pivot)
            if factor:
                for key, value in pivot_row.items():
                    coefficients[key] = coefficients.get(key, Fraction(0)) - factor * value
                constant -= factor * pivot_constant
                coefficients = {k: v for k, v in coefficients.items() if v}
        if not coefficients:
            continue
        pivot = next(iter(coefficients))
        scale = coefficients[pivot]
        row = {pivot: Fraction(1)} | {k: v / scale for k, v in coefficients.items() if k != pivot}
        row_constant = constant / scale
        for i, (other, other_constant) in enumerate(reduced):
            factor = other.get(pivot)
            if factor:
                merged = dict(other)
                for key, value in row.items():
                    merged[key] = merged.get(key, Fraction(0)) - factor * value
                reduced[i] = ({k: v for k, v in merged.items() if v},
                              other_constant - factor * row_constant)
        reduced.append((row, row_constant))
    return [_Equation(c, k) for c, k in reduced]


def propagate_bounds(equations: Sequence[_Equation],
                     bounds: Mapping[Key, tuple[int, int]]) -> dict[Key, tuple[int, int]]:
    """Tighten integer bounds with each equation in turn until nothing changes."""
    result = dict(bounds)
    for _ in range(PROPAGATION_ROUNDS):
        changed = False
        for equation in equations:
            for key, coefficient in equation.coefficients.items():
                low, high = _rest_range(equation, key, result)
                first, last = sorted(((equation.constant - high) / coefficient,
                                      (equation.constant - low) / coefficient))
                old = result[key]
                new = (max(old[0], math.ceil(first)), min(old[1], math.floor(last)))
                if new != old:
                    result[key] = new
                    changed = True
        if not changed:
            break
    return result


def _rest_range(equation: _Equation, skip: Key,
                bounds: Mapping[Key, tuple[int, int]]) -> tuple[Fraction, Fraction]:
    low = high = Fraction(0)
    for key, coefficient in equation.coefficients.items():
        if key != skip:
            a, b = coefficient * bounds[key][0], coefficient * bounds[key][1]
            low += min(a, b)
            high += max(a, b)
    return low, high


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
