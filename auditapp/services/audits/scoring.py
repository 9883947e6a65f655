"""Applying the grading rule to one audit's answers against its template version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from auditapp.rules.grades import (
    Grade,
    ScoredAnswer,
    SectionGrade,
    SectionSuggestion,
    suggest_overall,
    suggest_section,
)
from auditapp.rules.sections import section_applies
from auditapp.services.templates import QuestionInfo, TemplateInfo


@dataclass(frozen=True)
class ScoredAudit:
    """The rule's suggestions for every section and for the whole audit."""

    sections: dict[int, SectionSuggestion]  # by section id, applicable sections only
    overall: Grade | None


def scored_answer(question: QuestionInfo, code: str | None) -> ScoredAnswer | None:
    """The rule's view of an answer, or None while the question is unanswered."""
    option = question.option(code)
    if option is None:
        return None
    scores = [o["score"] for o in question.scale if o["score"] is not None]
    return ScoredAnswer(
        score=option["score"],
        max_score=max(scores),
        critical=question.critical,
        lowest=option["score"] is not None and option["score"] == min(scores),
    )


def score_audit(
    template: TemplateInfo,
    uasc: bool,
    responses: Mapping[int, str | None],
    section_grades: Mapping[int, int | None],
) -> ScoredAudit:
    """Suggest section grades from ``responses`` (by question id) and the overall grade from
    the auditor's section grades (by section id), falling back to the suggestions."""
    thresholds = template.grading
    suggestions: dict[int, SectionSuggestion] = {}
    overall_input: list[SectionGrade] = []
    for section in template.sections:
        if not section_applies(section.applies_when, uasc):
            continue
        answers = [a for q in section.questions
                   if (a := scored_answer(q, responses.get(q.id))) is not None]
        suggestion = suggest_section(
            answers, thresholds["good"], thresholds["requires_improvement"])
        suggestions[section.id] = suggestion
        given = section_grades.get(section.id)
        grade = Grade(given) if given is not None else suggestion.grade
        overall_input.append(SectionGrade(grade, section.limiting, suggestion.critical_failed))
    return ScoredAudit(suggestions, suggest_overall(overall_input))
