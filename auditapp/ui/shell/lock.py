"""Locking the app after a spell without keyboard or mouse input.

Install one :class:`IdleWatcher` on the application; connect its ``idle`` signal to a slot
that hides the work and asks for the passphrase again (:func:`auditapp.ui.dialogs.passphrase.
ask_to_unlock`). The idle time is the database setting
:func:`auditapp.services.settings.idle_lock_minutes`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

#: Events that mean somebody is at the keyboard or mouse.
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                      QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin,
                      QEvent.Type.TabletPress})


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``timeout_ms`` without input anywhere in the application."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self.idle)
        app = QApplication.instance()
        assert app is not None, "create the QApplication first"
        app.installEventFilter(self)
        self._timer.start()

    @classmethod
    def from_minutes(cls, minutes: int, parent: QObject | None = None) -> IdleWatcher:
        """A watcher for the idle-lock setting, which is in minutes."""
        return cls(minutes * 60_000, parent)

    def set_timeout_ms(self, timeout_ms: int) -> None:
        """Change the idle time (when the setting changes) and start counting again."""
        self._timer.setInterval(timeout_ms)
        self._timer.start()

    def pause(self) -> None:
        """Stop counting (while the app is locked)."""
        self._timer.stop()

    def resume(self) -> None:
        """Start counting again (after unlocking)."""
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Restart the count on any input; never consumes the event."""
        if event.type() in ACTIVITY and self._timer.isActive():
            self._timer.start()
        return super().eventFilter(watched, event)
