"""Importing a sample of cases: all rows or none, every bad cell named by row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from auditapp.errors import PermissionDeniedError, UserError, ValidationError
from auditapp.models import CareLeaverCategory
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import list_audits
from auditapp.services.cases import (
    CaseInput,
    import_cases,
    list_cases,
    start_audit_for_new_case,
)
from auditapp.services.templates import set_template_retired
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO

pytestmark = pytest.mark.both_backends

GOOD_CSV = """reference,category,uasc,age,team,worker,audit date,auditor
CL-1001,eligible,no,16,North,PA A,2026-02-01,Alex Morgan
CL-1002,Former Relevant,yes,19,UASC Team,PA B,03/02/2026,
CL-1003,qualifying,,,South,,,
"""


def _write(tmp_path: Path, text: str, name: str = "sample.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_creates_cases_and_draft_audits(db: Database, small_template_id: int,
                                                  tmp_path: Path) -> None:
    result = import_cases(db, _write(tmp_path, GOOD_CSV), small_template_id, LEAD,
                          default_auditor="Priya Shah", default_date=date(2026, 3, 1))
    assert (result.rows, result.cases_created, result.audits_created) == (3, 3, 3)
    cases = {c.reference: c for c in list_cases(db)}
    assert cases["CL-1002"].category == "former relevant" and cases["CL-1002"].uasc
    assert cases["CL-1001"].age_at_audit == 16
    audits = {a.case_reference: a for a in list_audits(db, LEAD)}
    assert audits["CL-1001"].auditor == "Alex Morgan"
    assert audits["CL-1002"].audit_date == date(2026, 2, 3)  # UK day/month order
    assert audits["CL-1003"].auditor == "Priya Shah"
    assert audits["CL-1003"].audit_date == date(2026, 3, 1)
    assert all(a.status == "draft" for a in audits.values())


def test_xlsx_import_with_real_dates(db: Database, small_template_id: int,
                                    tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Case reference", "Category", "UASC", "Age", "Team", "Audit date"])
    sheet.append(["CL-2001", "relevant", "Yes", 17, "North", date(2026, 1, 15)])
    sheet.append([None] * 6)
    sheet.append(["CL-2002", "eligible", "No", 16.0, "South", None])
    path = tmp_path / "sample.xlsx"
    workbook.save(path)
    result = import_cases(db, path, small_template_id, LEAD, default_auditor="Alex",
                          default_date=date(2026, 3, 1))
    assert result.rows == 2
    audits = {a.case_reference: a for a in list_audits(db, LEAD)}
    assert audits["CL-2001"].audit_date == date(2026, 1, 15)


def test_bad_rows_are_all_named_and_nothing_is_imported(db: Database, small_template_id: int,
                                                       tmp_path: Path) -> None:
    text = """reference,category,uasc,age,audit date
CL-1,eligible,no,16,2026-01-01
,relevant,no,17,2026-01-01
CL-3,relevent,no,17,2026-01-01
CL-4,eligible,maybe,12,2026-31-01
Jane Smith,eligible,no,16,
CL-1,qualifying,no,18,
"""
    with pytest.raises(ValidationError) as caught:
        import_cases(db, _write(tmp_path, text), small_template_id, LEAD, default_auditor="Alex")
    assert caught.value.problems == [
        "row 3, column A (reference): missing reference",
        "row 4, column B (category): unknown category 'relevent' (expected one of: eligible, "
        "relevant, former relevant, qualifying)",
        "row 5, column C (uasc): 'maybe' is not yes or no",
        "row 5, column D (age): 12 is not an age from 16 to 25",
        "row 5, column E (audit_date): '2026-31-01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "row 6, column A (reference): 'Jane Smith' is not a case reference (letters, digits, "
        "'/', '_', '.', '-', no spaces, at most 40; use the pseudonymous reference, never a name)",
        "row 7, column A (reference): 'CL-1' is already on row 2",
    ]
    assert "nothing was imported" in caught.value.summary
    assert list_cases(db) == [] and list_audits(db, LEAD) == []


def test_header_problems(db: Database, small_template_id: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        import_cases(db, _write(tmp_path, "ref,colour\nX,blue\n"), small_template_id, LEAD, "Alex")
    assert caught.value.problems == [
        "row 1, column B: unknown column 'colour' (expected: reference, category, uasc, age, "
        "team, worker, audit_date, auditor)",
        "row 1: the required column 'category' is missing",
    ]


def test_missing_auditor_is_a_row_problem(db: Database, small_template_id: int,
                                         tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        import_cases(db, _write(tmp_path, "reference,category\nX-1,eligible\n"),
                     small_template_id, LEAD)
    assert caught.value.problems == [
        "row 2 (auditor): no auditor given (add an 'auditor' column or name one for the whole "
        "import)"]


def test_wrong_file_kinds(db: Database, small_template_id: int, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="only"):
        import_cases(db, _write(tmp_path, "x", "sample.txt"), small_template_id, LEAD, "Alex")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(UserError, match="cannot be read"):
        import_cases(db, fake, small_template_id, LEAD, "Alex")
    with pytest.raises(UserError, match="empty"):
        import_cases(db, _write(tmp_path, "\n\n"), small_template_id, LEAD, "Alex")


def test_existing_case_is_reused_for_a_re_audit(db: Database, small_template_id: int,
                                               tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD_CSV)
    import_cases(db, path, small_template_id, LEAD, "Alex")
    result = import_cases(db, path, small_template_id, LEAD, "Alex")
    assert (result.cases_created, result.cases_updated) == (0, 3)
    assert len(list_cases(db)) == 3 and len(list_audits(db, LEAD)) == 6


printable = st.characters(exclude_categories=("Cc", "Cs"))
cells = st.one_of(st.none(), st.text(printable, max_size=12), st.integers(-5, 40),
                  st.dates(date(1990, 1, 1), date(2040, 1, 1)))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=0, max_size=9), min_size=1, max_size=6))
def test_random_sheets_import_fully_or_not_at_all(db: Database, small_template_id: int,
                                                 tmp_path_factory: pytest.TempPathFactory,
                                                 rows: list[list[object]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["reference", "category", "uasc", "age", "team", "worker", "audit date",
                  "auditor"])
    for row in rows:
        sheet.append(row)
    path = tmp_path_factory.mktemp("fuzz") / "sample.xlsx"
    workbook.save(path)
    before = len(list_audits(db, LEAD))
    try:
        result = import_cases(db, path, small_template_id, LEAD, "Alex")
    except UserError:
        assert len(list_audits(db, LEAD)) == before
    else:
        assert len(list_audits(db, LEAD)) == before + result.rows


# --- a new case and its first audit ---------------------------------------------------------


def _new_case(reference: str = "CL-77") -> CaseInput:
    return CaseInput(reference, CareLeaverCategory.RELEVANT, uasc=True, team="North")


def test_a_new_case_and_its_audit_start_together(db: Database, small_template_id: int) -> None:
    audit = start_audit_for_new_case(db, _new_case(), small_template_id, "Alex",
                                     date(2026, 3, 1), ALEX)
    (row,) = list_audits(db, LEAD)
    assert (row.id, row.case_reference, row.team, row.uasc, row.status) == (
        audit, "CL-77", "North", True, "draft")
    assert [c.reference for c in list_cases(db)] == ["CL-77"]


@pytest.mark.parametrize(("auditor", "actor", "refusal"), [
    ("Alex", MO, PermissionDeniedError),  # a moderator may not start audits
    ("Bea", ALEX, PermissionDeniedError),  # an auditor starts only their own
    ("  ", ALEX, UserError),  # no auditor
])
def test_a_refused_audit_leaves_no_case_behind(db: Database, small_template_id: int,
                                               auditor: str, actor: Actor,
                                               refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        start_audit_for_new_case(db, _new_case(), small_template_id, auditor,
                                 date(2026, 3, 1), actor)
    assert list_cases(db) == []
    assert list_audits(db, LEAD) == []


def test_a_retired_template_leaves_an_existing_case_as_it_was(
        db: Database, small_template_id: int) -> None:
    start_audit_for_new_case(db, _new_case(), small_template_id, "Alex", date(2026, 3, 1), ALEX)
    set_template_retired(db, small_template_id, True, LEAD)
    changed = CaseInput("CL-77", CareLeaverCategory.ELIGIBLE, team="South")
    with pytest.raises(UserError, match="retired"):
        start_audit_for_new_case(db, changed, small_template_id, "Alex", date(2026, 4, 1), ALEX)
    (case,) = list_cases(db)
    assert (case.category, case.team, case.uasc) == ("relevant", "North", True)
    assert len(list_audits(db, LEAD)) == 1
