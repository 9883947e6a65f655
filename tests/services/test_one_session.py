"""One session per user action: no service opens a session inside another's transaction.

A second session inside an open transaction reads outside its snapshot (on SQLite it may
wait on the first one's lock; on PostgreSQL it does not see the first one's writes), so
every use case here runs under a guard that counts open transactions per thread and keeps
the stack of any that opens inside another.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from auditapp.models import CareLeaverCategory, Role
from auditapp.rules.grades import Grade
from auditapp.services import (
    actions,
    cases,
    history,
    maintenance,
    moderation,
    settings,
    template_list,
    templates,
    users,
)
from auditapp.services.audits import editing, workflow
from auditapp.services.demo import generate_demo
from auditapp.services.reporting import figures, stats, workbook_rows
from auditapp.services.sync import bundles
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    MO,
    SMALL_TEMPLATE,
    NestingGuard,
    complete_audit,
    question_ids,
)

pytestmark = pytest.mark.both_backends


def test_the_guard_sees_a_session_opened_inside_a_transaction(
        db: Database, guard: NestingGuard) -> None:
    with db.transaction():
        template_list.list_templates(db)
    assert len(guard.nested) == 1 and "list_templates" in guard.nested[0]
    template_list.list_templates(db)
    assert len(guard.nested) == 1


def _audit_work(db: Database, template_id: int, tmp_path: Path) -> int:
    """Start, edit, act on, submit and moderate audits; returns a moderated audit."""
    new_case = cases.CaseInput("CL-1", CareLeaverCategory.RELEVANT, team="North")
    audit = cases.start_audit_for_new_case(db, new_case, template_id, "Alex",
                                           date(2026, 3, 1), ALEX)
    other = editing.create_audit(db, cases.save_case(db, cases.CaseInput(
        "CL-2", CareLeaverCategory.ELIGIBLE), ALEX), template_id, "Alex", date(2026, 3, 2), ALEX)
    sample = tmp_path / "sample.csv"
    sample.write_text("reference,category\nCL-3,eligible\n", encoding="utf-8")
    cases.import_cases(db, sample, template_id, LEAD, default_auditor="Alex")
    question = question_ids(db, audit)["A.1"]
    document = editing.load_audit(db, audit, LEAD)
    editing.save_changes(db, audit, editing.AuditChanges(answers={question: editing.AnswerChange(
        question, "Y", "")}), ALEX, document.template, document.revision)
    action = editing.add_action(db, audit, editing.ActionInput(
        "Review the plan", "PA A", date(2026, 4, 1)), ALEX)
    editing.update_action(db, action, editing.ActionInput(
        "Review the plan with the YP", "PA A", date(2026, 4, 1)), ALEX)
    spare = editing.add_action(db, audit, editing.ActionInput("Spare", "PA A"), ALEX)
    editing.delete_action(db, spare, ALEX)
    for each in (audit, other):
        complete_audit(db, each)
        editing.submit_audit(db, each, ALEX, editing.load_audit(db, each, LEAD).revision)
    moderation.draw_sample(db, LEAD, 1, seed=3)
    moderation.moderation_queue(db, MO)
    moderation.load_for_moderation(db, audit, MO)
    moderation.record_blind_grades(db, audit, MO, {}, Grade.GOOD)
    moderation.moderation_comparison(db, audit, MO)
    moderation.finalise_moderation(db, audit, MO, {}, (Grade.REQUIRES_IMPROVEMENT, "Thin"))
    moderation.return_for_rework(db, other, MO, "A.2 needs evidence")
    return audit


def _follow_up(db: Database, audit: int, tmp_path: Path) -> None:
    """Track actions, close and reopen, read the history, figures and settings."""
    (action,) = editing.load_audit(db, audit, LEAD).actions
    actions.complete_action(db, action.id, "Reviewed", date(2026, 3, 20), LEAD)
    actions.reopen_action(db, action.id, LEAD)
    actions.cancel_action(db, action.id, "No longer needed", LEAD)
    actions.list_tracked_actions(db)
    workflow.close_audit(db, audit, LEAD)
    workflow.reopen_audit(db, audit, "Wrong case file", LEAD)
    history.write_history_csv(history.audit_history(db, audit, LEAD), tmp_path / "history.csv")
    history.check_history(db)
    maintenance.check_database(db)
    scope = figures.ReportScope(date(2026, 1, 1), date(2026, 12, 31))
    stats.grade_counts(db)
    figures.period_figures(db, scope, date(2026, 6, 30))
    figures.audits_behind(db, scope, figures.FigureCell(grade=Grade.GOOD.label))
    list(workbook_rows.action_rows(db, scope, date(2026, 6, 30)))
    settings.set_idle_lock_minutes(db, 20, LEAD)
    settings.idle_lock_minutes(db)
    users.save_user(db, "Bea", Role.AUDITOR, LEAD)


def test_no_service_opens_a_session_inside_another(
        db: Database, make_db: Callable[[str], Database], guard: NestingGuard,
        tmp_path: Path) -> None:
    users.command_line_profile(db, "someone")
    templates.import_template_file(db, SMALL_TEMPLATE, LEAD)
    template_id = templates.find_template_id(db, "small-test")
    templates.install_shipped_templates(db)
    audit = _audit_work(db, template_id, tmp_path)
    _follow_up(db, audit, tmp_path)
    templates.set_template_retired(db, template_id, True, LEAD)
    templates.set_template_retired(db, template_id, False, LEAD)
    list(generate_demo(db, 20, LEAD, seed=2, end=date(2026, 6, 30)))
    path = bundles.run_export(db, tmp_path / "all.auditbundle", LEAD).path
    other = make_db("other")
    bundle = bundles.open_bundle(path)
    bundles.preview_import(other, bundle, LEAD)
    bundles.run_import(other, bundle, LEAD)
    assert guard.opened > 50  # the guard really watched the run
    assert guard.nested == [], "sessions opened inside a transaction:\n" + "\n".join(
        guard.nested)
