"""A section of the checklist: its questions, then the grade the auditor gives it.

The page shows and asks; it changes nothing itself. Each request (an answer, a grade) and
each edit (evidence, a comment) goes out as a signal, and the window records it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.services.templates import SectionInfo
from auditapp.ui.editor.page_parts import (
    EditorPage,
    buddy_label,
    heading,
    scroll_area,
    set_text_quietly,
    text_box,
)
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.widgets.grades import GradeBadge, GradeCombo

KEYBOARD_HINT = ("Keyboard: 1-{last} answer the focused question · 0 clears · ↑ ↓ move · "
                 "Enter writes evidence · G shows guidance · Ctrl+Z undoes")


class SectionPage(EditorPage):
    """A section's questions, then the grade the auditor gives it."""

    response_requested = Signal(int, object)  # question id, answer code or None
    evidence_edited = Signal(int, str)  # question id, the note
    grade_requested = Signal(int, object)  # section id, grade or None
    comment_edited = Signal(int, str)  # section id, the comment

    def __init__(self, section: SectionInfo) -> None:
        super().__init__()
        self.section = section
        self._suggestion: int | None = None
        self.cards: list[QuestionCard] = []
        self._cards_by_question: dict[int, QuestionCard] = {}
        self.scroll_area = scroll_area(self._body())
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)

    def _body(self) -> QWidget:
        section = self.section
        body = QWidget()
        column = QVBoxLayout(body)
        flags = " · limiting judgement" if section.limiting else ""
        column.addWidget(heading(f"{section.key} {section.title}",
                                 section.description + (f"<i>{flags}</i>" if flags else "")))
        keys = QLabel(KEYBOARD_HINT.format(last=len(section.questions[0].scale)))
        keys.setWordWrap(True)
        keys.setStyleSheet("color: palette(shadow);")
        column.addWidget(keys)
        for question in section.questions:
            column.addWidget(self._add_card(QuestionCard(question)))
        column.addWidget(self._grade_box())
        column.addStretch(1)
        return body

    def _add_card(self, card: QuestionCard) -> QuestionCard:
        card.response_requested.connect(self.response_requested.emit)
        card.evidence_edited.connect(self.evidence_edited.emit)
        card.move_requested.connect(lambda step: self.move_from(card, step))
        self.cards.append(card)
        self._cards_by_question[card.question.id] = card
        return card

    def _grade_box(self) -> QFrame:
        key = self.section.key
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(box)
        self.suggested = GradeBadge()
        self.suggested.setAccessibleName(f"Suggested grade for section {key}")
        form.addRow("Suggested grade:", self.suggested)
        self.grade = GradeCombo(f"Your grade for section {key}")
        self.grade.activated.connect(lambda _index: self._request_grade(self.grade.grade()))
        self.use_button = QPushButton("&Use suggested grade")
        self.use_button.setAccessibleName(f"Use the suggested grade for section {key}")
        self.use_button.clicked.connect(lambda: self._request_grade(self._suggestion))
        grade_row = QHBoxLayout()
        grade_row.addWidget(self.grade, 1)
        grade_row.addWidget(self.use_button)
        form.addRow(buddy_label("Your &grade:", self.grade), grade_row)
        self.comment = text_box(f"Comment on the grade of section {key}", 2)
        self.comment.setPlaceholderText("Why this grade (needed when it differs from the "
                                        "suggestion)")
        self.comment.textChanged.connect(
            lambda: self.comment_edited.emit(self.section.id, self.comment.toPlainText()))
        form.addRow("&Comment:", self.comment)
        return box

    def _request_grade(self, grade: int | None) -> None:
        self.grade_requested.emit(self.section.id, grade)

    # --- what the window shows --------------------------------------------------------------

    def show_suggestion(self, grade: int | None) -> None:
        """Show the suggested grade (the one "Use suggested grade" gives)."""
        self._suggestion = grade
        self.suggested.set_grade(grade)

    def set_comment(self, text: str) -> None:
        """Show the comment on the grade without emitting an edit."""
        set_text_quietly(self.comment, text)

    def card(self, question_id: int) -> QuestionCard | None:
        """The card of a question on this page."""
        return self._cards_by_question.get(question_id)

    def move_from(self, card: QuestionCard, step: int) -> None:
        """Focus the previous or next question (after the last, the grade)."""
        index = self.cards.index(card) + step
        if 0 <= index < len(self.cards):
            self.cards[index].setFocus()
        elif index == len(self.cards):
            self.grade.setFocus()

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control."""
        for card in self.cards:
            card.set_read_only(read_only)
        self.grade.setEnabled(not read_only)
        self.use_button.setEnabled(not read_only)
        self.comment.setReadOnly(read_only)
