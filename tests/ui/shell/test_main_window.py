"""The audit list: loading, filtering, sorting, starting and opening audits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from auditapp.services.audits.editing import list_audits
from auditapp.services.cases import list_cases
from auditapp.services.demo import generate_demo
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.new_audit import NewAuditDialog
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.table_models import ID_ROLE
from tests.builders import ALEX, make_audit, unnamed_controls


@pytest.fixture
def demo_db(db: Database) -> Database:
    list(generate_demo(db, 80, seed=4, end=date(2026, 6, 30)))
    return db


def open_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db, ALEX)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=10_000):
        window.show()
    return window


def test_empty_database_says_what_to_do(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    assert window.pages.currentWidget() is window.empty
    assert "New audit" in window.empty.text()
    assert "Import cases" in window.empty.text()


def test_list_shows_every_audit_and_the_models_are_sound(qtbot: QtBot, demo_db: Database,
                                                        qtmodeltester: object) -> None:
    window = open_window(qtbot, demo_db)
    assert window.proxy.rowCount() == 80
    assert window.count_label.text() == "80 audits"
    qtmodeltester.check(window.model)  # type: ignore[attr-defined]
    qtmodeltester.check(window.proxy)  # type: ignore[attr-defined]


def test_filters_narrow_the_list_without_reloading(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    rows = list_audits(demo_db)
    window.status_filter.setCurrentText("Draft")
    drafts = [r for r in rows if r.status == "draft"]
    assert window.proxy.rowCount() == len(drafts)
    assert window.count_label.text() == f"Showing {len(drafts)} of 80 audits"
    team = rows[0].team
    window.team_filter.setCurrentText(team)
    assert window.proxy.rowCount() == len([r for r in drafts if r.team == team])
    window.clear_filters.click()
    assert window.proxy.rowCount() == 80
    window.grade_filter.setCurrentText("Good")
    shown = [window.proxy.index(i, 0).data(ID_ROLE) for i in range(window.proxy.rowCount())]
    assert shown
    assert {r.id for r in rows if r.final_grade == 3 and r.status != "x"} == set(shown)
    window.clear_filters.click()
    window.date_from.setDate(QDate(2026, 1, 1))
    window.date_to.setDate(QDate(2026, 3, 31))
    assert window.proxy.rowCount() == len(
        [r for r in rows if date(2026, 1, 1) <= r.audit_date <= date(2026, 3, 31)])


def test_search_box_matches_case_and_auditor(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    reference = list_audits(demo_db)[5].case_reference
    qtbot.keyClicks(window.search, reference.lower())
    assert window.proxy.rowCount() == 1
    window.search.clear()
    qtbot.keyClicks(window.search, "priya")
    assert 0 < window.proxy.rowCount() < 80


def test_sorting_by_grade_and_date(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    window.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    dates = [window.model.row_at(window.proxy.mapToSource(window.proxy.index(i, 0)).row())
             .audit_date for i in range(window.proxy.rowCount())]
    assert dates == sorted(dates)
    window.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    top = window.model.row_at(window.proxy.mapToSource(window.proxy.index(0, 0)).row())
    assert top.final_grade == max(r.final_grade or 0 for r in window.model.rows())


def test_enter_opens_the_selected_audit(qtbot: QtBot, db: Database,
                                       small_template_id: int) -> None:
    audit_id = make_audit(db, small_template_id)
    window = open_window(qtbot, db)
    window.table.setFocus()
    window.table.selectRow(0)
    window.table.setCurrentIndex(window.proxy.index(0, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert audit_id in window.editors
    qtbot.addWidget(window.editors[audit_id])


def test_new_audit_with_a_new_case(qtbot: QtBot, db: Database, small_template_id: int,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, db)

    def fill_in(dialog: NewAuditDialog) -> int:
        assert dialog.use_new.isChecked()  # no cases yet
        qtbot.keyClicks(dialog.reference, "CL-77")
        dialog.category.setCurrentIndex(dialog.category.findText("Relevant"))
        dialog.uasc.setChecked(True)
        dialog.age.setValue(17)
        qtbot.keyClicks(dialog.team, "North")
        dialog.template.setCurrentIndex(dialog.template.findData(small_template_id))
        dialog.start_button.click()
        return dialog.result()

    monkeypatch.setattr(NewAuditDialog, "exec", fill_in)
    window.new_audit()
    (row,) = list_audits(db)
    assert (row.case_reference, row.team, row.uasc, row.auditor) == ("CL-77", "North", True,
                                                                     "Alex")
    assert row.id in window.editors
    qtbot.addWidget(window.editors[row.id])
    assert window.proxy.rowCount() == 1


def test_a_refused_new_audit_leaves_no_new_case(qtbot: QtBot, db: Database,
                                                small_template_id: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, db)
    warned: list[str] = []

    def fill_in(dialog: NewAuditDialog) -> int:
        qtbot.keyClicks(dialog.reference, "CL-78")
        dialog.template.setCurrentIndex(dialog.template.findData(small_template_id))
        dialog.auditor.setText("Bea")  # Alex may start only their own audits
        dialog.start_button.click()
        return dialog.result()

    monkeypatch.setattr(NewAuditDialog, "exec", fill_in)
    monkeypatch.setattr(alerts, "warn", lambda _p, title, text: warned.append(title))
    window.new_audit()
    assert warned == ["Audit not started"]
    assert list_cases(db) == [] and list_audits(db) == []


def test_new_audit_refuses_a_name_as_reference(qtbot: QtBot, db: Database,
                                              small_template_id: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, db)
    seen: list[str] = []

    def fill_in(dialog: NewAuditDialog) -> int:
        qtbot.keyClicks(dialog.reference, "Jane Smith")
        dialog.start_button.click()
        seen.append(dialog.message.text())
        return 0

    monkeypatch.setattr(NewAuditDialog, "exec", fill_in)
    window.new_audit()
    assert "never a name" in seen[0]
    assert list_audits(db) == []


def test_every_control_has_an_accessible_name(qtbot: QtBot, demo_db: Database) -> None:

    assert unnamed_controls(open_window(qtbot, demo_db)) == []


def test_layout_fits_a_small_laptop_screen_at_125_percent(qtbot: QtBot, demo_db: Database,
                                                         tmp_path: Path) -> None:
    window = open_window(qtbot, demo_db)
    hint = window.minimumSizeHint()
    assert hint.width() * 1.25 <= 1366
    assert hint.height() * 1.25 <= 768
