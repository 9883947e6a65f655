"""Saving an auditor's work, the suggested grades it produces, history, and submission."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from auditapp.models import ChangeEvent, Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import (
    ActionInput,
    AnswerChange,
    AuditChanges,
    AuditLockedError,
    JudgementChange,
    ProblemField,
    SubmissionBlockedError,
    add_action,
    delete_action,
    list_audits,
    load_audit,
    save_changes,
    submit_audit,
    update_action,
)
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    SAM,
    answer_all,
    complete_audit,
    make_audit,
    question_ids,
    section_ids,
)

pytestmark = pytest.mark.both_backends








def test_new_audit_has_empty_answers_and_progress(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    document = load_audit(db, audit, LEAD)
    assert document.status == "draft"
    assert all(a.response is None for a in document.answers.values())
    row = list_audits(db, LEAD)[0]
    assert (row.answered, row.applicable) == (0, 5)  # section C applies only to UASC


def test_uasc_case_counts_the_conditional_section(db: Database, small_template_id: int) -> None:
    make_audit(db, small_template_id, uasc=True)
    assert list_audits(db, LEAD)[0].applicable == 6


def test_saving_answers_updates_suggestions(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "P"})
    document = load_audit(db, audit, LEAD)
    sections = section_ids(db, audit)
    assert document.judgements[sections["A"]].suggested == Grade.GOOD
    assert document.judgements[sections["B"]].suggested == Grade.REQUIRES_IMPROVEMENT  # 75 %
    assert document.suggested_grade == Grade.REQUIRES_IMPROVEMENT  # median of G, RI is RI
    assert list_audits(db, LEAD)[0].answered == 5


def test_critical_no_makes_the_audit_inadequate(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    answer_all(db, audit, {"A.1": "N", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    assert load_audit(db, audit, LEAD).suggested_grade == Grade.INADEQUATE


def test_every_change_is_in_the_history(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    q = question_ids(db, audit)
    save_changes(db, audit, AuditChanges(answers={q["A.1"]: AnswerChange(q["A.1"], "P", "x")}),
                 ALEX)
    save_changes(db, audit, AuditChanges(answers={q["A.1"]: AnswerChange(q["A.1"], "Y", "x")}),
                 Actor("Sam", Role.PRACTICE_LEAD, SAM.id))
    with db.transaction() as session:
        events = session.scalars(select(ChangeEvent).where(
            ChangeEvent.audit_id == audit, ChangeEvent.entity == "answer")
            .order_by(ChangeEvent.id)).all()
        seen = [(e.actor, e.entity_key, e.field, e.old_value, e.new_value) for e in events]
    assert seen == [("Alex", "A.1", "response", None, "P"), ("Alex", "A.1", "evidence", None, "x"),
                    ("Sam", "A.1", "response", "P", "Y")]


def test_a_bad_change_saves_nothing(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    q = question_ids(db, audit)
    changes = AuditChanges(answers={q["A.1"]: AnswerChange(q["A.1"], "Y", ""),
                                    q["A.3"]: AnswerChange(q["A.3"], "Y", "")})  # Y not on 'met'
    with pytest.raises(Exception, match="not an answer"):
        save_changes(db, audit, changes, ALEX)
    assert load_audit(db, audit, LEAD).answers[q["A.1"]].response is None




def test_submission_lists_every_problem(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    q, s = question_ids(db, audit), section_ids(db, audit)
    save_changes(db, audit, AuditChanges(
        answers={q["A.1"]: AnswerChange(q["A.1"], "N", "")},
        judgements={s["B"]: JudgementChange(s["B"], Grade.OUTSTANDING, "")},
        overall=(Grade.GOOD, "")), ALEX)
    add_action(db, audit, ActionInput("Chase the plan"), ALEX)
    with pytest.raises(SubmissionBlockedError) as caught:
        submit_audit(db, audit, ALEX)
    messages = [p.message for p in caught.value.problems]
    assert "A.1: answered 'No' without an evidence note" in messages
    assert "A.2: not answered" in messages
    assert any(m.startswith("A Timeliness: no section grade") for m in messages)
    assert any("B Voice: graded Outstanding" in m and "no comment" in m for m in messages)
    assert any(m.startswith("Overall grade Good differs") for m in messages)
    assert "Action 1 ('Chase the plan') has no owner and no due date" in messages
    problem = next(p for p in caught.value.problems if p.message.startswith("A.2"))
    assert problem.question_id == q["A.2"] and problem.section_id == s["A"]
    assert load_audit(db, audit, LEAD).status == "draft"


def test_each_problem_says_where_it_is_in_a_closed_set_of_words(
        db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    add_action(db, audit, ActionInput("Chase the plan"), ALEX)
    with pytest.raises(SubmissionBlockedError) as caught:
        submit_audit(db, audit, ALEX)
    fields = {p.field for p in caught.value.problems}
    assert fields == {ProblemField.RESPONSE, ProblemField.SECTION_GRADE, ProblemField.OVERALL,
                      ProblemField.ACTION}
    assert fields == {"response", "section_grade", "overall", "action"}  # what the editor reads


def test_submitted_audit_is_read_only(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    complete_audit(db, audit)
    action = add_action(db, audit, ActionInput("Review", "PA A", date(2026, 4, 1)), ALEX)
    submit_audit(db, audit, ALEX)
    document = load_audit(db, audit, LEAD)
    assert document.status == "submitted" and not document.editable
    q = question_ids(db, audit)
    with pytest.raises(AuditLockedError):
        save_changes(db, audit, AuditChanges(answers={q["A.1"]: AnswerChange(q["A.1"], "N", "")}),
                     ALEX)
    with pytest.raises(AuditLockedError):
        update_action(db, action, ActionInput("Other"), ALEX)
    with pytest.raises(AuditLockedError):
        delete_action(db, action, ALEX)


def test_actions_add_edit_remove(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    action = add_action(db, audit, ActionInput("Review", "PA A", date(2026, 4, 1)), ALEX)
    update_action(db, action, ActionInput("Review plan", "TM", date(2026, 4, 8)), ALEX)
    (stored,) = load_audit(db, audit, LEAD).actions
    assert (stored.text, stored.owner, stored.due_date) == ("Review plan", "TM", date(2026, 4, 8))
    delete_action(db, action, ALEX)
    assert load_audit(db, audit, LEAD).actions == ()
    with pytest.raises(Exception, match="needs a description"):
        add_action(db, audit, ActionInput("  "), ALEX)
