"""The auditor's editor window, driven through its real widgets on a real database file:
keys and shortcuts, clicks on buttons, the navigator, the problems list and the menu."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import AnswerChange, AuditChanges, load_audit, save_changes
from auditapp.services.history import audit_history
from auditapp.storage.engine import Database
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.history_page import HistoryPage
from auditapp.ui.editor.overall_page import OverallPage
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    ALT,
    CTRL,
    LEAD,
    LONG,
    SHIFT,
    answer_button,
    answering,
    choose_grade,
    choose_page,
    click,
    click_card,
    click_list_item,
    current_page,
    first_page,
    make_audit,
    navigator_cell,
    open_editor,
    open_menu_item,
    question_ids,
    stored_answers,
    submitted_audit,
    type_into,
    unnamed_controls,
    wait_saved,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def press(qtbot: QtBot, editor: AuditEditorWindow, key: Qt.Key,
          modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key (or shortcut) pressed wherever the focus is in the editor."""
    qtbot.keyClick(editor.focusWidget() or editor, key, modifiers)


def test_answer_by_keyboard_and_find_it_again_in_a_fresh_window(
        qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    click_card(qtbot, page.cards[0])
    qtbot.keyClick(page.cards[0], Qt.Key.Key_1)          # A.1: Yes
    qtbot.keyClick(page.cards[0], Qt.Key.Key_Down)
    assert page.cards[1].hasFocus()
    qtbot.keyClick(page.cards[1], Qt.Key.Key_3)          # A.2: No
    qtbot.keyClick(page.cards[1], Qt.Key.Key_Return)     # into the evidence note
    assert page.cards[1].evidence.hasFocus()
    qtbot.keyClicks(page.cards[1].evidence, "Review overdue by 3 weeks")
    click_card(qtbot, page.cards[2])
    qtbot.keyClick(page.cards[2], Qt.Key.Key_2)          # A.3 on the 'met' scale: Not met
    wait_saved(qtbot, editor)
    assert editor.save_label.text().startswith("Saved at")
    answers = stored_answers(db, audit)
    assert answers["A.1"] == ("Y", "")
    assert answers["A.2"] == ("N", "Review overdue by 3 weeks")
    assert answers["A.3"] == ("NM", "")
    press(qtbot, editor, Qt.Key.Key_W, CTRL)
    assert not editor.isVisible()

    again = open_editor(qtbot, db, audit)
    resumed = first_page(again)  # where work is left: B.1, the first question unanswered
    assert resumed.section.key == "B" and resumed.cards[0].hasFocus()
    cards = choose_page(qtbot, again, "A Timeliness", SectionPage).cards
    assert [c.response for c in cards] == ["Y", "N", "NM"]
    assert cards[1].evidence.toPlainText() == "Review overdue by 3 weeks"
    assert navigator_cell(again, 0, 1) == "3/3"


def test_undo_and_redo_answers_and_grades(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = first_page(editor)
    card = page.cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_1)
    qtbot.keyClick(card, Qt.Key.Key_2)
    assert card.response == "P"
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert card.response == "Y"
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert card.response is None
    press(qtbot, editor, Qt.Key.Key_Z, CTRL | SHIFT)
    assert card.response == "Y"
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"][0] == "Y"
    qtbot.keyClick(page, Qt.Key.Key_G, ALT)  # to the section's grade
    choose_grade(qtbot, page.grade, "Good")  # by way of Outstanding: two changes
    assert page.grade.grade() == Grade.GOOD
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert page.grade.grade() == Grade.OUTSTANDING
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert page.grade.grade() is None
    press(qtbot, editor, Qt.Key.Key_Y, CTRL)  # Ctrl+Y redoes too
    assert page.grade.grade() == Grade.OUTSTANDING
    press(qtbot, editor, Qt.Key.Key_Z, CTRL)
    assert page.grade.grade() is None
    wait_saved(qtbot, editor)
    assert load_audit(db, audit, LEAD).judgements[page.section.id].grade is None
    assert card.response == "Y"  # undoing the grades left the answer alone


def test_closing_with_ctrl_w_saves_a_pending_change(qtbot: QtBot, db: Database,
                                                    audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_2)
    type_into(qtbot, card.evidence, "Partly")
    assert editor.autosaver.has_unsaved  # the autosave timer has not fired yet
    with qtbot.waitSignal(editor.closed, timeout=LONG):
        press(qtbot, editor, Qt.Key.Key_W, CTRL)
    assert not editor.isVisible()
    assert stored_answers(db, audit)["A.1"] == ("P", "Partly")


def test_ctrl_page_down_and_up_step_through_the_pages(qtbot: QtBot, db: Database,
                                                      audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    click_card(qtbot, first_page(editor).cards[0])
    press(qtbot, editor, Qt.Key.Key_PageDown, CTRL)
    page = current_page(editor, SectionPage)
    assert page.section.key == "B"
    assert page.cards[0].hasFocus()  # ready for the digit keys
    assert editor.navigator.current_key() == page.section.id
    press(qtbot, editor, Qt.Key.Key_PageUp, CTRL)
    assert current_page(editor, SectionPage).section.key == "A"
    press(qtbot, editor, Qt.Key.Key_PageUp, CTRL)  # already at the first page
    assert current_page(editor, SectionPage).section.key == "A"
    for kind in (SectionPage, OverallPage, ActionsPage, HistoryPage, HistoryPage):
        press(qtbot, editor, Qt.Key.Key_PageDown, CTRL)
        current_page(editor, kind)


def test_submit_is_blocked_and_every_problem_is_a_link(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: pytest.fail("must not ask to submit"))
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_3)  # No, without evidence
    press(qtbot, editor, Qt.Key.Key_S, CTRL | SHIFT)
    assert editor.problems_dock.isVisible()
    problems = editor.problems_dock.problem_list
    messages = [problems.item(i).text().split(" – ")[0] for i in range(problems.count())]
    assert "A.1: answered 'No' without an evidence note" in messages
    assert "A.2: not answered" in messages
    assert "No overall grade given" in messages
    assert problems.hasFocus()
    assert messages[problems.currentRow()] == "A.1: answered 'No' without an evidence note"
    qtbot.keyClick(problems, Qt.Key.Key_Return)  # the first problem, from the keyboard
    assert first_page(editor).cards[0].evidence.hasFocus()
    click(qtbot, problems.viewport())  # back to the list, as a person would
    click_list_item(qtbot, problems, messages.index("A.1: answered 'No' without an evidence note"))
    assert first_page(editor).cards[0].evidence.hasFocus()
    click_list_item(qtbot, problems, next(i for i, m in enumerate(messages)
                                          if m.startswith("B.1")))
    page = current_page(editor, SectionPage)
    assert page.section.key == "B"
    assert page.cards[0].hasFocus()
    click_list_item(qtbot, problems, messages.index("No overall grade given"))
    assert current_page(editor, OverallPage).grade.hasFocus()
    assert load_audit(db, audit, LEAD).status == "draft"


def _complete_through_the_ui(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    for title in ("A Timeliness", "B Voice"):
        page = choose_page(qtbot, editor, title, SectionPage)
        click_card(qtbot, page.cards[0])
        for card in page.cards:
            qtbot.keyClick(card, Qt.Key.Key_1)
            qtbot.keyClick(card, Qt.Key.Key_Down)
        wait_saved(qtbot, editor)
        click(qtbot, page.use_button)
    wait_saved(qtbot, editor)
    overall = choose_page(qtbot, editor, "Overall judgement", OverallPage)
    click(qtbot, overall.use_button)
    type_into(qtbot, overall.narrative["strengths"], "Warm relationship with the PA.")


def test_complete_audit_submits_and_becomes_read_only(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: True)
    editor = open_editor(qtbot, db, audit)
    _complete_through_the_ui(qtbot, editor)
    with qtbot.waitSignal(editor.audit_changed, timeout=LONG):
        press(qtbot, editor, Qt.Key.Key_S, CTRL | SHIFT)
    assert not editor.problems_dock.isVisible()
    document = load_audit(db, audit, LEAD)
    assert document.status == "submitted"
    assert document.overall_grade == Grade.GOOD
    assert document.strengths == "Warm relationship with the PA."
    assert editor.banner.isVisible()
    assert not editor.submit_action.isEnabled()
    page = choose_page(qtbot, editor, "A Timeliness", SectionPage)
    card = page.cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_3)
    assert card.response == "Y"  # keys do nothing on a submitted audit
    assert card.evidence.isReadOnly()
    assert not page.grade.isEnabled()
    press(qtbot, editor, Qt.Key.Key_W, CTRL)
    assert stored_answers(db, audit)["A.1"][0] == "Y"


def test_feedback_pdf_from_the_audit_menu_saves_first(qtbot: QtBot, db: Database,
                                                      audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_1)
    with qtbot.waitSignal(editor.export_requested, timeout=LONG) as asked:
        open_menu_item(qtbot, editor, editor.audit_menu, "Export &feedback PDF…")
    assert asked.args == [audit]
    assert stored_answers(db, audit)["A.1"] == ("Y", "")


def test_f5_reloads_keeping_unsaved_changes(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    question = question_ids(db, audit)["A.2"]
    save_changes(db, audit, AuditChanges(answers={question: AnswerChange(
        question, "N", "Seen by Lee")}), LEAD)  # someone else, on a shared database
    card = first_page(editor).cards[0]
    click_card(qtbot, card)
    qtbot.keyClick(card, Qt.Key.Key_1)  # not saved yet
    press(qtbot, editor, Qt.Key.Key_F5)
    page = first_page(editor)
    assert [c.response for c in page.cards[:2]] == ["Y", "N"]
    assert page.cards[1].evidence.toPlainText() == "Seen by Lee"
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"] == ("Y", "")
    assert stored_answers(db, audit)["A.2"] == ("N", "Seen by Lee")


def test_a_save_someone_else_got_in_before_waits_for_a_reload(
        qtbot: QtBot, db: Database, audit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", answering(asked, False))
    editor = open_editor(qtbot, db, audit)
    question = question_ids(db, audit)["A.2"]
    save_changes(db, audit, AuditChanges(answers={question: AnswerChange(
        question, "N", "Seen by Lee")}), LEAD)
    click(qtbot, answer_button(first_page(editor).cards[0], "Yes"))
    qtbot.waitUntil(editor.banner.isVisible, timeout=LONG)  # "Not now" to reloading
    assert asked == ["Saved by someone else"]
    assert "Someone else saved this audit" in editor.banner.text()
    assert editor.save_label.text() == "Not saved: changed elsewhere"
    assert stored_answers(db, audit)["A.1"] == (None, "")
    press(qtbot, editor, Qt.Key.Key_F5)
    wait_saved(qtbot, editor)
    assert stored_answers(db, audit)["A.1"] == ("Y", "")
    assert first_page(editor).cards[1].response == "N"


def test_a_failed_save_is_kept_shown_in_red_and_retried(
        qtbot: QtBot, db: Database, audit: int, tmp_path: Path) -> None:
    refuse = sqlite3.connect(tmp_path / "audit.sqlite")  # the fixture's database file
    for event in ("INSERT", "UPDATE"):
        refuse.execute(f"CREATE TRIGGER refuse_{event.lower()} BEFORE {event} ON answers "
                       "BEGIN SELECT RAISE(ABORT, 'the disk is full'); END")
    refuse.commit()
    editor = open_editor(qtbot, db, audit)
    click(qtbot, answer_button(first_page(editor).cards[0], "Yes"))
    qtbot.waitUntil(lambda: editor.save_label.text() == "Not saved yet – retrying",
                    timeout=LONG)
    assert "c0392b" in editor.save_label.styleSheet()  # in red
    assert editor.statusBar().currentMessage().startswith("Could not save:")
    assert editor.autosaver.has_unsaved
    refuse.executescript("DROP TRIGGER refuse_insert; DROP TRIGGER refuse_update;")
    refuse.close()
    qtbot.waitUntil(lambda: editor.save_label.text().startswith("Saved at"),
                    timeout=LONG)  # the retry, a few seconds later
    assert stored_answers(db, audit)["A.1"] == ("Y", "")


def test_the_status_bar_says_saving_while_another_program_holds_the_file(
        qtbot: QtBot, db: Database, audit: int, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "audit.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock until it commits
    editor = open_editor(qtbot, db, audit)
    click(qtbot, answer_button(first_page(editor).cards[0], "Yes"))
    # Each attempt waits for the lock (then fails, and is retried): "Saving…" comes back
    # for as long as the lock is held, so this cannot miss it.
    qtbot.waitUntil(lambda: editor.save_label.text() == "Saving…", timeout=LONG)
    other.execute("COMMIT")
    other.close()
    qtbot.waitUntil(lambda: editor.save_label.text().startswith("Saved at"),
                    timeout=LONG)
    assert stored_answers(db, audit)["A.1"] == ("Y", "")


def test_every_control_has_an_accessible_name(qtbot: QtBot, db: Database, audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    for title in ("A Timeliness", "B Voice", "Overall judgement", "Actions", "History"):
        choose_page(qtbot, editor, title, QWidget)
    assert unnamed_controls(editor) == []


def test_a_practice_lead_closes_a_submitted_audit_from_the_audit_menu(
        qtbot: QtBot, db: Database, small_template_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    audit = submitted_audit(db, small_template_id)
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", answering(asked, True))
    assert not open_editor(qtbot, db, audit).close_audit_action.isEnabled()  # Alex, an auditor
    editor = AuditEditorWindow(db, load_audit(db, audit, LEAD), LEAD)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):
        editor.show()
    assert editor.close_audit_action.isEnabled()
    with qtbot.waitSignal(editor.audit_changed, timeout=LONG):
        open_menu_item(qtbot, editor, editor.audit_menu, "Close &audit…")
    assert asked == ["Close audit"]
    assert load_audit(db, audit, LEAD).status == "closed"
    assert ("Lee Lead", "audit status", "submitted", "closed") in [
        (r.actor, r.what, r.old_value, r.new_value) for r in audit_history(db, audit, LEAD)]
    assert not editor.close_audit_action.isEnabled()


def test_a_draft_cannot_be_closed_from_the_editor(qtbot: QtBot, db: Database,
                                                  small_template_id: int) -> None:
    editor = AuditEditorWindow(db, load_audit(db, make_audit(db, small_template_id), LEAD), LEAD)
    qtbot.addWidget(editor)
    assert not editor.close_audit_action.isEnabled()
