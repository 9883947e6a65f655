"""Date fields show dates in the house form that every text uses."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from auditapp.rules.wording import day_text
from auditapp.ui.widgets.dates import DATE_FORMAT, date_edit


def test_a_date_field_reads_like_the_text_around_it(qtbot: QtBot) -> None:
    for day in (date(2026, 1, 5), date(2025, 12, 31)):
        assert QDate(day).toString(DATE_FORMAT) == day_text(day)
    edit = date_edit("Audit date", QDate(2026, 1, 5))
    qtbot.addWidget(edit)
    assert edit.displayFormat() == DATE_FORMAT
