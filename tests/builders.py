"""Builders shared by the tests: the people, the small template, cases and audits in known
states, the command line run as a user runs it, and the audit editor opened and read.

Every test module takes its shared helpers from here; none imports another test module.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

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
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow

PageT = TypeVar("PageT", bound=QWidget)
DialogT = TypeVar("DialogT", bound=QWidget)

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


#: How long a test waits for the editor's background work (a save, a window showing): long
#: enough for a loaded machine; a passing test never waits it out.
PATIENCE_MS = 20_000
LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def open_editor(qtbot: QtBot, db: Database, audit_id: int) -> AuditEditorWindow:
    """The editor of an audit, shown and active (so shortcuts and focus work)."""
    editor = AuditEditorWindow(db, load_audit(db, audit_id), ALEX)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor, timeout=PATIENCE_MS):
        editor.show()
        editor.activateWindow()
    return editor


def first_page(editor: AuditEditorWindow) -> SectionPage:
    return current_page(editor, SectionPage)


def current_page(editor: AuditEditorWindow, kind: type[PageT]) -> PageT:
    """The page on show, which must be a ``kind``."""
    page = editor.stack.currentWidget()
    assert isinstance(page, kind), page
    return page


def navigator_cell(editor: AuditEditorWindow, row: int, column: int) -> str:
    """What the navigator shows in a row (0: the first section) and column (1: done,
    2: grade)."""
    item = editor.navigator.topLevelItem(row)
    assert item is not None
    return item.text(column)


def stored_answers(db: Database, audit_id: int) -> dict[str, tuple[str | None, str]]:
    document = load_audit(db, audit_id)
    keys = {q.id: q.key for s in document.template.sections for q in s.questions}
    return {keys[q]: (a.response, a.evidence) for q, a in document.answers.items()}


def wait_saved(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    qtbot.waitUntil(lambda: not editor.autosaver.has_unsaved, timeout=PATIENCE_MS)


def click(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    """A left click, in the middle of ``widget`` unless ``pos`` says where."""
    qtbot.mouseClick(widget, LEFT, pos=pos if pos is not None else widget.rect().center())


def double_click(qtbot: QtBot, widget: QWidget, pos: QPoint) -> None:
    """A double click as the system delivers one: press and release, then the double click
    and its release (QTest's mouseDClick alone sends only the middle event)."""
    qtbot.mouseClick(widget, LEFT, pos=pos)
    qtbot.mouseDClick(widget, LEFT, pos=pos)
    qtbot.mouseRelease(widget, LEFT, pos=pos)


def click_card(qtbot: QtBot, card: QuestionCard) -> None:
    """Click a question's card (its margin, not a button), which focuses it."""
    click(qtbot, card, QPoint(4, 4))
    assert card.hasFocus()


def answer_button(card: QuestionCard, label: str) -> QRadioButton:
    """A question's answer button by its label ("Yes", "Partly", "No", "Met"...)."""
    name = f"{label} for question {card.question.key}"
    (button,) = [b for b in card.findChildren(QRadioButton) if b.accessibleName() == name]
    return button


def type_into(qtbot: QtBot, box: QPlainTextEdit | QLineEdit, text: str) -> None:
    """Click into a text box and type."""
    click(qtbot, box.viewport() if isinstance(box, QPlainTextEdit) else box)
    qtbot.keyClicks(box, text)


def choose_row(qtbot: QtBot, tree: QTreeWidget, title: str) -> None:
    """Click the navigator's row whose first column reads ``title``."""
    (item,) = tree.findItems(title, Qt.MatchFlag.MatchExactly)
    tree.scrollToItem(item)
    click(qtbot, tree.viewport(), tree.visualItemRect(item).center())


def choose_page(qtbot: QtBot, editor: AuditEditorWindow, title: str,
                kind: type[PageT]) -> PageT:
    """Click a page in the navigator and return it."""
    choose_row(qtbot, editor.navigator, title)
    return current_page(editor, kind)


def choose_grade(qtbot: QtBot, combo: QComboBox, label: str) -> None:
    """Step a grade list to ``label`` with the arrow keys, as a keyboard user does (each
    step is chosen on its way; a popup would steal the offscreen window's activation)."""
    target = combo.findText(label)
    assert target >= 0, label
    for _ in range(combo.count()):
        row = combo.currentIndex()
        if row == target:
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down if row < target else Qt.Key.Key_Up)
    assert combo.currentText() == label


def click_list_item(qtbot: QtBot, view: QListWidget, row: int) -> None:
    """Click the row-th entry of a list."""
    item = view.item(row)
    view.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtTop)
    click(qtbot, view.viewport(), view.visualItemRect(item).center())


def open_menu_item(qtbot: QtBot, editor: AuditEditorWindow, menu: QMenu, text: str) -> None:
    """Click a menu's title in the menu bar, then one of its entries."""
    bar = editor.menuBar()
    click(qtbot, bar, bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible, timeout=PATIENCE_MS)
    (action,) = [a for a in menu.actions() if a.text() == text]
    click(qtbot, menu, menu.actionGeometry(action).center())


def answering(titles: list[str], answer: bool) -> Callable[..., bool]:
    """A stand-in for ``alerts.ask`` that notes each question's title and answers it."""

    def ask(_parent: object, title: str, *_args: object, **_kwargs: object) -> bool:
        titles.append(title)
        return answer

    return ask


def modal_dialog(qtbot: QtBot, kind: type[DialogT]) -> DialogT:
    """The modal dialog on show, once it is a ``kind``."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind),
                    timeout=PATIENCE_MS)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, kind)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=PATIENCE_MS)  # keys and focus go to it
    return dialog


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


class NestingGuard:
    """Counts each thread's open transactions; remembers where one opened inside another."""

    def __init__(self) -> None:
        self.depth = threading.local()
        self.nested: list[str] = []
        self.opened = 0

    def wrap(self, original: Callable[[Database], AbstractContextManager[Session]]
             ) -> Callable[[Database], AbstractContextManager[Session]]:
        """``original`` (``Database.transaction``), counted."""
        @contextmanager
        def transaction(db: Database) -> Iterator[Session]:
            level = getattr(self.depth, "level", 0)
            if level:
                self.nested.append("".join(traceback.format_stack(limit=12)))
            self.depth.level = level + 1
            self.opened += 1
            try:
                with original(db) as session:
                    yield session
            finally:
                self.depth.level = level
        return transaction
