"""The audit list and the way into everything: filters, search, sorting and opening typed and
clicked; every menu item and shortcut pressed, and what each opens."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services import demo
from auditapp.services.audits.editing import count_audits, list_audits
from auditapp.services.cases import list_cases
from auditapp.services.demo import generate_demo
from auditapp.services.moderation import record_blind_grades
from auditapp.services.sync.bundles import export_bundle
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.bundles import BundleExportDialog, BundleImportDialog
from auditapp.ui.dialogs.export import ExportDialog, ExportKind
from auditapp.ui.dialogs.profiles import ProfilesDialog
from auditapp.ui.shell import main_window
from auditapp.ui.shell.main_window import SHORTCUTS, TEAM_COLUMN, TEMPLATE_COLUMN, MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.table_models import ID_ROLE, WITHHELD
from auditapp.ui.windows.actions_tracker import ActionsTrackerWindow
from auditapp.ui.windows.dashboard import DashboardWindow
from auditapp.ui.windows.moderation import ModerationWindow
from auditapp.ui.windows.template_library import TemplateLibraryWindow
from tests.builders import (
    ALEX,
    LAPTOP,
    LEAD,
    LONG,
    MO,
    add_people,
    answer_dialogs,
    choose,
    click,
    click_cell,
    make_audit,
    menu_clashes,
    menu_item,
    mnemonic_clashes,
    press,
    shortcut,
    show_active,
    submitted_audit,
    type_date,
    type_text,
    unnamed_controls,
)


@pytest.fixture
def demo_db(db: Database) -> Database:
    list(generate_demo(db, 80, LEAD, seed=4, end=date(2026, 6, 30)))
    return db


def open_window(qtbot: QtBot, db: Database, actor: object = ALEX) -> MainWindow:
    """The main window, on its audit list (Ctrl+2): it opens on My work."""
    window = MainWindow(db, actor)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    assert window.tabs.currentWidget() is window.my_work
    shortcut(qtbot, window, "Ctrl+2")
    assert window.tabs.currentIndex() == 1
    return window


def shown_ids(window: MainWindow) -> list[int]:
    return [window.proxy.index(r, 0).data(ID_ROLE) for r in range(window.proxy.rowCount())]


def test_empty_database_says_what_to_do(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    assert window.pages.currentWidget() is window.empty
    assert window.empty.isVisible()
    assert "New audit" in window.empty.text()
    assert "Import cases" in window.empty.text()


def test_list_shows_every_audit_and_the_models_are_sound(qtbot: QtBot, demo_db: Database,
                                                        qtmodeltester: object) -> None:
    window = open_window(qtbot, demo_db)
    assert window.proxy.rowCount() == 80
    assert window.count_label.text() == "80 audits"
    qtmodeltester.check(window.model)  # type: ignore[attr-defined]
    qtmodeltester.check(window.proxy)  # type: ignore[attr-defined]


def test_filters_chosen_from_the_keyboard_narrow_the_list(qtbot: QtBot,
                                                          demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    rows = list_audits(demo_db, LEAD)
    choose(qtbot, window.status_filter, "Draft")
    drafts = [r for r in rows if r.status == "draft"]
    assert 0 < window.proxy.rowCount() == len(drafts) < 80
    assert window.count_label.text().startswith(f"Showing {len(drafts)} of 80 audits")
    team = sorted({r.team for r in drafts})[0]
    choose(qtbot, window.team_filter, team)
    assert set(shown_ids(window)) == {r.id for r in drafts if r.team == team}
    press(qtbot, window, "Clear filters")
    assert window.proxy.rowCount() == 80
    assert window.status_filter.currentText() == window.team_filter.currentText() == "Any"
    choose(qtbot, window.grade_filter, "Good")
    assert shown_ids(window)
    assert set(shown_ids(window)) == {r.id for r in rows if r.final_grade == 3}
    choose(qtbot, window.grade_filter, "Not graded")
    assert set(shown_ids(window)) == {r.id for r in rows if r.final_grade is None}
    press(qtbot, window, "Clear filters")
    type_date(qtbot, window.date_from, date(2026, 1, 1))
    type_date(qtbot, window.date_to, date(2026, 3, 31))
    in_quarter = {r.id for r in rows if date(2026, 1, 1) <= r.audit_date <= date(2026, 3, 31)}
    assert in_quarter
    assert set(shown_ids(window)) == in_quarter
    press(qtbot, window, "Clear filters")
    assert window.date_from.text() == window.date_to.text() == "Any"
    assert window.proxy.rowCount() == 80


def test_ctrl_f_goes_to_the_search_box_which_matches_case_and_auditor(
        qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    click_cell(qtbot, window.table, 0)
    assert not window.search.hasFocus()
    shortcut(qtbot, window, "Ctrl+F")
    assert window.search.hasFocus()
    reference = list_audits(demo_db, LEAD)[5].case_reference
    qtbot.keyClicks(window.search, reference.lower())
    assert window.proxy.rowCount() == 1
    assert window.model.row_at(window.proxy.mapToSource(window.proxy.index(0, 0)).row()
                               ).case_reference == reference
    type_text(qtbot, window.search, "priya")
    priya = [r for r in list_audits(demo_db, LEAD) if "priya" in r.auditor.lower()]
    assert 0 < window.proxy.rowCount() == len(priya) < 80


def test_clicking_a_heading_sorts_by_it_and_again_reverses(qtbot: QtBot,
                                                          demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    header = window.table.horizontalHeader()

    def click_heading(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        click(qtbot, header.viewport(), QPoint(x, header.height() // 2))

    def column_values(key: object) -> list[object]:
        return [key(window.model.row_at(window.proxy.mapToSource(  # type: ignore[operator]
            window.proxy.index(i, 0)).row())) for i in range(window.proxy.rowCount())]

    for column, key in ((4, lambda r: r.audit_date), (6, lambda r: r.final_grade or 0)):
        click_heading(column)
        first = header.sortIndicatorOrder()
        assert header.sortIndicatorSection() == column
        values = column_values(key)
        assert values == sorted(values, reverse=first == Qt.SortOrder.DescendingOrder)
        click_heading(column)
        assert header.sortIndicatorOrder() != first
        values = column_values(key)
        assert values == sorted(values, reverse=first == Qt.SortOrder.AscendingOrder)
        assert values[0] != values[-1]


def test_enter_opens_the_clicked_audit(qtbot: QtBot, db: Database,
                                      small_template_id: int) -> None:
    audit_id = make_audit(db, small_template_id)
    window = open_window(qtbot, db)
    click_cell(qtbot, window.table, 0)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert audit_id in window.editors
    editor = window.editors[audit_id]
    qtbot.addWidget(editor)
    assert editor.isVisible()
    assert editor.document.id == audit_id


def test_double_click_opens_an_audit_and_file_open_raises_it_again(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    first = make_audit(db, small_template_id, "C-001")
    second = make_audit(db, small_template_id, "C-002", audit_date=date(2026, 2, 1))
    window = open_window(qtbot, db)
    row = shown_ids(window).index(second)
    click_cell(qtbot, window.table, row, double=True)
    assert list(window.editors) == [second]
    qtbot.addWidget(window.editors[second])
    show_active(qtbot, window)
    click_cell(qtbot, window.table, shown_ids(window).index(first))
    menu_item(qtbot, window, "File", "Open audit")
    assert set(window.editors) == {first, second}
    qtbot.addWidget(window.editors[first])
    assert window.editors[first].isVisible()


def test_ctrl_n_starts_an_audit_of_a_new_case_and_opens_it(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    window = open_window(qtbot, db)

    def fill_in(dialog: QDialog) -> None:
        assert dialog.windowTitle() == "New audit"
        assert dialog.use_new.isChecked()  # type: ignore[attr-defined] # no cases yet
        assert not dialog.use_existing.isEnabled()  # type: ignore[attr-defined]
        type_text(qtbot, dialog.reference, "CL-77")  # type: ignore[attr-defined]
        choose(qtbot, dialog.category, "Relevant")  # type: ignore[attr-defined]
        click(qtbot, dialog.uasc)  # type: ignore[attr-defined]
        type_text(qtbot, dialog.age, "17")  # type: ignore[attr-defined]
        type_text(qtbot, dialog.team, "North")  # type: ignore[attr-defined]
        type_text(qtbot, dialog.worker, "PA Jones")  # type: ignore[attr-defined]
        choose(qtbot, dialog.template, dialog.template.itemText(  # type: ignore[attr-defined]
            dialog.template.findData(small_template_id)))  # type: ignore[attr-defined]
        type_date(qtbot, dialog.audit_date, date(2026, 5, 4))  # type: ignore[attr-defined]
        press(qtbot, dialog, "Start audit")

    with answer_dialogs(qtbot, fill_in):
        shortcut(qtbot, window, "Ctrl+N")
    (row,) = list_audits(db, LEAD)
    assert (row.case_reference, row.team, row.uasc, row.auditor, row.audit_date,
            row.status) == ("CL-77", "North", True, "Alex", date(2026, 5, 4), "draft")
    assert row.id in window.editors
    qtbot.addWidget(window.editors[row.id])
    assert window.editors[row.id].isVisible()
    assert window.pages.currentWidget() is window.table
    assert window.proxy.rowCount() == 1
    assert window.count_label.text() == "1 audits, all on Small test checklist v1"


def test_a_refused_new_audit_leaves_no_new_case(qtbot: QtBot, db: Database,
                                                small_template_id: int,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, db)
    warned: list[str] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, title, *_a: warned.append(title))

    def fill_in(dialog: QDialog) -> None:
        type_text(qtbot, dialog.reference, "CL-78")  # type: ignore[attr-defined]
        choose(qtbot, dialog.template, dialog.template.itemText(  # type: ignore[attr-defined]
            dialog.template.findData(small_template_id)))  # type: ignore[attr-defined]
        type_text(qtbot, dialog.auditor, "Bea")  # type: ignore[attr-defined] # not Alex's own
        press(qtbot, dialog, "Start audit")

    with answer_dialogs(qtbot, fill_in):
        shortcut(qtbot, window, "Ctrl+N")
    assert warned == ["Audit not started"]
    assert list_cases(db) == [] and list_audits(db, LEAD) == []


@pytest.mark.parametrize(("keys", "kind"), [
    ("Ctrl+D", DashboardWindow), ("Ctrl+Shift+A", ActionsTrackerWindow),
    ("Ctrl+T", TemplateLibraryWindow), ("Ctrl+M", ModerationWindow), ("Ctrl+E", ExportDialog)])
def test_each_shortcut_opens_its_window(qtbot: QtBot, db: Database, small_template_id: int,
                                        keys: str, kind: type[QWidget]) -> None:
    window = open_window(qtbot, db, LEAD)
    assert window.findChildren(kind) == []
    shortcut(qtbot, window, keys)
    (opened,) = window.findChildren(kind)
    assert opened.isVisible()
    if isinstance(opened, DashboardWindow):
        qtbot.waitUntil(lambda: opened.figures is not None, timeout=LONG)
    if isinstance(opened, ActionsTrackerWindow):
        qtbot.waitUntil(lambda: "Showing" in opened.count.text(), timeout=LONG)
    if isinstance(opened, ExportDialog):
        assert opened.kind is ExportKind.WORKBOOK
        assert opened.windowTitle() == "Export findings to Excel"
        assert not opened.isModal()


@pytest.mark.parametrize(("menu", "item", "kind", "title"), [
    ("Work", "Dashboard…", DashboardWindow, "Dashboard – auditapp"),
    ("Work", "Actions tracker…", ActionsTrackerWindow, "Actions – auditapp"),
    ("Work", "Template library…", TemplateLibraryWindow, "Template library – auditapp"),
    ("Work", "Moderation…", ModerationWindow, "Moderation – auditapp"),
    ("File", "Export findings to Excel…", ExportDialog, "Export findings to Excel"),
    ("File", "Board pack (PDF)…", ExportDialog, "Board pack (PDF)"),
    ("File", "Export audits to a bundle…", BundleExportDialog, "Export audits to a bundle"),
    ("File", "Import a bundle…", BundleImportDialog, "Import an audit bundle")])
def test_each_menu_item_opens_its_window(qtbot: QtBot, db: Database, menu: str, item: str,
                                         kind: type[QWidget], title: str) -> None:
    window = open_window(qtbot, db, LEAD)
    menu_item(qtbot, window, menu, item)
    (opened,) = window.findChildren(kind)
    assert opened.isVisible()
    assert opened.windowTitle() == title
    if isinstance(opened, DashboardWindow):
        qtbot.waitUntil(lambda: opened.figures is not None, timeout=LONG)
    if isinstance(opened, ActionsTrackerWindow):
        qtbot.waitUntil(lambda: "Showing" in opened.count.text(), timeout=LONG)


def test_the_actions_tracker_is_opened_once_and_raised_again(qtbot: QtBot,
                                                            db: Database) -> None:
    window = open_window(qtbot, db, LEAD)
    shortcut(qtbot, window, "Ctrl+Shift+A")
    (tracker,) = window.findChildren(ActionsTrackerWindow)
    qtbot.waitUntil(lambda: "Showing" in tracker.count.text(), timeout=LONG)
    tracker.close()
    show_active(qtbot, window)
    with qtbot.waitSignal(tracker.loaded, timeout=LONG):  # read again when raised
        menu_item(qtbot, window, "Work", "Actions tracker…")
    assert window.findChildren(ActionsTrackerWindow) == [tracker]
    assert tracker.isVisible()


def test_an_auditor_cannot_reach_moderation(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db, ALEX)
    assert not window.moderation_action.isEnabled()
    shortcut(qtbot, window, "Ctrl+M")
    assert window.findChildren(ModerationWindow) == []
    moderator = open_window(qtbot, db, MO)
    shortcut(qtbot, moderator, "Ctrl+M")
    assert len(moderator.findChildren(ModerationWindow)) == 1


def test_bundle_entries_are_disabled_with_the_reason_for_roles_without_them(
        qtbot: QtBot, db: Database) -> None:
    auditor = open_window(qtbot, db, ALEX)
    assert auditor.bundle_export_action.isEnabled()  # their own audits
    assert not auditor.bundle_import_action.isEnabled()
    assert auditor.bundle_import_action.toolTip() == (
        "Alex (auditor) may not import bundles: only a peer reviewer or practice lead may.")
    assert not auditor.demo_action.toolTip().startswith("Load")  # says why, not what
    file_menu = next(a.menu() for a in auditor.menuBar().actions() if a.text() == "&File")
    assert file_menu.toolTipsVisible()
    with pytest.raises(AssertionError, match="is disabled"):
        menu_item(qtbot, auditor, "File", "Import a bundle…")
    auditor.close()
    lead = open_window(qtbot, db, LEAD)
    assert lead.bundle_import_action.isEnabled() and lead.bundle_export_action.isEnabled()


def test_a_moderator_sees_a_submitted_audits_grade_withheld(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    window = open_window(qtbot, db, MO)
    (row,) = [r for r in range(window.model.rowCount())
              if window.model.index(r, 0).data(ID_ROLE) == audit]
    cell = window.model.index(row, 6)
    assert cell.data() == WITHHELD
    assert "blind" in cell.data(Qt.ItemDataRole.ToolTipRole)
    record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        shortcut(qtbot, window, "F5")
    assert window.model.index(row, 6).data() == "Good"


def test_work_profiles_opens_the_profiles_dialog(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db, LEAD)
    seen: list[str] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, ProfilesDialog)
        seen.append(dialog.windowTitle())
        press(qtbot, dialog, "Close")

    with answer_dialogs(qtbot, look):
        menu_item(qtbot, window, "Work", "Profiles…")
    assert seen == ["Profiles"]


def test_f5_and_view_refresh_show_audits_added_elsewhere(qtbot: QtBot, db: Database,
                                                        small_template_id: int) -> None:
    window = open_window(qtbot, db)
    make_audit(db, small_template_id, "C-NEW")  # by the command line, say
    assert window.proxy.rowCount() == 0
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        shortcut(qtbot, window, "F5")
    assert window.proxy.rowCount() == 1
    assert window.pages.currentWidget() is window.table
    make_audit(db, small_template_id, "C-NEWER")
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        menu_item(qtbot, window, "View", "Refresh")
    assert window.proxy.rowCount() == 2


def test_help_menu_and_f1(qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(alerts, "inform", lambda _p, title, text: told.append((title, text)))
    window = open_window(qtbot, db)
    shortcut(qtbot, window, "F1")
    assert told == [("Keyboard shortcuts", SHORTCUTS)]
    menu_item(qtbot, window, "Help", "Where is my data?")
    assert told[1][0] == "Where is my data?"
    assert str(db.location) in told[1][1]
    menu_item(qtbot, window, "Help", "Keyboard shortcuts")
    assert len(told) == 3


def test_audit_feedback_needs_a_selected_audit(qtbot: QtBot, db: Database,
                                              small_template_id: int,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    make_audit(db, small_template_id, "C-042")
    told: list[str] = []
    monkeypatch.setattr(alerts, "inform", lambda _p, _title, text: told.append(text))
    window = open_window(qtbot, db)
    menu_item(qtbot, window, "File", "Audit feedback (PDF)…")
    assert told == ["Select an audit in the list first."]
    assert window.findChildren(ExportDialog) == []
    click_cell(qtbot, window.table, 0)
    menu_item(qtbot, window, "File", "Audit feedback (PDF)…")
    (dialog,) = window.findChildren(ExportDialog)
    assert dialog.kind is ExportKind.FEEDBACK
    assert Path(dialog.path.text()).name == "feedback-C-042.pdf"
    assert dialog.audit_id == list_audits(db, LEAD)[0].id


def test_file_quit_closes_the_window(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    menu_item(qtbot, window, "File", "Quit")
    assert not window.isVisible()


def test_loading_demo_data_asks_first(qtbot: QtBot, db: Database,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, _t, text, **_k: asked.append(text) or False)
    window = open_window(qtbot, db, LEAD)
    menu_item(qtbot, window, "File", "Load demo data…")
    assert "300 invented audits" in asked[0]
    assert window.findChildren(QProgressDialog) == []
    assert count_audits(db) == 0


def test_cancelling_demo_data_from_its_progress_window_adds_nothing(
        qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo generator really runs; it is held at its first step until Cancel has been
    clicked, so that the click lands while it runs on any machine."""
    reached, release, closed = threading.Event(), threading.Event(), threading.Event()

    def held(database: Database, audits: int, actor: Actor, **kwargs: object
             ) -> Iterator[tuple[int, int]]:
        steps = generate_demo(database, audits, actor, **kwargs)  # type: ignore[arg-type]
        try:
            first = next(steps)
            reached.set()
            release.wait(LONG / 1000)
            yield first
            yield from steps
        finally:
            steps.close()
            closed.set()

    monkeypatch.setattr(demo, "generate_demo", held)  # the window imports it when used
    monkeypatch.setattr(alerts, "ask", lambda *_a, **_k: True)
    window = open_window(qtbot, db, LEAD)
    menu_item(qtbot, window, "File", "Load demo data…")
    qtbot.waitUntil(reached.is_set, timeout=LONG)
    (progress,) = window.findChildren(QProgressDialog)
    qtbot.waitUntil(progress.isVisible, timeout=LONG)
    assert progress.windowTitle() == "Loading demo data"
    press(qtbot, progress, "Cancel")
    release.set()
    qtbot.waitUntil(closed.is_set, timeout=LONG)
    qtbot.waitUntil(lambda: not progress.isVisible(), timeout=LONG)
    assert count_audits(db) == 0
    assert window.proxy.rowCount() == 0


def test_every_control_has_an_accessible_name(qtbot: QtBot, demo_db: Database) -> None:
    assert unnamed_controls(open_window(qtbot, demo_db)) == []


def test_layout_fits_a_small_laptop_screen_at_125_percent(qtbot: QtBot,
                                                         demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    hint = window.minimumSizeHint()
    assert hint.width() * 1.25 <= 1366
    assert hint.height() * 1.25 <= 768


def test_the_newest_audits_show_at_once_then_every_audit(qtbot: QtBot, demo_db: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window is usable before a large list has loaded: the newest audits come first."""
    monkeypatch.setattr(main_window, "FIRST_ROWS", 10)
    window = MainWindow(demo_db, ALEX)
    qtbot.addWidget(window)
    seen: list[tuple[str, int, str]] = []
    window.first_audits_shown.connect(lambda: seen.append(
        ("first", window.model.rowCount(), window.count_label.text())))
    window.audits_loaded.connect(lambda: seen.append(
        ("all", window.model.rowCount(), window.count_label.text())))
    show_active(qtbot, window)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=LONG)
    every = list_audits(demo_db, ALEX)
    assert seen[0] == ("first", 10, "10 newest audits; loading the rest…")
    assert seen[1] == ("all", len(every), f"{len(every)} audits")
    assert set(shown_ids(window)) == {row.id for row in every}
    newest = {row.id for row in every[:10]}
    assert {row.id for row in list_audits(demo_db, ALEX, limit=10)} == newest


def test_tab_runs_through_the_filters_and_out_of_the_date_fields(
        qtbot: QtBot, demo_db: Database) -> None:
    """Tab once stuck in a date filter reading "Any" (14 presses tried)."""
    window = open_window(qtbot, demo_db)
    shortcut(qtbot, window, "Ctrl+F")
    visited = []
    for _ in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [window.clear_filters, window.status_filter, window.team_filter,
                       window.template_filter, window.grade_filter, window.date_from,
                       window.date_to, window.table]
    assert window.date_from.text() == window.date_to.text() == "Any"  # Tab changed nothing
    type_date(qtbot, window.date_from, date(2026, 1, 1))  # a date typed, then Tab leaves
    qtbot.keyClick(window.date_from, Qt.Key.Key_Tab)
    assert window.date_to.hasFocus()
    qtbot.keyClick(window.date_to, Qt.Key.Key_Backtab)  # and Shift+Tab goes back
    assert window.date_from.hasFocus()


def test_down_and_enter_in_the_search_box(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    shortcut(qtbot, window, "Ctrl+F")
    qtbot.keyClicks(window.search, "priya")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # many found: Enter goes to the list
    assert window.table.hasFocus()
    assert window.table.selectionModel().selectedRows()[0].row() == 0
    assert window.editors == {}
    shortcut(qtbot, window, "Ctrl+F")
    qtbot.keyClick(window.search, Qt.Key.Key_Down)  # Down goes to the list too
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    second = window.proxy.index(1, 0).data(ID_ROLE)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)  # and Enter there opens the row
    assert list(window.editors) == [second]
    qtbot.addWidget(window.editors[second])
    show_active(qtbot, window)
    reference = list_audits(demo_db, LEAD)[7].case_reference
    shortcut(qtbot, window, "Ctrl+F")
    type_text(qtbot, window.search, reference)  # one found: Enter opens it
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    opened = window.proxy.index(0, 0).data(ID_ROLE)
    assert set(window.editors) == {second, opened}
    qtbot.addWidget(window.editors[opened])
    assert window.editors[opened].document.case_reference == reference


@pytest.mark.parametrize("scale", ["100%", "125%"])
def test_the_template_column_shows_only_when_templates_differ(
        qtbot: QtBot, demo_db: Database, scale: str) -> None:
    window = open_window(qtbot, demo_db)
    window.resize(LAPTOP[scale])
    qtbot.waitUntil(lambda: window.table.horizontalScrollBar().maximum() == 0, timeout=LONG)
    templates = {r.template_title for r in list_audits(demo_db, LEAD)}
    assert len(templates) > 1
    assert not window.table.isColumnHidden(TEMPLATE_COLUMN)
    metrics = window.table.fontMetrics()
    if scale == "100%":  # room for every team; a long template is elided in the middle
        teams = {window.proxy.index(r, TEAM_COLUMN).data()
                 for r in range(window.proxy.rowCount())}
        assert all(metrics.horizontalAdvance(t) < window.table.columnWidth(TEAM_COLUMN)
                   for t in teams)
    assert window.table.columnWidth(TEMPLATE_COLUMN) > metrics.horizontalAdvance("Pathway plan")
    choose(qtbot, window.template_filter, "pathway-plan-quality")
    assert window.table.isColumnHidden(TEMPLATE_COLUMN)  # the same on every row: said once
    assert window.count_label.text().endswith(
        "all on Pathway plan quality audit (care leavers) v1")


def test_every_alt_letter_of_the_main_window_has_one_owner(qtbot: QtBot,
                                                          demo_db: Database) -> None:
    window = open_window(qtbot, demo_db, LEAD)
    assert mnemonic_clashes(window) == {}
    assert menu_clashes(window) == {}  # Board pack and Import a bundle once shared B
    shortcut(qtbot, window, "Ctrl+1")
    assert mnemonic_clashes(window) == {}


def test_the_window_fits_a_laptop_at_125_percent(qtbot: QtBot, demo_db: Database) -> None:
    window = open_window(qtbot, demo_db)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP["125%"].width() and hint.height() <= LAPTOP["125%"].height()


def test_a_bundle_opened_from_the_file_manager_is_offered_for_import(
        qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    """``auditapp FILE.auditbundle`` (a double-clicked bundle) opens the import dialog on the
    file, cursor in the passphrase of an encrypted one; nothing is read before the user
    says so, and then the import is the usual one."""
    colleague = open_database(tmp_path / "colleague.sqlite")
    add_people(colleague)
    try:
        list(generate_demo(colleague, 12, LEAD, seed=9, end=date(2026, 6, 30)))
        bundle = tmp_path / "from colleague.auditbundle"
        list(export_bundle(colleague, bundle, LEAD, passphrase="a long bundle passphrase"))
    finally:
        colleague.dispose()
    window = open_window(qtbot, db, LEAD)
    dialog = window.open_bundle(bundle)
    qtbot.waitUntil(lambda: dialog.isActiveWindow() and dialog.passphrase.hasFocus(),
                    timeout=LONG)
    assert dialog.path.text() == str(bundle)
    assert count_audits(db) == 0  # offered, not read
    qtbot.keyClicks(dialog.passphrase, "a long bundle passphrase")
    press(qtbot, dialog, "Read bundle")
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=LONG)
    assert count_audits(db) == 12
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        press(qtbot, dialog, "Close")
    assert window.model.rowCount() == 12
