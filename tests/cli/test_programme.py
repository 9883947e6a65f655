"""``auditapp programme``: lines set, listed, removed and imported from the command line; any
bad input is refused with status 2, its problems located, and nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.services.programme import list_programme
from auditapp.storage.database import open_database
from tests.builders import run_auditapp

HEADER = "period start,period end,team,template key,planned\n"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.sqlite"


def _run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str
         ) -> tuple[int, str, str]:
    status = main_cli(["--db", str(db_path), "programme", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _lines(db_path: Path) -> list[tuple[str, str, int]]:
    db = open_database(db_path, backup=False)
    try:
        return [(r.team, r.template_key, r.planned) for r in list_programme(db)]
    finally:
        db.dispose()


LINE = ["--from", "2026-04-01", "--to", "2026-06-30", "--team", "North", "--template",
        "pathway-plan-quality"]


def test_set_list_change_and_remove(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert _run(capsys, db_path, "list")[1].startswith("No audits are planned.")
    status, out, _ = _run(capsys, db_path, "set", *LINE, "--planned", "6")
    assert status == 0
    assert out == ("Planned 6 audits with pathway-plan-quality for team 'North', 2026-04-01 "
                   "to 2026-06-30.\n")
    assert _run(capsys, db_path, "set", *LINE, "--planned", "8")[1].startswith("Changed to 8")
    status, out, _ = _run(capsys, db_path, "list")
    assert out.splitlines() == [
        "FROM       TO         TEAM  TEMPLATE             PLANNED COMPLETED",
        "2026-04-01 2026-06-30 North pathway-plan-quality       8         0"]
    assert _run(capsys, db_path, "remove", *LINE)[0] == 0
    assert _lines(db_path) == []


@pytest.mark.parametrize(("args", "message"), [
    (["set", *LINE, "--planned", "-3"], "The planned: -3 audits planned: a line plans from 0 "
                                        "to 1,000."),
    (["set", *LINE[:-1], "nope", "--planned", "3"], "No template with id 'nope'."),
    (["set", "--from", "2026-06-30", "--to", "2026-04-01", *LINE[4:], "--planned", "3"],
     "The period end: the period ends (2026-04-01) before it starts (2026-06-30)."),
    (["remove", *LINE], "No line of the programme for team 'North'"),
])
def test_a_bad_line_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str],
                                             db_path: Path, args: list[str],
                                             message: str) -> None:
    status, _out, err = _run(capsys, db_path, *args)
    assert status == 2
    assert err.startswith(f"auditapp: error: {message}") and err.count("\n") == 1, err
    assert _lines(db_path) == []


def test_an_overlap_is_refused(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    _run(capsys, db_path, "set", *LINE, "--planned", "6")
    status, _out, err = _run(capsys, db_path, "set", "--from", "2026-06-01", "--to",
                             "2026-08-31", *LINE[4:], "--planned", "2")
    assert status == 2 and "overlaps 2026-06-01 to 2026-08-31" in err
    assert _lines(db_path) == [("North", "pathway-plan-quality", 6)]


def test_import_all_or_nothing(capsys: pytest.CaptureFixture[str], db_path: Path,
                               tmp_path: Path) -> None:
    good = tmp_path / "plan.csv"
    good.write_text(HEADER + "2026-04-01,2026-06-30,North,pathway-plan-quality,6\n"
                             "2026-04-01,2026-06-30,South,uasc-pathway-plan,2\n")
    status, out, _ = _run(capsys, db_path, "import", str(good))
    assert status == 0 and out == "plan.csv: 2 lines; 2 added, 0 replaced\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2026-07-01,2026-09-30,North,pathway-plan-quality,6\n"
                            "2026-07-01,2026-09-30,East,pathway-plan-quality,lots\n")
    status, _out, err = _run(capsys, db_path, "import", str(bad))
    assert status == 2
    assert err.splitlines() == [
        "auditapp: error: bad.csv: 1 problem; nothing was imported",
        "  row 3, column E (planned): 'lots' is not a whole number"]
    assert len(_lines(db_path)) == 2


def test_a_file_that_is_no_sheet_is_refused_without_a_traceback(db_path: Path,
                                                                 tmp_path: Path) -> None:
    """As a user runs it: a separate process, a damaged workbook."""
    damaged = tmp_path / "plan.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    result = run_auditapp(db_path, "programme", "import", str(damaged))
    assert result.returncode == 2
    assert result.stderr.startswith("auditapp: error: plan.xlsx cannot be read as an Excel "
                                    "workbook")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
