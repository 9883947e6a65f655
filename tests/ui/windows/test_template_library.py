"""The template library (Work › Template library, Ctrl+T), clicked: versions chosen in the
tree and previewed, import with every problem shown, export to Excel, retire and restore."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem
from pytestqt.qtbot import QtBot

from auditapp.rules.permissions import Actor
from auditapp.services.template_list import list_templates
from auditapp.services.templates import install_shipped_templates
from auditapp.storage.engine import Database
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.template_library import TemplateLibraryWindow
from tests.builders import (
    ALEX,
    BROKEN_TEMPLATE,
    LEAD,
    LONG,
    SMALL_TEMPLATE,
    click,
    click_tree_item,
    make_audit,
    press,
    shortcut,
    show_active,
)


def open_library(qtbot: QtBot, db: Database, actor: Actor = LEAD) -> TemplateLibraryWindow:
    """Ctrl+T in the main window."""
    install_shipped_templates(db)
    main = MainWindow(db, actor)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    shortcut(qtbot, main, "Ctrl+T")
    (library,) = main.findChildren(TemplateLibraryWindow)
    show_active(qtbot, library)
    return library


def version_item(library: TemplateLibraryWindow, key: str, version: int = 1
                 ) -> QTreeWidgetItem:
    for top in range(library.tree.topLevelItemCount()):
        parent = library.tree.topLevelItem(top)
        for child in range(parent.childCount()):
            row = parent.child(child).data(0, Qt.ItemDataRole.UserRole)
            if row.key == key and row.version == version:
                return parent.child(child)
    raise AssertionError(f"no {key} v{version} in the tree")


def test_versions_are_listed_and_the_clicked_one_previewed(qtbot: QtBot,
                                                         db: Database) -> None:
    library = open_library(qtbot, db)
    keys = [library.tree.topLevelItem(i).toolTip(0)
            for i in range(library.tree.topLevelItemCount())]
    assert any("pathway-plan-quality" in k for k in keys)
    shipped = list_templates(db)
    assert len(shipped) >= 2
    for row in shipped[:2]:
        click_tree_item(qtbot, library.tree, version_item(library, row.key, row.version))
        selected = library.selected_row()
        assert selected is not None and selected.id == row.id
        text = library.preview.toPlainText()
        assert row.title in text and f"v{row.version}" in text
    assert "critical" in library.preview.toPlainText() or shipped[1].key == "peer-review-kloe"


def test_import_shows_every_problem_and_imports_nothing(
        qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = open_library(qtbot, db)
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_TEMPLATE)
    monkeypatch.setattr(alerts, "pick_open_path", lambda *_a: broken)
    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, _t, text, details="": warnings.append(
        (text, details)))
    before = len(list_templates(db))
    press(qtbot, library, "Import template…")
    text, details = warnings[0]
    assert "Nothing was imported" in text
    assert "broken.yaml:9: sections[1].limiting: must be true or false" in details
    assert len(details.splitlines()) > 3  # every problem, not the first
    assert len(list_templates(db)) == before


def test_import_selects_the_new_version(qtbot: QtBot, db: Database,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    library = open_library(qtbot, db)
    monkeypatch.setattr(alerts, "pick_open_path", lambda *_a: SMALL_TEMPLATE)
    changed: list[bool] = []
    library.templates_changed.connect(lambda: changed.append(True))
    press(qtbot, library, "Import template…")
    row = library.selected_row()
    assert row is not None and row.key == "small-test"  # the new version is selected
    assert library.status.text() == "small_template.yaml: imported as version 1"
    assert "small-test" in [r.key for r in list_templates(db)]
    press(qtbot, library, "Import template…")  # the same file again: nothing new
    assert library.status.text() == "small_template.yaml: unchanged (already version 1)"
    assert [r.key for r in list_templates(db)].count("small-test") == 1
    assert len(changed) == 2


def test_see_a_versions_audits_then_retire_and_restore_it(
        qtbot: QtBot, db: Database, small_template_id: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_audit(db, small_template_id)
    library = open_library(qtbot, db)
    changed: list[bool] = []
    library.templates_changed.connect(lambda: changed.append(True))
    click_tree_item(qtbot, library.tree, version_item(library, "small-test"))
    tab_bar = library.tabs.tabBar()
    assert tab_bar.tabText(1) == "&Audits using this version (1)"
    click(qtbot, tab_bar, tab_bar.tabRect(1).center())
    assert library.tabs.currentWidget() is library.audit_table
    assert library.audits.rowCount() == 1
    asked: list[str] = []
    monkeypatch.setattr(alerts, "ask", lambda _p, _t, text, **_k: asked.append(text) or True)
    press(qtbot, library, "Retire version")
    assert "the 1 audits already started on it keep it" in asked[0]
    (small,) = [r for r in list_templates(db) if r.key == "small-test"]
    assert small.retired
    assert version_item(library, "small-test").text(3) == "retired"
    press(qtbot, library, "Restore version")  # restoring needs no question
    assert len(asked) == 1
    assert not [r for r in list_templates(db) if r.key == "small-test"][0].retired
    assert library.retire_button.text() == "&Retire version"
    assert version_item(library, "small-test").text(3) == "in use"
    assert len(changed) == 2


def test_declining_to_retire_changes_nothing(qtbot: QtBot, db: Database,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    library = open_library(qtbot, db)
    monkeypatch.setattr(alerts, "ask", lambda *_a, **_k: False)
    press(qtbot, library, "Retire version")
    assert not any(r.retired for r in list_templates(db))


def test_export_to_excel(qtbot: QtBot, db: Database, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    library = open_library(qtbot, db)
    row = library.selected_row()
    assert row is not None
    target = tmp_path / "out.xlsx"
    suggested: list[str] = []
    monkeypatch.setattr(alerts, "pick_save_path",
                        lambda _p, _t, name, _f: suggested.append(name) or target)
    press(qtbot, library, "Export to Excel…")
    assert suggested == [f"{row.key}-v{row.version}.xlsx"]
    assert load_workbook(target).sheetnames == ["settings", "checklist", "scales", "indicators"]
    assert library.status.text() == f"Exported to {target}"


def test_an_auditor_browses_but_cannot_import_or_retire(qtbot: QtBot, db: Database) -> None:
    library = open_library(qtbot, db, ALEX)
    assert library.selected_row() is not None
    assert not library.import_button.isEnabled()
    assert not library.retire_button.isEnabled()
    assert library.export_button.isEnabled()


def test_audit_counts_are_read_afresh_when_the_library_comes_back(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    """The counts were those of the last reload: audits started since were not counted."""
    library = open_library(qtbot, db)
    click_tree_item(qtbot, library.tree, version_item(library, "small-test"))
    assert version_item(library, "small-test").text(2) == "0"
    assert library.tabs.tabText(1) == "&Audits using this version (0)"
    main = library.parentWidget()
    assert isinstance(main, MainWindow)
    make_audit(db, small_template_id, "C-1")  # started meanwhile (the editor, a bundle...)
    make_audit(db, small_template_id, "C-2")
    bar = main.tabs.tabBar()
    click(qtbot, bar, bar.tabRect(0).center())  # back in the main window ...
    shortcut(qtbot, main, "Ctrl+T")  # ... the library raised again
    assert version_item(library, "small-test").text(2) == "2"
    assert library.tabs.tabText(1) == "&Audits using this version (2)"
    assert library.audits.rowCount() == 2
    make_audit(db, small_template_id, "C-3")
    click(qtbot, bar, bar.tabRect(0).center())
    click(qtbot, library.tree.viewport(), library.tree.visualItemRect(  # a click back into it
        version_item(library, "small-test")).center())
    assert version_item(library, "small-test").text(2) == "3"
    assert library.selected_row() is not None and library.selected_row().key == "small-test"
