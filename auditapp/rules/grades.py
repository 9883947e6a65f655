"""Ofsted's four grades and the rule that suggests them from an auditor's answers.

The rule is a consistency aid agreed by the quality assurance lead, not a substitute for
professional judgement: the auditor may grade differently and then records a rationale.

Section suggestion
    Each answer scores its option's score out of the best score on its scale; "not
    applicable" and unanswered questions are left out. The section's percentage is the
    points scored over the points available. At or above the template's ``good`` threshold
    (85 % by default) the suggestion is Good, at or above ``requires_improvement`` (60 %)
    it is Requires improvement, below that Inadequate. Outstanding is never suggested: it
    needs the auditor's judgement of impact. A *critical* question answered with the lowest
    option on its scale (for the default scale, "No") makes the section Inadequate. When
    more than a third of a section's answers are "not applicable" the section is flagged as
    resting on little evidence.

Overall suggestion
    Take the applicable sections that have a grade (the auditor's, else the suggestion). If
    fewer than 60 % of applicable sections are graded there is no suggestion. Start from the
    median grade (the lower of the two middle grades). Then, in order:

    1. a critical question answered with its lowest option anywhere, or a *limiting*
       section graded Inadequate, makes the overall grade Inadequate (a limiting judgement);
    2. any other section graded Inadequate limits the overall grade to Requires improvement;
    3. two or more sections at Requires improvement or below limit it to Requires improvement;
    4. Outstanding needs every section Good or better and at least half Outstanding,
       otherwise it is limited to Good.

Final grade
    The grade every list, count and export uses: the moderator's final grade where the audit
    was moderated, otherwise the auditor's overall grade (:func:`final_grade`). Reports
    count it in SQL with an expression built to mirror this function (see
    :mod:`auditapp.services.reporting.stats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

GRADED_COVERAGE = 0.6
LOW_EVIDENCE_SHARE = 1 / 3
#: A section's suggestion thresholds, in percent of the available score, for a template that
#: sets none of its own.
GOOD_THRESHOLD = 85.0
REQUIRES_IMPROVEMENT_THRESHOLD = 60.0
#: What reports call an audit or section without a grade.
NOT_GRADED = "Not graded"


class Grade(IntEnum):
    """Ofsted's grades, stored as ordinals so that a higher number is a better grade."""

    INADEQUATE = 1
    REQUIRES_IMPROVEMENT = 2
    GOOD = 3
    OUTSTANDING = 4

    @property
    def label(self) -> str:
        """The grade in Ofsted's words."""
        return GRADE_LABELS[self]

    @property
    def short(self) -> str:
        """A short form for narrow table cells."""
        return GRADE_SHORT[self]

    @classmethod
    def parse(cls, text: str) -> Grade:
        """A grade from its words, short form or number, ignoring case."""
        wanted = text.strip().lower()
        for grade in cls:
            if wanted in {grade.label.lower(), grade.short.lower(), str(int(grade)),
                          grade.name.lower().replace("_", " ")}:
                return grade
        if wanted == "requires improvement":
            return cls.REQUIRES_IMPROVEMENT
        raise ValueError(f"'{text}' is not a grade ({', '.join(g.label for g in cls)})")


GRADE_LABELS = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    Grade.INADEQUATE: "Inadequate",
}
GRADE_SHORT = {
    Grade.OUTSTANDING: "Outstanding",
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "RI",
    Grade.INADEQUATE: "Inadequate",
}
#: Best first, as reports list them.
GRADES_BEST_FIRST = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)


def grade_label(value: int | None, empty: str = NOT_GRADED) -> str:
    """The words for a stored grade ordinal, or ``empty`` when there is none."""
    return Grade(value).label if value is not None else empty


def final_grade(moderated: int | None, auditor: int | None) -> int | None:
    """The grade that counts: the moderated grade where there is one, else the auditor's."""
    return moderated if moderated is not None else auditor


@dataclass(frozen=True)
class ScoredAnswer:
    """What the rule needs to know of one answered question."""

    score: float | None  # None: not applicable
    max_score: float
    critical: bool = False
    lowest: bool = False  # the lowest-scoring option on its scale was chosen


@dataclass(frozen=True)
class SectionSuggestion:
    """The rule's view of one section."""

    grade: Grade | None
    percent: float | None
    critical_failed: bool
    low_evidence: bool


@dataclass(frozen=True)
class SectionGrade:
    """A section as the overall rule sees it."""

    grade: Grade | None
    limiting: bool = False
    critical_failed: bool = False


def suggest_section(
    answers: Sequence[ScoredAnswer], good: float = GOOD_THRESHOLD,
    requires_improvement: float = REQUIRES_IMPROVEMENT_THRESHOLD,
) -> SectionSuggestion:
    """Suggest a section's grade from its answered questions (see the module docstring)."""
    scored = [a for a in answers if a.score is not None]
    not_applicable = len(answers) - len(scored)
    low_evidence = bool(answers) and not_applicable / len(answers) > LOW_EVIDENCE_SHARE
    critical_failed = any(a.critical and a.lowest for a in scored)
    available = sum(a.max_score for a in scored)
    if not scored or available == 0:
        return SectionSuggestion(None, None, critical_failed, low_evidence)
    percent = 100.0 * sum(a.score or 0.0 for a in scored) / available
    if critical_failed or percent < requires_improvement:
        grade = Grade.INADEQUATE
    elif percent < good:
        grade = Grade.REQUIRES_IMPROVEMENT
    else:
        grade = Grade.GOOD
    return SectionSuggestion(grade, percent, critical_failed, low_evidence)


def suggest_overall(sections: Sequence[SectionGrade]) -> Grade | None:
    """Suggest the overall grade from the applicable sections (see the module docstring)."""
    graded = sorted(s.grade for s in sections if s.grade is not None)
    if not sections or len(graded) < GRADED_COVERAGE * len(sections):
        return None
    grade = graded[(len(graded) - 1) // 2]
    if any(s.critical_failed for s in sections) or any(
        s.limiting and s.grade == Grade.INADEQUATE for s in sections
    ):
        return Grade.INADEQUATE
    if Grade.INADEQUATE in graded or sum(g <= Grade.REQUIRES_IMPROVEMENT for g in graded) >= 2:
        grade = min(grade, Grade.REQUIRES_IMPROVEMENT)
    outstanding = sum(g == Grade.OUTSTANDING for g in graded)
    if grade == Grade.OUTSTANDING and (graded[0] < Grade.GOOD or 2 * outstanding < len(graded)):
        grade = Grade.GOOD
    return grade
