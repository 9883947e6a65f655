"""The audit before: a re-audit records the audit it follows and reads what that one found."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from auditapp.models import ActionPriority
from auditapp.rules.grades import Grade
from auditapp.services.actions import complete_action
from auditapp.services.audits.editing import (
    ActionInput,
    AuditChanges,
    JudgementChange,
    add_action,
    create_audit,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.audits.previous import previous_audit
from auditapp.services.moderation import finalise_moderation, record_blind_grades
from auditapp.services.templates import find_template_id, import_template_file
from auditapp.storage.engine import Database
from tests.builders import (
    ALEX,
    LEAD,
    MO,
    SMALL_TEMPLATE,
    answer_all,
    make_audit,
    make_case,
    question_ids,
    section_ids,
)

pytestmark = pytest.mark.both_backends

TODAY = date(2026, 6, 10)


def _first_audit(db: Database, template_id: int, case_id: int,
                 when: date = date(2025, 6, 1)) -> int:
    """An audit of the case, complete and ready to submit, with A.2 answered No."""
    audit = create_audit(db, case_id, template_id, "Alex", when, ALEX)
    answer_all(db, audit, {"A.1": "Y", "A.2": "N", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    s = section_ids(db, audit)
    save_changes(db, audit, AuditChanges(
        judgements={s["A"]: JudgementChange(s["A"], Grade.REQUIRES_IMPROVEMENT, "Review late"),
                    s["B"]: JudgementChange(s["B"], Grade.GOOD, "")},
        overall=(Grade.GOOD, "Strong voice of the young person")), ALEX)
    return audit


def test_a_first_audit_follows_none(db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id)
    assert previous_audit(db, audit, LEAD) is None


def test_a_re_audit_shows_the_answers_grades_and_open_actions_of_the_one_before(
        db: Database, small_template_id: int) -> None:
    case = make_case(db, "C-9")
    first = _first_audit(db, small_template_id, case)
    questions = question_ids(db, first)
    late = add_action(db, first, ActionInput("Review the plan", "PA A", TODAY - timedelta(1),
                                             ActionPriority.HIGH,
                                             question_id=questions["A.2"]), ALEX)
    later = add_action(db, first, ActionInput("Ask the young person", "PA A",
                                              TODAY + timedelta(7)), ALEX)
    done = add_action(db, first, ActionInput("Copy of the plan", "PA A", TODAY), ALEX)
    submit_audit(db, first, ALEX)
    complete_action(db, done, "Given on the visit", TODAY - timedelta(2), ALEX)
    sections = section_ids(db, first)
    record_blind_grades(db, first, MO, {sections["A"]: Grade.INADEQUATE}, Grade.GOOD)
    finalise_moderation(db, first, MO, {sections["A"]: (Grade.INADEQUATE, "Plan out of date"),
                                        sections["B"]: (Grade.GOOD, "")}, (Grade.GOOD, ""))

    second = create_audit(db, case, small_template_id, "Alex", date(2026, 6, 1), ALEX)
    shown = previous_audit(db, second, LEAD, TODAY)
    assert shown is not None
    assert (shown.audit_id, shown.audit_date, shown.auditor) == (first, date(2025, 6, 1),
                                                                 "Alex")
    assert (shown.status, shown.final_grade) == ("moderated", Grade.GOOD)
    assert shown.answers["A.1"].label == "Yes"
    assert (shown.answers["A.2"].code, shown.answers["A.2"].label,
            shown.answers["A.2"].evidence) == ("N", "No", "Evidence for A.2")
    assert shown.answers["A.3"].label == "Met"
    assert shown.section_grades["A"] == Grade.INADEQUATE  # the moderated grade counted
    assert shown.section_grades["B"] == Grade.GOOD
    assert [(a.id, a.overdue, a.question_key) for a in shown.open_actions] == [
        (late, True, "A.2"), (later, False, "")]
    assert previous_audit(db, first, LEAD) is None


def test_only_an_earlier_audit_no_longer_a_draft_is_followed(
        db: Database, small_template_id: int) -> None:
    case = make_case(db, "C-9")
    draft = create_audit(db, case, small_template_id, "Alex", date(2025, 1, 1), ALEX)
    first = _first_audit(db, small_template_id, case, date(2025, 6, 1))
    submit_audit(db, first, ALEX)
    back_dated = create_audit(db, case, small_template_id, "Alex", date(2025, 3, 1), ALEX)
    latest = create_audit(db, case, small_template_id, "Alex", date(2026, 1, 1), ALEX)
    assert previous_audit(db, back_dated, LEAD) is None  # only a draft came before it
    followed = previous_audit(db, latest, LEAD)
    assert followed is not None and followed.audit_id == first
    assert draft != first


def test_a_re_audit_on_a_new_version_finds_the_answers_by_their_keys(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    case = make_case(db, "C-9")
    first = _first_audit(db, small_template_id, case)
    submit_audit(db, first, ALEX)
    newer = tmp_path / "small-v2.yaml"
    newer.write_text(SMALL_TEMPLATE.read_text(encoding="utf-8").replace(
        "The young person has a copy.", "The young person has their own copy."),
        encoding="utf-8")
    import_template_file(db, newer, LEAD)
    version_2 = find_template_id(db, "small-test")
    assert version_2 != small_template_id
    second = create_audit(db, case, version_2, "Alex", date(2026, 6, 1), ALEX)
    assert load_audit(db, second, LEAD).template.version == 2
    shown = previous_audit(db, second, LEAD)
    assert shown is not None and shown.template_version == 1
    assert shown.answers["B.2"].label == "Yes"
    assert shown.answers["A.2"].label == "No"


def test_closed_actions_are_not_listed(db: Database, small_template_id: int) -> None:
    case = make_case(db, "C-9")
    first = _first_audit(db, small_template_id, case)
    action = add_action(db, first, ActionInput("Review", "PA A", TODAY), ALEX)
    submit_audit(db, first, ALEX)
    complete_action(db, action, "Done", TODAY, ALEX)
    second = create_audit(db, case, small_template_id, "Alex", TODAY, ALEX)
    shown = previous_audit(db, second, LEAD, TODAY)
    assert shown is not None and shown.open_actions == ()


def test_a_moderator_yet_to_grade_the_earlier_audit_blind_sees_none_of_its_grades(
        db: Database, small_template_id: int) -> None:
    """Blind moderation holds through the re-audit's panel: the earlier audit is submitted
    and waiting for moderation, so a moderator reading the re-audit gets that audit's
    answers and actions, but not the auditor's grades, until they grade it blind."""
    case = make_case(db, "C-9")
    first = _first_audit(db, small_template_id, case)
    add_action(db, first, ActionInput("Review the plan", "PA A", TODAY), ALEX)
    submit_audit(db, first, ALEX)
    second = create_audit(db, case, small_template_id, "Alex", date(2026, 6, 1), ALEX)
    blind = previous_audit(db, second, MO, TODAY)
    assert blind is not None and blind.grades_withheld
    assert (blind.final_grade, blind.section_grades) == (None, {})
    assert blind.answers["A.2"].label == "No" and len(blind.open_actions) == 1
    for reader in (ALEX, LEAD):  # the auditor, and a lead, are not kept blind
        seen = previous_audit(db, second, reader, TODAY)
        assert seen is not None and not seen.grades_withheld
        assert (seen.final_grade, seen.section_grades["A"]) == (
            Grade.GOOD, Grade.REQUIRES_IMPROVEMENT)
    sections = section_ids(db, first)
    record_blind_grades(db, first, MO, {sections["A"]: Grade.GOOD}, Grade.GOOD)
    after = previous_audit(db, second, MO, TODAY)
    assert after is not None and not after.grades_withheld
    assert after.section_grades["A"] == Grade.REQUIRES_IMPROVEMENT  # the auditor's, not final
