"""Small widgets for choosing and showing grades."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED, grade_label
from auditapp.ui.widgets.style import grade_colour, grade_text_colour


class GradeCombo(QComboBox):
    """Not graded, Outstanding, Good, Requires improvement, Inadequate (``short``: the
    grades' short forms, for a narrow table, with the words in each entry's tooltip)."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None,
                 short: bool = False) -> None:
        super().__init__(parent)
        self.addItem("–" if short else NOT_GRADED, None)
        self.setItemData(0, NOT_GRADED, Qt.ItemDataRole.ToolTipRole)
        for grade in GRADES_BEST_FIRST:
            self.addItem(grade.short if short else grade.label, int(grade))
            self.setItemData(self.count() - 1, grade.label, Qt.ItemDataRole.ToolTipRole)
        self.setAccessibleName(accessible_name)

    def grade(self) -> int | None:
        """The chosen grade, or None."""
        value = self.currentData()
        return None if value is None else int(value)

    def set_grade(self, grade: int | None) -> None:
        """Show a grade without emitting a change."""
        self.blockSignals(True)
        self.setCurrentIndex(max(self.findData(grade), 0) if grade is not None else 0)
        self.blockSignals(False)


class GradeBadge(QLabel):
    """A grade in words on its colour."""

    def __init__(self, empty: str = "none yet", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty = empty
        self.set_grade(None)

    def set_grade(self, grade: int | None) -> None:
        """Show a grade (or the empty text)."""
        colour = grade_colour(grade)
        self.setText(grade_label(grade, self._empty))
        if colour is None:
            self.setStyleSheet("padding: 2px 8px; border: 1px dashed palette(mid);"
                               "border-radius: 4px;")
        else:
            self.setStyleSheet(f"padding: 2px 8px; border-radius: 4px; "
                               f"color: {grade_text_colour(grade).name()}; "
                               f"background: {colour.name()}; font-weight: bold;")
