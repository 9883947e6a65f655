"""Backups, restoring them, and files that will not open: damaged, cut short, foreign, full."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.errors import (
    BackupError,
    DatabaseCorruptError,
    DiskFullError,
    NotAnAuditappDatabaseError,
)
from auditapp.services.audits.editing import (
    AnswerChange,
    AuditChanges,
    list_audits,
    load_audit,
    save_changes,
)
from auditapp.storage.backups import (
    backup_if_due,
    backup_name,
    latest_good_backup,
    list_backups,
    make_backup,
    restore_backup,
    rotate_backups,
)
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import ALEX, FIXTURES, LEAD, ROOT, SUBPROCESS_LIMIT, make_audit


def _filled(tmp_path: Path, small_template_id: int, db: Database) -> Path:
    make_audit(db, small_template_id, "C-1")
    make_audit(db, small_template_id, "C-2")
    assert db.path is not None
    return db.path


def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        with path.open("r+b") as handle:
            handle.truncate(path.stat().st_size // 2)
    elif how == "emptied":  # 0 bytes: once silently replaced by a new, empty database
        path.write_bytes(b"")
    elif how == "scribbled":
        with path.open("r+b") as handle:  # keep the header, wreck the pages after it
            handle.seek(4096)
            handle.write(os.urandom(path.stat().st_size - 4096))
    else:
        path.write_bytes(b"PK\x03\x04 a spreadsheet opened by mistake" * 40)


def test_start_up_backups_are_checked_copies(tmp_path: Path, small_template_id: int,
                                             db: Database) -> None:
    path = _filled(tmp_path, small_template_id, db)
    db.dispose()
    reopened = open_database(path)
    reopened.dispose()
    (backup,) = list_backups(path)
    assert backup.kind == "startup"
    copy = sqlite3.connect(backup.path)
    assert copy.execute("SELECT count(*) FROM audits").fetchone() == (2,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()


def test_daily_backup_only_when_a_day_old(db: Database) -> None:
    assert db.path is not None
    first = backup_if_due(db)
    assert first is not None and first.kind == "daily"
    assert backup_if_due(db) is None
    old = backup_name(db.path, "startup", datetime.now() - timedelta(days=2))
    first.path.rename(old)
    assert backup_if_due(db) is not None


def test_rotation_keeps_recent_ones_and_one_a_day(db: Database) -> None:
    assert db.path is not None
    now = datetime.now()
    made = [backup_name(db.path, "startup", now - timedelta(hours=6 * i)) for i in range(80)]
    manual = backup_name(db.path, "manual", now - timedelta(days=60))
    for path in [*made, manual]:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"")
    rotate_backups(db.path)
    kept = {b.path for b in list_backups(db.path)}
    assert set(made[:5]) <= kept and manual in kept
    days = {b.made_at.date() for b in list_backups(db.path) if b.kind == "startup"}
    assert len(days) == 14
    assert len(kept) < 25


@pytest.mark.parametrize("how", ["truncated", "emptied", "scribbled", "foreign"])
def test_a_bad_file_is_refused_unchanged_and_the_newest_good_backup_offered(
        tmp_path: Path, small_template_id: int, db: Database, how: str) -> None:
    path = _filled(tmp_path, small_template_id, db)
    good = make_backup(db, "manual").path
    db.dispose()
    _damage(path, how)
    before = path.read_bytes()
    error = DatabaseCorruptError if how != "foreign" else NotAnAuditappDatabaseError
    with pytest.raises(error) as caught:
        open_database(path)
    assert caught.value.backup == good
    assert f"The newest good backup is {good}" in str(caught.value)
    assert path.read_bytes() == before
    assert latest_good_backup(path) == good


def test_restore_checks_the_file_and_keeps_the_current_one(
        tmp_path: Path, small_template_id: int, db: Database) -> None:
    path = _filled(tmp_path, small_template_id, db)
    good = make_backup(db, "manual").path
    make_audit(db, small_template_id, "C-3")
    db.dispose()
    not_a_backup = tmp_path / "notes.sqlite"
    not_a_backup.write_text("hello")
    with pytest.raises(BackupError, match="not an SQLite file"):
        restore_backup(path, not_a_backup)
    aside = restore_backup(path, good)
    assert aside is not None and aside.parent == tmp_path / "backups"
    restored = open_database(path)
    assert len(list_audits(restored, LEAD)) == 2
    restored.dispose()
    kept = sqlite3.connect(aside)
    assert kept.execute("SELECT count(*) FROM audits").fetchone() == (3,)
    kept.close()


def test_cli_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.sqlite"
    out = tmp_path / "copy.sqlite"
    assert main_cli(["--db", str(path), "backup", "--out", str(out)]) == 0
    assert main_cli(["--db", str(path), "backup", "--out", str(out)]) == 2
    assert "never overwrites" in capsys.readouterr().err
    assert main_cli(["--db", str(path), "restore", str(out)]) == 0
    assert "is kept as" in capsys.readouterr().out
    assert main_cli(["--db", str(path), "check"]) == 0


def test_a_full_disk_loses_nothing_saved(db: Database, small_template_id: int) -> None:
    """SQLite's page limit gives the same SQLITE_FULL error as a full disk."""
    audit = make_audit(db, small_template_id)
    questions = [q for s in load_audit(db, audit, LEAD).template.sections for q in s.questions]
    first = questions[0].id
    save_changes(db, audit, AuditChanges(answers={first: AnswerChange(first, "Y", "kept")}),
                 ALEX)
    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    db.engine.dispose()
    from sqlalchemy import event

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]

    big = "evidence " * 10000  # under the free-text limit, over the pages left
    changes = AuditChanges(answers={q.id: AnswerChange(q.id, q.scale[0]["code"], big)
                                    for q in questions})
    with pytest.raises(DiskFullError, match="this change was not saved; everything saved "
                                            "before it is safe"):
        save_changes(db, audit, changes, ALEX)
    document = load_audit(db, audit, LEAD)
    assert document.answers[first].evidence == "kept"
    assert all(a.evidence in ("", "kept") for a in document.answers.values())
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_folder_is_a_clear_message() -> None:
    """Run as an ordinary user (root ignores permissions), in a real subprocess, in a folder
    that user can reach but not write."""
    outer = Path(tempfile.mkdtemp(prefix="auditapp-ro-"))
    folder = outer / "ro"
    try:
        folder.mkdir()
        open_database(folder / "audit.sqlite").dispose()
        for side in folder.iterdir():
            if side.name != "audit.sqlite":
                side.unlink()
        (folder / "audit.sqlite").chmod(0o444)
        folder.chmod(0o555)
        outer.chmod(0o755)
        as_user = {"user": 65534} if os.geteuid() == 0 else {}
        try:
            probe = subprocess.run([sys.executable, "-c", "import auditapp"], cwd=ROOT,
                                   capture_output=True, **as_user)
            readable = probe.returncode == 0
        except PermissionError:  # the interpreter itself lives where that user cannot go
            readable = False
        if not readable:
            pytest.skip("an unprivileged user cannot read this checkout, so root (which ignores "
                        "permissions) cannot test a read-only folder here")
        result = subprocess.run(
            [sys.executable, "-m", "auditapp", "--db", str(folder / "audit.sqlite"), "stats"],
            capture_output=True, text=True, cwd=ROOT, timeout=SUBPROCESS_LIMIT,
            env=dict(os.environ, AUDITAPP_DATA_DIR=str(outer)), **as_user)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(outer)
    assert result.returncode == 2, result.stderr
    assert "auditapp cannot write in the folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_copy_of_the_fixture_restores_over_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    backup = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "db" / "v0001.sqlite", backup)
    path.write_bytes(b"damaged")
    restore_backup(path, backup)
    db = open_database(path)  # upgrades the restored 0001 file, backing it up first
    assert len(list_audits(db, LEAD)) == 7
    db.dispose()
