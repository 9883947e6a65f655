"""Asking for a passphrase: to open or unlock an encrypted database, or to choose a new one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.storage.database import verify_passphrase
from auditapp.storage.encryption import check_new_passphrase

#: Returns None when the passphrase will do, or the message to show under the field.
Check = Callable[[str], str | None]


class PassphraseDialog(QDialog):
    """One field (``confirm=False``) to unlock, or two to choose a new passphrase.

    ``check`` runs on OK; the dialog closes only when it returns None, and otherwise shows its
    message and stays open, so a wrong passphrase is said plainly and can be tried again.
    """

    def __init__(self, title: str, message: str, check: Check, confirm: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._check = check
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit() if confirm else None
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a4262c")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Passphrase", self.field)
        if self.again is not None:
            self.again.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow("Again", self.again)
        layout = QVBoxLayout(self)
        text = QLabel(message)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def passphrase(self) -> str:
        """What was typed."""
        return self.field.text()

    def _try_accept(self) -> None:
        if self.again is not None and self.again.text() != self.field.text():
            self.error.setText("The two passphrases differ.")
            return
        problem = self._check(self.field.text())
        if problem is not None:
            self.error.setText(problem)
            self.field.selectAll()
            self.field.setFocus()
            return
        self.accept()


def unlock_check(path: Path) -> Check:
    """A check that accepts only the passphrase that opens the database at ``path``."""
    def check(passphrase: str) -> str | None:
        if verify_passphrase(path, passphrase):
            return None
        return "That passphrase does not open this database. Nothing has been changed."
    return check


def new_passphrase_check(passphrase: str) -> str | None:
    """The rules for a new passphrase, as a dialog check."""
    try:
        check_new_passphrase(passphrase)
    except UserError as exc:
        return str(exc)
    return None


def ask_to_unlock(path: Path, parent: QWidget | None = None) -> str | None:
    """Ask for the passphrase of ``path`` until it is right; None if the user cancels."""
    dialog = PassphraseDialog("auditapp is locked",
                              f"Enter the passphrase of {path.name} to go on.",
                              unlock_check(path), parent=parent)
    return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_new_passphrase(parent: QWidget | None = None) -> str | None:
    """Ask for a new passphrase, twice; None if the user cancels."""
    dialog = PassphraseDialog(
        "Choose a passphrase",
        "The database and its backups will be encrypted with this passphrase. Without it "
        "nobody, including you, can read them: keep it safe.",
        new_passphrase_check, confirm=True, parent=parent)
    return dialog.passphrase() if dialog.exec() == QDialog.DialogCode.Accepted else None
