"""One question of the checklist: its text, guidance, answer buttons and evidence note.

Keyboard: with the card focused, the digit keys choose the answers in order (1 = first),
0 or Delete clears the answer, Up and Down move to the previous and next question,
Enter moves into the evidence note and G shows or hides the guidance.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.services.templates import QuestionInfo

NEEDS_EVIDENCE_STYLE = "QPlainTextEdit { border: 2px solid #d68910; }"


class QuestionCard(QFrame):
    """A question with its answer controls. Emits requests; the editor applies them."""

    #: (question id, new response code or None) — the editor records it for undo.
    response_requested = Signal(int, object)
    evidence_edited = Signal(int, str)
    move_requested = Signal(int)  # -1 previous question, +1 next

    def __init__(self, question: QuestionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.setObjectName("questionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            "#questionCard { border: 1px solid palette(mid); border-radius: 6px; }"
            "#questionCard:focus { border: 2px solid palette(highlight); }")
        self._buttons = QButtonGroup(self)
        self._build()
        self.setAccessibleName(f"Question {question.key}")
        self._update_accessible_description()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        question = self.question
        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        title = QLabel(f"<b>{question.key}</b>&nbsp; {question.text}"
                       + ("&nbsp; <span style='color:#c0392b'>(critical)</span>"
                          if question.critical else ""))
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.RichText)
        title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        header.addWidget(title, 1)
        self.guidance_button = QToolButton()
        self.guidance_button.setText("Guidance")
        self.guidance_button.setCheckable(True)
        self.guidance_button.setAccessibleName(f"Show guidance for question {question.key}")
        self.guidance_button.setEnabled(bool(question.guidance))
        header.addWidget(self.guidance_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)

        self.guidance = QLabel(question.guidance)
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet("background: #eef3f8; border-left: 3px solid #1f5fa8;"
                                    "padding: 4px 8px; color: #1b2631;")
        self.guidance.setVisible(False)
        layout.addWidget(self.guidance)
        self.guidance_button.toggled.connect(self.guidance.setVisible)

        answers = QHBoxLayout()
        for number, option in enumerate(question.scale, start=1):
            button = QRadioButton(f"&{number} {option['label']}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card takes the digit keys
            button.setAccessibleName(f"{option['label']} for question {question.key}")
            self._buttons.addButton(button, number - 1)
            answers.addWidget(button)
        answers.addStretch(1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setAccessibleName(f"Clear the answer to question {question.key}")
        answers.addWidget(self.clear_button)
        layout.addLayout(answers)
        self._buttons.idClicked.connect(self._on_button)
        self.clear_button.clicked.connect(lambda: self._request(None))

        self.evidence = QPlainTextEdit()
        self.evidence.setPlaceholderText("Evidence: what you found on the file, and where")
        self.evidence.setAccessibleName(f"Evidence for question {question.key}")
        self.evidence.setTabChangesFocus(True)
        self.evidence.setFixedHeight(self.evidence.fontMetrics().lineSpacing() * 3 + 14)
        self.evidence.textChanged.connect(
            lambda: self.evidence_edited.emit(self.question.id, self.evidence.toPlainText()))
        layout.addWidget(self.evidence)

    # --- state -------------------------------------------------------------------------------

    @property
    def response(self) -> str | None:
        """The chosen answer code, or None."""
        button = self._buttons.checkedButton()
        return None if button is None else self.question.scale[self._buttons.id(button)]["code"]

    def set_response(self, code: str | None) -> None:
        """Show an answer without emitting a request (used on load, undo and redo)."""
        self._buttons.setExclusive(False)  # an exclusive group cannot show "no answer"
        for index, option in enumerate(self.question.scale):
            self._buttons.button(index).setChecked(option["code"] == code)
        self._buttons.setExclusive(True)
        self._refresh_evidence_hint()
        self._update_accessible_description()

    def set_evidence(self, text: str) -> None:
        """Show an evidence note without emitting an edit."""
        self.evidence.blockSignals(True)
        self.evidence.setPlainText(text)
        self.evidence.blockSignals(False)
        self._refresh_evidence_hint()

    def set_read_only(self, read_only: bool) -> None:
        """Lock the card (a submitted audit)."""
        for button in self._buttons.buttons():
            button.setEnabled(not read_only)
        self.clear_button.setEnabled(not read_only)
        self.evidence.setReadOnly(read_only)

    def _refresh_evidence_hint(self) -> None:
        """Outline the evidence box when the chosen answer needs a note and has none."""
        needs = self.response in self.question.evidence_required
        empty = not self.evidence.toPlainText().strip()
        self.evidence.setStyleSheet(NEEDS_EVIDENCE_STYLE if needs and empty else "")

    def _update_accessible_description(self) -> None:
        option = self.question.option(self.response)
        answer = option["label"] if option else "not answered"
        self.setAccessibleDescription(f"{self.question.text} Answer: {answer}.")

    # --- input -------------------------------------------------------------------------------

    def _on_button(self, index: int) -> None:
        self._request(self.question.scale[index]["code"])

    def _request(self, code: str | None) -> None:
        if self.evidence.isReadOnly():
            return
        self.response_requested.emit(self.question.id, code)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        text = event.text()
        if text.isdigit() and text != "0" and int(text) <= len(self.question.scale):
            self._request(self.question.scale[int(text) - 1]["code"])
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._request(None)
        elif key == Qt.Key.Key_Up:
            self.move_requested.emit(-1)
        elif key == Qt.Key.Key_Down:
            self.move_requested.emit(1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.evidence.setFocus()
        elif key == Qt.Key.Key_G and self.guidance_button.isEnabled():
            self.guidance_button.toggle()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt override
        super().focusInEvent(event)
        parent = self.parentWidget()
        while parent is not None and not hasattr(parent, "ensureWidgetVisible"):
            parent = parent.parentWidget()
        if parent is not None:
            parent.ensureWidgetVisible(self)  # type: ignore[attr-defined]
