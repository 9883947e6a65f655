"""Period statistics and the synthetic demo data they are usually run on."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from auditapp.models import Action, Answer, Audit, AuditStatus, CareLeaverCategory, Case, Moderation
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import submit_audit
from auditapp.services.demo import generate_demo
from auditapp.services.reporting.stats import grade_counts
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, complete_audit, make_audit

pytestmark = pytest.mark.both_backends


def test_counts_use_submitted_audits_in_the_period_and_moderated_grades(
        db: Database, small_template_id: int) -> None:
    first = make_audit(db, small_template_id, "C-1", date(2026, 1, 10))
    second = make_audit(db, small_template_id, "C-2", date(2026, 2, 10))
    make_audit(db, small_template_id, "C-3", date(2026, 2, 11))  # draft: never counted
    late = make_audit(db, small_template_id, "C-4", date(2026, 7, 1))
    for audit in (first, second, late):
        complete_audit(db, audit)
        submit_audit(db, audit, ALEX)
    with db.transaction() as session:  # a moderator changed the second audit's grade
        session.add(Moderation(audit_id=second, moderator_id=LEAD.id, moderated_on=date(2026, 3, 1),
                               grade=Grade.REQUIRES_IMPROVEMENT, agreed=False, comment="x"))
    counts = grade_counts(db, date(2026, 1, 1), date(2026, 6, 30))
    assert counts.as_json() == {"audits": 2, "by_grade": {
        "Outstanding": 0, "Good": 1, "Requires improvement to be good": 1, "Inadequate": 0,
        "Not graded": 0}}
    assert grade_counts(db).audits == 3
    assert grade_counts(db, date(2026, 2, 10), date(2026, 2, 10)).audits == 1


def _snapshot(db: Database) -> tuple[object, ...]:
    with db.transaction() as session:
        audits = session.execute(select(
            Audit.audit_date, Audit.status, Audit.overall_grade, Audit.suggested_grade,
            Audit.auditor, Audit.uid).order_by(Audit.id)).all()
        answers = session.execute(select(Answer.response, func.count())
                                  .group_by(Answer.response)).all()
    return tuple(audits), tuple(sorted(answers, key=str))


def test_demo_is_reproducible_and_covers_the_job(tmp_path: Path) -> None:
    first = open_database(tmp_path / "one.sqlite")
    second = open_database(tmp_path / "two.sqlite")
    for db in (first, second):
        progress = list(generate_demo(db, 300, LEAD, seed=7, years=2, end=date(2026, 6, 30)))
        assert progress[-1] == (300, 300)
    assert _snapshot(first) == _snapshot(second)
    with first.transaction() as session:
        statuses = Counter(session.scalars(select(Audit.status)))
        categories = set(session.scalars(select(Case.category)))
        references = session.scalars(select(Case.reference)).all()
        dates = session.execute(select(func.min(Audit.audit_date),
                                       func.max(Audit.audit_date))).one()
        actions = session.scalar(select(func.count()).select_from(Action))
        moderations = session.scalar(select(func.count()).select_from(Moderation))
        grades = set(session.scalars(select(Audit.overall_grade)))
    assert set(statuses) == set(AuditStatus)
    assert categories == set(CareLeaverCategory)
    assert all(r.startswith("DEMO-") for r in references)
    assert dates[0] >= date(2024, 7, 1) and dates[1] <= date(2026, 6, 30)
    assert actions > 0 and moderations > 0
    assert {1, 2, 3} <= grades
    first.dispose()
    second.dispose()


def test_stopping_the_demo_early_adds_nothing(db: Database) -> None:
    progress = generate_demo(db, 1000, LEAD, seed=1)
    next(progress)
    progress.close()
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Audit)) == 0


def test_demo_stats_agree_with_a_direct_count(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.sqlite")
    list(generate_demo(db, 400, LEAD, seed=3, end=date(2026, 6, 30)))
    with db.transaction() as session:
        expected = Counter()
        for audit in session.scalars(select(Audit)):
            if audit.status == AuditStatus.DRAFT or audit.audit_date.year != 2025:
                continue
            grade = audit.moderation.grade if audit.moderation else audit.overall_grade
            expected[Grade(grade).label if grade else "Not graded"] += 1
    counts = grade_counts(db, date(2025, 1, 1), date(2025, 12, 31))
    assert counts.audits == sum(expected.values())
    assert {k: v for k, v in counts.by_grade.items() if v} == dict(expected)
    db.dispose()


#: Columns whose values are random by design (new uids, and the hashes and seal digests
#: that cover them); everything else a demo writes follows from the seed.
RANDOM_COLUMNS = {"uid", "hash"}
DEMO_TABLES = ("cases", "audits", "answers", "section_judgements", "actions", "moderations",
               "moderated_sections", "change_events", "audit_seals")
#: The SHA-256 of :func:`_stored_demo` for 60 audits, seed 5, ending 30 June 2026, as the
#: demo wrote it through the ORM and Core before it wrote rows through the driver.
DEMO_DIGEST = "d5d376da58e02dfe56936488079932f154cac28c0a5b0f67cc07c5f9644c8b2d"


def _stored_demo(path: Path) -> str:
    """A digest of every row a demo stored, as stored (SQLite's own text for dates and
    times), less the random columns; a seal's kept content with its actions in order of
    their number instead of under their random uids."""
    import hashlib
    import sqlite3

    from auditapp.services.seals import unpack

    found = hashlib.sha256()
    connection = sqlite3.connect(path)
    for table in DEMO_TABLES:
        cursor = connection.execute(f"SELECT * FROM {table} ORDER BY 1")
        names = [d[0] for d in cursor.description]
        for row in cursor:
            values = dict(zip(names, row, strict=True))
            for name in RANDOM_COLUMNS & set(values):
                values.pop(name)
            if table == "change_events" and values["entity"] == "seal":
                values.pop("new_value")  # the digest of a content holding action uids
            if table == "audit_seals":
                content = unpack(values.pop("content"))
                assert content is not None
                content["actions"] = sorted(content["actions"].values(), key=repr)
                values["content"] = content
            found.update(repr(sorted(values.items())).encode())
    connection.close()
    return found.hexdigest()


def test_demo_data_for_a_seed_is_what_it_always_was(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.sqlite", backup=False)
    list(generate_demo(db, 60, LEAD, seed=5, end=date(2026, 6, 30)))
    db.dispose()
    assert _stored_demo(tmp_path / "demo.sqlite") == DEMO_DIGEST


def test_the_demo_seals_what_it_stored(db: Database) -> None:
    """The demo seals each audit from the rows it writes, without reading them back: the
    content it kept must be what is read from the stored rows (as ``check`` reads it), and
    the seal entry its digest, for every audit, moderated or not, with or without actions."""
    from auditapp.models import AuditSeal, ChangeEvent
    from auditapp.services.seals import digest, read_contents, unpack

    list(generate_demo(db, 150, LEAD, seed=2, end=date(2026, 6, 30)))
    with db.transaction() as session:
        stored = read_contents(session)
        kept = {audit: (unpack(content), sealed) for audit, content, sealed in session.execute(
            select(AuditSeal.audit_id, AuditSeal.content, ChangeEvent.new_value)
            .join(ChangeEvent, ChangeEvent.seq == AuditSeal.seq))}
    assert len(stored) == 150 and set(kept) == set(stored)
    assert any(c["moderation"] for c in stored.values())
    assert any(c["actions"] for c in stored.values())
    for audit, content in stored.items():
        assert kept[audit] == (content, digest(content)), audit
