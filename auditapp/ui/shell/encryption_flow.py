"""Encrypting the database from the desktop, and changing its passphrase.

Both work on the closed file (the domain takes the instance lock), so the app closes its
windows, releases the database, does the work and opens the database again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from auditapp.errors import UserError
from auditapp.storage.encryption import change_passphrase, confirm_encryption, encrypt_database
from auditapp.ui.widgets import alerts


@dataclass(frozen=True)
class PassphraseChange:
    """What the user asked for: encrypt a plain database, or change the passphrase."""

    new: str
    old: str | None = None  # None: the database is plain now


def apply_change(path: Path, change: PassphraseChange, confirm_now: bool) -> str | None:
    """Do the change on the closed database; returns the passphrase that now opens it, or
    None when it failed (the user has been told, and the database is as it was).

    ``confirm_now`` deletes the plain copy at once (a new, empty database has nothing in it
    worth keeping); otherwise the user is asked once the encrypted database has opened.
    """
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        if change.old is None:
            encrypt_database(path, change.new)
            if confirm_now:
                confirm_encryption(path, change.new)
        else:
            change_passphrase(path, change.old, change.new)
    except UserError as exc:
        QApplication.restoreOverrideCursor()
        alerts.warn(None, "Passphrase not changed", str(exc))
        return change.old
    QApplication.restoreOverrideCursor()
    return change.new


def offer_to_delete_plain_copies(path: Path, passphrase: str) -> None:
    """Once an encrypted database has opened, offer to delete its unencrypted backups."""
    if not alerts.ask(None, "Delete the unencrypted copies?",
                      "The encrypted database has opened. Delete the unencrypted copy and "
                      "every unencrypted backup of it now? Keep them only until you are sure "
                      "the passphrase is safe.", yes="Delete them", no="Keep for now"):
        return
    try:
        confirm_encryption(path, passphrase)
    except UserError as exc:
        alerts.warn(None, "Copies not deleted", str(exc))
