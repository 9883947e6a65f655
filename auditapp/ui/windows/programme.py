"""The audit programme window (Work › Audit programme, Ctrl+Shift+P): the planned lines with
the audits completed so far; a practice lead adds, edits and removes lines, undoes the last
changes (Ctrl+Z) and imports a sheet in the background with progress and cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.limits import PLANNED_AUDITS_MAX
from auditapp.rules.permissions import Actor, Permission, allowed, refusal
from auditapp.rules.wording import day_text
from auditapp.services.programme import (
    PlannedLine,
    ProgrammeRow,
    list_programme,
    remove_planned,
    set_planned,
)
from auditapp.services.programme_import import ProgrammeImportResult, import_programme_steps
from auditapp.services.reporting.figures import list_teams
from auditapp.services.template_list import list_templates
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.keys import EnterOpens, standard_shortcuts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.table_models import Index, RowTableModel
from auditapp.ui.widgets.workers import Job, start_job

SHEETS = "Spreadsheets (*.xlsx *.csv)"


class ProgrammeTableModel(RowTableModel[ProgrammeRow]):
    """The programme's lines."""

    HEADERS = ("From", "To", "Team", "Template", "Planned", "Completed so far")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (day_text(row.date_from), day_text(row.date_to), row.team, row.template_key,
                str(row.planned), str(row.completed))[index.column()]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class LineDialog(QDialog):
    """One line of the programme: its period, team, template and audits planned."""

    def __init__(self, teams: list[str], templates: list[tuple[str, str]],
                 line: PlannedLine | None, parent: QWidget | None = None,
                 like: PlannedLine | None = None) -> None:
        """``line``: the line edited (None: a new one); ``like``: a line whose period and
        template a new one starts from (the selected one), so that a quarter's lines are
        entered one team after another."""
        super().__init__(parent)
        self.setWindowTitle("Edit a planned line" if line else "Plan audits")
        form = QFormLayout(self)
        start = line or like
        self.date_from = date_edit("Period start", _qdate(start.date_from) if start else None)
        self.date_to = date_edit("Period end", _qdate(start.date_to) if start else None)
        self.team = QComboBox()
        self.team.setEditable(True)
        self.team.addItems(teams)
        self.team.setCurrentText(line.team if line else "")
        self.team.setAccessibleName("Team")
        self.template = QComboBox()
        for key, title in templates:
            self.template.addItem(f"{key} \u2013 {title}", key)
        if start is not None:
            self.template.setCurrentIndex(max(0, self.template.findData(start.template_key)))
        self.template.setAccessibleName("Template")
        self.planned = QSpinBox()
        self.planned.setRange(0, PLANNED_AUDITS_MAX)
        self.planned.setValue(line.planned if line else 0)
        self.planned.setAccessibleName("Audits planned")
        form.addRow("Period &start:", self.date_from)
        form.addRow("Period &end:", self.date_to)
        form.addRow("&Team:", self.team)
        form.addRow("Temp&late:", self.template)
        form.addRow("Audits &planned:", self.planned)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def line(self) -> PlannedLine:
        """The line as entered (the service checks it)."""
        return PlannedLine(picked_date(self.date_from), picked_date(self.date_to),
                           self.team.currentText().strip(), str(self.template.currentData()),
                           self.planned.value())


@dataclass(frozen=True)
class _Change:
    """A change made in this window: the line before (None: added) and after (None:
    removed), so that it can be undone."""

    before: PlannedLine | None
    after: PlannedLine | None


class ProgrammeWindow(QMainWindow):
    """The audit programme."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.undo_stack: list[_Change] = []
        self.job: Job | None = None
        self.setWindowTitle("Audit programme – auditapp")
        fit_to_screen(self, 900, 560)
        self.model = ProgrammeTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Planned lines")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.edit_line())
        EnterOpens(self.table).chosen.connect(lambda _index: self.edit_line())
        self.add_button = QPushButton("&Add…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.undo_button = QPushButton("&Undo")
        self.import_button = QPushButton("&Import a sheet…")
        self.cancel_button = QPushButton("&Cancel import")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName("Problems found in the sheet")
        self.problems.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)
        self._layout()
        self._connect()
        self._set_running(False)
        self.reload()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button,
                       self.undo_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        intro = QLabel("Audits each team plans per period with each template. The board "
                       "pack reports the audits completed against them.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addWidget(self.problems)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        self.add_button.clicked.connect(self.add_line)
        self.edit_button.clicked.connect(self.edit_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.undo_button.clicked.connect(self.undo)
        self.import_button.clicked.connect(self.import_sheet)
        self.cancel_button.clicked.connect(self.cancel_import)
        for text, slot, keys in (
                ("Add", self.add_line, standard_shortcuts(QKeySequence.StandardKey.New)),
                ("Remove", self.remove_line, [QKeySequence(Qt.Key.Key_Delete)]),
                ("Undo", self.undo, standard_shortcuts(QKeySequence.StandardKey.Undo)),
                ("Close", self.close, standard_shortcuts(QKeySequence.StandardKey.Close))):
            action = QAction(text, self)
            action.setShortcuts(keys)
            action.triggered.connect(slot)
            self.addAction(action)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        may = allowed(self.actor, Permission.PLAN_AUDITS)
        why = "" if may else refusal(self.actor, Permission.PLAN_AUDITS) or ""
        for button in (self.add_button, self.edit_button, self.remove_button,
                       self.undo_button, self.import_button):
            button.setToolTip(why)

    # --- reading --------------------------------------------------------------------------

    def reload(self, select: PlannedLine | None = None) -> None:
        """Read the programme again, selecting ``select`` (by its key) when given."""
        self.model.set_rows(list_programme(self.db, as_at=date.today()))
        keys = [r.line.key for r in self.model.rows()]
        if select is not None and select.key in keys:
            self.table.selectRow(keys.index(select.key))
        elif keys:
            self.table.selectRow(0)
        self._enable()

    def selected(self) -> PlannedLine | None:
        """The selected line, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()).line if rows else None

    def _enable(self) -> None:
        may = allowed(self.actor, Permission.PLAN_AUDITS) and self.job is None
        chosen = self.selected() is not None
        self.add_button.setEnabled(may)
        self.import_button.setEnabled(may)
        self.edit_button.setEnabled(may and chosen)
        self.remove_button.setEnabled(may and chosen)
        self.undo_button.setEnabled(may and bool(self.undo_stack))

    # --- changes --------------------------------------------------------------------------

    def _dialog(self, line: PlannedLine | None) -> PlannedLine | None:
        templates = sorted({(t.key, t.title) for t in list_templates(self.db) if not t.retired})
        dialog = LineDialog(list_teams(self.db), templates, line, self,
                            like=self.selected() if line is None else None)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            entered = dialog.line()
            try:
                set_planned(self.db, entered, self.actor, replacing=line)
            except UserError as exc:
                alerts.warn(self, "Not saved", str(exc))
                continue
            return entered
        return None

    def add_line(self) -> None:
        """Plan audits: a new line, or a new count for the line with the same key."""
        if not self.add_button.isEnabled():
            return
        known = {r.line.key: r.line for r in self.model.rows()}
        entered = self._dialog(None)
        if entered is not None:
            before = known.get(entered.key)
            self._record(_Change(before, entered), f"Planned {entered.planned} for "
                                                   f"{entered.team}.")

    def edit_line(self) -> None:
        """Change the selected line."""
        line = self.selected()
        if line is None or not self.edit_button.isEnabled():
            return
        entered = self._dialog(line)
        if entered is not None:
            self._record(_Change(line, entered), f"Changed the line of {entered.team}.")

    def remove_line(self) -> None:
        """Remove the selected line (Ctrl+Z brings it back)."""
        line = self.selected()
        if line is None or not self.remove_button.isEnabled():
            return
        try:
            remove_planned(self.db, line, self.actor)
        except UserError as exc:
            alerts.warn(self, "Not removed", str(exc))
            self.reload()
            return
        self._record(_Change(line, None), f"Removed the line of {line.team} "
                                          "(Ctrl+Z brings it back).")

    def _record(self, change: _Change, said: str) -> None:
        self.undo_stack.append(change)
        self.status.setText(said)
        self.reload(select=change.after or change.before)

    def undo(self) -> None:
        """Undo the last change made in this window."""
        if not self.undo_stack or not self.undo_button.isEnabled():
            return
        change = self.undo_stack[-1]
        try:
            if change.before is None and change.after is not None:
                remove_planned(self.db, change.after, self.actor)
            elif change.before is not None:
                set_planned(self.db, change.before, self.actor, replacing=change.after)
        except UserError as exc:
            alerts.warn(self, "Cannot undo", f"{exc} (the programme changed meanwhile).")
            self.undo_stack.clear()
            self.reload()
            return
        self.undo_stack.pop()
        self.status.setText("Undone.")
        self.reload(select=change.before)

    # --- importing ------------------------------------------------------------------------

    def import_sheet(self) -> None:
        """Pick a sheet and import it in the background."""
        if not self.import_button.isEnabled():
            return
        path = alerts.pick_open_path(self, "Import an audit programme", SHEETS)
        if path is not None:
            self.start_import(path)

    def start_import(self, path: Path) -> None:
        """Import ``path`` off the UI thread, all lines or none."""
        self.problems.clear()
        self.status.setText(f"Reading {path.name}…")
        self.progress.setRange(0, 0)
        self.job = start_job(self, lambda: import_programme_steps(self.db, path, self.actor),
                             on_finished=self._imported, on_failed=self._failed,
                             on_progress=self._progress, on_cancelled=self._cancelled)
        self._set_running(True)

    def cancel_import(self) -> None:
        """Stop the import: nothing is imported."""
        if self.job is not None:
            self.job.cancel()

    def _progress(self, done: int, _total: int) -> None:
        self.status.setText(f"Read {done:,} rows…")

    def _imported(self, result: ProgrammeImportResult) -> None:
        self._set_running(False)
        self.undo_stack.clear()  # lines an import replaced are not kept to bring back
        self.status.setText(f"Imported {result.lines} lines: {result.added} added, "
                            f"{result.replaced} replaced. (An import is not undone with "
                            "Ctrl+Z.)")
        self.reload()

    def _failed(self, message: str) -> None:
        self._set_running(False)
        first, _, rest = message.partition("\n")
        self.status.setText(first)
        self.problems.setPlainText("\n".join(line.strip() for line in rest.splitlines()))
        self.problems.setVisible(bool(rest))

    def _cancelled(self) -> None:
        self._set_running(False)
        self.status.setText("Import cancelled: nothing was imported.")

    def _set_running(self, running: bool) -> None:
        if not running:
            self.job = None
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.problems.setVisible(bool(self.problems.toPlainText()))
        self._enable()
