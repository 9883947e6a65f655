"""A section of the checklist: its questions, then the grade the auditor gives it.

Laid out to fit a typical section (seven questions) on a 1366x768 screen without scrolling:
compact question cards, one keyboard line, and the grade on one row with its comment box one
line high until it is used.

The page shows and asks; it changes nothing itself. Each request (an answer, a grade, an
action) and each edit (evidence, a comment) goes out as a signal, and the window records it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.rules.grades import grade_label
from auditapp.services.templates import SectionInfo
from auditapp.ui.editor.page_parts import (
    EditorPage,
    GrowingTextBox,
    buddy_label,
    scroll_area,
    set_text_quietly,
)
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.widgets.grades import GradeBadge, GradeCombo

KEYBOARD_HINT = ("Keys on a question: 1-{last} answer · 0 clears · ↑ ↓ move · Enter evidence · "
                 "G guidance · A action · Ctrl+Z undo")


class SectionPage(EditorPage):
    """A section's questions, then the grade the auditor gives it."""

    response_requested = Signal(int, object)  # question id, answer code or None
    evidence_edited = Signal(int, str)  # question id, the note
    grade_requested = Signal(int, object)  # section id, grade or None
    comment_edited = Signal(int, str)  # section id, the comment
    action_requested = Signal(int)  # question id

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
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(4)
        flags = " · <i>limiting judgement</i>" if section.limiting else ""
        title = QLabel(f"<b style='font-size:large'>{section.key} {section.title}</b>{flags}"
                       + (f"<br>{section.description}" if section.description else ""))
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(title)
        keys = QLabel(KEYBOARD_HINT.format(last=len(section.questions[0].scale)))
        keys.setWordWrap(True)
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
        card.action_requested.connect(self.action_requested.emit)
        self.cards.append(card)
        self._cards_by_question[card.question.id] = card
        return card

    def _grade_box(self) -> QFrame:
        """Suggested, your grade (and Use suggested grade), last audit's; the comment below."""
        key = self.section.key
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(box)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(4)
        self.suggested = GradeBadge()
        self.suggested.setAccessibleName(f"Suggested grade for section {key}")
        self.grade = GradeCombo(f"Your grade for section {key}")
        self.grade.activated.connect(lambda _index: self._request_grade(self.grade.grade()))
        self.use_button = QPushButton("&Use suggested grade")
        self.use_button.setAccessibleName(f"Use the suggested grade for section {key}")
        self.use_button.clicked.connect(lambda: self._request_grade(self._suggestion))
        self.previous_grade = GradeBadge("not graded")
        self.previous_grade.setAccessibleName(f"Grade of section {key} at the last audit")
        self.previous_label = QLabel("Last audit:")
        for widget in (self.previous_grade, self.previous_label):
            widget.hide()
        grid.addWidget(QLabel("Suggested:"), 0, 0)
        grid.addWidget(self.suggested, 0, 1)
        grid.addWidget(buddy_label("Your &grade:", self.grade), 0, 2)
        grid.addWidget(self.grade, 0, 3)
        grid.addWidget(self.use_button, 0, 4)
        # The last audit's grade on a row of its own, under the suggestion: beside the grade
        # it made the row wider than the page at 125 %.
        grid.addWidget(self.previous_label, 1, 0)
        grid.addWidget(self.previous_grade, 1, 1, 1, 4, Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(5, 1)
        self.comment = GrowingTextBox(f"Comment on the grade of section {key}", 4)
        self.comment.setPlaceholderText("Why this grade (needed when it differs from the "
                                        "suggestion)")
        self.comment.textChanged.connect(
            lambda: self.comment_edited.emit(self.section.id, self.comment.toPlainText()))
        grid.addWidget(buddy_label("&Comment:", self.comment), 2, 0)
        grid.addWidget(self.comment, 2, 1, 1, 5)
        return box

    def _request_grade(self, grade: int | None) -> None:
        self.grade_requested.emit(self.section.id, grade)

    # --- what the window shows --------------------------------------------------------------

    def show_suggestion(self, grade: int | None) -> None:
        """Show the suggested grade (the one "Use suggested grade" gives)."""
        self._suggestion = grade
        self.suggested.set_grade(grade)

    def show_previous_grade(self, grade: int | None, when: str) -> None:
        """The section's grade at the previous audit (of ``when``)."""
        self.previous_grade.set_grade(grade)
        self.previous_grade.setToolTip(f"Audit of {when}: {grade_label(grade)}")
        self.previous_label.show()
        self.previous_grade.show()

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
            self.cards[index].setFocus(Qt.FocusReason.OtherFocusReason)
        elif index == len(self.cards):
            self.scroll_area.ensureWidgetVisible(self.grade)
            self.grade.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_first(self) -> None:
        """The first unanswered question, else the grade if there is none yet, else the
        first question."""
        unanswered = next((c for c in self.cards if c.response is None), None)
        if unanswered is not None:
            unanswered.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.grade.grade() is None and self.grade.isEnabled():
            self.scroll_area.ensureWidgetVisible(self.grade)
            self.grade.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.cards[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control."""
        for card in self.cards:
            card.set_read_only(read_only)
        self.grade.setEnabled(not read_only)
        self.use_button.setEnabled(not read_only)
        self.comment.setReadOnly(read_only)
