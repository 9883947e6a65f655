"""Migration 0008 (board reports and the audit programme) on a real file of auditapp 0004,
upgraded through every later revision: the two new tables arrive empty and hold their rules,
and nothing already in the file changes."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from auditapp.models import BoardReport, PlannedAudits, User
from auditapp.services.history import check_history
from auditapp.storage.database import open_database
from tests.builders import FIXTURES

FIXTURE = FIXTURES / "db" / "v0004.sqlite"
KEPT = ("audits", "answers", "section_judgements", "actions", "cases", "templates")


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return {table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in KEPT}
    finally:
        connection.close()


def test_an_old_file_gains_empty_report_and_programme_tables_and_keeps_everything(
        tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    kept = _counts(path)
    db = open_database(path)
    try:
        with db.transaction() as session:
            assert session.scalars(select(BoardReport)).all() == []
            assert session.scalars(select(PlannedAudits)).all() == []
            lead = session.scalars(select(User).where(User.name == "Lee Lead")).one()
            session.add(BoardReport(title="Pathway plans", date_from=date(2026, 4, 1),
                                    date_to=date(2026, 9, 30), threshold=5, marking="OFFICIAL",
                                    actor_id=lead.id, words={"summary": "Text"}))
            session.add(PlannedAudits(date_from=date(2026, 4, 1), date_to=date(2026, 9, 30),
                                      team="Leaving Care North", template_key="pathway",
                                      planned=12))
        with db.transaction() as session:
            report = session.scalars(select(BoardReport)).one()
            assert (report.actor, report.words, report.release_id) == (
                "Lee Lead", {"summary": "Text"}, None)
        with pytest.raises(IntegrityError), db.transaction() as session:
            session.add(PlannedAudits(date_from=date(2026, 4, 1), date_to=date(2026, 9, 30),
                                      team="Leaving Care North", template_key="pathway",
                                      planned=3))
        assert check_history(db).ok
    finally:
        db.dispose()
    assert _counts(path) == kept
    assert [p.name.split("-")[1] for p in (tmp_path / "backups").iterdir()] == ["before"]
