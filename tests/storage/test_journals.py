"""Journals that do not belong to the database beside them are refused, never merged.

The attack: a write-ahead log from another database (another auditapp database, or any
SQLite database) put beside the database, or a hot rollback journal; SQLite would apply
either and rewrite the file.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auditapp.errors import DatabaseCorruptError
from auditapp.services.audits.editing import list_audits
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.database import open_database
from auditapp.storage.journals import HOT_JOURNAL_MAGIC
from tests.builders import LEAD, SMALL_TEMPLATE, add_people, make_audit


@contextmanager
def _auditapp_log(path: Path) -> Iterator[Path]:
    """An auditapp database at ``path`` held open with a committed save still in its log."""
    db = open_database(path, backup=False)
    try:
        add_people(db)
        import_template_file(db, SMALL_TEMPLATE, LEAD)
        make_audit(db, find_template_id(db, "small-test"), "OTHER-1")
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size > 0
        yield wal
    finally:
        db.dispose()


@contextmanager
def _sqlite_log(path: Path) -> Iterator[Path]:
    """Any SQLite database in WAL mode, held open with a committed change in its log."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA wal_autocheckpoint = 0")
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('not yours')")
        connection.commit()
        yield path.with_name(path.name + "-wal")
    finally:
        connection.close()


@pytest.mark.parametrize("source", ["another auditapp database", "another SQLite database"])
def test_a_log_from_another_database_is_refused_and_nothing_is_merged(
        tmp_path: Path, source: str) -> None:
    live = tmp_path / "audit.sqlite"
    db = open_database(live, backup=False)
    db.dispose()
    before = live.read_bytes()
    other = tmp_path / "other" / "other.sqlite"
    other.parent.mkdir()
    holder = _auditapp_log(other) if source.startswith("another auditapp") \
        else _sqlite_log(other)
    with holder as foreign_log:
        shutil.copy(foreign_log, live.with_name(live.name + "-wal"))
    placed = live.with_name(live.name + "-wal").read_bytes()
    with pytest.raises(DatabaseCorruptError, match="write-ahead log .* does not belong to it"):
        open_database(live)
    assert live.read_bytes() == before
    assert live.with_name(live.name + "-wal").read_bytes() == placed
    # Moved away, as the message says, the database opens as it was.
    live.with_name(live.name + "-wal").unlink()
    db = open_database(live, backup=False)
    assert list_audits(db, LEAD) == []
    db.dispose()


def test_its_own_log_after_a_kill_is_kept(tmp_path: Path) -> None:
    """The defence must not refuse the log of the database's own saves (a crash leaves one)."""
    live = tmp_path / "audit.sqlite"
    with _auditapp_log(live) as log:
        saved = log.read_bytes()
        copy = tmp_path / "copy"
        copy.mkdir()
        shutil.copy(live, copy / "audit.sqlite")
    (copy / "audit.sqlite-wal").write_bytes(saved)  # the file and its log, as a kill leaves them
    db = open_database(copy / "audit.sqlite", backup=False)
    assert [a.case_reference for a in list_audits(db, LEAD)] == ["OTHER-1"]
    db.dispose()


def test_a_hot_rollback_journal_beside_the_database_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "audit.sqlite"
    open_database(live, backup=False).dispose()
    before = live.read_bytes()
    journal = live.with_name(live.name + "-journal")
    journal.write_bytes(HOT_JOURNAL_MAGIC + bytes(4096))
    with pytest.raises(DatabaseCorruptError, match="rollback journal"):
        open_database(live)
    assert live.read_bytes() == before and journal.exists()
