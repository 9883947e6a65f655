"""Audits: starting them, reading them, saving the auditor's work and submitting it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from auditapp.errors import ConcurrentEditError, NotFoundError, PermissionDeniedError, UserError
from auditapp.models import (
    Action,
    ActionPriority,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    Case,
    ChangeEvent,
    Moderation,
    Question,
    Role,
    Section,
    SectionJudgement,
    Template,
    utcnow,
)
from auditapp.rules.actions import immediate_due_problem
from auditapp.rules.grades import Grade, final_grade, grade_label
from auditapp.rules.limits import (
    ANSWER_CODE_CHARS,
    LONG_TEXT_CHARS,
    NAME_CHARS,
    require_date,
    require_length,
)
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.rules.sections import section_applies
from auditapp.rules.wording import day_text
from auditapp.services.audits.previous import earlier_audit_id
from auditapp.services.audits.scoring import ScoredAudit, score_audit
from auditapp.services.history import record_change
from auditapp.services.templates import TemplateInfo, read_template_info
from auditapp.services.users import add_profile, find_profile
from auditapp.services.visibility import audit_withheld, withheld_condition
from auditapp.storage.engine import Database

NARRATIVE_FIELDS = ("strengths", "areas_for_development", "young_person_voice")


class AuditLockedError(UserError):
    """The audit cannot be changed in its current status."""


# --- plain data handed to the UI and the exporters ------------------------------------------


@dataclass(frozen=True)
class AnswerState:
    """A question's current answer."""

    response: str | None
    evidence: str


@dataclass(frozen=True)
class JudgementState:
    """A section's grades."""

    suggested: int | None
    grade: int | None
    comment: str


@dataclass(frozen=True)
class ActionInfo:
    """An action raised by an audit."""

    id: int
    text: str
    owner: str
    due_date: date | None
    priority: str
    status: str
    question_id: int | None
    completed_on: date | None
    status_note: str


@dataclass(frozen=True)
class ModerationInfo:
    """The outcome of moderation (``grade`` None until it is finalised)."""

    moderator: str
    moderated_on: date
    grade: int | None
    agreed: bool
    comment: str


@dataclass(frozen=True)
class AuditDocument:
    """An audit in full, as plain data."""

    id: int
    uid: str
    status: str
    case_id: int
    case_reference: str
    category: str
    uasc: bool
    age_at_audit: int | None
    team: str
    worker: str
    template: TemplateInfo
    auditor: str
    audit_date: date
    suggested_grade: int | None
    overall_grade: int | None
    grade_rationale: str
    strengths: str
    areas_for_development: str
    young_person_voice: str
    answers: dict[int, AnswerState]  # by question id
    judgements: dict[int, JudgementState]  # by section id, every section
    actions: tuple[ActionInfo, ...]
    moderation: ModerationInfo | None
    submitted_at: datetime | None
    updated_at: datetime
    returned_comment: str = ""  # why a moderator sent it back for rework
    revision: int = 0  # pass back to save_changes, which refuses a save based on an older one
    auditor_id: int = 0  # the auditor's profile
    #: The auditor's grades, comments and rationale (and the suggestions) are withheld from
    #: this reader: a moderator who has yet to grade the audit blind.
    grades_withheld: bool = False

    @property
    def final_grade(self) -> int | None:
        """The grade that counts (see :func:`~auditapp.rules.grades.final_grade`)."""
        return final_grade(self.moderation.grade if self.moderation else None,
                           self.overall_grade)

    @property
    def editable(self) -> bool:
        """Whether the auditor may still change it."""
        return self.status == AuditStatus.DRAFT

    def applies(self, section_id: int) -> bool:
        """Whether a section of the template applies to this case."""
        section = next(s for s in self.template.sections if s.id == section_id)
        return section_applies(section.applies_when, self.uasc)


@dataclass(frozen=True)
class AnswerChange:
    """A new answer for one question."""

    question_id: int
    response: str | None
    evidence: str


@dataclass(frozen=True)
class JudgementChange:
    """A new grade and comment for one section."""

    section_id: int
    grade: int | None
    comment: str


@dataclass
class AuditChanges:
    """Everything changed in an audit since the last save, keyed so the latest change wins."""

    answers: dict[int, AnswerChange] = field(default_factory=dict)
    judgements: dict[int, JudgementChange] = field(default_factory=dict)
    overall: tuple[int | None, str] | None = None  # (grade, rationale)
    narrative: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.answers or self.judgements or self.overall or self.narrative)


def with_changes(document: AuditDocument, changes: AuditChanges) -> AuditDocument:
    """The audit as it will be once ``changes`` are saved: what the editor shows after
    reloading an audit someone else saved, with the user's unsaved work on top."""
    answers = {**document.answers, **{q: AnswerState(c.response, c.evidence)
                                      for q, c in changes.answers.items()}}
    judgements = dict(document.judgements)
    for section_id, change in changes.judgements.items():
        old = judgements.get(section_id)
        judgements[section_id] = JudgementState(old.suggested if old else None, change.grade,
                                                change.comment)
    grade, rationale = changes.overall or (document.overall_grade, document.grade_rationale)
    narrative = changes.narrative
    return replace(document, answers=answers, judgements=judgements, overall_grade=grade,
                   grade_rationale=rationale,
                   strengths=narrative.get("strengths", document.strengths),
                   areas_for_development=narrative.get("areas_for_development",
                                                       document.areas_for_development),
                   young_person_voice=narrative.get("young_person_voice",
                                                    document.young_person_voice))


@dataclass(frozen=True)
class SavedGrades:
    """The suggestions after a save, to show beside the auditor's grades."""

    sections: dict[int, int | None]  # by section id
    overall: int | None
    answered: int
    applicable: int
    saved_at: datetime
    revision: int = 0  # the audit's revision after the save


@dataclass(frozen=True)
class ActionInput:
    """An action as the auditor enters it."""

    text: str
    owner: str = ""
    due_date: date | None = None
    priority: ActionPriority = ActionPriority.NORMAL
    status: ActionStatus = ActionStatus.OPEN
    question_id: int | None = None


class ProblemField(StrEnum):
    """What a submission problem is about, so the editor can go straight to it."""

    RESPONSE = "response"
    EVIDENCE = "evidence"
    SECTION_GRADE = "section_grade"
    OVERALL = "overall"
    ACTION = "action"


@dataclass(frozen=True)
class SubmissionProblem:
    """Something that stops an audit being submitted, with where to go to fix it."""

    message: str
    section_id: int | None = None
    question_id: int | None = None
    action_id: int | None = None
    field: ProblemField = ProblemField.OVERALL


class SubmissionBlockedError(UserError):
    """The audit has problems that must be put right before it is submitted."""

    def __init__(self, problems: list[SubmissionProblem]) -> None:
        self.problems = problems
        super().__init__(f"The audit cannot be submitted yet: {len(problems)} "
                         f"problem{'s' if len(problems) != 1 else ''} to put right.")


@dataclass(frozen=True)
class AuditListRow:
    """One audit as the audit list shows it."""

    id: int
    case_reference: str
    category: str
    uasc: bool
    team: str
    template_key: str
    template_title: str
    template_version: int
    auditor: str
    audit_date: date
    status: str
    overall_grade: int | None
    suggested_grade: int | None
    moderated_grade: int | None
    answered: int
    applicable: int
    #: The grades are withheld from this reader (blind moderation): all three are None.
    grades_withheld: bool = False

    @property
    def final_grade(self) -> int | None:
        """The grade that counts (see :func:`~auditapp.rules.grades.final_grade`)."""
        return final_grade(self.moderated_grade, self.overall_grade)


# --- starting an audit ------------------------------------------------------------------------


def add_audit(session: Session, case_id: int, template_id: int, auditor: str,
              audit_date: date, actor: Actor) -> int:
    """Start a draft audit in ``session`` with an empty answer for every question."""
    template = session.get(Template, template_id)
    if template is None:
        raise NotFoundError(f"No template version with number {template_id}.")
    if template.retired:
        raise UserError(f"Template '{template.key}' version {template.version} is retired; "
                        "start new audits on a current version.")
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"No case with number {case_id}.")
    if not auditor.strip():
        raise UserError("An audit needs an auditor's name.")
    require_length("The auditor's name", auditor.strip(), NAME_CHARS)
    require_date("The audit date", audit_date)
    auditor_id = _auditor_profile(session, auditor, actor)
    questions = session.execute(
        select(Question.id, Section.applies_when).join(Section)
        .where(Section.template_id == template_id)).all()
    audit = Audit(case_id=case_id, template_id=template_id, auditor_id=auditor_id,
                  audit_date=audit_date, answered=0,
                  applicable=sum(section_applies(cond, case.uasc) for _, cond in questions),
                  follows_id=earlier_audit_id(session, case_id, audit_date))
    session.add(audit)
    session.flush()
    section_ids = session.scalars(
        select(Section.id).where(Section.template_id == template_id)).all()
    # Rows without ORM objects: a sample of hundreds of cases would otherwise hold tens of
    # thousands of them in the session until it commits.
    session.execute(insert(Answer), [{"audit_id": audit.id, "question_id": q}
                                     for q, _ in questions])
    session.execute(insert(SectionJudgement), [{"audit_id": audit.id, "section_id": s}
                                               for s in section_ids])
    record_change(session, audit.id, actor, "audit", "", "status", None, AuditStatus.DRAFT)
    session.flush()
    return audit.id


def _auditor_profile(session: Session, auditor: str, actor: Actor) -> int:
    """The profile of the auditor named ``auditor`` (ignoring case and spacing), checking
    that ``actor`` may start an audit for them. A practice lead may name someone who has no
    profile yet: they get an auditor's profile."""
    profile = find_profile(session, auditor)
    if profile is not None:
        require(actor, Permission.START_AUDIT, owner_id=profile.id, owner_name=profile.name)
        return profile.id
    require(actor, Permission.START_AUDIT)
    if actor.role != Role.PRACTICE_LEAD:
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role.value}) may start audits only for themselves; "
            f"{auditor.strip()} has no profile here.")
    return add_profile(session, auditor, Role.AUDITOR).id


def create_audit(db: Database, case_id: int, template_id: int, auditor: str,
                 audit_date: date, actor: Actor) -> int:
    """Start a draft audit of a case on a template version; returns the audit's id."""
    with db.transaction() as session:
        return add_audit(session, case_id, template_id, auditor, audit_date, actor)


# --- reading ----------------------------------------------------------------------------------


def _get_audit(session: Session, audit_id: int) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"No audit with number {audit_id}.")
    return audit


def _action_info(action: Action) -> ActionInfo:
    return ActionInfo(action.id, action.text, action.owner, action.due_date,
                      action.priority.value, action.status.value, action.question_id,
                      action.completed_on, action.status_note)


def _template_of(session: Session, audit: Audit, template: TemplateInfo | None
                 ) -> TemplateInfo:
    """The audit's template version: ``template`` when the caller holds that one (a version
    never changes), else read in this same session."""
    if template is None or template.id != audit.template_id:
        template = read_template_info(session, audit.template_id)
    return template


def _document(session: Session, audit: Audit, template: TemplateInfo,
              withheld: bool = False) -> AuditDocument:
    """An audit in full, read in an open session (``withheld``: without the auditor's
    judgement, see :func:`withhold_grades`)."""
    answers = {q: AnswerState(r, e) for q, r, e in session.execute(
        select(Answer.question_id, Answer.response, Answer.evidence)
        .where(Answer.audit_id == audit.id))}
    judgements = {s: JudgementState(sg, g, c) for s, sg, g, c in session.execute(
        select(SectionJudgement.section_id, SectionJudgement.suggested_grade,
               SectionJudgement.grade, SectionJudgement.comment)
        .where(SectionJudgement.audit_id == audit.id))}
    moderation = audit.moderation
    case = audit.case
    document = AuditDocument(
        audit.id, audit.uid, audit.status.value, case.id, case.reference,
        case.category.value, case.uasc, case.age_at_audit, case.team, case.worker, template,
        audit.auditor, audit.audit_date, audit.suggested_grade, audit.overall_grade,
        audit.grade_rationale, audit.strengths, audit.areas_for_development,
        audit.young_person_voice, answers, judgements,
        tuple(_action_info(a) for a in audit.actions),
        ModerationInfo(moderation.moderator, moderation.moderated_on, moderation.grade,
                       moderation.agreed, moderation.comment) if moderation else None,
        audit.submitted_at, audit.updated_at, audit.returned_comment, audit.revision,
        audit.auditor_id,
    )
    return withhold_grades(document) if withheld else document


def withhold_grades(document: AuditDocument) -> AuditDocument:
    """The audit without the auditor's judgement: section grades and comments, the overall
    grade and rationale, the suggestions, and any moderation (blind moderation)."""
    hidden = {sid: JudgementState(None, None, "") for sid in document.judgements}
    return replace(document, judgements=hidden, overall_grade=None, suggested_grade=None,
                   grade_rationale="", moderation=None, grades_withheld=True)


def load_audit(db: Database, audit_id: int, reader: Actor,
               template: TemplateInfo | None = None) -> AuditDocument:
    """An audit in full, as ``reader`` may see it: a moderator who has yet to grade it blind
    gets it without the auditor's grades, comments and rationale. Pass the template when the
    caller already holds it (it never changes for an audit), to save reading it again."""
    with db.transaction() as session:
        audit = _get_audit(session, audit_id)
        return _document(session, audit, _template_of(session, audit, template),
                         audit_withheld(session, audit_id, reader))


# --- saving -----------------------------------------------------------------------------------


def _require_editable(audit: Audit, actor: Actor) -> None:
    """A draft, and the actor may edit it. A closed audit cannot be changed by anyone until a
    practice lead reopens it."""
    if audit.status == AuditStatus.CLOSED:
        raise AuditLockedError("This audit is closed: nobody can change it. A practice lead can "
                               "reopen it, and that is recorded in its history.")
    if audit.status != AuditStatus.DRAFT:
        raise AuditLockedError(
            f"This audit is {audit.status.value} and can no longer be changed by its auditor.")
    require(actor, Permission.EDIT_DRAFT, owner_id=audit.auditor_id, owner_name=audit.auditor)


def refresh_suggestions(session: Session, audit: Audit, template: TemplateInfo) -> ScoredAudit:
    """Recompute suggested grades and progress from the stored answers and section grades."""
    responses = dict(session.execute(
        select(Answer.question_id, Answer.response).where(Answer.audit_id == audit.id)).all())
    judgements = {j.section_id: j for j in session.scalars(
        select(SectionJudgement).where(SectionJudgement.audit_id == audit.id))}
    scored = score_audit(template, audit.case.uasc, responses,
                         {sid: j.grade for sid, j in judgements.items()})
    for section_id, judgement in judgements.items():
        suggestion = scored.sections.get(section_id)
        grade = suggestion.grade if suggestion else None
        judgement.suggested_grade = int(grade) if grade is not None else None
    audit.suggested_grade = int(scored.overall) if scored.overall is not None else None
    applicable = [q.id for s in template.sections
                  if section_applies(s.applies_when, audit.case.uasc)
                  for q in s.questions]
    audit.applicable = len(applicable)
    audit.answered = sum(1 for q in applicable if responses.get(q) is not None)
    return scored


def _apply_answers(session: Session, audit: Audit, template: TemplateInfo,
                   changes: AuditChanges, actor: Actor) -> None:
    if not changes.answers:
        return
    questions = {q.id: q for s in template.sections for q in s.questions}
    rows = {a.question_id: a for a in session.scalars(
        select(Answer).where(Answer.audit_id == audit.id,
                             Answer.question_id.in_(changes.answers)))}
    for change in changes.answers.values():
        question = questions.get(change.question_id)
        row = rows.get(change.question_id)
        if question is None or row is None:
            raise NotFoundError(f"Question {change.question_id} is not part of this audit.")
        if change.response is not None and question.option(change.response) is None:
            raise UserError(f"'{change.response}' is not an answer to question {question.key}.")
        record_change(session, audit.id, actor, "answer", question.key, "response",
                      row.response, change.response)
        record_change(session, audit.id, actor, "answer", question.key, "evidence",
                      row.evidence, change.evidence)
        row.response = change.response
        row.evidence = change.evidence


def _apply_judgements(session: Session, audit: Audit, template: TemplateInfo,
                      changes: AuditChanges, actor: Actor) -> None:
    if not changes.judgements:
        return
    keys = {s.id: s.key for s in template.sections}
    rows = {j.section_id: j for j in session.scalars(
        select(SectionJudgement).where(SectionJudgement.audit_id == audit.id))}
    for change in changes.judgements.values():
        row = rows.get(change.section_id)
        if row is None:
            raise NotFoundError(f"Section {change.section_id} is not part of this audit.")
        if change.grade is not None:
            Grade(change.grade)
        record_change(session, audit.id, actor, "judgement", keys[change.section_id], "grade",
                      grade_label(row.grade, ""), grade_label(change.grade, ""))
        record_change(session, audit.id, actor, "judgement", keys[change.section_id], "comment",
                      row.comment, change.comment)
        row.grade = change.grade
        row.comment = change.comment


def _apply_audit_fields(session: Session, audit: Audit, changes: AuditChanges,
                        actor: Actor) -> None:
    if changes.overall is not None:
        grade, rationale = changes.overall
        if grade is not None:
            Grade(grade)
        record_change(session, audit.id, actor, "audit", "", "overall_grade",
                      grade_label(audit.overall_grade, ""), grade_label(grade, ""))
        record_change(session, audit.id, actor, "audit", "", "grade_rationale",
                      audit.grade_rationale, rationale)
        audit.overall_grade = grade
        audit.grade_rationale = rationale
    for name, text in changes.narrative.items():
        if name not in NARRATIVE_FIELDS:
            raise UserError(f"'{name}' is not a part of an audit that can be written.")
        record_change(session, audit.id, actor, "audit", "", name, getattr(audit, name), text)
        setattr(audit, name, text)


def _require_revision(session: Session, audit: Audit, expected: int | None) -> None:
    """Refuse a save based on an older revision than the stored one: someone else saved."""
    if expected is None or audit.revision == expected:
        return
    last = session.execute(select(ChangeEvent.actor, ChangeEvent.at)
                           .where(ChangeEvent.audit_id == audit.id)
                           .order_by(ChangeEvent.seq.desc()).limit(1)).first()
    who = f"{last.actor} saved it at {last.at:%H:%M} UTC on {day_text(last.at)}" if last \
        else "it was saved elsewhere"
    raise ConcurrentEditError(
        f"This audit was changed while you had it open ({who}), so your latest changes were "
        "not saved. Reload it to see theirs; your changes are kept to save again on top.")


def _check_lengths(changes: AuditChanges) -> None:
    """Refuse, before anything is written, a text longer than the database takes."""
    for answer in changes.answers.values():
        require_length("An evidence note", answer.evidence, LONG_TEXT_CHARS)
        require_length("An answer's code", answer.response or "", ANSWER_CODE_CHARS)
    for judgement in changes.judgements.values():
        require_length("A section grade's comment", judgement.comment, LONG_TEXT_CHARS)
    if changes.overall is not None:
        require_length("The rationale", changes.overall[1], LONG_TEXT_CHARS)
    for name, text in changes.narrative.items():
        require_length(f"The {name.replace('_', ' ')}", text, LONG_TEXT_CHARS)


def save_changes(db: Database, audit_id: int, changes: AuditChanges, actor: Actor,
                 template: TemplateInfo | None = None,
                 expected_revision: int | None = None) -> SavedGrades:
    """Write a batch of the auditor's changes in one transaction and return the new
    suggestions. Either every change is saved or none is.

    With ``expected_revision`` (the revision the caller read), a save based on a stale read
    raises :class:`~auditapp.errors.ConcurrentEditError` and writes nothing."""
    _check_lengths(changes)
    with db.transaction() as session:
        audit = _get_audit(session, audit_id)
        _require_editable(audit, actor)
        _require_revision(session, audit, expected_revision)
        template = _template_of(session, audit, template)
        _apply_answers(session, audit, template, changes, actor)
        _apply_judgements(session, audit, template, changes, actor)
        _apply_audit_fields(session, audit, changes, actor)
        session.flush()
        scored = refresh_suggestions(session, audit, template)
        audit.updated_at = utcnow()
        session.flush()
        return SavedGrades(
            {sid: int(s.grade) if s.grade is not None else None
             for sid, s in scored.sections.items()},
            audit.suggested_grade, audit.answered, audit.applicable, audit.updated_at,
            audit.revision)


# --- actions ----------------------------------------------------------------------------------


def _check_action(action: ActionInput, raised_on: date) -> None:
    if not action.text.strip():
        raise UserError("An action needs a description of what must happen.")
    require_length("An action's description", action.text, LONG_TEXT_CHARS)
    require_length("An action's owner", action.owner, NAME_CHARS)
    require_date("The due date", action.due_date)
    if action.priority == ActionPriority.IMMEDIATE:
        problem = immediate_due_problem(action.due_date, raised_on)
        if problem:
            raise UserError(problem)


def add_action(db: Database, audit_id: int, action: ActionInput, actor: Actor) -> int:
    """Add an action to a draft audit; returns its id."""
    _check_action(action, date.today())
    with db.transaction() as session:
        audit = _get_audit(session, audit_id)
        _require_editable(audit, actor)
        row = Action(audit_id=audit_id, text=action.text.strip(), owner=action.owner.strip(),
                     due_date=action.due_date, priority=action.priority, status=action.status,
                     question_id=action.question_id, raised_by_id=actor.id)
        session.add(row)
        session.flush()
        record_change(session, audit_id, actor, "action", str(row.id), "text", None, row.text)
        return row.id


def update_action(db: Database, action_id: int, action: ActionInput, actor: Actor) -> None:
    """Change an action of a draft audit."""
    with db.transaction() as session:
        row = session.get(Action, action_id)
        if row is None:
            raise NotFoundError(f"No action with number {action_id}.")
        _check_action(action, row.created_at.date())
        _require_editable(row.audit, actor)
        for name in ("text", "owner", "due_date", "priority", "status", "question_id"):
            new = getattr(action, name)
            new = new.strip() if isinstance(new, str) else new
            record_change(session, row.audit_id, actor, "action", str(row.id), name,
                          getattr(row, name), new)
            setattr(row, name, new)


def delete_action(db: Database, action_id: int, actor: Actor) -> None:
    """Remove an action from a draft audit."""
    with db.transaction() as session:
        row = session.get(Action, action_id)
        if row is None:
            raise NotFoundError(f"No action with number {action_id}.")
        _require_editable(row.audit, actor)
        record_change(session, row.audit_id, actor, "action", str(row.id), "text", row.text, None)
        session.delete(row)


# --- submitting -------------------------------------------------------------------------------


def _question_problems(document: AuditDocument) -> list[SubmissionProblem]:
    problems: list[SubmissionProblem] = []
    for section in document.template.sections:
        if not document.applies(section.id):
            continue
        for question in section.questions:
            answer = document.answers.get(question.id, AnswerState(None, ""))
            option = question.option(answer.response)
            if option is None:
                problems.append(SubmissionProblem(
                    f"{question.key}: not answered", section.id, question.id,
                    field=ProblemField.RESPONSE))
            elif answer.response in question.evidence_required and not answer.evidence.strip():
                problems.append(SubmissionProblem(
                    f"{question.key}: answered '{option['label']}' without an evidence note",
                    section.id, question.id, field=ProblemField.EVIDENCE))
    return problems


def _grade_problems(document: AuditDocument) -> list[SubmissionProblem]:
    problems: list[SubmissionProblem] = []
    for section in document.template.sections:
        if not document.applies(section.id):
            continue
        judgement = document.judgements[section.id]
        if judgement.grade is None:
            problems.append(SubmissionProblem(
                f"{section.key} {section.title}: no section grade given", section.id,
                field=ProblemField.SECTION_GRADE))
        elif judgement.grade != judgement.suggested and not judgement.comment.strip():
            problems.append(SubmissionProblem(
                f"{section.key} {section.title}: graded {grade_label(judgement.grade)} against "
                f"a suggested {grade_label(judgement.suggested, 'no grade')}, with no comment "
                "to say why", section.id, field=ProblemField.SECTION_GRADE))
    if document.overall_grade is None:
        problems.append(SubmissionProblem("No overall grade given", field=ProblemField.OVERALL))
    elif (document.overall_grade != document.suggested_grade
          and not document.grade_rationale.strip()):
        problems.append(SubmissionProblem(
            f"Overall grade {grade_label(document.overall_grade)} differs from the suggested "
            f"{grade_label(document.suggested_grade, 'no grade')}: give a rationale",
            field=ProblemField.OVERALL))
    return problems


def _action_problems(document: AuditDocument) -> list[SubmissionProblem]:
    problems: list[SubmissionProblem] = []
    for number, action in enumerate(document.actions, start=1):
        missing = [name for name, value in (("owner", action.owner),
                                            ("due date", action.due_date)) if not value]
        if missing:
            problems.append(SubmissionProblem(
                f"Action {number} ('{action.text[:40]}') has no {' and no '.join(missing)}",
                action_id=action.id, field=ProblemField.ACTION))
    return problems


def submission_problems(document: AuditDocument) -> list[SubmissionProblem]:
    """Everything that stops the audit being submitted, in the order the editor shows it."""
    return _question_problems(document) + _grade_problems(document) + _action_problems(document)


def submit_audit(db: Database, audit_id: int, actor: Actor,
                 expected_revision: int | None = None) -> None:
    """Submit a draft audit; raises SubmissionBlockedError listing every problem.

    The checks and the status change are one transaction, so nothing can change the audit
    between them. With ``expected_revision`` (the revision the caller read, as for
    :func:`save_changes`) a submission based on a stale read raises
    :class:`~auditapp.errors.ConcurrentEditError` and changes nothing."""
    with db.transaction() as session:
        audit = _get_audit(session, audit_id)
        require(actor, Permission.SUBMIT, owner_id=audit.auditor_id, owner_name=audit.auditor)
        _require_editable(audit, actor)
        _require_revision(session, audit, expected_revision)
        template = read_template_info(session, audit.template_id)
        problems = submission_problems(_document(session, audit, template))
        if problems:
            raise SubmissionBlockedError(problems)
        record_change(session, audit_id, actor, "audit", "", "status", audit.status.value,
                      AuditStatus.SUBMITTED.value)
        audit.status = AuditStatus.SUBMITTED
        audit.submitted_at = utcnow()
        audit.returned_comment = ""


# --- listing ----------------------------------------------------------------------------------


def list_audits(db: Database, reader: Actor, audit_ids: list[int] | None = None,
                template_id: int | None = None, limit: int | None = None
                ) -> list[AuditListRow]:
    """Every audit (or those with the given ids, or on one template version) as the audit
    list shows it to ``reader``, newest first; only the newest ``limit`` when given (read
    through the date index, so in a time that does not grow with the database). An audit
    whose grades are withheld from the reader (blind moderation) comes without them."""
    query = (
        select(Audit.id, Case.reference, Case.category, Case.uasc, Case.team, Template.key,
               Template.title, Template.version, Audit.auditor, Audit.audit_date, Audit.status,
               Audit.overall_grade, Audit.suggested_grade, Moderation.grade, Audit.answered,
               Audit.applicable, withheld_condition(reader))
        .join(Case, Case.id == Audit.case_id)
        .join(Template, Template.id == Audit.template_id)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .order_by(Audit.audit_date.desc(), Audit.id.desc())
    )
    if audit_ids is not None:
        query = query.where(Audit.id.in_(audit_ids))
    if template_id is not None:
        query = query.where(Audit.template_id == template_id)
    if limit is not None:
        query = query.limit(limit)
    with db.transaction() as session:
        return [
            AuditListRow(r[0], r[1], r[2].value, r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                         r[10].value, None, None, None, r[14], r[15], True) if r[16] else
            AuditListRow(r[0], r[1], r[2].value, r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                         r[10].value, r[11], r[12], r[13], r[14], r[15])
            for r in session.execute(query)
        ]


def count_audits(db: Database) -> int:
    """How many audits the database holds, whatever their status."""
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(Audit)) or 0
