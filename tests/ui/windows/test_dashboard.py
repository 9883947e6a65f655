"""The dashboard (Work › Dashboard, Ctrl+D): charts with their n, a bar or a heat-table cell
clicked to list the audits behind it, one double-clicked to open it; the team and period
chosen and shown."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QHorizontalStackedBarSeries
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from auditapp.services.reporting.figures import (
    FigureCell,
    ReportScope,
    audits_behind,
    list_teams,
)
from auditapp.storage.engine import Database
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets.table_models import ID_ROLE
from auditapp.ui.windows.dashboard import (
    AuditsBehindDialog,
    DashboardWindow,
    GradeChart,
    HeatTable,
    default_start,
)
from tests.builders import (
    DEMO_END,
    LAPTOP,
    LEAD,
    LONG,
    choose,
    click,
    click_cell,
    press,
    shortcut,
    show_active,
    type_date,
)

RI = "Requires improvement to be good"
GRADES = ("Outstanding", "Good", RI, "Inadequate")


def open_dashboard(qtbot: QtBot, db: Database) -> DashboardWindow:
    window = DashboardWindow(db, LEAD, today=DEMO_END)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.figures_shown, timeout=LONG):
        show_active(qtbot, window)
    return window


def click_bar(qtbot: QtBot, view: GradeChart, bar_set: int, category: int) -> None:
    """Click the middle of one bar of a (stacked) bar chart, where a person would: the
    ``bar_set`` and ``category`` as the figures give them (the chart shows them last first,
    so that the first reads at the top)."""
    chart = view.chart()
    series = chart.series()[0]
    sets = series.barSets()
    bar_set, category = view.set_order.index(bar_set), view.category_order.index(category)
    below = sum(sets[i].at(category) for i in range(bar_set))
    value = sets[bar_set].at(category)
    assert value > 0, "an empty bar cannot be clicked"
    middle = below + value / 2
    point = QPointF(middle, category) if isinstance(series, QHorizontalStackedBarSeries) \
        else QPointF(category, middle)
    position = view.mapFromScene(chart.mapToScene(chart.mapToPosition(point, series)))
    click(qtbot, view.viewport(), position)


def show_tab(qtbot: QtBot, window: DashboardWindow, index: int) -> None:
    bar = window.tabs.tabBar()
    click(qtbot, bar, bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index


def behind(window: DashboardWindow) -> AuditsBehindDialog:
    (dialog,) = [d for d in window.findChildren(AuditsBehindDialog) if d.isVisible()]
    return dialog


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
    show_tab(qtbot, window, 2)
    assert window.agreement_text.isVisible()
    assert "weighted kappa" in window.agreement_text.text()
    assert window.auditor_table.rowCount() == len(figures.agreement.auditors) > 0
    assert window.section_table.rowCount() == len(figures.agreement.sections) > 0


def test_clicking_a_bar_lists_the_audits_behind_it(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    assert window.figures is not None
    click_bar(qtbot, window.distribution, 1, 1)  # Good
    dialog = behind(window)
    good = window.figures.overall.counts["Good"]
    assert dialog.model.rowCount() == good
    assert dialog.windowTitle() == f"Good – {good} audits"
    opened: list[int] = []
    window.open_audit_requested.connect(opened.append)
    show_active(qtbot, dialog)
    view = dialog.findChild(QTableView)
    click_cell(qtbot, view, 2, double=True)
    assert opened == [view.model().index(2, 0).data(ID_ROLE)]


def test_clicking_a_stacked_bar_lists_that_team_or_quarter(qtbot: QtBot,
                                                          demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    assert window.figures is not None
    team = window.figures.teams[0]
    assert team.counts["Good"] > 0
    click_bar(qtbot, window.teams_chart, 1, 0)  # the first team's Good
    dialog = behind(window)
    assert dialog.model.rowCount() == team.counts["Good"]
    assert {r.team for r in dialog.model.rows()} == {team.key}
    dialog.close()
    quarter = window.figures.quarters[-1]
    set_index = next(i for i, name in enumerate(GRADES)
                     if quarter.counts[name])
    click_bar(qtbot, window.trend, set_index, len(window.figures.quarters) - 1)
    dialog = behind(window)
    assert dialog.model.rowCount() == quarter.counts[
        GRADES[set_index]]
    assert all(r.audit_date >= date.fromisoformat(quarter.key) for r in dialog.model.rows())


def click_heat_cell(qtbot: QtBot, heat: HeatTable, row: int, column: int) -> None:
    click_cell(qtbot, heat, row, column)


def test_clicking_a_heat_cell_lists_its_audits(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    assert window.figures is not None
    show_tab(qtbot, window, 1)
    section = window.figures.sections[0]
    assert section.counts["Good"] > 0
    click_heat_cell(qtbot, window.section_heat, 0, 2)  # first section, Good
    dialog = behind(window)
    cell = FigureCell(grade="Good", section=(section.template_key, section.section_key))
    expected = audits_behind(demo_db, window.scope(), cell)
    assert dialog.model.rowCount() == len(expected) == section.counts["Good"]
    assert {r.id for r in dialog.model.rows()} == set(expected)
    dialog.close()
    click_heat_cell(qtbot, window.kloe_heat, 0, 0)  # the n column lists nothing
    assert [d for d in window.findChildren(AuditsBehindDialog) if d.isVisible()] == []
    click_heat_cell(qtbot, window.kloe_heat, 0, 3)  # a line of enquiry, RI
    dialog = behind(window)
    key = window.kloe_heat.verticalHeaderItem(0).text().split()[0]
    expected = audits_behind(demo_db, window.scope(), FigureCell(grade=RI, section=key))
    assert dialog.windowTitle() == f"{key} · {RI} – {len(expected)} audits"
    assert {r.id for r in dialog.model.rows()} == set(expected)


def test_team_and_period_are_chosen_then_shown(qtbot: QtBot, demo_db: Database) -> None:
    window = open_dashboard(qtbot, demo_db)
    assert window.figures is not None
    everyone = window.figures.overall.total
    team = list_teams(demo_db)[0]
    choose(qtbot, window.team, team)
    assert window.figures.overall.total == everyone  # nothing changes until Show
    with qtbot.waitSignal(window.figures_shown, timeout=LONG):
        press(qtbot, window, "Show")
    assert 0 < window.figures.overall.total < everyone
    assert window.figures.scope.team == team
    type_date(qtbot, window.date_from, date(2026, 4, 1))
    type_date(qtbot, window.date_to, date(2026, 6, 30))
    with qtbot.waitSignal(window.figures_shown, timeout=LONG):
        press(qtbot, window, "Show")
    assert window.figures.scope == ReportScope(date(2026, 4, 1), date(2026, 6, 30), team,
                                               reader=LEAD)
    assert window.summary.text().startswith(f"<b>{window.figures.overall.total}</b> audits")


def test_ctrl_d_then_a_bar_then_an_audit_opens_it(qtbot: QtBot, demo_db: Database) -> None:
    main = MainWindow(demo_db, LEAD)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.audits_loaded, timeout=LONG):
        show_active(qtbot, main)
    shortcut(qtbot, main, "Ctrl+D")
    (dashboard,) = main.findChildren(DashboardWindow)
    qtbot.waitUntil(lambda: dashboard.figures is not None, timeout=LONG)
    show_active(qtbot, dashboard)
    assert dashboard.figures is not None
    counts = dashboard.figures.overall.counts
    grade = max(range(4), key=lambda i: counts[GRADES[i]])
    click_bar(qtbot, dashboard.distribution, grade, grade)
    dialog = behind(dashboard)
    show_active(qtbot, dialog)
    view = dialog.findChild(QTableView)
    audit_id = view.model().index(0, 0).data(ID_ROLE)
    click_cell(qtbot, view, 0, double=True)
    assert audit_id in main.editors
    editor = main.editors[audit_id]
    qtbot.addWidget(editor)
    assert editor.isVisible() and editor.document.id == audit_id


@pytest.mark.parametrize("size", sorted(LAPTOP))
def test_the_dashboard_fits_a_laptop_and_its_labels_are_whole(
        qtbot: QtBot, demo_db: Database, size: str) -> None:
    """At 125 % it was taller than the screen, and the grade labels read "Outsta...",
    "Inadeq..."."""
    window = open_dashboard(qtbot, demo_db)
    assert window.minimumSizeHint().height() <= LAPTOP[size].height()
    assert window.minimumSizeHint().width() <= LAPTOP[size].width()
    window.resize(LAPTOP[size])
    qtbot.waitUntil(lambda: window.size() == LAPTOP[size])
    show_tab(qtbot, window, 2)
    show_tab(qtbot, window, 0)
    for view in (window.distribution, window.trend, window.teams_chart, window.actions_chart,
                 window.agreement_chart):
        chart = view.chart()
        (axis,) = [a for a in chart.axes() if isinstance(a, QBarCategoryAxis)]
        assert axis.alignment() == Qt.AlignmentFlag.AlignLeft  # bars lie down
        metrics = QFontMetrics(axis.labelsFont())
        room = chart.plotArea().left() - chart.margins().left()
        for label in axis.categories():
            assert metrics.horizontalAdvance(label) < room, (view.accessibleName(), label)
        per_bar = chart.plotArea().height() / len(axis.categories())
        assert per_bar >= metrics.height(), view.accessibleName()
    (labels,) = [a for a in window.distribution.chart().axes()
                 if isinstance(a, QBarCategoryAxis)]
    assert labels.categories()[-1] == "Outstanding"  # drawn last: at the top


def test_the_default_period_starts_on_a_whole_quarter(qtbot: QtBot, demo_db: Database) -> None:
    """The first "quarter" could be one month: the last twelve months began mid-quarter."""
    window = open_dashboard(qtbot, demo_db)
    assert window.figures is not None
    start = window.figures.scope.date_from
    assert start == date(2025, 7, 1) and date(2026, 6, 30) == DEMO_END
    first = window.figures.quarters[0]
    assert first.label == "Jul\u2013Sep 2025"  # a whole quarter, not "15 Jun–Jun"
    assert len(window.figures.quarters) == 4
    assert default_start(date(2026, 5, 17)) == date(2025, 7, 1)
    assert default_start(date(2026, 1, 1)) == date(2025, 4, 1)
