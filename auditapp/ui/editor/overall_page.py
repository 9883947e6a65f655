"""The overall judgement: the overall grade and its rationale, and the audit's narrative.

Like a section page it only shows and asks: the grade is requested and the texts are
reported by signals, which the window records.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.ui.editor.page_parts import (
    EditorPage,
    buddy_label,
    heading,
    scroll_area,
    set_text_quietly,
    text_box,
)
from auditapp.ui.widgets.grades import GradeBadge, GradeCombo

NARRATIVE_LABELS = {"strengths": "&Strengths",
                    "areas_for_development": "Areas for develo&pment",
                    "young_person_voice": "The young person's &voice"}


class OverallPage(EditorPage):
    """The overall grade, its rationale, and the narrative of the audit."""

    grade_requested = Signal(object)  # grade or None
    rationale_edited = Signal(str)
    narrative_edited = Signal(str, str)  # field (a key of NARRATIVE_LABELS), the text

    def __init__(self) -> None:
        super().__init__()
        self._suggestion: int | None = None
        self.narrative: dict[str, QPlainTextEdit] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll_area(self._body()))

    def _body(self) -> QWidget:
        body = QWidget()
        form = QFormLayout(body)
        form.addRow(heading("Overall judgement",
                            "The suggestion follows from the section grades. Grade "
                            "differently when the evidence fits another grade best, and "
                            "say why."))
        self.suggested = GradeBadge()
        self.suggested.setAccessibleName("Suggested overall grade")
        form.addRow("Suggested grade:", self.suggested)
        self.grade = GradeCombo("Overall grade")
        self.grade.activated.connect(lambda _index: self.grade_requested.emit(self.grade.grade()))
        self.use_button = QPushButton("&Use suggested grade")
        self.use_button.setAccessibleName("Use the suggested overall grade")
        self.use_button.clicked.connect(lambda: self.grade_requested.emit(self._suggestion))
        row = QHBoxLayout()
        row.addWidget(self.grade, 1)
        row.addWidget(self.use_button)
        form.addRow(buddy_label("Overall &grade:", self.grade), row)
        self.rationale = text_box("Rationale for the overall grade", 3)
        self.rationale.setPlaceholderText("Needed when the overall grade differs from the "
                                          "suggestion")
        self.rationale.textChanged.connect(
            lambda: self.rationale_edited.emit(self.rationale.toPlainText()))
        form.addRow("&Rationale:", self.rationale)
        for field, label in NARRATIVE_LABELS.items():
            form.addRow(label + ":", self._narrative_box(field, label))
        return body

    def _narrative_box(self, field: str, label: str) -> QPlainTextEdit:
        box = text_box(label.replace("&", ""), 4)
        box.textChanged.connect(lambda: self.narrative_edited.emit(field, box.toPlainText()))
        self.narrative[field] = box
        return box

    # --- what the window shows --------------------------------------------------------------

    def show_suggestion(self, grade: int | None) -> None:
        """Show the suggested grade (the one "Use suggested grade" gives)."""
        self._suggestion = grade
        self.suggested.set_grade(grade)

    def set_texts(self, rationale: str, narrative: dict[str, str]) -> None:
        """Show the rationale and the narrative without emitting edits."""
        set_text_quietly(self.rationale, rationale)
        for field, box in self.narrative.items():
            set_text_quietly(box, narrative[field])

    def focus_first(self) -> None:
        """The overall grade."""
        self.grade.setFocus()

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control."""
        self.grade.setEnabled(not read_only)
        self.use_button.setEnabled(not read_only)
        self.rationale.setReadOnly(read_only)
        for box in self.narrative.values():
            box.setReadOnly(read_only)
