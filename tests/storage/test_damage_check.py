"""The whole-file check that opening no longer waits for: made on the start-up (or daily)
backup's copy, and a database it finds damaged is refused at the next open."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from auditapp.errors import DatabaseCorruptError
from auditapp.storage.backups import checked_backup, list_backups, make_backup
from auditapp.storage.database import open_database
from auditapp.storage.encryption import encrypt_database
from auditapp.storage.engine import Database
from auditapp.storage.paths import damage_mark
from auditapp.storage.sqlite_files import connect_read_only
from tests.builders import make_audit


def _wreck_an_index(path: Path) -> None:
    """Overwrite one index page in the middle of the file, which opening never reads."""
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute(
            "SELECT max(rootpage) FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name != 'alembic_version'").fetchone()[0]
    connection.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(os.urandom(page_size))


def test_damage_opening_does_not_read_is_found_in_the_background_then_refused(
        tmp_path: Path, small_template_id: int, db: Database) -> None:
    for reference in ("C-1", "C-2", "C-3"):
        make_audit(db, small_template_id, reference)
    assert db.path is not None
    path = db.path
    good = make_backup(db, "manual").path
    db.dispose()
    _wreck_an_index(path)
    damaged = open_database(path, backup=False)  # opening reads no more than it needs
    try:
        problem = checked_backup(damaged, "startup")
    finally:
        damaged.dispose()
    assert problem is not None and "is damaged" in problem
    assert damage_mark(path).exists()
    assert [b.kind for b in list_backups(path)] == ["manual"]  # no damaged copy kept
    before = path.read_bytes()
    with pytest.raises(DatabaseCorruptError) as caught:
        open_database(path, backup=False)
    assert caught.value.backup == good
    assert path.read_bytes() == before


def test_a_sound_database_is_not_marked_and_a_stale_mark_is_cleared(db: Database) -> None:
    assert db.path is not None
    path = db.path
    assert checked_backup(db, "startup") is None
    assert not damage_mark(path).exists()
    db.dispose()
    damage_mark(path).write_text("found damaged once; restored since", "utf-8")
    open_database(path, backup=False).dispose()  # every page checked, and found sound
    assert not damage_mark(path).exists()


def test_an_encrypted_page_that_fails_its_hmac_is_found_in_the_background_then_refused(
        small_template_id: int, db: Database) -> None:
    """SQLCipher refuses to read a changed page at all (no row of a check, an error): the
    background backup meets it, says the database is damaged and marks it."""
    secret = "correct horse battery"
    for reference in ("E-1", "E-2", "E-3"):
        make_audit(db, small_template_id, reference)
    assert db.path is not None
    path = db.path
    db.dispose()
    encrypt_database(path, secret)
    reader = connect_read_only(path, secret)
    try:
        page_size = int(reader.execute("PRAGMA page_size").fetchone()[0])
        root = reader.execute(
            "SELECT max(rootpage) FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name != 'alembic_version'").fetchone()[0]
    finally:
        reader.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size + page_size // 2)
        byte = handle.read(1)[0]
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte ^ 0x10]))
    damaged = open_database(path, secret, backup=False)  # opening reads no more than it needs
    try:
        problem = checked_backup(damaged, "startup")
    finally:
        damaged.dispose()
    assert problem is not None and "damaged" in problem
    assert damage_mark(path).exists()
    assert "startup" not in [b.kind for b in list_backups(path)]  # no damaged copy kept
    before = path.read_bytes()
    with pytest.raises(DatabaseCorruptError):
        open_database(path, secret, backup=False)
    assert path.read_bytes() == before
