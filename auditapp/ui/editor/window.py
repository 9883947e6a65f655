"""The audit editor: one window per open audit.

Left, the navigator with each section's progress and grade; right, the page for the chosen
section (its questions and its grade), the overall judgement, the actions or the history.
The pages ask; the window decides: answers and grades become undoable commands, every
change is queued with the :class:`AutoSaver`, and the window checks and submits the audit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from auditapp.errors import UserError
from auditapp.rules.grades import grade_label
from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.rules.wording import day_text
from auditapp.services.audits.editing import (
    ActionInfo,
    ActionInput,
    AuditDocument,
    SavedGrades,
    SubmissionProblem,
    add_action,
    delete_action,
    load_audit,
    submission_problems,
    submit_audit,
    update_action,
    with_changes,
)
from auditapp.services.audits.previous import PreviousAudit, previous_audit
from auditapp.services.audits.scoring import score_audit
from auditapp.services.audits.workflow import can_be_closed, close_audit
from auditapp.storage.engine import Database
from auditapp.ui.editor.action_dialog import ActionDialog, SaveAction
from auditapp.ui.editor.actions_page import ActionsPage
from auditapp.ui.editor.autosave import AutoSaver
from auditapp.ui.editor.history_page import HistoryPage
from auditapp.ui.editor.navigator import (
    ACTIONS_PAGE,
    HISTORY_PAGE,
    OVERALL_PAGE,
    PageKey,
    SectionNavigator,
)
from auditapp.ui.editor.overall_page import OverallPage
from auditapp.ui.editor.page_parts import EditorPage
from auditapp.ui.editor.problems import ProblemsDock
from auditapp.ui.editor.question_card import QuestionCard
from auditapp.ui.editor.section_page import SectionPage
from auditapp.ui.editor.undo import SetValueCommand
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.keys import standard_shortcuts
from auditapp.ui.widgets.screens import fit_to_screen
from auditapp.ui.widgets.style import STATUS_LABELS

PageT = TypeVar("PageT", bound=EditorPage)
ERROR_STYLE = "color: #c0392b; font-weight: bold;"


class AuditEditorWindow(QMainWindow):
    """Editing one audit."""

    audit_changed = Signal(int)  # saved, submitted or actions changed: lists should refresh
    closed = Signal(int)
    export_requested = Signal(int)  # the feedback PDF of this audit

    def __init__(self, db: Database, document: AuditDocument, actor: Actor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.template = document.template
        self.setWindowTitle(f"{document.case_reference} – {self.template.title} "
                            f"v{self.template.version} – auditapp")
        self._take_state(document)
        self.previous = previous_audit(db, document.id, actor)
        self.autosaver = AutoSaver(db, document.id, self.template, actor, self,
                                   revision=document.revision)
        self.undo_stack = QUndoStack(self)
        self.pages: dict[PageKey, EditorPage] = {}
        self._build()
        self._connect()
        self._rescore()
        self._show_read_only_state()
        self._start_where_work_is()

    def _take_state(self, document: AuditDocument) -> None:
        """What the pages show, from a document."""
        self.document = document
        self.responses = {q: a.response for q, a in document.answers.items()}
        self.evidence = {q: a.evidence for q, a in document.answers.items()}
        self.section_grades = {s: j.grade for s, j in document.judgements.items()}
        self.section_suggestions: dict[int, int | None] = {}
        self.overall_grade = document.overall_grade
        self.overall_suggestion: int | None = None

    @property
    def can_edit(self) -> bool:
        """A draft, and this user may edit it (their own, or any as a practice lead)."""
        return self.document.editable and allowed(self.actor, Permission.EDIT_DRAFT,
                                                  owner_id=self.document.auditor_id)

    # --- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.navigator = SectionNavigator(s for s in self.template.sections
                                          if self.document.applies(s.id))
        self.stack = QStackedWidget()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fdebd0; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._header())
        right_layout.addWidget(self.banner)
        if self.previous is not None:
            right_layout.addWidget(self._previous_line(self.previous))
        right_layout.addWidget(self.stack, 1)
        splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.navigator.fontMetrics().horizontalAdvance('x' * 44), 900])
        self.setCentralWidget(splitter)
        self._build_actions()
        self.problems_dock = ProblemsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems_dock)
        self.problems_dock.hide()
        self.save_label = QLabel("All changes saved")
        self.statusBar().addPermanentWidget(self.save_label)
        fit_to_screen(self, 1280, 760)

    def _header(self) -> QLabel:
        d = self.document
        flags = ", unaccompanied asylum-seeking" if d.uasc else ""
        age = f", aged {d.age_at_audit}" if d.age_at_audit is not None else ""
        label = QLabel(
            f"<b>{d.case_reference}</b> · {d.category}{flags}{age} · {d.team or 'no team'} · "
            f"worker {d.worker or 'not recorded'} &nbsp;|&nbsp; audited by {d.auditor} on "
            f"{day_text(d.audit_date)} · {STATUS_LABELS.get(d.status, d.status)}")
        label.setWordWrap(True)
        label.setAccessibleName("Audit details")
        return label

    def _previous_line(self, previous: PreviousAudit) -> QLabel:
        grade = ("its grades withheld until it is graded blind" if previous.grades_withheld
                 else grade_label(previous.final_grade, "not graded"))
        still_open = len(previous.open_actions)
        label = QLabel(
            f"Follows the audit of <b>{day_text(previous.audit_date)}</b> by "
            f"{previous.auditor} ({grade}): its answers are shown beside each question"
            + (f"; {still_open} of its actions still open (see Actions)." if still_open
               else "."))
        label.setWordWrap(True)
        label.setAccessibleName("The previous audit of this case")
        return label

    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey = "") -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(standard_shortcuts(shortcut))
        elif shortcut:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _build_actions(self) -> None:
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(standard_shortcuts(QKeySequence.StandardKey.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(standard_shortcuts(QKeySequence.StandardKey.Redo))
        self.previous_action = self._action("&Previous section", "Ctrl+PgUp")
        self.next_action = self._action("&Next section", "Ctrl+PgDown")
        self.submit_action = self._action("Check and &submit…", "Ctrl+Shift+S")
        # Every key of the platform (Ctrl+F4 and Ctrl+W on Windows), and Ctrl+W everywhere.
        self.close_action = self._action("&Close", QKeySequence.StandardKey.Close)
        self.feedback_action = self._action("Export &feedback PDF…")
        self.reload_action = self._action("&Reload (keeping unsaved changes)",
                                          QKeySequence.StandardKey.Refresh)
        self.close_audit_action = self._action("Close &audit…")
        toolbar = QToolBar("Audit")
        toolbar.setObjectName("auditToolbar")
        self.addToolBar(toolbar)
        for action in (self.undo_action, self.redo_action, self.previous_action,
                       self.next_action, self.submit_action):
            toolbar.addAction(action)
        self.addAction(self.close_action)
        # Au&dit: Alt+A belongs to the Actions page's "Add action".
        self.audit_menu = self.menuBar().addMenu("Au&dit")
        for action in (self.undo_action, self.redo_action, self.previous_action,
                       self.next_action, self.submit_action, self.feedback_action,
                       self.reload_action, self.close_audit_action, self.close_action):
            self.audit_menu.addAction(action)

    def _connect(self) -> None:
        self.navigator.page_chosen.connect(self._on_navigate)
        self.navigator.enter_pressed.connect(self._focus_page)
        self.navigator.answer_key_pressed.connect(self._answer_key_in_navigator)
        self.previous_action.triggered.connect(lambda: self._step_page(-1))
        self.next_action.triggered.connect(lambda: self._step_page(1))
        self.submit_action.triggered.connect(self.check_and_submit)
        self.close_action.triggered.connect(self.close)
        self.feedback_action.triggered.connect(self._request_feedback)
        self.reload_action.triggered.connect(self.reload_from_database)
        self.close_audit_action.triggered.connect(self._confirm_close_audit)
        self.problems_dock.problem_chosen.connect(self._go_to_problem)
        self.autosaver.saved.connect(self._on_saved)
        self.autosaver.save_failed.connect(self._on_save_failed)
        self.autosaver.saving.connect(lambda: self.save_label.setText("Saving…"))
        self.autosaver.conflicted.connect(self._on_conflict)

    # --- pages -------------------------------------------------------------------------------

    def page(self, key: PageKey) -> EditorPage:
        """The page for a section id, OVERALL_PAGE, ACTIONS_PAGE or HISTORY_PAGE, built on
        first use."""
        if key not in self.pages:
            self.pages[key] = self._make_page(key)
            self.stack.addWidget(self.pages[key])
        return self.pages[key]

    def _page_of(self, key: PageKey, kind: type[PageT]) -> PageT:
        page = self.page(key)
        assert isinstance(page, kind), (key, page)
        return page

    def _make_page(self, key: PageKey) -> EditorPage:
        page: EditorPage
        if isinstance(key, int):
            page = self._make_section_page(key)
        elif key == OVERALL_PAGE:
            page = self._make_overall_page()
        elif key == ACTIONS_PAGE:
            page = ActionsPage()
            page.show_actions(list(self.document.actions))
            if self.previous is not None:
                page.show_previous(list(self.previous.open_actions),
                                   day_text(self.previous.audit_date))
            page.add_requested.connect(self._add_action)
            page.edit_requested.connect(self._edit_action)
            page.remove_requested.connect(self._remove_action)
        elif key == HISTORY_PAGE:
            page = HistoryPage(self.db, self.document.id, self.actor)
        else:
            raise KeyError(key)
        page.set_read_only(not self.can_edit)
        return page

    def _make_section_page(self, section_id: int) -> SectionPage:
        section = self.template.section(section_id)
        page = SectionPage(section)
        for card in page.cards:
            card.set_evidence(self.evidence.get(card.question.id, ""))
            card.set_response(self.responses.get(card.question.id))
        if self.previous is not None:
            when = day_text(self.previous.audit_date)
            for card in page.cards:
                card.show_previous(self.previous.answers.get(card.question.key), when)
            if section.key in self.previous.section_grades:
                page.show_previous_grade(self.previous.section_grades[section.key], when)
        page.show_suggestion(self.section_suggestions.get(section_id))
        page.grade.set_grade(self.section_grades.get(section_id))
        page.set_comment(self.document.judgements[section_id].comment)
        page.response_requested.connect(self.request_response)
        page.evidence_edited.connect(self._record_evidence)
        page.grade_requested.connect(self.request_section_grade)
        page.comment_edited.connect(self._record_section_comment)
        page.action_requested.connect(self.add_action_for)
        return page

    def _make_overall_page(self) -> OverallPage:
        page = OverallPage()
        page.show_suggestion(self.overall_suggestion)
        page.grade.set_grade(self.overall_grade)
        page.set_texts(self.document.grade_rationale,
                       {field: getattr(self.document, field) for field in page.narrative})
        page.grade_requested.connect(self.request_overall_grade)
        page.rationale_edited.connect(self._record_rationale)
        page.narrative_edited.connect(self._record_narrative)
        return page

    def show_page(self, key: PageKey) -> EditorPage:
        """Show a page and select it in the navigator."""
        self.navigator.select(key)
        return self.page(key)

    def _on_navigate(self, key: PageKey) -> None:
        page = self.page(key)
        if isinstance(page, HistoryPage):
            self.autosaver.flush()
            page.reload()
        self.stack.setCurrentWidget(page)
        if isinstance(page, SectionPage) and page.cards:
            page.scroll_area.verticalScrollBar().setValue(0)

    def _step_page(self, step: int) -> None:
        if self.navigator.step(step):
            self._focus_page()

    def _focus_page(self) -> None:
        """Put the keyboard on the page on show, where its work starts."""
        page = self.stack.currentWidget()
        if isinstance(page, EditorPage):
            page.focus_first()

    def _start_where_work_is(self) -> None:
        """Open on the section of the first unanswered question, with the keyboard on it."""
        first = next((s.id for s in self.template.sections if self.document.applies(s.id)
                      and any(self.responses.get(q.id) is None for q in s.questions)), None)
        if first is None:
            self.navigator.select_first()
        else:
            self.navigator.select(first)
        self._focus_page()

    def _answer_key_in_navigator(self, key: str) -> None:
        """A digit in the section list answers nothing: say where answers go."""
        self.statusBar().showMessage(
            f"{key} answers a question: press Enter or Tab to go to this section's "
            "questions first.", 8000)

    def _section_pages(self) -> list[SectionPage]:
        return [p for p in self.pages.values() if isinstance(p, SectionPage)]

    def _card_for(self, question_id: int, build: bool = True) -> QuestionCard | None:
        section_id = self.template.section_of(question_id).id
        page = self.page(section_id) if build else self.pages.get(section_id)
        return page.card(question_id) if isinstance(page, SectionPage) else None

    # --- requests from the pages (become undoable commands) ----------------------------------

    def request_response(self, question_id: int, code: str | None) -> None:
        """The user chose an answer: record it as an undoable change."""
        old = self.responses.get(question_id)
        if old == code or not self.can_edit:
            card = self._card_for(question_id, build=False)
            if card:
                card.set_response(old)  # undo the radio button's own toggle
            return
        key = self.template.question(question_id).key
        self.undo_stack.push(SetValueCommand(
            f"answer to {key}", lambda value: self._apply_response(question_id, value),
            old, code))

    def request_section_grade(self, section_id: int, grade: int | None) -> None:
        """The user graded a section: record it as an undoable change."""
        old = self.section_grades.get(section_id)
        if old == grade:
            page = self.pages.get(section_id)
            if isinstance(page, SectionPage):
                page.grade.set_grade(old)
            return
        key = self.template.section(section_id).key
        self.undo_stack.push(SetValueCommand(
            f"grade of section {key}", lambda value: self._apply_section_grade(section_id, value),
            old, grade))

    def request_overall_grade(self, grade: int | None) -> None:
        """The user gave the overall grade: record it as an undoable change."""
        if grade == self.overall_grade:
            return
        self.undo_stack.push(SetValueCommand("overall grade", self._apply_overall_grade,
                                             self.overall_grade, grade))

    # --- applying changes (from commands, so also on undo and redo) --------------------------

    def _apply_response(self, question_id: int, code: str | None) -> None:
        self.responses[question_id] = code
        card = self._card_for(question_id)
        if card is not None:
            card.set_response(code)
        self.autosaver.set_answer(question_id, code, self.evidence.get(question_id, ""))
        self._rescore()

    def _apply_section_grade(self, section_id: int, grade: int | None) -> None:
        self.section_grades[section_id] = grade
        page = self._page_of(section_id, SectionPage)
        page.grade.set_grade(grade)
        self.autosaver.set_judgement(section_id, grade, page.comment.toPlainText())
        self._rescore()

    def _rescore(self) -> None:
        """Work out the suggestions from what is on screen, at once, by the domain's grading
        rule (the save works them out again from the same answers and grades)."""
        scored = score_audit(self.template, self.document.uasc, self.responses,
                             self.section_grades)
        self.section_suggestions = {
            sid: int(s.grade) if s.grade is not None else None
            for sid, s in scored.sections.items()}
        self.overall_suggestion = int(scored.overall) if scored.overall is not None else None
        for page in self._section_pages():
            page.show_suggestion(self.section_suggestions.get(page.section.id))
        overall = self.pages.get(OVERALL_PAGE)
        if isinstance(overall, OverallPage):
            overall.show_suggestion(self.overall_suggestion)
        self._refresh_navigator()

    def _apply_overall_grade(self, grade: int | None) -> None:
        self.overall_grade = grade
        page = self._page_of(OVERALL_PAGE, OverallPage)
        page.grade.set_grade(grade)
        self.autosaver.set_overall(grade, page.rationale.toPlainText())
        self._refresh_navigator()

    # --- typing (text boxes keep their own undo) ---------------------------------------------

    def _record_evidence(self, question_id: int, text: str) -> None:
        self.evidence[question_id] = text
        self.autosaver.set_answer(question_id, self.responses.get(question_id), text)

    def _record_section_comment(self, section_id: int, text: str) -> None:
        self.autosaver.set_judgement(section_id, self.section_grades.get(section_id), text)

    def _record_rationale(self, text: str) -> None:
        self.autosaver.set_overall(self.overall_grade, text)

    def _record_narrative(self, field: str, text: str) -> None:
        self.autosaver.set_narrative(field, text)

    # --- saving ------------------------------------------------------------------------------

    def _on_saved(self, _result: SavedGrades) -> None:
        saved = self.autosaver.last_saved
        self.save_label.setText(f"Saved at {saved:%H:%M:%S}" if saved else "Saved")
        self.save_label.setStyleSheet("")
        self.audit_changed.emit(self.document.id)

    def _on_save_failed(self, message: str) -> None:
        self.save_label.setText("Not saved yet – retrying")
        self.save_label.setStyleSheet(ERROR_STYLE)
        self.statusBar().showMessage(f"Could not save: {message}", 10000)

    def _on_conflict(self, message: str) -> None:
        self.save_label.setText("Not saved: changed elsewhere")
        self.save_label.setStyleSheet(ERROR_STYLE)
        if alerts.ask(self, "Saved by someone else", f"{message}\n\nReload the audit now? You "
                      "will see what they saved, with your unsaved changes on top, saved "
                      "again straight away.", yes="Reload", no="Not now"):
            self.reload_from_database()
            return
        self.banner.setText("Someone else saved this audit, so your changes since are not "
                            "saved yet. Reload (F5) to see theirs, with yours saved on top.")
        self.banner.show()

    def reload_from_database(self) -> None:
        """Show the audit as saved now, with this user's unsaved changes on top, and save
        those changes again on top of it."""
        shown = self.navigator.current_key()
        document = load_audit(self.db, self.document.id, self.actor, self.template)
        self._take_state(with_changes(document, self.autosaver.unsaved))
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        self.undo_stack.clear()
        self._rescore()
        self._show_read_only_state()
        self.show_page(shown if shown is not None else OVERALL_PAGE)
        self.autosaver.rebase(document.revision)
        self.statusBar().showMessage("Reloaded: your changes are being saved on top.", 8000)

    def _refresh_navigator(self) -> None:
        self.navigator.show_overall(self.overall_grade, self.overall_suggestion)
        for section_id in self.navigator.section_ids():
            questions = self.template.section(section_id).questions
            answered = sum(self.responses.get(q.id) is not None for q in questions)
            self.navigator.show_section(section_id, answered, len(questions),
                                        self.section_grades.get(section_id),
                                        self.section_suggestions.get(section_id))

    # --- actions -----------------------------------------------------------------------------

    def _add_action(self) -> None:
        self._open_action_dialog(None, lambda value: add_action(
            self.db, self.document.id, value, self.actor))

    def add_action_for(self, question_id: int) -> None:
        """Raise an action tied to a question (A on its card, or its Action button)."""
        if not self.can_edit:
            return
        self._open_action_dialog(None, lambda value: add_action(
            self.db, self.document.id, value, self.actor), question_id)

    def _edit_action(self) -> None:
        action_id = self._page_of(ACTIONS_PAGE, ActionsPage).selected_id()
        if action_id is None or not self.can_edit:
            return
        current = next(a for a in self.document.actions if a.id == action_id)
        self._open_action_dialog(current, lambda value: update_action(
            self.db, action_id, value, self.actor))

    def _open_action_dialog(self, action: ActionInfo | None, save: SaveAction,
                            question_id: int | None = None) -> ActionDialog:
        """Ask for an action; OK saves it, and a refusal keeps the dialog open to put right.
        When it closes the keyboard goes back where it was."""

        def save_and_list(value: ActionInput) -> None:
            self._change_actions(lambda: save(value))

        came_from = self.focusWidget()
        dialog = ActionDialog(self.template, action, save=save_and_list,
                              question_id=question_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        if came_from is not None:
            dialog.finished.connect(lambda _code: self._focus_again(came_from))
        dialog.show()
        return dialog

    def _focus_again(self, widget: QWidget) -> None:
        self.activateWindow()
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_action(self) -> None:
        action_id = self._page_of(ACTIONS_PAGE, ActionsPage).selected_id()
        if action_id is None:
            return
        if not alerts.ask(self, "Remove action", "Remove the selected action?", yes="Remove"):
            return
        try:
            self._change_actions(lambda: delete_action(self.db, action_id, self.actor))
        except UserError as exc:
            alerts.warn(self, "Action not saved", str(exc))

    def _change_actions(self, change: Callable[[], object]) -> None:
        """Save a change to the actions, then list them again; a UserError leaves them."""
        self.autosaver.flush()  # answers first, so the action's revision follows theirs
        change()
        self.document = load_audit(self.db, self.document.id, self.actor, self.template)
        if not self.autosaver.conflict:  # our own change: later saves build on it
            self.autosaver.revision = self.document.revision
        self._page_of(ACTIONS_PAGE, ActionsPage).show_actions(list(self.document.actions))
        self.statusBar().showMessage(f"Actions saved: {len(self.document.actions)} in this "
                                     "audit.", 8000)
        self.audit_changed.emit(self.document.id)

    # --- submitting --------------------------------------------------------------------------

    def check_and_submit(self) -> None:
        """Save, check the audit, then list its problems or submit it."""
        if not self.can_edit or not allowed(self.actor, Permission.SUBMIT,
                                            owner_id=self.document.auditor_id):
            return
        if not self.autosaver.flush():
            alerts.warn(self, "Not saved", f"The audit could not be saved: "
                        f"{self.autosaver.last_error}\nNothing has been submitted.")
            return
        self.document = load_audit(self.db, self.document.id, self.actor, self.template)
        problems = submission_problems(self.document)
        if problems:
            self._show_problems(problems)
            return
        self.problems_dock.hide()
        if alerts.ask(self, "Submit audit",
                      "Submit this audit? You will not be able to change it afterwards.",
                      yes="Submit"):
            self._submit()

    def _submit(self) -> None:
        try:
            submit_audit(self.db, self.document.id, self.actor, self.document.revision)
        except UserError as exc:
            alerts.warn(self, "Not submitted", str(exc))
            return
        self.document = load_audit(self.db, self.document.id, self.actor, self.template)
        self._show_read_only_state()
        self.statusBar().showMessage("Submitted.", 8000)
        self.audit_changed.emit(self.document.id)

    def _confirm_close_audit(self) -> None:
        """Close a submitted or moderated audit (practice leads), after asking."""
        if not alerts.ask(self, "Close audit", "Close this audit? Nobody can change it then; "
                          "a practice lead can reopen it, which is recorded in its history.",
                          yes="Close audit"):
            return
        try:
            close_audit(self.db, self.document.id, self.actor)
        except UserError as exc:
            alerts.warn(self, "Not closed", str(exc))
            return
        self.document = load_audit(self.db, self.document.id, self.actor, self.template)
        self._show_read_only_state()
        self.statusBar().showMessage("Closed.", 8000)
        self.audit_changed.emit(self.document.id)

    def _show_problems(self, problems: list[SubmissionProblem]) -> None:
        self.problems_dock.list_problems(problems, self.template)
        self.resizeDocks([self.problems_dock], [self.height() // 4], Qt.Orientation.Vertical)
        self.problems_dock.focus_first()

    def _go_to_problem(self, problem: SubmissionProblem) -> None:
        if problem.field == "overall":
            page = self._show(OVERALL_PAGE, OverallPage)
            (page.grade if page.grade.grade() is None else page.rationale).setFocus()
        elif problem.field == "action":
            self._show(ACTIONS_PAGE, ActionsPage).select_action(problem.action_id)
        elif problem.section_id is not None:
            self._go_to_section_problem(problem, problem.section_id)

    def _go_to_section_problem(self, problem: SubmissionProblem, section_id: int) -> None:
        page = self._show(section_id, SectionPage)
        card = page.card(problem.question_id) if problem.question_id else None
        if card is None:
            page.scroll_area.ensureWidgetVisible(page.grade)
            page.grade.setFocus()
        elif problem.field == "evidence":
            page.scroll_area.ensureWidgetVisible(card)
            card.evidence.setFocus()
        else:
            card.setFocus()

    def _show(self, key: PageKey, kind: type[PageT]) -> PageT:
        self.navigator.select(key)
        return self._page_of(key, kind)

    def _request_feedback(self) -> None:
        self.autosaver.flush()
        self.export_requested.emit(self.document.id)

    def go_to_question(self, question_id: int) -> None:
        """Show a question's section and focus the question."""
        try:
            section = self.template.section_of(question_id)
        except KeyError:
            return
        if not self.document.applies(section.id):
            return
        page = self._show(section.id, SectionPage)
        card = page.card(question_id)
        if card is not None:
            page.scroll_area.ensureWidgetVisible(card)
            card.setFocus()

    def _show_read_only_state(self) -> None:
        read_only = not self.can_edit
        for page in self.pages.values():
            page.set_read_only(read_only)
        self.submit_action.setEnabled(
            not read_only and allowed(self.actor, Permission.SUBMIT,
                                             owner_id=self.document.auditor_id))
        self.close_audit_action.setEnabled(allowed(self.actor, Permission.CLOSE)
                                           and can_be_closed(self.document.status))
        self.undo_stack.clear()
        if read_only:
            self.banner.setText(f"This audit {self._read_only_reason()} and is read-only to you.")
            self.banner.show()
        elif self.document.returned_comment:
            self.banner.setText("Returned for rework by the moderator: "
                                f"{self.document.returned_comment}")
            self.banner.show()
        else:
            self.banner.hide()

    def _read_only_reason(self) -> str:
        if self.document.editable:
            return f"is {self.document.auditor}'s draft"
        when = self.document.submitted_at
        return f"is {self.document.status}" + (f" (submitted {day_text(when)})" if when else "")

    # --- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.autosaver.flush() and not alerts.ask(
                self, "Changes not saved",
                f"The latest changes could not be saved: {self.autosaver.last_error}\n\n"
                "Close anyway and lose them?", yes="Close and lose them", no="Keep open"):
            event.ignore()
            return
        self.closed.emit(self.document.id)
        event.accept()
