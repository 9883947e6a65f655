"""Roles enforced by the services themselves, and the life of an audit after submission."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.errors import PermissionDeniedError, UserError
from auditapp.models import Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor, Permission, allowed, permissions_of
from auditapp.services.audits.editing import (
    ActionInput,
    AnswerChange,
    AuditChanges,
    AuditLockedError,
    JudgementChange,
    add_action,
    create_audit,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.audits.workflow import close_audit, reopen_audit
from auditapp.services.history import audit_history, check_history
from auditapp.services.moderation import finalise_moderation, record_blind_grades
from auditapp.services.settings import idle_lock_minutes, set_idle_lock_minutes
from auditapp.services.templates import import_template_file
from auditapp.services.users import list_users, save_user
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO, PEER, SAM, SMALL_TEMPLATE, make_audit, make_case

pytestmark = pytest.mark.both_backends


EXPECTED = {
    Role.AUDITOR: {Permission.START_AUDIT, Permission.EDIT_DRAFT, Permission.SUBMIT,
                   Permission.TRACK_ACTIONS, Permission.EXPORT_BUNDLES},
    Role.PEER_REVIEWER: {Permission.START_AUDIT, Permission.EDIT_DRAFT, Permission.SUBMIT,
                         Permission.IMPORT_TEMPLATES, Permission.EXPORT_BUNDLES,
                         Permission.IMPORT_BUNDLES},
    Role.MODERATOR: {Permission.MODERATE, Permission.TRACK_ACTIONS, Permission.EXPORT_BUNDLES},
    Role.PRACTICE_LEAD: set(Permission),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_what_the_table_says(role: Role) -> None:
    assert permissions_of(role) == EXPECTED[role]


def test_own_and_others_rules() -> None:
    assert allowed(ALEX, Permission.EDIT_DRAFT, owner_id=ALEX.id)
    assert not allowed(ALEX, Permission.EDIT_DRAFT, owner_id=SAM.id)
    assert allowed(LEAD, Permission.EDIT_DRAFT, owner_id=SAM.id)
    assert allowed(MO, Permission.MODERATE, owner_id=ALEX.id)
    assert not allowed(LEAD, Permission.MODERATE, owner_id=LEAD.id)
    # A profile is one person whatever their name is written like; two profiles are two.
    assert allowed(Actor("alex", Role.AUDITOR, 99), Permission.MODERATE, owner_id=ALEX.id) \
        is False  # an auditor may not moderate at all
    assert allowed(Actor("ALEX", Role.MODERATOR, 99), Permission.MODERATE, owner_id=ALEX.id)


def _first_question(db: Database, audit: int) -> int:
    return load_audit(db, audit, LEAD).template.sections[0].questions[0].id


def test_an_auditor_cannot_edit_someone_elses_draft(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    q = _first_question(db, audit)
    with pytest.raises(PermissionDeniedError, match="only for their own audits; this one is "
                                                    "Alex's"):
        save_changes(db, audit, AuditChanges(answers={q: AnswerChange(q, "N", "x")}), SAM)
    with pytest.raises(PermissionDeniedError):
        add_action(db, audit, ActionInput("Chase it"), MO)
    assert load_audit(db, audit, LEAD).answers[q].response is None
    assert [r.field for r in audit_history(db, audit, LEAD)] == ["status"]


def test_starting_audits_and_importing(db: Database, small_template_id: int) -> None:
    case = make_case(db)
    with pytest.raises(PermissionDeniedError, match="this one is Sam's"):
        create_audit(db, case, small_template_id, "Sam", date(2026, 1, 5), ALEX)
    with pytest.raises(PermissionDeniedError, match="may not start audits"):
        create_audit(db, case, small_template_id, "Mo Moderator", date(2026, 1, 5), MO)
    assert create_audit(db, case, small_template_id, "Sam", date(2026, 1, 5), LEAD)
    with pytest.raises(PermissionDeniedError, match="may not import checklist templates"):
        import_template_file(db, SMALL_TEMPLATE, ALEX)
    assert not import_template_file(db, SMALL_TEMPLATE, PEER).created  # allowed; unchanged


def test_profiles_first_anyone_then_only_a_lead(first_run_db: Database) -> None:
    db = first_run_db
    save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
    with pytest.raises(PermissionDeniedError):
        save_user(db, "Alex", Role.PRACTICE_LEAD, None)
    with pytest.raises(PermissionDeniedError, match="may not manage profiles"):
        save_user(db, "Alex", Role.PRACTICE_LEAD, ALEX)
    save_user(db, "Alex", Role.AUDITOR, LEAD)
    assert [u.name for u in list_users(db)] == ["Alex", "Lee Lead"]


def submitted_audit(db: Database, template_id: int) -> int:
    audit = make_audit(db, template_id)
    document = load_audit(db, audit, LEAD)
    changes = AuditChanges(overall=(Grade.GOOD, "Good work"))
    for section in document.template.sections:
        if document.applies(section.id):
            for q in section.questions:
                code = "M" if q.option("M") else "Y"
                changes.answers[q.id] = AnswerChange(q.id, code, "")
            changes.judgements[section.id] = JudgementChange(section.id, Grade.GOOD, "ok")
    save_changes(db, audit, changes, ALEX)
    submit_audit(db, audit, ALEX)
    return audit


def test_moderate_close_and_reopen(db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    with pytest.raises(PermissionDeniedError):
        record_blind_grades(db, audit, ALEX, {}, Grade.GOOD)
    record_blind_grades(db, audit, MO, {}, Grade.REQUIRES_IMPROVEMENT)
    with pytest.raises(UserError, match="Give a reason"):
        finalise_moderation(db, audit, MO, {}, (Grade.REQUIRES_IMPROVEMENT, " "))
    finalise_moderation(db, audit, MO, {}, (Grade.REQUIRES_IMPROVEMENT,
                                            "Contingency plan is thin"))
    assert load_audit(db, audit, LEAD).final_grade == Grade.REQUIRES_IMPROVEMENT
    with pytest.raises(PermissionDeniedError, match="only a practice lead may"):
        close_audit(db, audit, MO)
    close_audit(db, audit, LEAD)
    q = _first_question(db, audit)
    for attempt in (
        lambda: save_changes(db, audit, AuditChanges(answers={q: AnswerChange(q, "N", "")}),
                             LEAD),
        lambda: add_action(db, audit, ActionInput("Late fix"), LEAD),
        lambda: record_blind_grades(db, audit, MO, {}, Grade.GOOD),
    ):
        with pytest.raises(AuditLockedError):
            attempt()
    with pytest.raises(PermissionDeniedError):
        reopen_audit(db, audit, "Wrong case", MO)
    with pytest.raises(UserError, match="Say why"):
        reopen_audit(db, audit, "  ", LEAD)
    reopen_audit(db, audit, "Evidence for A.1 was on the wrong file", LEAD)
    assert load_audit(db, audit, LEAD).status == "draft"
    save_changes(db, audit, AuditChanges(answers={q: AnswerChange(q, "P", "fixed")}), ALEX)
    history = [(r.actor, r.field, r.old_value, r.new_value) for r in audit_history(db, audit, LEAD)]
    assert ("Mo Moderator", "grade", None, "Requires improvement to be good") in history
    assert ("Lee Lead", "status", "moderated", "closed") in history
    assert ("Lee Lead", "reopened", None, "Evidence for A.1 was on the wrong file") in history
    assert ("Lee Lead", "status", "closed", "draft") in history
    assert check_history(db).ok


def test_idle_lock_setting(db: Database) -> None:
    assert idle_lock_minutes(db) == 10
    assert set_idle_lock_minutes(db, 3, LEAD) == 3
    assert idle_lock_minutes(db) == 3
    with pytest.raises(PermissionDeniedError):
        set_idle_lock_minutes(db, 30, ALEX)
    with pytest.raises(UserError, match="between 1 and 240"):
        set_idle_lock_minutes(db, 0, LEAD)
    assert idle_lock_minutes(db) == 3
