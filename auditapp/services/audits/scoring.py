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
    lowest, highest = question.score_range
    return ScoredAnswer(
        score=option["score"],
        max_score=highest,
        critical=question.critical,
        lowest=option["score"] is not None and option["score"] == lowest,
    )


def score_audit(
    template: TemplateInfo,
    uasc: bool,
    responses: Mapping[int, str | None],
    section_grades: Mapping[int, int | None],
) -> ScoredAudit:
    """Suggest section grades from ``responses`` (by question id) and the overall grade from
    the auditor's section grades (by section id), falling back to the suggestions."""
    suggestions = suggest_sections(template, uasc, responses)
    return ScoredAudit(suggestions, overall_from(template, suggestions, section_grades))


def suggest_sections(template: TemplateInfo, uasc: bool,
                     responses: Mapping[int, str | None]) -> dict[int, SectionSuggestion]:
    """The rule's suggestion for each applicable section (by section id) from
    ``responses`` (by question id)."""
    thresholds = template.grading
    suggestions: dict[int, SectionSuggestion] = {}
    for section in template.sections:
        if not section_applies(section.applies_when, uasc):
            continue
        answers = [a for q in section.questions
                   if (a := scored_answer(q, responses.get(q.id))) is not None]
        suggestions[section.id] = suggest_section(
            answers, thresholds["good"], thresholds["requires_improvement"])
    return suggestions


def overall_from(template: TemplateInfo, suggestions: Mapping[int, SectionSuggestion],
                 section_grades: Mapping[int, int | None]) -> Grade | None:
    """The overall grade the rule suggests from the auditor's section grades (by section
    id), falling back to the section's suggestion where none is given; ``suggestions`` are
    :func:`suggest_sections`'s, so that answers once scored are not scored again."""
    overall_input: list[SectionGrade] = []
    for section in template.sections:
        suggestion = suggestions.get(section.id)
        if suggestion is None:  # the section does not apply
            continue
        given = section_grades.get(section.id)
        grade = Grade(given) if given is not None else suggestion.grade
        overall_input.append(SectionGrade(grade, section.limiting, suggestion.critical_failed))
    return suggest_overall(overall_input)
