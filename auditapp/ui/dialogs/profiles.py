"""Local profiles: who uses auditapp on this laptop, and in which role."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.models import Role
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.services.users import list_users, save_user
from auditapp.storage.engine import Database


class ProfilesDialog(QDialog):
    """Lists the profiles; a practice lead can add one or change a role."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.setWindowTitle("Profiles")
        layout = QVBoxLayout(self)
        self.profiles = QListWidget()
        self.profiles.setAccessibleName("Profiles")
        layout.addWidget(self.profiles)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        form.addRow("&Name:", self.name)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.value.capitalize(), role)
        self.role.setAccessibleName("Role")
        form.addRow("&Role:", self.role)
        self.save_button = QPushButton("&Add or change profile")
        form.addRow(self.save_button)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        may_manage = allowed(actor, Permission.MANAGE_USERS)
        for widget in (self.name, self.role, self.save_button):
            widget.setEnabled(may_manage)
        if not may_manage:
            self.message.setText("Only a practice lead can add profiles or change roles.")
        self.save_button.clicked.connect(self.save)
        self.profiles.currentTextChanged.connect(self._pick)
        self.reload()

    def reload(self) -> None:
        """List the profiles."""
        self.profiles.clear()
        for profile in list_users(self.db):
            self.profiles.addItem(f"{profile.name} — {profile.role.value}")

    def _pick(self, text: str) -> None:
        name, _, role = text.partition(" — ")
        self.name.setText(name)
        index = self.role.findData(Role(role)) if role else -1
        if index >= 0:
            self.role.setCurrentIndex(index)

    def save(self) -> None:
        """Add the profile, or change the role of the one with that name."""
        try:
            saved = save_user(self.db, self.name.text(), Role(self.role.currentData()),
                              self.actor)
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Saved {saved.name} as {saved.role.value}.")
        self.reload()
