"""Forged plain bundles: checksums recomputed, so the file itself looks sound. Each is imported
as an auditor (refused: auditors do not import bundles) and as a practice lead (refused
whole, or changing a finished audit only through a conflict the lead settles, and then
recorded), and nothing is imported unnoticed: ``check`` stays sound throughout."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from auditapp.errors import PermissionDeniedError
from auditapp.models import Audit, Base, ChangeEvent
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import load_audit
from auditapp.services.audits.workflow import close_audit
from auditapp.services.history import audit_history, chain_head
from auditapp.services.maintenance import check_database
from auditapp.services.sync import bundles, snapshots
from auditapp.services.sync.bundle_file import BundleError, read_bundle, write_bundle
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    PEER,
    SMALL_TEMPLATE,
    make_audit,
    submitted_audit,
)

pytestmark = pytest.mark.both_backends

MakeDb = Callable[[str], Database]
Parts = dict[str, Any]


def forge(original: Path, out: Path, edit: Callable[[Parts], None]) -> Path:
    """What a forger does to a plain bundle: read it, change its parts, write it again with
    every checksum recomputed (the manifest's and the file's own)."""
    contents = read_bundle(original)
    parts = copy.deepcopy(contents.parts)
    edit(parts)
    for entry in parts["audits.json"]:  # each audit's state, so that it matches its snapshot
        entry["state"] = snapshots.state_hash(entry["snapshot"])
    manifest = {k: v for k, v in contents.manifest.items()
                if k not in ("parts", "format", "format_version")}
    return write_bundle(out, manifest, parts)


def _fingerprint(db: Database) -> tuple[object, ...]:
    with db.transaction() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(table))
                       for table in Base.metadata.sorted_tables)
    return chain_head(db), counts


def _laptops(make_db: MakeDb, tmp_path: Path) -> tuple[Database, Database, int, Path]:
    """Alex's laptop with a closed audit and a draft, exported to the lead's laptop."""
    alex, lead = make_db("alex"), make_db("lead")
    for db in (alex, lead):
        import_template_file(db, SMALL_TEMPLATE, LEAD)
    template = find_template_id(alex, "small-test")
    closed = submitted_audit(alex, template, "F-1")
    close_audit(alex, closed, LEAD)
    make_audit(alex, template, "F-2")  # a draft
    path = tmp_path / "alex.auditbundle"
    bundles.run_export(alex, path, LEAD)
    bundles.run_import(lead, bundles.open_bundle(path), LEAD)
    return alex, lead, closed, path


def _entry(parts: Parts, reference: str) -> dict[str, Any]:
    return next(e for e in parts["audits.json"]
                if e["snapshot"]["case"]["reference"] == reference)


def _refused_everywhere(lead: Database, forged: Path, match: str) -> None:
    """The auditor may not import at all; the lead's import is refused whole."""
    bundle = bundles.open_bundle(forged)
    before = _fingerprint(lead)
    with pytest.raises(PermissionDeniedError, match="may not import bundles"):
        bundles.run_import(lead, bundle, ALEX)
    with pytest.raises(bundles.BundleRefusedError, match=match) as refused:
        bundles.run_import(lead, bundle, LEAD)
    assert "Nothing was imported" in str(refused.value)
    with pytest.raises(bundles.BundleRefusedError, match=match):
        bundles.preview_import(lead, bundle, LEAD)
    assert _fingerprint(lead) == before
    assert check_database(lead).ok


def test_answer_codes_off_the_scale_are_refused(make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def off_scale(parts: Parts) -> None:
        _entry(parts, "F-2")["snapshot"]["answers"]["A/A.1"]["response"] = "51"

    forged = forge(path, tmp_path / "off.auditbundle", off_scale)
    _refused_everywhere(lead, forged, r"answer A/A\.1: '51' is not an answer on its scale "
                                      r"\(Y, P, N, NA\)")


def test_an_oversized_code_is_refused(make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def oversized(parts: Parts) -> None:
        _entry(parts, "F-2")["snapshot"]["answers"]["A/A.2"]["response"] = "Y" * 5000

    forged = forge(path, tmp_path / "long.auditbundle", oversized)
    before = _fingerprint(lead)
    # Longer than any code: refused by the parts' shape, before the import's rules are asked.
    with pytest.raises(BundleError, match=r"long\.auditbundle: audits\.json \[\d\]\.snapshot"
                                          r"\.answers\['A/A\.2'\]\.response: .*10 characters"):
        bundles.open_bundle(forged)
    assert _fingerprint(lead) == before


def test_a_status_jump_that_skips_moderation_is_refused(make_db: MakeDb, tmp_path: Path
                                                        ) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def moderated_draft(parts: Parts) -> None:
        audit = _entry(parts, "F-2")["snapshot"]["audit"]
        audit["status"], audit["submitted_at"] = "moderated", "2026-03-02T10:00:00"

    forged = forge(path, tmp_path / "jump.auditbundle", moderated_draft)
    _refused_everywhere(lead, forged, "is moderated, but the audit could not have been "
                                      "submitted: A.1: not answered")


def test_a_moderated_status_without_a_finalised_moderation_is_refused(
        make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def moderated(parts: Parts) -> None:
        _entry(parts, "F-1")["snapshot"]["audit"]["status"] = "moderated"

    forged = forge(path, tmp_path / "nomod.auditbundle", moderated)
    _refused_everywhere(lead, forged, "is moderated, but no moderation was finalised")


def test_a_changed_grade_on_a_closed_audit_is_refused_unless_the_lead_settles_it(
        make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, closed, path = _laptops(make_db, tmp_path)

    def regraded(parts: Parts) -> None:
        entry = _entry(parts, "F-1")
        entry["known_states"].append(entry["state"])  # as if it came after the lead's copy
        audit = entry["snapshot"]["audit"]
        audit["overall_grade"], audit["grade_rationale"] = 1, "Looked again."

    forged = forge(path, tmp_path / "regraded.auditbundle", regraded)
    bundle = bundles.open_bundle(forged)
    with lead.transaction() as session:
        here = session.scalar(select(Audit.id).where(Audit.uid == bundle.audits[0]["uid"]))
    assert here is not None
    before = _fingerprint(lead)
    with pytest.raises(PermissionDeniedError, match="may not import bundles"):
        bundles.run_import(lead, bundle, ALEX)
    preview = bundles.preview_import(lead, bundle, LEAD)
    assert {c.what for c in preview.conflicts} == {"Overall grade",
                                                   "Rationale for the overall grade"}
    with pytest.raises(bundles.UnsettledConflictsError):  # a closed audit: the lead decides
        bundles.run_import(lead, bundle, LEAD)
    with pytest.raises(PermissionDeniedError, match="only a practice lead may change it"):
        bundles.run_import(lead, bundle, PEER, prefer="remote")
    assert _fingerprint(lead) == before
    assert check_database(lead).ok

    taken = bundles.run_import(lead, bundle, LEAD, prefer="remote")  # the lead decides
    assert taken.applied
    assert load_audit(lead, here, LEAD).overall_grade == Grade.INADEQUATE
    recorded = [(r.what, r.old_value, r.new_value, r.actor) for r in
                audit_history(lead, here, LEAD) if r.imported and not r.carried]
    assert ("audit overall_grade", "Good", "Inadequate", "Lee Lead") in recorded
    assert check_database(lead).ok


def test_keeping_this_databases_grade_settles_it_for_good(make_db: MakeDb, tmp_path: Path
                                                          ) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def regraded(parts: Parts) -> None:
        entry = _entry(parts, "F-1")
        entry["known_states"].append(entry["state"])
        audit = entry["snapshot"]["audit"]
        audit["overall_grade"], audit["grade_rationale"] = 1, "Looked again."

    bundle = bundles.open_bundle(forge(path, tmp_path / "regraded.auditbundle", regraded))
    kept = bundles.run_import(lead, bundle, PEER, prefer="local")  # keeping needs no lead
    assert kept.applied and len(kept.conflicts) == 2
    again = bundles.run_import(lead, bundle, LEAD)  # settled: the same bundle changes nothing
    assert again.count(bundles.UNCHANGED) == 2
    with lead.transaction() as session:
        grades = set(session.scalars(select(Audit.overall_grade).where(Audit.status == "closed")))
    assert grades == {Grade.GOOD}
    assert check_database(lead).ok


def test_a_back_dated_entry_signed_by_someone_else_comes_after_everything_marked(
        make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, closed, path = _laptops(make_db, tmp_path)

    def back_dated(parts: Parts) -> None:
        uid = _entry(parts, "F-1")["uid"]
        parts["history.json"].append({
            "uid": "f" * 32, "audit": uid, "at": "2020-01-01T09:00:00", "actor": "Lee Lead",
            "entity": "audit", "entity_key": "", "action": None, "field": "overall_grade",
            "old_value": "Inadequate", "new_value": "Good"})

    forged = forge(path, tmp_path / "dated.auditbundle", back_dated)
    bundle = bundles.open_bundle(forged)
    with pytest.raises(PermissionDeniedError, match="may not import bundles"):
        bundles.run_import(lead, bundle, ALEX)
    last_before = chain_head(lead)[0]
    report = bundles.run_import(lead, bundle, LEAD)
    assert report.history_added == 1
    with lead.transaction() as session:
        entry = session.scalar(select(ChangeEvent).where(ChangeEvent.uid == "f" * 32))
        assert entry is not None
        assert entry.seq > last_before  # never before this database's own entries
        assert entry.carried and entry.import_id is not None
        audit = entry.audit_id
    (shown,) = [r for r in audit_history(lead, audit, LEAD) if r.at.year == 2020]
    assert shown.carried and shown.imported.startswith("carried in dated.auditbundle")
    assert "imported by Lee Lead" in shown.imported
    assert check_database(lead).ok
    assert load_audit(lead, audit, LEAD).overall_grade == Grade.GOOD  # it changed nothing


def test_a_seal_entry_cannot_be_carried_in(make_db: MakeDb, tmp_path: Path) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def sealed(parts: Parts) -> None:
        parts["history.json"].append({
            "uid": "e" * 32, "audit": _entry(parts, "F-1")["uid"],
            "at": "2026-03-01T09:00:00", "actor": "Lee Lead", "entity": "seal",
            "entity_key": "", "action": None, "field": "content", "old_value": None,
            "new_value": "0" * 64})

    forged = forge(path, tmp_path / "seal.auditbundle", sealed)
    _refused_everywhere(lead, forged, "history entry .*: 'seal' is not one of")


def test_every_problem_is_named_and_none_imports_anything(make_db: MakeDb, tmp_path: Path
                                                          ) -> None:
    _alex, lead, _closed, path = _laptops(make_db, tmp_path)

    def everything(parts: Parts) -> None:
        snapshot = _entry(parts, "F-2")["snapshot"]
        snapshot["judgements"]["A"]["grade"] = 7
        snapshot["audit"]["strengths"] = "x" * 100_001
        snapshot["audit"]["audit_date"] = "9999-12-31"
        snapshot["case"]["reference"] = "Jane Smith"

    # What breaks the parts' shape (a grade of 7, text too long, a date out of range) is
    # refused as the bundle is read: the first problem named, the rest counted.
    forged = forge(path, tmp_path / "all.auditbundle", everything)
    with pytest.raises(BundleError, match=r"all\.auditbundle: audits\.json \[\d\]\.snapshot\."
                                          r".*\(and 2 more problems\)") as shaped:
        bundles.open_bundle(forged)
    assert "\n" not in str(shaped.value)

    def within_the_shape(parts: Parts) -> None:
        snapshot = _entry(parts, "F-2")["snapshot"]
        snapshot["answers"]["A/A.1"]["response"] = "51"
        snapshot["case"]["reference"] = "Jane Smith"

    # What has the right shape but breaks the rules is refused by the import, every problem
    # named.
    forged = forge(path, tmp_path / "rules.auditbundle", within_the_shape)
    with pytest.raises(bundles.BundleRefusedError) as refused:
        bundles.run_import(lead, bundles.open_bundle(forged), LEAD)
    problems = "\n".join(refused.value.problems)
    for expected in ("answer A/A.1: '51' is not an answer on its scale",
                     "case reference: 'Jane Smith' is not a case reference"):
        assert expected in problems
    assert str(refused.value).count("\n") == 0  # one clear line


def test_a_legitimate_bundle_still_imports(make_db: MakeDb, tmp_path: Path) -> None:
    alex, lead, _closed, _path = _laptops(make_db, tmp_path)
    template = find_template_id(alex, "small-test")
    make_audit(alex, template, "F-3", audit_date=date(2026, 4, 1))
    path = tmp_path / "more.auditbundle"
    bundles.run_export(alex, path, ALEX)  # Alex exports his own audits
    report = bundles.run_import(lead, bundles.open_bundle(path), PEER)
    assert report.count(bundles.ADDED) == 1 and report.count(bundles.UNCHANGED) == 2
    assert check_database(lead).ok
