"""The first run: who you are, where the data lives, and demo data or a clean start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from auditapp.models import Role
from auditapp.rules.permissions import Actor

#: The roles a person can pick for themselves at first run.
FIRST_RUN_ROLES = (Role.AUDITOR, Role.MODERATOR, Role.PRACTICE_LEAD, Role.PEER_REVIEWER)
DEMO_AUDITS = 300


class FirstRunDialog(QDialog):
    """Asks for the user's name and role; offers demo data when the database is empty."""

    def __init__(self, db_path: Path | str, known: list[Actor], offer_demo: bool,
                 parent: QWidget | None = None, offer_encryption: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to auditapp")
        layout = QVBoxLayout(self)
        self.intro = QLabel(
            "<h2>Welcome to auditapp</h2>"
            "<p>Case file audits of care leavers' pathway plans, on this computer, with no "
            "network. Every answer is saved as you go.</p>"
            f"<p>Your audits are kept in this file:<br><code>{db_path}</code></p>"
            "<p>It holds information about young people: keep this computer encrypted "
            "and locked, and never copy the file to an unencrypted drive.</p>")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems([a.name for a in known])
        self.name.setCurrentText(known[0].name if known else "")
        self.name.setAccessibleName("Your name")
        line = self.name.lineEdit()
        assert line is not None  # an editable combo box has its line edit
        line.setPlaceholderText("Your name, as it should appear on audits")
        form.addRow("Your &name:", self.name)
        self.role = QComboBox()
        for role in FIRST_RUN_ROLES:
            self.role.addItem(role.value.capitalize(), role)
        self.role.setAccessibleName("Your role")
        form.addRow("Your &role:", self.role)
        layout.addLayout(form)
        self.known = {a.name: a.role for a in known}
        self.name.currentTextChanged.connect(self._on_name)
        self._on_name(self.name.currentText())
        self.start_empty = QRadioButton("Start &empty: I will import my sample of cases")
        self.load_demo = QRadioButton(
            f"Load &demo data: {DEMO_AUDITS} invented audits to try things out")
        group = QButtonGroup(self)
        group.addButton(self.start_empty)
        group.addButton(self.load_demo)
        self.start_empty.setChecked(True)
        if offer_demo:
            layout.addWidget(self.start_empty)
            layout.addWidget(self.load_demo)
        else:
            self.start_empty.hide()
            self.load_demo.hide()
        self.encrypt = QCheckBox("En&crypt this database with a passphrase (recommended on a "
                                 "laptop: without it a lost laptop's audits can be read)")
        self.encrypt.setChecked(offer_encryption)
        self.encrypt.setVisible(offer_encryption)
        layout.addWidget(self.encrypt)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _on_name(self, name: str) -> None:
        role = self.known.get(name.strip())
        if role is not None:
            self.role.setCurrentIndex(self.role.findData(role))

    def chosen(self) -> tuple[str, Role]:
        """The name chosen or entered, and the role."""
        return " ".join(self.name.currentText().split()), Role(self.role.currentData())

    def _accept(self) -> None:
        if not self.chosen()[0]:
            self.message.setText("Enter your name.")
            self.name.setFocus()
            return
        self.accept()
