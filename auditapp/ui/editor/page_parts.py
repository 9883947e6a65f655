"""What the editor's pages have in common: the page itself, and the pieces of their forms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QScrollArea, QSizePolicy, QWidget


class EditorPage(QWidget):
    """One page of the editor's stack; read-only while the user may not edit the audit."""

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control (a page with nothing to edit need not override this)."""

    def focus_first(self) -> None:
        """Put the keyboard where work on the page starts: by default its first control
        in the Tab order."""
        widget = self.nextInFocusChain()
        while widget is not self and widget is not None:
            if (self.isAncestorOf(widget) and widget.isVisibleTo(self) and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()


def heading(text: str, detail: str = "") -> QLabel:
    """A page's title, with a line on what the page is for."""
    label = QLabel(f"<h2 style='margin:0'>{text}</h2>"
                   + (f"<p style='margin-top:4px'>{detail}</p>" if detail else ""))
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def text_box(name: str, lines: int = 4) -> QPlainTextEdit:
    """A text box ``lines`` high that Tab leaves (a tab is never typed into a note)."""
    box = QPlainTextEdit()
    box.setAccessibleName(name)
    box.setTabChangesFocus(True)
    box.setMinimumHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


class GrowingTextBox(QPlainTextEdit):
    """A text box one line high until it is used, growing with what is typed (up to
    ``max_lines``, then it scrolls); Tab leaves it."""

    def __init__(self, name: str, max_lines: int = 8) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setTabChangesFocus(True)
        self._max_lines = max_lines
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def lines(self) -> int:
        """How many lines the text takes at the box's width (wrapped lines count)."""
        return max(1, int(self.document().documentLayout().documentSize().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A narrower box wraps the note onto more lines: its height follows."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def _fit(self) -> None:
        shown = min(self.lines(), self._max_lines)
        margins = self.contentsMargins()
        # One pixel more than the lines take: Qt scrolls a box whose lines fill it exactly,
        # which showed a scroll bar beside a single line.
        height = (shown * self.fontMetrics().lineSpacing()
                  + 2 * int(self.document().documentMargin())
                  + margins.top() + margins.bottom() + 1)
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)


def set_text_quietly(box: QPlainTextEdit, text: str) -> None:
    """Show ``text`` without emitting an edit (used when a page is filled)."""
    box.blockSignals(True)
    box.setPlainText(text)
    box.blockSignals(False)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter focuses ``buddy`` (a row that is a layout needs one)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def scroll_area(body: QWidget) -> QScrollArea:
    """A frameless area that scrolls ``body`` up and down as the page grows; the keyboard
    passes through it to the controls inside."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    area.setWidget(body)
    return area
