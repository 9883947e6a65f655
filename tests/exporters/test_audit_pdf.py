"""An audit's feedback PDF, read back with pypdf."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from auditapp.errors import NotFoundError
from auditapp.exporters.audit_pdf import export_audit_pdf
from auditapp.models import Moderation, Role
from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import (
    ActionInput,
    AnswerChange,
    AuditChanges,
    JudgementChange,
    add_action,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.users import add_profile
from auditapp.storage.engine import Database
from tests.builders import ALEX, LEAD, make_audit


def _finished_audit(db: Database, template_id: int) -> int:
    audit = make_audit(db, template_id, "CL-77", date(2026, 3, 2), team="North")
    document = load_audit(db, audit, LEAD)
    questions = {q.key: q.id for s in document.template.sections for q in s.questions}
    sections = {s.key: s.id for s in document.template.sections}
    codes = {"A.1": "Y", "A.2": "P", "A.3": "M", "B.1": "Y", "B.2": "N"}
    changes = AuditChanges(
        answers={questions[k]: AnswerChange(questions[k], c, f"Evidence note {k}")
                 for k, c in codes.items()},
        judgements={sections["A"]: JudgementChange(sections["A"], Grade.GOOD, "Timely."),
                    sections["B"]: JudgementChange(sections["B"], Grade.INADEQUATE, "")},
        narrative={"strengths": "Warm relationship with the PA.",
                   "areas_for_development": "Voice missing from the plan.",
                   "young_person_voice": "Said the plan is about me."})
    save_changes(db, audit, changes, ALEX)
    suggested = load_audit(db, audit, LEAD).suggested_grade
    save_changes(db, audit, AuditChanges(overall=(suggested, "")), ALEX)
    add_action(db, audit, ActionInput("Add the young person's words to the plan.", "PA A",
                                      date(2026, 4, 1), question_id=questions["B.1"]), ALEX)
    submit_audit(db, audit, ALEX)
    with db.transaction() as session:
        helen = add_profile(session, "Helen Brooks", Role.MODERATOR)
        session.add(Moderation(audit_id=audit, moderator_id=helen.id,
                               moderated_on=date(2026, 3, 20), grade=Grade.REQUIRES_IMPROVEMENT,
                               agreed=False, comment="Evidence supports RI."))
    return audit


def test_feedback_pdf_holds_the_whole_audit(db: Database, small_template_id: int,
                                            tmp_path: Path) -> None:
    audit = _finished_audit(db, small_template_id)
    out = tmp_path / "feedback.pdf"
    progress = list(export_audit_pdf(db, audit, out, LEAD))
    assert progress[-1] == (3, 3)
    reader = PdfReader(out)
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(" ".join(pages).split())
    assert reader.metadata is not None
    assert reader.metadata.title == "Case file audit feedback: CL-77"
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page
        assert "OFFICIAL-SENSITIVE" in page
    for expected in ("CL-77", "Small test checklist (small-test, version 1)", "Alex",
                     "2 Mar 2026", "Overall grade", "Requires improvement to be good",
                     "Warm relationship with the PA.", "Voice missing from the plan.",
                     "Said the plan is about me.", "Add the young person's words to the plan.",
                     "Helen Brooks", "Evidence supports RI.", "A pathway plan exists.",
                     "Evidence note A.2", "Partly", "Met", "Timely.",
                     "Does not apply: only for unaccompanied asylum-seeking young people"):
        assert expected in text, expected


def test_feedback_pdf_has_an_outline_entry_per_section(db: Database, small_template_id: int,
                                                       tmp_path: Path) -> None:
    audit = _finished_audit(db, small_template_id)
    out = tmp_path / "feedback.pdf"
    list(export_audit_pdf(db, audit, out, LEAD))

    def titles(outline: list[object]) -> list[str]:
        found: list[str] = []
        for item in outline:
            found += titles(item) if isinstance(item, list) else [item.title]  # type: ignore[attr-defined]
        return found

    outline = titles(PdfReader(out).outline)
    assert outline[:3] == ["Grades", "Strengths, development and the young person's voice",
                           "Actions"]
    assert {"Moderation", "Questions and answers", "A Timeliness", "B Voice",
            "C Unaccompanied young people"} <= set(outline)


def test_unknown_audit_is_a_clear_error_and_writes_nothing(db: Database,
                                                           tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(NotFoundError, match="No audit with number 4242"):
        list(export_audit_pdf(db, 4242, folder / "x.pdf", LEAD))
    assert list(folder.iterdir()) == []
