"""The template library: browse templates and versions, preview them, see who uses them,
import from YAML or Excel, export to Excel, retire a version."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError, ValidationError
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.rules.sections import applies_only_to
from auditapp.services.audits.editing import list_audits
from auditapp.services.template_list import TemplateRow, list_templates
from auditapp.services.templates import (
    TemplateInfo,
    export_template_workbook,
    import_template_file,
    set_template_retired,
    template_info,
)
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.table_models import AuditTableModel

TEMPLATE_FILES = "Templates (*.yaml *.yml *.xlsx);;YAML (*.yaml *.yml);;Excel workbooks (*.xlsx)"


def template_html(info: TemplateInfo) -> str:
    """A readable preview of a template version."""
    parts = [f"<h2>{escape(info.title)} <small>v{info.version}</small></h2>",
             f"<p>{escape(info.description)}</p>",
             f"<p><i>Section suggested Good at {info.grading['good']:g} % of the available "
             f"score, Requires improvement at {info.grading['requires_improvement']:g} %."
             "</i></p>"]
    for section in info.sections:
        notes = ["limiting judgement"] if section.limiting else []
        if section.applies_when:
            notes.append(f"only for {applies_only_to(section.applies_when)}")
        parts.append(f"<h3>{escape(section.key)} {escape(section.title)}"
                     + (f" <small>({', '.join(notes)})</small>" if notes else "") + "</h3>")
        if section.tags:
            parts.append(f"<p><small>{escape(', '.join(section.tags))}</small></p>")
        parts.append("<ol>")
        for question in section.questions:
            answers = " / ".join(escape(o["label"]) for o in question.scale)
            critical = " <b style='color:#c0392b'>critical</b>" if question.critical else ""
            parts.append(f"<li><b>{escape(question.key)}</b> {escape(question.text)}{critical}"
                         f"<br><small>{answers}"
                         + (f" · {escape(', '.join(question.tags))}" if question.tags else "")
                         + f"</small><br><i>{escape(question.guidance)}</i></li>")
        parts.append("</ol>")
    return "\n".join(parts)


class TemplateLibraryWindow(QMainWindow):
    """Templates and their versions."""

    templates_changed = Signal()

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle("Template library – auditapp")
        fit_to_screen(self, 1100, 700)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Template", "Questions", "Audits", "State"])
        self.tree.setAccessibleName("Templates and versions")
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        for column in (1, 2, 3):
            self.tree.header().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setWordWrap(True)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Template preview")
        self.audits = AuditTableModel()
        self.audit_table = QTableView()
        self.audit_table.setModel(self.audits)
        self.audit_table.setAccessibleName("Audits using this version")
        self.audit_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.audit_table.verticalHeader().hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.preview, "&Preview")
        self.tabs.addTab(self.audit_table, "&Audits using this version")
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.tabs)
        splitter.setSizes([self.fontMetrics().horizontalAdvance('x' * 60), 700])
        self.import_button = QPushButton("&Import template…")
        self.export_button = QPushButton("&Export to Excel…")
        self.retire_button = QPushButton("&Retire version")
        self.status = QLabel()
        buttons = QHBoxLayout()
        for button in (self.import_button, self.export_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self.tree.currentItemChanged.connect(self._show_selected)
        self.import_button.clicked.connect(self.import_template)
        self.export_button.clicked.connect(self.export_selected)
        self.retire_button.clicked.connect(self.toggle_retired)
        self.reload()

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.WindowActivate and self.tree.topLevelItemCount():
            self.reload()  # audits may have been started or imported since
        return super().event(event)

    def reload(self, select_id: int | None = None) -> None:
        """Refill the tree, keeping (or moving to) a selected version."""
        current = select_id if select_id is not None else self.selected_id()
        self.tree.clear()
        by_key: dict[str, QTreeWidgetItem] = {}
        for row in list_templates(self.db):
            parent = by_key.get(row.key)
            if parent is None:
                parent = QTreeWidgetItem([row.title, "", "", ""])
                parent.setToolTip(0, f"{row.title} ({row.key})")
                by_key[row.key] = parent
                self.tree.addTopLevelItem(parent)
                parent.setExpanded(True)
            item = QTreeWidgetItem([f"Version {row.version}", str(row.questions),
                                    str(row.audits), "retired" if row.retired else "in use"])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            parent.addChild(item)
            if row.id == current or current is None:
                self.tree.setCurrentItem(item)
                current = row.id
        self._show_selected()

    def selected_row(self) -> TemplateRow | None:
        """The selected version's row, if a version is selected."""
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_id(self) -> int | None:
        """The selected version's id, if any."""
        row = self.selected_row()
        return row.id if row is not None else None

    def _show_selected(self) -> None:
        row = self.selected_row()
        may_change = allowed(self.actor, Permission.IMPORT_TEMPLATES)
        self.import_button.setEnabled(may_change)
        self.export_button.setEnabled(row is not None)
        self.retire_button.setEnabled(row is not None and may_change)
        if row is None:
            self.preview.clear()
            self.audits.set_rows([])
            return
        self.retire_button.setText("&Restore version" if row.retired else "&Retire version")
        self.preview.setHtml(template_html(template_info(self.db, row.id)))
        audits = list_audits(self.db, self.actor, template_id=row.id)  # as they are now
        self.audits.set_rows(audits)
        self.tabs.setTabText(1, f"&Audits using this version ({len(audits)})")

    def import_template(self, path: Path | None = None) -> None:
        """Import a YAML or Excel template; problems are listed with their line or cell."""
        path = path or alerts.pick_open_path(self, "Import a template", TEMPLATE_FILES)
        if path is None:
            return
        try:
            result = import_template_file(self.db, path, self.actor)
        except ValidationError as exc:
            alerts.warn(self, "Template not imported",
                        f"{exc.summary}. Nothing was imported; correct the file and try again.",
                        "\n".join(exc.problems))
            return
        except UserError as exc:
            alerts.warn(self, "Template not imported", str(exc))
            return
        self.status.setText(f"{path.name}: " + (
            f"imported as version {result.version}" if result.created
            else f"unchanged (already version {result.version})"))
        match = next((r for r in list_templates(self.db)
                      if r.key == result.key and r.version == result.version), None)
        self.reload(match.id if match else None)
        self.templates_changed.emit()

    def export_selected(self, path: Path | None = None) -> None:
        """Write the selected version to an Excel workbook."""
        row = self.selected_row()
        if row is None:
            return
        path = path or alerts.pick_save_path(self, "Export template to Excel",
                                             f"{row.key}-v{row.version}.xlsx",
                                             "Excel workbooks (*.xlsx)")
        if path is None:
            return
        try:
            export_template_workbook(self.db, row.id, path)
        except OSError as exc:
            alerts.warn(self, "Not exported", f"{path} could not be written: {exc.strerror}")
            return
        self.status.setText(f"Exported to {path}")

    def toggle_retired(self) -> None:
        """Retire the selected version (or restore it), after asking."""
        row = self.selected_row()
        if row is None:
            return
        if not row.retired and not alerts.ask(
                self, "Retire version",
                f"Retire {row.title} version {row.version}? New audits cannot use it; the "
                f"{row.audits} audits already started on it keep it.", yes="Retire"):
            return
        try:
            set_template_retired(self.db, row.id, not row.retired, self.actor)
        except UserError as exc:
            alerts.warn(self, "Not changed", str(exc))
            return
        self.reload(row.id)
        self.templates_changed.emit()
