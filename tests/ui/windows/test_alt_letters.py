"""Every Alt+letter of every window has one owner, on every tab and moderation step (two
owners and Alt+letter only moves between them, pressing neither)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.moderation import record_blind_grades
from auditapp.storage.engine import Database
from auditapp.ui.windows.actions_tracker import ActionsTrackerWindow
from auditapp.ui.windows.dashboard import DashboardWindow
from auditapp.ui.windows.moderation import ModerateAuditWindow, ModerationWindow, SampleDialog
from auditapp.ui.windows.programme import LineDialog, ProgrammeWindow
from auditapp.ui.windows.template_library import TemplateLibraryWindow
from tests.builders import LEAD, MO, click, mnemonic_clashes, show_active, submitted_audit


def _every_tab(qtbot: QtBot, window: QWidget) -> list[dict[str, list[str]]]:
    """The clashes as the window opens, then on each of its tabs, clicked."""
    clashes = [mnemonic_clashes(window)]
    for tabs in window.findChildren(QTabWidget):
        bar = tabs.tabBar()
        for index in range(tabs.count()):
            click(qtbot, bar, bar.tabRect(index).center())
            assert tabs.currentIndex() == index
            clashes.append(mnemonic_clashes(window))
    return clashes


def test_the_work_windows(qtbot: QtBot, db: Database, small_template_id: int) -> None:
    submitted_audit(db, small_template_id)
    for window in (DashboardWindow(db, LEAD), ActionsTrackerWindow(db, LEAD),
                   TemplateLibraryWindow(db, LEAD), ModerationWindow(db, LEAD), SampleDialog(),
                   ProgrammeWindow(db, LEAD), LineDialog(["North"], [("k", "Title")], None)):
        qtbot.addWidget(window)
        show_active(qtbot, window)
        seen = _every_tab(qtbot, window)
        assert all(c == {} for c in seen), (type(window).__name__, seen)


def test_both_steps_of_moderating(qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    blind = ModerateAuditWindow(db, audit, MO)
    qtbot.addWidget(blind)
    blind.show()
    assert mnemonic_clashes(blind) == {}
    record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    compare = ModerateAuditWindow(db, audit, MO)
    qtbot.addWidget(compare)
    compare.show()
    assert compare.steps.currentIndex() == 1
    assert mnemonic_clashes(compare) == {}
