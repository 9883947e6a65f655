"""The command line, run as a user runs it: a subprocess on a temporary database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.services.audits.editing import list_audits
from auditapp.storage.database import open_database
from tests.builders import BROKEN_TEMPLATE, LEAD, SMALL_TEMPLATE, run_auditapp


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.sqlite"


def test_templates_list_shows_the_shipped_templates(db_path: Path) -> None:
    result = run_auditapp(db_path, "templates", "list")
    assert result.returncode == 0, result.stderr
    assert "pathway-plan-quality" in result.stdout
    assert "peer-review-kloe" in result.stdout


def test_validate_reports_every_problem_without_a_traceback(db_path: Path,
                                                            tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_TEMPLATE)
    result = run_auditapp(db_path, "templates", "validate", str(SMALL_TEMPLATE), str(broken))
    assert result.returncode == 2
    assert "small_template.yaml: ok" in result.stdout
    assert f"{broken}:9: sections[1].limiting: must be true or false" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db_path.exists()  # validating needs no database


def test_import_template_twice_then_a_new_version(db_path: Path, tmp_path: Path) -> None:
    first = run_auditapp(db_path, "templates", "import", str(SMALL_TEMPLATE))
    again = run_auditapp(db_path, "templates", "import", str(SMALL_TEMPLATE))
    assert "imported as small-test version 1" in first.stdout
    assert "unchanged, already small-test version 1" in again.stdout
    changed = tmp_path / "small.yaml"
    changed.write_text(SMALL_TEMPLATE.read_text().replace("Voice", "Voice and views"))
    assert "small-test version 2" in run_auditapp(db_path, "templates", "import",
                                              str(changed)).stdout


def test_cases_import_good_and_bad(db_path: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("reference,category,team\nCL-1,eligible,North\nCL-2,relevant,South\n")
    result = run_auditapp(db_path, "cases", "import", str(good), "--auditor", "Alex",
                      "--date", "2026-02-01")
    assert result.returncode == 0, result.stderr
    assert "2 rows; 2 new cases" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,category\nCL-3,eligible\nCL-4,orphan\n")
    result = run_auditapp(db_path, "cases", "import", str(bad), "--auditor", "Alex")
    assert result.returncode == 2
    assert "row 3, column B (category): unknown category 'orphan'" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_template_is_a_clear_error(db_path: Path, tmp_path: Path) -> None:
    sample = tmp_path / "s.csv"
    sample.write_text("reference,category\nCL-1,eligible\n")
    result = run_auditapp(db_path, "cases", "import", str(sample), "--template", "nope",
                      "--auditor", "A")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "auditapp: error: No template with id 'nope'. See 'auditapp templates list'.")


def test_demo_then_stats_json_and_check(db_path: Path) -> None:
    result = run_auditapp(db_path, "demo", "--audits", "120", "--seed", "5", "--end", "2026-06-30")
    assert result.returncode == 0, result.stderr
    stats = json.loads(run_auditapp(db_path, "stats", "--json").stdout)
    assert set(stats) == {"audits", "by_grade"}
    assert 0 < stats["audits"] <= 120
    assert sum(stats["by_grade"].values()) == stats["audits"]
    period = json.loads(run_auditapp(db_path, "stats", "--json", "--from", "2026-01-01",
                                 "--to", "2026-06-30").stdout)
    assert period["audits"] < stats["audits"]
    check = run_auditapp(db_path, "check")
    assert check.returncode == 0
    assert "Integrity: ok" in check.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["stats", "--from", "yesterday"], "'yesterday' is not a date"),
    (["stats", "--from", "2026-02-01", "--to", "2026-01-01"], "--from must not be after --to"),
    (["demo", "--audits", "0"], "0 must be from 1 to 2,147,483,647"),
    (["demo", "--audits", "2147483648"], "must be from 1 to 2,147,483,647"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_one_clear_line(db_path: Path, args: list[str],
                                                  message: str) -> None:
    result = run_auditapp(db_path, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 50)
    result = run_auditapp(notes, "stats")
    assert result.returncode == 2
    assert "is not an auditapp database" in result.stderr
    assert notes.read_text() == "shopping list\n" * 50


def test_moderation_stats(db_path: Path) -> None:
    run_auditapp(db_path, "demo", "--audits", "300", "--seed", "5", "--end", "2026-06-30")
    result = run_auditapp(db_path, "moderation", "stats", "--json", "--from", "2025-01-01")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert 0 < figures["moderated"] < figures["audits"]
    assert set(figures["overall"]) >= {"exact_share", "within_one_share", "weighted_kappa",
                                       "raised", "lowered"}
    assert "auditors" not in figures  # per-auditor figures stay in the desktop app
    text = run_auditapp(db_path, "moderation", "stats").stdout
    assert "Weighted kappa (linear):" in text


# --- what a hostile or unlucky user tried by hand (each once a traceback or a lost file) -----

LAUGHS = ("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
          "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
          "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n")
HOSTILE_FILES = {"nul.txt": b"correct\x00horse battery\n", "notes.sqlite": b"shopping " * 99,
                 "laughs.yaml": LAUGHS.encode(), "tag.yaml": b"id: !!int abc\n",
                 "when.yaml": b"id: !!timestamp x\n", "loop.yaml": b"id: &a [*a]\n",
                 "deep.yaml": b"id: " + b"[" * 50_000 + b"\n",
                 "cell.csv": b"reference,category\n" + b"x" * 131_073 + b",eligible\n"}


@pytest.mark.parametrize(("args", "message"), [
    (["stats", "--to", "9999-12-31"], "outside 1900 to 2100"),
    (["--passphrase-file", "nul.txt", "check"], "nul.txt"),
    (["restore", "notes.sqlite"], "notes.sqlite"),
    (["templates", "validate", "laughs.yaml"], "laughs.yaml"),
    (["templates", "validate", "tag.yaml"], "tag.yaml:1"),
    (["templates", "validate", "when.yaml"], "when.yaml:1"),
    (["templates", "validate", "loop.yaml"], "loop.yaml:1"),
    (["templates", "validate", "deep.yaml"], "deep.yaml:1"),
    (["cases", "import", "cell.csv"], "cell.csv"),
])
def test_hostile_input_by_hand_is_one_line_with_status_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name, content in HOSTILE_FILES.items():
        (tmp_path / name).write_bytes(content)
    db = tmp_path / "cli.sqlite"
    assert main_cli(["--db", str(db), "users", "list"]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    assert main_cli(["--db", str(db), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    # The problem, and for files a count of them (argparse's usage lines come before it).
    assert len([line for line in err.splitlines()
                if not line.startswith(("usage:", " "))]) <= 2, err
    assert db.read_bytes() == before


def test_backup_to_a_relative_path_then_again_never_overwrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "cli.sqlite"
    assert main_cli(["--db", str(db), "backup", "--out", "x.sqlite"]) == 0
    made = (tmp_path / "x.sqlite").read_bytes()
    assert main_cli(["--db", str(db), "backup", "--out", "x.sqlite"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert (tmp_path / "x.sqlite").read_bytes() == made
    assert sorted(p.name for p in tmp_path.glob("x.sqlite*")) == ["x.sqlite"]


def test_demo_run_twice_with_the_same_seed_adds_audits(db_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    for _ in range(2):
        assert main_cli(["--db", str(db_path), "demo", "--audits", "1"]) == 0
    capsys.readouterr()
    assert main_cli(["--db", str(db_path), "stats", "--json"]) == 0
    assert main_cli(["--db", str(db_path), "check"]) == 0
    db = open_database(db_path, backup=False)
    assert len(list_audits(db, LEAD)) == 2
    db.dispose()


@pytest.mark.parametrize("command", [["bundle", "export"], ["export", "excel"],
                                     ["export", "audit-pdf", "1"], ["export", "board-pdf"],
                                     ["history", "1"]])
@pytest.mark.parametrize("target", ["cli.sqlite", "cli.sqlite-wal", "cli.sqlite.lock"])
def test_an_export_over_the_database_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: list[str], target: str) -> None:
    """Found by the command-line fuzz test: ``bundle export --out`` the database's own name
    replaced the database with the bundle."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "cli.sqlite"
    assert main_cli(["--db", str(db), "demo", "--audits", "2"]) == 0
    before = db.read_bytes()
    capsys.readouterr()
    assert main_cli(["--db", str(db), *command, "--out", target]) == 2
    assert "never writes an export over it" in capsys.readouterr().err
    assert db.read_bytes() == before
    assert main_cli(["--db", str(db), "check"]) == 0
