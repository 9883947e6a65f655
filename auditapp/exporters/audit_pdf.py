"""An audit's feedback PDF, for the practitioner and their manager: grades, strengths and
areas for development, the young person's voice, actions, moderation, then every question
with its answer and evidence, one outline entry per section."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from auditapp.errors import UserError
from auditapp.exporters.pdf_layout import (
    CONTENT_WIDTH,
    HEADER,
    RULE,
    Heading,
    PageFrame,
    build_pdf,
    grade_colour,
    grade_paragraph,
    grade_text_colour,
    table_header,
    text,
)
from auditapp.rules.grades import grade_label
from auditapp.rules.permissions import Actor
from auditapp.rules.sections import applies_only_to
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import AuditDocument, load_audit
from auditapp.services.integrity import chain_stamp
from auditapp.services.templates import QuestionInfo, SectionInfo
from auditapp.storage.atomic_files import atomic_output, check_target
from auditapp.storage.engine import Database

ANSWER_TINTS = {"best": "#E3F1D6", "middle": "#FCE8C8", "lowest": "#F7D0CC", "none": "#EEEEEE"}


def export_audit_pdf(db: Database, audit_id: int, out: Path, reader: Actor
                     ) -> Iterator[tuple[int, int]]:
    """Write the feedback PDF of one audit to ``out`` for ``reader``; yields
    ``(steps done, 3)``.

    For the UI: run the generator off the UI thread and close it to cancel. The first step
    raises ``NotFoundError`` (a ``UserError``) for an unknown audit, and refuses an audit
    whose grades are withheld from ``reader`` (blind moderation), before any file is made.
    """
    out = check_target(out)
    document = load_audit(db, audit_id, reader)
    if document.grades_withheld:
        raise UserError("This audit's grades are withheld from you until you record your "
                        "blind grades, so its feedback cannot be exported yet.")
    yield 1, 3
    frame = PageFrame(f"Case file audit feedback: {document.case_reference}",
                      f"{document.template.title}, audit of {day_text(document.audit_date)}",
                      f"Audit feedback \u00b7 {document.case_reference} \u00b7 "
                      f"{day_text(document.audit_date)}", keywords=chain_stamp(db).text())
    with atomic_output(out) as temporary:
        yield 2, 3
        build_pdf(temporary, frame, lambda: _story(document))
    yield 3, 3


def _story(document: AuditDocument) -> list[Flowable]:
    return [
        text("Case file audit feedback", "title"),
        _header_table(document),
        Heading("Grades"),
        *_grades(document),
        Heading("Strengths, development and the young person's voice"),
        *_narrative(document),
        Heading("Actions"),
        _actions(document),
        *_moderation(document),
        PageBreak(),
        Heading("Questions and answers"),
        *(flowable for section in document.template.sections
          for flowable in _section(document, section)),
    ]


# --- tables -------------------------------------------------------------------------------------


def _grid(rows: Sequence[Sequence[Any]], widths: Sequence[float],
          extra: Sequence[tuple[Any, ...]] = (), header: bool = True) -> Table:
    table = Table([list(row) for row in rows], colWidths=list(widths),
                  repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEADER))
    table.setStyle(TableStyle(style + list(extra)))
    return table


def _grade_style(column: int, row: int, grade: str) -> list[tuple[Any, ...]]:
    return [("BACKGROUND", (column, row), (column, row), grade_colour(grade)),
            ("TEXTCOLOR", (column, row), (column, row), grade_text_colour(grade))]


def _when(day: date | None) -> str:
    return day_text(day) if day else "\u2013"


def _header_table(document: AuditDocument) -> Table:
    category = document.category + (", unaccompanied asylum-seeking young person"
                                     if document.uasc else "")
    template = document.template
    pairs = [
        ("Case reference", document.case_reference, "Audit date", _when(document.audit_date)),
        ("Category", category, "Auditor", document.auditor),
        ("Team", document.team or "\u2013", "Status", document.status),
        ("Worker", document.worker or "\u2013", "Submitted",
         _when(document.submitted_at.date() if document.submitted_at else None)),
        ("Template", f"{template.title} ({template.key}, version {template.version})", "", ""),
    ]
    rows = [[text(a, "cell_bold"), text(b, "cell"), text(c, "cell_bold"), text(d, "cell")]
            for a, b, c, d in pairs]
    width = CONTENT_WIDTH
    return _grid(rows, [0.17 * width, 0.38 * width, 0.15 * width, 0.30 * width], header=False,
                 extra=[("SPAN", (1, 4), (3, 4)),
                        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                        ("BACKGROUND", (2, 0), (2, -2), colors.HexColor("#F2F2F2"))])


def _grades(document: AuditDocument) -> list[Flowable]:
    final = grade_label(document.final_grade)
    box = Table([[text("Overall grade", "centre")], [grade_paragraph(final, "big")]],
                colWidths=[80 * mm])
    box.setStyle(TableStyle([("BACKGROUND", (0, 1), (0, 1), grade_colour(final)),
                             ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                             ("TOPPADDING", (0, 1), (0, 1), 6),
                             ("BOTTOMPADDING", (0, 1), (0, 1), 10)]))
    box.hAlign = "LEFT"
    moderated = (f"; moderated grade {grade_label(document.moderation.grade)}"
                 if document.moderation else "")
    notes = [Spacer(1, 2 * mm), text(
        f"Auditor's grade {grade_label(document.overall_grade)}; the grading rule suggested "
        f"{grade_label(document.suggested_grade)}{moderated}. The overall grade is the "
        "moderated grade where there is one, otherwise the auditor's.", "note")]
    if document.grade_rationale.strip():
        notes.append(text(f"Auditor's rationale: {document.grade_rationale}", "note"))
    return [box, *notes, _section_grades(document)]


def _section_grades(document: AuditDocument) -> Table:
    rows: list[list[Any]] = [table_header(["Section", "Suggested", "Auditor's grade",
                                           "Comment"])]
    extra: list[tuple[Any, ...]] = []
    for i, section in enumerate(document.template.sections, start=1):
        judgement = document.judgements.get(section.id)
        if not document.applies(section.id) or judgement is None:
            rows.append([text(f"{section.key} {section.title}", "cell"),
                         text("Does not apply", "cell"), "", ""])
            extra.append(("TEXTCOLOR", (0, i), (-1, i), colors.grey))
            continue
        given = grade_label(judgement.grade)
        rows.append([text(f"{section.key} {section.title}", "cell"),
                     text(grade_label(judgement.suggested), "cell"), grade_paragraph(given),
                     text(judgement.comment, "cell")])
        extra += _grade_style(2, i, given)
    width = CONTENT_WIDTH
    return _grid(rows, [0.38 * width, 0.17 * width, 0.2 * width, 0.25 * width], extra)


def _narrative(document: AuditDocument) -> list[Flowable]:
    parts: list[Flowable] = []
    for title, value in (("Strengths", document.strengths),
                         ("Areas for development", document.areas_for_development),
                         ("The young person's voice", document.young_person_voice)):
        parts.append(KeepTogether([text(title, "h2"),
                                   text(value.strip() or "None recorded.")]))
    return parts


def _actions(document: AuditDocument) -> Flowable:
    if not document.actions:
        return text("No actions were raised.")
    keys = {q.id: q.key for s in document.template.sections for q in s.questions}
    rows: list[list[Any]] = [table_header(["#", "Action", "Question", "Owner", "Due",
                                           "Priority", "Status"])]
    for number, action in enumerate(document.actions, start=1):
        status = action.status + (f" ({_when(action.completed_on)})"
                                  if action.completed_on else "")
        rows.append([text(str(number), "cell"), text(action.text, "cell"),
                     text(keys.get(action.question_id or 0, "\u2013"), "cell"),
                     text(action.owner, "cell"), text(_when(action.due_date), "cell"),
                     text(action.priority, "cell"), text(status, "cell")])
    width = CONTENT_WIDTH
    return _grid(rows, [0.04 * width, 0.31 * width, 0.12 * width, 0.15 * width,
                        0.12 * width, 0.11 * width, 0.15 * width])


def _moderation(document: AuditDocument) -> list[Flowable]:
    moderation = document.moderation
    if moderation is None:
        return []
    grade = grade_label(moderation.grade)
    rows = [[text("Moderator", "cell_bold"), text(moderation.moderator, "cell")],
            [text("Moderated on", "cell_bold"), text(_when(moderation.moderated_on), "cell")],
            [text("Moderated grade", "cell_bold"), grade_paragraph(grade)],
            [text("Agreed with the auditor", "cell_bold"),
             text("Yes" if moderation.agreed else "No", "cell")],
            [text("Comment", "cell_bold"), text(moderation.comment or "\u2013", "cell")]]
    return [Heading("Moderation"),
            _grid(rows, [0.3 * CONTENT_WIDTH, 0.7 * CONTENT_WIDTH], _grade_style(1, 2, grade),
                  header=False)]


# --- questions and answers ------------------------------------------------------------------


def _answer_tint(question: QuestionInfo, code: str | None) -> str:
    option = question.option(code)
    if option is None or option["score"] is None:
        return ANSWER_TINTS["none"]
    scores = [o["score"] for o in question.scale if o["score"] is not None]
    if option["score"] == max(scores):
        return ANSWER_TINTS["best"]
    return ANSWER_TINTS["lowest" if option["score"] == min(scores) else "middle"]


def _section(document: AuditDocument, section: SectionInfo) -> list[Flowable]:
    heading = Heading(f"{section.key} {section.title}", level=1)
    if not document.applies(section.id):
        who = applies_only_to(section.applies_when or "")
        return [heading, text(f"Does not apply: only for {who}.", "note")]
    judgement = document.judgements.get(section.id)
    grade = grade_label(judgement.grade if judgement else None)
    rows: list[list[Any]] = [table_header(["Question", "Answer", "Evidence"])]
    extra: list[tuple[Any, ...]] = []
    for i, question in enumerate(section.questions, start=1):
        answer = document.answers.get(question.id)
        code = answer.response if answer else None
        option = question.option(code)
        critical = " (critical)" if question.critical else ""
        rows.append([text(f"{question.key}{critical} {question.text}", "cell"),
                     text(option["label"] if option else "Not answered", "cell"),
                     text(answer.evidence if answer else "", "cell")])
        extra.append(("BACKGROUND", (1, i), (1, i),
                      colors.HexColor(_answer_tint(question, code))))
    summary = text(f"Section grade: {grade}"
                   + (f" (suggested {grade_label(judgement.suggested)})" if judgement else "")
                   + (f". {judgement.comment}" if judgement and judgement.comment else ""),
                   "note")
    width = CONTENT_WIDTH
    return [heading, summary,
            _grid(rows, [0.45 * width, 0.15 * width, 0.4 * width], extra)]
