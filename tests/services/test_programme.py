"""The audit programme: lines set, replaced and removed by a practice lead, and sheets
imported all or nothing with every problem located."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from auditapp.errors import NotFoundError, PermissionDeniedError, UserError, ValidationError
from auditapp.services.audits.editing import submit_audit
from auditapp.services.programme import PlannedLine, list_programme, remove_planned, set_planned
from auditapp.services.programme_import import import_programme, read_programme
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, changed_workbook, complete_audit, make_audit, workbook_parts
from tests.figures import FIGURES

pytestmark = pytest.mark.both_backends

Q1 = (date(2026, 4, 1), date(2026, 6, 30))
Q2 = (date(2026, 7, 1), date(2026, 9, 30))
HEADER = "period start,period end,team,template key,planned\n"


def _line(period: tuple[date, date] = Q1, team: str = "North", key: str = "small-test",
          planned: int = 6) -> PlannedLine:
    return PlannedLine(*period, team, key, planned)


def _write(folder: Path, text: str, name: str = "plan.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lead_sets_replaces_and_removes_lines(db: Database, small_template_id: int) -> None:
    assert set_planned(db, _line(), LEAD) is True
    assert set_planned(db, _line(planned=8), LEAD) is False  # same key: replaced
    assert set_planned(db, _line(Q2, planned=5), LEAD) is True
    assert [(r.date_from, r.planned) for r in list_programme(db)] == [(Q1[0], 8), (Q2[0], 5)]
    remove_planned(db, _line(Q2), LEAD)
    assert [r.line for r in list_programme(db)] == [_line(planned=8)]
    with pytest.raises(NotFoundError, match="No line of the programme"):
        remove_planned(db, _line(Q2), LEAD)


def test_an_edit_that_moves_a_line_replaces_it_in_one_step(db: Database,
                                                           small_template_id: int) -> None:
    set_planned(db, _line(), LEAD)
    # The new period overlaps the old one: allowed, because the old one goes.
    set_planned(db, _line((date(2026, 5, 1), date(2026, 7, 31))), LEAD, replacing=_line())
    assert [r.line.key for r in list_programme(db)] == [
        (date(2026, 5, 1), date(2026, 7, 31), "North", "small-test")]


@pytest.mark.parametrize(("line", "message"), [
    (_line(planned=-1), "from 0 to 1,000"),
    (_line(planned=1_001), "from 0 to 1,000"),
    (_line((date(2026, 6, 30), date(2026, 4, 1))), "ends .* before it starts"),
    (_line((date(1800, 1, 1), date(2026, 4, 1))), "outside 1900 to 2100"),
    (_line(team=" "), "no team"),
    (_line(team="No\x00rth"), "cannot be shown"),
    (_line(team="x" * 121), "at most 120"),
    (_line(key="no-such-template"), "No template with id 'no-such-template'"),
])
def test_a_bad_line_is_refused_and_nothing_changes(db: Database, small_template_id: int,
                                                   line: PlannedLine, message: str) -> None:
    set_planned(db, _line(Q2), LEAD)
    with pytest.raises(UserError, match=message):
        set_planned(db, line, LEAD)
    assert [r.line for r in list_programme(db)] == [_line(Q2)]


def test_overlapping_periods_of_one_team_and_template_are_refused(
        db: Database, small_template_id: int) -> None:
    set_planned(db, _line(), LEAD)
    with pytest.raises(UserError, match="overlaps 2026-06-01 to 2026-07-31"):
        set_planned(db, _line((date(2026, 6, 1), date(2026, 7, 31))), LEAD)
    set_planned(db, _line((date(2026, 6, 1), date(2026, 7, 31)), team="South"), LEAD)
    assert len(list_programme(db)) == 2


def test_only_a_practice_lead_changes_the_programme(db: Database, small_template_id: int,
                                                    tmp_path: Path) -> None:
    set_planned(db, _line(), LEAD)
    for change in (lambda: set_planned(db, _line(Q2), ALEX),
                   lambda: remove_planned(db, _line(), ALEX),
                   lambda: import_programme(db, _write(tmp_path, HEADER + "2026-07-01,"
                                                       "2026-09-30,North,small-test,3\n"),
                                            ALEX)):
        with pytest.raises(PermissionDeniedError, match="may not change the audit programme"):
            change()
    assert [r.line for r in list_programme(db)] == [_line()]


def test_the_list_counts_audits_completed_in_each_line(db: Database,
                                                       small_template_id: int) -> None:
    set_planned(db, _line(), LEAD)
    set_planned(db, _line(team="South"), LEAD)
    for reference, day, team in (("A-1", date(2026, 4, 2), "North"),
                                 ("A-2", date(2026, 6, 30), "North"),
                                 ("A-3", date(2026, 7, 1), "North"),  # after the period
                                 ("A-4", date(2026, 5, 1), "South")):
        audit = make_audit(db, small_template_id, reference, day, team=team)
        complete_audit(db, audit)
        submit_audit(db, audit, ALEX)
    make_audit(db, small_template_id, "D-1", date(2026, 5, 1))  # a draft: not completed
    assert [(r.team, r.completed) for r in list_programme(db)] == [("North", 2), ("South", 1)]
    assert [r.completed for r in list_programme(db, as_at=date(2026, 5, 1))] == [1, 1]


# --- importing ---------------------------------------------------------------------------


def test_a_csv_programme_is_imported_and_replaces_lines_with_its_keys(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    set_planned(db, _line(planned=2), LEAD)
    path = _write(tmp_path, HEADER + "2026-04-01,2026-06-30,North,small-test,6\n"
                                     "01/07/2026,30/09/2026,North,small-test,7\n"
                                     "2026-04-01,2026-06-30,South,small-test,0\n")
    result = import_programme(db, path, LEAD)
    assert (result.lines, result.added, result.replaced) == (3, 2, 1)
    assert [(r.team, r.date_from, r.planned) for r in list_programme(db)] == [
        ("North", Q1[0], 6), ("South", Q1[0], 0), ("North", Q2[0], 7)]


def test_an_xlsx_programme_is_imported_with_real_dates(db: Database, small_template_id: int,
                                                       tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Programme"
    sheet.append(["Period start", "Period end", "Team", "Template key", "Planned"])
    sheet.append([date(2026, 4, 1), date(2026, 6, 30), "North", "small-test", 6])
    book.save(tmp_path / "plan.xlsx")
    assert import_programme(db, tmp_path / "plan.xlsx", LEAD).added == 1
    assert [r.line for r in list_programme(db)] == [_line()]


def test_every_bad_row_is_located_and_nothing_is_imported(db: Database,
                                                          small_template_id: int,
                                                          tmp_path: Path) -> None:
    set_planned(db, _line(Q2, team="East"), LEAD)
    path = _write(tmp_path, HEADER + "\n".join([
        "2026-04-01,2026-06-30,North,small-test,6",  # good
        "2026-04-01,2026-06-30,South,nope,6",  # unknown template
        "2026-04-01,2026-06-30,West,small-test,-2",  # negative
        "2026-04-01,2026-06-30,West2,small-test,5000",  # absurd
        "2026-04-01,2026-06-30,West3,small-test,2.5",  # not whole
        "someday,2026-06-30,West4,small-test,1",  # not a date
        "2026-05-01,2026-07-31,North,small-test,1",  # overlaps row 2
        "2026-08-01,2026-08-31,East,small-test,1",  # overlaps a stored line
        "2026-06-30,2026-04-01,West5,small-test,1",  # ends before it starts
        "2026-04-01,2026-06-30,North,small-test,3",  # the same key as row 2
        "2026-04-01,2026-06-30,,small-test,3",  # no team
    ]) + "\n")
    with pytest.raises(ValidationError) as caught:
        import_programme(db, path, LEAD)
    assert str(caught.value).startswith("plan.csv: 10 problems; nothing was imported\n")
    assert caught.value.problems == [
        "row 3, column D (template key): no template with id 'nope'",
        "row 4, column E (planned): -2 audits planned: a line plans from 0 to 1,000",
        "row 5, column E (planned): 5000 audits planned: a line plans from 0 to 1,000",
        "row 6, column E (planned): 2.5 is not a whole number",
        "row 7, column A (period start): 'someday' is not a date (use YYYY-MM-DD or "
        "DD/MM/YYYY)",
        "row 8, column A (period start): 2026-05-01 to 2026-07-31 overlaps 2026-04-01 to "
        "2026-06-30 on row 2 for the same team and template",
        "row 9, column A (period start): 2026-08-01 to 2026-08-31 overlaps 2026-07-01 to "
        "2026-09-30, already in the programme for the same team and template (remove that "
        "line first)",
        "row 10, column B (period end): the period ends (2026-04-01) before it starts "
        "(2026-06-30)",
        "row 11, column A (period start): the same period, team and template as row 2",
        "row 12, column C (team): missing team",
    ]
    assert [r.line for r in list_programme(db)] == [_line(Q2, team="East")]


def test_xlsx_problems_name_the_sheet_and_cell(db: Database, small_template_id: int,
                                               tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan 2026"
    sheet.append(["period start", "period end", "team", "template key", "planned"])
    sheet.append([date(2026, 4, 1), "31/13/2026", "North", "small-test", "six"])
    book.save(tmp_path / "plan.xlsx")
    with pytest.raises(ValidationError) as caught:
        import_programme(db, tmp_path / "plan.xlsx", LEAD)
    assert caught.value.problems == [
        "Plan 2026!B2 (period end): '31/13/2026' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
        "Plan 2026!E2 (planned): 'six' is not a whole number"]


def test_a_thousand_bad_rows_list_a_hundred_and_count_the_rest(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "".join(
        f"2026-04-01,2026-06-30,T{i},small-test,-1\n" for i in range(1_000)))
    with pytest.raises(ValidationError) as caught:
        import_programme(db, path, LEAD)
    assert len(caught.value.problems) == 100 and caught.value.more == 900
    assert str(caught.value).startswith("plan.csv: 1,000 problems")
    assert list_programme(db) == []


@pytest.mark.parametrize(("text", "name", "message"), [
    ("", "plan.csv", "plan.csv is empty"),
    (HEADER, "plan.csv", "plan.csv has a header but no lines"),
    ("team,planned\nNorth,3\n", "plan.csv", "the header row has problems"),
    ("x", "plan.txt", "plan.txt: a programme can be imported from .xlsx or .csv files only"),
    ("not a zip", "plan.xlsx", "plan.xlsx cannot be read as an Excel workbook"),
])
def test_a_file_that_is_not_a_programme_is_refused_in_one_line(
        db: Database, small_template_id: int, tmp_path: Path, text: str, name: str,
        message: str) -> None:
    with pytest.raises(UserError) as caught:
        import_programme(db, _write(tmp_path, text, name), LEAD)
    assert message in str(caught.value).splitlines()[0]
    if not isinstance(caught.value, ValidationError):
        assert "\n" not in str(caught.value)
    assert list_programme(db) == []


def test_the_header_names_each_missing_column(db: Database, small_template_id: int,
                                              tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        import_programme(db, _write(tmp_path, "team,planned,colour\nNorth,3,red\n"), LEAD)
    assert caught.value.problems == [
        "row 1, column C (header): unknown column 'colour' (expected: period start, "
        "period end, team, template key, planned)",
        "row 1 (header): the column 'period start' is missing",
        "row 1 (header): the column 'period end' is missing",
        "row 1 (header): the column 'template key' is missing"]


# --- fuzz: the reader alone, against thousands of inputs ----------------------------------

FUZZ_FOLDER = Path(tempfile.mkdtemp(prefix="auditapp-programme-fuzz-"))
TEMPLATES = {"small-test", "pathway-plan-quality"}
SLOW = [HealthCheck.too_slow]


def _read(path: Path) -> list[PlannedLine]:
    steps = list(read_programme(path, TEMPLATES, [_line(Q2, team="East")]))
    lines = steps[-1]
    assert isinstance(lines, list)
    return lines


def _outcome(path: Path) -> None:
    """The file is read whole or refused: a ValidationError lists 1 to 100 located lines,
    any other refusal is one line naming the file."""
    try:
        lines = _read(path)
    except ValidationError as exc:
        problems = exc.problems
    except UserError as exc:
        message = str(exc)
        assert message.startswith(path.name) and "\n" not in message, message  # noqa: PT017
        return
    else:
        assert lines and all(0 <= line.planned <= 1_000 and line.date_from <= line.date_to
                             for line in lines)
        return
    assert 1 <= len(problems) <= 100
    assert all(p.startswith(("row ", "Programme!", "sheet ")) and "\n" not in p
               for p in problems), problems


csv_cells = st.one_of(st.text(max_size=12), st.sampled_from(
    ["2026-04-01", "30/06/2026", "9999-12-31", "1899-12-31", "North", "small-test", "nope",
     "6", "-1", "1e9", "2.5", "nan", "inf", "", '"', ",", "\n", "\x00", "x" * 200]))


@settings(suppress_health_check=SLOW)  # the profile's examples: 250 quick, 2,000 ci, 10,000 deep
@given(st.lists(st.lists(csv_cells, min_size=5, max_size=6), max_size=8),
       st.sampled_from([HEADER.strip(), "from,to,team,template,planned", "team,planned", "",
                        "period start;period end"]))
def test_any_csv_programme_reads_or_is_refused_in_one_clear_message(
        rows: list[list[str]], header: str) -> None:
    FIGURES["inputs tried: programme loader (csv)"] += 1
    path = FUZZ_FOLDER / "fuzz.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(header + "\n")
        csv.writer(handle).writerows(rows)
    _outcome(path)


def _programme_parts() -> dict[str, bytes]:
    book = Workbook()
    sheet = book.active
    sheet.title = "Programme"
    sheet.append(["period start", "period end", "team", "template key", "planned"])
    sheet.append([date(2026, 4, 1), date(2026, 6, 30), "North", "small-test", 6])
    sheet.append(["01/04/2026", "30/06/2026", "South", "pathway-plan-quality", 3])
    book.save(FUZZ_FOLDER / "base.xlsx")
    return workbook_parts(FUZZ_FOLDER / "base.xlsx")


PROGRAMME_PARTS = _programme_parts()


@settings(suppress_health_check=SLOW)
@given(changed_workbook(PROGRAMME_PARTS))
def test_any_damaged_xlsx_programme_reads_or_is_refused_in_one_clear_message(
        data: bytes) -> None:
    FIGURES["inputs tried: programme loader (xlsx)"] += 1
    path = FUZZ_FOLDER / "fuzz.xlsx"
    path.write_bytes(data)
    _outcome(path)


def test_an_overlap_is_found_among_many_periods_in_any_order(db: Database,
                                                             small_template_id: int,
                                                             tmp_path: Path) -> None:
    """Twelve months given December first, then a period across June and July: it overlaps
    June's row (the one before where it would go) and is named with it."""
    months = [(date(2026, m, 1), (date(2026, m + 1, 1) if m < 12 else date(2027, 1, 1)))
              for m in range(12, 0, -1)]
    rows = [f"{start},{end - timedelta(days=1)},North,small-test,2" for start, end in months]
    rows += ["2026-06-15,2026-07-14,North,small-test,1", "2026-06-15,2026-07-14,South,"
             "small-test,1"]
    with pytest.raises(ValidationError) as caught:
        import_programme(db, _write(tmp_path, HEADER + "\n".join(rows) + "\n"), LEAD)
    assert caught.value.problems == [
        "row 14, column A (period start): 2026-06-15 to 2026-07-14 overlaps 2026-06-01 to "
        "2026-06-30 on row 8 for the same team and template"]
    rows.pop(-2)
    assert import_programme(db, _write(tmp_path, HEADER + "\n".join(rows) + "\n"),
                            LEAD).added == 13
