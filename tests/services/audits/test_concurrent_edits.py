"""Two people saving the same audit: one clear conflict, and no write lost."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import event

from auditapp.errors import ConcurrentEditError
from auditapp.services.audits.editing import (
    AnswerChange,
    AuditChanges,
    SavedGrades,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    LONG,
    SMALL_TEMPLATE,
    complete_audit,
    make_audit,
    question_ids,
)

pytestmark = pytest.mark.both_backends


def _change(db: Database, audit: int, key: str, code: str) -> AuditChanges:
    question = question_ids(db, audit)[key]
    return AuditChanges(answers={question: AnswerChange(question, code, f"{key} by test")})


def _response(db: Database, audit: int, key: str) -> str | None:
    return load_audit(db, audit, LEAD).answers[question_ids(db, audit)[key]].response


def test_a_save_based_on_a_stale_read_is_refused_then_reapplied(
        db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    first, second = load_audit(db, audit, LEAD), load_audit(db, audit, LEAD)  # two people open it
    saved = save_changes(db, audit, _change(db, audit, "A.1", "Y"), ALEX,
                         expected_revision=first.revision)
    assert saved.revision > first.revision
    mine = _change(db, audit, "A.2", "N")
    with pytest.raises(ConcurrentEditError, match="Alex saved it at"):
        save_changes(db, audit, mine, LEAD, expected_revision=second.revision)
    assert _response(db, audit, "A.2") is None  # nothing of the stale save was written

    reloaded = load_audit(db, audit, LEAD)  # reload, and save the kept change on top
    save_changes(db, audit, mine, LEAD, expected_revision=reloaded.revision)
    assert (_response(db, audit, "A.1"), _response(db, audit, "A.2")) == ("Y", "N")


def test_a_submission_based_on_a_stale_read_is_refused(
        db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    complete_audit(db, audit)
    seen = load_audit(db, audit, LEAD)  # the auditor checks the audit, ready to submit
    save_changes(db, audit, _change(db, audit, "A.1", "Y"), LEAD)  # a lead adds evidence since
    with pytest.raises(ConcurrentEditError, match="Lee Lead saved it at"):
        submit_audit(db, audit, ALEX, expected_revision=seen.revision)
    assert load_audit(db, audit, LEAD).status == "draft"
    submit_audit(db, audit, ALEX, expected_revision=load_audit(db, audit, LEAD).revision)
    assert load_audit(db, audit, LEAD).status == "submitted"


def test_every_change_raises_the_revision(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    before = load_audit(db, audit, LEAD).revision
    save_changes(db, audit, _change(db, audit, "A.1", "Y"), ALEX)
    middle = load_audit(db, audit, LEAD).revision
    save_changes(db, audit, _change(db, audit, "A.1", "Y"), ALEX)  # no change: no history
    assert before < middle


def test_two_writers_race_on_one_audit_on_postgresql(pg_database: Database) -> None:
    """Both read revision r and check it, then both go to write at once: one writes, and
    the other's UPDATE (which names revision r) then matches no row: the clear conflict."""
    from auditapp.services.templates import find_template_id, import_template_file

    db = pg_database
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    audit = make_audit(db, find_template_id(db, "small-test"))
    revision = load_audit(db, audit, LEAD).revision
    changes = {"alex": (_change(db, audit, "A.1", "Y"), ALEX),
               "lee": (_change(db, audit, "B.1", "N"), LEAD)}
    both_checked = threading.Barrier(2, timeout=LONG / 1000)  # a hang guard

    def wait_for_both(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The first write of a save takes its turn at the history chain.
        if statement.startswith("SELECT pg_advisory_xact_lock"):
            both_checked.wait()

    results: dict[str, SavedGrades | Exception] = {}

    def save(name: str) -> None:
        batch, actor = changes[name]
        try:
            results[name] = save_changes(db, audit, batch, actor, expected_revision=revision)
        except Exception as exc:  # the test looks at which one failed, and how
            results[name] = exc

    event.listen(db.engine, "before_cursor_execute", wait_for_both)
    try:
        threads = [threading.Thread(target=save, args=(name,)) for name in changes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(LONG / 1000)
    finally:
        event.remove(db.engine, "before_cursor_execute", wait_for_both)

    failed = {n: r for n, r in results.items() if isinstance(r, Exception)}
    assert len(results) == 2 and len(failed) == 1, results
    loser, error = next(iter(failed.items()))
    assert isinstance(error, ConcurrentEditError), error
    winner = next(n for n in results if n != loser)
    key = {"alex": "A.1", "lee": "B.1"}
    assert _response(db, audit, key[winner]) == ("Y" if winner == "alex" else "N")
    assert _response(db, audit, key[loser]) is None

    batch, actor = changes[loser]  # the loser still holds the change: reload and reapply
    save_changes(db, audit, batch, actor, expected_revision=load_audit(db, audit, LEAD).revision)
    assert (_response(db, audit, "A.1"), _response(db, audit, "B.1")) == ("Y", "N")
