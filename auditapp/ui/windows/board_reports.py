"""Board reports: the list of reports prepared in the app (title, period, scope, status), to
start a new one or open one in its editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditapp.rules.permissions import Actor
from auditapp.services.reporting.board_reports import ReportRow, list_reports, read_report
from auditapp.storage.engine import Database
from auditapp.ui.widgets.keys import EnterOpens, standard_shortcuts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.windows.report_editor import ReportEditorWindow

COLUMNS = ("Title", "Period", "Scope", "Marking", "Status")
ID_ROLE = Qt.ItemDataRole.UserRole


class BoardReportsWindow(QMainWindow):
    """Every board report, newest first."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.editors: dict[int, ReportEditorWindow] = {}
        self.setWindowTitle("Board reports")
        self.reports = QTreeWidget()
        self.reports.setHeaderLabels(list(COLUMNS))
        self.reports.setRootIsDecorated(False)
        self.reports.setAccessibleName("Board reports")
        self.reports.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.about = QLabel("Reports to the board, prepared here: write the words beside a live "
                            "preview, release, and produce the PDF or the Word edition. Enter "
                            "opens a report; a released one opens read-only.")
        self.about.setWordWrap(True)
        self.empty = QLabel("No board reports yet. Start one with New report (Ctrl+N).")
        self.new_button = QPushButton("&New report\u2026")
        self.new_button.setAccessibleName("Start a new board report")
        self.open_button = QPushButton("&Open")
        self.open_button.setAccessibleName("Open the selected board report")
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the board reports")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.about)
        layout.addWidget(self.empty)
        layout.addWidget(self.reports, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        for first, second in ((self.reports, self.new_button),
                              (self.new_button, self.open_button),
                              (self.open_button, self.close_button)):
            QWidget.setTabOrder(first, second)
        new = QAction("New report", self)
        new.setShortcuts(standard_shortcuts(QKeySequence.StandardKey.New))
        new.triggered.connect(self.new_report)
        close = QAction("Close", self)
        close.setShortcuts([*standard_shortcuts(QKeySequence.StandardKey.Close),
                            QKeySequence(Qt.Key.Key_Escape)])
        close.triggered.connect(self.close)
        self.addActions([new, close])
        self.new_button.clicked.connect(self.new_report)
        self.open_button.clicked.connect(self.open_selected)
        self.close_button.clicked.connect(self.close)
        self.reports.itemActivated.connect(lambda item, _column: self.open_report(
            int(item.data(0, ID_ROLE))))
        EnterOpens(self.reports).chosen.connect(lambda _index: self.open_selected())
        self.reload()
        fit_to_screen(self, 900, 480)

    def reload(self, select: int | None = None) -> None:
        """Read the list again, keeping (or moving to) a selected report."""
        current = self.reports.currentItem()
        select = select if select is not None else (
            int(current.data(0, ID_ROLE)) if current is not None else None)
        self.reports.clear()
        rows = list_reports(self.db, self.actor)
        for row in rows:
            item = QTreeWidgetItem(list(_cells(row)))
            item.setData(0, ID_ROLE, row.id)
            item.setToolTip(0, row.settings.title)
            self.reports.addTopLevelItem(item)
            if row.id == select:
                self.reports.setCurrentItem(item)
        first = self.reports.topLevelItem(0)
        if first is not None and self.reports.currentItem() is None:
            self.reports.setCurrentItem(first)
        for column in range(len(COLUMNS)):
            self.reports.resizeColumnToContents(column)
        self.reports.setColumnWidth(0, min(self.reports.columnWidth(0), 360))
        self.empty.setVisible(not rows)
        self.open_button.setEnabled(bool(rows))

    def new_report(self) -> ReportEditorWindow | None:
        """Ask for the settings of a new report, start it and open it."""
        from auditapp.ui.dialogs.new_report import NewReportDialog

        dialog = NewReportDialog(self.db, self.actor, self)
        if not dialog.exec() or dialog.started is None:
            return None
        self.reload(select=dialog.started.id)
        return self.open_report(dialog.started.id)

    def open_selected(self) -> None:
        """Open the selected report."""
        item = self.reports.currentItem()
        if item is not None:
            self.open_report(int(item.data(0, ID_ROLE)))

    def open_report(self, report_id: int) -> ReportEditorWindow:
        """Show a report's editor, opening it if need be."""
        editor = self.editors.get(report_id)
        if editor is None:
            editor = ReportEditorWindow(self.db, read_report(self.db, report_id, self.actor),
                                        self.actor, self)
            editor.setWindowFlag(Qt.WindowType.Window)
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.report_changed.connect(lambda i: self.reload(select=i))
            editor.closed.connect(lambda i: self.editors.pop(i, None))
            self.editors[report_id] = editor
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for editor in list(self.editors.values()):
            if not editor.close():
                event.ignore()
                return
        event.accept()


def _cells(row: ReportRow) -> tuple[str, ...]:
    settings = row.settings
    return (settings.title, settings.scope.period_text(), settings.scope_text(),
            settings.marking, row.status)
