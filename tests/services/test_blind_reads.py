"""Blind means blind on every read path: a moderator who has not recorded their blind grades
for a submitted audit sees none of the auditor's grades, grade comments or rationale
anywhere (the list, the editor, the history and its CSV, the reports and their drill-down,
the exports, their bundle), and sees them everywhere once their blind grades are in.

Each read path is walked before and after; a practice lead sees every grade throughout.
Recording the blind grades changes no count: the final grade changes only when the
moderation is finalised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from auditapp.errors import UserError
from auditapp.exporters.audit_pdf import export_audit_pdf
from auditapp.exporters.xlsx import export_workbook
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import (
    AuditChanges,
    list_audits,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.history import WITHHELD, audit_history, write_history_csv
from auditapp.services.moderation import (
    finalise_moderation,
    load_for_moderation,
    record_blind_grades,
)
from auditapp.services.reporting.board_figures import board_figures
from auditapp.services.reporting.figures import (
    FigureCell,
    ReportScope,
    audits_behind,
    period_figures,
)
from auditapp.services.reporting.stats import grade_counts
from auditapp.services.sync import bundles
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO, complete_audit, make_audit, submitted_audit

pytestmark = pytest.mark.both_backends

RATIONALE = "Best fit: the plan is thin on contingency."
PERIOD = (date(2026, 1, 1), date(2026, 12, 31))


@dataclass
class Seen:
    """What a reader sees of the audit on every read path."""

    listed: tuple[int | None, int | None, int | None, bool]
    document: tuple[int | None, int | None, str, tuple[int | None, ...], bool]
    history: list[tuple[str, str | None]]
    behind_good: bool  # the audit is behind the dashboard's "Good" bar
    counted: int  # audits the reader's figures count
    workbook: list[object]  # the audit's row in the Excel export, or [] if left out
    csv: str


def _graded_and_submitted(db: Database, template: int) -> int:
    audit = make_audit(db, template, "B-1")
    complete_audit(db, audit)
    # Requires improvement against a suggested Good, with a rationale: all of it withheld.
    save_changes(db, audit, AuditChanges(overall=(Grade.REQUIRES_IMPROVEMENT, RATIONALE)), ALEX)
    submit_audit(db, audit, ALEX)
    return audit


def _seen(db: Database, audit: int, reader: Actor, folder: Path) -> Seen:
    (row,) = list_audits(db, reader, [audit])
    document = load_audit(db, audit, reader)
    history = [(r.what, r.new_value) for r in audit_history(db, audit, reader)
               if r.entity in ("judgement", "audit")]
    scope = ReportScope(*PERIOD, reader=reader)
    figures = period_figures(db, scope, PERIOD[1])
    out = folder / f"findings-{reader.id}-{len(list(folder.iterdir()))}.xlsx"
    list(export_workbook(db, out, scope, PERIOD[1]))
    sheet = load_workbook(out, read_only=True)["Audits"]
    row_cells = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)
                 if r[1] == "B-1"]
    csv = write_history_csv(audit_history(db, audit, reader), folder / f"h-{reader.id}.csv")
    return Seen(
        (row.overall_grade, row.suggested_grade, row.moderated_grade, row.grades_withheld),
        (document.overall_grade, document.suggested_grade, document.grade_rationale,
         tuple(j.grade for j in document.judgements.values()), document.grades_withheld),
        history,
        audit in audits_behind(db, scope, FigureCell(grade=Grade.REQUIRES_IMPROVEMENT.label)),
        figures.overall.total,
        row_cells[0] if row_cells else [],
        csv.read_text(encoding="utf-8-sig"))


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    other = submitted_audit(db, small_template_id, "B-0")  # graded blind already: it shows
    record_blind_grades(db, other, MO, {}, Grade.GOOD)
    return _graded_and_submitted(db, small_template_id)


def test_every_read_path_withholds_until_the_blind_grades_then_shows(
        db: Database, audit: int, tmp_path: Path) -> None:
    before = _seen(db, audit, MO, tmp_path)
    assert before.listed == (None, None, None, True)
    assert before.document == (None, None, "", (None, None, None), True)
    assert all(value in (None, WITHHELD) for what, value in before.history
               if what.startswith(("judgement", "audit overall", "audit grade")))
    assert ("audit grade_rationale", WITHHELD) in before.history
    assert RATIONALE not in before.csv and "Requires improvement" not in before.csv
    assert not before.behind_good and before.counted == 1 and before.workbook == []
    with pytest.raises(UserError, match="withheld from you until you record your blind"):
        list(export_audit_pdf(db, audit, tmp_path / "feedback.pdf", MO))
    assert not (tmp_path / "feedback.pdf").exists()
    moderated = load_for_moderation(db, audit, MO)
    assert moderated.overall_grade is None and moderated.grade_rationale == ""

    lead = _seen(db, audit, LEAD, tmp_path)  # a practice lead is never kept blind
    assert lead.listed[0] == Grade.REQUIRES_IMPROVEMENT and lead.counted == 2
    assert lead.behind_good and RATIONALE in lead.csv

    record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    after = _seen(db, audit, MO, tmp_path)
    assert after.listed == (Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, None, False)
    assert after.document[:3] == (Grade.REQUIRES_IMPROVEMENT, Grade.GOOD, RATIONALE)
    assert ("audit grade_rationale", RATIONALE) in after.history
    assert RATIONALE in after.csv
    assert after.behind_good and after.counted == 2 and after.workbook
    list(export_audit_pdf(db, audit, tmp_path / "feedback.pdf", MO))
    assert "Requires improvement" in "".join(
        page.extract_text() for page in PdfReader(tmp_path / "feedback.pdf").pages)


def test_a_moderators_bundle_holds_only_what_they_may_see(db: Database, audit: int,
                                                          tmp_path: Path) -> None:
    path = bundles.run_export(db, tmp_path / "before.auditbundle", MO).path
    before = [e["snapshot"]["case"]["reference"] for e in bundles.open_bundle(path).audits]
    assert before == ["B-0"]  # the one they graded blind; not the one they have yet to
    record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    path = bundles.run_export(db, tmp_path / "after.auditbundle", MO).path
    after = {e["snapshot"]["case"]["reference"]: e for e in bundles.open_bundle(path).audits}
    assert sorted(after) == ["B-0", "B-1"]
    assert after["B-1"]["snapshot"]["audit"]["overall_grade"] == Grade.REQUIRES_IMPROVEMENT


def test_a_lead_exporting_leaves_nothing_out(db: Database, audit: int, tmp_path: Path) -> None:
    path = bundles.run_export(db, tmp_path / "lead.auditbundle", LEAD).path
    assert len(bundles.open_bundle(path).audits) == 2


def test_blind_grades_change_no_count_until_the_moderation_is_finalised(
        db: Database, audit: int) -> None:
    counted = grade_counts(db, *PERIOD).by_grade
    record_blind_grades(db, audit, MO, {}, Grade.INADEQUATE)
    assert grade_counts(db, *PERIOD).by_grade == counted  # the auditor's grade still counts
    (row,) = list_audits(db, LEAD, [audit])
    assert row.moderated_grade is None and row.final_grade == Grade.REQUIRES_IMPROVEMENT
    assert load_audit(db, audit, LEAD).final_grade == Grade.REQUIRES_IMPROVEMENT
    finalise_moderation(db, audit, MO, {}, (Grade.INADEQUATE, "Contingency is missing"))
    assert load_audit(db, audit, LEAD).final_grade == Grade.INADEQUATE
    assert grade_counts(db, *PERIOD).by_grade[Grade.INADEQUATE.label] == 1


def test_the_board_pack_counts_the_audit_only_after_the_blind_grades(
        db: Database, audit: int, small_template_id: int) -> None:
    for n in range(2, 6):  # with B-0, five audits the moderator has graded blind
        other = submitted_audit(db, small_template_id, f"B-{n}")
        record_blind_grades(db, other, MO, {}, Grade.GOOD)
    scope = ReportScope(*PERIOD, reader=MO)
    before = board_figures(db, scope, 5, PERIOD[1])
    assert before.current.overall.total == 5
    assert before.current.overall.counts[Grade.REQUIRES_IMPROVEMENT.label] == 0
    record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    after = board_figures(db, scope, 5, PERIOD[1])
    assert after.current.overall.total == 6
    assert after.current.overall.counts[Grade.REQUIRES_IMPROVEMENT.label] == 1
