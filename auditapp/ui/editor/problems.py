"""The problems that stop an audit being submitted, listed under the editor; clicking one
asks the window to go to it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QWidget

from auditapp.services.audits.editing import SubmissionProblem
from auditapp.services.templates import TemplateInfo

PROBLEM_ROLE = Qt.ItemDataRole.UserRole


class ProblemsDock(QDockWidget):
    """Before you can submit: one row per problem, each a link to where to put it right."""

    problem_chosen = Signal(object)  # the SubmissionProblem clicked or activated

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Before you can submit", parent)
        self.setObjectName("problemsDock")
        self.problem_list = QListWidget()
        self.problem_list.setAccessibleName("Problems to put right before submitting")
        self.problem_list.setWordWrap(True)
        self.problem_list.itemActivated.connect(self._choose)
        self.problem_list.itemClicked.connect(self._choose)
        self.setWidget(self.problem_list)

    def list_problems(self, problems: list[SubmissionProblem], template: TemplateInfo) -> None:
        """Show the problems, the first one current, and focus the list."""
        self.problem_list.clear()
        for problem in problems:
            text = _describe(problem, template)
            item = QListWidgetItem(text)
            item.setToolTip(text)
            item.setData(PROBLEM_ROLE, problem)
            self.problem_list.addItem(item)
        self.setWindowTitle(
            f"Before you can submit: {len(problems)} thing{'s' if len(problems) > 1 else ''} "
            "to put right (click one to go there)")
        self.show()

    def focus_first(self) -> None:
        """Focus the list with its first problem current, for the keyboard."""
        self.problem_list.setFocus()
        self.problem_list.setCurrentRow(0)

    def _choose(self, item: QListWidgetItem) -> None:
        self.problem_chosen.emit(item.data(PROBLEM_ROLE))


def _describe(problem: SubmissionProblem, template: TemplateInfo) -> str:
    """The problem, followed by its question's text when it is about a question."""
    if problem.question_id is None:
        return problem.message
    try:
        question = template.question(problem.question_id)
    except KeyError:
        return problem.message
    return f"{problem.message} – {question.text}"
