"""Every question and message the app puts to the user goes through here, so that tests
can answer them by patching one module."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget


def ask(parent: QWidget | None, title: str, text: str, *, yes: str = "Yes",
        no: str = "Cancel") -> bool:
    """A yes/no question; True for yes."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button)
    box.exec()
    return box.clickedButton() is yes_button


def warn(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    """Tell the user something went wrong and what to do."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """Tell the user something they should know."""
    QMessageBox.information(parent, title, text)


def pick_open_path(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """A file to read, or None if the user cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def pick_save_path(parent: QWidget | None, title: str, suggested: str,
                   filters: str) -> Path | None:
    """A file to write, or None if the user cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def ask_text(parent: QWidget | None, title: str, label: str) -> str | None:
    """A few lines of text from the user, or None if they cancelled."""
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    return text if ok else None
