"""What "overdue" means: one rule for the tracker, the dashboard, the workbook and the pack."""

from __future__ import annotations

import json
from datetime import date

import pytest

from auditapp.models import ActionStatus
from auditapp.rules.actions import ActionState, action_state, is_overdue

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(("status", "due", "overdue"), [
    (ActionStatus.OPEN, date(2026, 6, 29), True),
    (ActionStatus.OPEN, TODAY, False),  # due today is not yet overdue
    (ActionStatus.OPEN, None, False),  # no due date, never overdue
    (ActionStatus.DONE, date(2026, 1, 1), False),
    (ActionStatus.CANCELLED, date(2026, 1, 1), False),
])
def test_only_an_open_action_past_its_due_date_is_overdue(
        status: ActionStatus, due: date | None, overdue: bool) -> None:
    assert is_overdue(status, due, TODAY) is overdue
    assert (action_state(status, due, None, TODAY) is ActionState.OVERDUE) is overdue


def test_a_stored_status_read_as_text_gives_the_same_state() -> None:
    assert action_state("open", date(2026, 6, 1), None, TODAY) is ActionState.OVERDUE
    assert is_overdue("open", date(2026, 6, 1), TODAY)


def test_states_read_and_print_as_their_words() -> None:
    assert ActionState.DONE_LATE == "done late"
    assert f"{ActionState.OVERDUE}" == "overdue"
    assert json.dumps({ActionState.OPEN: 1}) == '{"open": 1}'
