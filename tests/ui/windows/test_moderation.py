"""Moderation on the desktop: blind first, then side by side; samples; return for rework."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import load_audit
from auditapp.services.moderation import list_samples
from auditapp.storage.engine import Database
from auditapp.ui.widgets import alerts
from auditapp.ui.windows.moderation import ModerateAuditWindow, ModerationWindow, SampleDialog
from tests.builders import LEAD, MO, submitted_audit


def test_the_queue_shows_no_grades(qtbot: QtBot, db: Database, small_template_id: int) -> None:
    submitted_audit(db, small_template_id)
    window = ModerationWindow(db, MO)
    qtbot.addWidget(window)
    assert window.table.rowCount() == 1
    cells = [window.table.item(0, c).text() for c in range(window.table.columnCount())]
    assert not any(g.label in cells for g in Grade)
    assert not window.sample_button.isEnabled()  # only a lead draws samples


def test_blind_then_compare_then_finish(qtbot: QtBot, db: Database,
                                        small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    window = ModerateAuditWindow(db, audit, MO)
    qtbot.addWidget(window)
    html = window.evidence.toPlainText()
    assert "Good" not in html  # the auditor's grades are not on the page
    assert window.steps.currentIndex() == 0
    window.record_blind()
    assert window.message.text() == "Give your overall grade first."
    for combo in window.blind_combos.values():
        combo.set_grade(int(Grade.GOOD))
    window.blind_overall.set_grade(int(Grade.REQUIRES_IMPROVEMENT))
    window.record_blind()
    assert window.steps.currentIndex() == 1
    overall_row = window.compare.rowCount() - 1
    assert window.compare.item(overall_row, 2).text() == "Good"  # auditor's, now shown
    assert window.compare.item(overall_row, 3).text() == "Requires improvement to be good"
    grade, final, reason = window.rows[-1]
    final.set_grade(int(Grade.REQUIRES_IMPROVEMENT))
    window.finish()
    assert "Give a reason" in window.message.text()
    reason.setText("Contingency planning is generic")
    with qtbot.waitSignal(window.moderated):
        window.finish()
    document = load_audit(db, audit)
    assert document.status == "moderated"
    assert document.final_grade == Grade.REQUIRES_IMPROVEMENT
    assert document.overall_grade == Grade.GOOD


def test_a_lead_draws_a_sample_and_returns_an_audit(qtbot: QtBot, db: Database,
                                                    small_template_id: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    audits = [submitted_audit(db, small_template_id, f"C-{n}") for n in range(5)]
    window = ModerationWindow(db, LEAD)
    qtbot.addWidget(window)

    def choose(dialog: SampleDialog) -> int:
        dialog.sample_size.setValue(2)
        dialog.seed.setText("2026")
        return 1

    monkeypatch.setattr(SampleDialog, "exec", choose)
    window.draw()
    (sample,) = list_samples(db)
    assert (sample.size, sample.seed) == (2, 2026)
    assert "seed 2026" in window.samples.text()
    assert [window.table.item(r, 0).text() for r in range(5)].count("yes") == 2
    window.table.selectRow(0)
    monkeypatch.setattr(alerts, "ask_text", lambda *a: "Evidence is missing for A.2")
    returned = window.selected()
    assert returned is not None
    window.return_selected()
    assert load_audit(db, returned.audit_id).returned_comment == "Evidence is missing for A.2"
    assert window.table.rowCount() == 4
    assert set(audits) >= {r.audit_id for r in window.rows}
