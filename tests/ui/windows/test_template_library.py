"""The template library: browse, preview, import with errors shown, export, retire."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from auditapp.services.templates import install_shipped_templates, list_templates
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.template_library import TemplateLibraryWindow
from tests.builders import BROKEN_TEMPLATE, LEAD, SMALL_TEMPLATE, make_audit


@pytest.fixture
def library(qtbot: QtBot, db: Database) -> TemplateLibraryWindow:
    install_shipped_templates(db)
    window = TemplateLibraryWindow(db, LEAD)
    qtbot.addWidget(window)
    window.show()
    return window


def test_versions_are_listed_and_previewed(library: TemplateLibraryWindow) -> None:
    keys = [library.tree.topLevelItem(i).toolTip(0)
            for i in range(library.tree.topLevelItemCount())]
    assert any("pathway-plan-quality" in k for k in keys)
    row = library.selected_row()
    assert row is not None
    html = library.preview.toPlainText()
    assert row.title in html
    assert "critical" in html or row.key == "peer-review-kloe"


def test_import_shows_every_problem_and_imports_nothing(
        library: TemplateLibraryWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        db: Database) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_TEMPLATE)
    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(alerts, "warn", lambda _p, _t, text, details="": warnings.append(
        (text, details)))
    before = len(list_templates(db))
    library.import_template(broken)
    text, details = warnings[0]
    assert "Nothing was imported" in text
    assert "broken.yaml:9: sections[1].limiting: must be true or false" in details
    assert len(list_templates(db)) == before


def test_import_then_see_its_audits_and_retire_it(
        library: TemplateLibraryWindow, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    library.import_template(SMALL_TEMPLATE)
    row = library.selected_row()
    assert row is not None
    assert row.key == "small-test"
    assert "imported as version 1" in library.status.text()
    make_audit(db, row.id)
    library.reload()
    assert library.audits.rowCount() == 1
    monkeypatch.setattr(alerts, "ask", lambda *a, **k: True)
    library.toggle_retired()
    (small,) = [r for r in list_templates(db) if r.key == "small-test"]
    assert small.retired
    assert library.retire_button.text() == "&Restore version"
    library.toggle_retired()
    assert not [r for r in list_templates(db) if r.key == "small-test"][0].retired


def test_export_to_excel(library: TemplateLibraryWindow, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    library.export_selected(target)
    assert load_workbook(target).sheetnames == ["settings", "checklist", "scales"]
    assert str(target) in library.status.text()
