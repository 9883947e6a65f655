"""Every service that writes checks its permission: each is called by each role that lacks
it, and must refuse with nothing changed.

The services are found, not listed: every public function of ``auditapp.services`` whose
first parameter is the database is a use case, and must be classified here, as a use case
that takes an ``actor`` (in :data:`CALLS`, with the permission it needs), a read that takes
the ``reader`` it shows things to, or one of the reviewed exceptions below. A new service
that is in none of them fails :func:`test_every_service_is_classified`, so no writer can be
added without its check being tested.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import auditapp.services
from auditapp.errors import PermissionDeniedError
from auditapp.models import Base, CareLeaverCategory, Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import ROLES, Actor, Permission
from auditapp.services import (
    actions,
    cases,
    demo,
    moderation,
    programme,
    programme_import,
    settings,
    templates,
    users,
)
from auditapp.services.audits import editing, workflow
from auditapp.services.history import chain_head
from auditapp.services.reporting import board_reports, releases
from auditapp.services.reporting import manifest as manifests
from auditapp.services.reporting.figures import ReportScope
from auditapp.services.sync import bundles
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    MO,
    PEER,
    SAM,
    SMALL_TEMPLATE,
    make_audit,
    question_ids,
    submitted_audit,
)

pytestmark = pytest.mark.both_backends

#: One person of each role.
BY_ROLE = {Role.AUDITOR: ALEX, Role.MODERATOR: MO, Role.PEER_REVIEWER: PEER,
           Role.PRACTICE_LEAD: LEAD}

#: Public services with no actor that read, each with why that is safe (reviewed).
READS = {
    "list_tracked_actions": "actions only, no grades",
    "count_audits": "a count",
    "list_cases": "case details, no grades",
    "chain_head": "the history's last hash",
    "chain_stamp": "the database id and the history's last entry, for an export to record",
    "check_history": "checks the chain",
    "check_content": "checks the data against the seals",
    "compare_with_head": "checks the chain against a kept head",
    "check_database": "auditapp check",
    "list_samples": "which audits were sampled, no grades",
    "board_figures": "a report: its scope carries the reader",
    "read_findings": "a report (the board pack's findings): its scope carries the reader",
    "audits_behind": "a report: its scope carries the reader",
    "check_scope": "a count: its scope carries the reader",
    "grade_tally": "a report: its scope carries the reader",
    "list_teams": "team names",
    "period_figures": "a report: its scope carries the reader",
    "quarter_tallies": "a report: its scope carries the reader",
    "templates_used": "a report: its scope carries the reader",
    "grade_counts": "auditapp stats, which acts as a practice lead",
    "action_rows": "a report: its scope carries the reader",
    "answer_rows": "a report: its scope carries the reader",
    "audit_rows": "a report: its scope carries the reader",
    "row_counts": "a report: its scope carries the reader",
    "longest_texts": "lengths of the longest texts: its scope carries the reader",
    "idle_lock_minutes": "a setting",
    "database_id": "the database's id",
    "export_template_workbook": "a template (no personal data) written to a file",
    "find_template_id": "a template",
    "list_templates": "templates",
    "template_info": "a template",
    "template_spec": "a template",
    "list_users": "profiles and roles",
    "make_manifest": "what a report counted: ids, revisions and hashes, no grades",
    "audit_refs": "ids and revisions of the audits a scope counts",
    "template_refs": "template versions",
    "changes_since": "ids and revisions of audits changed since a manifest",
    "pack_manifest": "a board pack's manifest: make_manifest over the pack's own figures",
    "period_counts": "a report: its scope carries the reader",
    "share_good_chart": "a report: its scope carries the reader",
    "council_name": "a setting",
    "edition_words": "a report's words, from a row its caller was allowed to read",
    "programme_figures": "a report: its scope carries the reader",
    "list_programme": "planned counts and counts of completed audits per team, no grades",
}
#: Public services with no actor that write, each with why (reviewed).
BOOTSTRAPS = {
    "install_shipped_templates": "the templates that come with auditapp, on every opening",
    "command_line_profile": "the command line's own profile: the command line acts as a "
                            "practice lead, and whoever runs it can open the file anyway",
}


def _use_cases() -> Iterator[tuple[str, Callable[..., Any]]]:
    for info in pkgutil.walk_packages(auditapp.services.__path__, "auditapp.services."):
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != info.name:
                continue
            parameters = list(inspect.signature(function).parameters)
            if parameters and parameters[0] == "db":
                yield name, function


# --- what each use case needs, and how to call it ---------------------------------------------


@dataclass
class World:
    """A database with something of everything to act on, all Alex's."""

    db: Database
    template: int
    draft: int
    submitted: int
    blind: int  # submitted, blind grades recorded by Mo
    closed: int
    action: int
    case: int  # a case with no audit yet
    folder: Path

    def bundle(self) -> bundles.Bundle:
        path = self.folder / "all.auditbundle"
        if not path.exists():
            bundles.run_export(self.db, path, LEAD)
        return bundles.open_bundle(path)

    def programme_sheet(self) -> Path:
        path = self.folder / "programme.csv"
        path.write_text("period start,period end,team,template key,planned\n"
                        "2026-10-01,2026-12-31,East,small-test,5\n", encoding="utf-8")
        return path

    def sample(self) -> Path:
        path = self.folder / "sample.csv"
        path.write_text("reference,category\nS-1,eligible\n", encoding="utf-8")
        return path


#: A line of the audit programme the world holds.
PLANNED = programme.PlannedLine(date(2026, 7, 1), date(2026, 9, 30), "South", "small-test", 3)


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    templates.import_template_file(db, SMALL_TEMPLATE, LEAD)
    template = templates.find_template_id(db, "small-test")
    draft = make_audit(db, template, "W-1")
    action = editing.add_action(db, draft, editing.ActionInput("Chase", "PA", date(2026, 4, 1)),
                                ALEX)
    submitted = submitted_audit(db, template, "W-2")
    blind = submitted_audit(db, template, "W-3")
    moderation.record_blind_grades(db, blind, MO, {}, Grade.GOOD)
    closed = submitted_audit(db, template, "W-4")
    workflow.close_audit(db, closed, LEAD)
    case = cases.save_case(db, cases.CaseInput("N-1", CareLeaverCategory.ELIGIBLE), LEAD)
    programme.set_planned(db, PLANNED, LEAD)
    return World(db, template, draft, submitted, blind, closed, action, case, tmp_path)


def _answer(w: World) -> editing.AuditChanges:
    question = question_ids(w.db, w.draft)["A.1"]
    return editing.AuditChanges(answers={question: editing.AnswerChange(question, "N", "x")})


_REPORT = board_reports.ReportSettings("Report", date(2026, 1, 1), date(2026, 6, 30), "Board",
                                       date(2026, 7, 1), "Lee", "OFFICIAL", 5)


#: Each use case that takes an actor: the permission it needs, and a call with good
#: arguments (so that only the permission can refuse it).
CALLS: dict[str, tuple[Permission, Callable[[World, Actor], Any]]] = {
    "cancel_action": (Permission.TRACK_ACTIONS,
                      lambda w, a: actions.cancel_action(w.db, w.action, "Gone", a)),
    "complete_action": (Permission.TRACK_ACTIONS, lambda w, a: actions.complete_action(
        w.db, w.action, "Done", date(2026, 3, 2), a)),
    "reopen_action": (Permission.TRACK_ACTIONS,
                      lambda w, a: actions.reopen_action(w.db, w.action, a)),
    "add_action": (Permission.EDIT_DRAFT, lambda w, a: editing.add_action(
        w.db, w.draft, editing.ActionInput("More"), a)),
    "create_audit": (Permission.START_AUDIT, lambda w, a: editing.create_audit(
        w.db, w.case, w.template, a.name, date(2026, 3, 1), a)),
    "delete_action": (Permission.EDIT_DRAFT,
                      lambda w, a: editing.delete_action(w.db, w.action, a)),
    "save_changes": (Permission.EDIT_DRAFT,
                     lambda w, a: editing.save_changes(w.db, w.draft, _answer(w), a)),
    "submit_audit": (Permission.SUBMIT, lambda w, a: editing.submit_audit(w.db, w.draft, a)),
    "update_action": (Permission.EDIT_DRAFT, lambda w, a: editing.update_action(
        w.db, w.action, editing.ActionInput("Chase harder"), a)),
    "close_audit": (Permission.CLOSE,
                    lambda w, a: workflow.close_audit(w.db, w.submitted, a)),
    "reopen_audit": (Permission.REOPEN,
                     lambda w, a: workflow.reopen_audit(w.db, w.closed, "Wrong file", a)),
    "import_cases": (Permission.IMPORT_CASES, lambda w, a: cases.import_cases(
        w.db, w.sample(), w.template, a, default_auditor="Alex")),
    "save_case": (Permission.START_AUDIT, lambda w, a: cases.save_case(
        w.db, cases.CaseInput("N-2", CareLeaverCategory.ELIGIBLE), a)),
    "start_audit_for_new_case": (Permission.START_AUDIT, lambda w, a:
                                 cases.start_audit_for_new_case(
                                     w.db, cases.CaseInput("N-3", CareLeaverCategory.RELEVANT),
                                     w.template, a.name, date(2026, 3, 1), a)),
    "register_release": (Permission.RELEASE_REPORTS, lambda w, a: releases.register_release(
        w.db, manifests.make_manifest(w.db, manifests.BOARD_PACK, ReportScope(
            date(2000, 1, 1), date(2100, 1, 1)), date(2026, 6, 30), 6, "0" * 64,
            manifests.now()), a)),
    "generate_demo": (Permission.LOAD_DEMO,
                      lambda w, a: list(demo.generate_demo(w.db, 2, a, end=date(2026, 6, 30)))),
    "draw_sample": (Permission.CLOSE, lambda w, a: moderation.draw_sample(w.db, a, 1, seed=1)),
    "finalise_moderation": (Permission.MODERATE, lambda w, a: moderation.finalise_moderation(
        w.db, w.blind, a, {}, (Grade.GOOD, ""))),
    "load_for_moderation": (Permission.MODERATE,
                            lambda w, a: moderation.load_for_moderation(w.db, w.submitted, a)),
    "moderation_comparison": (Permission.MODERATE, lambda w, a:
                              moderation.moderation_comparison(w.db, w.blind, a)),
    "moderation_queue": (Permission.MODERATE, lambda w, a: moderation.moderation_queue(w.db, a)),
    "record_blind_grades": (Permission.MODERATE, lambda w, a: moderation.record_blind_grades(
        w.db, w.submitted, a, {}, Grade.GOOD)),
    "return_for_rework": (Permission.MODERATE, lambda w, a: moderation.return_for_rework(
        w.db, w.submitted, a, "Evidence missing")),
    "set_idle_lock_minutes": (Permission.CHANGE_SETTINGS,
                              lambda w, a: settings.set_idle_lock_minutes(w.db, 3, a)),
    "export_bundle": (Permission.EXPORT_BUNDLES, lambda w, a: list(bundles.export_bundle(
        w.db, w.folder / f"{a.id}.auditbundle", a))),
    "run_export": (Permission.EXPORT_BUNDLES, lambda w, a: bundles.run_export(
        w.db, w.folder / f"{a.id}.auditbundle", a)),
    "import_bundle": (Permission.IMPORT_BUNDLES,
                      lambda w, a: list(bundles.import_bundle(w.db, w.bundle(), a))),
    "run_import": (Permission.IMPORT_BUNDLES,
                   lambda w, a: bundles.run_import(w.db, w.bundle(), a)),
    "preview_import": (Permission.IMPORT_BUNDLES,
                       lambda w, a: bundles.preview_import(w.db, w.bundle(), a)),
    "import_template_file": (Permission.IMPORT_TEMPLATES, lambda w, a:
                             templates.import_template_file(w.db, SMALL_TEMPLATE, a)),
    "import_template_spec": (Permission.IMPORT_TEMPLATES, lambda w, a:
                             templates.import_template_spec(
                                 w.db, templates.load_template_any(SMALL_TEMPLATE), "x.yaml",
                                 a)),
    "set_template_retired": (Permission.IMPORT_TEMPLATES, lambda w, a:
                             templates.set_template_retired(w.db, w.template, True, a)),
    "set_council_name": (Permission.CHANGE_SETTINGS,
                         lambda w, a: settings.set_council_name(w.db, "Borsetshire", a)),
    # Report 1 need not exist: the permission is checked first.
    "start_report": (Permission.PREPARE_REPORTS,
                     lambda w, a: board_reports.start_report(w.db, _REPORT, a)),
    "list_reports": (Permission.PREPARE_REPORTS,
                     lambda w, a: board_reports.list_reports(w.db, a)),
    "read_report": (Permission.PREPARE_REPORTS,
                    lambda w, a: board_reports.read_report(w.db, 1, a)),
    "save_words": (Permission.PREPARE_REPORTS, lambda w, a: board_reports.save_words(
        w.db, 1, {"summary": "x"}, 1, a)),
    "change_settings": (Permission.PREPARE_REPORTS, lambda w, a: board_reports.change_settings(
        w.db, 1, _REPORT, 1, a)),
    "release_report": (Permission.RELEASE_REPORTS,
                       lambda w, a: board_reports.release_report(w.db, 1, 1, a)),
    "preview_pack": (Permission.PREPARE_REPORTS,
                     lambda w, a: board_reports.preview_pack(w.db, 1, a)),
    "report_edition": (Permission.PREPARE_REPORTS,
                       lambda w, a: board_reports.report_edition(w.db, 1, a)),
    "set_planned": (Permission.PLAN_AUDITS, lambda w, a: programme.set_planned(
        w.db, programme.PlannedLine(date(2026, 4, 1), date(2026, 6, 30), "North",
                                    "small-test", 4), a)),
    "remove_planned": (Permission.PLAN_AUDITS, lambda w, a: programme.remove_planned(
        w.db, PLANNED, a)),
    "import_programme": (Permission.PLAN_AUDITS, lambda w, a: programme_import.import_programme(
        w.db, w.programme_sheet(), a)),
    "import_programme_steps": (Permission.PLAN_AUDITS, lambda w, a: list(
        programme_import.import_programme_steps(w.db, w.programme_sheet(), a))),
    "save_user": (Permission.MANAGE_USERS,
                  lambda w, a: users.save_user(w.db, "Zed", Role.AUDITOR, a)),
}
#: Use cases on one audit that only its own auditor (or a practice lead) may use.
OWN_AUDIT = ("add_action", "delete_action", "save_changes", "submit_audit", "update_action")


def test_every_service_is_classified() -> None:
    unclassified = []
    for name, function in _use_cases():
        parameters = inspect.signature(function).parameters
        if "actor" in parameters:
            known = name in CALLS
        elif "reader" in parameters:
            known = True  # a read that shows things to its reader
        else:
            known = name in READS or name in BOOTSTRAPS
        if not known:
            unclassified.append(f"{function.__module__}.{name}")
    assert unclassified == [], ("classify these services in tests/services/test_every_writer"
                                f".py (a writer needs its permission checked): {unclassified}")
    found = {name for name, _ in _use_cases()}
    assert set(CALLS) <= found and set(READS) <= found and set(BOOTSTRAPS) <= found


def _fingerprint(db: Database) -> tuple[object, ...]:
    """The history's head and the number of rows of every table: what any write changes."""
    with db.transaction() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(table))
                       for table in Base.metadata.sorted_tables)
    return chain_head(db), counts


@pytest.mark.parametrize("service", sorted(CALLS))
def test_each_role_without_the_permission_is_refused(world: World, service: str) -> None:
    permission, call = CALLS[service]
    if permission == Permission.IMPORT_BUNDLES:
        world.bundle()  # made by the lead beforehand, so that only the import is judged
    refused = [role for role in Role if role not in ROLES[permission]]
    for role in refused:
        before = _fingerprint(world.db)
        with pytest.raises(PermissionDeniedError):
            call(world, BY_ROLE[role])
        assert _fingerprint(world.db) == before, f"{service} by a {role} changed something"
    allowed = [role for role in Role if role in ROLES[permission]]
    assert allowed, f"nobody may {permission}"


@pytest.mark.parametrize("service", OWN_AUDIT)
def test_someone_elses_audit_is_refused(world: World, service: str) -> None:
    _permission, call = CALLS[service]
    before = _fingerprint(world.db)
    with pytest.raises(PermissionDeniedError, match="only for their own audits"):
        call(world, SAM)  # an auditor, on Alex's audit
    assert _fingerprint(world.db) == before


def test_nobody_moderates_their_own_audit(world: World) -> None:
    own = Actor("Alex", Role.PRACTICE_LEAD, ALEX.id)  # Alex, promoted: still the auditor
    before = _fingerprint(world.db)
    with pytest.raises(PermissionDeniedError, match="their own audit"):
        moderation.record_blind_grades(world.db, world.submitted, own, {}, Grade.GOOD)
    assert _fingerprint(world.db) == before


def test_demo_data_into_an_empty_database_needs_no_lead(db: Database) -> None:
    """The first run offers demo data to whoever sets the laptop up; later only a lead may."""
    assert list(demo.generate_demo(db, 2, ALEX, end=date(2026, 6, 30)))[-1] == (2, 2)
    with pytest.raises(PermissionDeniedError, match="may not load demo data"):
        list(demo.generate_demo(db, 2, ALEX, end=date(2026, 6, 30)))
