"""Keyboard shortcuts that hold under every key scheme, and fields that let them through.

Qt takes the keys of each standard command (Close, Quit, Find...) from the key scheme of the
platform, and the schemes differ: the Windows scheme (council laptops) has no key for Quit
and closes a window with Ctrl+F4 first; the macOS scheme refreshes with Cmd+R, not F5. The
app promises the same keys everywhere (the Help menu lists them), so each command answers to
the platform's own keys and, where the scheme lacks it, to the house key as well
(:func:`standard_shortcuts`).

On X11 a line edit takes some keys for itself (Ctrl+E moves to the end of the line, Ctrl+D
deletes a character); :func:`let_shortcuts_through` gives such keys back to the window's
commands in a field where that matters (the audit list's search box has the focus at first).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QDialog, QPushButton, QWidget

StandardKey = QKeySequence.StandardKey

#: Where the platform's keys come from: Qt's bindings for the key scheme of the running
#: platform (tests put another scheme's here).
platform_bindings: Callable[[StandardKey], list[QKeySequence]] = QKeySequence.keyBindings

#: The key every standard command the app uses answers to, whatever the scheme.
HOUSE_KEYS: dict[StandardKey, str] = {
    StandardKey.New: "Ctrl+N",
    StandardKey.Close: "Ctrl+W",
    StandardKey.Quit: "Ctrl+Q",
    StandardKey.Find: "Ctrl+F",
    StandardKey.Refresh: "F5",
    StandardKey.Undo: "Ctrl+Z",
    StandardKey.Redo: "Ctrl+Shift+Z",
    StandardKey.HelpContents: "F1",
}


def standard_shortcuts(key: StandardKey) -> list[QKeySequence]:
    """The platform's keys for a standard command, then the house key if it lacks it."""
    keys = [k for k in platform_bindings(key) if not k.isEmpty()]
    house = QKeySequence(HOUSE_KEYS[key])
    return keys if house in keys else [*keys, house]


class _WindowShortcutsFirst(QObject):
    """On a field: a key that is one of its window's enabled commands goes to the command."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and isinstance(watched, QWidget)):
            pressed = QKeySequence(event.keyCombination())
            for action in watched.window().findChildren(QAction):
                if action.isEnabled() and pressed in action.shortcuts():
                    event.ignore()  # not the field's: the shortcut runs
                    return True
        return False


def let_shortcuts_through(field: QWidget) -> None:
    """Keys that are commands of the field's window run those commands, even where the
    platform's key scheme gives them to the field too."""
    field.installEventFilter(_WindowShortcutsFirst(field))


def enter_presses(dialog: QDialog, button: QPushButton) -> None:
    """Enter in ``dialog`` presses ``button``, whichever field has the focus: it is the
    default button, and no other button takes Enter for itself (in a dialog a push button
    does once it has had the focus, so a typed path and Enter would open a file picker)."""
    for other in dialog.findChildren(QPushButton):
        other.setAutoDefault(False)
    button.setDefault(True)


class EnterOpens(QObject):
    """Enter (or Return) on a list's current row emits :attr:`chosen`, on every platform
    (macOS gives item views no Enter); installed on the view it belongs to."""

    chosen = Signal(QModelIndex)

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self._view.currentIndex().isValid()):
            self.chosen.emit(self._view.currentIndex())
            return True
        return False
