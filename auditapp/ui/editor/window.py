"""The audit editor: one window per open audit.

Left, the section navigator with each section's progress and grade; right, the page for
the chosen section (its questions and its grade), the overall judgement, or the actions.
Every change is autosaved by :class:`AutoSaver`; answers and grades can be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.grades import grade_label
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.services.audits.editing import (
    AuditDocument,
    SavedGrades,
    SubmissionProblem,
    add_action,
    delete_action,
    load_audit,
    submission_problems,
    submit_audit,
    update_action,
    with_changes,
)
from auditapp.services.history import HistoryRow, audit_history, write_history_csv
from auditapp.services.templates import SectionInfo
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import ActionDialog
from auditapp.ui.editor.autosave import AutoSaver
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.grades import GradeBadge, GradeCombo
from auditapp.ui.widgets.style import STATUS_LABELS, grade_colour
from auditapp.ui.widgets.table_models import ID_ROLE, ActionTableModel

KEYBOARD_HINT = ("Keyboard: 1-{last} answer the focused question · 0 clears · ↑ ↓ move · "
                 "Enter writes evidence · G shows guidance · Ctrl+Z undoes")
OVERALL_PAGE = "overall"
ACTIONS_PAGE = "actions"
HISTORY_PAGE = "history"
NARRATIVE_LABELS = {"strengths": "&Strengths",
                    "areas_for_development": "Areas for &development",
                    "young_person_voice": "The young person's &voice"}


# --- undoable changes -----------------------------------------------------------------------


class SetValueCommand(QUndoCommand):
    """An undoable change to one answer or grade: ``apply`` shows a value and queues it for
    saving, so redo applies the new value and undo the old one."""

    def __init__(self, text: str, apply: Callable[[Any], None], old: object,
                 new: object) -> None:
        super().__init__(text)
        self.apply, self.old, self.new = apply, old, new

    def redo(self) -> None:  # noqa: D102 - Qt override
        self.apply(self.new)

    def undo(self) -> None:  # noqa: D102 - Qt override
        self.apply(self.old)


# --- pages --------------------------------------------------------------------------------


def _text_box(name: str, lines: int = 4) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter focuses ``buddy`` (a row that is a layout needs one)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _heading(text: str, detail: str = "") -> QLabel:
    label = QLabel(f"<h2 style='margin:0'>{text}</h2>"
                   + (f"<p style='margin-top:4px'>{detail}</p>" if detail else ""))
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class SectionPage(QWidget):
    """A section's questions, then the grade the auditor gives it."""

    def __init__(self, section: SectionInfo, editor: AuditEditorWindow) -> None:
        super().__init__()
        self.section = section
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        column = QVBoxLayout(body)
        flags = " · limiting judgement" if section.limiting else ""
        column.addWidget(_heading(f"{section.key} {section.title}",
                                  section.description + (f"<i>{flags}</i>" if flags else "")))
        keys = QLabel(KEYBOARD_HINT.format(last=len(section.questions[0].scale)))
        keys.setWordWrap(True)
        keys.setStyleSheet("color: palette(shadow);")
        column.addWidget(keys)
        self.cards: list[QuestionCard] = []
        for question in section.questions:
            card = QuestionCard(question)
            card.response_requested.connect(editor.request_response)
            card.evidence_edited.connect(editor.record_evidence)
            card.move_requested.connect(lambda step, c=card: self.move_from(c, step))
            self.cards.append(card)
            column.addWidget(card)
        column.addWidget(self._grade_box(editor))
        column.addStretch(1)
        self.scroll.setWidget(body)
        layout.addWidget(self.scroll)

    def _grade_box(self, editor: AuditEditorWindow) -> QFrame:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(box)
        self.suggested = GradeBadge()
        self.suggested.setAccessibleName(f"Suggested grade for section {self.section.key}")
        form.addRow("Suggested grade:", self.suggested)
        self.grade = GradeCombo(f"Your grade for section {self.section.key}")
        self.grade.activated.connect(
            lambda _i: editor.request_section_grade(self.section.id, self.grade.grade()))
        use = QPushButton("&Use suggested grade")
        use.setAccessibleName(f"Use the suggested grade for section {self.section.key}")
        use.clicked.connect(lambda: editor.request_section_grade(
            self.section.id, editor.section_suggestions.get(self.section.id)))
        self.use_button = use
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.grade, 1)
        grade_row.addWidget(use)
        form.addRow(_buddy_label("Your &grade:", self.grade), grade_row)
        self.comment = _text_box(f"Comment on the grade of section {self.section.key}", 2)
        self.comment.setPlaceholderText("Why this grade (needed when it differs from the "
                                        "suggestion)")
        self.comment.textChanged.connect(lambda: editor.record_section_comment(self.section.id))
        form.addRow("&Comment:", self.comment)
        return box

    def move_from(self, card: QuestionCard, step: int) -> None:
        """Focus the previous or next question."""
        index = self.cards.index(card) + step
        if 0 <= index < len(self.cards):
            self.cards[index].setFocus()
        elif index == len(self.cards):
            self.grade.setFocus()

    def card(self, question_id: int) -> QuestionCard | None:
        """The card of a question on this page."""
        return next((c for c in self.cards if c.question.id == question_id), None)

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control."""
        for card in self.cards:
            card.set_read_only(read_only)
        self.grade.setEnabled(not read_only)
        self.use_button.setEnabled(not read_only)
        self.comment.setReadOnly(read_only)


class OverallPage(QWidget):
    """The overall grade, its rationale, and the narrative of the audit."""

    def __init__(self, editor: AuditEditorWindow) -> None:
        super().__init__()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(_heading("Overall judgement",
                             "The suggestion follows from the section grades. Grade "
                             "differently when the evidence fits another grade best, and "
                             "say why."))
        self.suggested = GradeBadge()
        self.suggested.setAccessibleName("Suggested overall grade")
        form.addRow("Suggested grade:", self.suggested)
        self.grade = GradeCombo("Overall grade")
        self.grade.activated.connect(lambda _i: editor.request_overall_grade(self.grade.grade()))
        self.use_button = QPushButton("&Use suggested grade")
        self.use_button.setAccessibleName("Use the suggested overall grade")
        self.use_button.clicked.connect(
            lambda: editor.request_overall_grade(editor.overall_suggestion))
        row = QHBoxLayout()
        row.addWidget(self.grade, 1)
        row.addWidget(self.use_button)
        form.addRow(_buddy_label("Overall &grade:", self.grade), row)
        self.rationale = _text_box("Rationale for the overall grade", 3)
        self.rationale.setPlaceholderText("Needed when the overall grade differs from the "
                                          "suggestion")
        self.rationale.textChanged.connect(editor.record_rationale)
        form.addRow("&Rationale:", self.rationale)
        self.narrative: dict[str, QPlainTextEdit] = {}
        for field, label in NARRATIVE_LABELS.items():
            box = _text_box(label.replace("&", ""), 4)
            box.textChanged.connect(lambda f=field: editor.record_narrative(f))
            self.narrative[field] = box
            form.addRow(label + ":", box)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control."""
        self.grade.setEnabled(not read_only)
        self.use_button.setEnabled(not read_only)
        self.rationale.setReadOnly(read_only)
        for box in self.narrative.values():
            box.setReadOnly(read_only)


class ActionsPage(QWidget):
    """The actions raised by the audit."""

    def __init__(self, editor: AuditEditorWindow) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("Actions", "What must happen for the young person, who "
                                  "will do it and by when."))
        self.model = ActionTableModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Actions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _ix: editor.edit_action())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add action…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.add_button.clicked.connect(lambda: editor.add_action())
        self.edit_button.clicked.connect(editor.edit_action)
        self.remove_button.clicked.connect(editor.remove_action)
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def selected_id(self) -> int | None:
        """The id of the selected action, if any."""
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ID_ROLE)) if rows else None

    def set_read_only(self, read_only: bool) -> None:
        """Lock the buttons."""
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setEnabled(not read_only)


class HistoryPage(QWidget):
    """Every change to the audit: who, when, what, from and to."""

    def __init__(self, db: Database, audit_id: int) -> None:
        super().__init__()
        self.db = db
        self.audit_id = audit_id
        layout = QVBoxLayout(self)
        layout.addWidget(_heading("History", "Every change to this audit. Each entry is "
                                  "chained to the one before, so a change made outside "
                                  "auditapp shows up in <i>auditapp check</i>."))
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["When", "Who", "What", "From", "To"])
        self.table.setAccessibleName("Change history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.export_button = QPushButton("&Export history to CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.rows: list[HistoryRow] = []

    def set_read_only(self, _read_only: bool) -> None:
        """History is always read-only."""

    def reload(self) -> None:
        """Read the history again (it grows with every save)."""
        self.rows = audit_history(self.db, self.audit_id)
        self.table.setRowCount(len(self.rows))
        for number, entry in enumerate(reversed(self.rows)):
            local = entry.at.replace(tzinfo=UTC).astimezone()
            for column, text in enumerate((f"{local:%d %b %Y %H:%M:%S}", entry.actor,
                                           entry.what, entry.old_value or "",
                                           entry.new_value or "")):
                self.table.setItem(number, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def export(self, path: Path | None = None) -> None:
        """Write the history to a CSV file."""
        path = path or alerts.pick_save_path(self, "Export history", f"history-{self.audit_id}"
                                             ".csv", "CSV files (*.csv)")
        if path is None:
            return
        try:
            write_history_csv(self.rows, path)
        except UserError as exc:
            alerts.warn(self, "History not exported", str(exc))


# --- the window -------------------------------------------------------------------------


class AuditEditorWindow(QMainWindow):
    """Editing one audit."""

    audit_changed = Signal(int)  # saved, submitted or actions changed: lists should refresh
    closed = Signal(int)
    export_requested = Signal(int)  # the feedback PDF of this audit

    def __init__(self, db: Database, document: AuditDocument, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.document = document
        self.actor = actor
        self.template = document.template
        self.setWindowTitle(f"{document.case_reference} – {self.template.title} "
                            f"v{self.template.version} – auditapp")
        self._take_state(document)
        self.autosaver = AutoSaver(db, document.id, self.template, actor, self,
                                    revision=document.revision)
        self.undo_stack = QUndoStack(self)
        self.pages: dict[object, QWidget] = {}
        self._build()
        self._connect()
        self._refresh_navigator()
        self._show_read_only_state()
        self.navigator.setCurrentItem(self.navigator.topLevelItem(0))

    def _take_state(self, document: AuditDocument) -> None:
        """What the pages show, from a document."""
        self.document = document
        self.responses = {q: a.response for q, a in document.answers.items()}
        self.evidence = {q: a.evidence for q, a in document.answers.items()}
        self.section_grades = {s: j.grade for s, j in document.judgements.items()}
        self.section_suggestions = {s: j.suggested for s, j in document.judgements.items()}
        self.overall_grade = document.overall_grade
        self.overall_suggestion = document.suggested_grade

    @property
    def can_edit(self) -> bool:
        """A draft, and this user may edit it (their own, or any as a practice lead)."""
        return self.document.editable and allowed(self.actor, Permission.EDIT_DRAFT,
                                                  owner=self.document.auditor)

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.navigator = QTreeWidget()
        self.navigator.setHeaderLabels(["Section", "Done", "Grade"])
        self.navigator.setRootIsDecorated(False)
        self.navigator.setAccessibleName("Sections")
        self.navigator.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.navigator.header().setStretchLastSection(False)
        for column in (1, 2):
            self.navigator.header().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        for section in self.template.sections:
            if not self.document.applies(section.id):
                continue
            item = QTreeWidgetItem([f"{section.key} {section.title}", "", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, section.id)
            item.setToolTip(0, section.title)
            self.navigator.addTopLevelItem(item)
        for key, title in ((OVERALL_PAGE, "Overall judgement"), (ACTIONS_PAGE, "Actions"),
                           (HISTORY_PAGE, "History")):
            item = QTreeWidgetItem([title, "", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, key)
            self.navigator.addTopLevelItem(item)
        self.stack = QStackedWidget()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fdebd0; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._header())
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)
        splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.navigator.fontMetrics().horizontalAdvance('x' * 40), 900])
        self.setCentralWidget(splitter)
        self._build_toolbar()
        self.problems = QListWidget()
        self.problems.setAccessibleName("Problems to put right before submitting")
        self.problems.setWordWrap(True)
        self.problems_dock = QDockWidget("Before you can submit", self)
        self.problems_dock.setObjectName("problemsDock")
        self.problems_dock.setWidget(self.problems)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.hide()
        self.save_label = QLabel("All changes saved")
        self.statusBar().addPermanentWidget(self.save_label)
        self.resize(1200, 760)

    def _header(self) -> QLabel:
        d = self.document
        flags = ", unaccompanied asylum-seeking" if d.uasc else ""
        age = f", aged {d.age_at_audit}" if d.age_at_audit is not None else ""
        label = QLabel(
            f"<b>{d.case_reference}</b> · {d.category}{flags}{age} · {d.team or 'no team'} · "
            f"worker {d.worker or 'not recorded'} &nbsp;|&nbsp; audited by {d.auditor} on "
            f"{d.audit_date:%d %b %Y} · {STATUS_LABELS.get(d.status, d.status)}")
        label.setWordWrap(True)
        label.setAccessibleName("Audit details")
        return label

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Audit")
        toolbar.setObjectName("auditToolbar")
        self.addToolBar(toolbar)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.previous_action = QAction("&Previous section", self)
        self.previous_action.setShortcut(QKeySequence("Ctrl+PgUp"))
        self.next_action = QAction("&Next section", self)
        self.next_action.setShortcut(QKeySequence("Ctrl+PgDown"))
        self.submit_action = QAction("Check and &submit…", self)
        self.submit_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.close_action = QAction("&Close", self)
        self.close_action.setShortcut(QKeySequence.StandardKey.Close)
        self.feedback_action = QAction("Export &feedback PDF…", self)
        self.feedback_action.triggered.connect(self._request_feedback)
        self.reload_action = QAction("&Reload (keeping unsaved changes)", self)
        self.reload_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.reload_action.triggered.connect(self.reload_from_database)
        for action in (self.undo_action, self.redo_action, self.previous_action,
                       self.next_action, self.submit_action):
            toolbar.addAction(action)
        self.addAction(self.close_action)
        menu = self.menuBar().addMenu("&Audit")
        for action in (self.undo_action, self.redo_action, self.previous_action,
                       self.next_action, self.submit_action, self.feedback_action,
                       self.reload_action, self.close_action):
            menu.addAction(action)

    def _connect(self) -> None:
        self.navigator.currentItemChanged.connect(self._on_navigate)
        self.previous_action.triggered.connect(lambda: self._step_page(-1))
        self.next_action.triggered.connect(lambda: self._step_page(1))
        self.submit_action.triggered.connect(self.check_and_submit)
        self.close_action.triggered.connect(self.close)
        self.problems.itemActivated.connect(self._go_to_problem)
        self.problems.itemClicked.connect(self._go_to_problem)
        self.autosaver.saved.connect(self._on_saved)
        self.autosaver.save_failed.connect(self._on_save_failed)
        self.autosaver.saving.connect(lambda: self.save_label.setText("Saving…"))
        self.autosaver.conflicted.connect(self._on_conflict)

    # --- pages -----------------------------------------------------------------------------

    def page(self, key: object) -> QWidget:
        """The page for a section id, OVERALL_PAGE or ACTIONS_PAGE, built on first use."""
        if key not in self.pages:
            self.pages[key] = self._make_page(key)
            self.stack.addWidget(self.pages[key])
        return self.pages[key]

    def _make_page(self, key: object) -> QWidget:
        read_only = not self.can_edit
        if key == OVERALL_PAGE:
            overall = OverallPage(self)
            overall.suggested.set_grade(self.overall_suggestion)
            overall.grade.set_grade(self.overall_grade)
            texts = {overall.rationale: self.document.grade_rationale} | {
                box: getattr(self.document, field) for field, box in overall.narrative.items()}
            for box, text in texts.items():
                box.blockSignals(True)
                box.setPlainText(text)
                box.blockSignals(False)
            overall.set_read_only(read_only)
            return overall
        if key == HISTORY_PAGE:
            return HistoryPage(self.db, self.document.id)
        if key == ACTIONS_PAGE:
            actions = ActionsPage(self)
            actions.model.set_rows(list(self.document.actions))
            actions.set_read_only(read_only)
            return actions
        section = next(s for s in self.template.sections if s.id == key)
        page = SectionPage(section, self)
        for card in page.cards:
            card.set_evidence(self.evidence.get(card.question.id, ""))
            card.set_response(self.responses.get(card.question.id))
        judgement = self.document.judgements[section.id]
        page.suggested.set_grade(self.section_suggestions.get(section.id))
        page.grade.set_grade(self.section_grades.get(section.id))
        page.comment.blockSignals(True)
        page.comment.setPlainText(judgement.comment)
        page.comment.blockSignals(False)
        page.set_read_only(read_only)
        return page

    def show_page(self, key: object) -> QWidget:
        """Show a page and select it in the navigator."""
        for index in range(self.navigator.topLevelItemCount()):
            item = self.navigator.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == key:
                self.navigator.setCurrentItem(item)
        return self.page(key)

    def _on_navigate(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        page = self.page(item.data(0, Qt.ItemDataRole.UserRole))
        if isinstance(page, HistoryPage):
            self.autosaver.flush()
            page.reload()
        self.stack.setCurrentWidget(page)
        if isinstance(page, SectionPage) and page.cards:
            page.scroll.verticalScrollBar().setValue(0)

    def _step_page(self, step: int) -> None:
        index = self.navigator.indexOfTopLevelItem(self.navigator.currentItem()) + step
        if 0 <= index < self.navigator.topLevelItemCount():
            self.navigator.setCurrentItem(self.navigator.topLevelItem(index))
            page = self.stack.currentWidget()
            if isinstance(page, SectionPage) and page.cards:
                page.cards[0].setFocus()

    def _section_pages(self) -> list[SectionPage]:
        return [p for p in self.pages.values() if isinstance(p, SectionPage)]

    # --- requests from the widgets (become undoable commands) ------------------------------

    def request_response(self, question_id: int, code: str | None) -> None:
        """The user chose an answer: record it as an undoable change."""
        old = self.responses.get(question_id)
        if old == code or not self.can_edit:
            card = self._card_for(question_id, build=False)
            if card:
                card.set_response(old)  # undo the radio button's own toggle
            return
        key = next(q.key for s in self.template.sections for q in s.questions
                   if q.id == question_id)
        self.undo_stack.push(SetValueCommand(
            f"answer to {key}", lambda value: self.apply_response(question_id, value), old, code))

    def request_section_grade(self, section_id: int, grade: int | None) -> None:
        """The user graded a section: record it as an undoable change."""
        old = self.section_grades.get(section_id)
        page = self.pages.get(section_id)
        if old == grade:
            if isinstance(page, SectionPage):
                page.grade.set_grade(old)
            return
        key = next(s.key for s in self.template.sections if s.id == section_id)
        self.undo_stack.push(SetValueCommand(
            f"grade of section {key}", lambda value: self.apply_section_grade(section_id, value),
            old, grade))

    def request_overall_grade(self, grade: int | None) -> None:
        """The user gave the overall grade: record it as an undoable change."""
        if grade == self.overall_grade:
            return
        self.undo_stack.push(SetValueCommand("overall grade", self.apply_overall_grade,
                                             self.overall_grade, grade))

    # --- applying changes (from commands, so also on undo and redo) -------------------------

    def _card_for(self, question_id: int, build: bool = True) -> QuestionCard | None:
        section = next(s for s in self.template.sections
                       if any(q.id == question_id for q in s.questions))
        page = self.page(section.id) if build else self.pages.get(section.id)
        return page.card(question_id) if isinstance(page, SectionPage) else None

    def apply_response(self, question_id: int, code: str | None) -> None:
        """Set an answer in the window and queue it for saving."""
        self.responses[question_id] = code
        card = self._card_for(question_id)
        if card is not None:
            card.set_response(code)
        self.autosaver.set_answer(question_id, code, self.evidence.get(question_id, ""))
        self._refresh_navigator()

    def apply_section_grade(self, section_id: int, grade: int | None) -> None:
        """Set a section grade in the window and queue it for saving."""
        self.section_grades[section_id] = grade
        page = self.page(section_id)
        assert isinstance(page, SectionPage)
        page.grade.set_grade(grade)
        self.autosaver.set_judgement(section_id, grade, page.comment.toPlainText())
        self._refresh_navigator()

    def apply_overall_grade(self, grade: int | None) -> None:
        """Set the overall grade in the window and queue it for saving."""
        self.overall_grade = grade
        page = self.page(OVERALL_PAGE)
        assert isinstance(page, OverallPage)
        page.grade.set_grade(grade)
        self.autosaver.set_overall(grade, page.rationale.toPlainText())

    def record_evidence(self, question_id: int, text: str) -> None:
        """Evidence typed: queue it (text boxes keep their own undo)."""
        self.evidence[question_id] = text
        self.autosaver.set_answer(question_id, self.responses.get(question_id), text)

    def record_section_comment(self, section_id: int) -> None:
        """A section comment typed: queue it."""
        page = self.pages[section_id]
        assert isinstance(page, SectionPage)
        self.autosaver.set_judgement(section_id, self.section_grades.get(section_id),
                                   page.comment.toPlainText())

    def record_rationale(self) -> None:
        """The rationale typed: queue it."""
        page = self.pages[OVERALL_PAGE]
        assert isinstance(page, OverallPage)
        self.autosaver.set_overall(self.overall_grade, page.rationale.toPlainText())

    def record_narrative(self, field: str) -> None:
        """Strengths, areas for development or the young person's voice typed: queue it."""
        page = self.pages[OVERALL_PAGE]
        assert isinstance(page, OverallPage)
        self.autosaver.set_narrative(field, page.narrative[field].toPlainText())

    # --- saving ------------------------------------------------------------------------------

    def _on_saved(self, result: SavedGrades) -> None:
        self.section_suggestions.update(result.sections)
        self.overall_suggestion = result.overall
        for page in self._section_pages():
            page.suggested.set_grade(self.section_suggestions.get(page.section.id))
        overall = self.pages.get(OVERALL_PAGE)
        if isinstance(overall, OverallPage):
            overall.suggested.set_grade(result.overall)
        self._refresh_navigator()
        saved = self.autosaver.last_saved
        self.save_label.setText(f"Saved at {saved:%H:%M:%S}" if saved else "Saved")
        self.save_label.setStyleSheet("")
        self.audit_changed.emit(self.document.id)

    def _on_save_failed(self, message: str) -> None:
        self.save_label.setText("Not saved yet – retrying")
        self.save_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.statusBar().showMessage(f"Could not save: {message}", 10000)

    def _on_conflict(self, message: str) -> None:
        self.save_label.setText("Not saved: changed elsewhere")
        self.save_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        if alerts.ask(self, "Saved by someone else", f"{message}\n\nReload the audit now? You "
                      "will see what they saved, with your unsaved changes on top, saved "
                      "again straight away.", yes="Reload", no="Not now"):
            self.reload_from_database()
            return
        self.banner.setText("Someone else saved this audit, so your changes since are not "
                            "saved yet. Reload (F5) to see theirs, with yours saved on top.")
        self.banner.show()

    def reload_from_database(self) -> None:
        """Show the audit as saved now, with this user's unsaved changes on top, and save
        those changes again on top of it."""
        current = self.stack.currentWidget()
        shown = next((key for key, page in self.pages.items() if page is current), None)
        document = load_audit(self.db, self.document.id, self.template)
        self._take_state(with_changes(document, self.autosaver.unsaved))
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self.undo_stack.clear()
        self._refresh_navigator()
        self._show_read_only_state()
        self.show_page(shown if shown is not None else OVERALL_PAGE)
        self.autosaver.rebase(document.revision)
        self.statusBar().showMessage("Reloaded: your changes are being saved on top.", 8000)

    # --- navigator ---------------------------------------------------------------------------

    def _refresh_navigator(self) -> None:
        for index in range(self.navigator.topLevelItemCount()):
            item = self.navigator.topLevelItem(index)
            key = item.data(0, Qt.ItemDataRole.UserRole)
            if key == OVERALL_PAGE:
                self._set_grade_cell(item, self.overall_grade, self.overall_suggestion)
            elif key not in (ACTIONS_PAGE, HISTORY_PAGE):
                section = next(s for s in self.template.sections if s.id == key)
                done = sum(self.responses.get(q.id) is not None for q in section.questions)
                item.setText(1, f"{done}/{len(section.questions)}")
                self._set_grade_cell(item, self.section_grades.get(key),
                                     self.section_suggestions.get(key))

    @staticmethod
    def _set_grade_cell(item: QTreeWidgetItem, given: int | None,
                        suggested: int | None) -> None:
        shown = given if given is not None else suggested
        text = grade_label(shown, "–")
        if shown is not None:
            text = {"Requires improvement to be good": "RI"}.get(text, text)
        item.setText(2, text if given is not None or shown is None else f"({text})")
        colour = grade_colour(shown)
        if colour is not None:
            item.setForeground(2, colour)
        item.setToolTip(2, f"Given: {grade_label(given, 'not yet')}; suggested: "
                           f"{grade_label(suggested, 'none yet')}")

    # --- actions -----------------------------------------------------------------------------

    def _actions_page(self) -> ActionsPage:
        page = self.page(ACTIONS_PAGE)
        assert isinstance(page, ActionsPage)
        return page

    def _reload_actions(self) -> None:
        self.document = load_audit(self.db, self.document.id, self.template)
        if not self.autosaver.conflict:  # our own change: later saves build on it
            self.autosaver.revision = self.document.revision
        self._actions_page().model.set_rows(list(self.document.actions))
        self.audit_changed.emit(self.document.id)

    def add_action(self, question_id: int | None = None) -> None:
        """Ask for a new action and save it."""
        dialog = ActionDialog(self.template, question_id=question_id, parent=self)
        if dialog.exec():
            self._run_action_change(lambda: add_action(self.db, self.document.id,
                                                       dialog.value(), self.actor))

    def edit_action(self) -> None:
        """Edit the selected action."""
        action_id = self._actions_page().selected_id()
        if action_id is None or not self.can_edit:
            return
        current = next(a for a in self.document.actions if a.id == action_id)
        dialog = ActionDialog(self.template, current, parent=self)
        if dialog.exec():
            self._run_action_change(lambda: update_action(self.db, action_id, dialog.value(),
                                                          self.actor))

    def remove_action(self) -> None:
        """Remove the selected action after asking."""
        action_id = self._actions_page().selected_id()
        if action_id is None:
            return
        if alerts.ask(self, "Remove action", "Remove the selected action?", yes="Remove"):
            self._run_action_change(lambda: delete_action(self.db, action_id, self.actor))

    def _run_action_change(self, change: object) -> None:
        self.autosaver.flush()  # answers first, so the action's revision follows theirs
        try:
            change()  # type: ignore[operator]
        except UserError as exc:
            alerts.warn(self, "Action not saved", str(exc))
            return
        self._reload_actions()

    # --- submitting --------------------------------------------------------------------------

    def check_and_submit(self) -> None:
        """Save, check the audit, then list its problems or submit it."""
        if not self.can_edit or not allowed(self.actor, Permission.SUBMIT,
                                            owner=self.document.auditor):
            return
        if not self.autosaver.flush():
            alerts.warn(self, "Not saved", f"The audit could not be saved: "
                        f"{self.autosaver.last_error}\nNothing has been submitted.")
            return
        self.document = load_audit(self.db, self.document.id, self.template)
        problems = submission_problems(self.document)
        if problems:
            self._show_problems(problems)
            return
        self.problems_dock.hide()
        if not alerts.ask(self, "Submit audit",
                          "Submit this audit? You will not be able to change it afterwards.",
                          yes="Submit"):
            return
        try:
            submit_audit(self.db, self.document.id, self.actor)
        except UserError as exc:
            alerts.warn(self, "Not submitted", str(exc))
            return
        self.document = load_audit(self.db, self.document.id, self.template)
        self._show_read_only_state()
        self.statusBar().showMessage("Submitted.", 8000)
        self.audit_changed.emit(self.document.id)

    def _show_problems(self, problems: list[SubmissionProblem]) -> None:
        self.problems.clear()
        questions = {q.id: q.text for s in self.template.sections for q in s.questions}
        for problem in problems:
            text = problem.message
            if problem.question_id is not None and problem.question_id in questions:
                text += f" – {questions[problem.question_id]}"
            item = QListWidgetItem(text)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, problem)
            self.problems.addItem(item)
        self.problems_dock.setWindowTitle(
            f"Before you can submit: {len(problems)} thing{'s' if len(problems) > 1 else ''} "
            "to put right (click one to go there)")
        self.problems_dock.show()
        self.resizeDocks([self.problems_dock], [self.height() // 4], Qt.Orientation.Vertical)
        self.problems.setFocus()
        self.problems.setCurrentRow(0)

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        problem: SubmissionProblem = item.data(Qt.ItemDataRole.UserRole)
        if problem.field == "overall":
            page = self.show_page(OVERALL_PAGE)
            assert isinstance(page, OverallPage)
            (page.grade if page.grade.grade() is None else page.rationale).setFocus()
        elif problem.field == "action":
            page = self.show_page(ACTIONS_PAGE)
            assert isinstance(page, ActionsPage)
            rows = [i for i in range(page.model.rowCount())
                    if page.model.row_at(i).id == problem.action_id]
            if rows:
                page.table.selectRow(rows[0])
            page.table.setFocus()
        elif problem.section_id is not None:
            page = self.show_page(problem.section_id)
            assert isinstance(page, SectionPage)
            card = page.card(problem.question_id) if problem.question_id else None
            if card is None:
                page.scroll.ensureWidgetVisible(page.grade)
                page.grade.setFocus()
            elif problem.field == "evidence":
                page.scroll.ensureWidgetVisible(card)
                card.evidence.setFocus()
            else:
                card.setFocus()

    def _request_feedback(self) -> None:
        self.autosaver.flush()
        self.export_requested.emit(self.document.id)

    def go_to_question(self, question_id: int) -> None:
        """Show a question's section and focus the question."""
        section = next((s for s in self.template.sections
                        if any(q.id == question_id for q in s.questions)), None)
        if section is None or not self.document.applies(section.id):
            return
        page = self.show_page(section.id)
        assert isinstance(page, SectionPage)
        card = page.card(question_id)
        if card is not None:
            page.scroll.ensureWidgetVisible(card)
            card.setFocus()

    def _show_read_only_state(self) -> None:
        read_only = not self.can_edit
        for page in self.pages.values():
            page.set_read_only(read_only)  # type: ignore[attr-defined]
        self.submit_action.setEnabled(
            not read_only and allowed(self.actor, Permission.SUBMIT, owner=self.document.auditor))
        self.undo_stack.clear()
        if read_only:
            if self.document.editable:
                reason = f"is {self.document.auditor}'s draft"
            else:
                when = self.document.submitted_at
                reason = f"is {self.document.status}" + (
                    f" (submitted {when:%d %b %Y})" if when else "")
            self.banner.setText(f"This audit {reason} and is read-only to you.")
            self.banner.show()
        elif self.document.returned_comment:
            self.banner.setText("Returned for rework by the moderator: "
                                f"{self.document.returned_comment}")
            self.banner.show()
        else:
            self.banner.hide()

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.autosaver.flush() and not alerts.ask(
                self, "Changes not saved",
                f"The latest changes could not be saved: {self.autosaver.last_error}\n\n"
                "Close anyway and lose them?", yes="Close and lose them", no="Keep open"):
            event.ignore()
            return
        self.closed.emit(self.document.id)
        event.accept()
