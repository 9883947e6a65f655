"""The audit programme window (Work › Audit programme, Ctrl+Shift+P), driven by clicks and
keys: lines added, edited, removed and brought back with Ctrl+Z; a sheet imported in the
background with its problems shown as located lines, or cancelled with nothing imported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from auditapp.rules.permissions import Actor
from auditapp.services.programme import PlannedLine, list_programme, set_planned
from auditapp.services.templates import install_shipped_templates
from auditapp.storage.engine import Database
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.programme import LineDialog, ProgrammeWindow
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    answer_dialogs,
    choose,
    click,
    click_cell,
    shortcut,
    show_active,
    type_date,
    type_text,
)

Q1 = PlannedLine(date(2026, 4, 1), date(2026, 6, 30), "North", "pathway-plan-quality", 6)
HEADER = "period start,period end,team,template key,planned\n"


def open_programme(qtbot: QtBot, db: Database, actor: Actor = LEAD) -> ProgrammeWindow:
    """Ctrl+Shift+P in the main window."""
    install_shipped_templates(db)
    main = MainWindow(db, actor)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    shortcut(qtbot, main, "Ctrl+Shift+P")
    (window,) = main.findChildren(ProgrammeWindow)
    show_active(qtbot, window)
    return window


def _back(qtbot: QtBot, window: ProgrammeWindow) -> None:
    """Once a dialog has closed, its window is the active one again (the offscreen platform
    does not hand activation back by itself)."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=LONG)


def _lines(db: Database) -> list[tuple[str, int]]:
    return [(r.team, r.planned) for r in list_programme(db)]


def _fill(qtbot: QtBot, team: str, planned: int, start: date = Q1.date_from,
          end: date = Q1.date_to) -> Callable[[QDialog], None]:
    def handler(dialog: QDialog) -> None:
        assert isinstance(dialog, LineDialog)
        type_date(qtbot, dialog.date_from, start)
        type_date(qtbot, dialog.date_to, end)
        type_text(qtbot, dialog.team, team)
        choose(qtbot, dialog.template,
               "pathway-plan-quality \u2013 Pathway plan quality audit (care leavers)")
        type_text(qtbot, dialog.planned, str(planned))
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    return handler


def test_a_lead_plans_edits_removes_and_undoes(qtbot: QtBot, db: Database) -> None:
    window = open_programme(qtbot, db)
    assert window.model.rowCount() == 0
    with answer_dialogs(qtbot, _fill(qtbot, "North", 6)):
        click(qtbot, window.add_button)  # the mouse
    assert _lines(db) == [("North", 6)]
    _back(qtbot, window)

    def starts_like_the_selected_line(dialog: QDialog) -> None:
        assert isinstance(dialog, LineDialog)
        assert (dialog.date_from.date().toPython(), dialog.date_to.date().toPython(),
                dialog.template.currentData()) == (Q1.date_from, Q1.date_to, Q1.template_key)
        _fill(qtbot, "South", 4)(dialog)

    with answer_dialogs(qtbot, starts_like_the_selected_line):
        shortcut(qtbot, window, "Ctrl+N")  # the keyboard
    assert _lines(db) == [("North", 6), ("South", 4)]
    click_cell(qtbot, window.table, 1)
    with answer_dialogs(qtbot, _fill(qtbot, "South", 9)):
        qtbot.keyClick(window.table, Qt.Key.Key_Return)  # Enter edits the row
    assert _lines(db) == [("North", 6), ("South", 9)]
    _back(qtbot, window)
    click_cell(qtbot, window.table, 0)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert _lines(db) == [("South", 9)]
    assert "Ctrl+Z brings it back" in window.status.text()
    shortcut(qtbot, window, "Ctrl+Z")  # the removal undone
    assert _lines(db) == [("North", 6), ("South", 9)]
    click(qtbot, window.undo_button)  # then the edit
    assert _lines(db) == [("North", 6), ("South", 4)]
    shortcut(qtbot, window, "Ctrl+Z")  # then the second line
    shortcut(qtbot, window, "Ctrl+Z")  # then the first
    assert _lines(db) == []
    assert not window.undo_button.isEnabled()
    assert window.model.rowCount() == 0


def test_a_refused_line_says_why_and_keeps_what_was_typed(
        qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_programme(qtbot, db)
    set_planned(db, Q1, LEAD)
    window.reload()
    warned: list[str] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, _t, text, *_a: warned.append(text))

    def then_cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, LineDialog)
        assert dialog.team.currentText() == "North"  # the dialog again, still as typed
        assert dialog.planned.value() == 3
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel))

    with answer_dialogs(qtbot, _fill(qtbot, "North", 3, date(2026, 6, 1), date(2026, 8, 31)),
                        then_cancel):
        click(qtbot, window.add_button)
    assert len(warned) == 1 and "overlaps 2026-06-01 to 2026-08-31" in warned[0]
    assert _lines(db) == [("North", 6)]


def _import(qtbot: QtBot, window: ProgrammeWindow, monkeypatch: pytest.MonkeyPatch,
            path: Path) -> None:
    monkeypatch.setattr(alerts, "pick_open_path", lambda *_a: path)
    click(qtbot, window.import_button)


def test_a_sheet_with_problems_lists_them_and_imports_nothing(
        qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_programme(qtbot, db)
    bad = tmp_path / "plan.csv"
    bad.write_text(HEADER + "2026-04-01,2026-06-30,North,pathway-plan-quality,6\n"
                            "2026-04-01,someday,South,pathway-plan-quality,-1\n", encoding="utf-8")
    _import(qtbot, window, monkeypatch, bad)
    qtbot.waitUntil(lambda: window.job is None, timeout=LONG)
    assert window.status.text() == "plan.csv: 2 problems; nothing was imported"
    assert window.problems.isVisible()
    assert window.problems.toPlainText().splitlines() == [
        "row 3, column B (period end): 'someday' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "row 3, column E (planned): -1 audits planned: a line plans from 0 to 1,000"]
    assert _lines(db) == []
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "2026-04-01,2026-06-30,North,pathway-plan-quality,6\n",
                    encoding="utf-8")
    _import(qtbot, window, monkeypatch, good)
    qtbot.waitUntil(lambda: window.job is None, timeout=LONG)
    assert window.status.text().startswith("Imported 1 lines: 1 added, 0 replaced.")
    assert not window.problems.isVisible()
    assert window.model.rowCount() == 1 and _lines(db) == [("North", 6)]


def test_an_import_is_cancelled_with_nothing_imported(
        qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_programme(qtbot, db)
    big = tmp_path / "big.csv"
    big.write_text(HEADER + "".join(f"2026-04-01,2026-06-30,Team {i},pathway-plan-quality,"
                                    f"{i % 20}\n" for i in range(9_999)), encoding="utf-8")
    cancelled: list[bool] = []
    _import(qtbot, window, monkeypatch, big)
    assert window.cancel_button.isVisible() and window.progress.isVisible()
    assert not window.add_button.isEnabled()  # nothing else while it runs
    assert window.job is not None
    window.job.signals.cancelled.connect(lambda: cancelled.append(True))
    click(qtbot, window.cancel_button)
    qtbot.waitUntil(lambda: window.job is None, timeout=LONG)
    if cancelled:  # on a fast machine the import may end before the click arrives
        assert window.status.text() == "Import cancelled: nothing was imported."
        assert _lines(db) == []
    else:
        assert len(_lines(db)) == 9_999
    assert not window.cancel_button.isVisible()


def test_an_auditor_sees_the_programme_but_cannot_change_it(qtbot: QtBot, db: Database
                                                           ) -> None:
    install_shipped_templates(db)
    set_planned(db, Q1, LEAD)
    window = open_programme(qtbot, db, ALEX)
    assert window.model.rowCount() == 1
    assert window.model.index(0, 5).data() == "0"  # completed so far
    for button in (window.add_button, window.edit_button, window.remove_button,
                   window.import_button, window.undo_button):
        assert not button.isEnabled()
        assert "may not change the audit programme" in button.toolTip()
    _back(qtbot, window)
    shortcut(qtbot, window, "Ctrl+N")  # does nothing: no dialog opens
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert _lines(db) == [("North", 6)]
