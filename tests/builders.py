"""Builders shared by the tests: the people, the small template, cases and audits in known
states, the command line run as a user runs it, and the audit editor opened and read.

Every test module takes its shared helpers from here; none imports another test module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from auditapp.models import CareLeaverCategory, Role
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import (
    AnswerChange,
    AuditChanges,
    JudgementChange,
    create_audit,
    load_audit,
    save_changes,
    submit_audit,
)
from auditapp.services.cases import CaseInput, save_case
from auditapp.storage.engine import Database
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
DATA = Path(__file__).parent / "data"

SMALL_TEMPLATE = DATA / "small_template.yaml"

ALEX = Actor("Alex", Role.AUDITOR)

LEAD = Actor("Lee Lead", Role.PRACTICE_LEAD)

def make_case(db: Database, reference: str = "C-001", **overrides: object) -> int:
    """A case with sensible defaults; returns its id."""
    fields: dict[str, object] = {"reference": reference,
                                 "category": CareLeaverCategory.FORMER_RELEVANT,
                                 "uasc": False, "age_at_audit": 19, "team": "North",
                                 "worker": "PA A"}
    return save_case(db, CaseInput(**(fields | overrides)))  # type: ignore[arg-type]

def make_audit(db: Database, template_id: int, reference: str = "C-001",
               audit_date: date = date(2026, 3, 1), auditor: str = "Alex", **case: object) -> int:
    """A draft audit of a new case; returns the audit's id."""
    return create_audit(db, make_case(db, reference, **case), template_id, auditor, audit_date,
                        Actor(auditor, Role.AUDITOR))

DEMO_END = date(2026, 6, 30)


def question_ids(db: Database, audit_id: int) -> dict[str, int]:
    return {q.key: q.id for s in load_audit(db, audit_id).template.sections for q in s.questions}


def section_ids(db: Database, audit_id: int) -> dict[str, int]:
    return {s.key: s.id for s in load_audit(db, audit_id).template.sections}


def answer_all(db: Database, audit_id: int, codes: dict[str, str]) -> None:
    q = question_ids(db, audit_id)
    changes = AuditChanges()
    for key, code in codes.items():
        evidence = "" if code in ("Y", "M") else f"Evidence for {key}"
        changes.answers[q[key]] = AnswerChange(q[key], code, evidence)
    save_changes(db, audit_id, changes, ALEX)


def complete_audit(db: Database, audit: int) -> None:
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    s = section_ids(db, audit)
    save_changes(db, audit, AuditChanges(
        judgements={s["A"]: JudgementChange(s["A"], Grade.GOOD, ""),
                    s["B"]: JudgementChange(s["B"], Grade.GOOD, "")},
        overall=(Grade.GOOD, "")), ALEX)


def answer(db: Database, audit: int, key: str, code: str, evidence: str = "",
            actor: Actor = ALEX) -> None:
    question = question_ids(db, audit)[key]
    save_changes(db, audit, AuditChanges(answers={question: AnswerChange(question, code,
                                                                         evidence)}), actor)


def submitted_audit(db: Database, template_id: int, reference: str = "C-1",
               **case: object) -> int:
    audit = make_audit(db, template_id, reference, **case)
    complete_audit(db, audit)  # every section Good, overall Good
    submit_audit(db, audit, ALEX)
    return audit


MO = Actor("Mo Moderator", Role.MODERATOR)


BROKEN_TEMPLATE = """\
id: Broken Template
title: Broken
grading:
  good: 50
  requires_improvement: 70
sections:
  - id: S1
    title: First
    limiting: yes please
    questions:
      - id: S1.1
        text: Is there a plan?
        critcal: true
      - id: S1.2
        text: ""
        scale: nope
  - title: Second
    questions: []
  - id: S3
    title: Third
    questions:
      - id: S1.1
        text: Duplicate id
        evidence_required: [Q]
"""


def run_auditapp(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``auditapp --db DB ARGS`` and capture what it prints."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "auditapp", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def open_editor(qtbot: QtBot, db: Database, audit_id: int) -> AuditEditorWindow:
    editor = AuditEditorWindow(db, load_audit(db, audit_id), ALEX)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    return editor


def first_page(editor: AuditEditorWindow) -> SectionPage:
    page = editor.stack.currentWidget()
    assert isinstance(page, SectionPage)
    return page


def stored_answers(db: Database, audit_id: int) -> dict[str, tuple[str | None, str]]:
    document = load_audit(db, audit_id)
    keys = {q.id: q.key for s in document.template.sections for q in s.questions}
    return {keys[q]: (a.response, a.evidence) for q, a in document.answers.items()}


def wait_saved(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    qtbot.waitUntil(lambda: not editor.autosaver.has_unsaved, timeout=20_000)


def unnamed_controls(root: QWidget) -> list[str]:
    inputs = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QAbstractSpinBox)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, inputs) or isinstance(
                widget.parent(), QComboBox | QAbstractSpinBox | QLineEdit):
            continue  # part of a composite control, which carries the name
        if widget.objectName().startswith("qt_"):  # Qt's own furniture, named by Qt
            continue
        if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
            continue
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()}")
    return missing

