"""One question of the checklist, compact: its text and answers on one row, then the evidence
note (one line until it is used, growing as it is typed), the previous audit's answer, and
buttons for the guidance, an action and clearing the answer.

Keyboard: with the card focused, the digit keys choose the answers in order (1 = first),
0 or Delete clears the answer, Up and Down move to the previous and next question, Enter
moves into the evidence note, G shows or hides the guidance and A raises an action on the
question. The buttons are for the mouse; the keys do what they do.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from auditapp.services.audits.previous import EarlierAnswer
from auditapp.services.templates import QuestionInfo
from auditapp.ui.editor.page_parts import GrowingTextBox

#: An evidence box whose answer needs a note and has none: outlined (and said in words).
NEEDS_EVIDENCE_STYLE = "QPlainTextEdit { border: 2px solid #b35c00; }"
KEYS_HELP = "1 to {last} answer, 0 clears, Enter writes evidence, G guidance, A action."


class QuestionCard(QFrame):
    """A question with its answer controls. Emits requests; the editor applies them."""

    #: (question id, new response code or None) — the editor records it for undo.
    response_requested = Signal(int, object)
    evidence_edited = Signal(int, str)
    move_requested = Signal(int)  # -1 previous question, +1 next
    action_requested = Signal(int)  # question id: raise an action on it

    def __init__(self, question: QuestionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.previous: EarlierAnswer | None = None
        self.setObjectName("questionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            "#questionCard { border: 1px solid palette(mid); border-radius: 4px; }"
            "#questionCard:focus { border: 2px solid palette(highlight); }")
        self._buttons = QButtonGroup(self)
        self._build()
        self.setAccessibleName(f"Question {question.key}")
        self._update_accessible_description()

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        question = self.question
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 3, 6, 3)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self.title = QLabel(f"<b>{question.key}</b>&nbsp; {question.text}"
                            + ("&nbsp; <span style='color:#b03a2e'>(critical)</span>"
                               if question.critical else ""))
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.title, 0, 0)
        grid.addLayout(self._answers(), 0, 1, Qt.AlignmentFlag.AlignTop)
        self.guidance = QLabel(question.guidance)
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet("background: #eef3f8; border-left: 3px solid #1f5fa8;"
                                    "padding: 4px 8px; color: #1b2631;")
        self.guidance.setVisible(False)
        self.evidence = GrowingTextBox(f"Evidence for question {question.key}")
        self.evidence.setPlaceholderText("Evidence: what you found on the file, and where")
        self.evidence.textChanged.connect(self._on_evidence)
        grid.addWidget(self.evidence, 1, 0)
        grid.addLayout(self._tools(), 1, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.guidance, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def _answers(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        for number, option in enumerate(self.question.scale, start=1):
            button = QRadioButton(f"{number} {option['label']}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card takes the digit keys
            button.setAccessibleName(f"{option['label']} for question {self.question.key}")
            self._buttons.addButton(button, number - 1)
            row.addWidget(button)
        self._buttons.idClicked.connect(self._on_button)
        return row

    def _tools(self) -> QHBoxLayout:
        key = self.question.key
        row = QHBoxLayout()
        row.setSpacing(4)
        self.previous_label = QLabel()
        self.previous_label.setAccessibleName(f"Previous audit's answer to question {key}")
        self.previous_label.hide()
        row.addWidget(self.previous_label)
        row.addStretch(1)
        self.guidance_button = self._tool("Guidance", f"Show guidance for question {key} (G)")
        self.guidance_button.setCheckable(True)
        self.guidance_button.setEnabled(bool(self.question.guidance))
        self.guidance_button.toggled.connect(self.guidance.setVisible)
        self.action_button = self._tool("Action…", f"Raise an action on question {key} (A)")
        self.action_button.clicked.connect(
            lambda: self.action_requested.emit(self.question.id))
        self.clear_button = self._tool("Clear", f"Clear the answer to question {key} (0)")
        self.clear_button.clicked.connect(lambda: self._request(None))
        for button in (self.guidance_button, self.action_button, self.clear_button):
            row.addWidget(button)
        return row

    @staticmethod
    def _tool(text: str, name: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card's keys do the same
        button.setAutoRaise(True)
        return button

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

    def show_previous(self, answer: EarlierAnswer | None, when: str) -> None:
        """The previous audit's answer beside this one (``when``: that audit's date)."""
        self.previous = answer
        if answer is None:
            self.previous_label.hide()
        else:
            said = answer.label or "not answered"
            self.previous_label.setText(f"<i>Last audit: {said}</i>")
            self.previous_label.setToolTip(f"Audit of {when}: {said}"
                                           + (f"\n{answer.evidence}" if answer.evidence else ""))
            self.previous_label.show()
        self._update_accessible_description()

    def set_read_only(self, read_only: bool) -> None:
        """Lock the card (a submitted audit)."""
        for button in self._buttons.buttons():
            button.setEnabled(not read_only)
        self.clear_button.setEnabled(not read_only)
        self.action_button.setEnabled(not read_only)
        self.evidence.setReadOnly(read_only)

    @property
    def needs_evidence(self) -> bool:
        """The chosen answer needs an evidence note and there is none."""
        return (self.response in self.question.evidence_required
                and not self.evidence.toPlainText().strip())

    def _on_evidence(self) -> None:
        self._refresh_evidence_hint()
        self.evidence_edited.emit(self.question.id, self.evidence.toPlainText())

    def _refresh_evidence_hint(self) -> None:
        """Outline the evidence box, and say so, while the answer needs a note it lacks."""
        needs = self.needs_evidence
        self.evidence.setStyleSheet(NEEDS_EVIDENCE_STYLE if needs else "")
        self.evidence.setPlaceholderText(
            "This answer needs an evidence note: what you found, and where" if needs
            else "Evidence: what you found on the file, and where")
        self.evidence.setAccessibleDescription("An evidence note is needed." if needs else "")

    def _update_accessible_description(self) -> None:
        option = self.question.option(self.response)
        answer = option["label"] if option else "not answered"
        before = ""
        if self.previous is not None:
            before = f" Last audit: {self.previous.label or 'not answered'}."
        last = len(self.question.scale)
        self.setAccessibleDescription(f"{self.question.text} Answer: {answer}.{before} "
                                      + KEYS_HELP.format(last=last))

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
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not plain:
            super().keyPressEvent(event)
            return
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
        elif key == Qt.Key.Key_A and self.action_button.isEnabled():
            self.action_requested.emit(self.question.id)
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
