"""Where the keyboard is in the editor: on a question from the start, one Tab from the
section list to the first question, on the grade after Ctrl+PgDown to the overall
judgement; every Alt+letter with one owner on every page; and Use suggested grade right
after the last answer, before any save, giving the suggestion on screen."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import load_audit, save_changes, submission_problems
from auditapp.storage.engine import Database
from auditapp.ui.editor import autosave
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.navigator import PAGES_AFTER_SECTIONS
from auditapp.ui.editor.overall_page import OverallPage
from auditapp.ui.editor.section_page import SectionPage
from tests.builders import (
    ALT,
    CTRL,
    LEAD,
    LONG,
    answer,
    choose_page,
    choose_row,
    current_page,
    first_page,
    make_audit,
    mnemonic_clashes,
    modal_dialog,
    open_editor,
    press,
    wait_saved,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def key(qtbot: QtBot, pressed: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the keyboard is."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, pressed, modifiers)


def test_the_editor_opens_with_the_keyboard_on_the_first_unanswered_question(
        qtbot: QtBot, db: Database, audit: int) -> None:
    answer(db, audit, "A.1", "Y")
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    assert page.cards[1].hasFocus()  # A.2: A.1 is answered
    key(qtbot, Qt.Key.Key_1)  # at once, with no click
    assert page.cards[1].response == "Y"


def test_one_tab_from_the_section_list_reaches_the_first_question(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    choose_row(qtbot, editor.navigator, "B Voice")
    assert editor.navigator.hasFocus()
    key(qtbot, Qt.Key.Key_1)  # answers nothing here, and says so
    assert "answers a question" in editor.statusBar().currentMessage()
    assert all(c.response is None for c in current_page(editor, SectionPage).cards)
    key(qtbot, Qt.Key.Key_Tab)
    page = current_page(editor, SectionPage)
    assert page.cards[0].hasFocus()  # no stop on the scroll area
    choose_row(qtbot, editor.navigator, "A Timeliness")
    key(qtbot, Qt.Key.Key_Return)  # Enter in the list goes into the page too
    assert first_page(editor).cards[0].hasFocus()


def test_ctrl_page_down_puts_the_keyboard_where_each_page_starts(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    for _ in range(2):  # A, B (C applies only to unaccompanied young people)
        key(qtbot, Qt.Key.Key_PageDown, CTRL)
    overall = current_page(editor, OverallPage)
    assert overall.grade.hasFocus() and overall.grade.isVisible()
    key(qtbot, Qt.Key.Key_PageDown, CTRL)
    actions = current_page(editor, ActionsPage)
    assert actions.add_button.hasFocus()
    key(qtbot, Qt.Key.Key_PageUp, CTRL)
    key(qtbot, Qt.Key.Key_PageUp, CTRL)
    assert current_page(editor, SectionPage).cards[0].hasFocus()


def test_every_alt_letter_has_one_owner_on_every_page(qtbot: QtBot, db: Database,
                                                     audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    titles = ["A Timeliness", "B Voice", *(title for _key, title in PAGES_AFTER_SECTIONS)]
    for title in titles:
        choose_row(qtbot, editor.navigator, title)
        assert mnemonic_clashes(editor) == {}, title


def test_alt_a_on_the_actions_page_adds_an_action(qtbot: QtBot, db: Database,
                                                  audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Actions", ActionsPage)
    page.add_button.setFocus()
    key(qtbot, Qt.Key.Key_A, ALT)
    dialog = modal_dialog(qtbot, ActionDialog)
    assert not editor.audit_menu.isVisible()  # Alt+A once opened the Audit menu
    press(qtbot, dialog, "Cancel")
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)


def test_use_suggested_grade_right_after_the_last_answer_is_the_fresh_suggestion(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alt+U once gave the suggestion of the last save, before the last answer was in. The
    save is held until the grade is given, so the click always lands before it returns."""
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    for card in page.cards:
        card.setFocus()
        qtbot.keyClick(card, Qt.Key.Key_1)  # A.1 Yes, A.2 Yes, A.3 Met: Good
    wait_saved(qtbot, editor)
    assert page.suggested.text() == "Good"
    release = threading.Event()

    def held(*args: object, **kwargs: object) -> object:
        release.wait(LONG / 1000)
        return save_changes(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(autosave, "save_changes", held)
    qtbot.keyClick(page.cards[1], Qt.Key.Key_3)  # A.2 No, and straight on:
    assert page.suggested.text() == "Requires improvement to be good"  # at once
    qtbot.keyClick(page.cards[1], Qt.Key.Key_U, ALT)
    qtbot.waitUntil(lambda: page.grade.grade() is not None, timeout=LONG)
    assert editor.autosaver.has_unsaved  # the save has not come back
    assert page.grade.grade() == Grade.REQUIRES_IMPROVEMENT
    release.set()
    wait_saved(qtbot, editor)
    document = load_audit(db, audit, LEAD)
    judgement = document.judgements[page.section.id]
    assert judgement.grade == judgement.suggested == Grade.REQUIRES_IMPROVEMENT
    assert not [p for p in submission_problems(document)
                if p.section_id == page.section.id and p.field == "section_grade"]
