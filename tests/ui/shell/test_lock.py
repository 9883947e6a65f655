"""The idle lock's watcher, on real widgets and real key presses.

Qt's timers only fire while the event loop runs, so each test holds the loop (a plain
sleep) past the idle time and then looks: an overdue count fires at the next look, a count
that input restarted does not. Nothing depends on how fast the machine is, only on it not
stalling for a whole second between two lines of the test.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from auditapp.ui.shell.lock import IdleWatcher
from tests.builders import LONG, show_active

IDLE_MS = 1000


def _past_the_idle_time() -> None:
    time.sleep(IDLE_MS / 1000 + 0.2)  # the loop is held: the count cannot fire meanwhile


def _field(qtbot: QtBot) -> QLineEdit:
    field = QLineEdit()
    qtbot.addWidget(field)
    show_active(qtbot, field)
    return field


def test_without_input_it_fires_once(qtbot: QtBot) -> None:
    _field(qtbot)
    watcher = IdleWatcher(IDLE_MS)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    _past_the_idle_time()
    QApplication.processEvents()
    assert fired == [True]
    _past_the_idle_time()
    QApplication.processEvents()
    assert fired == [True]  # once, until unlocking resumes it


def test_a_key_press_starts_the_count_again(qtbot: QtBot) -> None:
    field = _field(qtbot)
    watcher = IdleWatcher(IDLE_MS)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    _past_the_idle_time()
    qtbot.keyClick(field, Qt.Key.Key_A)  # typed just before the overdue count is looked at
    QApplication.processEvents()
    assert not fired
    assert field.text() == "a"  # the watcher never eats the input
    with qtbot.waitSignal(watcher.idle, timeout=LONG):  # the new count runs out in turn
        pass
    assert fired == [True]


def test_a_click_starts_the_count_again(qtbot: QtBot) -> None:
    field = _field(qtbot)
    watcher = IdleWatcher(IDLE_MS)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    _past_the_idle_time()
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert not fired


def test_paused_while_locked_and_resumed_after(qtbot: QtBot) -> None:
    field = _field(qtbot)
    watcher = IdleWatcher(IDLE_MS)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.pause()
    _past_the_idle_time()
    qtbot.keyClick(field, Qt.Key.Key_A)  # typing the passphrase does not restart it
    QApplication.processEvents()
    _past_the_idle_time()
    QApplication.processEvents()
    assert not fired
    watcher.resume()
    with qtbot.waitSignal(watcher.idle, timeout=LONG):
        pass
    assert fired == [True]


def test_the_idle_time_is_the_setting_in_minutes(qtbot: QtBot) -> None:
    watcher = IdleWatcher.from_minutes(10)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    _past_the_idle_time()
    QApplication.processEvents()
    assert not fired  # ten minutes are far off
    watcher.set_timeout_ms(IDLE_MS)  # the setting changed: counting starts again
    with qtbot.waitSignal(watcher.idle, timeout=LONG):
        pass
