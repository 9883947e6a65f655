"""What ``check`` proves: the attacks on the history and the data it covers, each run, then
found. A direct SQL edit of every table the seals cover, named by audit and field; a cut
history tail and a chain rewritten and recomputed with the public rule, found against a
chain head kept outside (a backup, a bundle); an encrypted database's keyed chain, which the
public rule cannot recompute."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, text

from auditapp.cli.main import main_cli
from auditapp.errors import UserError
from auditapp.exporters.audit_pdf import export_audit_pdf
from auditapp.exporters.board_pdf import export_board_pack
from auditapp.exporters.xlsx import export_workbook
from auditapp.models import ChangeEvent
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import ActionInput, add_action
from auditapp.services.history import GENESIS, check_history, entry_hash
from auditapp.services.integrity import (
    STAMP_PROPERTY,
    UNSEALED,
    KeptHead,
    chain_stamp,
    check_content,
)
from auditapp.services.maintenance import check_database, kept_head
from auditapp.services.moderation import finalise_moderation, record_blind_grades
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.sync import bundles
from auditapp.storage.backups import make_backup
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.storage.history_chain import ChainSettings, read_chain_settings
from tests.builders import (
    ALEX,
    LEAD,
    MO,
    SMALL_TEMPLATE,
    add_people,
    answer,
    make_audit,
    section_ids,
    submitted_audit,
)

pytestmark = pytest.mark.both_backends


def _tamper(db: Database, *statements: str) -> None:
    """Change the database behind auditapp's back, with the database's own SQL."""
    if db.is_server:
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        return
    db.dispose()
    assert db.path is not None
    connection = sqlite3.connect(db.path)
    with connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def _moderated_audit_with_an_action(db: Database, template: int) -> int:
    audit = submitted_audit(db, template, "I-1")
    add_action(db, make_audit(db, template, "I-2"), ActionInput("Chase", "PA", date(2026, 4, 1)),
               ALEX)
    sections = section_ids(db, audit)
    record_blind_grades(db, audit, MO, {sections["A"]: Grade.GOOD}, Grade.GOOD)
    finalise_moderation(db, audit, MO, {sections["A"]: (Grade.GOOD, "")}, (Grade.GOOD, ""))
    return audit


#: Each direct edit, and what check must say about it (the audit is named by its case).
EDITS = {
    "answers": ("UPDATE answers SET response = 'N' WHERE response = 'Y' AND audit_id = "
                "(SELECT id FROM audits WHERE case_id = (SELECT id FROM cases WHERE "
                "reference = 'I-1')) AND question_id = (SELECT min(question_id) FROM answers)",
                "(I-1): answer A.1 response is \"N\" but its history says \"Y\""),
    "answers evidence": ("UPDATE answers SET evidence = 'invented' WHERE response = 'M'",
                         "answer A.3 evidence is \"invented\" but its history says \"\""),
    "a deleted answer": ("DELETE FROM answers WHERE question_id = (SELECT min(question_id) "
                         "FROM answers) AND audit_id = (SELECT min(id) FROM audits)",
                         "answer A.1 response is absent"),
    "section_judgements": ("UPDATE section_judgements SET grade = 1 WHERE grade = 3",
                           "judgement A grade is 1 but its history says 3"),
    "audits grade": ("UPDATE audits SET overall_grade = 4 WHERE overall_grade = 3",
                     "audit overall_grade is 4 but its history says 3"),
    "audits narrative": ("UPDATE audits SET strengths = 'Excellent' WHERE strengths = ''",
                         "audit strengths is \"Excellent\" but its history says \"\""),
    "audits status": ("UPDATE audits SET status = 'closed' WHERE status = 'moderated'",
                      "audit status is \"closed\" but its history says \"moderated\""),
    "audits uid": ("UPDATE audits SET uid = 'ffffffffffffffffffffffffffffffff' WHERE "
                   "status = 'moderated'", "audit uid is \"ffffffffffffffffffffffffffff"),
    "audits auditor": ("UPDATE audits SET auditor_id = 4 WHERE status = 'moderated'",
                       "audit auditor_id is 4 but its history says 2"),
    "actions": ("UPDATE actions SET status = 'done'", "status is \"done\" but its history "
                                                      "says \"open\""),
    "actions uid": ("UPDATE actions SET uid = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'",
                    "action eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee text is \"Chase\" but its "
                    "history says absent"),
    "moderations": ("UPDATE moderations SET grade = 1", "moderation grade is 1 but its "
                                                        "history says 3"),
    "moderated_sections": ("UPDATE moderated_sections SET grade = 4",
                           "moderation section A grade is 4 but its history says 3"),
    "audit_seals": ("UPDATE audit_seals SET content = audit_seals.content || "
                    "audit_seals.content", "the copy of its content kept beside the history"),
}


@pytest.mark.parametrize("table", sorted(EDITS))
def test_a_direct_edit_of_each_table_is_named_by_check(db: Database, small_template_id: int,
                                                       table: str) -> None:
    _moderated_audit_with_an_action(db, small_template_id)
    assert check_database(db).ok
    statement, expected = EDITS[table]
    _tamper(db, statement)
    reopened = db if db.is_server else open_database(db.path or "", backup=False)
    try:
        problems = check_content(reopened)
        assert any(expected in p and "changed outside auditapp" in p for p in problems), \
            problems
        assert check_history(reopened).ok  # the chain itself is untouched
        assert not check_database(reopened).ok
    finally:
        if reopened is not db:
            reopened.dispose()


def test_an_audit_added_behind_auditapps_back_has_no_seal(db: Database,
                                                          small_template_id: int) -> None:
    make_audit(db, small_template_id, "I-1")
    _tamper(db, "INSERT INTO audits (uid, case_id, template_id, auditor_id, audit_date, status, "
                "grade_rationale, strengths, areas_for_development, young_person_voice, "
                "returned_comment, answered, applicable, created_at, updated_at, revision) "
                "SELECT 'dddddddddddddddddddddddddddddddd', case_id, template_id, auditor_id, "
                "audit_date, 'closed', '', '', '', '', '', 0, 0, created_at, updated_at, 1 "
                "FROM audits")
    reopened = db if db.is_server else open_database(db.path or "", backup=False)
    try:
        assert any("has no seal in the history" in p for p in check_content(reopened))
    finally:
        if reopened is not db:
            reopened.dispose()


# --- a chain rewritten with the public rule -------------------------------------------------------


def rewrite_chain(db: Database, seq: int, new_value: str) -> None:
    """What someone who can write the database and knows the rule does: change an entry and
    recompute the hash of it and of every entry after it, so the chain holds again."""
    with db.transaction() as session:
        chain = read_chain_settings(session)
        rows = session.scalars(select(ChangeEvent).order_by(ChangeEvent.seq)).all()
        previous = GENESIS
        for row in rows:
            if row.seq == seq:
                row.new_value = new_value
            if row.seq >= seq:
                row.hash = entry_hash(chain, previous, row)
            previous = row.hash


def _history(db: Database, template: int) -> int:
    audit = make_audit(db, template, "R-1")
    answer(db, audit, "A.1", "Y", "On file")
    answer(db, audit, "A.2", "P", "Partly")
    return audit


def test_a_rewritten_and_rechained_history_shows_against_a_bundle(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    _history(db, small_template_id)
    path = bundles.run_export(db, tmp_path / "sent.auditbundle", LEAD).path  # its head leaves
    rewrite_chain(db, 3, "N")  # the first answer said No, says the history now
    assert check_history(db).ok  # the public rule was followed: the chain holds
    report = check_database(db, [kept_head(path, None, None)])
    assert not report.ok
    assert any("differ from the bundle sent.auditbundle" in p and "rewritten" in p
               for p in report.against), report.against


def test_a_cut_history_tail_shows_against_a_bundle(db: Database, small_template_id: int,
                                                   tmp_path: Path) -> None:
    audit = _history(db, small_template_id)
    path = bundles.run_export(db, tmp_path / "sent.auditbundle", LEAD).path
    _tamper(db, "DELETE FROM change_events WHERE seq > 4")
    reopened = db if db.is_server else open_database(db.path or "", backup=False)
    try:
        assert check_history(reopened).ok  # nothing left to break the chain
        report = check_database(reopened, [kept_head(path, None, None)])
        assert any("the history was cut" in p for p in report.against), report.against
        assert any(f"audit {audit} (R-1)" in p for p in report.content)
    finally:
        if reopened is not db:
            reopened.dispose()


def _export(db: Database, kind: str, audit: int, out: Path) -> Path:
    """An export made the way the desktop app and the command line make it."""
    if kind == "workbook":
        list(export_workbook(db, out, ReportScope(), date(2026, 6, 30)))
    elif kind == "feedback":
        list(export_audit_pdf(db, audit, out, LEAD))
    else:
        list(export_board_pack(db, out, ReportScope(date(2026, 1, 1), date(2026, 6, 30)),
                               today=date(2026, 6, 30)))
    return out


def _recorded_stamp(path: Path) -> str:
    """The head an export records, read back by the file's own reader."""
    if path.suffix == ".xlsx":
        workbook = load_workbook(path)
        return str(workbook.custom_doc_props[STAMP_PROPERTY].value)
    metadata = PdfReader(path).metadata
    assert metadata is not None
    return str(metadata["/Keywords"]).split(", ")[-1]  # the keywords end with the head


@pytest.mark.parametrize("kind", ["workbook", "feedback", "board"])
def test_every_export_records_the_head_and_a_rewrite_shows_against_it(
        db: Database, small_template_id: int, tmp_path: Path, kind: str) -> None:
    audit = submitted_audit(db, small_template_id, "X-1")
    for more in range(2, 6 if kind == "board" else 2):  # a board pack needs five
        submitted_audit(db, small_template_id, f"X-{more}")
    out = _export(db, kind, audit, tmp_path / ("out.xlsx" if kind == "workbook" else "out.pdf"))
    assert _recorded_stamp(out) == chain_stamp(db).text()
    assert check_database(db, [kept_head(out, None, None)]).ok
    rewrite_chain(db, 2, "rewritten")
    assert check_history(db).ok
    report = check_database(db, [kept_head(out, None, None)])
    assert any(f"differ from the export {out.name}" in p and "rewritten" in p
               for p in report.against), report.against


def test_a_cut_tail_shows_against_a_workbook(db: Database, small_template_id: int,
                                             tmp_path: Path) -> None:
    audit = submitted_audit(db, small_template_id, "X-1")
    out = _export(db, "workbook", audit, tmp_path / "out.xlsx")
    last = chain_stamp(db).seq
    _tamper(db, f"DELETE FROM change_events WHERE seq > {last - 2}")
    reopened = db if db.is_server else open_database(db.path or "", backup=False)
    try:
        report = check_database(reopened, [kept_head(out, None, None)])
        assert any("the history was cut" in p for p in report.against), report.against
    finally:
        if reopened is not db:
            reopened.dispose()


def test_a_file_that_records_no_head_is_refused_by_name(db: Database, tmp_path: Path) -> None:
    stranger = tmp_path / "someone else's.pdf"
    stranger.write_bytes(b"%PDF-1.4\n" + b"0" * 5_000_000)  # larger than one block read
    with pytest.raises(UserError, match="someone else's.pdf records no history head"):
        kept_head(stranger, None, None)


def test_a_head_of_another_database_is_refused(db: Database, small_template_id: int) -> None:
    _history(db, small_template_id)
    with pytest.raises(UserError, match="is of another database"):
        check_database(db, [KeptHead("a stranger's bundle", "0" * 32, {1: "0" * 64})])


# --- files: backups, encryption, the command line -----------------------------------------------


def _file_db(tmp_path: Path, passphrase: str | None = None) -> Database:
    db = open_database(tmp_path / "audit.sqlite", passphrase, backup=False)
    add_people(db)
    from auditapp.services.templates import find_template_id, import_template_file

    import_template_file(db, SMALL_TEMPLATE, LEAD)
    _history(db, find_template_id(db, "small-test"))
    return db


def test_a_database_rolled_back_whole_shows_against_a_later_backup(tmp_path: Path) -> None:
    db = _file_db(tmp_path)
    assert db.path is not None
    early = make_backup(db, "manual").path
    answer(db, 1, "B.1", "N", "Hidden later")
    later = make_backup(db, "manual").path
    db.dispose()
    shutil.copy(early, db.path)  # every row, seal and entry as they were: consistent
    for side in ("-wal", "-shm"):
        Path(f"{db.path}{side}").unlink(missing_ok=True)
    reopened = open_database(db.path, backup=False)
    try:
        assert check_database(reopened).ok  # on its own, a rollback looks sound
        report = check_database(reopened, [kept_head(later, None, None)])
        assert any("the history was cut" in p for p in report.against)
    finally:
        reopened.dispose()


def test_check_against_a_backup_from_the_command_line(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    db = _file_db(tmp_path)
    assert db.path is not None
    backup = make_backup(db, "manual").path
    rewrite_chain(db, 3, "N")
    db.dispose()
    assert main_cli(["--db", str(tmp_path / "audit.sqlite"), "check"]) == 0
    capsys.readouterr()
    assert main_cli(["--db", str(tmp_path / "audit.sqlite"), "check", "--against",
                     str(backup)]) == 1
    out = capsys.readouterr().out
    assert f"Compared with the backup {backup.name}" in out
    assert "from entry 3 on: the history was rewritten" in out
    assert "Result: PROBLEMS FOUND" in out


def test_an_encrypted_databases_chain_is_keyed(tmp_path: Path) -> None:
    secret = "correct horse battery staple"
    db = _file_db(tmp_path, secret)
    try:
        with db.transaction() as session:
            chain = read_chain_settings(session)
            rows = session.scalars(select(ChangeEvent).order_by(ChangeEvent.seq)).all()
        assert chain.key is not None and chain.keyed_from == 1
        assert check_history(db).ok and check_history(db).keyed_from == 1
        public = ChainSettings(chain.v2_from)  # the rule anyone can read, without the key
        assert entry_hash(public, GENESIS, rows[0]) != rows[0].hash
        # A rewrite by the public rule breaks a keyed chain at once.
        with db.transaction() as session:
            first = session.scalar(select(ChangeEvent).where(ChangeEvent.seq == 1))
            assert first is not None
            first.hash = entry_hash(public, GENESIS, first)
        assert check_history(db).breaks[0].startswith("entry 1 ")
    finally:
        db.dispose()


def test_check_names_what_it_cannot_vouch_for(db: Database, small_template_id: int) -> None:
    """The honest limit: a case detail changed behind auditapp's back is not covered by the
    seals, so check passes it; the report says so, rather than implying it covers all."""
    make_audit(db, small_template_id, "V-1", team="North")
    _tamper(db, "UPDATE cases SET team = 'South'")
    report = check_database(db)
    assert report.ok
    assert report.unvouched == UNSEALED and "case details" in UNSEALED


def test_the_command_line_says_what_a_plain_file_leaves_unvouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain, encrypted = tmp_path / "plain", tmp_path / "encrypted"
    plain.mkdir()
    encrypted.mkdir()
    _file_db(plain).dispose()
    _file_db(encrypted, "correct horse battery").dispose()
    (tmp_path / "pass.txt").write_text("correct horse battery\n", encoding="utf-8")
    assert main_cli(["--db", str(plain / "audit.sqlite"), "check"]) == 0
    out = capsys.readouterr().out
    assert ("Not vouched for: case details, templates, profiles and their roles, settings, "
            "moderation samples, the bundle import log, board reports and the release "
            "register, the audit programme.") in out
    assert "in a plain (unencrypted) file" in out and "auditapp encrypt" in out
    assert main_cli(["--db", str(encrypted / "audit.sqlite"), "--passphrase-file",
                     str(tmp_path / "pass.txt"), "check"]) == 0
    out = capsys.readouterr().out
    assert "Not vouched for" not in out and "Result: ok" in out
