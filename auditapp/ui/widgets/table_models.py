"""Qt item models: thin adapters over the plain rows the services return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from auditapp.rules.grades import grade_label
from auditapp.rules.wording import day_text
from auditapp.ui.widgets.style import STATUS_LABELS, grade_colour

# The rows' classes are only named here, not imported: the services behind them load
# SQLAlchemy, and the audit list is built before it has loaded (ui/shell/start.py).
if TYPE_CHECKING:
    from auditapp.services.audits.editing import ActionInfo, AuditListRow
    from auditapp.services.audits.previous import EarlierAction

#: What the grade column says to a moderator yet to grade the audit blind.
WITHHELD = "Withheld until you grade it"

Index = QModelIndex | QPersistentModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1
RowT = TypeVar("RowT")


class RowTableModel(QAbstractTableModel, Generic[RowT]):
    """A flat table over a list of plain rows; subclasses name the columns and say what each
    cell shows in ``data``."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[RowT] = []

    def set_rows(self, rows: list[RowT]) -> None:
        """Replace every row (after a reload)."""
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row_at(self, row: int) -> RowT:
        """The plain row behind a model row."""
        return self._rows[row]

    def rows(self) -> list[RowT]:
        """Every row."""
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class AuditTableModel(RowTableModel["AuditListRow"]):
    """The audit list: one row per audit."""

    HEADERS = ("Case", "Template", "Team", "Auditor", "Audit date", "Status", "Grade",
               "Progress")

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python with a key: one pass, instead of a Qt callback per comparison."""
        self.layoutAboutToBeChanged.emit()
        ids_before = [row.id for row in self._rows]
        self._rows.sort(key=lambda r: (self._sort_key(r, column), r.id),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        position_after = {row.id: position for position, row in enumerate(self._rows)}
        moved_from = self.persistentIndexList()
        moved_to = [self.index(position_after[ids_before[i.row()]], i.column())
                    for i in moved_from]
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DecorationRole and column == 6:
            return grade_colour(row.final_grade)
        if role == Qt.ItemDataRole.ToolTipRole and column == 6:
            return self._grade_tooltip(row)
        return None

    @staticmethod
    def display(row: AuditListRow, column: int) -> str:
        """What a row shows in a column."""
        if column == 0:
            return row.case_reference + (" (UASC)" if row.uasc else "")
        if column == 1:
            return f"{row.template_title} v{row.template_version}"
        if column == 4:
            return day_text(row.audit_date)
        if column == 5:
            return STATUS_LABELS.get(row.status, row.status)
        if column == 6 and row.grades_withheld:
            return WITHHELD
        if column == 6:
            grade = grade_label(row.final_grade, "").removesuffix(" to be good")
            return f"{grade} (moderated)" if row.moderated_grade is not None else grade
        if column == 7:
            return f"{row.answered}/{row.applicable}"
        return (row.team, row.auditor)[column - 2]

    @staticmethod
    def _sort_key(row: AuditListRow, column: int) -> Any:
        if column == 4:
            return row.audit_date.toordinal()
        if column == 6:
            return row.final_grade or 0
        if column == 7:
            return row.answered / row.applicable if row.applicable else 0.0
        return AuditTableModel.display(row, column).lower()

    @staticmethod
    def _grade_tooltip(row: AuditListRow) -> str:
        if row.grades_withheld:
            return ("Moderation is blind: the auditor's grades are shown once you have "
                    "recorded your own (Work › Moderation).")
        parts = [f"Suggested: {grade_label(row.suggested_grade, 'none yet')}",
                 f"Auditor: {grade_label(row.overall_grade, 'not given')}"]
        if row.moderated_grade is not None:
            parts.append(f"Moderated: {grade_label(row.moderated_grade)}")
        return "\n".join(parts)


@dataclass
class AuditFilter:
    """What the user narrowed the audit list to. Empty values mean "any"."""

    text: str = ""
    statuses: set[str] = field(default_factory=set)
    team: str = ""
    template_key: str = ""
    grade: int | None = None  # 0 means "not graded"
    date_from: date | None = None
    date_to: date | None = None

    def accepts(self, row: AuditListRow) -> bool:
        """Whether a row passes every filter."""
        if self.statuses and row.status not in self.statuses:
            return False
        if self.team and row.team != self.team:
            return False
        if self.template_key and row.template_key != self.template_key:
            return False
        if self.grade is not None and (row.grades_withheld
                                       or (row.final_grade or 0) != self.grade):
            return False
        if self.date_from and row.audit_date < self.date_from:
            return False
        if self.date_to and row.audit_date > self.date_to:
            return False
        if self.text:
            haystack = f"{row.case_reference} {row.auditor} {row.team} {row.template_title}"
            return self.text.lower() in haystack.lower()
        return True


class AuditFilterProxy(QSortFilterProxyModel):
    """Filters the audit list without rebuilding it; sorting is left to the source model,
    which sorts ten thousand rows in one Python pass."""

    def __init__(self) -> None:
        super().__init__()
        self.criteria = AuditFilter()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Pass the view's sort request to the source model (the proxy keeps its order)."""
        self.sourceModel().sort(column, order)

    def set_criteria(self, criteria: AuditFilter) -> None:
        """Apply new filters."""
        self.beginFilterChange()
        self.criteria = criteria
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, AuditTableModel)
        return self.criteria.accepts(model.row_at(source_row))


class _ActionRowsModel(RowTableModel[RowT]):
    """Actions, one per row: the row's id under ``ID_ROLE``, and the texts ``cells`` gives."""

    def cells(self, action: RowT) -> tuple[str, ...]:
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        action = self._rows[index.row()]
        if role == ID_ROLE:
            return action.id  # type: ignore[attr-defined]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.cells(action)[index.column()]


def _due(day: date | None) -> str:
    return day_text(day) if day else "(no date)"


class ActionTableModel(_ActionRowsModel["ActionInfo"]):
    """The actions of one audit."""

    HEADERS = ("Action", "Owner", "Due", "Priority", "Status")

    def cells(self, action: ActionInfo) -> tuple[str, ...]:
        return (action.text, action.owner or "(no owner)", _due(action.due_date),
                action.priority.capitalize(), action.status.capitalize())


class EarlierActionTableModel(_ActionRowsModel["EarlierAction"]):
    """The previous audit's actions that are still open."""

    HEADERS = ("Action", "Question", "Owner", "Due", "Priority")

    def cells(self, action: EarlierAction) -> tuple[str, ...]:
        due = _due(action.due_date)
        return (action.text, action.question_key or "(whole audit)",
                action.owner or "(no owner)", f"{due}, overdue" if action.overdue else due,
                action.priority.capitalize())
