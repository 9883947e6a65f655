"""Importing a sample of cases: all rows or none, every bad cell named by row and column."""

from __future__ import annotations

import csv
import tempfile
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
    read_case_sample,
    start_audit_for_new_case,
)
from auditapp.services.templates import set_template_retired
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO, changed_workbook, workbook_parts
from tests.figures import FIGURES

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


# --- hostile samples ------------------------------------------------------------------------


def test_a_cell_longer_than_any_spreadsheet_holds_is_one_line(db: Database,
                                                             small_template_id: int,
                                                             tmp_path: Path) -> None:
    path = _write(tmp_path, "reference,category,team\nCL-1,eligible," + "x" * 131_073 + "\n")
    with pytest.raises(UserError) as caught:
        import_cases(db, path, small_template_id, LEAD, "Alex")
    assert str(caught.value) == ("sample.csv row 2: a cell holds more than 32,767 characters "
                                 "(Excel's own limit)")
    assert list_cases(db) == []


def test_a_team_longer_than_its_column_is_refused_on_every_backend(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    """PostgreSQL would refuse the INSERT with a traceback; SQLite would store it."""
    path = _write(tmp_path, f"reference,category,team\nCL-1,eligible,{'T' * 121}\n")
    with pytest.raises(ValidationError) as caught:
        import_cases(db, path, small_template_id, LEAD, "Alex")
    assert caught.value.problems == [
        "row 2, column C (team): the team is 121 characters long; at most 120 are allowed"]
    with pytest.raises(UserError, match="The team is 121 characters long"):
        start_audit_for_new_case(db, CaseInput("CL-2", CareLeaverCategory.RELEVANT,
                                               team="T" * 121),
                                 small_template_id, "Alex", date(2026, 1, 1), LEAD)
    assert list_cases(db) == []


def test_dates_outside_1900_to_2100_are_row_problems(db: Database, small_template_id: int,
                                                   tmp_path: Path) -> None:
    path = _write(tmp_path, "reference,category,audit date\nCL-1,eligible,9999-12-31\n"
                            "CL-2,eligible,01/01/1899\n")
    with pytest.raises(ValidationError) as caught:
        import_cases(db, path, small_template_id, LEAD, "Alex")
    assert caught.value.problems == [
        "row 2, column C (audit_date): the date 9999-12-31 is outside 1900 to 2100",
        "row 3, column C (audit_date): the date 1899-01-01 is outside 1900 to 2100"]


def test_fifty_thousand_bad_rows_list_the_first_hundred_and_count_the_rest(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    path = _write(tmp_path, "reference,category\n" + "Jane Smith,orphan\n" * 50_000)
    with pytest.raises(ValidationError) as caught:
        import_cases(db, path, small_template_id, LEAD, "Alex")
    assert len(caught.value.problems) == 100
    assert caught.value.more == 100_000 - 100  # two problems a row
    assert caught.value.summary == "sample.csv: 100,000 problems; nothing was imported"
    assert len(str(caught.value).splitlines()) == 102
    assert list_cases(db) == []


def test_a_million_rows_are_refused_after_the_hundred_thousandth(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    path = _write(tmp_path, "reference,category\n" + "x,y\n" * 1_000_000)
    with pytest.raises(UserError) as caught:
        import_cases(db, path, small_template_id, LEAD, "Alex")
    assert str(caught.value) == ("sample.csv has more than 100,000 rows; at most 100,000 are "
                                 "read. Split it.")


def test_more_cases_than_one_import_takes(db: Database, small_template_id: int,
                                          tmp_path: Path) -> None:
    rows = "".join(f"CL-{n},eligible\n" for n in range(501))
    with pytest.raises(UserError, match="holds 501 cases; one import may add at most 500"):
        import_cases(db, _write(tmp_path, "reference,category\n" + rows), small_template_id,
                     LEAD, "Alex")
    assert list_cases(db) == []


SAMPLE_FOLDER = Path(tempfile.mkdtemp())


def _sample_parts() -> dict[str, bytes]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["reference", "category", "uasc", "age", "team", "worker", "audit date",
                  "auditor"])
    sheet.append(["CL-1", "eligible", "no", 17, "North", "PA A", date(2026, 1, 5), "Alex"])
    sheet.append(["CL-2", "relevant", "yes", 19, "South", "PA B", "01/02/2026", ""])
    book.save(SAMPLE_FOLDER / "base.xlsx")
    return workbook_parts(SAMPLE_FOLDER / "base.xlsx")


SAMPLE = _sample_parts()


@given(changed_workbook(SAMPLE))
def test_any_damaged_xlsx_sample_reads_or_is_refused_in_one_clear_message(data: bytes) -> None:
    """The reader alone (no database): thousands of damaged workbooks, each read whole or
    refused as a UserError, never anything else."""
    FIGURES["inputs tried: case sample loader (xlsx)"] += 1
    path = SAMPLE_FOLDER / "fuzz.xlsx"
    path.write_bytes(data)
    try:
        planned = read_case_sample(path, date(2026, 3, 1), "Sam")
    except ValidationError as exc:
        problems = exc.problems
    except UserError as exc:
        message = str(exc)
        assert message.startswith("fuzz.xlsx") and "\n" not in message, message
        return
    else:
        assert 1 <= len(planned) <= 2
        return
    assert 1 <= len(problems) <= 100


csv_cells = st.one_of(st.text(max_size=15), st.sampled_from(
    ["CL-1", "CL-2", "eligible", "Relevant", "former-relevant", "yes", "no", "17", "2026-01-31",
     "31/01/2026", "9999-12-31", "", '"', ",", "\n", "\x00", "x" * 200]))


@given(st.lists(st.lists(csv_cells, max_size=10), max_size=8),
       st.sampled_from(["reference,category,uasc,age,team,worker,audit date,auditor",
                        "ref,legal status", "", "reference;category", "Reference,Category,Ref"]))
def test_any_csv_sample_reads_or_is_refused_in_one_clear_message(rows: list[list[str]],
                                                                 header: str) -> None:
    FIGURES["inputs tried: case sample loader (csv)"] += 1
    path = SAMPLE_FOLDER / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(header + "\n")
        csv.writer(handle).writerows(rows)
    try:
        read_case_sample(path, date(2026, 3, 1), "Sam")
    except ValidationError as exc:
        problems = exc.problems
    except UserError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith("fuzz.csv"), message
        return
    else:
        return
    assert 1 <= len(problems) <= 100
