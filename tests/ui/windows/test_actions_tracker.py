"""The actions tracker (Work › Actions tracker, Ctrl+Shift+A), clicked and typed: filters,
overdue shading, Mark done, Cancel action, Reopen, and opening the audit at its question."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import ActionPriority
from auditapp.services.actions import list_tracked_actions
from auditapp.services.audits.editing import ActionInput, add_action
from auditapp.storage.engine import Database
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.actions_tracker import (
    OVERDUE_BACKGROUND,
    ActionsTrackerWindow,
    CloseActionDialog,
)
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    choose,
    click_cell,
    make_audit,
    press,
    question_ids,
    shortcut,
    show_active,
    type_date,
    type_text,
)

TODAY = date.today()  # the tracker dates overdue actions by the real today


@pytest.fixture
def actions(db: Database, small_template_id: int) -> dict[str, int]:
    first = make_audit(db, small_template_id, "C-1", team="North")
    second = make_audit(db, small_template_id, "C-2", team="South")
    b2 = question_ids(db, first)["B.2"]
    return {
        "overdue": add_action(db, first, ActionInput(
            "Review the pathway plan", "PA A", TODAY - timedelta(days=10),
            ActionPriority.HIGH, question_id=b2), ALEX),
        "later": add_action(db, first, ActionInput(
            "Health passport", "PA B", TODAY + timedelta(days=20)), ALEX),
        "other": add_action(db, second, ActionInput(
            "Find accommodation", "PA A", TODAY - timedelta(days=40)), ALEX),
    }


def open_tracker(qtbot: QtBot, db: Database) -> tuple[MainWindow, ActionsTrackerWindow]:
    main = MainWindow(db, LEAD)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    shortcut(qtbot, main, "Ctrl+Shift+A")
    (tracker,) = main.findChildren(ActionsTrackerWindow)
    qtbot.waitUntil(lambda: tracker.model.rowCount() > 0, timeout=LONG)
    show_active(qtbot, tracker)
    return main, tracker


def shown(tracker: ActionsTrackerWindow, column: int = 1) -> list[str]:
    return [tracker.proxy.index(r, column).data() for r in range(tracker.proxy.rowCount())]


def row_of(tracker: ActionsTrackerWindow, text: str) -> int:
    return shown(tracker).index(text)


def stored(db: Database, action_id: int) -> tuple[str, str, date | None]:
    row = {r.id: r for r in list_tracked_actions(db, TODAY)}[action_id]
    return row.status, row.status_note, row.completed_on


def test_soonest_first_overdue_shaded_and_filtered_from_the_keyboard(
        qtbot: QtBot, db: Database, actions: dict[str, int]) -> None:
    _main, tracker = open_tracker(qtbot, db)
    assert shown(tracker) == ["Find accommodation", "Review the pathway plan", "Health passport"]
    assert tracker.count.text() == "Showing 3 of 3 actions · 2 overdue"
    background = Qt.ItemDataRole.BackgroundRole
    assert [tracker.proxy.index(r, 0).data(background) for r in range(3)] == [
        OVERDUE_BACKGROUND, OVERDUE_BACKGROUND, None]
    assert shown(tracker, 7) == ["Overdue", "Overdue", "Open"]
    choose(qtbot, tracker.status_filter, "Overdue")
    assert shown(tracker) == ["Find accommodation", "Review the pathway plan"]
    choose(qtbot, tracker.owner_filter, "PA A")
    choose(qtbot, tracker.team_filter, "North")
    assert shown(tracker) == ["Review the pathway plan"]
    choose(qtbot, tracker.status_filter, "Any")
    choose(qtbot, tracker.owner_filter, "Any")
    choose(qtbot, tracker.team_filter, "Any")
    type_date(qtbot, tracker.due_by, TODAY)
    assert shown(tracker) == ["Find accommodation", "Review the pathway plan"]
    assert tracker.count.text() == "Showing 2 of 3 actions · 2 overdue"


def test_mark_done_asks_what_was_done_and_when(qtbot: QtBot, db: Database,
                                              actions: dict[str, int]) -> None:
    _main, tracker = open_tracker(qtbot, db)
    click_cell(qtbot, tracker.table, row_of(tracker, "Review the pathway plan"))
    done_on = TODAY - timedelta(days=2)

    def what_was_done(dialog: QDialog) -> None:
        assert isinstance(dialog, CloseActionDialog)
        assert dialog.windowTitle() == "Mark action done"
        type_text(qtbot, dialog.note, "Reviewed with the young person")
        type_date(qtbot, dialog.completed_on, done_on)
        press(qtbot, dialog, "OK")

    with (qtbot.waitSignal(tracker.loaded, timeout=LONG),  # read again
          answer_dialogs(qtbot, what_was_done)):
        press(qtbot, tracker, "Mark done…")
    assert stored(db, actions["overdue"]) == ("done", "Reviewed with the young person",
                                              done_on)
    row = row_of(tracker, "Review the pathway plan")
    # As people read a date: no leading zero (it failed on the 3rd of a month, two days on).
    assert tracker.proxy.index(row, 7).data() == f"Done {done_on.day} {done_on:%b %Y}"
    assert tracker.count.text() == "Showing 3 of 3 actions · 1 overdue"


def test_an_empty_note_is_refused_and_cancel_changes_nothing(
        qtbot: QtBot, db: Database, actions: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _main, tracker = open_tracker(qtbot, db)
    warnings: list[str] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, _t, text, *_a: warnings.append(text))
    click_cell(qtbot, tracker.table, row_of(tracker, "Health passport"))

    def no_note(dialog: QDialog) -> None:
        press(qtbot, dialog, "OK")

    def changed_mind(dialog: QDialog) -> None:
        type_text(qtbot, dialog.note, "Done really")  # type: ignore[attr-defined]
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, no_note, changed_mind):
        press(qtbot, tracker, "Mark done…")
        press(qtbot, tracker, "Mark done…")
    assert warnings == ["Say what was done: a completion note is needed."]
    assert stored(db, actions["later"]) == ("open", "", None)


def test_cancel_an_action_with_its_reason_then_reopen_it(qtbot: QtBot, db: Database,
                                                        actions: dict[str, int]) -> None:
    _main, tracker = open_tracker(qtbot, db)
    click_cell(qtbot, tracker.table, row_of(tracker, "Health passport"))

    def why(dialog: QDialog) -> None:
        assert isinstance(dialog, CloseActionDialog)
        assert dialog.windowTitle() == "Cancel action"
        assert not dialog.completed_on.isVisible()  # no date for a cancelled action
        type_text(qtbot, dialog.note, "Young person moved abroad")
        press(qtbot, dialog, "OK")

    with qtbot.waitSignal(tracker.loaded, timeout=LONG), answer_dialogs(qtbot, why):
        press(qtbot, tracker, "Cancel action…")
    assert stored(db, actions["later"])[:2] == ("cancelled", "Young person moved abroad")
    choose(qtbot, tracker.status_filter, "Cancelled")
    assert shown(tracker) == ["Health passport"]
    click_cell(qtbot, tracker.table, 0)
    with qtbot.waitSignal(tracker.loaded, timeout=LONG):
        press(qtbot, tracker, "Reopen")
    assert stored(db, actions["later"])[0] == "open"
    assert shown(tracker) == []  # no longer cancelled
    choose(qtbot, tracker.status_filter, "Open")  # open ones, overdue or not
    assert shown(tracker) == ["Find accommodation", "Review the pathway plan", "Health passport"]


def test_reopen_does_nothing_to_an_open_action(qtbot: QtBot, db: Database,
                                              actions: dict[str, int]) -> None:
    _main, tracker = open_tracker(qtbot, db)
    click_cell(qtbot, tracker.table, row_of(tracker, "Health passport"))
    press(qtbot, tracker, "Reopen")
    assert stored(db, actions["later"])[0] == "open"


def test_double_click_or_the_button_opens_the_audit_at_the_question(
        qtbot: QtBot, db: Database, actions: dict[str, int]) -> None:
    main, tracker = open_tracker(qtbot, db)
    row = row_of(tracker, "Review the pathway plan")
    audit_id = {r.id: r for r in list_tracked_actions(db, TODAY)}[actions["overdue"]].audit_id
    click_cell(qtbot, tracker.table, row, double=True)
    editor = main.editors[audit_id]
    qtbot.addWidget(editor)
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    assert page.section.key == "B"  # at the question the action came from
    (card,) = [c for c in page.cards if c.question.key == "B.2"]
    assert editor.focusWidget() is card
    editor.close()
    show_active(qtbot, tracker)
    click_cell(qtbot, tracker.table, row_of(tracker, "Find accommodation"))
    press(qtbot, tracker, "Open the audit")
    other = {r.id: r for r in list_tracked_actions(db, TODAY)}[actions["other"]].audit_id
    assert other in main.editors
    qtbot.addWidget(main.editors[other])
