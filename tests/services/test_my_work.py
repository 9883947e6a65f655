"""My work: my drafts, my audits returned for rework, my open actions, and what I may
moderate; nobody else's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from auditapp.models import Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.actions import complete_action
from auditapp.services.audits.editing import ActionInput, add_action
from auditapp.services.moderation import draw_sample, record_blind_grades, return_for_rework
from auditapp.services.my_work import SCREENFUL, DraftItem, Group, draft_order, my_work
from auditapp.services.users import save_user
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    BEA,
    LEAD,
    MO,
    make_audit,
    many_open_actions,
    question_ids,
    submitted_audit,
)

pytestmark = pytest.mark.both_backends

TODAY = date(2026, 6, 10)


def test_my_drafts_oldest_first_and_nobody_elses(db: Database, small_template_id: int) -> None:
    newer = make_audit(db, small_template_id, "C-1", date(2026, 3, 1))
    older = make_audit(db, small_template_id, "C-2", date(2026, 1, 15))
    make_audit(db, small_template_id, "C-3", date(2025, 1, 1), auditor="Bea")
    submitted_audit(db, small_template_id, "C-4")  # mine, but no longer a draft
    work = my_work(db, ALEX, TODAY)
    assert [d.audit_id for d in work.drafts] == [older, newer]
    assert [d.case_reference for d in work.drafts] == ["C-2", "C-1"]
    assert work.drafts[0].template_title == "Small test checklist"
    assert (work.drafts[0].answered, work.drafts[0].applicable) == (0, 5)
    assert all(d.due_date is None for d in work.drafts)  # no audit programme yet
    assert [d.case_reference for d in my_work(db, BEA, TODAY).drafts] == ["C-3"]


def test_a_programme_due_date_comes_first_when_there_is_one() -> None:
    def draft(number: int, made: date, due: date | None) -> DraftItem:
        return DraftItem(number, f"C-{number}", "T", made, 0, 1, due)

    drafts = [draft(1, date(2026, 1, 1), None), draft(2, date(2026, 3, 1), date(2026, 7, 1)),
              draft(3, date(2026, 2, 1), date(2026, 6, 1)), draft(4, date(2025, 1, 1), None)]
    assert [d.audit_id for d in sorted(drafts, key=draft_order)] == [3, 2, 4, 1]


def test_audits_returned_to_me_come_with_the_moderators_comment(
        db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id, "C-1")
    return_for_rework(db, audit, MO, "Section A needs the review date")
    work = my_work(db, ALEX, TODAY)
    assert work.drafts == ()
    (returned,) = work.returned
    assert (returned.audit_id, returned.comment, returned.returned_by) == (
        audit, "Section A needs the review date", "Mo Moderator")
    assert returned.returned_at is not None
    assert my_work(db, BEA, TODAY).returned == ()


def test_my_open_actions_overdue_first(db: Database, small_template_id: int) -> None:
    mine = make_audit(db, small_template_id, "C-1")
    hers = make_audit(db, small_template_id, "C-2", auditor="Bea")
    question = question_ids(db, mine)["A.2"]
    later = add_action(db, mine, ActionInput("Book the review", "PA A",
                                             TODAY + timedelta(days=20)), ALEX)
    late = add_action(db, mine, ActionInput("Update the plan", "PA A",
                                            TODAY - timedelta(days=3), question_id=question),
                      ALEX)
    undated = add_action(db, mine, ActionInput("Ask about college", "PA A"), ALEX)
    done = add_action(db, mine, ActionInput("Copy the plan", "PA A", TODAY), ALEX)
    complete_action(db, done, "Sent", TODAY, ALEX)
    owned = add_action(db, hers, ActionInput("Check with Alex", "  alex ",
                                             TODAY + timedelta(days=1)), BEA)
    add_action(db, hers, ActionInput("Not Alex's", "PA B", TODAY), BEA)
    actions = my_work(db, ALEX, TODAY).actions
    assert [a.action_id for a in actions] == [late, owned, later, undated]
    assert [a.overdue for a in actions] == [True, False, False, False]
    assert (actions[0].question_id, actions[0].question_key) == (question, "A.2")
    assert actions[0].case_reference == "C-1"
    assert [a.case_reference for a in my_work(db, BEA, TODAY).actions] == ["C-2", "C-2"]


def test_moderators_see_what_they_may_moderate_sampled_first(
        db: Database, small_template_id: int) -> None:
    older = submitted_audit(db, small_template_id, "C-1")
    draw_sample(db, LEAD, 1, seed=7)  # the only submitted audit: C-1
    second = submitted_audit(db, small_template_id, "C-2")
    draw_sample(db, LEAD, 1, seed=7)  # draws from C-1 and C-2; C-1 is moderated first anyway
    started_by_mel = submitted_audit(db, small_template_id, "C-3")
    mel = save_user(db, "Mel Moderator", Role.MODERATOR, LEAD)
    record_blind_grades(db, started_by_mel, mel, {}, Grade.GOOD)
    mine = submitted_audit(db, small_template_id, "C-4")
    record_blind_grades(db, mine, MO, {}, Grade.GOOD)
    work = my_work(db, MO, TODAY)
    assert {m.audit_id for m in work.moderation} == {older, second, mine}
    assert work.moderation[0].audit_id == older and work.moderation[0].sampled
    assert [m.started for m in work.moderation if m.audit_id == mine] == [True]
    assert work.moderation[-1].audit_id == mine and not work.moderation[-1].sampled
    assert my_work(db, ALEX, TODAY).moderation == ()  # an auditor moderates nothing
    lead_sees = {m.audit_id for m in my_work(db, LEAD, TODAY).moderation}
    assert lead_sees == {older, second}  # not the ones another moderator has started


def test_nobody_is_offered_their_own_audit_to_moderate(
        db: Database, small_template_id: int) -> None:
    submitted_audit(db, small_template_id, "C-1")
    alex_as_moderator = save_user(db, "Alex", Role.MODERATOR, LEAD)  # Alex's role changed
    assert alex_as_moderator.id == ALEX.id
    assert my_work(db, alex_as_moderator, TODAY).moderation == ()


def test_mine_is_my_profile_not_my_name(db: Database, small_template_id: int) -> None:
    """Work is matched by profile id: another profile (here one with the same name, as a
    forged bundle or a raw edit might make) gets none of Alex's drafts or moderation."""
    make_audit(db, small_template_id, "C-1")
    submitted_audit(db, small_template_id, "C-2")
    namesake = Actor("Alex", Role.MODERATOR, MO.id)  # Mo's profile, called Alex
    work = my_work(db, namesake, TODAY)
    assert work.drafts == ()
    assert [m.case_reference for m in work.moderation] == ["C-2"]  # offered, not "own"


def _statements_of(db: Database, work: Callable[[], object]) -> list[tuple[str, object]]:
    """The SQL statements (and their parameters) that ``work`` sends to the database."""
    sent: list[tuple[str, object]] = []

    def note(_conn: object, _cursor: object, statement: str, parameters: object,
             _context: object, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return [(s, p) for s, p in sent if s.lstrip().upper().startswith("SELECT")]


def test_the_first_read_is_a_screenful_of_each_group_however_large_the_file(
        db: Database, small_template_id: int) -> None:
    """The attack: a file with thousands of open actions makes the window wait for all of
    them. The defence: each group is read with a LIMIT of a screenful and a window count,
    in the same number of statements whether the file holds 3 actions or 3 screenfuls."""
    audit = make_audit(db, small_template_id, "C-1")
    many_open_actions(db, audit, 3)
    small = _statements_of(db, lambda: my_work(db, MO, TODAY))
    many_open_actions(db, make_audit(db, small_template_id, "C-2"), 3 * SCREENFUL,
                      owner=" mo moderator ", first_due=date(2025, 1, 1))
    submitted_audit(db, small_template_id, "C-3")
    sent = _statements_of(db, lambda: my_work(db, MO, TODAY))
    assert len(sent) == len(small)
    reads = [(s, p) for s, p in sent if "count(*) OVER ()" in s]
    assert len(reads) == 4  # one statement per group
    for statement, parameters in reads:
        assert " LIMIT " in statement.upper(), statement
        values = parameters.values() if isinstance(parameters, dict) else parameters
        assert SCREENFUL in list(values), statement  # type: ignore[arg-type]
    work = my_work(db, MO, TODAY)
    assert len(work.actions) == SCREENFUL and work.total(Group.ACTIONS) == 3 * SCREENFUL
    assert work.actions[0].due_date == date(2025, 1, 1)  # the most overdue first
    assert work.total(Group.MODERATION) == 1 and len(work.moderation) == 1


def test_show_all_reads_the_whole_group_in_the_same_order(
        db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, "C-1")
    many_open_actions(db, audit, SCREENFUL + 7, first_due=TODAY - timedelta(days=10))
    add_action(db, audit, ActionInput("Undated", "PA A"), ALEX)
    first = my_work(db, ALEX, TODAY)
    whole = my_work(db, ALEX, TODAY, whole={Group.ACTIONS})
    assert len(whole.actions) == whole.total(Group.ACTIONS) == SCREENFUL + 8
    assert whole.actions[:SCREENFUL] == first.actions
    assert whole.actions[-1].text == "Undated"  # no due date: last
    assert [a.overdue for a in whole.actions[:11]] == [True] * 10 + [False]
    assert whole.drafts == first.drafts and whole.total(Group.DRAFTS) == 1
    assert my_work(db, ALEX, TODAY, limit=None).actions == whole.actions


def _plans(db: Database, sent: list[tuple[str, object]]) -> list[tuple[str, str]]:
    """Each statement with the plan the database makes for it. PostgreSQL is told to avoid
    sequential scans where it can (a test file is small enough that it would scan anyway),
    so a ``Seq Scan`` left in its plan is one no index can replace."""
    postgres = db.engine.dialect.name == "postgresql"
    plans = []
    with db.engine.connect() as connection:
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in sent:
            rows = connection.exec_driver_sql(
                ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement,
                parameters).all()  # type: ignore[arg-type]
            plans.append((statement, "\n".join(str(row[-1]) for row in rows)))
        connection.rollback()
    return plans


def test_my_work_finds_its_rows_through_indexes_not_by_scanning_the_tables(
        db: Database, small_template_id: int) -> None:
    """The attack: a file of 50,000 audits makes the first window read every open action
    and every audit of the profile to show a screenful. The defence: each of My work's
    statements reaches the audits and actions through an index (0009's
    ``ix_audits_auditor_status`` for drafts and returned audits, so a profile's finished
    audits are not visited; the status index for open actions), never by scanning either
    table."""
    for number in range(6):
        audit = make_audit(db, small_template_id, f"C-{number}",
                           auditor="Alex" if number % 2 else "Bea")
        many_open_actions(db, audit, 20)
    submitted_audit(db, small_template_id, "C-9")
    plans = _plans(db, _statements_of(db, lambda: my_work(db, ALEX, TODAY)))
    assert len(plans) == 3  # drafts, returned audits (with who returned them), actions
    for statement, plan in plans:
        for table in ("audits", "actions"):
            assert f"Seq Scan on {table} " not in plan + " ", (statement, plan)
            assert not any(line.startswith(f"SCAN {table}")
                           for line in plan.splitlines()), (statement, plan)
    if db.engine.dialect.name == "sqlite":  # PostgreSQL may reach them by other indexes
        drafts = [plan for statement, plan in plans if "audits.returned_comment =" in statement]
        actions = [plan for statement, plan in plans if "FROM actions" in statement]
        assert "ix_audits_auditor_status" in drafts[0], drafts
        assert "ix_actions_status (status=?)" in actions[0], actions
