"""Regenerate the screenshots in docs/screenshots/ from synthetic demo data.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--scale 1.25]

Runs offscreen unless QT_QPA_PLATFORM says otherwise; windows fill a 1366x768 screen, the
size of a typical council laptop (at --scale 1.25 that is 1093x614 logical pixels).
The demo database is built in a temporary folder and thrown away.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

from auditapp.rules.permissions import Actor
from auditapp.storage.engine import Database

ROOT = Path(__file__).resolve().parents[1]
SCREEN = QSize(1366, 768)


def _settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def _save(app: QApplication, widget: QWidget, out: Path, name: str) -> None:
    _settle(app)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main() -> None:
    """Build demo data, open each main screen and save a picture of it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    args.out.mkdir(parents=True, exist_ok=True)
    from auditapp.models import Role
    from auditapp.services.demo import generate_demo
    from auditapp.services.users import save_user
    from auditapp.storage.database import open_database
    from auditapp.ui.shell.qt_application import create_application

    app = create_application()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.sqlite")
        actor = save_user(db, "Helen Brooks", Role.PRACTICE_LEAD, None)
        list(generate_demo(db, 400, actor, seed=11, years=2, end=date(2026, 10, 31)))
        _shoot_all(app, db, actor, args.out, SCREEN / args.scale)
        _shoot_my_work(app, db, actor, args.out, SCREEN / args.scale)
        _shoot_board_work(app, db, actor, args.out, SCREEN / args.scale)
        db.dispose()


def _shoot_all(app: QApplication, db: Database, actor: Actor, out: Path, size: QSize) -> None:
    from auditapp.services.cases import list_cases
    from auditapp.services.templates import list_templates
    from auditapp.ui.dialogs.first_run import FirstRunDialog
    from auditapp.ui.dialogs.new_audit import NewAuditDialog
    from auditapp.ui.editor.navigator import ACTIONS_PAGE, OVERALL_PAGE
    from auditapp.ui.editor.section_page import SectionPage
    from auditapp.ui.shell.main_window import MainWindow

    window = MainWindow(db, actor)
    window.resize(size)
    window.show()
    loaded: list[bool] = []
    window.audits_loaded.connect(lambda: loaded.append(True))
    while not loaded:
        app.processEvents()
    window.show_tab(1)
    _save(app, window, out, "audit-list")
    window.status_filter.setCurrentText("Draft")
    window.team_filter.setCurrentIndex(1)
    _save(app, window, out, "audit-list-filtered")
    window._clear_filters()

    draft = next(r for r in window.model.rows() if r.status == "draft"
                 and r.template_key == "pathway-plan-quality" and 0 < r.answered < r.applicable)
    editor = window.open_audit(draft.id)
    editor.resize(size)
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    page.cards[1].guidance_button.setChecked(True)
    page.cards[0].setFocus()
    _save(app, editor, out, "audit-editor")
    editor.check_and_submit()
    _save(app, editor, out, "audit-submit-problems")
    editor.problems_dock.hide()
    editor.show_page(OVERALL_PAGE)
    _save(app, editor, out, "audit-overall")
    editor.show_page(ACTIONS_PAGE)
    _save(app, editor, out, "audit-actions")
    editor.close()
    _shoot_reaudit(app, db, window, out, size)

    dashboard = window.show_dashboard()
    dashboard.resize(size)
    shown: list[bool] = []
    dashboard.figures_shown.connect(lambda: shown.append(True))
    while not shown:
        app.processEvents()
    _save(app, dashboard, out, "dashboard")
    dashboard.tabs.setCurrentIndex(1)
    _save(app, dashboard, out, "dashboard-sections")
    dashboard.tabs.setCurrentIndex(2)
    _save(app, dashboard, out, "dashboard-moderation")
    dashboard.close()

    moderation = window.show_moderation()
    moderation.resize(size)
    _save(app, moderation, out, "moderation-queue")
    moderation.table.selectRow(0)
    blind = moderation.moderate_selected()
    assert blind is not None
    blind.resize(size)
    for combo in blind.blind_combos.values():
        combo.set_grade(3)
    blind.blind_overall.set_grade(2)
    _save(app, blind, out, "moderation-blind")
    blind.record_blind()
    _save(app, blind, out, "moderation-compare")
    blind.close()
    moderation.close()

    tracker = window.show_actions_tracker()
    tracker.resize(size)
    while tracker.model.rowCount() == 0:  # read in the background
        app.processEvents()
    tracker.status_filter.setCurrentText("Open")
    _save(app, tracker, out, "actions-tracker")
    tracker.close()
    library = window.show_template_library()
    library.resize(size)
    _save(app, library, out, "template-library")
    library.close()

    _dialog(app, out, "new-audit", NewAuditDialog(
        list_cases(db), list_templates(db, include_retired=False), "Alex Morgan", window))
    _dialog(app, out, "first-run", FirstRunDialog(
        Path.home() / ".local/share/auditapp/auditapp.sqlite", [], True, window,
        offer_encryption=True))
    window.close()


def _shoot_my_work(app: QApplication, db: Database, lead: Actor, out: Path,
                   size: QSize) -> None:
    """The window as it opens for a practice lead who also audits: My work."""
    from auditapp.models import Role
    from auditapp.services.audits.editing import list_audits
    from auditapp.services.users import save_user
    from auditapp.ui.shell.main_window import MainWindow

    rows = list_audits(db, lead)
    auditor = max({r.auditor for r in rows if r.status == "draft"},
                  key=lambda name: sum(r.auditor == name for r in rows))
    actor = save_user(db, auditor, Role.PRACTICE_LEAD, lead)
    window = MainWindow(db, actor)
    window.resize(size)
    window.show()
    while window.my_work.model.rowCount() == 0:  # read in the background
        app.processEvents()
    _save(app, window, out, "my-work")
    window.close()


def _shoot_reaudit(app: QApplication, db: Database, window: QWidget, out: Path,
                   size: QSize) -> None:
    """A re-audit of a case whose last audit was moderated: the previous audit beside it."""
    from auditapp.services.audits.editing import create_audit
    from auditapp.services.cases import list_cases
    from auditapp.services.templates import list_templates
    from auditapp.ui.editor.navigator import ACTIONS_PAGE
    from auditapp.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    last = next(r for r in window.model.rows() if r.status == "moderated"
                and r.template_key == "pathway-plan-quality")
    case_id = next(c.id for c in list_cases(db) if c.reference == last.case_reference)
    template = max((t for t in list_templates(db, include_retired=False)
                    if t.key == last.template_key), key=lambda t: t.version)
    audit_id = create_audit(db, case_id, template.id, last.auditor, date(2026, 11, 2),
                            window.actor)
    window.reload()
    editor = window.open_audit(audit_id)
    editor.resize(size)
    _save(app, editor, out, "audit-reaudit")
    editor.show_page(ACTIONS_PAGE)
    _save(app, editor, out, "audit-reaudit-actions")
    editor.close()


def _dialog(app: QApplication, out: Path, name: str, dialog: QWidget) -> None:
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.show()
    dialog.adjustSize()
    _save(app, dialog, out, name)
    dialog.close()



def _shoot_board_work(app: QApplication, db: Database, lead: Actor, out: Path,
                      size: QSize) -> None:
    """The audit programme, the board reports and one report's editor beside its preview."""
    from auditapp.rules.markings import OFFICIAL
    from auditapp.services.programme import PlannedLine, set_planned
    from auditapp.services.reporting.board_reports import (
        ReportSettings,
        save_words,
        start_report,
    )
    from auditapp.ui.shell.main_window import MainWindow

    for start, end, team, planned in (
            (date(2026, 5, 1), date(2026, 10, 31), "Leaving Care South", 12),
            (date(2026, 5, 1), date(2026, 10, 31), "Leaving Care North", 10),
            (date(2026, 11, 1), date(2027, 4, 30), "Leaving Care South", 12)):
        set_planned(db, PlannedLine(start, end, team, "pathway-plan-quality", planned), lead)
    row = start_report(db, ReportSettings(
        "Case file audits of care leavers' pathway plans, May to October 2026",
        date(2026, 5, 1), date(2026, 10, 31), "Corporate Parenting Partnership Board",
        date(2026, 12, 10), "Helen Brooks, Practice Lead", OFFICIAL, 5), lead)
    save_words(db, row.id, {
        "summary": "This report gives the Board the findings of the case file audits of care "
                   "leavers' pathway plans completed between May and October 2026.",
        "recommendations": "- That the Board notes the audit findings.\n- That the Board "
                           "agrees the audit programme for November 2026 to April 2027."},
        row.revision, lead)
    window = MainWindow(db, lead)
    window.resize(size)
    window.show()
    programme = window.show_programme()
    programme.resize(size)
    _save(app, programme, out, "audit-programme")
    programme.close()
    reports = window.show_board_reports()
    reports.resize(size)
    _save(app, reports, out, "board-reports")
    editor = reports.open_report(row.id)
    editor.resize(size)
    while "Good or better" not in editor.preview.toPlainText():  # figures read off the UI
        app.processEvents()
    _save(app, editor, out, "board-report-editor")
    editor.close()
    reports.close()
    window.close()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
