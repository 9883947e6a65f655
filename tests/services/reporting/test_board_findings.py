"""The board pack's findings (indicators, cohorts, priorities, actions by age and priority)
against figures worked out by hand from the audits made here."""

from __future__ import annotations

from datetime import date

import pytest

from auditapp.models.enums import CareLeaverCategory
from auditapp.rules.grades import Grade
from auditapp.rules.indicators import OTHER_AGE
from auditapp.services.audits.editing import (
    AuditChanges,
    JudgementChange,
    save_changes,
    submit_audit,
)
from auditapp.services.reporting.board_figures import board_figures, board_pack
from auditapp.services.reporting.board_findings import (
    indicator_cells,
    priority_tallies,
    read_findings,
)
from auditapp.services.reporting.figures import ReportScope, period_figures
from auditapp.storage.engine import Database
from tests.builders import ALEX, answer, complete_audit, make_audit, section_ids

pytestmark = pytest.mark.both_backends

SCOPE = ReportScope(date(2026, 1, 1), date(2026, 6, 30))
AS_AT = date(2026, 7, 1)


def _audit(db: Database, template_id: int, n: int, plan: str, **case: object) -> int:
    audit = make_audit(db, template_id, f"C-{n:03d}", date(2026, 3, 1), **case)
    complete_audit(db, audit)
    if plan != "Y":
        answer(db, audit, "A.2", plan, "Seen on file.")
        section = section_ids(db, audit)["A"]
        save_changes(db, audit, AuditChanges(judgements={section: JudgementChange(
            section, Grade.GOOD, "Kept Good: the plan was reviewed late but well.")}), ALEX)
    submit_audit(db, audit, ALEX)
    return audit


@pytest.fixture
def findings_db(db: Database, small_template_id: int) -> Database:
    """12 eligible young people answered on A.2 (7 Yes, 3 No, 2 Partly), one more answered
    Not applicable, one qualifying and one aged 22 (both not eligible, both Yes): 15 audits,
    every section and overall Good (complete_audit), B.1 Yes in every one."""
    answers = ["Y"] * 7 + ["N"] * 3 + ["P"] * 2
    for n, code in enumerate(answers):
        age = 17 if n < 4 else 19
        category = CareLeaverCategory.RELEVANT if age == 17 else CareLeaverCategory.FORMER_RELEVANT
        _audit(db, small_template_id, n, code, age_at_audit=age, category=category)
    _audit(db, small_template_id, 20, "NA", age_at_audit=19)
    _audit(db, small_template_id, 21, "Y", category=CareLeaverCategory.QUALIFYING,
           age_at_audit=16)
    _audit(db, small_template_id, 22, "Y", age_at_audit=22)
    return db


def test_an_indicator_counts_the_eligible_scored_answers(findings_db: Database) -> None:
    findings = read_findings(findings_db, SCOPE, AS_AT, (), ["small-test"])
    by_key = {i.key: i for i in findings.indicators}
    plan = by_key["plan-in-date"].result
    assert (plan.count, plan.n) == (7, 12)  # 7 of 12: 58.3 %, Wilson 32-81 %
    assert round(plan.percentage or 0, 1) == 58.3 and plan.met is False
    voice = by_key["voice-recorded"]
    assert (voice.kind, voice.result.count, voice.result.n) == ("voice", 15, 15)
    triple = by_key["triple-plan"].result  # nobody is unaccompanied
    assert (triple.count, triple.n, triple.too_few) == (0, 0, True)


def test_an_indicator_of_another_template_is_not_read(findings_db: Database) -> None:
    assert read_findings(findings_db, SCOPE, AS_AT, (), ["other"]).indicators == ()


def test_cohorts_split_every_audit_once(findings_db: Database) -> None:
    findings = read_findings(findings_db, SCOPE, AS_AT, (), ["small-test"])
    cohorts = {c.key: {r.key: r.total for r in c.rows} for c in findings.cohorts}
    assert cohorts["category"] == {"eligible": 0, "relevant": 4, "former relevant": 10,
                                   "qualifying": 1}
    assert cohorts["uasc"] == {"uasc": 0, "other": 15}
    assert cohorts["age"] == {"16-17": 5, "18-20": 9, "21-25": 1}
    assert OTHER_AGE not in cohorts["age"]
    for cohort in findings.cohorts:
        assert sum(r.counts[Grade.GOOD.label] for r in cohort.rows) == 15


def test_priorities_gather_the_sections_tagged_with_them(findings_db: Database) -> None:
    sections = period_figures(findings_db, SCOPE, AS_AT).sections
    priorities = priority_tallies(sections)
    assert [(p.key, p.graded, p.good_or_better) for p in priorities] == [("SP6", 15, 15)]


def test_printed_indicator_cells(findings_db: Database) -> None:
    figures = board_figures(findings_db, SCOPE, 5, AS_AT)
    pack = board_pack(figures)
    assert figures.findings is not None
    plan = next(i for i in figures.findings.indicators if i.key == "plan-in-date")
    cells = indicator_cells(pack.protection, plan)
    # 7 met and 5 not: both at least the threshold, so printed with the interval.
    assert (cells.n, cells.met, cells.share, cells.interval, cells.target, cells.judgement) \
        == ("12", "7", "58%", "32\u201381%", "90%", "not met")
    triple = next(i for i in figures.findings.indicators if i.key == "triple-plan")
    assert indicator_cells(pack.protection, triple).judgement == "too few to judge"
