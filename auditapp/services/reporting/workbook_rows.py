"""The rows of the Excel workbook's Audits, Answers and Actions sheets, streamed from SQL.

Each function is a generator that opens its own session and reads in batches, so that ten
thousand audits (600,000 answers) never sit in memory at once. Rows are plain tuples of
cell values in sheet order; grades are words and dates are ``date`` objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from auditapp.models import Action, Answer, Audit, Case, Moderation, Question, Template
from auditapp.rules.actions import is_overdue
from auditapp.rules.grades import grade_label
from auditapp.services.reporting.figures import ReportScope, scoped_audits
from auditapp.services.reporting.stats import final_grade_column
from auditapp.services.templates import TemplateInfo
from auditapp.storage.engine import Database

BATCH = 5000


class AuditRow(NamedTuple):
    """One audit, as the Audits sheet shows it."""

    audit_id: int
    case_reference: str
    category: str
    uasc: str
    team: str
    auditor: str
    audit_date: date
    submitted_on: date | None
    status: str
    template: str
    template_version: int
    overall_grade: str
    suggested_grade: str | None
    moderated_grade: str | None
    moderated_on: date | None
    final_grade: str


AUDIT_HEADERS = ("Audit ID", "Case reference", "Category", "UASC", "Team", "Auditor",
                 "Audit date", "Submitted", "Status", "Template", "Template version",
                 "Overall grade (auditor)", "Suggested grade", "Moderated grade",
                 "Moderated on", "Final grade")


class AnswerRow(NamedTuple):
    """One answered question, keyed to its audit by the audit id."""

    audit_id: int
    case_reference: str
    section: str
    section_title: str
    question: str
    question_text: str
    response: str
    evidence: str


ANSWER_HEADERS = ("Audit ID", "Case reference", "Section", "Section title", "Question ID",
                  "Question", "Response", "Evidence")


class ActionRow(NamedTuple):
    """One action raised by an audit, with whether it is overdue."""

    action_id: int
    audit_id: int
    case_reference: str
    question: str
    text: str
    owner: str
    priority: str
    due_date: date | None
    status: str
    completed_on: date | None
    overdue: str
    days_overdue: int | None


ACTION_HEADERS = ("Action ID", "Audit ID", "Case reference", "Question ID", "Action", "Owner",
                  "Priority", "Due date", "Status", "Completed on", "Overdue", "Days overdue")


@dataclass(frozen=True)
class RowCounts:
    """How many rows each sheet will get."""

    audits: int
    answers: int
    actions: int

    @property
    def total(self) -> int:
        """Rows in all three sheets."""
        return self.audits + self.answers + self.actions


def row_counts(db: Database, scope: ReportScope) -> RowCounts:
    """The number of audits, answered questions and actions a scope exports."""
    audits = scoped_audits(scope)
    with db.transaction() as session:
        return RowCounts(
            session.scalar(audits.with_only_columns(func.count())) or 0,
            session.scalar(select(func.count()).select_from(Answer).where(
                Answer.audit_id.in_(audits), Answer.response.is_not(None))) or 0,
            session.scalar(select(func.count()).select_from(Action).where(
                Action.audit_id.in_(audits))) or 0)


def longest_texts(db: Database, scope: ReportScope) -> dict[str, int]:
    """The length in characters of the longest evidence note and action a scope exports, so
    that a workbook knows how many cells its longest text needs before the first row."""
    audits = scoped_audits(scope)
    with db.transaction() as session:
        return {
            "evidence": session.scalar(select(func.max(func.length(Answer.evidence))).where(
                Answer.audit_id.in_(audits), Answer.response.is_not(None))) or 0,
            "action": session.scalar(select(func.max(func.length(Action.text))).where(
                Action.audit_id.in_(audits))) or 0,
        }


def audit_rows(db: Database, scope: ReportScope) -> Iterator[AuditRow]:
    """Every audit of the scope, by audit date."""
    query = scoped_audits(scope).with_only_columns(
        Audit.id, Case.reference, Case.category, Case.uasc, Case.team, Audit.auditor,
        Audit.audit_date, Audit.submitted_at, Audit.status, Template.key, Template.version,
        Audit.overall_grade, Audit.suggested_grade, Moderation.grade, Moderation.moderated_on,
        final_grade_column()).order_by(Audit.audit_date, Audit.id)
    with db.transaction() as session:
        for r in session.execute(query.execution_options(yield_per=BATCH)):
            yield AuditRow(
                r[0], r[1], r[2].value, "Yes" if r[3] else "No", r[4], r[5], r[6],
                r[7].date() if r[7] else None, r[8].value, r[9], r[10], grade_label(r[11]),
                grade_label(r[12]) if r[12] is not None else None,
                grade_label(r[13]) if r[13] is not None else None, r[14], grade_label(r[15]))


@dataclass(frozen=True)
class _QuestionCells:
    section: str
    section_title: str
    question: str
    text: str
    labels: Mapping[str, str]


def _question_cells(templates: Mapping[int, TemplateInfo]) -> dict[int, _QuestionCells]:
    return {q.id: _QuestionCells(s.key, s.title, q.key, q.text,
                                 {o["code"]: o["label"] for o in q.scale})
            for t in templates.values() for s in t.sections for q in s.questions}


def answer_rows(db: Database, scope: ReportScope,
                templates: Mapping[int, TemplateInfo]) -> Iterator[AnswerRow]:
    """Every answered question of every audit of the scope, audit by audit in the order of
    the Audits sheet, questions in template order. ``templates`` must hold every template
    version the scope uses (see :func:`~auditapp.services.reporting.figures.templates_used`)."""
    questions = _question_cells(templates)
    order = {qid: i for i, qid in enumerate(questions)}
    query = (select(Answer.audit_id, Case.reference, Answer.question_id, Answer.response,
                    Answer.evidence)
             .join(Audit, Audit.id == Answer.audit_id).join(Case, Case.id == Audit.case_id)
             .where(Answer.audit_id.in_(scoped_audits(scope)), Answer.response.is_not(None))
             .order_by(Audit.audit_date, Audit.id))
    with db.transaction() as session:
        batch: list[tuple[int, str, int, str, str]] = []  # responses are never None here
        for row in session.execute(query.execution_options(yield_per=BATCH)):
            if batch and row[0] != batch[0][0]:
                yield from _audit_answers(batch, questions, order)
                batch = []
            batch.append((row[0], row[1], row[2], row[3] or "", row[4]))
        yield from _audit_answers(batch, questions, order)


def _audit_answers(batch: list[tuple[int, str, int, str, str]],
                   questions: Mapping[int, _QuestionCells],
                   order: Mapping[int, int]) -> Iterator[AnswerRow]:
    batch.sort(key=lambda r: order[r[2]])
    for audit_id, reference, question_id, response, evidence in batch:
        q = questions[question_id]
        yield AnswerRow(audit_id, reference, q.section, q.section_title, q.question, q.text,
                        q.labels.get(response, response), evidence)


def action_rows(db: Database, scope: ReportScope, as_at: date) -> Iterator[ActionRow]:
    """Every action raised by the audits of the scope; overdue means still open with a due
    date before ``as_at``."""
    question = aliased(Question)
    query = (select(Action.id, Action.audit_id, Case.reference, question.key, Action.text,
                    Action.owner, Action.priority, Action.due_date, Action.status,
                    Action.completed_on)
             .join(Audit, Audit.id == Action.audit_id).join(Case, Case.id == Audit.case_id)
             .outerjoin(question, question.id == Action.question_id)
             .where(Action.audit_id.in_(scoped_audits(scope)))
             .order_by(Audit.audit_date, Audit.id, Action.id))
    with db.transaction() as session:
        for r in session.execute(query.execution_options(yield_per=BATCH)):
            due: date | None = r[7]
            days_overdue = (as_at - due).days if due is not None and is_overdue(
                r[8], due, as_at) else None
            yield ActionRow(r[0], r[1], r[2], r[3] or "", r[4], r[5], r[6].value, due,
                            r[8].value, r[9], "No" if days_overdue is None else "Yes",
                            days_overdue)
