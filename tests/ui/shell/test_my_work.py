"""My work, the view the main window opens on: what is waiting for the person signed in,
each row opened with Enter, read again as work is done."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import ActionInput, add_action
from auditapp.services.moderation import record_blind_grades, return_for_rework
from auditapp.services.my_work import (
    SCREENFUL,
    ActionItem,
    DraftItem,
    Group,
    ModerationItem,
    ReturnedItem,
)
from auditapp.storage.engine import Database
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.shell.my_work import MyWorkView, ShowAll
from auditapp.ui.windows.moderation import ModerateAuditWindow
from tests.builders import (
    ALEX,
    LAPTOP,
    LONG,
    MO,
    choose,
    current_page,
    make_audit,
    many_open_actions,
    press,
    question_ids,
    shortcut,
    show_active,
    submitted_audit,
    unnamed_controls,
    wait_saved,
)

TODAY = date.today()


def open_main(qtbot: QtBot, db: Database, actor: Actor = ALEX) -> MainWindow:
    """The main window as it opens: on My work, once that is read."""
    window = MainWindow(db, actor)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.my_work.loaded, timeout=LONG):
        show_active(qtbot, window)
    return window


def rows(view: MyWorkView) -> list[tuple[str, list[object]]]:
    """Each group's title and the plain rows under it."""
    model = view.model
    groups = []
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        groups.append((str(parent.data()), [model.item(model.index(r, 0, parent))
                                             for r in range(model.rowCount(parent))]))
    return groups


def go_to(qtbot: QtBot, view: MyWorkView, wanted: object) -> None:
    """Down the list with the arrow key until the row about ``wanted`` is current."""
    for _ in range(50):
        if view.model.item(view.tree.currentIndex()) == wanted:
            return
        qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    raise AssertionError(f"{wanted} not reached")


def test_the_window_opens_on_my_work_with_the_keyboard_in_it(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    newer = make_audit(db, small_template_id, "C-1", date(2026, 3, 1))
    older = make_audit(db, small_template_id, "C-2", date(2026, 1, 15))
    make_audit(db, small_template_id, "C-3", date(2025, 1, 1), auditor="Bea")
    window = open_main(qtbot, db)
    assert window.tabs.currentWidget() is window.my_work
    assert window.my_work.tree.hasFocus()
    groups = rows(window.my_work)
    assert [title for title, _ in groups] == [
        "My drafts (2)", "Returned to me for rework: nothing returned",
        "My open actions: no open actions"]  # an auditor moderates nothing
    assert [item.audit_id for item in groups[0][1]] == [older, newer]  # type: ignore[attr-defined]
    current = window.my_work.model.item(window.my_work.tree.currentIndex())
    assert isinstance(current, DraftItem) and current.audit_id == older  # the oldest first
    cells = [window.my_work.model.index(0, c, window.my_work.model.index(0, 0)).data()
             for c in range(5)]
    assert cells == ["C-2", "Small test checklist", "0 of 5 answered", "15 Jan 2026", ""]
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Return)  # Enter opens it
    assert list(window.editors) == [older]
    editor = window.editors[older]
    qtbot.addWidget(editor)
    assert editor.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is current_page(
        editor, SectionPage).cards[0], timeout=LONG)  # and the keyboard is on its question


def test_an_audit_returned_to_me_says_why_and_opens_with_the_comment(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id, "C-7")
    return_for_rework(db, audit, MO, "A.2 needs the date of the last review")
    window = open_main(qtbot, db)
    (_drafts, (title, returned), *_rest) = rows(window.my_work)
    assert title == "Returned to me for rework (1)"
    assert isinstance(returned[0], ReturnedItem)
    detail = window.my_work.model.index(0, 2, window.my_work.model.index(1, 0)).data()
    assert detail.startswith(f"Returned by Mo Moderator on {TODAY.day} ")
    assert detail.endswith(": A.2 needs the date of the last review")
    assert window.my_work.model.item(window.my_work.tree.currentIndex()) == returned[0]
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Enter)
    editor = window.editors[audit]
    qtbot.addWidget(editor)
    assert "A.2 needs the date of the last review" in editor.banner.text()


def test_an_action_opens_its_audit_at_its_question(qtbot: QtBot, db: Database,
                                                   small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, "C-4")
    question = question_ids(db, audit)["B.2"]
    add_action(db, audit, ActionInput("Give the young person a copy", "PA A",
                                      TODAY - timedelta(days=2), question_id=question), ALEX)
    window = open_main(qtbot, db)
    (_drafts, _returned, (title, actions)) = rows(window.my_work)
    assert title == "My open actions (1)"
    action = actions[0]
    assert isinstance(action, ActionItem) and action.overdue
    due = window.my_work.model.index(0, 4, window.my_work.model.index(2, 0)).data()
    assert due.endswith(", overdue")  # said in words
    go_to(qtbot, window.my_work, action)
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Return)
    editor = window.editors[audit]
    qtbot.addWidget(editor)
    page = current_page(editor, SectionPage)
    assert page.section.key == "B"
    qtbot.waitUntil(lambda: page.card(question) is QApplication.focusWidget(), timeout=LONG)


def test_a_moderator_sees_what_to_moderate_and_enter_starts_it(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = submitted_audit(db, small_template_id, "C-5")
    window = open_main(qtbot, db, MO)
    titles = [title for title, _ in rows(window.my_work)]
    assert titles == ["My drafts: no drafts", "Returned to me for rework: nothing returned",
                      "Waiting for my moderation (1)", "My open actions: no open actions"]
    waiting = rows(window.my_work)[2][1]  # the actions, the list that can run long, last
    assert isinstance(waiting[0], ModerationItem) and not waiting[0].started
    go_to(qtbot, window.my_work, waiting[0])
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Return)
    (moderating,) = window.findChildren(ModerateAuditWindow)
    assert moderating.audit_id == audit and moderating.steps.currentIndex() == 0
    show_active(qtbot, moderating)
    choose(qtbot, moderating.blind_overall, "Good")
    with qtbot.waitSignal(window.my_work.loaded, timeout=LONG):  # read again once graded
        press(qtbot, moderating, "Record my grades and compare")
    waiting = rows(window.my_work)[2][1]
    assert waiting[0].started  # type: ignore[attr-defined]
    detail = window.my_work.model.index(0, 2, window.my_work.model.index(2, 0)).data()
    assert detail.endswith("your grades recorded")


def test_my_work_is_read_again_as_i_work(qtbot: QtBot, db: Database,
                                        small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, "C-6")
    window = open_main(qtbot, db)
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Return)
    editor = window.editors[audit]
    qtbot.addWidget(editor)
    card = current_page(editor, SectionPage).cards[0]
    qtbot.waitUntil(card.hasFocus, timeout=LONG)
    with qtbot.waitSignal(window.my_work.loaded, timeout=LONG):
        qtbot.keyClick(card, Qt.Key.Key_1)
        wait_saved(qtbot, editor)
    detail = window.my_work.model.index(0, 2, window.my_work.model.index(0, 0)).data()
    assert detail == "1 of 5 answered"


def test_nothing_waiting_says_how_to_start(qtbot: QtBot, db: Database) -> None:
    window = open_main(qtbot, db)
    assert "nothing is waiting for you" in window.my_work.intro.text()
    assert "New audit" in window.my_work.intro.text()
    qtbot.waitUntil(lambda: not window.loading, timeout=LONG)  # the list is read after
    shortcut(qtbot, window, "Ctrl+2")
    assert window.empty.isVisible() and "No audits yet" in window.empty.text()
    shortcut(qtbot, window, "Ctrl+1")
    assert window.my_work.tree.hasFocus()


def test_the_model_is_sound_and_named(qtbot: QtBot, db: Database, small_template_id: int,
                                      qtmodeltester: object) -> None:
    make_audit(db, small_template_id, "C-1")
    submitted_audit(db, small_template_id, "C-2")
    record_blind_grades(db, submitted_audit(db, small_template_id, "C-3"), MO, {}, Grade.GOOD)
    window = open_main(qtbot, db, MO)
    qtmodeltester.check(window.my_work.model)  # type: ignore[attr-defined]
    assert unnamed_controls(window.my_work) == []
    assert window.my_work.model.parent(QModelIndex()) == QModelIndex()



def test_every_group_is_seen_on_opening_however_many_actions(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    """The actions list can run past the screen: it comes last, so a moderator with forty
    open actions still sees, at 125 % on a laptop, that an audit waits for moderation."""
    submitted_audit(db, small_template_id, "C-9")
    audit = make_audit(db, small_template_id, "C-10")
    for day in range(40):  # actions Mo owns
        add_action(db, audit, ActionInput(f"Step {day}", MO.name, TODAY + timedelta(days=day)),
                   ALEX)
    window = open_main(qtbot, db, MO)
    window.resize(LAPTOP["125%"])
    qtbot.waitUntil(lambda: window.size() == LAPTOP["125%"], timeout=LONG)
    tree = window.my_work.tree
    titles = [tree.model().index(group, 0) for group in range(tree.model().rowCount())]
    assert [str(t.data()) for t in titles][-1] == "My open actions (40)"
    for title in titles:
        assert tree.viewport().rect().contains(tree.visualRect(title)), title.data()
        assert title.data(Qt.ItemDataRole.FontRole).bold()  # told apart from the rows


def test_a_group_heading_is_never_cut_on_a_small_screen(qtbot: QtBot, db: Database) -> None:
    window = open_main(qtbot, db)
    window.resize(LAPTOP["125%"])
    tree = window.my_work.tree
    bold = tree.font()
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    for group in range(window.my_work.model.rowCount()):
        heading = window.my_work.model.index(group, 0)
        text = heading.data()
        assert tree.visualRect(heading).width() > metrics.horizontalAdvance(text), text


def test_a_long_group_shows_a_screenful_and_enter_on_show_all_reads_the_rest(
        qtbot: QtBot, db: Database, small_template_id: int) -> None:
    audit = make_audit(db, small_template_id, "C-11")
    many_open_actions(db, audit, SCREENFUL + 5, first_due=TODAY)
    window = open_main(qtbot, db)
    title, actions = rows(window.my_work)[-1]
    assert title == f"My open actions ({SCREENFUL + 5})"
    assert len(actions) == SCREENFUL + 1 and actions[-1] == ShowAll(Group.ACTIONS,
                                                                   SCREENFUL + 5)
    group = window.my_work.model.index(2, 0)
    assert window.my_work.model.index(SCREENFUL, 0, group).data() == \
        f"Show all {SCREENFUL + 5} (Enter)"
    assert window.my_work.tree.isFirstColumnSpanned(SCREENFUL, group)  # never cut
    qtbot.keyClick(window.my_work.tree, Qt.Key.Key_End)
    assert window.my_work.model.item(window.my_work.tree.currentIndex()) == actions[-1]
    with qtbot.waitSignal(window.my_work.loaded, timeout=LONG):  # read off the UI thread
        qtbot.keyClick(window.my_work.tree, Qt.Key.Key_Return)
    title, actions = rows(window.my_work)[-1]
    assert len(actions) == SCREENFUL + 5 and all(isinstance(a, ActionItem) for a in actions)
    assert [a.text for a in actions] == [f"Step {n}" for n in range(SCREENFUL + 5)]  # type: ignore[union-attr]
    assert window.my_work.model.item(window.my_work.tree.currentIndex()) == actions[SCREENFUL]
    shortcut(qtbot, window, "Ctrl+2")
    with qtbot.waitSignal(window.my_work.loaded, timeout=LONG):  # read again on coming back
        shortcut(qtbot, window, "Ctrl+1")
    assert len(rows(window.my_work)[-1][1]) == SCREENFUL + 5  # the group stays whole
