"""Settings kept in the database (a practice lead's): the council's name, printed on board
reports, and the idle time before the app locks."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.limits import TITLE_CHARS
from auditapp.rules.permissions import Actor
from auditapp.services import settings
from auditapp.storage.engine import Database
from auditapp.ui.widgets.keys import enter_presses


class SettingsDialog(QDialog):
    """The council's name and the idle lock; Save writes both."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle("Settings")
        form = QFormLayout()
        self.council = QLineEdit(settings.council_name(db))
        self.council.setMaxLength(TITLE_CHARS)
        self.council.setAccessibleName("Council name")
        self.council.setPlaceholderText("for example Example Borough Council")
        label = QLabel("&Council:")
        label.setBuddy(self.council)
        form.addRow(label, self.council)
        form.addRow(QLabel("Printed on the cover of board reports and the front sheet of "
                           "their Word edition."))
        self.idle = QSpinBox()
        self.idle.setRange(settings.MIN_IDLE_LOCK_MINUTES, settings.MAX_IDLE_LOCK_MINUTES)
        self.idle.setValue(settings.idle_lock_minutes(db))
        self.idle.setSuffix(" minutes")
        self.idle.setAccessibleName("Lock after idle minutes")
        idle_label = QLabel("&Lock after:")
        idle_label.setBuddy(self.idle)
        form.addRow(idle_label, self.idle)
        form.addRow(QLabel("The idle lock (of an encrypted database) takes the new time when "
                           "the app next opens."))
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #9c2a00")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        enter_presses(self, self.save_button)

    def _save(self) -> None:
        try:
            settings.set_council_name(self.db, self.council.text(), self.actor)
            settings.set_idle_lock_minutes(self.db, self.idle.value(), self.actor)
        except UserError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
