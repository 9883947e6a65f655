"""How far two graders agree: exact agreement, agreement within one grade, Cohen's kappa.

Cohen's weighted kappa compares the observed disagreement with the disagreement expected
by chance from each grader's own spread of grades:
``kappa = 1 - sum(w * observed) / sum(w * expected)``, where ``w`` weighs a disagreement by
how far apart the two grades are: linearly (|i - j| / (k - 1), the default, for ordered
grades such as Ofsted's), quadratically, or not at all (``"none"``, Cohen's plain kappa).
1 is perfect agreement, 0 no better than chance. With every grade in one category there is
no chance agreement to compare against and kappa is undefined (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Weights = Literal["none", "linear", "quadratic"]
GRADE_CATEGORIES = (1, 2, 3, 4)


def _weight(i: int, j: int, k: int, weights: Weights) -> float:
    if weights == "none":
        return 0.0 if i == j else 1.0
    distance = abs(i - j) / (k - 1)
    return distance if weights == "linear" else distance * distance


def weighted_kappa(pairs: Sequence[tuple[int, int]],
                   categories: Sequence[int] = GRADE_CATEGORIES,
                   weights: Weights = "linear") -> float | None:
    """Cohen's (weighted) kappa of ``pairs`` of ratings, each a value of ``categories``."""
    if not pairs:
        return None
    index = {c: n for n, c in enumerate(categories)}
    k = len(categories)
    total = len(pairs)
    observed = [[0.0] * k for _ in range(k)]
    for first, second in pairs:
        observed[index[first]][index[second]] += 1 / total
    rows = [sum(observed[i]) for i in range(k)]
    columns = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    disagreement = sum(_weight(i, j, k, weights) * observed[i][j]
                       for i in range(k) for j in range(k))
    chance = sum(_weight(i, j, k, weights) * rows[i] * columns[j]
                 for i in range(k) for j in range(k))
    if chance == 0:
        return None
    return 1 - disagreement / chance


@dataclass(frozen=True)
class Agreement:
    """Agreement between first and second grades (the auditor's and the moderator's)."""

    pairs: int
    exact: int
    within_one: int
    raised: int  # second grade better than the first
    lowered: int
    kappa: float | None  # linearly weighted

    @property
    def exact_share(self) -> float | None:
        """The share of pairs in exact agreement."""
        return self.exact / self.pairs if self.pairs else None

    @property
    def within_one_share(self) -> float | None:
        """The share of pairs at most one grade apart."""
        return self.within_one / self.pairs if self.pairs else None


def agreement(pairs: Sequence[tuple[int, int]]) -> Agreement:
    """Every agreement figure for (first grade, second grade) pairs."""
    return Agreement(
        pairs=len(pairs),
        exact=sum(a == b for a, b in pairs),
        within_one=sum(abs(a - b) <= 1 for a, b in pairs),
        raised=sum(b > a for a, b in pairs),
        lowered=sum(b < a for a, b in pairs),
        kappa=weighted_kappa(pairs),
    )
