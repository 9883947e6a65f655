"""Encryption at rest: new encrypted databases, converting a plain one, passphrases, backups."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.errors import PassphraseRequiredError, UserError, WrongPassphraseError
from auditapp.services.audits.editing import list_audits
from auditapp.services.history import check_history
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.backups import list_backups, make_backup, restore_backup
from auditapp.storage.database import open_database, verify_passphrase
from auditapp.storage.encryption import (
    change_passphrase,
    confirm_encryption,
    encrypt_database,
    pending_plain_copies,
)
from auditapp.storage.engine import Database
from auditapp.storage.sqlite_files import is_encrypted
from tests.builders import FIXTURES, LEAD, SMALL_TEMPLATE, add_people, make_audit

SECRET = "correct horse battery"
OTHER = "a different long phrase"
CASE_REF = b"SECRET-REF-42"


def _encrypted_db(tmp_path: Path) -> Path:
    path = tmp_path / "enc.sqlite"
    db = open_database(path, SECRET)
    add_people(db)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    make_audit(db, find_template_id(db, "small-test"), CASE_REF.decode())
    db.dispose()
    return path


def _files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_an_encrypted_database_hides_everything(tmp_path: Path) -> None:
    path = _encrypted_db(tmp_path)
    assert is_encrypted(path)
    db = open_database(path, SECRET)
    make_audit(db, find_template_id(db, "small-test"), "SECRET-REF-43")
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    assert b"SECRET-REF-4" not in _files_bytes(tmp_path)  # the live write-ahead log too
    make_backup(db, "manual")
    db.dispose()
    assert b"SECRET-REF-4" not in _files_bytes(tmp_path)  # database and backups
    assert all(is_encrypted(b.path) for b in list_backups(path))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM cases").fetchall()


def test_wrong_or_missing_passphrase_says_so_and_changes_nothing(tmp_path: Path) -> None:
    path = _encrypted_db(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(WrongPassphraseError, match="does not open"):
        open_database(path, OTHER)
    with pytest.raises(PassphraseRequiredError, match="give its passphrase"):
        open_database(path)
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert {n: b for n, b in after.items() if not n.endswith(("-shm", "-wal"))} == {
        n: b for n, b in before.items() if not n.endswith(("-shm", "-wal"))}
    assert not verify_passphrase(path, OTHER) and verify_passphrase(path, SECRET)


def test_converting_a_plain_database_keeps_a_plain_copy_until_confirmed(
        db: Database, small_template_id: int) -> None:
    make_audit(db, small_template_id, "PLAIN-1")
    db.dispose()
    path = db.path
    assert path is not None
    plain = encrypt_database(path, SECRET)
    assert is_encrypted(path) and not is_encrypted(plain)
    assert pending_plain_copies(path) == [plain]
    db = open_database(path, SECRET)
    assert [a.case_reference for a in list_audits(db, LEAD)] == ["PLAIN-1"]
    db.dispose()
    with pytest.raises(WrongPassphraseError):
        confirm_encryption(path, OTHER)
    assert plain.exists()
    assert confirm_encryption(path, SECRET) == [plain]
    assert not plain.exists() and pending_plain_copies(path) == []
    with pytest.raises(UserError, match="already encrypted"):
        encrypt_database(path, SECRET)


def test_the_first_opening_of_a_newly_encrypted_database_changes_nothing(
        db: Database, small_template_id: int) -> None:
    """Found by the deep command-line fuzz run: the history chain's key was made on the first
    opening, so a command refused for its input changed the file. Encrypting makes it."""
    make_audit(db, small_template_id, "PLAIN-1")
    db.dispose()
    path = db.path
    assert path is not None
    encrypt_database(path, SECRET)
    before = path.read_bytes()
    open_database(path, SECRET, backup=False).dispose()
    assert path.read_bytes() == before
    db = open_database(path, SECRET, backup=False)
    assert check_history(db).ok  # the chain is keyed from the next entry on, and holds
    db.dispose()


def test_changing_the_passphrase_rekeys_the_backups(tmp_path: Path) -> None:
    path = _encrypted_db(tmp_path)
    db = open_database(path, SECRET)
    backup = make_backup(db, "manual").path
    db.dispose()
    with pytest.raises(WrongPassphraseError):
        change_passphrase(path, OTHER, "whatever long enough")
    assert verify_passphrase(path, SECRET)
    assert backup in change_passphrase(path, SECRET, OTHER)
    assert verify_passphrase(path, OTHER) and not verify_passphrase(path, SECRET)
    assert verify_passphrase(backup, OTHER)
    with pytest.raises(PassphraseRequiredError):
        restore_backup(path, backup)
    restore_backup(path, backup, OTHER)
    db = open_database(path, OTHER)
    assert len(list_audits(db, LEAD)) == 1
    db.dispose()


def test_short_passphrases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_database(path).dispose()
    plain = open_database(path, SECRET)
    assert not plain.encrypted and "is not encrypted" in plain.warnings[0]
    plain.dispose()
    with pytest.raises(UserError, match="at least 10 characters"):
        encrypt_database(path, "short")
    assert not is_encrypted(path)


def test_cli_encrypt_open_and_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.sqlite"
    assert main_cli(["--db", str(path), "stats"]) == 0
    new = tmp_path / "new.txt"
    new.write_text(SECRET + "\n")
    assert main_cli(["--db", str(path), "encrypt", "--new-passphrase-file", str(new)]) == 0
    assert "until you confirm" in capsys.readouterr().out
    assert main_cli(["--db", str(path), "stats"]) == 2
    assert "AUDITAPP_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("AUDITAPP_PASSPHRASE", SECRET)
    assert main_cli(["--db", str(path), "stats"]) == 0
    assert main_cli(["--db", str(path), "encrypt", "--confirm"]) == 0
    monkeypatch.setenv("AUDITAPP_NEW_PASSPHRASE", OTHER)
    assert main_cli(["--db", str(path), "change-passphrase"]) == 0
    assert main_cli(["--db", str(path), "check"]) == 2
    assert "does not open" in capsys.readouterr().err
    monkeypatch.delenv("AUDITAPP_PASSPHRASE")
    old = tmp_path / "old.txt"
    old.write_text(OTHER)
    assert main_cli(["--db", str(path), "--passphrase-file", str(old), "check"]) == 0


def test_confirm_deletes_the_plain_backups_made_before_an_upgrade(tmp_path: Path) -> None:
    """Backups named before the upgrade to 0001 (``db-before-0001-...``) were not read as
    backups at all, so ``encrypt --confirm`` left them in plaintext."""
    path = tmp_path / "db.sqlite"
    shutil.copy(FIXTURES / "db" / "v0001.sqlite", path)
    open_database(path, backup=False).dispose()  # the upgrade backs the old file up first
    upgrade_backups = [b.path for b in list_backups(path) if b.kind == "before-0001"]
    assert len(upgrade_backups) == 1 and upgrade_backups[0].name.startswith("db-before-0001-")
    encrypt_database(path, SECRET)
    assert set(upgrade_backups) <= set(pending_plain_copies(path))
    confirm_encryption(path, SECRET)
    left = [p.name for p in (tmp_path / "backups").iterdir() if not is_encrypted(p)]
    assert left == []
