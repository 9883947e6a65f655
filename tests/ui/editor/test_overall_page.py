"""The overall judgement page: the overall grade, its rationale and the narrative, typed and
chosen through the real widgets and saved to a real database file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.services.audits.editing import (
    AuditChanges,
    JudgementChange,
    load_audit,
    save_changes,
)
from auditapp.storage.engine import Database
from auditapp.ui.editor.overall_page import OverallPage
from tests.builders import (
    ALEX,
    ALT,
    LEAD,
    answer_all,
    choose_grade,
    choose_page,
    click,
    make_audit,
    open_editor,
    section_ids,
    type_into,
    wait_saved,
)


@pytest.fixture
def audit(db: Database, small_template_id: int) -> int:
    return make_audit(db, small_template_id)


def test_overall_grade_rationale_and_narrative_are_saved(qtbot: QtBot, db: Database,
                                                         audit: int) -> None:
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Overall judgement", OverallPage)
    qtbot.keyClick(page, Qt.Key.Key_G, ALT)
    assert page.grade.hasFocus()
    choose_grade(qtbot, page.grade, "Requires improvement to be good")
    qtbot.keyClick(page, Qt.Key.Key_R, ALT)
    assert page.rationale.hasFocus()
    qtbot.keyClicks(page.rationale, "Drift in planning")
    type_into(qtbot, page.narrative["strengths"], "Knows the young person well")
    type_into(qtbot, page.narrative["areas_for_development"], "Review on time")
    qtbot.keyClick(page, Qt.Key.Key_V, ALT)  # The young person's &voice
    assert page.narrative["young_person_voice"].hasFocus()
    qtbot.keyClicks(page.narrative["young_person_voice"], "Wants to stay local")
    wait_saved(qtbot, editor)
    document = load_audit(db, audit, LEAD)
    assert document.overall_grade == Grade.REQUIRES_IMPROVEMENT
    assert document.grade_rationale == "Drift in planning"
    assert document.strengths == "Knows the young person well"
    assert document.areas_for_development == "Review on time"
    assert document.young_person_voice == "Wants to stay local"
    overall_row = editor.navigator.findItems("Overall judgement", Qt.MatchFlag.MatchExactly)[0]
    assert overall_row.text(2) == "RI"


def test_use_suggested_overall_grade(qtbot: QtBot, db: Database, audit: int) -> None:
    answer_all(db, audit, {"A.1": "Y", "A.2": "Y", "A.3": "M", "B.1": "Y", "B.2": "Y"})
    s = section_ids(db, audit)
    save_changes(db, audit, AuditChanges(judgements={
        s["A"]: JudgementChange(s["A"], Grade.GOOD, ""),
        s["B"]: JudgementChange(s["B"], Grade.GOOD, "")}), ALEX)
    editor = open_editor(qtbot, db, audit)
    page = choose_page(qtbot, editor, "Overall judgement", OverallPage)
    assert page.suggested.text() == "Good"
    assert page.grade.grade() is None
    click(qtbot, page.use_button)
    assert page.grade.grade() == Grade.GOOD
    wait_saved(qtbot, editor)
    assert load_audit(db, audit, LEAD).overall_grade == Grade.GOOD
