"""Builders shared by the tests: the people, the small template, cases and audits in known
states, the command line run as a user runs it, and the audit editor opened and read.

Every test module takes its shared helpers from here; none imports another test module.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import threading
import traceback
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape

import pytest
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QTabBar,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from auditapp.models import CareLeaverCategory, Role, User
from auditapp.rules.grades import Grade
from auditapp.rules.names import name_key
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
from auditapp.storage.engine import Database, advance_id_sequences
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.window import AuditEditorWindow

PageT = TypeVar("PageT", bound=QWidget)
DialogT = TypeVar("DialogT", bound=QWidget)

TESTS = Path(__file__).resolve().parent
#: How long a test waits for work on another thread or process, in milliseconds. It guards
#: against a hang; it is no speed check (those belong in benchmarks/), so it is generous
#: enough for a loaded machine running the tests under coverage.
LONG = 60_000
#: The same guard for a subprocess, in seconds.
SUBPROCESS_LIMIT = 600
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
DATA = Path(__file__).parent / "data"

SMALL_TEMPLATE = DATA / "small_template.yaml"

# The people of the tests: every test database has their profiles, with these ids and uids
# (:func:`add_people`), so one person is the same profile on every "laptop" of a test.
LEAD = Actor("Lee Lead", Role.PRACTICE_LEAD, 1)
ALEX = Actor("Alex", Role.AUDITOR, 2)
MO = Actor("Mo Moderator", Role.MODERATOR, 3)
SAM = Actor("Sam", Role.AUDITOR, 4)
PEER = Actor("Pat Peer", Role.PEER_REVIEWER, 5)
BEA = Actor("Bea", Role.AUDITOR, 6)
PEOPLE = (LEAD, ALEX, MO, SAM, PEER, BEA)


def person_uid(actor: Actor) -> str:
    """The profile uid a test person has in every test database."""
    return f"{actor.id:032x}"


def add_people(db: Database) -> None:
    """Give a fresh database the profiles of the test people (ids 1 to 6)."""
    with db.transaction() as session:
        for actor in PEOPLE:
            session.add(User(id=actor.id, uid=person_uid(actor), name=actor.name,
                             name_key=name_key(actor.name), role=actor.role))
        session.flush()
        advance_id_sequences(session, ["users"])


def by_name(name: str) -> Actor:
    """The test person with this name."""
    return next(a for a in PEOPLE if a.name == name)


def make_case(db: Database, reference: str = "C-001", **overrides: object) -> int:
    """A case with sensible defaults, recorded by the practice lead; returns its id."""
    fields: dict[str, object] = {"reference": reference,
                                 "category": CareLeaverCategory.FORMER_RELEVANT,
                                 "uasc": False, "age_at_audit": 19, "team": "North",
                                 "worker": "PA A"}
    return save_case(db, CaseInput(**(fields | overrides)), LEAD)  # type: ignore[arg-type]


def make_audit(db: Database, template_id: int, reference: str = "C-001",
               audit_date: date = date(2026, 3, 1), auditor: str = "Alex", **case: object) -> int:
    """A draft audit of a new case, started by its auditor (one of :data:`PEOPLE`; anyone
    else's by the lead, which gives them a profile); returns the audit's id."""
    starter = next((a for a in PEOPLE if a.name == auditor), LEAD)
    return create_audit(db, make_case(db, reference, **case), template_id, auditor, audit_date,
                        starter)

DEMO_END = date(2026, 6, 30)


def many_open_actions(db: Database, audit_id: int, count: int, owner: str = "PA A",
                      first_due: date = date(2026, 1, 1)) -> None:
    """``count`` open actions on one audit, due a day apart from ``first_due``, written in
    one driver-level insert (a large file built in a moment; history is not involved)."""
    from datetime import timedelta
    from uuid import uuid4

    from sqlalchemy import insert

    from auditapp.models import Action
    rows = [{"uid": uuid4().hex, "audit_id": audit_id, "text": f"Step {number}",
             "owner": owner, "due_date": first_due + timedelta(days=number)}
            for number in range(count)]
    with db.transaction() as session:
        session.execute(insert(Action), rows)


def question_ids(db: Database, audit_id: int) -> dict[str, int]:
    return {q.key: q.id for s in load_audit(db, audit_id, LEAD).template.sections
            for q in s.questions}


def section_ids(db: Database, audit_id: int) -> dict[str, int]:
    return {s.key: s.id for s in load_audit(db, audit_id, LEAD).template.sections}


def answer_all(db: Database, audit_id: int, codes: dict[str, str], actor: Actor = ALEX
               ) -> None:
    q = question_ids(db, audit_id)
    changes = AuditChanges()
    for key, code in codes.items():
        evidence = "" if code in ("Y", "M") else f"Evidence for {key}"
        changes.answers[q[key]] = AnswerChange(q[key], code, evidence)
    save_changes(db, audit_id, changes, actor)


def complete_audit(db: Database, audit: int, actor: Actor = ALEX) -> None:
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"}, actor)
    s = section_ids(db, audit)
    save_changes(db, audit, AuditChanges(
        judgements={s["A"]: JudgementChange(s["A"], Grade.GOOD, ""),
                    s["B"]: JudgementChange(s["B"], Grade.GOOD, "")},
        overall=(Grade.GOOD, "")), actor)


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


def graded_audit(db: Database, template_id: int, reference: str, audit_date: date,
                 grade: Grade, **case: object) -> int:
    """A submitted audit of the small template on ``audit_date`` whose overall (and so
    final) grade is ``grade``, every section Good (``case``: the case's details, as
    :func:`make_case` takes them)."""
    audit = make_audit(db, template_id, reference, audit_date, **case)
    complete_audit(db, audit)
    if grade != Grade.GOOD:
        save_changes(db, audit, AuditChanges(overall=(grade, "Because of the impact seen.")),
                     ALEX)
    submit_audit(db, audit, ALEX)
    return audit




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


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) of ``members``, made in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_parts(path: Path) -> dict[str, bytes]:
    """The parts of an Excel workbook, to change one and zip them again (fuzz tests change
    the XML itself, far faster than building a workbook through openpyxl)."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
#: What a cell may be changed to: text (with XML's own special characters), numbers, flags,
#: dates as numbers, an error, a reference to a shared string that is not there.
cell_values = st.one_of(
    st.text(max_size=30).map(lambda t: ("text", t)),
    st.sampled_from(["", " ", "yes", "no", "maybe", "section", "question", "Y", "NA",
                     "default", "eligible", "relevant", "uasc", "KLOE1, SP2", "x" * 41,
                     "CL-1", "17", "2026-02-30", "<&>"]).map(lambda t: ("text", t)),
    st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
              st.sampled_from([0, 1, 2, 60, 85, 100, 101, 45000, 1e308])).map(
        lambda n: ("number", n)),
    st.sampled_from([("bool", "1"), ("bool", "0"), ("error", "#N/A"), ("shared", "999999")]),
)


def _cell_xml(reference: bytes, value: tuple[str, object]) -> bytes:
    kind, content = value
    if kind == "text":
        text = "".join(c for c in str(content) if c in "\t\n\r" or " " <= c <= "\ud7ff"
                       or "\ue000" <= c <= "\ufffd")
        return (b'<c r="' + reference + b'" t="inlineStr"><is><t xml:space="preserve">'
                + escape(text).encode() + b"</t></is></c>")
    kind = {"number": "n", "bool": "b", "error": "e", "shared": "s"}[kind]
    return b'<c r="' + reference + b'" t="' + kind.encode() + b'"><v>' + \
        str(content).encode() + b"</v></c>"


@st.composite
def changed_workbook(draw: st.DrawFn, parts: dict[str, bytes]) -> bytes:
    """A workbook made from ``parts`` with damage a user or a fault could do: cells changed,
    a part's bytes flipped, cut short or replaced, or the archive itself broken."""
    parts = dict(parts)
    how = draw(st.sampled_from(["cells", "cells", "cells", "part bytes", "archive bytes"]))
    if how == "cells":
        names = sorted(n for n in parts if n.startswith("xl/worksheets/"))
        for _ in range(draw(st.integers(1, 4))):
            name = draw(st.sampled_from(names))
            cells = list(_CELL.finditer(parts[name]))
            if not cells:
                continue
            cell = draw(st.sampled_from(cells))
            replacement = b"" if draw(st.booleans()) and draw(st.booleans()) \
                else _cell_xml(cell.group(1), draw(cell_values))
            parts[name] = parts[name][:cell.start()] + replacement + parts[name][cell.end():]
        return zip_bytes(parts)
    if how == "part bytes":
        name = draw(st.sampled_from(sorted(parts)))
        data = bytearray(parts[name])
        if data and draw(st.booleans()):
            for _ in range(draw(st.integers(1, 5))):
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        else:
            data = bytearray(draw(st.binary(max_size=200)))
        parts[name] = bytes(data)
        return zip_bytes(parts)
    archive = bytearray(zip_bytes(parts))
    for _ in range(draw(st.integers(1, 5))):
        archive[draw(st.integers(0, len(archive) - 1))] = draw(st.integers(0, 255))
    return bytes(archive[:draw(st.integers(0, len(archive)))]) if draw(st.booleans()) \
        else bytes(archive)


def run_auditapp(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``auditapp --db DB ARGS`` and capture what it prints."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "auditapp", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=SUBPROCESS_LIMIT)


LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def open_editor(qtbot: QtBot, db: Database, audit_id: int) -> AuditEditorWindow:
    """The editor of an audit, shown and active (so shortcuts and focus work)."""
    editor = AuditEditorWindow(db, load_audit(db, audit_id, LEAD), ALEX)
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
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
    document = load_audit(db, audit_id, LEAD)
    keys = {q.id: q.key for s in document.template.sections for q in s.questions}
    return {keys[q]: (a.response, a.evidence) for q, a in document.answers.items()}


def wait_saved(qtbot: QtBot, editor: AuditEditorWindow) -> None:
    qtbot.waitUntil(lambda: not editor.autosaver.has_unsaved, timeout=LONG)


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
    qtbot.waitUntil(menu.isVisible, timeout=LONG)
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
                    timeout=LONG)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, kind)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=LONG)  # keys and focus go to it
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

    def wrap(self, original: Callable[[Database], AbstractContextManager[Any]]
             ) -> Callable[[Database], AbstractContextManager[Any]]:
        """``original`` (``Database.transaction`` or ``Database.reading``), counted."""
        @contextmanager
        def transaction(db: Database) -> Iterator[Any]:
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


# --- driving the desktop app as a person does -------------------------------------------------
#
# Tests click buttons, type into fields, press shortcuts and open menus by their mnemonics;
# they never call a slot, so a control disconnected from its handler fails its test.


def plain(text: str) -> str:
    """A control's text without its mnemonic ampersands."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def show_active(qtbot: QtBot, window: QWidget) -> QWidget:
    """Show a window and wait until it is the active one (keys and shortcuts go there)."""
    with qtbot.waitActive(window, timeout=LONG):
        window.show()
        window.raise_()
        window.activateWindow()
    return window


def click(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None,
          button: Qt.MouseButton = Qt.MouseButton.LeftButton) -> None:
    """Click a control as a person would: it must be on screen and enabled."""
    name = plain(widget.text()) if isinstance(widget, QAbstractButton) else widget.objectName()
    assert widget.isVisible(), f"{type(widget).__name__} {name!r} is not on screen"
    assert widget.isEnabled(), f"{type(widget).__name__} {name!r} is disabled"
    window = widget.window()
    if not window.isActiveWindow() and QApplication.activeModalWidget() in (None, window):
        window.activateWindow()  # a click into a window makes it the active one
        qtbot.waitUntil(window.isActiveWindow, timeout=LONG)
    if pos is None and isinstance(widget, QCheckBox | QRadioButton):
        pos = QPoint(widget.height() // 2, widget.height() // 2)  # on the box, not past the text
    if pos is None:
        qtbot.mouseClick(widget, button)
    else:
        qtbot.mouseClick(widget, button, pos=pos)


def find_button(root: QWidget, text: str) -> QAbstractButton:
    """The one button under ``root`` reading ``text`` (mnemonics ignored); visible ones
    first, so that a button on a page not shown yet is not clicked by mistake."""
    named = [b for b in root.findChildren(QAbstractButton) if plain(b.text()) == text]
    shown = [b for b in named if b.isVisible()]
    found = shown or named
    everything = sorted(plain(b.text()) for b in root.findChildren(QAbstractButton))
    assert len(found) == 1, f"{len(found)} buttons read {text!r}; there are {everything}"
    return found[0]


def press(qtbot: QtBot, root: QWidget, text: str) -> None:
    """Click the button reading ``text``."""
    click(qtbot, find_button(root, text))


def focus(qtbot: QtBot, widget: QWidget) -> None:
    """Put the keyboard focus in a field by clicking into it (as a person does)."""
    target = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget
    if isinstance(widget, QAbstractSpinBox):
        target = widget.findChild(QLineEdit) or widget
    click(qtbot, target)
    assert widget.hasFocus(), f"clicking {widget.accessibleName()!r} did not put the cursor there"


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Replace what a text field, spin box or editable combo box holds by typing."""
    if isinstance(widget, QComboBox):
        assert widget.isEditable(), "choose() picks from a combo box that is not editable"
        widget = widget.lineEdit()
    focus(qtbot, widget)
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # select all
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(widget, text)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick an entry of a combo box from the keyboard: to the top (Home, or Up in an
    editable one), then Down to it."""
    assert combo.isVisible() and combo.isEnabled(), f"{combo.accessibleName()} not usable"
    index = combo.findText(text)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert index >= 0, f"{text!r} is not among {items}"
    combo.setFocus(Qt.FocusReason.TabFocusReason)
    if combo.isEditable():  # Home moves the text cursor there
        for _ in range(max(combo.currentIndex(), 0)):
            qtbot.keyClick(combo, Qt.Key.Key_Up)
    else:
        qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index - max(combo.currentIndex(), 0)):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text, f"{combo.currentText()!r} chosen, not {text!r}"


def _first_section(qtbot: QtBot, edit: QDateTimeEdit) -> None:
    """Select the first section of a date field: tab into it (which selects it), or step back
    to it with Ctrl+Left (Tab leaves a date field)."""
    first = edit.sectionAt(0)
    if not edit.hasFocus():
        edit.setFocus(Qt.FocusReason.TabFocusReason)
        return
    if edit.currentSection() == first:  # to the next section, and back: selected
        qtbot.keyClick(edit, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    for _ in range(edit.sectionCount()):
        qtbot.keyClick(edit, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
        if edit.currentSection() == first:
            return
    raise AssertionError(f"cannot reach the first section of {edit.accessibleName()}")


def type_date(qtbot: QtBot, edit: QDateTimeEdit, value: date) -> None:
    """Type a date into a ``d MMM yyyy`` field: the 2nd of the month and year first, so
    that no step is an impossible date (31 February), then the day. A filter field reading
    "Any" is first stepped off it with the Up key."""
    assert edit.isVisible() and edit.isEnabled(), f"{edit.accessibleName()} not usable"
    assert edit.displayFormat() in ("d MMM yyyy", "dd MMM yyyy"), edit.displayFormat()
    _first_section(qtbot, edit)
    if edit.specialValueText() and edit.date() == edit.minimumDate():
        qtbot.keyClick(edit, Qt.Key.Key_Up)
        _first_section(qtbot, edit)
    qtbot.keyClicks(edit, "02" + value.strftime("%b%Y"))
    _first_section(qtbot, edit)
    qtbot.keyClicks(edit, f"{value.day:02d}")
    assert edit.date().toPython() == value, f"{edit.date().toPython()} typed, not {value}"


def shortcut(qtbot: QtBot, window: QWidget, keys: str | QKeySequence.StandardKey) -> None:
    """Press a keyboard shortcut in the active window."""
    assert QApplication.activeWindow() is window.window(), "the window is not active"
    target = QApplication.focusWidget() or window
    QTest.keySequence(target, QKeySequence(keys))


def _mnemonic(text: str) -> str:
    index = text.replace("&&", "").find("&")
    assert index >= 0, f"{text!r} has no mnemonic"
    return text.replace("&&", "")[index + 1].lower()


def menu_item(qtbot: QtBot, window: QMainWindow, menu: str, item: str) -> None:
    """Open a menu of the menu bar with its Alt+letter mnemonic, then choose an item with its
    own letter (or with the arrow keys and Enter when two items share a letter)."""
    assert QApplication.activeWindow() is window, "the window is not active"
    title = next((a for a in window.menuBar().actions() if plain(a.text()) == menu), None)
    assert title is not None and title.menu() is not None, f"no {menu} menu"
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, _mnemonic(title.text()), Qt.KeyboardModifier.AltModifier)
    popup = QApplication.activePopupWidget()
    assert isinstance(popup, QMenu) and popup is title.menu(), f"{menu} did not open"
    action = next((a for a in popup.actions() if plain(a.text()) == item), None)
    assert action is not None, f"no {item!r} in {[plain(a.text()) for a in popup.actions()]}"
    assert action.isEnabled(), f"{menu} › {item} is disabled"
    letter = _mnemonic(action.text())
    if [_mnemonic(a.text()) for a in popup.actions() if "&" in a.text()].count(letter) == 1:
        qtbot.keyClick(popup, letter)
        return
    for _ in popup.actions():
        if popup.activeAction() is action:
            break
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    assert popup.activeAction() is action, f"cannot reach {item} with the arrow keys"
    qtbot.keyClick(popup, Qt.Key.Key_Return)


@contextmanager
def answer_dialogs(qtbot: QtBot, *handlers: Callable[[QDialog], None]
                   ) -> Iterator[list[QWidget]]:
    """Answer the modal dialogs the block opens, in turn: each handler gets the next one to
    show and must close it (by clicking, as a person does). A dialog left open, an extra
    dialog, or a failing handler closes the dialog so the run never hangs, then fails the
    test. Yields the dialogs answered."""
    waiting = list(handlers)
    seen: list[QWidget] = []
    busy: list[QWidget] = []
    errors: list[str | BaseException] = []
    done = False

    def shut(dialog: QWidget) -> None:
        if isinstance(dialog, QDialog):
            dialog.reject()
        else:
            dialog.close()

    def poll() -> None:
        if done:
            return
        QTimer.singleShot(10, poll)  # keep watching, also inside a handler's event loops
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog in busy or not dialog.isVisible():
            return
        if not waiting:
            errors.append(f"an unexpected dialog: {dialog.windowTitle()!r}")
            shut(dialog)
            return
        seen.append(dialog)
        busy.append(dialog)
        try:
            if QApplication.activeWindow() is not dialog:  # keys go where a person types
                dialog.activateWindow()
                qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=LONG)
            waiting.pop(0)(dialog)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - reported when the block ends
            errors.append(exc)
        finally:
            busy.remove(dialog)
        if dialog.isVisible():
            errors.append(f"the dialog {dialog.windowTitle()!r} was left open")
            shut(dialog)

    QTimer.singleShot(0, poll)
    try:
        yield seen
    finally:
        done = True
    for error in errors:
        if isinstance(error, BaseException):
            raise error
    assert not errors, errors
    assert not waiting, f"{len(waiting)} dialog(s) expected, not shown"


def click_cell(qtbot: QtBot, view: QAbstractItemView, row: int, column: int = 0,
               double: bool = False) -> None:
    """Click (or double-click) a cell of a table or list view."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    rect = view.visualRect(index)
    assert rect.isValid() and view.viewport().isVisible(), f"row {row} is not on screen"
    if double:  # press, release, then the second press that makes it a double-click
        click(qtbot, view.viewport(), rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    else:
        click(qtbot, view.viewport(), rect.center())


def click_tree_item(qtbot: QtBot, tree: QTreeWidget, item: QTreeWidgetItem) -> None:
    """Click an item of a tree."""
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    assert rect.isValid(), f"{item.text(0)} is not on screen"
    click(qtbot, tree.viewport(), rect.center())


# --- key schemes, mnemonics and screen sizes ---------------------------------------------------

#: Qt's keys for the standard commands auditapp uses, in each platform's key scheme, as
#: written in Qt's key binding table (qtbase src/gui/kernel/qplatformtheme.cpp), leaving out
#: media keys no laptop has. tests/ui/widgets/test_keys.py checks the Windows row against Qt
#: itself here (the offscreen platform uses the Windows scheme) and the X11 rows against Qt
#: under X11 (Xvfb); the macOS row cannot be checked off a Mac.
KEY_SCHEMES: dict[str, dict[str, list[str]]] = {
    "windows": {"New": ["Ctrl+N"], "Close": ["Ctrl+F4", "Ctrl+W"], "Quit": [],
                "Find": ["Ctrl+F"], "Refresh": ["F5"], "Undo": ["Ctrl+Z", "Alt+Backspace"],
                "Redo": ["Ctrl+Y", "Alt+Shift+Backspace", "Ctrl+Shift+Z"],
                "HelpContents": ["F1"]},
    "macos": {"New": ["Ctrl+N"], "Close": ["Ctrl+W", "Ctrl+F4"], "Quit": ["Ctrl+Q"],
              "Find": ["Ctrl+F"], "Refresh": ["Ctrl+R"], "Undo": ["Ctrl+Z"],
              "Redo": ["Ctrl+Shift+Z"], "HelpContents": ["Ctrl+?"]},
    "x11": {"New": ["Ctrl+N"], "Close": ["Ctrl+W"], "Quit": ["Ctrl+Q"], "Find": ["Ctrl+F"],
            "Refresh": ["F5"], "Undo": ["Ctrl+Z"], "Redo": ["Ctrl+Shift+Z"],
            "HelpContents": ["F1"]},
    "gnome": {"New": ["Ctrl+N"], "Close": ["Ctrl+W"], "Quit": ["Ctrl+Q"], "Find": ["Ctrl+F"],
              "Refresh": ["Ctrl+R", "F5"], "Undo": ["Ctrl+Z"], "Redo": ["Ctrl+Shift+Z"],
              "HelpContents": ["F1"]},
}


def typeable(sequence: QKeySequence) -> bool:
    """A key a laptop keyboard has: a combination, or a plain F1-F12, Delete or End (not a
    media key such as "Close", nor a Sun keyboard's F14)."""
    text = sequence.toString()
    return "+" in text or text in {f"F{n}" for n in range(1, 13)} | {"Del", "End"}


def use_key_scheme(monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    """Make the app take its standard keys from another platform's key scheme (the windows
    built after this take them)."""
    from auditapp.ui.widgets import keys

    table = KEY_SCHEMES[scheme]
    monkeypatch.setattr(keys, "platform_bindings", lambda key: [
        QKeySequence(k) for k in table[key.name]])


def _mnemonic_of(text: str) -> str | None:
    index = text.replace("&&", "").find("&")
    return text.replace("&&", "")[index + 1].lower() if index >= 0 else None


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter the window answers to as it stands: its menu titles, and its visible,
    enabled buttons, tabs and labels with a buddy; each letter with what it belongs to."""
    found: dict[str, list[str]] = {}

    def note(text: str, what: str) -> None:
        letter = _mnemonic_of(text)
        if letter:
            found.setdefault(letter, []).append(f"{what} {plain(text)!r}")

    if isinstance(window, QMainWindow):
        for title in window.menuBar().actions():
            note(title.text(), "menu")
    for widget in window.findChildren(QWidget):
        if (widget.window() is not window or not widget.isVisibleTo(window)
                or not widget.isEnabled()):
            continue
        if isinstance(widget, QAbstractButton):
            note(widget.text(), "button")
        elif isinstance(widget, QLabel) and widget.buddy() is not None \
                and widget.buddy().isVisibleTo(window):
            note(widget.text(), "label")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                note(widget.tabText(index), "tab")
    return found


def mnemonic_clashes(window: QWidget) -> dict[str, list[str]]:
    """The Alt+letters that more than one thing in the window answers to."""
    return {k: v for k, v in mnemonics(window).items() if len(v) > 1}


def menu_clashes(window: QMainWindow) -> dict[str, list[str]]:
    """Within each menu of the menu bar, the letters two items share."""
    clashes: dict[str, list[str]] = {}
    for title in window.menuBar().actions():
        menu = title.menu()
        assert isinstance(menu, QMenu)
        letters: dict[str, list[str]] = {}
        for action in menu.actions():
            letter = _mnemonic_of(action.text())
            if letter:
                letters.setdefault(letter, []).append(plain(action.text()))
        clashes.update({f"{plain(title.text())} {k}": v for k, v in letters.items()
                        if len(v) > 1})
    return clashes


#: A 1366x768 laptop's room for a maximised window, in logical pixels: at 100 % and at
#: 125 % scaling (1093x614), less a 40-pixel taskbar and a 30-pixel title bar (scaled).
LAPTOP = {"100%": QSize(1366, 698), "125%": QSize(1093, 558)}
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def as_a_reader_sees_it(text: str) -> str:
    """Text as the README says a workbook or CSV cell holds it: line ends and Word's manual
    line and page breaks as line feeds, every other character XML forbids as U+FFFD (the
    visible replacement character), everything else as it is."""
    text = text.replace("\r\n", "\n")
    return "".join("\n" if c in "\r\x0b\x0c" else "\ufffd" if _XML_FORBIDDEN.match(c) else c
                   for c in text)


def text_cells(libreoffice: str, workbook: Path, folder: Path) -> dict[str, list[list[str]]]:
    """Every sheet of ``workbook`` as LibreOffice shows it (its cells' text, formulas
    evaluated), by sheet name: converted to CSV by LibreOffice headless, with a profile of
    its own so that it never meets another copy."""
    out = folder / "libreoffice"
    out.mkdir()
    profile = (folder / "lo-profile").absolute().as_uri()
    subprocess.run([libreoffice, f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
                    "false,false,false,-1", "--outdir", str(out), str(workbook)],
                   check=True, capture_output=True, timeout=SUBPROCESS_LIMIT)
    sheets = {}
    for path in out.glob("*.csv"):
        name = path.stem.removeprefix(f"{workbook.stem}-")
        with path.open(encoding="utf-8", newline="") as handle:
            sheets[name] = list(csv.reader(handle))
    return sheets


def pdf_lines(path: Path) -> list[list[str]]:
    """The text lines of each page of a PDF (pypdf's reading), without the protective marking,
    the footer and "Page x of y"."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        pages.append([line for line in lines if not line.startswith("OFFICIAL-SENSITIVE")
                      and not re.search(r"Page \d+ of \d+$", line)])
    return pages


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a YAML or JSON document (keys and list indexes), the root included:
    where a fuzz test may replace a field."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += node_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += node_paths(value, (*prefix, index))
    return found
