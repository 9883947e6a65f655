"""Moderation: queue, reproducible samples, blind grading, return for rework, agreement."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.errors import PermissionDeniedError, UserError
from auditapp.models import Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import load_audit, submit_audit
from auditapp.services.demo import generate_demo
from auditapp.services.moderation import (
    BlindModerationError,
    Stratum,
    agreement_figures,
    draw_sample,
    finalise_moderation,
    list_samples,
    load_for_moderation,
    moderation_comparison,
    moderation_queue,
    record_blind_grades,
    return_for_rework,
)
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, MO, section_ids, submitted_audit

pytestmark = pytest.mark.both_backends

G, RI, I = Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE




def test_blind_moderation_hides_then_shows_the_auditors_grades(
        db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    sections = section_ids(db, audit)
    blind = load_for_moderation(db, audit, MO)
    assert blind.overall_grade is None
    assert blind.suggested_grade is None
    assert all(j.grade is None and j.suggested is None for j in blind.judgements.values())
    assert blind.answers == load_audit(db, audit, LEAD).answers  # the evidence is all there
    with pytest.raises(BlindModerationError):
        moderation_comparison(db, audit, MO)
    record_blind_grades(db, audit, MO, {sections["A"]: RI, sections["B"]: G}, RI)
    with pytest.raises(BlindModerationError, match="already recorded"):
        record_blind_grades(db, audit, MO, {}, G)
    assert load_for_moderation(db, audit, MO).overall_grade == G  # now visible
    compared = {c.key or "overall": c for c in moderation_comparison(db, audit, MO)}
    assert (compared["A"].auditor, compared["A"].moderator_blind) == (G, RI)
    assert (compared["overall"].auditor, compared["overall"].moderator_blind) == (G, RI)
    with pytest.raises(UserError, match="Give a reason for each grade you change: A, Overall"):
        finalise_moderation(db, audit, MO, {sections["A"]: (RI, ""), sections["B"]: (G, "")},
                            (RI, ""))
    finalise_moderation(db, audit, MO, {sections["A"]: (RI, "No contingency plan"),
                                        sections["B"]: (G, "")}, (RI, "Plan out of date"))
    document = load_audit(db, audit, LEAD)
    assert document.status == "moderated"
    assert document.overall_grade == G  # the auditor's grade is never overwritten
    assert document.final_grade == RI
    assert document.moderation is not None
    assert not document.moderation.agreed


def test_nobody_moderates_their_own_audit_and_auditors_cannot(
        db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    with pytest.raises(PermissionDeniedError):
        load_for_moderation(db, audit, ALEX)
    own = Actor("Alex", Role.PRACTICE_LEAD, ALEX.id)  # the auditor's own profile
    with pytest.raises(PermissionDeniedError, match="their own audit"):
        record_blind_grades(db, audit, own, {}, G)


def test_return_for_rework(db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id)
    with pytest.raises(UserError, match="put right"):
        return_for_rework(db, audit, MO, " ")
    return_for_rework(db, audit, MO, "Evidence for A.2 is from the wrong young person")
    document = load_audit(db, audit, LEAD)
    assert document.status == "draft"
    assert document.returned_comment == "Evidence for A.2 is from the wrong young person"
    submit_audit(db, audit, ALEX)
    assert load_audit(db, audit, LEAD).returned_comment == ""
    assert [r.audit_id for r in moderation_queue(db, MO)] == [audit]


def test_samples_are_reproducible_from_their_seed(db: Database, small_template_id: int) -> None:
    audits = [submitted_audit(db, small_template_id, f"C-{n}", team=("North", "South")[n % 3 == 0])
              for n in range(12)]
    first = draw_sample(db, LEAD, 4, seed=42)
    again = draw_sample(db, LEAD, 4, seed=42)
    assert first.audit_ids == again.audit_ids
    assert set(first.audit_ids) <= set(audits)
    stratified = draw_sample(db, LEAD, 6, seed=1, stratify_by="team")
    teams = {a: ("North", "South")[n % 3 == 0] for n, a in enumerate(audits)}
    chosen = [teams[a] for a in stratified.audit_ids]
    assert (chosen.count("North"), chosen.count("South")) == (4, 2)  # 8 and 4 of 12
    assert [s.seed for s in list_samples(db)] == [1, 42, 42]
    queue = moderation_queue(db, MO)
    assert all(row.sampled for row in queue[:len(set(first.audit_ids)
                                                | set(stratified.audit_ids))])
    with pytest.raises(PermissionDeniedError):
        draw_sample(db, MO, 2)
    with pytest.raises(UserError, match="cannot be drawn"):
        draw_sample(db, LEAD, 50)


def test_a_stratum_is_one_of_a_closed_set(db: Database, small_template_id: int) -> None:
    for n in range(6):
        submitted_audit(db, small_template_id, f"C-{n}", team=("North", "South")[n % 2])
    by_enum = draw_sample(db, LEAD, 2, seed=7, stratify_by=Stratum.TEAM)
    by_word = draw_sample(db, LEAD, 2, seed=7, stratify_by="team")
    assert by_enum.audit_ids == by_word.audit_ids
    assert [s.stratify_by for s in list_samples(db)] == ["team", "team"]
    with pytest.raises(UserError, match="stratified by team or category, not 'age'"):
        draw_sample(db, LEAD, 2, stratify_by="age")


def test_agreement_figures_hand_worked(db: Database, small_template_id: int) -> None:
    """Four moderated audits, auditor Good each time; moderators: Good, Good, RI, Inadequate.
    Exact 2/4, within one 3/4, lowered 2. Linear weights (distance / 3): observed
    disagreement (0 + 0 + 1/3 + 2/3) / 4 = 0.25; by chance the auditor's Good meets the
    moderators' spread (Good 1/2, RI 1/4, Inadequate 1/4): 1/4 x 1/3 + 1/4 x 2/3 = 0.25;
    kappa = 1 - 0.25 / 0.25 = 0: no better than chance."""
    outcomes = [G, G, RI, I]
    for n, grade in enumerate(outcomes):
        audit = submitted_audit(db, small_template_id, f"K-{n}", audit_date=date(2026, 3, n + 1))
        record_blind_grades(db, audit, MO, {}, grade)
        finalise_moderation(db, audit, MO, {}, (grade, "" if grade == G else "differs"))
    submitted_audit(db, small_template_id, "K-9", audit_date=date(2026, 3, 9))  # not moderated
    figures = agreement_figures(db, date(2026, 3, 1), date(2026, 3, 31))
    assert (figures.audits, figures.moderated) == (5, 4)
    assert figures.moderated_share == pytest.approx(0.8)
    overall = figures.overall
    assert (overall.pairs, overall.exact, overall.within_one) == (4, 2, 3)
    assert (overall.raised, overall.lowered) == (0, 2)
    assert overall.kappa == pytest.approx(0.0)
    assert [a.auditor for a in figures.auditors] == ["Alex"]


def test_agreement_on_demo_data_has_kappa_per_section(db: Database) -> None:
    list(generate_demo(db, 400, LEAD, seed=5, end=date(2026, 6, 30)))
    figures = agreement_figures(db)
    assert figures.moderated > 50
    assert figures.overall.kappa is not None
    assert 0.3 < figures.overall.kappa < 1.0
    assert figures.sections
    assert all(s.agreement.pairs > 0 for s in figures.sections)
    assert "auditors" not in figures.as_json()
    assert figures.as_json(include_auditors=True)["auditors"]
