"""Moderation on the desktop: the queue and samples, and moderating one audit blind.

Moderating an audit is two steps. First the moderator reads the answers and evidence and
grades each section and the whole audit, without the auditor's grades (the domain withholds
them). Then both are shown side by side; each final grade is kept or changed, a change with
its reason.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.grades import Grade, grade_label
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import AuditDocument
from auditapp.services.moderation import (
    ComparedGrade,
    QueueRow,
    Stratum,
    draw_sample,
    finalise_moderation,
    list_samples,
    load_for_moderation,
    moderation_comparison,
    moderation_queue,
    record_blind_grades,
    return_for_rework,
)
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.dates import date_edit, picked_date
from auditapp.ui.widgets.grades import GradeCombo
from auditapp.ui.widgets.screens import fit_to_screen

QUEUE_HEADERS = ("Sampled", "Case", "Category", "Team", "Auditor", "Audit date", "Template",
                 "Stage")
COMPARE_HEADERS = ("", "Suggested", "Auditor", "Yours", "Final", "Reason for a change")
YOURS_COLUMN, FINAL_COLUMN, REASON_COLUMN = 3, 4, 5
#: A grade that differs: a pale amber under dark text (WCAG AA), and the word "differs".
DIFFERS_BACKGROUND = QColor("#fdebd0")
DIFFERS_TEXT = QColor("#1b2631")


def _short(grade: int | None) -> str:
    return Grade(grade).short if grade is not None else "–"


def _compared_cells(grade: ComparedGrade) -> list[QTableWidgetItem]:
    """The name, suggested, auditor's and moderator's grades of one compared row; the
    moderator's says "differs", in words and colour, where it is not the auditor's."""
    differs = grade.moderator_blind != grade.auditor
    texts = [grade.key or grade.title, _short(grade.suggested), _short(grade.auditor),
             _short(grade.moderator_blind) + (", differs" if differs else "")]
    full = [f"{grade.key} {grade.title}".strip(), grade_label(grade.suggested, "none"),
            grade_label(grade.auditor, "none"), grade_label(grade.moderator_blind, "none")]
    items = []
    for column, (text, tip) in enumerate(zip(texts, full, strict=True)):
        item = QTableWidgetItem(text)
        item.setToolTip(tip + (" (differs from the auditor's)"
                               if differs and column == YOURS_COLUMN else ""))
        if differs and column == YOURS_COLUMN:
            item.setBackground(DIFFERS_BACKGROUND)
            item.setForeground(DIFFERS_TEXT)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        items.append(item)
    return items


def blind_html(document: AuditDocument) -> str:
    """The answers and evidence of an audit, with nothing of the auditor's judgement."""
    parts = [f"<h2>{escape(document.case_reference)}</h2>",
             f"<p>{escape(document.category)}{', unaccompanied' if document.uasc else ''} · "
             f"{escape(document.team)} · {escape(document.template.title)} "
             f"v{document.template.version} · audited {day_text(document.audit_date)}</p>"]
    for section in document.template.sections:
        if not document.applies(section.id):
            continue
        parts.append(f"<h3>{escape(section.key)} {escape(section.title)}</h3><table "
                     "cellspacing='0' cellpadding='4' border='1' width='100%'>")
        for question in section.questions:
            answer = document.answers.get(question.id)
            option = question.option(answer.response if answer else None)
            parts.append(
                f"<tr><td width='8%'><b>{escape(question.key)}</b></td>"
                f"<td width='46%'>{escape(question.text)}</td>"
                f"<td width='12%'>{escape(option['label']) if option else '–'}</td>"
                f"<td>{escape(answer.evidence) if answer else ''}</td></tr>")
        parts.append("</table>")
    return "\n".join(parts)


class ModerateAuditWindow(QMainWindow):
    """Moderating one audit: blind grades, then the comparison and the final grades."""

    moderated = Signal(int)
    blind_recorded = Signal(int)

    def __init__(self, db: Database, audit_id: int, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.audit_id = audit_id
        self.actor = actor
        self.document = load_for_moderation(db, audit_id, actor)
        self.setWindowTitle(f"Moderate {self.document.case_reference} – auditapp")
        fit_to_screen(self, 1366, 760)
        self.evidence = QTextBrowser()
        self.evidence.setAccessibleName("Answers and evidence")
        # Break lines between words only: a narrow column grows to its longest word rather
        # than splitting a question key such as S1.1 across lines.
        self.evidence.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.evidence.setHtml(blind_html(self.document))
        self.steps = QStackedWidget()
        self.steps.addWidget(self._blind_step())
        self.steps.addWidget(self._compare_step())
        self.splitter = QSplitter()
        self.splitter.addWidget(self.evidence)
        self.splitter.addWidget(self.steps)
        self.splitter.setSizes([700, 500])
        self.setCentralWidget(self.splitter)
        self.message = QLabel()
        self.statusBar().addWidget(self.message, 1)
        if self.document.overall_grade is not None:  # blind grades already recorded
            self.show_comparison()

    # --- step 1: blind grades ----------------------------------------------------------------

    def _sections(self) -> list[tuple[int, str]]:
        return [(s.id, f"{s.key} {s.title}") for s in self.document.template.sections
                if self.document.applies(s.id)]

    def _blind_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("<h3>1. Your grades</h3><p>Grade each section and the whole audit from "
                       "the answers and evidence. The auditor's grades are shown once yours "
                       "are recorded.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        body = QWidget()
        grid = QGridLayout(body)  # unlike a form layout, a grid gives wrapped labels height
        grid.setColumnStretch(0, 1)
        self.blind_combos: dict[int, GradeCombo] = {}
        self.blind_labels: list[QLabel] = []
        for row, (section_id, title) in enumerate(self._sections()):
            combo = GradeCombo(f"Your grade for {title}")
            self.blind_combos[section_id] = combo
            label = QLabel(title)
            label.setWordWrap(True)
            label.setBuddy(combo)
            self.blind_labels.append(label)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignTop)
        self.blind_overall = GradeCombo("Your overall grade")
        grid.addWidget(QLabel("<b>Overall</b>"), grid.rowCount(), 0)
        grid.addWidget(self.blind_overall, grid.rowCount() - 1, 1)
        grid.setRowStretch(grid.rowCount(), 1)
        # However many sections, each keeps its height: the list scrolls instead.
        self.blind_area = QScrollArea()
        self.blind_area.setWidgetResizable(True)
        self.blind_area.setFrameShape(QFrame.Shape.NoFrame)
        self.blind_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.blind_area.setWidget(body)
        layout.addWidget(self.blind_area, 1)
        self.record_button = QPushButton("&Record my grades and compare")
        self.record_button.clicked.connect(self.record_blind)
        layout.addWidget(self.record_button)
        return page

    def record_blind(self) -> None:
        """Record the blind grades, then show the comparison."""
        overall = self.blind_overall.grade()
        if overall is None:
            self.message.setText("Give your overall grade first.")
            self.blind_overall.setFocus()
            return
        try:
            record_blind_grades(self.db, self.audit_id, self.actor,
                                {sid: c.grade() for sid, c in self.blind_combos.items()},
                                overall)
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.blind_recorded.emit(self.audit_id)
        self.show_comparison()

    # --- step 2: compare and finish ----------------------------------------------------------

    def _compare_step(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("<h3>2. Compare and decide</h3><p>Keep the auditor's grade or change "
                       "it; a change needs a reason. The auditor's grade is never "
                       "overwritten. Where your grade differs from the auditor's it says "
                       "<b>differs</b>. RI: requires improvement to be good.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.compare = QTableWidget(0, len(COMPARE_HEADERS))
        self.compare.setHorizontalHeaderLabels(list(COMPARE_HEADERS))
        self.compare.setAccessibleName("Grades side by side")
        self.compare.verticalHeader().hide()
        self.compare.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.compare.setWordWrap(False)
        header = self.compare.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(REASON_COLUMN, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.compare, 1)
        self.finish_button = QPushButton("&Finish moderation")
        self.finish_button.clicked.connect(self.finish)
        layout.addWidget(self.finish_button)
        return page

    def show_comparison(self) -> None:
        """Show both sets of grades with a final grade and reason for each."""
        self.document = load_for_moderation(self.db, self.audit_id, self.actor)
        self.rows: list[tuple[ComparedGrade, GradeCombo, QLineEdit]] = []
        compared = moderation_comparison(self.db, self.audit_id, self.actor)
        self.compare.setRowCount(len(compared))
        for row, grade in enumerate(compared):
            name = grade.key or grade.title
            final = GradeCombo(f"Final grade for {name}", short=True)
            final.set_grade(grade.auditor)
            reason = QLineEdit()
            reason.setAccessibleName(f"Reason for changing {name}")
            reason.setPlaceholderText("Needed if the final grade differs from the auditor's")
            for column, item in enumerate(_compared_cells(grade)):
                self.compare.setItem(row, column, item)
            self.compare.setCellWidget(row, FINAL_COLUMN, final)
            self.compare.setCellWidget(row, REASON_COLUMN, reason)
            self.rows.append((grade, final, reason))
        self.steps.setCurrentIndex(1)
        # The grades need the room now; the evidence stays beside them to read.
        self.splitter.setSizes([self.width() * 3 // 10, self.width() * 7 // 10])

    def finish(self) -> None:
        """Record the final grades; the audit becomes moderated."""
        sections = {g.section_id: (combo.grade(), reason.text())
                    for g, combo, reason in self.rows if g.section_id is not None}
        overall = next((combo.grade(), reason.text()) for g, combo, reason in self.rows
                       if g.section_id is None)
        if overall[0] is None:
            self.message.setText("Choose the final overall grade.")
            return
        try:
            finalise_moderation(self.db, self.audit_id, self.actor, sections,
                                (overall[0], overall[1]))
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.moderated.emit(self.audit_id)
        self.close()


class SampleDialog(QDialog):
    """How big a sample, from which period, stratified or not, and (optionally) its seed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a moderation sample")
        form = QFormLayout(self)
        self.sample_size = QSpinBox()
        self.sample_size.setRange(1, 10_000)
        self.sample_size.setValue(10)
        self.sample_size.setAccessibleName("Sample size")
        form.addRow("&Size:", self.sample_size)
        self.stratify = QComboBox()
        for label, value in (("No", None), ("By team", Stratum.TEAM),
                             ("By care leaver category", Stratum.CATEGORY)):
            self.stratify.addItem(label, value)
        self.stratify.setAccessibleName("Stratify")
        form.addRow("S&tratify:", self.stratify)
        self.use_period = QCheckBox("Only audits dated &between")
        today = QDate.currentDate()
        self.date_from = date_edit("From", today.addMonths(-3))
        self.date_to = date_edit("To", today)
        row = QHBoxLayout()
        row.addWidget(self.use_period)
        row.addWidget(self.date_from)
        row.addWidget(QLabel("and"))
        row.addWidget(self.date_to)
        form.addRow(row)
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("Leave empty for a new random seed")
        self.seed.setAccessibleName("Seed")
        form.addRow("S&eed:", self.seed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ModerationWindow(QMainWindow):
    """The queue of submitted audits, samples, and the way into moderating one."""

    audit_moderated = Signal(int)
    queue_changed = Signal()  # blind grades recorded, an audit returned or moderated

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.rows: list[QueueRow] = []
        self.setWindowTitle("Moderation – auditapp")
        fit_to_screen(self, 1100, 600)
        self.table = QTableWidget(0, len(QUEUE_HEADERS))
        self.table.setHorizontalHeaderLabels(list(QUEUE_HEADERS))
        self.table.setAccessibleName("Audits waiting for moderation")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.cellActivated.connect(lambda *_: self.moderate_selected())
        self.samples = QLabel()
        self.samples.setWordWrap(True)
        buttons = QHBoxLayout()
        self.moderate_button = QPushButton("&Moderate…")
        self.return_button = QPushButton("&Return for rework…")
        self.sample_button = QPushButton("Draw a &sample…")
        self.moderate_button.clicked.connect(self.moderate_selected)
        self.return_button.clicked.connect(self.return_selected)
        self.sample_button.clicked.connect(self.draw)
        self.sample_button.setEnabled(allowed(actor, Permission.CLOSE))
        for button in (self.moderate_button, self.return_button, self.sample_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(QLabel("Submitted audits waiting for moderation, sampled ones "
                                "first. Grades are not shown here: moderation is blind."))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.samples)
        layout.addLayout(buttons)
        self.setCentralWidget(central)
        self.reload()

    def reload(self) -> None:
        """Read the queue and the samples again."""
        self.queue_changed.emit()
        self.rows = moderation_queue(self.db, self.actor)
        self.table.setRowCount(len(self.rows))
        for row, entry in enumerate(self.rows):
            stage = "your grades recorded" if entry.blind_recorded else "waiting"
            for column, text in enumerate(("yes" if entry.sampled else "",
                                           entry.case_reference, entry.category, entry.team,
                                           entry.auditor, day_text(entry.audit_date),
                                           entry.template_title, stage)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        samples = list_samples(self.db)[:3]
        self.samples.setText("Recent samples: " + "; ".join(
            f"{s.size} audits, seed {s.seed}"
            + (f", stratified by {s.stratify_by}" if s.stratify_by else "")
            + f" (by {s.created_by})" for s in samples) if samples else "No samples drawn yet.")

    def selected(self) -> QueueRow | None:
        """The selected audit in the queue."""
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def moderate_selected(self) -> ModerateAuditWindow | None:
        """Open the selected audit for moderation."""
        entry = self.selected()
        if entry is None:
            return None
        try:
            window = ModerateAuditWindow(self.db, entry.audit_id, self.actor, self)
        except UserError as exc:
            alerts.warn(self, "Cannot moderate this audit", str(exc))
            return None
        window.setWindowFlag(Qt.WindowType.Window)
        window.moderated.connect(lambda _id: self.reload())
        window.moderated.connect(self.audit_moderated)
        window.blind_recorded.connect(lambda _id: self.reload())
        window.show()
        return window

    def return_selected(self) -> None:
        """Return the selected audit to its auditor, with what to put right."""
        entry = self.selected()
        if entry is None:
            return
        comment = alerts.ask_text(self, "Return for rework",
                                  f"What should {entry.auditor} put right?")
        if comment is None:
            return
        try:
            return_for_rework(self.db, entry.audit_id, self.actor, comment)
        except UserError as exc:
            alerts.warn(self, "Not returned", str(exc))
            return
        self.reload()
        self.audit_moderated.emit(entry.audit_id)  # its row in the audit list changes too

    def draw(self) -> None:
        """Draw and record a sample (practice leads)."""
        dialog = SampleDialog(self)
        if not dialog.exec():
            return
        text = dialog.seed.text().strip()
        try:
            seed = int(text) if text else None
            period = dialog.use_period.isChecked()
            sample = draw_sample(
                self.db, self.actor, dialog.sample_size.value(), seed=seed,
                stratify_by=dialog.stratify.currentData(),
                date_from=picked_date(dialog.date_from) if period else None,
                date_to=picked_date(dialog.date_to) if period else None)
        except ValueError:
            alerts.warn(self, "Sample not drawn", f"'{text}' is not a whole number.")
            return
        except UserError as exc:
            alerts.warn(self, "Sample not drawn", str(exc))
            return
        self.reload()
        self.statusBar().showMessage(f"Drew {sample.size} audits with seed {sample.seed}.",
                                     15000)
