"""My work: the home view of the main window, for the profile signed in.

Four groups from :func:`auditapp.services.my_work.my_work`: my drafts, audits returned to
me for rework, audits waiting for my moderation, and my open actions. The model is a thin
tree over those plain rows; Enter (or a double-click) on a row opens what it is about.

Each group shows its first screenful (:data:`~auditapp.services.my_work.SCREENFUL` rows)
and says how many it holds; a longer group ends in a "Show all N" row, which reads My
work again in the background with that group whole (and keeps it whole while the window
is open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from auditapp.rules.permissions import Actor, Permission, allowed
from auditapp.rules.wording import day_text
from auditapp.services.my_work import (
    ActionItem,
    DraftItem,
    Group,
    ModerationItem,
    MyWork,
    ReturnedItem,
    my_work,
)
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.keys import EnterOpens
from auditapp.ui.widgets.workers import start_job

if TYPE_CHECKING:
    from auditapp.storage.engine import Database

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ShowAll:
    """The last row of a group cut at a screenful: Enter reads the rest of the group."""

    group: Group
    total: int


Item = DraftItem | ReturnedItem | ActionItem | ModerationItem | ShowAll
HEADERS = ("Case", "About", "What", "Audit date", "Due")
#: Typical content of the columns of fixed width, to size them by (see _size_columns); the
#: first is also wide enough for a group's title.
COLUMN_SAMPLES = ("Waiting for my moderation (0000)", "", "", "30 Sep 2026",
                  "30 Sep 2026, overdue")
#: A row's internal id: 0 for a group's title, else its group's row plus one.
GROUP_ROW = 0
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2
SOMETHING_WAITING = ("what is waiting for you. Enter (or a double-click) opens the row; "
                     "Ctrl+2 lists every audit.")
NOTHING_WAITING = ("nothing is waiting for you. Start an audit with <b>New audit</b> "
                   "(Ctrl+N), find one in <b>All audits</b> (Ctrl+2), or bring in a sample of "
                   "cases with <b>File › Import cases</b> (Ctrl+I).")


@dataclass(frozen=True)
class _Group:
    title: str
    empty: str
    items: tuple[Item, ...]  # the rows read, then a ShowAll row when there are more
    total: int


#: Each group's title and what it says when empty, in the order shown: open actions last,
#: as theirs is the list that can run past the screen, so every other group's title is
#: seen on opening.
GROUPS = ((Group.DRAFTS, "My drafts", "no drafts"),
          (Group.RETURNED, "Returned to me for rework", "nothing returned"),
          (Group.MODERATION, "Waiting for my moderation", "nothing waiting"),
          (Group.ACTIONS, "My open actions", "no open actions"))


def _group(work: MyWork, group: Group, title: str, empty: str) -> _Group:
    items: tuple[Item, ...] = work.listed(group)
    total = work.total(group)
    if total > len(items):
        items += (ShowAll(group, total),)
    return _Group(title, empty, items, total)


def _groups(work: MyWork, moderates: bool) -> list[_Group]:
    return [_group(work, group, title, empty) for group, title, empty in GROUPS
            if moderates or group is not Group.MODERATION]


def _day(value: date | None) -> str:
    return day_text(value) if value else ""


def _cells(item: Item, today: date) -> tuple[str, str, str, str, str]:
    """What a row shows, column by column (see HEADERS)."""
    if isinstance(item, ShowAll):
        return (f"Show all {item.total:,} (Enter)", "", "", "", "")
    if isinstance(item, DraftItem):
        return (item.case_reference, item.template_title,
                f"{item.answered} of {item.applicable} answered", _day(item.audit_date),
                _day(item.due_date))
    if isinstance(item, ReturnedItem):
        by = f"Returned by {item.returned_by}" if item.returned_by else "Returned"
        when = f" on {day_text(item.returned_at)}" if item.returned_at else ""
        return (item.case_reference, item.template_title, f"{by}{when}: {item.comment}",
                _day(item.audit_date), "")
    if isinstance(item, ActionItem):
        question = f"Question {item.question_key}" if item.question_key else "Whole audit"
        owner = f" ({item.owner}, {item.priority})" if item.owner else f" ({item.priority})"
        due = _day(item.due_date) or "no due date"
        return (item.case_reference, question, item.text + owner, "",
                f"{due}, overdue" if item.overdue else due)
    stage = "your grades recorded" if item.started else "not started"
    sampled = "sampled · " if item.sampled else ""
    return (item.case_reference, item.template_title,
            f"{sampled}audited by {item.auditor} · {stage}", _day(item.audit_date), "")


class MyWorkModel(QAbstractItemModel):
    """Groups, each with its rows; a group's title says how many it holds."""

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.today = today or date.today()
        self._groups: list[_Group] = []

    def set_work(self, work: MyWork, moderates: bool) -> None:
        """Show what the service returned."""
        self.beginResetModel()
        self._groups = _groups(work, moderates)
        self.endResetModel()

    def item(self, index: Index) -> Item | None:
        """The plain row behind an index (None for a group's title)."""
        if not index.isValid() or index.internalId() == GROUP_ROW:
            return None
        return self._groups[index.internalId() - 1].items[index.row()]

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else GROUP_ROW)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == GROUP_ROW:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, GROUP_ROW)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == GROUP_ROW and parent.column() == 0:
            return len(self._groups[parent.row()].items)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.item(index)
        if item is None:
            return self._group_data(self._groups[index.row()], index.column(), role)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _cells(item, self.today)[index.column()]
        if role == ITEM_ROLE:
            return item
        return None

    @staticmethod
    def _group_data(group: _Group, column: int, role: int) -> Any:
        if column == 0 and role == Qt.ItemDataRole.FontRole:
            bold = QFont()
            bold.setBold(True)
            return bold
        if column != 0 or role not in (Qt.ItemDataRole.DisplayRole,
                                       Qt.ItemDataRole.AccessibleTextRole):
            return None
        count = group.total
        return f"{group.title} ({count:,})" if count else f"{group.title}: {group.empty}"


class MyWorkView(QWidget):
    """My work, read in the background; Enter or a double-click opens a row.

    Built without a database (``db`` None), it shows what :meth:`show_work` is given until
    :meth:`attach` gives it one: the window's first screen is read before the database is
    fully open (:mod:`auditapp.ui.shell.start`)."""

    loaded = Signal()
    open_audit_requested = Signal(int, object)  # audit id, question id or None
    moderate_requested = Signal(int)  # audit id

    def __init__(self, db: Database | None, actor: Actor, parent: QWidget | None = None,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.model = MyWorkModel(today)
        self.whole: set[Group] = set()  # the groups "Show all" was chosen for
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(f"My work, {actor.name}")
        self.tree.viewport().setObjectName("my work rows")  # what start-up paints first
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAlternatingRowColors(True)
        self.tree.setItemsExpandable(False)
        self._size_columns()
        EnterOpens(self.tree).chosen.connect(self._open)
        self.tree.doubleClicked.connect(self._open)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName("About My work")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        self.setFocusProxy(self.tree)

    def _size_columns(self) -> None:
        """Widths from typical content in the current font: fitting the columns to their
        contents measures every row, which grows with the work listed (thousands of open
        actions in a large database) and held up the window's first paint."""
        metrics = self.tree.fontMetrics()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, sample in enumerate(COLUMN_SAMPLES):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 28)
        for column in (1, 2):  # the template's title and the action's words share the room
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    def attach(self, db: Database) -> None:
        """Read My work from ``db`` from now on."""
        self.db = db

    def show_work(self, work: MyWork) -> None:
        """Show ``work``, read elsewhere (the first screen)."""
        self._show(work)

    def reload(self, then: Callable[[], None] | None = None) -> None:
        """Read my work again in the background; ``then`` is called once it is shown (or
        the read failed). Before :meth:`attach` there is nothing to read from."""
        db = self.db
        if db is None:
            return
        def finished(work: MyWork) -> None:
            self._show(work)
            if then is not None:
                then()

        def failed(message: str) -> None:
            alerts.warn(self, "My work not loaded", message)
            if then is not None:
                then()

        whole = frozenset(self.whole)
        start_job(self, lambda: my_work(db, self.actor, self.model.today, whole=whole),
                  on_finished=finished, on_failed=failed)

    def _show(self, work: MyWork) -> None:
        at = self.tree.currentIndex()
        current, place = self.model.item(at), (at.parent().row(), at.row())
        self.model.set_work(work, allowed(self.actor, Permission.MODERATE))
        nothing = not (work.drafts or work.returned or work.actions or work.moderation)
        self.intro.setText(f"<b>{self.actor.name}</b>: "
                           + (NOTHING_WAITING if nothing else SOMETHING_WAITING))
        root = QModelIndex()
        for group in range(self.model.rowCount()):  # expandAll asks every row for children
            self.tree.setFirstColumnSpanned(group, root, True)  # a heading is never cut
            parent = self.model.index(group, 0)
            self.tree.expand(parent)
            last = self.model.rowCount(parent) - 1
            if last >= 0 and isinstance(self.model.item(self.model.index(last, 0, parent)),
                                        ShowAll):
                self.tree.setFirstColumnSpanned(last, parent, True)
        found = self._index_of(current)
        if found is None and isinstance(current, ShowAll):  # on the first row it showed
            found = self.model.index(place[1], 0, self.model.index(place[0], 0))
        self.tree.setCurrentIndex(found if found and found.isValid() else self._first_row())
        self.loaded.emit()

    def _first_row(self) -> QModelIndex:
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            if self.model.rowCount(parent):
                return self.model.index(0, 0, parent)
        return self.model.index(0, 0)

    def _index_of(self, item: Item | None) -> QModelIndex | None:
        if item is None:
            return None
        for group in range(self.model.rowCount()):
            parent = self.model.index(group, 0)
            for row in range(self.model.rowCount(parent)):
                index = self.model.index(row, 0, parent)
                if self.model.item(index) == item:
                    return index
        return None

    def _open(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if isinstance(item, ShowAll):
            self.whole.add(item.group)
            self.reload()
        elif isinstance(item, ModerationItem):
            self.moderate_requested.emit(item.audit_id)
        elif isinstance(item, ActionItem):
            self.open_audit_requested.emit(item.audit_id, item.question_id)
        elif item is not None:
            self.open_audit_requested.emit(item.audit_id, None)
