"""``auditapp bundle export|import`` on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.services.audits.editing import load_audit
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from tests.builders import LEAD, SMALL_TEMPLATE, add_people, answer, make_audit, question_ids


def _laptop(path: Path) -> int:
    db = open_database(path)
    try:
        add_people(db)
        import_template_file(db, SMALL_TEMPLATE, LEAD)
        audit = make_audit(db, find_template_id(db, "small-test"), "C-A1")
        answer(db, audit, "A.1", "P", "Drafted")
        return audit
    finally:
        db.dispose()


def _set(path: Path, audit: int, code: str) -> None:
    db = open_database(path, backup=False)
    try:
        answer(db, audit, "A.1", code, "Drafted", actor=LEAD)
    finally:
        db.dispose()


def test_export_and_import_with_a_conflict_settled_by_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    audit = _laptop(a)
    out = tmp_path / "a.auditbundle"
    assert main_cli(["--db", str(a), "bundle", "export", "--out", str(out)]) == 0
    assert "not encrypted" in capsys.readouterr().err
    assert main_cli(["--db", str(b), "bundle", "import", str(out)]) == 0
    assert "1 added" in capsys.readouterr().out
    _set(a, audit, "Y")
    _set(b, 1, "N")
    back = tmp_path / "b.auditbundle"
    assert main_cli(["--db", str(b), "bundle", "export", "--out", str(back)]) == 0
    assert main_cli(["--db", str(a), "bundle", "import", str(back)]) == 1
    listed = capsys.readouterr().out
    assert "1. Question A.1 (A pathway plan exists.): answer" in listed
    assert "here: Yes   bundle: No   (when they last met: Partly)" in listed
    assert "Nothing was imported." in listed
    assert main_cli(["--db", str(a), "bundle", "import", str(back), "--choose", "2=local"]) == 2
    assert "There is no conflict 2" in capsys.readouterr().err
    assert main_cli(["--db", str(a), "bundle", "import", str(back), "--choose", "1=remote"]) == 0
    assert "1 conflict settled" in capsys.readouterr().out
    db = open_database(a, backup=False)
    try:
        assert load_audit(db, audit, LEAD).answers[question_ids(db, audit)["A.1"]].response == "N"
    finally:
        db.dispose()


def test_an_encrypted_bundle_takes_its_passphrase_from_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    _laptop(a)
    secret = tmp_path / "secret.txt"
    secret.write_text("a long bundle passphrase\n", encoding="utf-8")
    out = tmp_path / "a.auditbundle"
    assert main_cli(["--db", str(a), "bundle", "export", "--out", str(out),
                     "--bundle-passphrase-file", str(secret)]) == 0
    assert "(encrypted)" in capsys.readouterr().out
    assert main_cli(["--db", str(b), "bundle", "import", str(out)]) == 2
    assert "is encrypted: give its passphrase" in capsys.readouterr().err
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    assert main_cli(["--db", str(b), "bundle", "import", str(out),
                     "--bundle-passphrase-file", str(wrong)]) == 2
    assert "does not open" in capsys.readouterr().err
    assert main_cli(["--db", str(b), "bundle", "import", str(out), "--dry-run",
                     "--bundle-passphrase-file", str(secret)]) == 0
    assert "Would import: 1 added" in capsys.readouterr().out


@pytest.mark.parametrize("command", [
    ["bundle", "export", "--out", "pass.txt", "--encrypt", "--bundle-passphrase-file",
     "pass.txt"],
    ["bundle", "export", "--out", "pass.txt"],
    ["history", "1", "--out", "./pass.txt"],
])
def test_an_export_never_writes_over_the_passphrase_file_it_was_given(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    """Found by the deep command-line fuzz run: the bundle was written over pass.txt, the
    encrypted database's passphrase file, so the next command could not open the database."""
    monkeypatch.chdir(tmp_path)
    key = tmp_path / "pass.txt"
    key.write_text("correct horse battery\n", encoding="utf-8")
    db = tmp_path / "a.sqlite"
    assert main_cli(["--db", str(db), "--passphrase-file", "pass.txt", "users", "list"]) == 0
    capsys.readouterr()
    before = db.read_bytes()
    assert main_cli(["--db", str(db), "--passphrase-file", "pass.txt", *command]) == 2
    err = capsys.readouterr().err
    assert "is the file given as --" in err and err.count("\n") == 1, err
    assert key.read_text(encoding="utf-8") == "correct horse battery\n"
    assert db.read_bytes() == before
    assert main_cli(["--db", str(db), "--passphrase-file", "pass.txt", "check"]) == 0
