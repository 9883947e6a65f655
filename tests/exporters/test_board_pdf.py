"""The board pack: figures against the database, suppression, and no identifiers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from auditapp.errors import UserError
from auditapp.exporters.board_pdf import export_board_pack
from auditapp.rules.grades import Grade
from auditapp.services import demo
from auditapp.services.audits.editing import AuditChanges, load_audit, save_changes, submit_audit
from auditapp.services.reporting.board_figures import (
    board_figures,
    board_pack,
    default_period,
    disclosure_model,
)
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.engine import Database
from tests.builders import ALEX, DEMO_END, LEAD, answer_all, make_audit

PERIOD = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
O, G, RI, I = (Grade.OUTSTANDING, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _graded(db: Database, template_id: int, reference: str, day: date, grade: Grade) -> None:
    """A submitted audit of the small template with the given overall grade."""
    audit = make_audit(db, template_id, reference, day, worker="Sam Worker")
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    suggested = load_audit(db, audit, LEAD).suggested_grade
    sections = {s.key: s.id for s in load_audit(db, audit, LEAD).template.sections}
    from auditapp.services.audits.editing import JudgementChange

    save_changes(db, audit, AuditChanges(
        judgements={s: JudgementChange(s, G, "") for s in sections.values()
                    if s != sections["C"]},
        overall=(grade, "" if grade == suggested else "Because of the impact seen."),
        narrative={"strengths": f"Strength noted for {reference}."}), ALEX)
    submit_audit(db, audit, ALEX)


@pytest.fixture
def small_period(db: Database, small_template_id: int) -> Database:
    """15 audits from January to June 2026 (2 Outstanding, 8 Good, 5 RI) and 6 Good ones in
    the six months before."""
    grades = [O, O, G, G, G, G, G, G, G, G, RI, RI, RI, RI, RI]
    for i, grade in enumerate(grades):
        _graded(db, small_template_id, f"CL-{i:02d}", date(2026, 1 + i % 6, 10), grade)
    for i in range(6):
        _graded(db, small_template_id, f"OLD-{i}", date(2025, 8 + i % 4, 3), G)
    return db


def test_small_counts_are_withheld_and_cannot_be_worked_out(small_period: Database,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    # 2 Outstanding is withheld; Good (8) too, or Good or better (10, shown) would give it.
    assert "Outstanding <5 c Good c c" in text
    assert "Good or better 10 67%" in text and "All audits 15 100%" in text
    assert "Numbers from 1 to 4 are shown as <5" in text
    figures = board_figures(small_period, PERIOD, 5, PERIOD.date_to)
    pack = board_pack(figures)
    assert disclosure_model(figures).worked_out(set(pack.withheld())) == set()
    assert pack.count("overall", Grade.OUTSTANDING.label) == "<5"


def test_the_threshold_can_be_raised(small_period: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, threshold=10, today=PERIOD.date_to))
    text = _pdf_text(out)
    assert "Numbers from 1 to 9 are shown as <10" in text
    assert "Outstanding <10" in text and "Requires improvement to be good <10" in text


def test_summary_figures_match_the_database(demo_db: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    progress = list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    assert progress[-1] == (4, 4)
    text = _pdf_text(out)
    counts = grade_counts(demo_db, PERIOD.date_from, PERIOD.date_to)
    previous = grade_counts(demo_db, date(2025, 7, 1), date(2025, 12, 31))
    good = counts.by_grade["Good"] + counts.by_grade["Outstanding"]
    assert f"Audits completed {counts.audits} previous period {previous.audits}" in text
    assert f"Good or better {round(100 * good / counts.audits)}%" in text
    assert f"All audits {counts.audits} 100%" in text
    reader = PdfReader(out)
    assert reader.metadata.title == ("Case file audits: report to the board, "
                                     "1 Jan 2026 to 30 Jun 2026")
    assert f"Page 1 of {len(reader.pages)}" in reader.pages[0].extract_text()


def test_the_pack_holds_no_identifiers_names_or_free_text(demo_db: Database,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(demo_db, out, PERIOD, today=DEMO_END))
    text = _pdf_text(out)
    assert "DEMO-" not in text
    assert not re.search(r"\bPA [A-Z]\b", text)  # allocated workers' names
    forbidden = (*demo.AUDITORS, *demo.MODERATORS, *demo.TEAMS, *demo.STRENGTHS,
                 *demo.AREAS, *demo.VOICES, *demo.ACTION_TEXTS,
                 *(e for texts in demo.EVIDENCE.values() for e in texts),
                 "Evidence supports a different grade.", "Grade adjusted: see evidence notes.",
                 "Best fit across the file", "Done and recorded on the file.",
                 "Young person moved out of area.")
    found = [phrase for phrase in forbidden if phrase in text]
    assert found == []


def test_free_text_of_a_small_period_stays_out(small_period: Database, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    list(export_board_pack(small_period, out, PERIOD, today=PERIOD.date_to))
    text = _pdf_text(out)
    for phrase in ("CL-0", "OLD-", "Alex", "Sam Worker", "Strength noted", "Because of the "
                   "impact", "Evidence for"):
        assert phrase not in text, phrase


def test_a_period_with_too_few_audits_is_refused(db: Database, small_template_id: int,
                                                 tmp_path: Path) -> None:
    for i, grade in enumerate((G, G, RI)):
        _graded(db, small_template_id, f"CL-{i}", date(2026, 2, 1), grade)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UserError, match="Only 3 audits in the period 1 Jan 2026 to 30 Jun "
                                        "2026: fewer than the suppression threshold of 5"):
        list(export_board_pack(db, folder / "pack.pdf", PERIOD))
    with pytest.raises(UserError, match="No audits submitted"):
        list(export_board_pack(db, folder / "pack.pdf", ReportScope(date(2020, 1, 1),
                                                                     date(2020, 6, 30))))
    assert list(folder.iterdir()) == []


def test_cancelling_the_pack_leaves_nothing(demo_db: Database, tmp_path: Path) -> None:
    progress = export_board_pack(demo_db, tmp_path / "pack.pdf", PERIOD, today=DEMO_END)
    assert next(progress) == (1, 4)
    progress.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("end", "start"), [
    (date(2026, 6, 30), date(2026, 1, 1)),
    (date(2026, 6, 15), date(2025, 12, 16)),
    (date(2026, 8, 30), date(2026, 2, 28)),
])
def test_the_default_period_is_the_six_months_to_the_end(end: date, start: date) -> None:
    assert default_period(date(2030, 1, 1), None, end) == ReportScope(start, end)


def test_the_previous_period_has_the_same_length() -> None:
    assert PERIOD.previous() == ReportScope(date(2025, 7, 1), date(2025, 12, 31))
    odd = ReportScope(date(2026, 1, 10), date(2026, 1, 19))
    assert odd.previous() == ReportScope(date(2025, 12, 31), date(2026, 1, 9))
