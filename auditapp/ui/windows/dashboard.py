"""The dashboard: the picture at a glance for a period and a team.

Overall grades, the trend by quarter, grades by section and by line of enquiry (heat
tables), actions, and moderation agreement, for the current quarter and the three before it
unless another period is chosen. Bars lie down so that their labels are read whole, the
first at the top. Every chart says how many audits it counts;
clicking a bar or a cell lists the audits behind it. Figures are read on a pool thread.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED
from auditapp.rules.permissions import Actor
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import list_audits
from auditapp.services.moderation import AgreementFigures
from auditapp.services.reporting.figures import (
    FigureCell,
    GradeTally,
    PeriodFigures,
    Quarter,
    ReportScope,
    audits_behind,
    lines_of_enquiry,
    list_teams,
    period_figures,
)
from auditapp.storage.engine import Database
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.style import GRADE_COLOURS, NOT_GRADED_COLOUR, blended, readable_on
from auditapp.ui.widgets.table_models import ID_ROLE, AuditTableModel
from auditapp.ui.widgets.workers import start_job

ANY = "All teams"
GRADE_NAMES = [g.label for g in GRADES_BEST_FIRST]
SHORT = {g.label: g.short for g in GRADES_BEST_FIRST}  # the grades' own short forms
CELL_ROLE = Qt.ItemDataRole.UserRole + 10
#: Small enough for four charts, the filters and the summary on a 1366x768 screen at 125 %.
CHART_MIN_HEIGHT = 170


def default_start(today: date) -> date:
    """The first day of the quarter three before today's: four quarters, the first whole."""
    quarter = Quarter.containing(today)
    for _ in range(3):
        quarter = quarter.previous()
    return quarter.start


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


class GradeChart(QChartView):
    """Bars of grades, lying down so that every label is read whole, the first at the top;
    emits the clicked bar as a FigureCell.

    Qt draws a lying bar chart's first category at the bottom (and a category axis cannot be
    reversed), so the bars are given to Qt last first: ``set_order`` and ``category_order``
    say, for each bar set and category as Qt holds them, which one it is as given.
    """

    bar_clicked = Signal(object)

    def __init__(self, accessible_name: str) -> None:
        super().__init__()
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(accessible_name)
        self.setMinimumHeight(CHART_MIN_HEIGHT)
        self._cells: list[list[FigureCell]] = []
        self.set_order: list[int] = []
        self.category_order: list[int] = []

    def show_distribution(self, title: str, tally: GradeTally) -> None:
        """One bar per grade, in the grade's colour."""
        names = [*GRADE_NAMES, NOT_GRADED]
        colours = [GRADE_COLOURS[g] for g in GRADES_BEST_FIRST] + [NOT_GRADED_COLOUR]
        self._cells = [[FigureCell(grade=name) for _ in names] for name in names]
        self._one_bar_each(f"{title} (n = {tally.total})", [SHORT.get(n, n) for n in names],
                           [tally.counts[n] for n in names], colours)

    def show_stacked(self, title: str, tallies: tuple[GradeTally, ...],
                     cells: list[FigureCell]) -> None:
        """One stacked bar per tally (a quarter, a team), coloured by grade."""
        self.set_order = list(range(len(GRADES_BEST_FIRST)))
        self.category_order = list(reversed(range(len(tallies))))
        series = QHorizontalStackedBarSeries()
        for grade in GRADES_BEST_FIRST:
            bar = QBarSet(SHORT.get(grade.label, grade.label))
            bar.append([float(tallies[i].counts[grade.label]) for i in self.category_order])
            bar.setColor(GRADE_COLOURS[grade])
            series.append(bar)
        self._cells = [[FigureCell(grade=g.label, quarter=c.quarter, team=c.team)
                        for c in cells] for g in GRADES_BEST_FIRST]
        highest = max((t.total - t.counts[NOT_GRADED] for t in tallies), default=0)
        self._finish(f"{title} (n = {sum(t.total for t in tallies)})", series,
                     [tallies[i].label for i in self.category_order], highest, legend=True)

    def show_counts(self, title: str, labels: list[str], values: list[int],
                    colours: list[str]) -> None:
        """Plain bars (actions, agreement); they list nothing when clicked."""
        self._cells = []
        self._one_bar_each(f"{title} (n = {sum(values)})", labels, values,
                           [QColor(c) for c in colours])

    def _one_bar_each(self, title: str, labels: list[str], values: list[int],
                      colours: list[QColor]) -> None:
        # A stacked series with one set per bar: each bar keeps its own colour and full width.
        order = list(reversed(range(len(labels))))
        self.set_order = self.category_order = order
        series = QHorizontalStackedBarSeries()
        for position, given in enumerate(order):
            bar = QBarSet(labels[given])
            bar.append([float(values[given]) if i == position else 0.0
                        for i in range(len(labels))])
            bar.setColor(colours[given])
            series.append(bar)
        self._finish(title, series, [labels[i] for i in order], max(values, default=0),
                     legend=False)

    def _finish(self, title: str, series: QHorizontalStackedBarSeries,
                categories: list[str], highest: int, legend: bool) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.addSeries(series)
        axis_categories = QBarCategoryAxis()
        axis_categories.append(categories)
        axis_values = QValueAxis()
        axis_values.setLabelFormat("%d")
        chart.addAxis(axis_categories, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_categories)
        series.attachAxis(axis_values)
        axis_values.setRange(0, max(highest * 1.1, 1))
        axis_values.applyNiceNumbers()
        chart.legend().setVisible(legend)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        series.clicked.connect(lambda index, bar: self._clicked(series, index, bar))
        self.setChart(chart)

    def _clicked(self, series: QHorizontalStackedBarSeries, index: int,
                 bar: QBarSet) -> None:
        row = self.set_order[series.barSets().index(bar)]
        column = self.category_order[index]
        if row < len(self._cells) and column < len(self._cells[row]):
            self.bar_clicked.emit(self._cells[row][column])


class HeatTable(QTableWidget):
    """Rows (sections, lines of enquiry) by grade: each cell the share of graded answers,
    shaded by it; clicking a cell emits it as a FigureCell."""

    cell_chosen = Signal(object)

    def __init__(self, accessible_name: str) -> None:
        super().__init__(0, len(GRADE_NAMES) + 1)
        self.setHorizontalHeaderLabels(["n", *(SHORT.get(n, n) for n in GRADE_NAMES)])
        self.setAccessibleName(accessible_name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.cellClicked.connect(self._clicked)
        self.cellActivated.connect(self._clicked)

    def fill(self, rows: list[tuple[GradeTally, tuple[str, str] | str | None]]) -> None:
        """One row per tally, with the tally's section (or line of enquiry) for FigureCell."""
        self.setRowCount(len(rows))
        self.setVerticalHeaderLabels([tally.label for tally, _ in rows])
        for row, (tally, section) in enumerate(rows):
            count = QTableWidgetItem(str(tally.graded))
            count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.setItem(row, 0, count)
            for column, (grade, name) in enumerate(zip(GRADES_BEST_FIRST, GRADE_NAMES,
                                                       strict=True), start=1):
                value = tally.counts[name]
                item = QTableWidgetItem(_share(value, tally.graded))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setToolTip(f"{value} of {tally.graded} graded")
                colour = QColor(GRADE_COLOURS[grade])
                colour.setAlpha(int(30 + 200 * value / tally.graded) if tally.graded else 0)
                item.setBackground(QBrush(colour))
                shown = blended(colour, self.palette().color(QPalette.ColorRole.Base))
                item.setForeground(readable_on(shown))
                item.setData(CELL_ROLE, FigureCell(grade=name, section=section))
                self.setItem(row, column, item)

    def _clicked(self, row: int, column: int) -> None:
        item = self.item(row, column)
        cell = item.data(CELL_ROLE) if item is not None else None
        if cell is not None:
            self.cell_chosen.emit(cell)


class AuditsBehindDialog(QDialog):
    """The audits behind a bar or a cell; double-click or Enter opens one."""

    open_audit_requested = Signal(int)

    def __init__(self, db: Database, reader: Actor, title: str, audit_ids: list[int],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} – {len(audit_ids)} audits")
        fit_to_screen(self, 1000, 480)
        self.model = AuditTableModel()
        self.model.set_rows(list_audits(db, reader, audit_ids) if audit_ids else [])
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName("Audits behind the figure")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.activated.connect(
            lambda index: self.open_audit_requested.emit(int(index.siblingAtColumn(0)
                                                             .data(ID_ROLE))))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{title}</b>: {len(audit_ids)} audits"))
        layout.addWidget(table)


class DashboardWindow(QMainWindow):
    """The dashboard for a chosen period and team."""

    figures_shown = Signal()
    open_audit_requested = Signal(int)

    def __init__(self, db: Database, reader: Actor, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.db = db
        #: Whose dashboard it is: a moderator's leaves out the audits awaiting their blind
        #: grades, so that no figure or drill-down gives a grade away.
        self.reader = reader
        self.today = today or date.today()
        self.figures: PeriodFigures | None = None
        self.setWindowTitle("Dashboard – auditapp")
        fit_to_screen(self, 1280, 760)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._filters())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        layout.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._overview(), "&Grades")
        self.tabs.addTab(self._sections(), "&Sections and lines of enquiry")
        self.tabs.addTab(self._moderation(), "&Moderation")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.refresh()

    # --- layout ------------------------------------------------------------------------------

    def _filters(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        start = default_start(self.today)
        self.date_from = self._date("&From:", QDate(start.year, start.month, start.day), bar)
        self.date_to = self._date(
            "&To:", QDate(self.today.year, self.today.month, self.today.day), bar)
        label = QLabel("T&eam:")
        self.team = QComboBox()
        self.team.addItems([ANY, *list_teams(self.db)])
        self.team.setAccessibleName("Team")
        label.setBuddy(self.team)
        bar.addWidget(label)
        bar.addWidget(self.team)
        self.refresh_button = QPushButton("S&how")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        return bar

    @staticmethod
    def _date(text: str, value: QDate, bar: QHBoxLayout) -> QDateEdit:
        label = QLabel(text)
        edit = date_edit(text.replace("&", "").rstrip(":"), value)
        label.setBuddy(edit)
        bar.addWidget(label)
        bar.addWidget(edit)
        return edit

    def _overview(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.distribution = GradeChart("Overall grade distribution")
        self.trend = GradeChart("Grades by quarter")
        self.teams_chart = GradeChart("Grades by team")
        self.actions_chart = GradeChart("Actions")
        grid.addWidget(self.distribution, 0, 0)
        grid.addWidget(self.trend, 0, 1)
        grid.addWidget(self.teams_chart, 1, 0)
        grid.addWidget(self.actions_chart, 1, 1)
        for chart in (self.distribution, self.trend, self.teams_chart):
            chart.bar_clicked.connect(self.show_audits_behind)
        return page

    def _sections(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.section_heat = HeatTable("Section grades")
        self.kloe_heat = HeatTable("Grades by key line of enquiry")
        for heat, title in ((self.section_heat, "Section grades (share of graded sections)"),
                            (self.kloe_heat, "By key line of enquiry")):
            heat.cell_chosen.connect(self.show_audits_behind)
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(heat, 1)
            layout.addLayout(column, 3 if heat is self.section_heat else 2)
        return page

    def _moderation(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.agreement_text = QLabel()
        self.agreement_text.setWordWrap(True)
        self.agreement_text.setAccessibleName("Moderation agreement")
        layout.addWidget(self.agreement_text)
        row = QHBoxLayout()
        self.agreement_chart = GradeChart("Moderation agreement")
        row.addWidget(self.agreement_chart, 1)
        self.section_table = QTableWidget(0, 4)
        self.section_table.setHorizontalHeaderLabels(["Section", "Moderated", "Exact",
                                                      "Weighted kappa"])
        self.section_table.setAccessibleName("Agreement by section")
        self.section_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.section_table.verticalHeader().hide()
        self.section_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.auditor_table = QTableWidget(0, 5)
        self.auditor_table.setHorizontalHeaderLabels(
            ["Auditor", "Moderated", "Exact", "Within one", "Moderated lower"])
        self.auditor_table.setAccessibleName("Agreement by auditor")
        self.auditor_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.auditor_table.verticalHeader().hide()
        self.auditor_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        column = QVBoxLayout()
        column.addWidget(QLabel("<b>By section</b>"))
        column.addWidget(self.section_table, 2)
        column.addWidget(QLabel("<b>By auditor</b> (for supervision; never in the board pack)"))
        column.addWidget(self.auditor_table, 1)
        row.addLayout(column, 1)
        layout.addLayout(row, 1)
        return page

    # --- figures -----------------------------------------------------------------------------

    def scope(self) -> ReportScope:
        """The period and team chosen."""
        team = self.team.currentText()
        return ReportScope(picked_date(self.date_from), picked_date(self.date_to),
                           None if team == ANY else team, reader=self.reader)

    def refresh(self) -> None:
        """Read the figures for the chosen period and team in the background."""
        scope = self.scope()
        self.refresh_button.setEnabled(False)
        self.summary.setText("Reading the figures…")
        start_job(self, lambda: period_figures(self.db, scope, self.today),
                  on_finished=self._show, on_failed=self._failed)

    def _failed(self, message: str) -> None:
        self.refresh_button.setEnabled(True)
        self.summary.setText(f"The figures could not be read: {message}")

    def _show(self, period: PeriodFigures) -> None:
        self.refresh_button.setEnabled(True)
        self.figures = period
        overall = period.overall
        self.summary.setText(
            f"<b>{overall.total}</b> audits submitted or later in {period.scope.describe()}; "
            f"<b>{_share(overall.good_or_better, overall.graded)}</b> Good or better "
            f"({overall.good_or_better} of {overall.graded} graded).")
        self.distribution.show_distribution("Overall grades", overall)
        self.trend.show_stacked("Grades by quarter", period.quarters,
                                [FigureCell(quarter=date.fromisoformat(q.key))
                                 for q in period.quarters])
        self.teams_chart.show_stacked("Grades by team", period.teams,
                                      [FigureCell(team=t.key) for t in period.teams])
        actions = period.actions
        self.actions_chart.show_counts(
            f"Actions raised (overdue as at {day_text(actions.as_at)})",
            ["Done", "Open", "Overdue", "Cancelled"],
            [actions.done, actions.open_not_due, actions.overdue, actions.cancelled],
            ["#2e8b57", "#1f5fa8", "#c0392b", "#95a5a6"])
        self.section_heat.fill([(s, (s.template_key, s.section_key)) for s in period.sections])
        self.kloe_heat.fill([(k, k.key) for k in lines_of_enquiry(period.sections)])
        self._show_agreement(period.agreement)
        self.figures_shown.emit()

    def _show_agreement(self, figures: AgreementFigures) -> None:
        overall = figures.overall
        kappa = "–" if overall.kappa is None else f"{overall.kappa:.2f}"
        self.agreement_text.setText(
            f"<b>{figures.moderated}</b> of {figures.audits} audits moderated "
            f"({_share(figures.moderated, figures.audits)}). Exact agreement "
            f"<b>{_share(overall.exact, overall.pairs)}</b>, within one grade "
            f"{_share(overall.within_one, overall.pairs)}, weighted kappa <b>{kappa}</b>; "
            f"moderators raised {overall.raised} grades and lowered {overall.lowered}.")
        self.agreement_chart.show_counts(
            "Moderated audits", ["Same grade", "One grade apart", "Further apart"],
            [overall.exact, overall.within_one - overall.exact,
             overall.pairs - overall.within_one], ["#2e8b57", "#d68910", "#c0392b"])
        self.section_table.setRowCount(len(figures.sections))
        for row, section in enumerate(figures.sections):
            value = section.agreement
            kappa_text = "–" if value.kappa is None else f"{value.kappa:.2f}"
            for column, text in enumerate((f"{section.section_key} {section.title}",
                                           str(value.pairs), _share(value.exact, value.pairs),
                                           kappa_text)):
                self.section_table.setItem(row, column, QTableWidgetItem(text))
        self.auditor_table.setRowCount(len(figures.auditors))
        for row, auditor in enumerate(figures.auditors):
            value = auditor.agreement
            for column, text in enumerate((auditor.auditor, str(value.pairs),
                                           _share(value.exact, value.pairs),
                                           _share(value.within_one, value.pairs),
                                           str(value.lowered))):
                self.auditor_table.setItem(row, column, QTableWidgetItem(text))

    # --- drilling down ---------------------------------------------------------------------

    def show_audits_behind(self, cell: FigureCell) -> AuditsBehindDialog:
        """List the audits a bar or a cell counts."""
        ids = audits_behind(self.db, self.scope(), cell)
        parts = [p for p in (cell.team, cell.quarter and f"quarter from {day_text(cell.quarter)}",
                             cell.section if isinstance(cell.section, str)
                             else cell.section and " ".join(cell.section), cell.grade) if p]
        dialog = AuditsBehindDialog(self.db, self.reader, " · ".join(parts) or "All audits",
                                    ids, self)
        dialog.open_audit_requested.connect(self.open_audit_requested)
        dialog.show()
        return dialog
