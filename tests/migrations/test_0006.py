"""Migration 0006 (audits record the audit they follow) on a real file of auditapp 0004,
with re-audits, upgraded through 0005 (profiles by id, the sealed history) to 0006."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from auditapp.models import Audit
from auditapp.services.audits.previous import previous_audit
from auditapp.services.history import check_history
from auditapp.storage.database import open_database
from tests.builders import FIXTURES, LEAD

FIXTURE = FIXTURES / "db" / "v0004_reaudits.sqlite"
#: Audits added to the old file before it is upgraded: (number, case, date, status). Case 2
#: was audited (closed) on 1 Nov 2024 as audit 2.
RE_AUDITS = ((101, 2, "2025-03-01", "submitted"), (102, 2, "2025-09-01", "draft"),
             (103, 2, "2024-06-01", "draft"), (104, 2, "2025-03-01", "closed"))


def _old_file_with_re_audits(tmp_path: Path) -> Path:
    """The 0004 file, with re-audits of case 2 written as auditapp 0004 wrote audits."""
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    connection = sqlite3.connect(path)
    with connection:
        for number, case, day, status in RE_AUDITS:
            connection.execute(
                "INSERT INTO audits (id, uid, case_id, template_id, auditor, audit_date, "
                "status, grade_rationale, strengths, areas_for_development, "
                "young_person_voice, answered, applicable, created_at, updated_at, "
                "returned_comment, revision) SELECT ?, ?, ?, template_id, auditor, ?, ?, "
                "'', '', '', '', 0, applicable, created_at, updated_at, '', 1 "
                "FROM audits WHERE id = 2", (number, f"{number:032x}", case, day, status))
    connection.close()
    return path


def _count(path: Path, table: str) -> int:
    """Rows of ``table``; of ``change_events``, those from before the upgrade (0005 adds a
    seal entry per audit)."""
    where = " WHERE entity <> 'seal'" if table == "change_events" else ""
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}{where}").fetchone()[0])
    finally:
        connection.close()


def test_a_0004_file_learns_which_audit_each_follows_and_keeps_everything(
        tmp_path: Path) -> None:
    path = _old_file_with_re_audits(tmp_path)
    kept = {table: _count(path, table) for table in
            ("answers", "section_judgements", "actions", "change_events", "audits")}
    db = open_database(path)
    try:
        with db.transaction() as session:
            follows = dict(session.execute(select(Audit.id, Audit.follows_id)).all())
        assert follows[2] is None  # only a draft (103) came before it
        assert follows[101] == 2
        assert follows[104] == 101  # same day as 101, a higher number: after it
        assert follows[102] == 104
        assert follows[103] is None
        assert [follows[n] for n in (1, 3, 4, 5, 6, 7)] == [None] * 6  # one audit per case
        shown = previous_audit(db, 102, LEAD)
        assert shown is not None and shown.audit_id == 104
        assert check_history(db).ok
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.execute(text("UPDATE audits SET follows_id = 999 WHERE id = 1"))
    finally:
        db.dispose()
    assert {table: _count(path, table) for table in kept} == kept
    assert [p.name.split("-")[1] for p in (tmp_path / "backups").iterdir()] == ["before"]
