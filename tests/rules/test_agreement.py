"""Agreement figures against published worked examples and hand-worked tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.rules.agreement import agreement, weighted_kappa


def _pairs(cells: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    return [pair for pair, count in cells.items() for _ in range(count)]


def test_artstein_and_poesio_table_4() -> None:
    """Artstein & Poesio (2008), 'Inter-coder agreement for computational linguistics',
    Computational Linguistics 34(4), Table 4: two coders, 100 items, three categories;
    kappa = 0.8013."""
    pairs = _pairs({(0, 0): 46, (1, 0): 6, (1, 1): 32, (1, 2): 6, (2, 2): 10})
    assert weighted_kappa(pairs, (0, 1, 2), "none") == pytest.approx(0.8013, abs=5e-5)


def test_weighted_kappa_reference_values() -> None:
    """The weighting example scikit-learn tests its cohen_kappa_score against:
    none 0.9315, linear 0.9412, quadratic 0.9541."""
    pairs = _pairs({(0, 0): 46, (1, 0): 4, (1, 1): 40, (2, 2): 10})
    assert weighted_kappa(pairs, (0, 1, 2), "none") == pytest.approx(0.9315, abs=5e-5)
    assert weighted_kappa(pairs, (0, 1, 2), "linear") == pytest.approx(0.9412, abs=5e-5)
    assert weighted_kappa(pairs, (0, 1, 2), "quadratic") == pytest.approx(0.9541, abs=5e-5)


def test_hand_worked_two_by_two() -> None:
    """Cohen's classic example: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    Observed 0.7; chance 0.5 x 0.6 + 0.5 x 0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4."""
    pairs = _pairs({(1, 1): 20, (1, 0): 5, (0, 1): 10, (0, 0): 15})
    assert weighted_kappa(pairs, (0, 1), "none") == pytest.approx(0.4)
    assert weighted_kappa(pairs, (0, 1), "linear") == pytest.approx(0.4)  # same for 2 grades


def test_agreement_figures_for_grades() -> None:
    pairs = [(3, 3), (3, 2), (2, 2), (4, 2), (1, 2)]
    figures = agreement(pairs)
    assert (figures.pairs, figures.exact, figures.within_one) == (5, 2, 4)
    assert (figures.raised, figures.lowered) == (1, 2)
    assert figures.exact_share == pytest.approx(0.4)


def test_undefined_cases() -> None:
    assert weighted_kappa([]) is None
    assert weighted_kappa([(3, 3), (3, 3)]) is None  # one category only: no chance baseline
    assert agreement([]).exact_share is None


grades = st.sampled_from([1, 2, 3, 4])


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(st.lists(grades, min_size=1, max_size=40))
def test_perfect_agreement_is_one_when_defined(values: list[int]) -> None:
    kappa = weighted_kappa([(v, v) for v in values])
    assert kappa is None or kappa == pytest.approx(1.0)


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(st.lists(st.tuples(grades, grades), min_size=1, max_size=60))
def test_kappa_is_symmetric_and_at_most_one(pairs: list[tuple[int, int]]) -> None:
    kappa = weighted_kappa(pairs)
    swapped = weighted_kappa([(b, a) for a, b in pairs])
    if kappa is None:
        assert swapped is None
        return
    assert swapped == pytest.approx(kappa)
    assert kappa <= 1.0 + 1e-9
