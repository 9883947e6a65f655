"""The main window: My work (what it opens on), the audit list with search and filters, and
the way into everything.

The window can be built before the database is open (the everyday start, see
:mod:`auditapp.ui.shell.start`): it shows the first screenful of My work read without
SQLAlchemy, and :meth:`MainWindow.attach` gives it the database once the full open is done.
So this module imports no service at load time; each is imported where it is used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED
from auditapp.rules.permissions import Actor, Permission, refusal
from auditapp.services.my_work import MyWork
from auditapp.ui.dialogs.export_kinds import ExportKind
from auditapp.ui.shell.my_work import MyWorkView
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import NO_DATE, optional_date, optional_date_edit
from auditapp.ui.widgets.keys import EnterOpens, let_shortcuts_through, standard_shortcuts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.style import STATUS_LABELS
from auditapp.ui.widgets.table_models import ID_ROLE, AuditFilter, AuditFilterProxy, AuditTableModel
from auditapp.ui.widgets.workers import Job, start_job, start_job_with_progress

# The windows and dialogs the main window opens are imported when first opened, not with
# the main window: they (and the spreadsheet, PDF and cryptography packages behind some of
# them) would otherwise be loaded before the first window is shown
# (tests/ui/shell/test_startup_imports.py guards this).
if TYPE_CHECKING:
    from auditapp.services.audits.editing import AuditListRow
    from auditapp.services.templates import TemplateInfo
    from auditapp.storage.engine import Database
    from auditapp.ui.dialogs.bundles import BundleExportDialog, BundleImportDialog
    from auditapp.ui.dialogs.export import ExportDialog
    from auditapp.ui.editor.window import AuditEditorWindow
    from auditapp.ui.shell.encryption_flow import PassphraseChange
    from auditapp.ui.windows.actions_tracker import ActionsTrackerWindow
    from auditapp.ui.windows.board_reports import BoardReportsWindow
    from auditapp.ui.windows.dashboard import DashboardWindow
    from auditapp.ui.windows.moderation import ModerateAuditWindow, ModerationWindow
    from auditapp.ui.windows.programme import ProgrammeWindow
    from auditapp.ui.windows.template_library import TemplateLibraryWindow


class _Tool(Protocol):
    """A window the main window keeps one of, shown again and read again on request."""

    def reload(self) -> None: ...
    def setWindowFlag(self, flag: Qt.WindowType, on: bool = True) -> None: ...  # noqa: N802
    def show(self) -> None: ...
    def raise_(self) -> None: ...
    def activateWindow(self) -> None: ...  # noqa: N802


_ToolWindow = TypeVar("_ToolWindow", bound=_Tool)

ANY = "Any"
TEMPLATE_COLUMN = 1
TEAM_COLUMN = 2
TEAM_SAMPLE = "Unaccompanied Young People"  # a long team name the team column fits
#: My work is read again this long after the last save reported (saves come in bursts).
WORK_REFRESH_MS = 1000
EMPTY_TEXT = (
    "<h2>No audits yet</h2>"
    "<p>Start one with <b>New audit</b> (Ctrl+N), bring in your sample of cases with "
    "<b>File › Import cases</b> (Ctrl+I), or try things out with "
    "<b>File › Load demo data</b>.</p>")


#: Audits shown first, newest first: more than a screenful, read in a time that does not
#: grow with the database, so that the window is usable at once; every audit follows.
FIRST_ROWS = 200


class _SearchBox(QLineEdit):
    """The audit list's search box: Down goes into the list (Enter is returnPressed)."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down and not event.modifiers():
            self.down_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _AuditTable(QTableView):
    """The audit list, whose team and template columns share the room the others leave."""

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.share_room()

    def share_room(self) -> None:
        """Give the room the other columns leave to the team and template columns: the team
        as much as its longest usual name needs (up to half), the template the rest (elided
        in the middle, so its version stays), so that nothing scrolls sideways."""
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c not in (TEAM_COLUMN, TEMPLATE_COLUMN) and not self.isColumnHidden(c))
        room = max(self.viewport().width() - others, 2 * header.minimumSectionSize())
        if self.isColumnHidden(TEMPLATE_COLUMN):
            header.resizeSection(TEAM_COLUMN, room)
            return
        team = min(self.fontMetrics().horizontalAdvance(TEAM_SAMPLE) + 28, room // 2)
        header.resizeSection(TEAM_COLUMN, team)
        header.resizeSection(TEMPLATE_COLUMN, room - team)


class MainWindow(QMainWindow):
    """My work, and every audit, searchable and filterable; Enter opens a row."""

    #: The newest audits are shown and the window is usable (every audit is still loading).
    first_audits_shown = Signal()
    #: Every audit is in the list.
    audits_loaded = Signal()
    #: The database is open and given to the window (:meth:`attach`).
    attached = Signal()
    db: Database

    def __init__(self, db: Database | None, actor: Actor, *, location: str = "",
                 work: MyWork | None = None) -> None:
        """A window on ``db``; or, with ``db`` None, a window showing ``work`` (My work's
        first screenful) for the database at ``location``, waiting for :meth:`attach`."""
        super().__init__()
        self.actor = actor
        self._location = db.location if db is not None else location
        self._when_attached: list[Callable[[], object]] = []
        self.editors: dict[int, AuditEditorWindow] = {}
        self._templates: dict[int, TemplateInfo] = {}
        self._job: Job | None = None
        self._loads = 0  # which reload the rows arriving belong to
        self.loading = False
        self._library: TemplateLibraryWindow | None = None
        self._programme: ProgrammeWindow | None = None
        self._tracker: ActionsTrackerWindow | None = None
        self._reports: BoardReportsWindow | None = None
        #: Set when the user asked to encrypt the database or change its passphrase: the app
        #: closes its windows and opens the database again (see ui.shell.application.run_app).
        self.passphrase_change: PassphraseChange | None = None
        self.setWindowTitle("auditapp")
        self.model = AuditTableModel()
        self.proxy = AuditFilterProxy()
        self.proxy.setSourceModel(self.model)
        self._work_timer = QTimer(self)  # My work is read again once saves settle
        self._work_timer.setSingleShot(True)
        self._work_timer.setInterval(WORK_REFRESH_MS)
        self._build()
        self._connect()
        self._work_timer.timeout.connect(self.my_work.reload)
        self._restore_geometry()
        self.my_work.setFocus()
        if db is not None:
            self.attach(db)
        elif work is not None:
            self.my_work.show_work(work)
            self.count_label.setText("Opening the database…")

    def attach(self, db: Database) -> None:
        """Use ``db`` from now on: allow what the profile may do, read My work and the audit
        list, and do what was asked of the window before (an audit opened from My work)."""
        self.db = db
        self.my_work.attach(db)
        self._allow_actions()
        self.reload()
        self.attached.emit()
        for call in self._when_attached:
            call()
        self._when_attached.clear()

    def _once_attached(self, call: Callable[[], object]) -> None:
        """Do ``call`` now if the database is open, else as soon as it is."""
        if hasattr(self, "db"):
            call()
        else:
            self.statusBar().showMessage("Opening the database…", 5000)
            self._when_attached.append(call)

    # --- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.my_work = MyWorkView(None, self.actor)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.my_work, "&My work")
        self.tabs.addTab(self._audit_list(), "All &audits")
        self.tabs.setTabToolTip(0, "What is waiting for you (Ctrl+1)")
        self.tabs.setTabToolTip(1, "Every audit, to search and filter (Ctrl+2)")
        self.setCentralWidget(self.tabs)
        self._build_actions()
        self.count_label = QLabel()
        self.statusBar().addWidget(self.count_label, 1)
        self.statusBar().addPermanentWidget(
            QLabel(f"{self.actor.name} ({self.actor.role.value}) · {self._location}"))

    def _audit_list(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(self._filter_bar())
        self.table = _AuditTable()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Audits")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps a template's version
        self._size_columns()
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("No audits yet")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.table)
        self.pages.addWidget(self.empty)
        layout.addWidget(self.pages, 1)
        return page

    def _size_columns(self) -> None:
        """Widths from typical content in the current font (measuring 10,000 rows is slow);
        the team and template columns share the room left over (:meth:`_AuditTable.share_room`)."""
        metrics = self.table.fontMetrics()
        samples = ("DEMO-00000 (UASC)", "", "", "Fatima Hussain",
                   "30 Sep 2026", "Moderated", "Requires improvement (moderated)xx", "65/65")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, sample in enumerate(samples):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 28)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)

    def _fit_template_column(self) -> None:
        """Show the template column only when the rows shown use more than one template
        version (the count in the status bar names the one they all use)."""
        # From the plain rows, not through the proxy's indexes: asking Qt for each cell of
        # 50,000 rows held the UI thread for seconds once the whole list was in.
        criteria = self.proxy.criteria
        shown = {self.model.display(row, TEMPLATE_COLUMN) for row in self.model.rows()
                 if criteria.accepts(row)}
        several = len(shown) > 1
        self.table.setColumnHidden(TEMPLATE_COLUMN, not several)
        self.table.share_room()

    def _filter_bar(self) -> QVBoxLayout:
        """Search on the first row, filters on the second, so both fit a small laptop."""
        rows = QVBoxLayout()
        top = QHBoxLayout()
        self.search = _SearchBox()
        self.search.setPlaceholderText("Search case, auditor, team, template (Ctrl+F); "
                                       "Down goes to the list, Enter opens")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search audits")
        top.addWidget(self.search, 1)
        self.clear_filters = QPushButton("C&lear filters")
        self.clear_filters.setAccessibleName("Clear every filter")
        top.addWidget(self.clear_filters)
        bar = QHBoxLayout()
        self.status_filter = self._combo("Status", [ANY, *STATUS_LABELS.values()], bar)
        self.team_filter = self._combo("Team", [ANY], bar)
        self.template_filter = self._combo("Template", [ANY], bar)
        self.grade_filter = self._combo(
            "Grade", [ANY, *(g.label for g in GRADES_BEST_FIRST), NOT_GRADED], bar)
        self.date_from = self._date("From", bar)
        self.date_to = self._date("To", bar)
        bar.addStretch(1)
        rows.addLayout(top)
        rows.addLayout(bar)
        return rows

    def _combo(self, name: str, items: list[str], bar: QHBoxLayout) -> QComboBox:
        label = QLabel(f"{name}:")
        combo = QComboBox()
        combo.addItems(items)
        combo.setAccessibleName(f"Filter by {name.lower()}")
        combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(min(max(len(i) for i in items), 12))
        label.setBuddy(combo)
        bar.addWidget(label)
        bar.addWidget(combo)
        return combo

    def _date(self, name: str, bar: QHBoxLayout) -> QDateEdit:
        label = QLabel(f"{name}:")
        edit = optional_date_edit(f"Audit date {name.lower()}", ANY)
        label.setBuddy(edit)
        bar.addWidget(label)
        bar.addWidget(edit)
        return edit

    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], Any],
                   shortcut: str | QKeySequence.StandardKey | None = None) -> QAction:
            item = QAction(text, self)
            if isinstance(shortcut, QKeySequence.StandardKey):
                item.setShortcuts(standard_shortcuts(shortcut))
            elif shortcut is not None:
                item.setShortcut(QKeySequence(shortcut))
            item.triggered.connect(slot)
            return item

        self.new_action = action("&New audit…", self.new_audit, QKeySequence.StandardKey.New)
        self.open_action = action("&Open audit", self.open_selected)
        self.import_action = action("&Import cases…", self.import_cases, "Ctrl+I")
        self.demo_action = action("Load &demo data…", self.load_demo)
        self.refresh_action = action("&Refresh", self.reload, QKeySequence.StandardKey.Refresh)
        self.find_action = action("&Find", self.go_to_search, QKeySequence.StandardKey.Find)
        self.my_work_action = action("&My work", lambda: self.show_tab(0), "Ctrl+1")
        self.list_action = action("&All audits", lambda: self.show_tab(1), "Ctrl+2")
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.library_action = action("&Template library…", self.show_template_library,
                                     "Ctrl+T")
        self.actions_action = action("&Actions tracker…", self.show_actions_tracker,
                                     "Ctrl+Shift+A")
        self.profiles_action = action("&Profiles…", self.show_profiles)
        self.settings_action = action("&Settings…", self.show_settings)
        self.dashboard_action = action("&Dashboard…", self.show_dashboard, "Ctrl+D")
        self.moderation_action = action("&Moderation…", self.show_moderation, "Ctrl+M")
        self.reports_action = action("&Board reports…", self.show_board_reports,
                                     "Ctrl+Shift+B")
        self.programme_action = action("Audit p&rogramme…", self.show_programme,
                                       "Ctrl+Shift+P")
        self.export_excel_action = action("Export findings to &Excel…",
                                          lambda: self.export(ExportKind.WORKBOOK), "Ctrl+E")
        self.board_pack_action = action("&Board pack (PDF)…",
                                        lambda: self.export(ExportKind.BOARD_PACK))
        self.feedback_action = action("Audit &feedback (PDF)…", self.export_feedback)
        self.passphrase_action = action("En&crypt database…", self.request_passphrase_change)
        self.bundle_export_action = action("E&xport audits to a bundle…", self.export_bundle)
        self.bundle_import_action = action("Import a b&undle…", self.import_bundle)
        self.where_action = action("Where is my &data?", self._show_data_location)
        self.keys_action = action("&Keyboard shortcuts", self._show_shortcuts,
                                  QKeySequence.StandardKey.HelpContents)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        for item in (self.new_action, self.open_action, self.import_action,
                     self.dashboard_action, self.actions_action, self.refresh_action):
            toolbar.addAction(item)
        file_menu = self.menuBar().addMenu("&File")
        for item in (self.new_action, self.open_action, self.import_action, self.demo_action):
            file_menu.addAction(item)
        file_menu.addSeparator()
        for item in (self.export_excel_action, self.board_pack_action, self.feedback_action):
            file_menu.addAction(item)
        file_menu.addSeparator()
        file_menu.addAction(self.passphrase_action)
        file_menu.addAction(self.bundle_export_action)
        file_menu.addAction(self.bundle_import_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        work_menu = self.menuBar().addMenu("&Work")
        work_menu.addAction(self.dashboard_action)
        work_menu.addAction(self.moderation_action)
        work_menu.addAction(self.actions_action)
        work_menu.addAction(self.reports_action)
        work_menu.addAction(self.programme_action)
        work_menu.addAction(self.library_action)
        work_menu.addAction(self.profiles_action)
        work_menu.addAction(self.settings_action)
        for menu in (file_menu, work_menu):
            menu.setToolTipsVisible(True)  # a disabled entry says why
        #: What needs the database, disabled until it is open; each with what it needs the
        #: profile to be allowed, if anything.
        self._database_actions: dict[QAction, Permission | None] = {
            self.new_action: Permission.START_AUDIT, self.open_action: None,
            self.import_action: Permission.IMPORT_CASES, self.demo_action: Permission.LOAD_DEMO,
            self.refresh_action: None, self.library_action: None, self.actions_action: None,
            self.profiles_action: None, self.settings_action: Permission.CHANGE_SETTINGS,
            self.dashboard_action: None, self.moderation_action: Permission.MODERATE,
            self.reports_action: Permission.PREPARE_REPORTS, self.programme_action: None,
            self.export_excel_action: None, self.board_pack_action: None,
            self.feedback_action: None, self.passphrase_action: Permission.CHANGE_SETTINGS,
            self.bundle_export_action: Permission.EXPORT_BUNDLES,
            self.bundle_import_action: Permission.IMPORT_BUNDLES}
        for item in self._database_actions:
            item.setEnabled(False)
        view_menu = self.menuBar().addMenu("&View")
        for item in (self.my_work_action, self.list_action, self.refresh_action,
                     self.find_action):
            view_menu.addAction(item)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.keys_action)
        help_menu.addAction(self.where_action)

    def _allow_actions(self) -> None:
        """Once the database is open: enable what the profile may do; disable the rest with
        a tooltip saying why (the services refuse it anyway)."""
        for item, permission in self._database_actions.items():
            reason = refusal(self.actor, permission) if permission is not None else None
            item.setEnabled(reason is None)
            if permission is not None:
                item.setToolTip(reason or item.text().replace("&", "").rstrip("…"))
        if getattr(self.db, "passphrase", None) is not None:
            self.passphrase_action.setText("Change &passphrase…")
        if self.db.path is None:  # a server database is protected by its server
            self.passphrase_action.setEnabled(False)
            self.passphrase_action.setToolTip("A database on a server is encrypted and "
                                              "backed up by its server.")

    def _connect(self) -> None:
        self.search.textChanged.connect(self._apply_filters)
        self.search.returnPressed.connect(self._open_from_search)
        self.search.down_pressed.connect(self._go_to_list)
        for field in (self.search, self.date_from, self.date_to):
            let_shortcuts_through(field)
        for combo in (self.status_filter, self.team_filter, self.template_filter,
                      self.grade_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._apply_filters)
        self.clear_filters.clicked.connect(self._clear_filters)
        self.table.activated.connect(self._open_index)  # double-click or Enter
        EnterOpens(self.table).chosen.connect(self._open_index)  # Enter, on every platform
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.tabs.currentChanged.connect(self._on_tab)
        self.my_work.open_audit_requested.connect(
            lambda audit, question: self._once_attached(
                lambda: self._open_at_question(audit, question)))
        self.my_work.moderate_requested.connect(
            lambda audit: self._once_attached(lambda: self.moderate(audit)))

    def show_tab(self, index: int) -> None:
        """Show My work (0) or every audit (1), with the keyboard in it."""
        self.tabs.setCurrentIndex(index)
        (self.my_work if index == 0 else self._list_focus()).setFocus()

    def _list_focus(self) -> QWidget:
        return self.table if self.pages.currentWidget() is self.table else self.search

    def _on_tab(self, index: int) -> None:
        if index == 0:
            self.my_work.reload()
        self._update_count()

    def go_to_search(self) -> None:
        """Ctrl+F: the search box of the audit list."""
        self.tabs.setCurrentIndex(1)
        self.search.setFocus()
        self.search.selectAll()

    def _go_to_list(self) -> None:
        """Down in the search box: into the list, on its first row (or the one selected)."""
        if self.pages.currentWidget() is not self.table or not self.proxy.rowCount():
            return
        if not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self.table.setFocus()

    def _open_from_search(self) -> None:
        """Enter in the search box: open the one audit found; with more, go to the list."""
        if self.proxy.rowCount() == 1:
            self._open_index(self.proxy.index(0, 0))
        else:
            self._go_to_list()

    # --- loading the list ------------------------------------------------------------------

    def reload(self) -> None:
        """Load My work, then the audit list: the newest audits first, then all, in the
        background. My work comes first as it is the page the window opens on (read side by
        side, the two competed for the one Python interpreter). Rows of an earlier reload
        that arrive late are dropped."""
        self._loads += 1
        self.loading = True
        self.count_label.setText("Loading audits…")
        load = self._loads
        self.my_work.reload(then=lambda: self._load(FIRST_ROWS, self._on_first_rows)
                            if load == self._loads else None)

    def _load(self, limit: int | None, then: Callable[[list[AuditListRow]], None]) -> None:
        from auditapp.services.audits.editing import list_audits

        load = self._loads
        start_job(self, lambda: list_audits(self.db, self.actor, limit=limit),
                  on_finished=lambda rows: then(rows) if load == self._loads else None,
                  on_failed=lambda m: alerts.warn(self, "Audits not loaded", m))

    def _on_first_rows(self, rows: list[AuditListRow]) -> None:
        if len(rows) < FIRST_ROWS:  # that is every audit
            self._on_loaded(rows)
            return
        self.model.set_rows(rows)
        self.pages.setCurrentWidget(self.table)
        self._fit_template_column()
        self._update_count()
        self.first_audits_shown.emit()
        self._load(None, self._on_loaded)

    def _on_loaded(self, rows: list[AuditListRow]) -> None:
        self.loading = False
        self.model.set_rows(rows)
        if not rows:  # demo data may go into an empty database, whoever sets it up
            self.demo_action.setEnabled(True)
        self._fill_choices(self.team_filter, sorted({r.team for r in rows if r.team}))
        self._fill_choices(self.template_filter, sorted({r.template_key for r in rows}))
        self.pages.setCurrentWidget(self.table if rows else self.empty)
        self._apply_filters()
        self.audits_loaded.emit()

    @staticmethod
    def _fill_choices(combo: QComboBox, values: list[str]) -> None:
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([ANY, *values])
        combo.setCurrentIndex(max(combo.findText(current), 0))
        combo.blockSignals(False)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{total} audits" if shown == total else f"Showing {shown} of {total} audits"
        if self.table.isColumnHidden(TEMPLATE_COLUMN) and shown:
            text += f", all on {self.proxy.index(0, TEMPLATE_COLUMN).data()}"
        if self.loading:
            text = f"{text.replace(' audits', ' newest audits', 1)}; loading the rest…"
        self.count_label.setText(text)

    def refresh_audit(self, audit_id: int) -> None:
        """Show an audit's latest state in the list and in My work (after a save)."""
        from auditapp.services.audits.editing import list_audits

        self._work_timer.start()
        rows = list_audits(self.db, self.actor, [audit_id])
        current = self.model.rows()
        for index, row in enumerate(current):
            if row.id == audit_id and rows:
                current[index] = rows[0]
                self.model.dataChanged.emit(self.model.index(index, 0),
                                            self.model.index(index, self.model.columnCount() - 1))
                return
        self.reload()

    # --- filters ---------------------------------------------------------------------------

    def current_filter(self) -> AuditFilter:
        """The filters as the user set them."""
        statuses = {k for k, v in STATUS_LABELS.items() if v == self.status_filter.currentText()}
        grade_text = self.grade_filter.currentText()
        grade = next((int(g) for g in GRADES_BEST_FIRST if g.label == grade_text),
                     0 if grade_text == NOT_GRADED else None)
        return AuditFilter(
            text=self.search.text().strip(), statuses=statuses,
            team="" if self.team_filter.currentText() == ANY else self.team_filter.currentText(),
            template_key="" if self.template_filter.currentText() == ANY
            else self.template_filter.currentText(),
            grade=grade, date_from=optional_date(self.date_from),
            date_to=optional_date(self.date_to))

    def _apply_filters(self) -> None:
        self.proxy.set_criteria(self.current_filter())
        self._fit_template_column()
        self._update_count()

    def _clear_filters(self) -> None:
        self.search.clear()
        for combo in (self.status_filter, self.team_filter, self.template_filter,
                      self.grade_filter):
            combo.setCurrentIndex(0)
        for edit in (self.date_from, self.date_to):
            edit.setDate(NO_DATE)

    # --- opening and creating audits --------------------------------------------------------

    def open_selected(self) -> None:
        """Open the selected audit."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._open_index(rows[0])

    def _open_index(self, index: QModelIndex) -> None:
        self.open_audit(int(index.siblingAtColumn(0).data(ID_ROLE)))

    def open_audit(self, audit_id: int) -> AuditEditorWindow:
        """Show an audit's editor, opening it if need be."""
        from auditapp.services.audits.editing import load_audit
        from auditapp.ui.editor.window import AuditEditorWindow

        editor = self.editors.get(audit_id)
        if editor is None:
            row = next((r for r in self.model.rows() if r.id == audit_id), None)
            template = None
            if row is not None:
                template = next((t for t in self._templates.values()
                                 if t.key == row.template_key
                                 and t.version == row.template_version), None)
            document = load_audit(self.db, audit_id, self.actor, template)
            self._templates.setdefault(document.template.id, document.template)
            editor = AuditEditorWindow(self.db, document, self.actor)
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.audit_changed.connect(self.refresh_audit)
            editor.closed.connect(lambda i: self.editors.pop(i, None))
            editor.export_requested.connect(lambda i: self.export(ExportKind.FEEDBACK, i))
            self.editors[audit_id] = editor
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def new_audit(self) -> None:
        """Ask for a case and a template, start the audit and open it."""
        from auditapp.services.audits.editing import create_audit, list_audits
        from auditapp.services.cases import list_cases, start_audit_for_new_case
        from auditapp.services.template_list import list_templates
        from auditapp.ui.dialogs.new_audit import NewAuditDialog

        dialog = NewAuditDialog(list_cases(self.db), list_templates(self.db,
                                                                    include_retired=False),
                                self.actor.name, self)
        if not dialog.exec() or dialog.request is None:
            return
        request = dialog.request
        try:
            if request.case_id is not None:
                audit_id = create_audit(self.db, request.case_id, request.template_id,
                                        request.auditor, request.audit_date, self.actor)
            else:
                assert request.new_case is not None
                audit_id = start_audit_for_new_case(self.db, request.new_case,
                                                    request.template_id, request.auditor,
                                                    request.audit_date, self.actor)
        except UserError as exc:
            alerts.warn(self, "Audit not started", str(exc))
            return
        self.model.set_rows(list_audits(self.db, self.actor, [audit_id]) + self.model.rows())
        self.pages.setCurrentWidget(self.table)
        self._apply_filters()
        self.my_work.reload()
        self.open_audit(audit_id)

    # --- long jobs ---------------------------------------------------------------------------

    def run_with_progress(self, title: str, work: Callable[[], Iterator[tuple[int, int]]],
                          on_done: Callable[[], None]) -> None:
        """Run a progress generator off the UI thread behind a progress dialog with Cancel."""
        self._job = start_job_with_progress(self, title, work, lambda _result: on_done(),
                                            f"{title} failed")

    def load_demo(self) -> None:
        """Add synthetic demo audits, after saying what they are."""
        from auditapp.services.demo import generate_demo

        if not alerts.ask(self, "Load demo data",
                          "Add 300 invented audits (case references start with DEMO-) to "
                          "this database? Use demo data for training and trying things out, "
                          "not in a database of real audits.", yes="Load demo data"):
            return
        self.run_with_progress("Loading demo data",
                               lambda: generate_demo(self.db, 300, self.actor,
                                                     seed=date.today().toordinal()),
                               self.reload)

    def import_cases(self) -> None:
        """Import a sample of cases from a spreadsheet, as draft audits."""
        from auditapp.services.template_list import list_templates
        from auditapp.ui.dialogs.import_cases import ImportCasesDialog

        dialog = ImportCasesDialog(self.db, list_templates(self.db, include_retired=False),
                                   self.actor, self)
        dialog.exec()
        if dialog.imported:
            self.reload()

    def show_moderation(self) -> ModerationWindow:
        """Open the moderation queue (moderators and practice leads)."""
        from auditapp.ui.windows.moderation import ModerationWindow

        window = ModerationWindow(self.db, self.actor, self)
        window.setWindowFlag(Qt.WindowType.Window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.audit_moderated.connect(self.refresh_audit)
        window.queue_changed.connect(self.my_work.reload)
        window.show()
        return window

    def moderate(self, audit_id: int) -> ModerateAuditWindow | None:
        """Moderate one audit (from My work)."""
        from auditapp.ui.windows.moderation import ModerateAuditWindow

        try:
            window = ModerateAuditWindow(self.db, audit_id, self.actor, self)
        except UserError as exc:
            alerts.warn(self, "Cannot moderate this audit", str(exc))
            return None
        window.setWindowFlag(Qt.WindowType.Window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.moderated.connect(self.refresh_audit)
        window.blind_recorded.connect(lambda _id: self.my_work.reload())
        window.show()
        return window

    def show_dashboard(self) -> DashboardWindow:
        """Open a dashboard window."""
        from auditapp.ui.windows.dashboard import DashboardWindow

        dashboard = DashboardWindow(self.db, self.actor, self)
        dashboard.setWindowFlag(Qt.WindowType.Window)
        dashboard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dashboard.open_audit_requested.connect(self.open_audit)
        dashboard.show()
        return dashboard

    def _present(self, window: _ToolWindow | None, make: Callable[[], _ToolWindow]
                 ) -> _ToolWindow:
        """A tool window in front: made on first use (a window of its own), else read again."""
        if window is None:
            window = make()
            window.setWindowFlag(Qt.WindowType.Window)
        else:
            window.reload()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def show_actions_tracker(self) -> ActionsTrackerWindow:
        """Open (or raise) the actions tracker."""
        from auditapp.ui.windows.actions_tracker import ActionsTrackerWindow

        def make() -> ActionsTrackerWindow:
            tracker = ActionsTrackerWindow(self.db, self.actor, self)
            tracker.open_audit_requested.connect(self._open_at_question)
            return tracker

        self._tracker = self._present(self._tracker, make)
        return self._tracker

    def show_board_reports(self) -> BoardReportsWindow:
        """Open (or raise) the board reports (practice leads)."""
        from auditapp.ui.windows.board_reports import BoardReportsWindow

        self._reports = self._present(
            self._reports, lambda: BoardReportsWindow(self.db, self.actor, self))
        return self._reports

    def _open_at_question(self, audit_id: int, question_id: int | None) -> None:
        editor = self.open_audit(audit_id)
        if question_id is not None:
            editor.go_to_question(question_id)

    def show_programme(self) -> ProgrammeWindow:
        """Open (or raise) the audit programme, read again."""
        from auditapp.ui.windows.programme import ProgrammeWindow

        self._programme = self._present(
            self._programme, lambda: ProgrammeWindow(self.db, self.actor, self))
        return self._programme

    def show_template_library(self) -> TemplateLibraryWindow:
        """Open (or raise) the template library, with its counts read again."""
        from auditapp.ui.windows.template_library import TemplateLibraryWindow

        self._library = self._present(
            self._library, lambda: TemplateLibraryWindow(self.db, self.actor, self))
        return self._library

    # --- help --------------------------------------------------------------------------------

    def _show_data_location(self) -> None:
        alerts.inform(self, "Where is my data?",
                      f"Your audits are in:\n{self._location}\n\nBack it up only to "
                      "encrypted storage approved by your council.")

    def _show_shortcuts(self) -> None:
        alerts.inform(self, "Keyboard shortcuts", SHORTCUTS)

    def export(self, kind: ExportKind, audit_id: int | None = None) -> ExportDialog:
        """Open an export dialog (it runs the export in the background)."""
        from auditapp.ui.dialogs.export import ExportDialog

        name = None
        if audit_id is not None:
            row = next((r for r in self.model.rows() if r.id == audit_id), None)
            name = f"feedback-{row.case_reference if row else audit_id}.pdf"
        dialog = ExportDialog(self.db, kind, self.actor, self, audit_id=audit_id,
                              suggested_name=name)
        dialog.setModal(False)
        dialog.show()
        return dialog

    def export_bundle(self) -> BundleExportDialog:
        """Write audits to a bundle for another laptop."""
        from auditapp.ui.dialogs.bundles import BundleExportDialog

        dialog = BundleExportDialog(self.db, self.actor, self)
        dialog.show()
        return dialog

    def import_bundle(self) -> BundleImportDialog:
        """Merge a bundle from another laptop; the list is reloaded when it is done."""
        return self.open_bundle(None)

    def open_bundle(self, path: Path | None) -> BundleImportDialog:
        """The import dialog, on ``path`` when given (a bundle opened from the file manager:
        ``auditapp FILE.auditbundle``). Nothing is read until the user says so: an encrypted
        bundle needs its passphrase first, and a bundle opened by mistake can be closed."""
        from auditapp.ui.dialogs.bundles import BundleImportDialog

        dialog = BundleImportDialog(self.db, self.actor, self, path=path)
        dialog.finished.connect(lambda _code: self.reload())
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def export_feedback(self) -> None:
        """The feedback PDF of the selected audit."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            alerts.inform(self, "Audit feedback", "Select an audit in the list first.")
            return
        self.export(ExportKind.FEEDBACK, int(rows[0].siblingAtColumn(0).data(ID_ROLE)))

    def request_passphrase_change(self) -> None:
        """Ask for a new passphrase, then close so that the database can be re-encrypted."""
        old = getattr(self.db, "passphrase", None)
        what = "change the passphrase" if old else "encrypt the database"
        if not alerts.ask(self, "Passphrase", f"To {what}, auditapp saves everything, closes "
                          "its windows, does it, and opens the database again.",
                          yes="Go on"):
            return
        from auditapp.ui.dialogs.passphrase import ask_new_passphrase

        new = ask_new_passphrase(self)
        if new is None:
            return
        from auditapp.ui.shell.encryption_flow import PassphraseChange

        self.passphrase_change = PassphraseChange(new, old)
        if not self.close():
            self.passphrase_change = None
            return
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QApplication.exit(0)

    def hide_all_for_lock(self) -> list[QWidget]:
        """Save every open audit and hide every window; returns those to show again."""
        for editor in self.editors.values():
            editor.autosaver.flush()
        for report in self._reports.editors.values() if self._reports else ():
            report.autosaver.flush()
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for widget in shown:
            widget.hide()
        return shown

    def show_settings(self) -> None:
        """The council's name and the idle lock (a practice lead's)."""
        from auditapp.ui.dialogs.settings import SettingsDialog

        SettingsDialog(self.db, self.actor, self).exec()

    def show_profiles(self) -> None:
        """Manage the local profiles (a practice lead's job)."""
        from auditapp.ui.dialogs.profiles import ProfilesDialog

        ProfilesDialog(self.db, self.actor, self).exec()

    # --- window state ------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            fit_to_screen(self, 1280, 720)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        for editor in list(self.editors.values()):
            if not editor.close():
                event.ignore()
                return
        if self._reports is not None and not self._reports.close():
            event.ignore()
            return
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        event.accept()


SHORTCUTS = """Main window
  Ctrl+1  my work · Ctrl+2  all audits · Enter  open the row
  Ctrl+N  new audit · Ctrl+F  search (Down: to the list; Enter: open)
  Ctrl+I  import cases · Ctrl+E  export to Excel · Ctrl+Shift+A  actions
  Ctrl+D  dashboard · Ctrl+M  moderation · Ctrl+T  template library
  Ctrl+Shift+B  board reports (in them: Ctrl+N  new report · Enter  open · Esc  close)
  Ctrl+Shift+P  audit programme (Ctrl+N add, Delete remove, Enter edit, Ctrl+Z undo)
  F5  refresh · Ctrl+Q  quit

Audit editor
  1-9  choose an answer for the focused question · 0 or Delete  clear it
  Up / Down  previous / next question · Enter  write evidence · G  guidance
  A  raise an action on the question · U  use the suggested grade
  Tab  next control · Ctrl+PgUp / Ctrl+PgDown  previous / next section
  Ctrl+Z  undo an answer or grade · Ctrl+Shift+Z  redo
  Ctrl+Shift+S  check and submit · Ctrl+W  close (everything is already saved)

Date fields
  type the date (each part moves on when full) · Ctrl+Left / Ctrl+Right  day, month, year
  Up / Down  change the part · Tab  next field"""
