"""The last audit at hand: a re-audit shows, beside each question, the previous audit's
answer, beside each section's grade the grade it had, and on the Actions page the previous
audit's actions still open; a first audit shows none of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import (
    ActionInput,
    AuditChanges,
    JudgementChange,
    add_action,
    create_audit,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.moderation import record_blind_grades
from auditapp.storage.engine import Database
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.window import AuditEditorWindow
from tests.builders import (
    ALEX,
    LAPTOP,
    LONG,
    MO,
    answer_all,
    choose_page,
    first_page,
    make_audit,
    make_case,
    open_editor,
    question_ids,
    section_ids,
    show_active,
    unnamed_controls,
)

TODAY = date.today()


def _audited_before(db: Database, template_id: int) -> tuple[int, int]:
    """A case audited in March 2025 (A.2 No, section A Requires improvement, an open action
    on A.2), and its re-audit now; returns both audits' ids."""
    case = make_case(db, "C-40")
    first = create_audit(db, case, template_id, "Alex", date(2025, 3, 12), ALEX)
    answer_all(db, first, {"A.1": "Y", "A.2": "N", "A.3": "M", "B.1": "Y", "B.2": "P"})
    s = section_ids(db, first)
    save_changes(db, first, AuditChanges(
        judgements={s["A"]: JudgementChange(s["A"], Grade.REQUIRES_IMPROVEMENT, "Late"),
                    s["B"]: JudgementChange(s["B"], Grade.GOOD, "Voice clear")},
        overall=(Grade.REQUIRES_IMPROVEMENT, "")), ALEX)
    add_action(db, first, ActionInput("Review the plan", "PA A", TODAY - timedelta(days=3),
                                      ActionPriority.HIGH,
                                      question_id=question_ids(db, first)["A.2"]), ALEX)
    submit_audit(db, first, ALEX)
    return first, create_audit(db, case, template_id, "Alex", TODAY, ALEX)


def test_a_re_audit_shows_what_the_last_audit_found(qtbot: QtBot, db: Database,
                                                   small_template_id: int) -> None:
    _first, second = _audited_before(db, small_template_id)
    editor = open_editor(qtbot, db, second)
    assert editor.previous is not None
    texts = [w.text() for w in editor.findChildren(QLabel)
             if w.accessibleName() == "The previous audit of this case"]
    assert texts and "12 Mar 2025" in texts[0] and "1 of its actions still open" in texts[0]
    page = first_page(editor)
    shown = {c.question.key: c.previous_label.text() for c in page.cards}
    assert shown == {"A.1": "<i>Last audit: Yes</i>", "A.2": "<i>Last audit: No</i>",
                     "A.3": "<i>Last audit: Met</i>"}
    assert all(c.previous_label.isVisible() for c in page.cards)
    assert "Evidence for A.2" in page.cards[1].previous_label.toolTip()
    assert "Last audit: No." in page.cards[1].accessibleDescription()  # read out too
    assert page.previous_grade.isVisible()
    assert page.previous_grade.text() == "Requires improvement to be good"
    qtbot.keyClick(page.cards[0], Qt.Key.Key_1)  # this audit's own answer is still its own
    assert page.cards[0].response == "Y"
    actions = choose_page(qtbot, editor, "Actions", ActionsPage)
    assert actions.previous_table.isVisible()
    assert actions.previous_model.rowCount() == 1
    cells = [actions.previous_model.index(0, c).data() for c in range(5)]
    assert cells[:3] == ["Review the plan", "A.2", "PA A"]
    assert cells[3].endswith(", overdue") and cells[4] == "High"
    assert "Still open from the audit of 12 Mar 2025" in actions.previous_heading.text()
    assert unnamed_controls(editor) == []


def test_a_first_audit_shows_no_previous_one(qtbot: QtBot, db: Database,
                                            small_template_id: int) -> None:
    editor = open_editor(qtbot, db, make_audit(db, small_template_id))
    assert editor.previous is None
    page = first_page(editor)
    assert not any(c.previous_label.isVisible() for c in page.cards)
    assert not page.previous_grade.isVisible()
    actions = choose_page(qtbot, editor, "Actions", ActionsPage)
    assert not actions.previous_table.isVisible() and not actions.previous_heading.isVisible()


@pytest.mark.parametrize("size", sorted(LAPTOP))
def test_the_last_audits_answers_leave_the_page_as_wide_as_the_window(
        qtbot: QtBot, db: Database, small_template_id: int, size: str) -> None:
    """At 125 % the last audit's answers once made each card wider than the page, which
    scrolled sideways and cut the questions' keys and the buttons."""
    _first, second = _audited_before(db, small_template_id)
    editor = open_editor(qtbot, db, second)
    editor.resize(LAPTOP[size])
    qtbot.waitUntil(lambda: editor.size() == LAPTOP[size], timeout=LONG)
    page = first_page(editor)
    qtbot.waitUntil(lambda: page.cards[0].previous_label.isVisible(), timeout=LONG)
    assert page.scroll_area.horizontalScrollBar().maximum() == 0
    viewport = page.scroll_area.viewport()
    for card in page.cards:
        right = card.mapTo(viewport, card.rect().topRight()).x()
        assert card.mapTo(viewport, card.rect().topLeft()).x() >= 0 and right < viewport.width()


def _editor_as(qtbot: QtBot, db: Database, audit_id: int, reader: Actor
               ) -> AuditEditorWindow:
    editor = AuditEditorWindow(db, load_audit(db, audit_id, reader), reader)
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
    return editor


def test_a_moderator_yet_to_grade_the_last_audit_blind_sees_none_of_its_grades(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    """The last audit is submitted and waiting for moderation: a moderator opening the
    re-audit gets its answers and actions, but its grades only once graded blind."""
    first, second = _audited_before(db, small_template_id)
    editor = _editor_as(qtbot, db, second, MO)
    (line,) = [w.text() for w in editor.findChildren(QLabel)
               if w.accessibleName() == "The previous audit of this case"]
    assert "withheld until it is graded blind" in line
    assert "Requires improvement" not in line
    page = first_page(editor)
    assert page.cards[1].previous_label.text() == "<i>Last audit: No</i>"  # answers shown
    assert not page.previous_grade.isVisible()
    assert "Requires improvement" not in page.previous_grade.toolTip()
    editor.close()
    s = section_ids(db, first)
    record_blind_grades(db, first, MO, {s["A"]: Grade.GOOD}, Grade.GOOD)
    page = first_page(_editor_as(qtbot, db, second, MO))
    assert page.previous_grade.isVisible()
    assert page.previous_grade.text() == "Requires improvement to be good"
