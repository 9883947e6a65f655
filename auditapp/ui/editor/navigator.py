"""The editor's navigator: the sections that apply, each with its whole title, answered/total
and its grade, then the overall judgement, the actions and the history.

Each row is keyed by the page it shows: a section's id, or one of the page names below.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
)

from auditapp.rules.grades import Grade, grade_label
from auditapp.services.templates import SectionInfo
from auditapp.ui.widgets.style import grade_colour, grade_text_colour

OVERALL_PAGE = "overall"
ACTIONS_PAGE = "actions"
HISTORY_PAGE = "history"
#: What a page is known by: a section's id, or OVERALL_PAGE, ACTIONS_PAGE or HISTORY_PAGE.
PageKey = int | str
PAGES_AFTER_SECTIONS = ((OVERALL_PAGE, "Overall judgement"), (ACTIONS_PAGE, "Actions"),
                        (HISTORY_PAGE, "History"))
KEY_ROLE = Qt.ItemDataRole.UserRole
DONE_COLUMN, GRADE_COLUMN = 1, 2


class _WrappedTitles(QStyledItemDelegate):
    """Rows as tall as their title needs, wrapped at the title column's width (Qt's own
    delegate sizes a tree's rows before it knows the column's width)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self._tree = tree

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() != 0:
            return size
        # The style draws an item's text inside its focus frame's margin, plus one pixel.
        margin = self._tree.style().pixelMetric(
            QStyle.PixelMetric.PM_FocusFrameHMargin, None, self._tree) + 1
        width = max(self._tree.columnWidth(0) - 2 * margin, 20)
        needed = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), str(index.data()))
        return QSize(size.width(), max(size.height(), needed.height() + 2 * margin))


class SectionNavigator(QTreeWidget):
    """Sections and pages, one row each: title (whole, wrapped), answered/total, grade."""

    page_chosen = Signal(object)  # the PageKey of the row made current
    enter_pressed = Signal()  # go into the page
    answer_key_pressed = Signal(str)  # a digit pressed here, where it answers nothing

    def __init__(self, sections: Iterable[SectionInfo]) -> None:
        super().__init__()
        self.setHeaderLabels(["Section", "Done", "Grade"])
        self.setRootIsDecorated(False)
        self.setAccessibleName("Sections")
        self.setWordWrap(True)  # whole titles, on two lines where they need them
        self.setUniformRowHeights(False)
        self.setItemDelegate(_WrappedTitles(self))
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setStretchLastSection(False)
        for column in (DONE_COLUMN, GRADE_COLUMN):
            self.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self._items: dict[PageKey, QTreeWidgetItem] = {}
        for section in sections:
            item = self._add(section.id, f"{section.key} {section.title}")
            item.setToolTip(0, section.title)
        for key, title in PAGES_AFTER_SECTIONS:
            self._add(key, title)
        self.currentItemChanged.connect(self._on_current_changed)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.enter_pressed.emit()
        elif event.text().isdigit() and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.answer_key_pressed.emit(event.text())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.doItemsLayout()  # wrapped titles take new heights

    def _add(self, key: PageKey, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title, "", ""])
        item.setData(0, KEY_ROLE, key)
        self.addTopLevelItem(item)
        self._items[key] = item
        return item

    def _on_current_changed(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.page_chosen.emit(item.data(0, KEY_ROLE))

    # --- moving -----------------------------------------------------------------------------

    def current_key(self) -> PageKey | None:
        """The key of the current row."""
        item = self.currentItem()
        return None if item is None else item.data(0, KEY_ROLE)

    def select(self, key: PageKey) -> None:
        """Make a page's row current (nothing happens for a page not listed)."""
        item = self._items.get(key)
        if item is not None:
            self.setCurrentItem(item)

    def select_first(self) -> None:
        """Make the first row current (the first section)."""
        self.setCurrentItem(next(iter(self._items.values())))

    def step(self, step: int) -> bool:
        """Move ``step`` rows down (up if negative); False at either end."""
        current = self.currentItem()
        index = (-1 if current is None else self.indexOfTopLevelItem(current)) + step
        item = self.topLevelItem(index) if 0 <= index < self.topLevelItemCount() else None
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    # --- showing progress -------------------------------------------------------------------

    def section_ids(self) -> list[int]:
        """The sections listed, in order."""
        return [key for key in self._items if isinstance(key, int)]

    def show_section(self, section_id: int, answered: int, questions: int,
                     given: int | None, suggested: int | None) -> None:
        """A section's answered/total and its grade."""
        item = self._items[section_id]
        item.setText(DONE_COLUMN, f"{answered}/{questions}")
        _show_grade(item, given, suggested)

    def show_overall(self, given: int | None, suggested: int | None) -> None:
        """The overall grade."""
        _show_grade(self._items[OVERALL_PAGE], given, suggested)


def _show_grade(item: QTreeWidgetItem, given: int | None, suggested: int | None) -> None:
    """The grade given, else the suggestion in brackets, written on the grade's colour in
    the palette's text colour for it (a readable pair; see ui.widgets.style)."""
    shown = given if given is not None else suggested
    text = Grade(shown).short if shown is not None else "–"
    item.setText(GRADE_COLUMN, text if given is not None or shown is None else f"({text})")
    colour = grade_colour(shown)
    item.setBackground(GRADE_COLUMN, colour if colour is not None else QBrush())
    item.setForeground(GRADE_COLUMN, grade_text_colour(shown) if colour is not None
                       else QBrush())
    item.setTextAlignment(GRADE_COLUMN, Qt.AlignmentFlag.AlignCenter)
    item.setToolTip(GRADE_COLUMN, f"Given: {grade_label(given, 'not yet')}; suggested: "
                                  f"{grade_label(suggested, 'none yet')}")
