"""A board report's settings: its period, scope, threshold, title, committee and meeting,
author and protective marking; to start a report, or to change a draft's."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
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
from auditapp.rules.limits import DEFAULT_THRESHOLD, MAX_THRESHOLD, MIN_THRESHOLD
from auditapp.rules.markings import MARKINGS, MEANINGS, OFFICIAL_SENSITIVE
from auditapp.rules.permissions import Actor
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.board_reports import (
    ReportRow,
    ReportSettings,
    change_settings,
    start_report,
)
from auditapp.services.reporting.figures import list_teams
from auditapp.services.template_list import list_templates
from auditapp.storage.engine import Database
from auditapp.ui.widgets.dates import DateField, date_edit, picked_date
from auditapp.ui.widgets.keys import enter_presses

ALL = "All"


class NewReportDialog(QDialog):
    """Asks for a report's settings and starts it; :attr:`started` is the new report. With
    ``draft`` (read at ``revision``), changes that draft's settings instead."""

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None,
                 draft: ReportRow | None = None, revision: int = 0) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.draft = draft
        self.revision = revision
        self.started: ReportRow | None = None
        self.setWindowTitle("Report settings" if draft else "New board report")
        period = default_period(date.today(), None, None)
        form = QFormLayout()
        self.title = self._line(form, "&Title:", "Report title",
                                "Case file audits of care leavers' pathway plans")
        self.date_from = self._date(form, "&From:", "First day of the period",
                                    period.date_from or date.today())
        self.date_to = self._date(form, "T&o:", "Last day of the period",
                                  period.date_to or date.today())
        self.team = self._combo(form, "Te&am:", "Team", [ALL, *list_teams(db)])
        templates = sorted({t.key for t in list_templates(db, include_retired=True)})
        self.template = self._combo(form, "Tem&plate:", "Template", [ALL, *templates])
        self.committee = self._line(form, "&Committee:", "Committee or board",
                                    "Corporate Parenting Partnership Board")
        self.meeting = self._date(form, "&Meeting date:", "Meeting date", date.today())
        self.author = self._line(form, "A&uthor:", "Report author", actor.name)
        self.marking = self._combo(form, "Mar&king:", "Protective marking",
                                   [f"{m} \u2013 {MEANINGS[m]}" for m in MARKINGS])
        self.marking.setCurrentIndex(MARKINGS.index(OFFICIAL_SENSITIVE))
        self.threshold = QSpinBox()
        self.threshold.setRange(MIN_THRESHOLD, MAX_THRESHOLD)
        self.threshold.setValue(DEFAULT_THRESHOLD)
        self.threshold.setAccessibleName("Suppression threshold")
        form.addRow(self._label("&Withhold counts below:", self.threshold), self.threshold)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #9c2a00")
        self.problem.setAccessibleName("Problem")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = buttons.addButton("&Save settings" if draft else "&Start report",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self._start)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        enter_presses(self, self.start_button)  # once the buttons are the dialog's
        if draft is not None:
            self._show(draft.settings)

    def _show(self, settings: ReportSettings) -> None:
        """Fill the fields with a draft's settings."""
        self.title.setText(settings.title)
        for edit, day in ((self.date_from, settings.date_from), (self.date_to, settings.date_to),
                          (self.meeting, settings.meeting_date)):
            edit.setDate(QDate(day.year, day.month, day.day))
        for combo, value in ((self.team, settings.team), (self.template, settings.template_key)):
            if value is not None and combo.findText(value) < 0:
                combo.addItem(value)
            combo.setCurrentIndex(0 if value is None else combo.findText(value))
        self.committee.setText(settings.committee)
        self.author.setText(settings.author)
        self.marking.setCurrentIndex(MARKINGS.index(settings.marking))
        self.threshold.setValue(settings.threshold)

    def _label(self, text: str, field: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(field)
        return label

    def _line(self, form: QFormLayout, label: str, name: str, value: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setAccessibleName(name)
        form.addRow(self._label(label, edit), edit)
        return edit

    def _date(self, form: QFormLayout, label: str, name: str, value: date) -> DateField:
        edit = date_edit(name, QDate(value.year, value.month, value.day))
        form.addRow(self._label(label, edit), edit)
        return edit

    def _combo(self, form: QFormLayout, label: str, name: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.addItems(items)
        combo.setAccessibleName(name)
        form.addRow(self._label(label, combo), combo)
        return combo

    def settings(self) -> ReportSettings:
        """The settings as entered."""
        def chosen(combo: QComboBox) -> str | None:
            return None if combo.currentIndex() == 0 else combo.currentText()

        return ReportSettings(
            self.title.text(), picked_date(self.date_from), picked_date(self.date_to),
            self.committee.text(), picked_date(self.meeting), self.author.text(),
            MARKINGS[self.marking.currentIndex()], self.threshold.value(),
            chosen(self.team), chosen(self.template))

    def _start(self) -> None:
        try:
            self.started = start_report(self.db, self.settings(), self.actor) \
                if self.draft is None else change_settings(
                    self.db, self.draft.id, self.settings(), self.revision, self.actor)
        except UserError as exc:
            self.problem.setText(str(exc))
            return
        self.accept()
