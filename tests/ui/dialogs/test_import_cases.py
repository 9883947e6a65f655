"""File › Import cases (Ctrl+I): a real sample written by the test, chosen, imported in the
background; a good file makes cases and draft audits, a bad one lists every problem and
imports nothing."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from auditapp.models import CareLeaverCategory
from auditapp.services.audits.editing import list_audits
from auditapp.services.cases import list_cases
from auditapp.services.template_list import list_templates
from auditapp.services.templates import install_shipped_templates
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.import_cases import ImportCasesDialog
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from tests.builders import (
    LEAD,
    LONG,
    answer_dialogs,
    choose,
    make_case,
    menu_item,
    press,
    shortcut,
    show_active,
    type_date,
    type_text,
)

HEADER = ["Reference", "Care leaver category", "UASC", "Age", "Team", "Worker", "Audit date",
          "Auditor"]
GOOD_ROWS = [
    ["C-201", "relevant", "yes", "17", "North", "PA A", "2026-03-02", "Sam Patel"],
    ["C-202", "former relevant", "", "", "South", "PA B", "", ""],  # the dialog's defaults
    ["C-001", "eligible", "no", "18", "East", "PA C", "15/03/2026", ""],  # a re-audit
]
BAD_ROWS = [
    ["C-100", "relevant", "no", "19", "North", "PA A", "2026-03-01", ""],
    ["Jane Smith", "eligible", "no", "18", "North", "PA B", "2026-03-01", ""],
    ["C-101", "orphan", "no", "18", "North", "PA B", "2026-03-01", ""],
    ["C-102", "qualifying", "maybe", "30", "South", "PA C", "31/02/2026", ""],
    ["C-100", "relevant", "no", "19", "North", "PA A", "2026-03-01", ""],
]
#: Where each problem of BAD_ROWS is, and what it says.
BAD_PROBLEMS = [
    ("row 3, column A (reference)", "never a name"),
    ("row 4, column B (category)", "unknown category 'orphan'"),
    ("row 5, column C (uasc)", "'maybe' is not yes or no"),
    ("row 5, column D (age)", "30 is not an age from 16 to 25"),
    ("row 5, column G (audit_date)", "'31/02/2026' is not a date"),
    ("row 6, column A (reference)", "'C-100' is already on row 2"),
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    """The same sample as a workbook, with real numbers and date cells where they parse."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        cells: list[object] = list(row)
        if row[3].isdigit():
            cells[3] = int(row[3])
        if len(row[6]) == 10 and row[6][4] == "-":
            cells[6] = datetime.strptime(row[6], "%Y-%m-%d")
        sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    install_shipped_templates(db)
    make_case(db, "C-001", category=CareLeaverCategory.FORMER_RELEVANT, team="North")
    main = MainWindow(db, LEAD)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    return main


def _template_text(db: Database, key: str) -> str:
    row = next(r for r in list_templates(db) if r.key == key)
    return f"{row.title} (v{row.version})"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_sample_creates_cases_and_draft_audits(
        qtbot: QtBot, db: Database, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    writer = write_csv if kind == "csv" else write_xlsx
    sample = writer(tmp_path / f"sample.{kind}", GOOD_ROWS)
    picked: list[str] = []
    monkeypatch.setattr(alerts, "pick_open_path",
                        lambda _p, _t, filters: picked.append(filters) or sample)
    outcome: list[str] = []

    def import_it(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportCasesDialog)
        press(qtbot, dialog, "Browse…")
        assert dialog.path.text() == str(sample)
        choose(qtbot, dialog.template, _template_text(db, "pathway-plan-quality"))
        type_text(qtbot, dialog.auditor, "Ola Default")
        type_date(qtbot, dialog.audit_date, date(2026, 4, 1))
        press(qtbot, dialog, "Import")
        qtbot.waitUntil(lambda: dialog.outcome.toPlainText().startswith("Imported"),
                        timeout=LONG)
        outcome.append(dialog.outcome.toPlainText())
        press(qtbot, dialog, "Close")

    with (qtbot.waitSignal(window.audits_loaded, timeout=LONG),  # the list is read again
          answer_dialogs(qtbot, import_it)):
        shortcut(qtbot, window, "Ctrl+I")
    assert picked == ["Spreadsheets (*.xlsx *.csv)"]
    assert outcome == ["Imported 3 rows: 2 new cases, 1 existing case, 3 draft audits."]
    audits = {r.case_reference: r for r in list_audits(db, LEAD)}
    assert set(audits) == {"C-201", "C-202", "C-001"}
    assert {r.template_key for r in audits.values()} == {"pathway-plan-quality"}
    assert all(r.status == "draft" for r in audits.values())
    assert (audits["C-201"].auditor, audits["C-201"].audit_date, audits["C-201"].uasc) == (
        "Sam Patel", date(2026, 3, 2), True)
    assert (audits["C-202"].auditor, audits["C-202"].audit_date) == (
        "Ola Default", date(2026, 4, 1))
    assert audits["C-001"].audit_date == date(2026, 3, 15)
    cases = {c.reference: c for c in list_cases(db)}
    assert cases["C-001"].team == "East"  # a re-audit updates the case's details
    assert window.proxy.rowCount() == 3


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_bad_sample_lists_every_problem_and_imports_nothing(
        qtbot: QtBot, db: Database, window: MainWindow, tmp_path: Path, kind: str) -> None:
    writer = write_csv if kind == "csv" else write_xlsx
    sample = writer(tmp_path / f"bad.{kind}", BAD_ROWS)
    outcome: list[str] = []

    def import_it(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportCasesDialog)
        type_text(qtbot, dialog.path, str(sample))
        press(qtbot, dialog, "Import")
        assert not dialog.import_button.isEnabled()  # one import at a time
        qtbot.waitUntil(dialog.import_button.isEnabled, timeout=LONG)
        outcome.append(dialog.outcome.toPlainText())
        press(qtbot, dialog, "Close")

    with answer_dialogs(qtbot, import_it):
        menu_item(qtbot, window, "File", "Import cases…")
    text = outcome[0]
    assert text.startswith(f"bad.{kind}: 6 problems; nothing was imported")
    lines = text.splitlines()[1:]
    assert len(lines) == len(BAD_PROBLEMS)
    for line, (where, what) in zip(lines, BAD_PROBLEMS, strict=True):
        assert line.strip().startswith(where) and what in line, line
    assert list_audits(db, LEAD) == []
    assert [c.reference for c in list_cases(db)] == ["C-001"]


def test_without_a_file_it_says_so(qtbot: QtBot, db: Database, window: MainWindow,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "pick_open_path", lambda *_a: None)  # the person cancels
    said: list[str] = []

    def import_it(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportCasesDialog)
        press(qtbot, dialog, "Browse…")
        assert dialog.path.text() == ""
        press(qtbot, dialog, "Import")
        said.append(dialog.outcome.toPlainText())
        type_text(qtbot, dialog.path, str(Path("no-such-sample.csv").resolve()))
        press(qtbot, dialog, "Import")
        qtbot.waitUntil(dialog.import_button.isEnabled, timeout=LONG)
        said.append(dialog.outcome.toPlainText())
        press(qtbot, dialog, "Close")

    with answer_dialogs(qtbot, import_it):
        shortcut(qtbot, window, "Ctrl+I")
    assert said[0] == "Choose a spreadsheet first."
    assert said[1].endswith("no-such-sample.csv: no such file")
    assert list_audits(db, LEAD) == []


def test_an_auditor_may_not_import(qtbot: QtBot, db: Database) -> None:
    from tests.builders import ALEX

    main = MainWindow(db, ALEX)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    assert not main.import_action.isEnabled()
    with answer_dialogs(qtbot):  # the shortcut of a disabled action opens nothing
        shortcut(qtbot, main, "Ctrl+I")
