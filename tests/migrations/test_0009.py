"""Migration 0009 (indexes for My work) on a real file of auditapp 0004, upgraded through
every later revision: the index arrives with the columns the models declare, the one it
replaces goes, and no row is lost."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from auditapp.storage.database import open_database
from tests.builders import FIXTURES

FIXTURE = FIXTURES / "db" / "v0004.sqlite"
TABLES = ("audits", "answers", "section_judgements", "actions", "cases", "templates")


def _rows(path: Path) -> dict[str, int]:
    """How many rows each table holds (earlier revisions reshape some columns, so the rows
    themselves are compared by the tests of those revisions)."""
    connection = sqlite3.connect(path)
    try:
        return {table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in TABLES}
    finally:
        connection.close()


def _index_columns(path: Path, index: str) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[2] for row in connection.execute(f"PRAGMA index_info({index})")]
    finally:
        connection.close()


def test_an_old_file_gains_the_index_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    assert _index_columns(path, "ix_audits_auditor_status") == []
    kept = _rows(path)
    db = open_database(path)
    db.dispose()
    assert _index_columns(path, "ix_audits_auditor_status") == [
        "auditor_id", "status", "audit_date"]
    assert _index_columns(path, "ix_audits_auditor_id") == []  # replaced
    assert _index_columns(path, "ix_actions_status") == ["status"]  # kept (see 0009)
    assert _rows(path) == kept
    connection = sqlite3.connect(path)
    try:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    assert version == ("0009",)
