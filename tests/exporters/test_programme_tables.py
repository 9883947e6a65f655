"""Completed against planned and the next audit programme, as both editions print them:
written by the real exporters, read back by pypdf and python-docx."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from auditapp.errors import UserError
from auditapp.exporters.board_docx import export_board_docx
from auditapp.exporters.board_pdf import export_board_pack, rebuild_board_pack
from auditapp.inputs.board_words import parse_board_words
from auditapp.rules.grades import Grade
from auditapp.services.programme import PlannedLine, set_planned
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from tests.builders import LEAD, ROOT, graded_audit, make_audit

H1 = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
PRODUCED = datetime(2026, 7, 1, 9, 0)
KEY = "small-test"


@pytest.fixture
def planned(db: Database, small_template_id: int) -> Database:
    """North plans 3 a quarter and completes 2 in each; South plans 2 in Q1 and completes
    1; a South draft of February is past due at 30 June; North plans 5 for Q3."""
    for period, team, count in (((date(2026, 1, 1), date(2026, 3, 31)), "North", 3),
                                ((date(2026, 4, 1), date(2026, 6, 30)), "North", 3),
                                ((date(2026, 1, 1), date(2026, 3, 31)), "South", 2),
                                ((date(2026, 7, 1), date(2026, 9, 30)), "North", 5)):
        set_planned(db, PlannedLine(*period, team, KEY, count), LEAD)
    for i, day in enumerate((date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1),
                             date(2026, 5, 1))):
        graded_audit(db, small_template_id, f"N-{i}", day, Grade.GOOD)
    graded_audit(db, small_template_id, "S-1", date(2026, 2, 1), Grade.GOOD, team="South")
    make_audit(db, small_template_id, "D-1", date(2026, 2, 2), team="South")
    return db


def test_the_pdf_prints_completed_against_planned_and_the_next_programme(
        planned: Database, small_template_id: int, tmp_path: Path) -> None:
    out = tmp_path / "board.pdf"
    list(export_board_pack(planned, out, H1, threshold=3, today=H1.date_to,
                           produced_at=PRODUCED))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]
    summary = next(p for p in pages if "1. Summary Audits submitted" in p)
    assert "Audit programme 5 of 8 planned audits completed; <3 drafts past their due date" \
        in summary
    section = next(p for p in pages if "Completed against planned" in p
                   and "Drafts past due" in p)
    # South's 1 is withheld, and North's 4 with it (the total less 4 would give it away).
    assert "North Small test checklist 6 c \u2013" in section
    assert "South Small test checklist 2 <3 \u2013" in section
    assert "All planned 8 5 <3" in section
    following = next(p for p in pages if "The next audit programme" in p)
    # The heading, its words and its table on one page.
    assert "Audits planned for 1 Jul 2026 to 31 Dec 2026." in following
    assert "1 Jul 2026 to 30 Sep 2026 North Small test checklist 5" in following
    outline = [item.title for item in PdfReader(out).outline if not isinstance(item, list)]
    nested = [i.title for item in PdfReader(out).outline if isinstance(item, list)
              for i in item if not isinstance(i, list)]
    assert {"Completed against planned", "The next audit programme"} <= {*outline, *nested}


def test_the_word_edition_has_both_tables_with_marked_header_rows(
        planned: Database, small_template_id: int, tmp_path: Path) -> None:
    example = ROOT / "docs" / "board-words.example.yaml"
    words = parse_board_words(example.read_text(encoding="utf-8"), str(example))
    out = tmp_path / "board.docx"
    list(export_board_docx(planned, out, H1, words, threshold=3, today=H1.date_to,
                           produced_at=PRODUCED))
    document = Document(str(out))
    tables = {t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")): t
              for t in document.tables}
    completed = tables["Audits completed against the audit programme, by team and template"]
    rows = [[c.text for c in row.cells] for row in completed.rows]
    # South's 1 is withheld, so North's 4 is too (5 less 4 would give it away); the two
    # drafts past due in all are below 3, so not broken down by team.
    assert rows == [["Team", "Template", "Planned", "Completed", "Drafts past due"],
                    ["North", "Small test checklist", "6", "c", "\u2013"],
                    ["South", "Small test checklist", "2", "<3", "\u2013"],
                    ["All planned", "", "8", "5", "<3"]]
    header = completed.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    following = tables["Audits planned for 1 Jul 2026 to 31 Dec 2026"]
    assert [[c.text for c in row.cells] for row in following.rows][1] == [
        "1 Jul 2026 to 30 Sep 2026", "North", "Small test checklist", "5"]
    assert following.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Audit programme: 5 of 8 planned audits completed; <3 drafts past their due date" \
        in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings.index("Completed against planned") + 1 == headings.index(
        "The next audit programme")


def test_no_programme_no_section(db: Database, small_template_id: int, tmp_path: Path
                                 ) -> None:
    for i in range(3):
        graded_audit(db, small_template_id, f"N-{i}", date(2026, 2, 1), Grade.GOOD)
    out = tmp_path / "board.pdf"
    list(export_board_pack(db, out, H1, threshold=3, today=H1.date_to, produced_at=PRODUCED))
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Completed against planned" not in text and "Audit programme" not in text



def test_a_released_pack_is_not_rebuilt_once_its_programme_changed(
        planned: Database, tmp_path: Path) -> None:
    """The programme is not sealed into the history, but a released pack's figures are in
    its manifest: rebuilt after the programme changed, the figures differ and the release
    register refuses it."""
    released = tmp_path / "released.pdf"
    list(export_board_pack(planned, released, H1, threshold=3, today=H1.date_to,
                           produced_at=PRODUCED, release=LEAD))
    list(rebuild_board_pack(planned, released, tmp_path / "same.pdf", LEAD))
    assert (tmp_path / "same.pdf").read_bytes() == released.read_bytes()
    set_planned(planned, PlannedLine(date(2026, 1, 1), date(2026, 3, 31), "North", KEY, 30),
                LEAD)
    with pytest.raises(UserError, match="Not released"):
        list(rebuild_board_pack(planned, released, tmp_path / "changed.pdf", LEAD))
    assert not (tmp_path / "changed.pdf").exists()
