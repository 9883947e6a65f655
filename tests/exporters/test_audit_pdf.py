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
from tests.builders import ALEX, LEAD, make_audit, pdf_lines


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


LONG = 50_000


def _long(label: str) -> str:
    """50,000 characters of words ending with a sentence that says whose they are."""
    words = " ".join(f"{label.lower()}{i % 97}" for i in range(LONG // 8))
    return words[:LONG - 40] + f" The end of the {label}."


def _audit_with_long_texts(db: Database, template_id: int, submit: bool = True) -> int:
    """An audit with 50,000 characters of evidence, section comment, rationale, strengths,
    action and (submitted) the moderator's comment."""
    audit = make_audit(db, template_id, "CL-88", date(2026, 3, 2), team="North")
    document = load_audit(db, audit, LEAD)
    questions = {q.key: q.id for s in document.template.sections for q in s.questions}
    sections = {s.key: s.id for s in document.template.sections}
    codes = {"A.1": "Y", "A.2": "P", "A.3": "M", "B.1": "Y", "B.2": "N"}
    save_changes(db, audit, AuditChanges(answers={
        questions[k]: AnswerChange(questions[k], c, _long("evidence") if k == "A.2" else "Seen")
        for k, c in codes.items()}), ALEX)
    save_changes(db, audit, AuditChanges(
        judgements={sections["A"]: JudgementChange(sections["A"], Grade.GOOD,
                                                   _long("section comment")),
                    sections["B"]: JudgementChange(sections["B"], Grade.INADEQUATE, "")},
        overall=(Grade.GOOD, _long("rationale")),
        narrative={"strengths": _long("strengths")}), ALEX)
    for number in range(1, 4):
        add_action(db, audit, ActionInput(_long("action") if number == 2 else f"Do {number}.",
                                          "PA A", date(2026, 4, 1)), ALEX)
    if not submit:
        return audit
    submit_audit(db, audit, ALEX)
    with db.transaction() as session:
        helen = add_profile(session, "Helen Brooks", Role.MODERATOR)
        session.add(Moderation(audit_id=audit, moderator_id=helen.id,
                               moderated_on=date(2026, 3, 20), grade=Grade.GOOD, agreed=True,
                               comment=_long("moderator's comment")))
    return audit


def test_texts_of_any_length_flow_across_pages(db: Database, small_template_id: int,
                                               tmp_path: Path) -> None:
    audit = _audit_with_long_texts(db, small_template_id)
    out = tmp_path / "feedback.pdf"
    assert list(export_audit_pdf(db, audit, out, LEAD))[-1] == (3, 3)
    text = " ".join(" ".join(line for page in pdf_lines(out) for line in page).split())
    for label in ("evidence", "section comment", "rationale", "strengths", "action",
                  "moderator's comment"):
        assert f"The end of the {label}." in text, label
    assert len(PdfReader(out).pages) > 30


def test_a_heading_never_ends_a_page(db: Database, small_template_id: int,
                                     tmp_path: Path) -> None:
    audit = _audit_with_long_texts(db, small_template_id, submit=False)
    headings = {"Grades", "Strengths, development and the young person's voice", "Actions",
                "Moderation", "Questions and answers", "A Timeliness", "B Voice",
                "C Unaccompanied young people", "Strengths", "Areas for development",
                "The young person's voice", "Auditor's rationale", "Action 2, in full",
                "Comment on A Timeliness, in full", "The moderator's comment, in full",
                "Evidence for A.2, in full"}
    for shift in range(0, 2_400, 300):  # move every heading down the pages
        save_changes(db, audit, AuditChanges(narrative={
            "young_person_voice": "Said so. " * (shift // 9)}), ALEX)
        out = tmp_path / f"feedback-{shift}.pdf"
        list(export_audit_pdf(db, audit, out, LEAD))
        for number, lines in enumerate(pdf_lines(out), start=1):
            assert lines[-1] not in headings, (shift, number, lines[-3:])


def test_continuation_pages_name_their_section(db: Database, small_template_id: int,
                                               tmp_path: Path) -> None:
    audit = _audit_with_long_texts(db, small_template_id)
    out = tmp_path / "feedback.pdf"
    list(export_audit_pdf(db, audit, out, LEAD))
    pages = pdf_lines(out)
    labels = [[line for line in page if line.endswith("(continued)")] for page in pages]
    found = {label for page in labels for label in page}
    assert {"Grades (continued)", "Actions (continued)",
            "Questions and answers \u00b7 A Timeliness (continued)"} <= found
    assert labels[0] == []
    for lines, label in zip(pages[1:], labels[1:], strict=True):
        # A page either starts a part with its heading or says which part it continues.
        assert len(label) == 1 or lines[0] in {"Questions and answers", "Actions"}, lines[:2]
    for lines, label in zip(pages, labels, strict=True):
        if lines[0] == "C Unaccompanied young people":  # a section starting a page: its part
            assert label == ["Questions and answers (continued)"]


def test_action_numbers_never_wrap(db: Database, small_template_id: int,
                                   tmp_path: Path) -> None:
    audit = make_audit(db, small_template_id, "CL-99", date(2026, 3, 2))
    for number in range(1, 121):
        add_action(db, audit, ActionInput(f"Step {number}.", "PA A", date(2026, 4, 1)), ALEX)
    out = tmp_path / "feedback.pdf"
    list(export_audit_pdf(db, audit, out, LEAD))
    lines = [line for page in pdf_lines(out) for line in page]
    assert {"9", "10", "99", "100", "120"} <= set(lines)  # each number whole on its line
    assert "0" not in lines and "1" in lines


def test_the_pdf_says_its_language_title_and_embeds_its_fonts(
        db: Database, small_template_id: int, tmp_path: Path) -> None:
    audit = _finished_audit(db, small_template_id)
    out = tmp_path / "feedback.pdf"
    list(export_audit_pdf(db, audit, out, LEAD))
    reader = PdfReader(out)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean)
    assert reader.metadata.author == "Alex (auditor), with auditapp"
    assert reader.metadata.subject == "Small test checklist, audit of 2 Mar 2026"
    assert "small-test" in reader.metadata["/Keywords"]
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts and all("/FontFile2" in f["/FontDescriptor"] for f in fonts.values()
                         if "/FontDescriptor" in f), sorted(fonts)
    assert all("/FontDescriptor" in f for f in fonts.values()), sorted(fonts)
