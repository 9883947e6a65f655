"""The grading rule: worked examples and the invariants hypothesis checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditapp.rules.grades import (
    GOOD_THRESHOLD,
    REQUIRES_IMPROVEMENT_THRESHOLD,
    Grade,
    ScoredAnswer,
    SectionGrade,
    final_grade,
    suggest_overall,
    suggest_section,
)

YES, PARTLY, NO = (ScoredAnswer(s, 2, lowest=(s == 0)) for s in (2, 1, 0))
NA = ScoredAnswer(None, 2)
G, RI, I, O = Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE, Grade.OUTSTANDING


def test_section_thresholds() -> None:
    assert suggest_section([YES] * 6 + [PARTLY] * 2).grade == G  # 14/16 = 87.5 %
    assert suggest_section([YES] * 5 + [PARTLY] * 3).grade == RI  # 13/16 = 81 %
    assert suggest_section([YES] * 3 + [PARTLY] * 2 + [NO]).grade == RI  # 8/12 = 67 %
    assert suggest_section([YES, NO, NO]).grade == I  # 33 %


def test_section_exact_thresholds_use_at_or_above() -> None:
    # 17 of 20 points is exactly 85 %, 12 of 20 exactly 60 %.
    assert suggest_section([YES] * 7 + [PARTLY] * 3, good=85).grade == G
    assert suggest_section([YES] * 2 + [PARTLY] * 8, requires_improvement=60).grade == RI


def test_the_default_thresholds_are_85_and_60_percent() -> None:
    assert (GOOD_THRESHOLD, REQUIRES_IMPROVEMENT_THRESHOLD) == (85.0, 60.0)
    assert suggest_section([YES] * 7 + [PARTLY] * 3).grade == G  # exactly 85 %
    assert suggest_section([YES] * 6 + [PARTLY] * 4).grade == RI  # 80 %
    assert suggest_section([YES] * 2 + [PARTLY] * 8).grade == RI  # exactly 60 %
    assert suggest_section([YES] + [PARTLY] * 9).grade == I  # 55 %


def test_not_applicable_is_left_out_and_flags_low_evidence() -> None:
    result = suggest_section([YES, YES, NA, NA])
    assert result.percent == 100.0
    assert result.grade == G
    assert result.low_evidence
    assert not suggest_section([YES, YES, YES, NA]).low_evidence


def test_nothing_answered_gives_no_suggestion() -> None:
    assert suggest_section([]).grade is None
    assert suggest_section([NA, NA]).grade is None


def test_critical_no_makes_section_inadequate() -> None:
    critical_no = ScoredAnswer(0, 2, critical=True, lowest=True)
    result = suggest_section([YES] * 20 + [critical_no])
    assert result.grade == I
    assert result.critical_failed


def test_overall_median_takes_lower_middle() -> None:
    assert suggest_overall([SectionGrade(g) for g in (G, G, O, O)]) == G
    assert suggest_overall([SectionGrade(g) for g in (G, G, G)]) == G


def test_limiting_section_inadequate_makes_overall_inadequate() -> None:
    sections = [SectionGrade(G)] * 5 + [SectionGrade(I, limiting=True)]
    assert suggest_overall(sections) == I


def test_other_inadequate_caps_at_requires_improvement() -> None:
    assert suggest_overall([SectionGrade(G)] * 5 + [SectionGrade(I)]) == RI


def test_two_sections_requires_improvement_cap() -> None:
    assert suggest_overall([SectionGrade(G)] * 5 + [SectionGrade(RI)] * 2) == RI
    assert suggest_overall([SectionGrade(G)] * 5 + [SectionGrade(RI)]) == G


def test_outstanding_needs_half_outstanding_and_none_below_good() -> None:
    assert suggest_overall([SectionGrade(O)] * 3 + [SectionGrade(G)] * 2) == O
    assert suggest_overall([SectionGrade(O)] * 4 + [SectionGrade(RI)]) == G


def test_critical_failure_anywhere_makes_overall_inadequate() -> None:
    sections = [SectionGrade(O)] * 5 + [SectionGrade(G, critical_failed=True)]
    assert suggest_overall(sections) == I


def test_too_few_graded_sections_give_no_overall() -> None:
    assert suggest_overall([SectionGrade(G)] * 2 + [SectionGrade(None)] * 2) is None
    assert suggest_overall([SectionGrade(G)] * 3 + [SectionGrade(None)] * 2) == G
    assert suggest_overall([]) is None


def test_final_grade_is_the_moderated_grade_where_there_is_one() -> None:
    assert final_grade(I, G) == I
    assert final_grade(O, None) == O
    assert final_grade(None, RI) == RI
    assert final_grade(None, None) is None


@pytest.mark.parametrize("text", ["Good", "good", "3", "GOOD"])
def test_parse_grade(text: str) -> None:
    assert Grade.parse(text) == G


def test_parse_requires_improvement_forms() -> None:
    for text in ("RI", "Requires improvement", "Requires improvement to be good"):
        assert Grade.parse(text) == RI
    with pytest.raises(ValueError, match="not a grade"):
        Grade.parse("Excellent")


# --- invariants -----------------------------------------------------------------------------

answers = st.lists(
    st.builds(
        lambda score, critical: ScoredAnswer(score, 2, critical, score == 0),
        st.sampled_from([None, 0, 1, 2]), st.booleans(),
    ),
    max_size=30,
)
grades = st.sampled_from(list(Grade))
section_grades = st.lists(
    st.builds(SectionGrade, st.one_of(st.none(), grades), st.booleans(), st.booleans()),
    min_size=1, max_size=12,
)


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(answers)
def test_section_never_suggests_outstanding(items: list[ScoredAnswer]) -> None:
    assert suggest_section(items).grade != O


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(answers, st.data())
def test_section_suggestion_is_monotonic(items: list[ScoredAnswer], data: st.DataObject) -> None:
    """Improving any one answer never lowers the suggestion."""
    scored = [i for i, a in enumerate(items) if a.score is not None and a.score < 2]
    if not scored:
        return
    index = data.draw(st.sampled_from(scored))
    better = list(items)
    old = items[index]
    assert old.score is not None
    better[index] = ScoredAnswer(old.score + 1, 2, old.critical, False)
    before, after = suggest_section(items).grade, suggest_section(better).grade
    assert before is not None and after is not None
    assert after >= before


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(answers)
def test_critical_lowest_answer_always_inadequate(items: list[ScoredAnswer]) -> None:
    failing = [*items, ScoredAnswer(0, 2, critical=True, lowest=True)]
    assert suggest_section(failing).grade == I


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(section_grades)
def test_overall_lies_between_worst_and_best_section(sections: list[SectionGrade]) -> None:
    overall = suggest_overall(sections)
    graded = [s.grade for s in sections if s.grade is not None]
    if overall is None:
        assert len(graded) < 0.6 * len(sections)
        return
    if any(s.critical_failed for s in sections):
        assert overall == I  # a failed critical question overrides the section grades
        return
    assert min(graded) <= overall <= max(graded)


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(section_grades)
def test_limiting_or_critical_failure_means_inadequate(sections: list[SectionGrade]) -> None:
    overall = suggest_overall(sections)
    failed = any(s.critical_failed or (s.limiting and s.grade == I) for s in sections)
    if failed and overall is not None:
        assert overall == I


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(section_grades, st.data())
def test_overall_is_monotonic_in_section_grades(sections: list[SectionGrade],
                                               data: st.DataObject) -> None:
    """Raising one section's grade never lowers the overall suggestion."""
    raisable = [i for i, s in enumerate(sections) if s.grade is not None and s.grade < O]
    if not raisable:
        return
    index = data.draw(st.sampled_from(raisable))
    old = sections[index]
    assert old.grade is not None
    better = list(sections)
    better[index] = SectionGrade(Grade(old.grade + 1), old.limiting, old.critical_failed)
    before, after = suggest_overall(sections), suggest_overall(better)
    if before is None:  # too few sections graded; raising a grade does not change that
        assert after is None
        return
    assert after is not None
    assert after >= before


@settings(max_examples=200)  # a pure rule: the fuzz profile's count is for loaders
@given(grades, st.integers(min_value=1, max_value=12))
def test_uniform_sections_give_that_grade(grade: Grade, count: int) -> None:
    assert suggest_overall([SectionGrade(grade)] * count) == grade
