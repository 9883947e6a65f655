"""The exports read through the services without ever opening a session inside another."""

from __future__ import annotations

from pathlib import Path

from auditapp.exporters import audit_pdf, board_pdf, xlsx
from auditapp.services.audits.editing import list_audits
from auditapp.services.reporting.board_figures import default_period
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from tests.builders import DEMO_END, LEAD, NestingGuard


def test_every_export_runs_one_session_at_a_time(demo_db: Database, guard: NestingGuard,
                                                 tmp_path: Path) -> None:
    list(xlsx.export_workbook(demo_db, tmp_path / "findings.xlsx", ReportScope(), DEMO_END))
    list(audit_pdf.export_audit_pdf(demo_db, list_audits(demo_db, LEAD)[0].id,
                                    tmp_path / "feedback.pdf", LEAD))
    list(board_pdf.export_board_pack(demo_db, tmp_path / "board.pdf",
                                     default_period(DEMO_END, None, None), today=DEMO_END))
    assert guard.opened > 10
    assert guard.nested == [], "\n".join(guard.nested)
