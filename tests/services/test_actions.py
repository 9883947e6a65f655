"""The actions tracker: overdue, done with a note, cancelled with a reason, the immediate rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from auditapp.errors import UserError
from auditapp.models import ActionPriority
from auditapp.rules.actions import add_working_days, immediate_due_problem
from auditapp.services.actions import (
    cancel_action,
    complete_action,
    list_tracked_actions,
    reopen_action,
)
from auditapp.services.audits.editing import ActionInput, add_action, load_audit, update_action
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, PEER, make_audit

pytestmark = pytest.mark.both_backends

TODAY = date(2026, 6, 10)  # a Wednesday


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 6, 10), 5) == date(2026, 6, 17)  # Wed -> next Wed
    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)  # Fri -> Mon
    assert immediate_due_problem(date(2026, 6, 17), date(2026, 6, 10)) is None
    assert "within five working days" in (immediate_due_problem(date(2026, 6, 18),
                                                                date(2026, 6, 10)) or "")
    assert "needs a due date" in (immediate_due_problem(None, date(2026, 6, 10)) or "")


def test_immediate_actions_must_be_due_within_five_working_days(
        db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    late = date.today() + timedelta(days=30)
    with pytest.raises(UserError, match="five working days"):
        add_action(db, audit, ActionInput("Escalate to the team manager", "TM", late,
                                          ActionPriority.IMMEDIATE), ALEX)
    soon = add_working_days(date.today(), 2)
    action = add_action(db, audit, ActionInput("Escalate", "TM", soon,
                                               ActionPriority.IMMEDIATE), ALEX)
    with pytest.raises(UserError, match="needs a due date"):
        update_action(db, action, ActionInput("Escalate", "TM", None,
                                              ActionPriority.IMMEDIATE), ALEX)


def _actions(db: Database, template_id: int) -> tuple[int, int, int]:
    first = make_audit(db, template_id, "C-1", team="North")
    second = make_audit(db, template_id, "C-2", team="South")
    question = load_audit(db, first, LEAD).template.sections[0].questions[0].id
    overdue = add_action(db, first, ActionInput("Review the plan", "PA A", date(2026, 6, 1),
                                                question_id=question), ALEX)
    later = add_action(db, first, ActionInput("Health passport", "PA B", date(2026, 7, 1)),
                       ALEX)
    other = add_action(db, second, ActionInput("Find accommodation", "PA A",
                                               date(2026, 5, 1)), ALEX)
    return overdue, later, other


def test_tracker_lists_every_action_with_its_audit_and_question(
        db: Database, small_template_id: int) -> None:
    overdue, later, other = _actions(db, small_template_id)
    rows = {r.id: r for r in list_tracked_actions(db, TODAY)}
    assert [r.id for r in list_tracked_actions(db, TODAY)] == [other, overdue, later]
    assert rows[overdue].overdue and rows[other].overdue and not rows[later].overdue
    assert (rows[overdue].case_reference, rows[overdue].question_key) == ("C-1", "A.1")
    assert rows[other].team == "South"


def test_done_cancelled_and_reopened(db: Database, small_template_id: int) -> None:
    overdue, later, _other = _actions(db, small_template_id)
    with pytest.raises(UserError, match="completion note"):
        complete_action(db, overdue, "  ", TODAY, LEAD)
    complete_action(db, overdue, "Plan reviewed on 5 June", date(2026, 6, 5), LEAD)
    with pytest.raises(UserError, match="reason"):
        cancel_action(db, later, "", LEAD)
    cancel_action(db, later, "Young person moved abroad", LEAD)
    rows = {r.id: r for r in list_tracked_actions(db, TODAY)}
    assert (rows[overdue].status, rows[overdue].completed_on, rows[overdue].overdue) == (
        "done", date(2026, 6, 5), False)
    assert (rows[later].status, rows[later].status_note) == ("cancelled",
                                                             "Young person moved abroad")
    reopen_action(db, later, LEAD)
    assert {r.id: r for r in list_tracked_actions(db, TODAY)}[later].status == "open"
    with pytest.raises(UserError, match="may not mark actions done"):
        cancel_action(db, later, "Not my council's action", PEER)
