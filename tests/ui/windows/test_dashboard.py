"""The dashboard: charts with their n, heat tables, agreement, and the audits behind a bar."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from auditapp.services.reporting.figures import FigureCell, audits_behind
from auditapp.storage.engine import Database
from auditapp.ui.windows.dashboard import DashboardWindow
from tests.builders import DEMO_END


def open_dashboard(qtbot: QtBot, db: Database) -> DashboardWindow:
    window = DashboardWindow(db, today=DEMO_END)
    qtbot.addWidget(window)
    qtbot.waitSignal(window.figures_shown, timeout=30_000).wait()
    window.show()
    return window


def test_every_chart_shows_its_n(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    figures = window.figures
    assert figures is not None
    total = figures.overall.total
    assert window.distribution.chart().title() == f"Overall grades (n = {total})"
    assert window.trend.chart().title() == f"Grades by quarter (n = {total})"
    assert window.teams_chart.chart().title() == f"Grades by team (n = {total})"
    assert "(n = " in window.actions_chart.chart().title()
    assert window.section_heat.rowCount() == len(figures.sections)
    assert window.kloe_heat.rowCount() >= 6
    assert "weighted kappa" in window.agreement_text.text()
    assert window.auditor_table.rowCount() == len(figures.agreement.auditors) > 0
    assert window.section_table.rowCount() == len(figures.agreement.sections) > 0


def test_clicking_a_bar_lists_the_audits_behind_it(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    series = window.distribution.chart().series()[0]
    good = series.barSets()[1]  # Good
    dialogs = []
    window.distribution.bar_clicked.connect(lambda cell: dialogs.append(
        window.show_audits_behind(cell)))
    series.clicked.emit(1, good)
    (dialog,) = dialogs
    assert window.figures is not None
    assert dialog.model.rowCount() == window.figures.overall.counts["Good"]
    opened: list[int] = []
    window.open_audit_requested.connect(opened.append)
    dialog.open_audit_requested.emit(dialog.model.row_at(0).id)
    assert opened == [dialog.model.row_at(0).id]
    qtbot.addWidget(dialog)


def test_clicking_a_heat_cell_lists_its_audits(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    seen: list[FigureCell] = []
    window.section_heat.cell_chosen.disconnect()
    window.section_heat.cell_chosen.connect(seen.append)
    window.section_heat.cellClicked.emit(0, 2)  # first section, Good
    (cell,) = seen
    section = window.figures.sections[0] if window.figures else None
    assert section is not None
    assert cell == FigureCell(grade="Good", section=(section.template_key, section.section_key))
    assert len(audits_behind(demo_db, window.scope(), cell)) == section.counts["Good"]


def test_team_filter_narrows_every_figure(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    everyone = window.figures.overall.total if window.figures else 0
    window.team.setCurrentIndex(1)
    with qtbot.waitSignal(window.figures_shown, timeout=30_000):
        window.refresh_button.click()
    assert window.figures is not None
    assert 0 < window.figures.overall.total < everyone
