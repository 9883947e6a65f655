"""The change history: who, when, old and new; the hash chain and what breaks it; upgrades."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from auditapp.cli.main import main_cli
from auditapp.models import Audit, Moderation
from auditapp.services import demo
from auditapp.services.audits.editing import (
    AnswerChange,
    AuditChanges,
    list_audits,
    load_audit,
    save_changes,
)
from auditapp.services.history import audit_history, check_history, write_history_csv
from auditapp.services.maintenance import check_database
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.storage.schema import head_revision
from tests.builders import ALEX, FIXTURES, LEAD, make_audit

pytestmark = pytest.mark.both_backends

FIXTURE = FIXTURES / "db" / "v0001.sqlite"


def answer(db: Database, audit: int, code: str, evidence: str) -> None:
    question = load_audit(db, audit, LEAD).template.sections[0].questions[0]
    save_changes(db, audit, AuditChanges(
        answers={question.id: AnswerChange(question.id, code, evidence)}), ALEX)


def _tamper(db: Database, sql: str) -> None:
    """Change the database behind auditapp's back (with the server's own SQL on PostgreSQL)."""
    if db.is_server:
        with db.engine.begin() as connection:
            connection.execute(text(sql))
        return
    db.dispose()
    assert db.path is not None
    connection = sqlite3.connect(db.path)
    with connection:
        connection.execute(sql)
    connection.close()


def _where(db: Database) -> str:
    """What --db takes for this database."""
    return str(db.path) if db.path else db.engine.url.render_as_string(hide_password=False)


def test_history_names_who_when_old_and_new(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    answer(db, audit, "P", "Plan is late")
    answer(db, audit, "Y", "Plan is late")
    rows = audit_history(db, audit, LEAD)
    assert [(r.what, r.old_value, r.new_value) for r in rows] == [
        ("audit status", None, "draft"),
        ("answer A.1 response", None, "P"),
        ("answer A.1 evidence", None, "Plan is late"),
        ("answer A.1 response", "P", "Y"),
    ]
    assert {r.actor for r in rows} == {"Alex"}
    # Each save is sealed by one more entry (not shown): entries 2, 5 and 7 are the seals.
    assert [r.seq for r in rows] == [1, 3, 4, 6]
    assert check_history(db).ok


def test_an_edited_entry_breaks_the_chain_there(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    answer(db, audit, "N", "Nothing on file")
    answer(db, audit, "Y", "Found it")
    _tamper(db, "UPDATE change_events SET new_value = 'Y' WHERE seq = 2")
    reopened = open_database(_where(db))
    try:
        result = check_history(reopened)
        assert len(result.breaks) == 1
        assert result.breaks[0].startswith("entry 2 (audit 1")
        assert not check_database(reopened).ok
    finally:
        reopened.dispose()


def test_a_removed_entry_is_reported_and_check_exits_1(
        db: Database, small_template_id: int, capsys: pytest.CaptureFixture[str]) -> None:
    audit = make_audit(db, small_template_id)
    answer(db, audit, "N", "Nothing on file")
    answer(db, audit, "Y", "Found it")
    _tamper(db, "DELETE FROM change_events WHERE seq = 3")
    assert main_cli(["--db", _where(db), "check"]) == 1
    out = capsys.readouterr().out
    assert "History: 7 entries, 2 BREAKS" in out
    assert "break: entries 3 to 3 are missing" in out
    assert "Result: PROBLEMS FOUND" in out


def test_demo_data_has_an_unbroken_chain(db: Database) -> None:
    for _ in demo.generate_demo(db, 30, LEAD, seed=2, end=date(2026, 6, 30)):
        pass
    result = check_history(db)
    assert result.ok and result.entries == 60  # a status entry and a seal for each audit


def test_history_exports_as_csv_without_formulas(db: Database, small_template_id: int,
                                                 tmp_path: Path) -> None:
    audit = make_audit(db, small_template_id)
    answer(db, audit, "N", "=HYPERLINK(\"http://x\")")
    path = write_history_csv(audit_history(db, audit, LEAD), tmp_path / "history.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["field"] for r in rows] == ["status", "response", "evidence"]
    assert rows[2]["new_value"] == "'=HYPERLINK(\"http://x\")"
    assert rows[2]["actor"] == "Alex" and rows[2]["key"] == "A.1"


def test_a_0001_database_upgrades_with_a_backup_first_and_a_sound_chain(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    before = sqlite3.connect(path)
    audits, events = (before.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("audits", "change_events"))
    before.close()
    db = open_database(path)
    try:
        report = check_database(db)
        assert report.ok, report
        assert report.schema_revision == head_revision()
        assert report.history.entries == events + audits  # and a seal for each audit
        reference = next(a for a in list_audits(db, LEAD) if a.case_reference == "FIX-0001")
        history = audit_history(db, reference.id, LEAD)
        assert [r.new_value for r in history if r.field == "response"] == ["P", "P", "P",
                                                                            "Y", "Y", "Y"]
        assert len(list_audits(db, LEAD)) == audits
    finally:
        db.dispose()
    (backup,) = (tmp_path / "backups").glob("old-before-0001-*.sqlite")
    kept = sqlite3.connect(backup)
    assert kept.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert kept.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept.close()


def test_a_0002_database_upgrades_keeping_its_moderations(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    shutil.copy(FIXTURE.with_name("v0002.sqlite"), path)
    before = sqlite3.connect(path)
    moderated = before.execute("SELECT audit_id, grade FROM moderations ORDER BY 1").fetchall()
    before.close()
    db = open_database(path)
    try:
        assert check_database(db).ok
        with db.transaction() as session:
            rows = session.execute(select(Moderation.audit_id, Moderation.grade,
                                          Moderation.blind_grade)
                                   .order_by(Moderation.audit_id)).all()
            returned = session.scalars(select(Audit.returned_comment)).all()
        assert [(a, g) for a, g, _b in rows] == moderated
        assert all(b is None for _a, _g, b in rows)  # never moderated blind
        assert set(returned) == {""}
    finally:
        db.dispose()
    assert list((tmp_path / "backups").glob("v2-before-0002-*.sqlite"))
