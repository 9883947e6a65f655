"""What the editor's pages have in common: the page itself, and the pieces of their forms."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QScrollArea, QWidget


class EditorPage(QWidget):
    """One page of the editor's stack; read-only while the user may not edit the audit."""

    def set_read_only(self, read_only: bool) -> None:
        """Lock every control (a page with nothing to edit need not override this)."""


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
    """A frameless area that scrolls ``body`` up and down as the page grows."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(body)
    return area
