"""Undoable changes: an answer or a grade, set through the window so undo and redo show it
and queue it for saving like any other change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QUndoCommand

ValueT = TypeVar("ValueT")


class SetValueCommand(QUndoCommand, Generic[ValueT]):
    """An undoable change to one answer or grade: ``apply`` shows a value and queues it for
    saving, so redo applies the new value and undo the old one."""

    def __init__(self, text: str, apply: Callable[[ValueT], None], old: ValueT,
                 new: ValueT) -> None:
        super().__init__(text)
        self.apply, self.old, self.new = apply, old, new

    def redo(self) -> None:  # noqa: D102 - Qt override
        self.apply(self.new)

    def undo(self) -> None:  # noqa: D102 - Qt override
        self.apply(self.old)
