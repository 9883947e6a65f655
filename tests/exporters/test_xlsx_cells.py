"""Free text in the findings workbook: never a formula, never a crash, never cut silently;
read back by openpyxl and opened by LibreOffice."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditapp.exporters.xlsx import export_workbook
from auditapp.rules.cells import CONTINUED, CONTINUES
from auditapp.rules.limits import LONG_TEXT_CHARS
from auditapp.services.audits.editing import (
    ActionInput,
    AnswerChange,
    AuditChanges,
    JudgementChange,
    add_action,
    load_audit,
    submit_audit,
)
from auditapp.services.audits.editing import save_changes as save
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, as_a_reader_sees_it, make_audit, text_cells

DAY = date(2026, 3, 2)
HOSTILE = ["=1+1", '=HYPERLINK("http://example.org/x","click")', "+44 20 7946 0000",
           "-2", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "#N/A", "line one\x0bline two",
           "bell\x07", "=cmd|' /C calc'!A0"]
NUMBERS = itertools.count(1)


def _submitted(db: Database, template_id: int, evidence: str, action: str, owner: str,
               team: str = "North") -> int:
    """A submitted audit of the small template with ``evidence`` on every answer needing
    it and one action; returns its id."""
    audit = make_audit(db, template_id, f"CL-{next(NUMBERS)}", DAY, team=team)
    document = load_audit(db, audit, LEAD)
    questions = {q.key: q.id for s in document.template.sections for q in s.questions}
    sections = {s.key: s.id for s in document.template.sections}
    codes = {"A.1": "Y", "A.2": "P", "A.3": "M", "B.1": "Y", "B.2": "N"}
    save(db, audit, AuditChanges(answers={
        questions[k]: AnswerChange(questions[k], c, evidence) for k, c in codes.items()}), ALEX)
    suggestions = {s: j.suggested for s, j in load_audit(db, audit, LEAD).judgements.items()}
    save(db, audit, AuditChanges(judgements={
        sections[k]: JudgementChange(sections[k], suggestions[sections[k]], "")
        for k in ("A", "B")}), ALEX)
    suggested = load_audit(db, audit, LEAD).suggested_grade
    save(db, audit, AuditChanges(overall=(suggested, "")), ALEX)
    add_action(db, audit, ActionInput(action, owner, date(2026, 4, 1)), ALEX)
    submit_audit(db, audit, ALEX)
    return audit


def _export(db: Database, out: Path) -> Path:
    list(export_workbook(db, out, ReportScope(DAY, DAY), DAY))
    return out


def _check_every_cell(path: Path, stored: set[str]) -> list[str]:
    """No cell of the workbook is a formula or an error value, and every text is either
    text the database holds, as a reader sees it, or visibly marked. Returns every text."""
    book = load_workbook(path)
    texts: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate,
                                                          cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    readable = {as_a_reader_sees_it(s) for s in stored}
    for value in stored:
        if len(value) < 30_000:
            assert as_a_reader_sees_it(value) in texts, value
    return [t for t in texts if t in readable or CONTINUES in t or t.startswith(CONTINUED)]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_reaches_the_workbook_as_text(db: Database, small_template_id: int,
                                                   tmp_path: Path, text: str) -> None:
    _submitted(db, small_template_id, text, text, text.strip())
    path = _export(db, tmp_path / "findings.xlsx")
    _check_every_cell(path, {text, text.strip()})
    answers = load_workbook(path)["Answers"]
    (evidence,) = {c.value for c in answers["H"][1:]}
    quoted = {c.quotePrefix for c in answers["H"][1:]}
    assert evidence == as_a_reader_sees_it(text)
    assert quoted == {text.startswith(("=", "+", "-", "@", "\t", "\r"))}


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1,
                        max_size=60), min_size=3, max_size=3))
def test_any_free_text_is_stored_as_text(db: Database, small_template_id: int,
                                         tmp_path_factory: pytest.TempPathFactory,
                                         texts: list[str]) -> None:
    # Blank evidence, action or owner would stop the submission, not the export.
    evidence, action, owner = (t if t.strip() else "x" + t for t in texts)
    audit = _submitted(db, small_template_id, evidence, action, owner[:120])
    path = _export(db, tmp_path_factory.mktemp("cells") / "findings.xlsx")
    document = load_audit(db, audit, LEAD)
    stored = {a.evidence for a in document.answers.values()} | {
        a.text for a in document.actions} | {a.owner for a in document.actions}
    _check_every_cell(path, stored - {""})


def test_evidence_longer_than_a_cell_continues_in_marked_columns(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    # As long as evidence may be (100,000 characters): four cells' worth.
    evidence = "".join(f"Evidence sentence {i}. " for i in range(5_000))[:LONG_TEXT_CHARS]
    action = "=" + "a" * 40_000
    _submitted(db, small_template_id, evidence, action, "Team manager")
    book = load_workbook(_export(db, tmp_path / "findings.xlsx"))
    answers = book["Answers"]
    header = [c.value for c in answers[1]]
    assert header[7:] == ["Evidence", "Evidence (continued)", "Evidence (continued 2)",
                          "Evidence (continued 3)"]
    parts = [c.value for c in answers[2][7:]]
    assert "".join(p.removeprefix(CONTINUED).removesuffix(CONTINUES) for p in parts) \
        == evidence
    actions = book["Actions"]
    header = [c.value for c in actions[1]]
    first = header.index("Action")
    assert header[first + 1] == "Action (continued)"
    parts = [c.value for c in actions[2][first:first + 2]]
    assert actions.cell(2, first + 1).data_type == "s"
    assert "".join(p.removeprefix(CONTINUED).removesuffix(CONTINUES) for p in parts) == action


def test_the_summary_shows_when_it_was_produced_not_the_as_at_date(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    _submitted(db, small_template_id, "Seen", "Do it", "PA A")
    summary = load_workbook(_export(db, tmp_path / "findings.xlsx"))["Summary"]
    produced = next(c.value for c in summary["A"] if str(c.value).startswith("Produced on"))
    assert f"{date.today():%-d %b %Y}" in produced
    assert "Actions are counted as overdue as at 2 Mar 2026" in produced


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice is not installed (Debian: "
                                                "libreoffice-calc-nogui; .ci/run installs it)")
def test_libreoffice_evaluates_no_formula(db: Database, small_template_id: int,
                                          tmp_path: Path) -> None:
    for text in HOSTILE:
        _submitted(db, small_template_id, text, text, text.strip(), team=text.strip())
    path = _export(db, tmp_path / "findings.xlsx")
    sheets = text_cells(LIBREOFFICE, path, tmp_path)
    answers = [row[7] for row in sheets["Answers"][1:]]
    assert sorted(answers) == sorted(as_a_reader_sees_it(t) for t in HOSTILE for _ in "ABCDE")
    teams = {row[4] for row in sheets["Audits"][1:]}
    assert teams == {as_a_reader_sees_it(t.strip()) for t in HOSTILE}
    everything = [v for rows in sheets.values() for row in rows for v in row]
    assert "click" not in everything  # the HYPERLINK's text, had it run
    assert not [v for v in everything if v.startswith("Err:") or v == "#NAME?"]

