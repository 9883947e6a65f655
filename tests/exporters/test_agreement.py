"""Moderation agreement in the findings workbook and the board pack (never by auditor)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from auditapp.exporters.board_pdf import export_board_pack
from auditapp.exporters.xlsx import export_workbook
from auditapp.services.moderation import agreement_figures
from auditapp.services.reporting.board_figures import board_figures, board_pack
from auditapp.services.reporting.board_findings import agreement_share
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from tests.builders import DEMO_END

PERIOD = ReportScope(date(2025, 7, 1), date(2026, 6, 30))


def test_workbook_summary_has_the_agreement_figures(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "findings.xlsx"
    list(export_workbook(demo_db, out, PERIOD, DEMO_END))
    rows = list(load_workbook(out, read_only=True)["Summary"].iter_rows(values_only=True))
    figures = agreement_figures(demo_db, PERIOD.date_from, PERIOD.date_to)
    (overall,) = [r for r in rows if r and r[0] == "All moderated audits"]
    assert overall[1:4] == (figures.audits, figures.moderated, figures.overall.pairs)
    assert overall[6] == pytest.approx(figures.overall.kappa)
    assert overall[4] == pytest.approx(figures.overall.exact_share)
    assert any(r and r[0] == "Moderation agreement by section" for r in rows)


def test_board_pack_has_agreement_but_no_auditor(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    figures = agreement_figures(demo_db, PERIOD.date_from, PERIOD.date_to)
    pack = board_pack(board_figures(demo_db, PERIOD, 5, DEMO_END))
    assert "Agreement beyond chance" in " ".join(text.split())
    # Raised and lowered are below 5 and withheld: the overall kappa (40 pairs) is left out,
    # since even a reader who knew the table of pairs must not narrow them.
    moderation = pack.figures.current.moderation
    assert 0 < moderation.raised < 5 and 0 < moderation.lowered < 5
    assert not pack.agreement_printed()
    assert f"{figures.overall.kappa:.2f} (n = {figures.overall.pairs})" not in text
    printed = [s for s in figures.sections if pack.section_agreement_printed(
        s.template_key, s.section_key, s.agreement.pairs)]
    assert printed and len(printed) < len(figures.sections)
    for section in printed:
        assert f"{section.agreement.kappa:.2f} (n = {section.agreement.pairs})" in text
    for auditor in figures.auditors:
        assert auditor.auditor not in text


@pytest.mark.parametrize(("part", "whole", "shown"), [
    (10, 12, "\u2013"),  # 2 disagreements would show
    (3, 20, "\u2013"),   # 3 agreements would show
    (0, 20, "0%"),      # zero is not a small count
    (20, 20, "100%"),
    (15, 20, "75%"),
    (0, 0, "\u2013"),
])
def test_agreement_shares_never_reveal_small_counts(part: int, whole: int, shown: str) -> None:
    assert agreement_share(part, whole, 5) == shown
