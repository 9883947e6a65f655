"""A job whose window closed before it ended: nobody is left to tell, so it stops quietly."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from PySide6.QtCore import QObject, QThreadPool
from pytestqt.qtbot import QtBot
from shiboken6 import delete

from auditapp.ui.widgets.workers import start_job

LONG = 20_000


def test_a_result_for_a_closed_window_is_dropped(qtbot: QtBot) -> None:
    window, release = QObject(), threading.Event()
    start_job(window, lambda: release.wait(LONG / 1000) and 42,
              on_finished=lambda _r: None)
    delete(window)  # closed, with its job's signals, while the job runs
    release.set()
    assert QThreadPool.globalInstance().waitForDone(LONG)  # and no error from the job


def test_a_generator_for_a_closed_window_is_stopped_and_cleaned_up(qtbot: QtBot) -> None:
    window, release = QObject(), threading.Event()
    cleaned: list[bool] = []

    def steps() -> Iterator[tuple[int, int]]:
        try:
            release.wait(LONG / 1000)
            for n in range(1, 1000):
                yield n, 1000
        finally:
            cleaned.append(True)

    start_job(window, steps, on_progress=lambda _d, _t: None)
    delete(window)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(LONG)
    assert cleaned == [True]
