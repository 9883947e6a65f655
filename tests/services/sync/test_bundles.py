"""Audit bundles between two real databases: exchange, conflicts, tampering, re-import."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.models import (
    Audit,
    BundleImport,
    ChangeEvent,
    Section,
    SectionJudgement,
    SyncState,
    Template,
)
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import (
    ActionInput,
    add_action,
    delete_action,
    load_audit,
    submit_audit,
    update_action,
)
from auditapp.services.history import audit_history
from auditapp.services.moderation import finalise_moderation, record_blind_grades
from auditapp.services.sync import bundles, snapshots
from auditapp.services.sync.bundle_file import BundleError, BundlePassphraseError
from auditapp.services.templates import import_template_file, read_template_info
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    BEA,
    LEAD,
    MO,
    SMALL_TEMPLATE,
    answer,
    complete_audit,
    make_audit,
    question_ids,
    section_ids,
)

pytestmark = pytest.mark.both_backends

PASSPHRASE = "correct horse battery"
MakeDb = Callable[[str], Database]


# --- helpers ------------------------------------------------------------------------------------


def _laptop(make_db: MakeDb, name: str) -> tuple[Database, int]:
    db = make_db(name)
    import_template_file(db, SMALL_TEMPLATE, LEAD)
    template = db_template(db)
    return db, template


def db_template(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(Template.id).where(Template.key == "small-test"))




def dump(db: Database) -> dict[str, Any]:
    """Everything about every audit that must be the same in two databases that have met:
    the snapshot, the figures worked out from it, and the history that travels (by uid: not
    each database's seals, nor its own record of what its imports changed)."""
    result: dict[str, Any] = {}
    with db.transaction() as session:
        for audit in session.scalars(select(Audit)):
            template = session.get(Template, audit.template_id)
            assert template is not None
            info = read_template_info(session, audit.template_id)
            actions = {str(a.id): a.uid for a in audit.actions}
            suggested = sorted(session.execute(
                select(Section.key, SectionJudgement.suggested_grade)
                .join(Section, Section.id == SectionJudgement.section_id)
                .where(SectionJudgement.audit_id == audit.id)).all())
            events = sorted(
                (e.uid, e.at.isoformat(), e.actor, e.entity,
                 actions.get(e.entity_key, e.entity_key) if e.entity == "action"
                 else e.entity_key, e.field, e.old_value, e.new_value)
                for e in session.scalars(select(ChangeEvent).where(
                    ChangeEvent.audit_id == audit.id, ChangeEvent.entity != "seal",
                    ChangeEvent.import_id.is_(None) | ChangeEvent.carried)))
            result[audit.uid] = {
                "snapshot": snapshots.read_snapshot(session, audit, info, template.content_hash),
                "case_uid": audit.case.uid,
                "derived": (audit.answered, audit.applicable, audit.suggested_grade, suggested),
                "history": events}
    return result


def _rows(db: Database) -> tuple[int, int, int]:
    with db.transaction() as session:
        return tuple(session.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                     for t in (ChangeEvent, SyncState, BundleImport))


def _exchange(source: Database, target: Database, folder: Path, name: str,
              **options: Any) -> bundles.ImportReport:
    path = folder / f"{name}.auditbundle"
    bundles.run_export(source, path, LEAD)
    return bundles.run_import(target, bundles.open_bundle(path), LEAD, **options)


# --- two laptops ----------------------------------------------------------------------------------


def _moderated(db: Database, template: int, reference: str) -> int:
    audit = make_audit(db, template, reference)
    complete_audit(db, audit)
    submit_audit(db, audit, ALEX)
    sections = section_ids(db, audit)
    record_blind_grades(db, audit, MO, {sections["A"]: Grade.GOOD}, Grade.GOOD)
    finalise_moderation(db, audit, MO, {sections["A"]: (Grade.GOOD, "")}, (Grade.GOOD, ""))
    return audit


def test_two_databases_editing_different_audits_end_identical(
        make_db: MakeDb, tmp_path: Path) -> None:
    a, tpl_a = _laptop(make_db, "alex")
    b, tpl_b = _laptop(make_db, "bea")
    draft = make_audit(a, tpl_a, "C-A1")
    answer(a, draft, "A.1", "N", "No plan on file")
    add_action(a, draft, ActionInput("Write the plan", owner="PA A",
                                     due_date=date(2026, 4, 1)), ALEX)
    _moderated(a, tpl_a, "C-A2")
    theirs = make_audit(b, tpl_b, "C-B1", auditor="Bea", uasc=True)
    answer(b, theirs, "C.1", "P", "Triple plan half done", actor=BEA)

    first = _exchange(a, b, tmp_path, "a-to-b")
    assert (first.count(bundles.ADDED), first.count(bundles.UNCHANGED)) == (2, 0)
    second = _exchange(b, a, tmp_path, "b-to-a")
    assert (second.count(bundles.ADDED), second.count(bundles.UNCHANGED)) == (1, 2)
    assert len(dump(a)) == 3
    assert dump(a) == dump(b)

    # They go on working on their own audits and meet again: still no conflict.
    answer(a, draft, "A.2", "Y")
    answer(b, theirs, "C.1", "Y", "Done", actor=BEA)
    assert _exchange(a, b, tmp_path, "again-a").count(bundles.UPDATED) == 1
    assert _exchange(b, a, tmp_path, "again-b").count(bundles.UPDATED) == 1
    assert dump(a) == dump(b)


def test_reimporting_the_same_bundle_changes_nothing(make_db: MakeDb, tmp_path: Path) -> None:
    a, tpl = _laptop(make_db, "alex")
    b, _ = _laptop(make_db, "bea")
    audit = make_audit(a, tpl, "C-A1")
    answer(a, audit, "A.1", "Y")
    path = tmp_path / "a.auditbundle"
    bundles.run_export(a, path, LEAD)
    bundle = bundles.open_bundle(path)
    bundles.run_import(b, bundle, LEAD)
    before, rows = dump(b), _rows(b)
    again = bundles.run_import(b, bundle, LEAD)
    assert again.count(bundles.UNCHANGED) == 1 and again.history_added == 0
    assert dump(b) == before and _rows(b) == rows


def _both_answer(make_db: MakeDb, tmp_path: Path) -> tuple[Database, Database, int, int]:
    """Alex's audit, copied to Bea's laptop, then the same answer given differently on each."""
    a, tpl = _laptop(make_db, "alex")
    b, _ = _laptop(make_db, "bea")
    audit_a = make_audit(a, tpl, "C-A1")
    answer(a, audit_a, "A.1", "P", "Plan drafted")
    _exchange(a, b, tmp_path, "start")
    with b.transaction() as session:
        audit_b = session.scalar(select(Audit.id))
    answer(a, audit_a, "A.1", "Y", "Plan signed off")
    answer(b, audit_b, "A.1", "N", "Plan drafted", actor=LEAD)
    answer(b, audit_b, "B.2", "Y", actor=LEAD)  # a field only Bea changed
    return a, b, audit_a, audit_b


def test_both_editing_the_same_answer_is_a_conflict_the_user_settles(
        make_db: MakeDb, tmp_path: Path) -> None:
    a, b, audit_a, _ = _both_answer(make_db, tmp_path)
    path = tmp_path / "bea.auditbundle"
    bundles.run_export(b, path, LEAD)
    bundle = bundles.open_bundle(path)

    preview = bundles.preview_import(a, bundle, LEAD)
    assert [o.outcome for o in preview.outcomes] == [bundles.CONFLICT]
    assert [(c.what, c.base, c.local, c.remote) for c in preview.conflicts] == [
        ("Question A.1 (A pathway plan exists.): answer", "Partly", "Yes", "No")]
    # Evidence changed only here, B.2 only there: no conflict about either.

    before = dump(a)
    with pytest.raises(bundles.UnsettledConflictsError) as refused:
        bundles.run_import(a, bundle, LEAD)
    assert len(refused.value.report.conflicts) == 1
    assert dump(a) == before

    conflict = preview.conflicts[0]
    report = bundles.run_import(a, bundle, LEAD, choices={conflict.id: "remote"})
    assert report.applied and report.summary() == \
        "0 added, 1 updated (1 merged), 0 unchanged, 1 conflict settled"
    answers = {q.key: load_audit(a, audit_a, LEAD).answers[q.id]
               for q in load_audit(a, audit_a, LEAD).template.sections[0].questions}
    assert (answers["A.1"].response, answers["A.1"].evidence) == ("N", "Plan signed off")
    b2 = next(q for s in load_audit(a, audit_a, LEAD).template.sections for q in s.questions
              if q.key == "B.2")
    assert load_audit(a, audit_a, LEAD).answers[b2.id].response == "Y"
    history = audit_history(a, audit_a, LEAD)
    settled = [e for e in history if e.entity == "bundle"]
    assert settled and "kept the bundle's: No" in (settled[0].new_value or "")
    # The change the import made is in this database's history, as an import by Lee Lead.
    (taken,) = [e for e in history if e.imported and not e.carried
                and e.what == "answer A.1 response"]
    assert (taken.actor, taken.old_value, taken.new_value) == ("Lee Lead", "Y", "N")
    assert taken.imported.startswith("the import of bea.auditbundle")
    assert "imported by Lee Lead" in taken.imported

    # Bea gets the settled audit back: hers had not changed since, so it simply updates.
    back = _exchange(a, b, tmp_path, "settled")
    assert back.count(bundles.UPDATED) == 1 and not back.conflicts
    assert dump(a) == dump(b)


def test_prefer_settles_every_conflict_one_way(make_db: MakeDb, tmp_path: Path) -> None:
    a, b, audit_a, _ = _both_answer(make_db, tmp_path)
    report = _exchange(b, a, tmp_path, "bea", prefer="local")
    assert report.count(bundles.MERGED) == 1 and len(report.conflicts) == 1 and report.applied
    question = question_ids(a, audit_a)["A.1"]
    assert load_audit(a, audit_a, LEAD).answers[question].response == "Y"


def test_removed_here_and_changed_there_is_one_conflict(make_db: MakeDb, tmp_path: Path
                                                        ) -> None:
    a, tpl = _laptop(make_db, "alex")
    b, _ = _laptop(make_db, "bea")
    audit_a = make_audit(a, tpl, "C-A1")
    action = add_action(a, audit_a, ActionInput("Chase the plan", owner="PA A"), ALEX)
    _exchange(a, b, tmp_path, "start")
    delete_action(a, action, ALEX)
    with b.transaction() as session:
        audit_b = session.scalar(select(Audit.id))
    theirs = load_audit(b, audit_b, LEAD).actions[0].id
    update_action(b, theirs, ActionInput("Chase the plan", owner="PA B"), LEAD)
    path = tmp_path / "b.auditbundle"
    bundles.run_export(b, path, LEAD)
    preview = bundles.preview_import(a, bundles.open_bundle(path), LEAD)
    assert [(c.what, c.local) for c in preview.conflicts] == [
        ("Action 'Chase the plan'", "(removed)")]
    bundles.run_import(a, bundles.open_bundle(path), LEAD, prefer="remote")
    assert [x.owner for x in load_audit(a, audit_a, LEAD).actions] == ["PA B"]


# --- refusing bad bundles -------------------------------------------------------------------------


def _bundle_and_target(make_db: MakeDb, tmp_path: Path, passphrase: str | None = None
                       ) -> tuple[Path, Database]:
    a, tpl = _laptop(make_db, "alex")
    b, _ = _laptop(make_db, "bea")
    audit = make_audit(a, tpl, "C-A1")
    answer(a, audit, "A.1", "N", "Nothing on file")
    path = tmp_path / "a.auditbundle"
    bundles.run_export(a, path, LEAD, passphrase=passphrase)
    return path, b


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9, 1.0])
def test_a_changed_byte_anywhere_is_refused_and_nothing_imported(
        make_db: MakeDb, tmp_path: Path, where: float) -> None:
    path, target = _bundle_and_target(make_db, tmp_path)
    data = bytearray(path.read_bytes())
    data[min(int(len(data) * where), len(data) - 1)] ^= 0x01
    path.write_bytes(bytes(data))
    before, rows = dump(target), _rows(target)
    with pytest.raises(BundleError, match="changed|damaged|not an auditapp bundle"):
        bundles.open_bundle(path)
    assert dump(target) == before and _rows(target) == rows


def test_an_encrypted_bundle_needs_its_passphrase(make_db: MakeDb, tmp_path: Path) -> None:
    path, target = _bundle_and_target(make_db, tmp_path, PASSPHRASE)
    assert b"C-A1" not in path.read_bytes()  # nothing readable without the passphrase
    before, rows = dump(target), _rows(target)
    with pytest.raises(BundlePassphraseError, match="is encrypted"):
        bundles.open_bundle(path)
    with pytest.raises(BundlePassphraseError, match="does not open"):
        bundles.open_bundle(path, "wrong horse battery")
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x80  # inside the ciphertext
    tampered = tmp_path / "tampered.auditbundle"
    tampered.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="authentication tag"):
        bundles.open_bundle(tampered, PASSPHRASE)
    assert dump(target) == before and _rows(target) == rows
    report = bundles.run_import(target, bundles.open_bundle(path, PASSPHRASE), LEAD)
    assert report.count(bundles.ADDED) == 1


# --- what an export holds -----------------------------------------------------------------------


def test_export_chooses_by_auditor_and_date_and_is_private(
        make_db: MakeDb, tmp_path: Path) -> None:
    a, tpl = _laptop(make_db, "alex")
    make_audit(a, tpl, "C-A1")
    make_audit(a, tpl, "C-B1", auditor="Bea")
    path = tmp_path / "bea.auditbundle"
    result = bundles.run_export(a, path, LEAD, auditor="Bea")
    assert result.audits == 1
    assert [x["case_reference"] for x in bundles.open_bundle(path).manifest["audits"]] == ["C-B1"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(bundles.UserError, match="No audits match"):
        bundles.run_export(a, tmp_path / "none.auditbundle", LEAD,
                        since=date.today() + timedelta(days=1))
    assert not (tmp_path / "none.auditbundle").exists()


def test_a_template_version_new_here_comes_with_the_bundle(make_db: MakeDb, tmp_path: Path
                                                           ) -> None:
    a, tpl = _laptop(make_db, "alex")
    b = make_db("empty")
    make_audit(a, tpl, "C-A1")
    report = _exchange(a, b, tmp_path, "a")
    assert report.count(bundles.ADDED) == 1
    assert dump(a) == dump(b)


def test_closing_an_import_half_way_imports_nothing(make_db: MakeDb, tmp_path: Path) -> None:
    a, tpl = _laptop(make_db, "alex")
    b, _ = _laptop(make_db, "bea")
    for number in range(3):
        make_audit(a, tpl, f"C-A{number}")
    path = tmp_path / "a.auditbundle"
    bundles.run_export(a, path, LEAD)
    before, rows = dump(b), _rows(b)
    steps = bundles.import_bundle(b, bundles.open_bundle(path), LEAD)
    next(steps)
    next(steps)
    steps.close()
    assert dump(b) == before and _rows(b) == rows
