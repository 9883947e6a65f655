"""The live preview's HTML: built from plain data, every typed word escaped (a report's words
are text, never markup), the figures' state said, the marking and draft shown."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtWidgets import QTextBrowser
from pytestqt.qtbot import QtBot

from auditapp.exporters.report_preview import preview_html
from auditapp.services.reporting.board_reports import (
    NOT_WRITTEN,
    ReportRow,
    ReportSettings,
)

SETTINGS = ReportSettings("Audits <i>H1</i>", date(2026, 1, 1), date(2026, 6, 30),
                          "Board & friends", date(2026, 7, 21), "Lee", "OFFICIAL", 5)
ROW = ReportRow(1, SETTINGS, {}, 1, "Lee", datetime(2026, 7, 1), None, None, None, None)


def test_typed_markup_is_shown_as_text(qtbot: QtBot) -> None:
    words = {"summary": "<b>not bold</b> <a href='x'>no link</a> <img src='file:///etc'>",
             "recommendations": "- <script>one</script>\n- two"}
    html = preview_html(ROW, words, "Council <u>", "Only 3 audits in the period.")
    assert "<b>not bold</b>" not in html and "<img" not in html and "<script>" not in html
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(html)
    shown = browser.toPlainText()
    assert "<b>not bold</b> <a href='x'>no link</a>" in shown
    assert "<script>one</script>" in shown and "Audits <i>H1</i>" in shown
    assert "Council <u>" in shown and "Board & friends" in shown
    assert "Only 3 audits in the period." in shown and "OFFICIAL · DRAFT" in shown
    assert NOT_WRITTEN in shown  # key messages, not written yet


def test_the_figures_are_said_to_be_read_until_they_are(qtbot: QtBot) -> None:
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(preview_html(ROW, {}, "", None))
    assert "Reading the figures" in browser.toPlainText()
