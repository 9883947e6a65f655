"""Small-number suppression for published figures (domain.md section 5): which counts a
report withholds, so that no count from 1 to N - 1 can be narrowed down from what it shows.

**What a reader is assumed to know.** Every figure shown, exactly; that ``<N`` is a count
from 1 to N - 1; that ``c`` is a count of N or more (small counts are always ``<N`` and zeros
always shown, so ``c`` is never anything else); that a count the report never shows is not
negative; every sum that ties figures together (a total and its parts, quarters that make up
a period, sections that make up a line of enquiry, ...). Packs for release never overlap in
their audits (:mod:`auditapp.services.reporting.releases` refuses one that would), so a pack is
protected on its own; the attacker test reads released packs together to show it.

**What is promised.** For every *sensitive* count, one from 1 to N - 1 that the report shows
as ``<N`` or that follows from it without being shown (a remainder such as "other
templates", what a shown percentage leaves over): everything the reader knows is consistent
with that count being 1 and with it being N - 1. So it is never pinned to one value, nor to
a narrower range than the key promises.

A count below N is not broken down: where a shown total is from 1 to N - 1, its parts are not
shown (printed as a dash), since parts of a count known to be below N could never each reach
N - 1. Where the total is a roll-up of figures shown elsewhere (a line of enquiry gathering
section grades), the roll-up is left out instead and its parts stay.

**How it is kept.** For each sensitive count and each end of the range, a *witness* is
sought: a whole table of counts, different from the real one, that agrees with everything
published and puts that count at 1 (or at N - 1). A witness is looked for with a linear
program (:mod:`auditapp.rules.simplex`) over the figures near the count, and accepted only
once checked exactly in whole numbers. Where none exists, the program also chooses which
further shown counts to withhold (``c``) so that one does, at the least cost: detail before
totals before headline figures, small before large. Withholding more never spoils a witness
already found, so one pass over the sensitive counts protects them all. The attacker test
(``tests/services/reporting/test_disclosure_attack.py``) checks the result independently,
with SciPy's linear and integer programming, against every pack and the packs released
before it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# The thresholds a user may choose, and check_threshold, are in rules.limits, so that what
# offers them (the command line's parser, the dialogs) does not load the solver here.
from auditapp.rules.limits import DEFAULT_THRESHOLD
from auditapp.rules.simplex import INFINITY, Row, minimise

Key = Hashable
TOTAL = "total"
#: Priorities, which figures to keep when there is a choice: detail, totals, headline figures,
#: and the key figures of a report's summary (such as the share Good or better).
DETAIL, TOTALS, HEADLINE, KEY_FIGURE = 0, 1, 2, 3
#: What withholding a figure costs, by priority, per unit the witness moves it and per audit
#: it counts (see :func:`withholding_cost`). The size of the count does most of the work; a
#: total weighs a little more than detail of the same size, a headline figure much more.
#: (A total at 4 made a roll-up of 973 cheaper to withhold than a section's cell of 251.)
#: (A key figure at 40 made Good 21 and Good or better 21 cheaper to withhold together than
#: Requires improvement 53, which left the summary without its first share.)
COSTS = {DETAIL: 1.0, TOTALS: 1.5, HEADLINE: 40.0, KEY_FIGURE: 400.0}
SECONDARY = "c"
#: A figure left out: a part of a total not broken down, or a share of nothing.
NOT_BROKEN_DOWN = "\u2013"
LOW, HIGH = "low", "high"
#: Branches tried to turn a fractional witness into a whole-number one.
BRANCHES = 24


def withholding_cost(priority: int, value: int) -> float:
    """What withholding a shown figure costs, per unit a witness moves it: its priority's
    weight times one more than the count itself. A count is information about as many audits
    as it counts, so withholding 102 loses about twenty times what withholding 5 does; a
    witness therefore moves small counts, even several of them, before a large one, and
    totals and headline figures only where detail cannot do."""
    return COSTS[priority] * (1 + value)


class ProtectionError(RuntimeError):
    """No set of further suppressions protects a small count (cannot happen when every
    figure that could be withheld is in the model; raised rather than publishing a
    disclosive table)."""


@dataclass
class DisclosureModel:
    """The figures a document shows (or implies), and the sums that tie them together."""

    threshold: int = DEFAULT_THRESHOLD
    values: dict[Key, int] = field(default_factory=dict)
    priority: dict[Key, int] = field(default_factory=dict)
    sums: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    implicit: set[Key] = field(default_factory=set)  # never shown; protected when small
    unshown: set[Key] = field(default_factory=set)  # never shown; not protected
    kept: set[Key] = field(default_factory=set)  # shown, and never to be withheld
    rollups: set[int] = field(default_factory=set)  # sums whose total gathers shown figures
    folded: set[Key] = field(default_factory=set)  # not broken down: parts of a small count

    # --- building the model ---------------------------------------------------------------

    def add(self, key: Key, value: int, priority: int = DETAIL) -> None:
        """A count the document shows (directly, or through a percentage). Figures of a
        higher priority (totals, headlines) are withheld only when that costs less than
        withholding figures of lower priority."""
        if key in self.values and self.values[key] != value:
            raise ValueError(f"{key!r} is already {self.values[key]}, not {value}")
        if value < 0:
            raise ValueError(f"{key!r} is negative")
        self.values[key] = value
        self.priority[key] = max(priority, self.priority.get(key, DETAIL))

    def add_unshown(self, key: Key, value: int) -> None:
        """A count the document never shows but which a sum needs, and which is no count a
        reader should not learn (such as the audits of a quarter, graded or not, when the
        graded ones are shown). A reader knows nothing of it but that it is not negative."""
        self.add(key, value)
        self.unshown.add(key)

    def add_implicit(self, key: Key, value: int) -> None:
        """A count the document does not show but implies, and protects like a shown one:
        a remainder such as the audits on other templates, or what a percentage leaves."""
        self.add(key, value)
        self.implicit.add(key)

    def keep(self, key: Key) -> None:
        """A shown count that must never be withheld (a count the file gives away anyway,
        such as the number of audits its manifest lists)."""
        self.kept.add(key)

    def add_sum(self, total: Key, parts: Iterable[Key], rollup: bool = False) -> None:
        """Record that ``total`` is the sum of ``parts`` (all already added). A ``rollup``
        total gathers figures shown for their own sake: when it is below N, it is the total
        that is left out, not its parts."""
        parts = tuple(parts)
        if sum(self.values[p] for p in parts) != self.values[total]:
            raise ValueError(f"{total!r} is not the sum of its parts")
        if rollup:
            self.rollups.add(len(self.sums))
        self.sums.append((total, parts))

    def fold(self) -> None:
        """Leave out what breaks down a count below N (see the module's docstring): the parts
        of such a shown total, or the total of such a roll-up. Largest totals first, so that
        a part left out is not broken down again."""
        order = sorted(range(len(self.sums)), key=lambda i: -self.values[self.sums[i][0]])
        for index in order:
            total, parts = self.sums[index]
            if not (self._printed(total) and 0 < self.values[total] < self.threshold):
                continue
            if index in self.rollups:
                self.folded.add(total)
            else:
                self.folded |= {p for p in parts if self._printed(p)}

    def _printed(self, key: Key) -> bool:
        return key not in self.implicit and key not in self.unshown and key not in self.folded

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

    # --- what is sensitive, and what a reader knows -----------------------------------------

    def shown(self, key: Key) -> bool:
        """Whether the document prints the figure (as a number, ``<N`` or ``c``)."""
        return key not in self.implicit and key not in self.unshown and key not in self.folded

    def sensitive(self) -> list[Key]:
        """Every count from 1 to N - 1 the document shows or implies (not a roll-up left
        out for being below N: it is only the sum of parts that are each protected)."""
        left_out = {self.sums[i][0] for i in self.rollups} & self.folded
        return [k for k, v in self.values.items()
                if 0 < v < self.threshold and k not in self.unshown
                and k not in left_out]

    def bounds(self, key: Key, hidden: frozenset[Key] | set[Key]) -> tuple[float, float]:
        """What a reader knows of a figure, given the figures withheld."""
        value = self.values[key]
        if key in self.implicit or key in self.unshown or key in self.folded:
            return 0, INFINITY
        if key not in hidden:
            return value, value
        if value < self.threshold:
            return 1, self.threshold - 1
        return self.threshold, INFINITY

    def _leavable(self, key: Key, hidden: frozenset[Key] | set[Key]) -> bool:
        """Whether a shown figure may be left out (printed as a dash), whatever its size and
        whether or not it is withheld now."""
        return self.shown(key) and key not in self.kept

    def _within(self, key: Key, value: int, hidden: frozenset[Key] | set[Key]) -> bool:
        low, high = self.bounds(key, hidden)
        return low <= value <= high

    def _withholdable(self, key: Key, hidden: frozenset[Key] | set[Key]) -> bool:
        return (self.shown(key) and key not in hidden
                and key not in self.kept and self.values[key] >= self.threshold)

    # --- protection -----------------------------------------------------------------------

    def protect(self) -> Protection:
        """Choose the suppressions: every sensitive shown count as ``<N``, then ``c`` on
        further counts until every sensitive count has witnesses at 1 and at N - 1."""
        self.fold()
        primary = frozenset(k for k in self.sensitive() if self.shown(k))
        hidden: set[Key] = set(primary)
        search = _WitnessSearch(self)
        witnesses: Witnesses = {}
        for key in self.sensitive():
            for end in (HIGH, LOW):  # the high end needs more room; the low end often fits in it
                target = 1 if end == LOW else self.threshold - 1
                if (self.values[key] <= target) if end == LOW else (self.values[key] >= target):
                    continue
                moved = _reuse(witnesses, key, target)
                if moved is None:
                    witness = self._witness(search, key, target, hidden)
                    moved = {k: v for k, v in witness.items() if v != self.values[k]}
                    hidden |= {k for k in moved if self._withholdable(k, hidden)}
                witnesses[key, target] = moved
        hidden = self._prune(hidden, primary, search, witnesses)
        return Protection(self.threshold, dict(self.values), primary,
                          frozenset(hidden - primary), frozenset(self.implicit | self.unshown),
                          frozenset(self.folded))

    def _witness(self, search: _WitnessSearch, key: Key, target: int, hidden: set[Key]
                 ) -> dict[Key, int]:
        """A witness putting ``key`` at ``target``, withholding further figures as ``c`` if
        need be; where no choice of ``c`` gives one (a ``c`` tells that a count is at least
        N, which can itself pin a small count, as in 5 + 1 + 1 = 7 with the 7 fixed), the
        smallest sum holding ``key`` is not broken down, until one does."""
        while True:
            witness = search.find(key, target, hidden, widen=False)
            if witness is None:
                witness = search.find(key, target, hidden, widen=True)
            if witness is not None:
                return witness
            witness = search.find(key, target, hidden, widen=True, leave_out=True)
            if witness is not None:
                self.folded |= {k for k, v in witness.items() if k != key
                                and self._leavable(k, hidden) and not self._within(k, v, hidden)}
                return witness
            if not self._fold_around(key):
                raise ProtectionError(f"nothing left to withhold to protect {key!r}")

    def _fold_around(self, key: Key) -> bool:
        """Leave out the parts of the smallest shown total that ``key`` is a part of (or, for
        a roll-up, the total itself). False when there is nothing left to leave out."""
        candidates = sorted(
            (index in self.rollups, self.values[total], index)
            for index, (total, parts) in enumerate(self.sums)
            if key in parts and self.shown(total)
            and any(self.shown(p) or p == key for p in parts if p not in self.folded))
        for rollup, _, index in candidates:
            total, parts = self.sums[index]
            folding = {total} if rollup else {p for p in parts if p not in self.implicit
                                               and p not in self.unshown}
            if folding - self.folded:
                self.folded |= folding
                return True
        return False

    def _prune(self, hidden: set[Key], primary: frozenset[Key], search: _WitnessSearch,
               witnesses: Witnesses) -> set[Key]:
        """Show again every ``c`` that is not needed: the search above moves figures by the
        unit, so it can withhold two figures where one would do. Costliest first
        (:func:`withholding_cost`), each is shown again when every witness that moves it
        can be replaced by one that does not (a witness that leaves a figure where it is
        holds whether that figure is shown or not, so only those are looked for again)."""
        order = sorted(hidden - primary,
                       key=lambda k: (-withholding_cost(self.priority[k], self.values[k]),
                                      search.position[k]))
        for key in order:
            trial = hidden - {key}
            stale = [end for end, moved in witnesses.items() if key in moved]
            valid = {end: moved for end, moved in witnesses.items() if key not in moved}
            for count, target in stale:
                moved = _reuse(valid, count, target)
                if moved is None:
                    witness = search.find(count, target, trial, widen=False)
                    if witness is None:
                        break
                    moved = {k: v for k, v in witness.items() if v != self.values[k]}
                valid[count, target] = moved
            else:
                hidden = trial
                witnesses = valid
        return hidden

    def exposed(self, hidden: Iterable[Key]) -> set[Key]:
        """The sensitive counts a reader could narrow down, were ``hidden`` withheld: those
        without a whole-number witness at 1 and at N - 1 (none, for a protection this model
        chose)."""
        self.fold()
        hidden = set(hidden)
        search = _WitnessSearch(self)
        found = set()
        for key in self.sensitive():
            for target in (1, self.threshold - 1):
                if self.values[key] == target:
                    continue
                if search.find(key, target, hidden, widen=False) is None:
                    found.add(key)
        return found


#: The witnesses found so far, by (sensitive count, the end it is put at): the figures each
#: moves, with the values it gives them.
Witnesses = dict[tuple[Key, int], dict[Key, int]]


def _reuse(witnesses: Witnesses, key: Key, target: int) -> dict[Key, int] | None:
    """A witness already found that happens to put ``key`` at ``target`` (it is one for that
    end too: every witness holds everything published), else None."""
    for moved in witnesses.values():
        if moved.get(key) == target:
            return moved
    return None


class _WitnessSearch:
    """Finds whole-number tables consistent with everything published (see the module)."""

    def __init__(self, model: DisclosureModel) -> None:
        self.model = model
        self.position = {k: i for i, k in enumerate(model.values)}
        self.touching: dict[Key, list[int]] = {}
        for index, (total, parts) in enumerate(model.sums):
            for key in (total, *parts):
                self.touching.setdefault(key, []).append(index)

    def find(self, key: Key, target: int, hidden: set[Key], widen: bool,
             leave_out: bool = False) -> dict[Key, int] | None:
        """A witness putting ``key`` at ``target``: moving only hidden and never-shown
        figures, or (``widen``) also shown ones that could be withheld, at the least cost,
        looking ever further from ``key``; with ``leave_out``, shown figures of any size may
        be left out (then a reader knows nothing of them). None if there is none."""
        if not widen:
            return self._solve(key, target, self._near(key, hidden, None, False), hidden)
        everything = self._near(key, hidden, None, True, leave_out)
        for radius in (1, 2, 3, 5):
            movable = self._near(key, hidden, radius, True, leave_out)
            witness = self._solve(key, target, movable, hidden, leave_out)
            if witness is not None:
                return witness
            if len(movable) == len(everything):
                return None
        return self._solve(key, target, everything, hidden, leave_out)

    def _near(self, start: Key, hidden: set[Key], radius: int | None, widen: bool,
              leave_out: bool = False) -> set[Key]:
        """The figures that may move: free ones (hidden, never shown) linked to ``start``
        through sums, and with ``widen`` the withholdable shown ones, within ``radius`` sums
        of it."""
        model = self.model
        seen = {start}
        frontier = [start]
        depth = 0
        while frontier and (radius is None or depth < radius):
            depth += 1
            following = []
            for key in frontier:
                for index in self.touching.get(key, ()):
                    total, parts = model.sums[index]
                    for other in (total, *parts):
                        if other in seen:
                            continue
                        low, high = model.bounds(other, hidden)
                        movable = (model._leavable(other, hidden) if leave_out
                                   else model._withholdable(other, hidden))
                        if low != high or widen and movable:
                            seen.add(other)
                            following.append(other)
            frontier = following
        return seen

    def _solve(self, key: Key, target: int, movable: set[Key], hidden: set[Key],
               leave_out: bool = False) -> dict[Key, int] | None:
        """The cheapest witness moving only ``movable`` figures, checked in whole numbers.

        The program's variables are how far each movable figure goes up and down from its
        real value; withholding a shown figure costs by its priority and size, moving a
        figure already unknown to the reader almost nothing."""
        model = self.model
        order = sorted(movable, key=self.position.__getitem__)
        n = len(order)
        index = {k: i for i, k in enumerate(order)}
        rows: list[Row] = []
        for e in sorted({e for k in order for e in self.touching.get(k, ())}):
            total, parts = model.sums[e]
            coefficients: dict[int, float] = {}
            for k, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
                if k in index:
                    i = index[k]
                    coefficients[i] = coefficients.get(i, 0.0) + sign  # up
                    coefficients[n + i] = coefficients.get(n + i, 0.0) - sign  # down
            rows.append(Row(coefficients, 0.0))
        up: list[float] = []
        down: list[float] = []
        least = [0.0] * (2 * n)
        costs: list[float] = []
        for i, k in enumerate(order):
            value = model.values[k]
            if k == key:  # it moves exactly to the target
                low, high = float(target), float(target)
                least[i], least[n + i] = max(target - value, 0), max(value - target, 0)
                low, high = value - least[n + i], value + least[i]
            elif leave_out and model._leavable(k, hidden):  # the last resort: any count
                low, high = 0, INFINITY
            elif k in hidden or not model.shown(k):
                low, high = model.bounds(k, hidden)
            else:  # shown now; withholding it would make it c (or a dash, left out)
                low, high = (0, INFINITY) if leave_out else (model.threshold, INFINITY)
            up.append(high - value)
            down.append(value - low)
            shown_now = (model.shown(k)
                         and (k not in hidden or leave_out and model._leavable(k, hidden)))
            costs.append(withholding_cost(model.priority[k], value) if shown_now else 1e-3)
        return self._branch(key, order, rows, costs + costs, least, [*up, *down], hidden,
                            BRANCHES, leave_out)

    def _branch(self, key: Key, order: Sequence[Key], rows: Sequence[Row],
                costs: Sequence[float], low: list[float], high: list[float],
                hidden: set[Key], budget: int, leave_out: bool) -> dict[Key, int] | None:
        """Solve, and branch on a fractional figure until the witness is whole."""
        model = self.model
        n = len(order)
        if any(h < lo for lo, h in zip(low, high, strict=True)):
            return None
        # The target: a figure's up and down are fixed where its bounds meet.
        solution = minimise(costs, rows, low, high)
        if solution is None:
            return None
        moves = [solution[i] - solution[n + i] for i in range(n)]
        whole = [round(m) for m in moves]
        fractional = [i for i in range(n) if abs(moves[i] - whole[i]) > 1e-6]
        if not fractional:
            found = dict(model.values)
            for i, k in enumerate(order):
                found[k] += whole[i]
            return found if self._holds(found, order, hidden, key, leave_out) else None
        if budget <= 0:
            return None
        i = fractional[0]
        for rounded in (math.floor(moves[i]), math.ceil(moves[i])):
            sub_low, sub_high = list(low), list(high)
            # Move figure i by exactly ``rounded``: its up and down follow.
            sub_low[i] = sub_high[i] = max(rounded, 0)
            sub_low[n + i] = sub_high[n + i] = max(-rounded, 0)
            witness = self._branch(key, order, rows, costs, sub_low, sub_high, hidden,
                                   budget // 2, leave_out)
            if witness is not None:
                return witness
        return None

    def _holds(self, witness: Mapping[Key, int], moved: Sequence[Key], hidden: set[Key],
               key: Key, leave_out: bool) -> bool:
        """The exact check: every sum holds, every figure within what a reader knows of it
        (with the figures the witness moves withheld)."""
        model = self.model
        after = hidden | {k for k in moved if witness[k] != model.values[k]}
        for total, parts in model.sums:
            if witness[total] != sum(witness[p] for p in parts):
                return False
        for k in moved:
            low, high = model.bounds(k, after)
            if leave_out and model._leavable(k, hidden) and k != key:
                low, high = 0, INFINITY
            if k != key and not low <= witness[k] <= high:
                return False
        return True


@dataclass(frozen=True)
class Protection:
    """The suppressions chosen for a model, and the text each figure is shown as."""

    threshold: int
    values: Mapping[Key, int]
    primary: frozenset[Key]
    secondary: frozenset[Key]
    unprinted: frozenset[Key] = frozenset()
    folded: frozenset[Key] = frozenset()

    def shown(self, key: Key) -> bool:
        """Whether a figure is shown as its number."""
        return key not in self.primary and key not in self.secondary \
            and key not in self.unprinted and key not in self.folded

    def count(self, key: Key) -> str:
        """A count as printed: the number, ``<N``, ``c``, or a dash for a part of a count
        below N, which is not broken down."""
        if key in self.folded:
            return NOT_BROKEN_DOWN
        if key in self.primary:
            return f"<{self.threshold}"
        if key in self.secondary:
            return SECONDARY
        if key in self.unprinted:
            raise KeyError(f"{key!r} is never printed")
        return f"{self.values[key]:,}"

    def share(self, part: Key, whole: Key) -> str:
        """``part`` as a whole-number percentage of ``whole``; where it cannot be shown, the
        symbol of the withheld count it rests on; a dash when the whole is zero."""
        value = self.share_value(part, whole)
        if value is not None:
            return f"{math.floor(100 * value + 0.5)}%"
        if not self.values[whole]:
            return NOT_BROKEN_DOWN
        if self.shown(part) and not self.values[part]:
            return "0%"
        return self.count(part) if not self.shown(part) else self.count(whole)

    def share_value(self, part: Key, whole: Key) -> float | None:
        """``part / whole`` when both are shown and the whole is not zero, else None."""
        if not (self.shown(part) and self.shown(whole)) or not self.values[whole]:
            return None
        return self.values[part] / self.values[whole]

    def least(self, key: Key) -> int:
        """The least a reader knows a figure to be, from how it is printed."""
        if self.shown(key):
            return self.values[key]
        if key in self.primary:
            return 1
        if key in self.secondary:
            return self.threshold
        return 0  # a dash, or never printed

    def hides_nothing_of(self, exact: Iterable[Key], parts: Mapping[Key, int]) -> bool:
        """Whether figures computed from a table the document does not print (such as
        agreement between auditors and moderators, from the table of their pairs of grades)
        can be printed without narrowing any withheld count, even for a reader who learns
        that whole table from them.

        Such a table ties to the printed figures in two ways: some of its sums equal printed
        counts (``exact``: moderated audits kept, raised, lowered), and it is a part of others
        (``parts``: the moderated audits with each final grade are some of the audits with
        that grade). It narrows nothing when every count in ``exact`` is printed as its
        number, and each part is no more than the least the printed symbol of its whole
        allows: then every table of counts consistent with the printed figures, with the
        whole anywhere in its printed range, still has room for the part."""
        return (all(self.shown(k) for k in exact)
                and all(part <= self.least(whole) for whole, part in parts.items()))

    def withheld(self) -> frozenset[Key]:
        """Every figure printed as ``<N``, ``c`` or a dash for a count not broken down (not
        counting those repeated from an earlier release)."""
        return self.primary | self.secondary | self.folded


def withheld_symbol(printed: str) -> bool:
    """Whether a figure as printed is one of the key's symbols for a withheld figure
    (``<N``, ``c`` or a dash) rather than a number."""
    return printed.startswith("<") or printed in (SECONDARY, NOT_BROKEN_DOWN)


def key_text(threshold: int) -> list[str]:
    """The key to the symbols, as every report that withholds counts prints it."""
    small = ("A count of 1 is shown as <2." if threshold == 2 else
             f"A count from 1 to {threshold - 1} is shown as <{threshold}.")
    return [
        small,
        f"{SECONDARY} stands for a count of {threshold} or more, withheld so that a count "
        f"below {threshold} cannot be worked out from the others.",
        f"A percentage shown as <{threshold} or {SECONDARY} rests on such a count; a "
        "percentage is shown only where both of its counts are.",
        "A dash (\u2013) marks a figure left out (it may be any count, zero included), such "
        "as the parts of a total that is not broken down, or a percentage of nothing.",
        "Zeros are shown as 0, and every other number is exact.",
        f"No count from 1 to {threshold - 1}, whether shown as <{threshold} or not shown at "
        "all (such as what a percentage leaves over), can be narrowed down from the figures "
        "in this pack and in the packs released before it: each could be "
        + ("1." if threshold == 2 else f"as small as 1 or as large as {threshold - 1}."),
    ]
