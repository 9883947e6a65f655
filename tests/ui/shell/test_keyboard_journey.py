"""The whole journey by keyboard alone, as the issue's tester did it: the first run, a new
audit of a new case, every answer (with evidence where one is needed), each section's grade,
an action raised from a question, the overall judgement and submission. Every key goes to
the widget that has the keyboard, so a trap (a field Tab never leaves, a page that opens with
the keyboard nowhere) stops the journey; what was typed is read back from the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from auditapp.models import AuditStatus
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import list_audits, load_audit
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.first_run import FirstRunDialog
from auditapp.ui.dialogs.new_audit import NewAuditDialog
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.overall_page import OverallPage
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.shell.application import choose_profile
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.grades import GradeCombo
from tests.builders import (
    ALT,
    CTRL,
    LONG,
    answer_dialogs,
    current_page,
    modal_dialog,
    show_active,
    stored_answers,
    wait_saved,
)

NO = Qt.KeyboardModifier.NoModifier
#: The real question box (the tests' fixture replaces it; here it is answered by a key).
REAL_ASK = alerts.ask


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "the keyboard is nowhere"
    return widget


def key(qtbot: QtBot, pressed: Qt.Key, modifiers: Qt.KeyboardModifier = NO) -> None:
    """A key pressed wherever the keyboard is."""
    qtbot.keyClick(focused(), pressed, modifiers)


def typed(qtbot: QtBot, text: str) -> None:
    """Text typed wherever the keyboard is."""
    qtbot.keyClicks(focused(), text)


def tab_to(qtbot: QtBot, target: QWidget, limit: int = 12) -> int:
    """Tab until ``target`` has the keyboard; the number of Tabs. Fails on a trap."""
    for presses in range(1, limit + 1):
        key(qtbot, Qt.Key.Key_Tab)
        if target.isAncestorOf(focused()) or focused() is target:
            return presses
    raise AssertionError(f"{limit} Tabs never reached {target.accessibleName() or target}")


def use_suggestion(qtbot: QtBot, combo: GradeCombo) -> Grade | None:
    """Alt+U: the suggested grade, copied in (the mnemonic runs from the event loop)."""
    key(qtbot, Qt.Key.Key_U, ALT)
    qtbot.waitUntil(lambda: combo.grade() is not None, timeout=LONG)
    return combo.grade()


def on_card(page: SectionPage, index: int) -> QuestionCard:
    card = page.cards[index]
    assert card.hasFocus(), f"the keyboard is on {focused()}, not question {index + 1}"
    return card


def test_first_run_to_submission_by_keyboard_alone(qtbot: QtBot, small_template_id: int,
                                                   first_run_db: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = first_run_db  # the template installed, no profile yet
    monkeypatch.setattr(alerts, "ask", REAL_ASK)
    def welcome(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstRunDialog)
        typed(qtbot, "Alex Auditor")  # the name field has the keyboard
        key(qtbot, Qt.Key.Key_Return)

    with answer_dialogs(qtbot, welcome):
        profile = choose_profile(db)
    assert profile is not None and profile.actor.name == "Alex Auditor"

    window = MainWindow(db, profile.actor)
    qtbot.addWidget(window)
    show_active(qtbot, window)
    qtbot.waitUntil(window.my_work.tree.hasFocus, timeout=LONG)  # My work, keyboard in it
    tabs: dict[str, int] = {}

    def new_audit(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        assert dialog.reference.hasFocus()  # no cases yet: straight to a new one
        typed(qtbot, "CL-90")
        for field, text in ((dialog.team, "North"), (dialog.worker, "PA Jones")):
            tab_to(qtbot, field)
            typed(qtbot, text)
        tab_to(qtbot, dialog.audit_date)
        tabs["date to Start"] = tab_to(qtbot, dialog.start_button)
        key(qtbot, Qt.Key.Key_Return)

    with answer_dialogs(qtbot, new_audit):
        key(qtbot, Qt.Key.Key_N, CTRL)
    assert tabs["date to Start"] == 1  # one Tab leaves the date, and Start comes first
    (row,) = list_audits(db, profile.actor)
    editor = window.editors[row.id]
    qtbot.addWidget(editor)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=LONG)

    # Section A: the editor opens on its first question
    page = current_page(editor, SectionPage)
    key(qtbot, Qt.Key.Key_1)  # A.1 Yes
    on_card(page, 0)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_3)  # A.2 No: evidence needed
    key(qtbot, Qt.Key.Key_Return)
    assert page.cards[1].evidence.hasFocus()
    typed(qtbot, "No review since March.")
    key(qtbot, Qt.Key.Key_Tab)  # Tab leaves the note, on to the next question
    on_card(page, 2)
    key(qtbot, Qt.Key.Key_1)  # A.3 Met
    key(qtbot, Qt.Key.Key_Up)
    card = on_card(page, 1)
    key(qtbot, Qt.Key.Key_A)  # an action from A.2
    dialog = modal_dialog(qtbot, ActionDialog)
    assert "About question A.2" in dialog.context.text()
    typed(qtbot, "Book the overdue review")
    key(qtbot, Qt.Key.Key_Tab)
    typed(qtbot, "PA Jones")
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=LONG)
    qtbot.waitUntil(card.hasFocus, timeout=LONG)  # back where the answering goes on
    assert use_suggestion(qtbot, page.grade) == Grade.REQUIRES_IMPROVEMENT

    # Section B, then the overall judgement
    key(qtbot, Qt.Key.Key_PageDown, CTRL)
    page = current_page(editor, SectionPage)
    on_card(page, 0)
    key(qtbot, Qt.Key.Key_1)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_1)
    assert use_suggestion(qtbot, page.grade) == Grade.GOOD
    key(qtbot, Qt.Key.Key_PageDown, CTRL)  # C applies to unaccompanied young people only
    overall = current_page(editor, OverallPage)
    assert overall.grade.hasFocus()
    assert use_suggestion(qtbot, overall.grade) == Grade.REQUIRES_IMPROVEMENT

    def submit(box: QDialog) -> None:
        assert box.windowTitle() == "Submit audit"
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Submit is the default

    with answer_dialogs(qtbot, submit):
        key(qtbot, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)
    wait_saved(qtbot, editor)

    document = load_audit(db, row.id, profile.actor)
    assert document.status == AuditStatus.SUBMITTED
    assert stored_answers(db, row.id) == {
        "A.1": ("Y", ""), "A.2": ("N", "No review since March."), "A.3": ("M", ""),
        "B.1": ("Y", ""), "B.2": ("Y", ""), "C.1": (None, "")}
    (action,) = document.actions
    assert (action.text, action.owner) == ("Book the overdue review", "PA Jones")
    assert action.question_id == card.question.id
    assert document.overall_grade == Grade.REQUIRES_IMPROVEMENT
