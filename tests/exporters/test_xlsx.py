"""The Excel workbook, read back with openpyxl and checked against the database."""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select

import auditapp
from auditapp.checklists.format import load_template_text
from auditapp.errors import UserError
from auditapp.exporters.xlsx import check_sheet_sizes, export_workbook, read_manifest
from auditapp.models import Action, ActionStatus, Answer, Audit, Template
from auditapp.rules.grades import GRADE_LABELS
from auditapp.services.reporting.figures import ReportScope, scoped_audits
from auditapp.services.reporting.stats import grade_counts
from auditapp.services.reporting.workbook_rows import RowCounts
from auditapp.services.shipped_templates import shipped_template_texts
from auditapp.storage.engine import Database

PERIOD = ReportScope(date(2025, 7, 1), date(2026, 6, 30))
AS_AT = date(2026, 6, 30)
GRADE_WORDS = {*GRADE_LABELS.values(), "Not graded"}


def _export(db: Database, out: Path, scope: ReportScope = PERIOD) -> list[tuple[int, int]]:
    return list(export_workbook(db, out, scope, today=AS_AT))


def _block(sheet: Worksheet, title: str) -> list[tuple[object, ...]]:
    """The rows of a summary table, from the header whose first cell is ``title`` to the
    first empty row."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    block = []
    for row in rows[start + 1:]:
        if row[0] is None:
            break
        block.append(row)
    return block


@pytest.fixture(scope="module")
def workbook_file(tmp_path_factory: pytest.TempPathFactory, demo_db_file: Path) -> Path:
    from auditapp.storage.database import open_database

    out = tmp_path_factory.mktemp("xlsx") / "findings.xlsx"
    db = open_database(demo_db_file)
    progress = _export(db, out)
    db.dispose()
    assert progress[-1][0] == progress[-1][1]
    assert all(a[0] <= b[0] for a, b in zip(progress, progress[1:], strict=False))
    return out


def test_summary_reproduces_stats_for_the_period(workbook_file: Path, demo_db: Database
                                                 ) -> None:
    summary = load_workbook(workbook_file)["Summary"]
    block = _block(summary, "Final grade")
    expected = grade_counts(demo_db, PERIOD.date_from, PERIOD.date_to)
    assert {row[0]: row[1] for row in block[:-1]} == expected.by_grade
    assert block[-1][:2] == ("Total", expected.audits)
    assert block[1][2] == pytest.approx(expected.by_grade["Good"] / expected.audits)


def test_every_table_of_the_summary_adds_up_and_has_a_native_chart(workbook_file: Path
                                                                   ) -> None:
    summary = load_workbook(workbook_file)["Summary"]
    total = _block(summary, "Final grade")[-1][1]
    for title in ("Team", "Quarter"):
        rows = _block(summary, title)
        assert sum(row[6] for row in rows) == total
        assert all(sum(row[1:6]) == row[6] for row in rows)
    sections = _block(summary, "Section")
    assert sections[0][0].startswith("S1 ")
    with zipfile.ZipFile(workbook_file) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
    tables = [row[0] for row in summary.iter_rows(values_only=True)
              if row[0] in ("Final grade", "Team", "Quarter", "Section", "Line of enquiry")]
    assert len(charts) == len(tables) >= 5
    assert drawing.count("<c:chart ") == len(charts)


def test_audits_sheet_has_real_dates_grade_words_and_the_counted_audits(
        workbook_file: Path, demo_db: Database) -> None:
    sheet = load_workbook(workbook_file)["Audits"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == grade_counts(demo_db, PERIOD.date_from, PERIOD.date_to).audits
    column = {name: header.index(name) for name in header}
    assert all(isinstance(r[column["Audit date"]], datetime) for r in rows)
    assert sheet.cell(2, column["Audit date"] + 1).number_format == "dd/mm/yyyy"
    assert {r[column["Final grade"]] for r in rows} <= GRADE_WORDS
    assert {r[column["Status"]] for r in rows} <= {"submitted", "moderated", "closed"}
    assert all(r[column["Case reference"]].startswith("DEMO-") for r in rows)
    first = min(r[column["Audit date"]] for r in rows).date()
    assert first >= PERIOD.date_from
    moderated = [r for r in rows if r[column["Moderated grade"]]]
    assert all(r[column["Final grade"]] == r[column["Moderated grade"]] for r in moderated)


def test_data_sheets_freeze_the_header_filter_and_fit_widths(workbook_file: Path) -> None:
    book = load_workbook(workbook_file)
    for name in ("Audits", "Answers", "Actions"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" \
            f"{sheet.max_row}"
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert len(cell.value) < width <= 62, (name, cell.value, width)


def test_answers_join_to_audits_one_row_per_answered_question(workbook_file: Path,
                                                              demo_db: Database) -> None:
    book = load_workbook(workbook_file, read_only=True)
    audit_ids = {r[0] for r in book["Audits"].iter_rows(min_row=2, values_only=True)}
    answers = list(book["Answers"].iter_rows(min_row=2, values_only=True))
    with demo_db.transaction() as session:
        expected = session.scalar(select(func.count()).select_from(Answer).where(
            Answer.audit_id.in_(scoped_audits(PERIOD)), Answer.response.is_not(None)))
    assert len(answers) == expected
    assert {a[0] for a in answers} == audit_ids
    labels = {option.label for name, text in shipped_template_texts().items()
              for section in load_template_text(text, name).sections
              for question in section.questions for option in question.scale}
    assert {a[6] for a in answers} <= labels  # answers read as words, never codes
    assert any(a[4] == "S1.1" and a[5].startswith("The young person's legal status")
               for a in answers)


def test_actions_flag_open_actions_past_their_due_date(workbook_file: Path,
                                                       demo_db: Database) -> None:
    sheet = load_workbook(workbook_file)["Actions"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    overdue = {r[0] for r in rows if r[header.index("Overdue")] == "Yes"}
    with demo_db.transaction() as session:
        expected = set(session.scalars(select(Action.id).where(
            Action.audit_id.in_(scoped_audits(PERIOD)), Action.status == ActionStatus.OPEN,
            Action.due_date < AS_AT)))
        raised = session.scalar(select(func.count()).select_from(Action).where(
            Action.audit_id.in_(scoped_audits(PERIOD))))
    assert len(rows) == raised
    assert overdue == expected and overdue
    flagged = next(r for r in range(2, sheet.max_row + 1)
                   if sheet.cell(r, header.index("Overdue") + 1).value == "Yes")
    assert sheet.cell(flagged, header.index("Overdue") + 1).fill.fgColor.rgb.endswith("D73027")
    assert isinstance(sheet.cell(flagged, header.index("Due date") + 1).value, datetime)


def test_team_and_template_narrow_the_export(tmp_path: Path, demo_db: Database) -> None:
    scope = ReportScope(PERIOD.date_from, PERIOD.date_to, "Leaving Care North",
                        "pathway-plan-quality")
    _export(demo_db, tmp_path / "north.xlsx", scope)
    book = load_workbook(tmp_path / "north.xlsx")
    rows = list(book["Audits"].iter_rows(min_row=2, values_only=True))
    assert rows
    assert {(r[4], r[9]) for r in rows} == {("Leaving Care North", "pathway-plan-quality")}
    assert _block(book["Summary"], "Final grade")[-1][1] == len(rows)


def test_a_period_without_audits_is_a_clear_error_and_writes_nothing(
        tmp_path: Path, demo_db: Database) -> None:
    out = tmp_path / "empty.xlsx"
    with pytest.raises(UserError, match="No audits submitted, moderated or closed in the "
                                        "period 1 Jan 2030 to 31 Dec 2030"):
        _export(demo_db, out, ReportScope(date(2030, 1, 1), date(2030, 12, 31)))
    assert list(tmp_path.iterdir()) == []


def test_cancelling_leaves_nothing_and_keeps_an_earlier_file(
        tmp_path: Path, demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # A temporary folder of this test's own: other processes' openpyxl files come and go in
    # the machine's.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "findings.xlsx"
    out.write_bytes(b"last month's export")
    progress = export_workbook(demo_db, out, PERIOD, today=AS_AT)
    next(progress)
    written = [f for f in tmp_path.iterdir() if f != scratch]
    assert len(written) == 2  # the target and the file being written
    assert list(scratch.glob("openpyxl.*"))  # the write-only sheets' own temporary files
    progress.close()
    assert sorted(tmp_path.iterdir()) == [out, scratch]
    assert out.read_bytes() == b"last month's export"
    assert list(scratch.iterdir()) == []


def test_more_rows_than_a_sheet_holds_is_refused() -> None:
    check_sheet_sizes(RowCounts(10_000, 1_048_575, 20_000))
    with pytest.raises(UserError, match="1,048,576 answers, more than an Excel sheet holds"):
        check_sheet_sizes(RowCounts(10_000, 1_048_576, 20_000))


def test_the_manifest_sheet_names_every_audit_counted_and_how_it_was_made(
        workbook_file: Path, demo_db: Database) -> None:
    """Read back with openpyxl: the Manifest sheet's facts, and its audits, which must be
    exactly the audits the period counts (the Audits sheet's too), at their revisions, on the
    template versions listed; the same as the JSON manifest in the document properties."""
    workbook = load_workbook(workbook_file)
    assert workbook.sheetnames[-1] == "Manifest"
    rows = list(workbook["Manifest"].iter_rows(values_only=True))
    blank = rows.index((None, None, None))
    facts: dict[str, list[str]] = {}
    for name, value, _ in rows[:blank]:
        facts.setdefault(str(name), []).append(str(value))
    assert rows[blank + 1] == ("Audit ID", "Uid", "Revision")
    listed = [tuple(r) for r in rows[blank + 2:]]

    with demo_db.transaction() as session:
        counted = session.execute(
            select(Audit.id, Audit.uid, Audit.revision, Template.key, Template.version,
                   Template.content_hash)
            .join(Template, Template.id == Audit.template_id)
            .where(Audit.id.in_(scoped_audits(PERIOD)))).all()
    assert listed == sorted((a, u, r) for a, u, r, *_ in counted)
    audit_ids = [r[0] for r in workbook["Audits"].iter_rows(min_row=2, values_only=True)]
    assert sorted(audit_ids) == [a for a, _, _ in listed]
    assert sorted(facts["Template version"]) == sorted(
        {f"{k} version {v} ({h})" for *_, k, v, h in counted})
    assert facts["What"] == ["Case file audit findings workbook"]
    assert facts["auditapp"] == [auditapp.__version__]
    assert facts["Period"] == [PERIOD.period_text()]
    assert facts["Team"] == ["all teams"] and facts["Template"] == ["all templates"]
    assert facts["Actions overdue as at"] == [AS_AT.isoformat()]

    manifest = read_manifest(workbook_file)
    assert [(a.id, a.uid, a.revision) for a in manifest.audits] == listed
    assert facts["Manifest (SHA-256)"] == [manifest.digest]
    assert facts["Figures (SHA-256)"] == [manifest.figures_hash]
    assert facts["History head"] == [f"{manifest.history_seq} {manifest.history_hash}"]
    assert facts["Produced (UTC)"] == [manifest.produced_at.isoformat(sep=" ")]
    assert manifest.scope.date_from == PERIOD.date_from
    assert manifest.scope.date_to == PERIOD.date_to
