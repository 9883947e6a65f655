"""Running long work off the UI thread.

The work itself is plain Python: a function, or a generator of ``(done, total)``
progress, that opens its own database session. A job runs it on the global
QThreadPool and reports back through signals, which Qt delivers on the UI thread.

Python's cyclic garbage collector runs in whichever thread's allocation crosses its
threshold, a job's thread too; a closed window caught in a reference cycle would then be
destroyed there, and Qt aborts when a widget dies off the UI thread. So the app turns
automatic collection off and collects on the UI thread instead (:func:`collect_on_ui_thread`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from auditapp.errors import UserError
from auditapp.ui.widgets import alerts


class JobSignals(QObject):
    """What a job tells the UI. Create it on the UI thread, parented to a widget."""

    progress = Signal(int, int)
    finished = Signal(object)  # the result (or None for a generator)
    failed = Signal(str)
    cancelled = Signal()


class Job(QRunnable):
    """Runs ``work`` on a pool thread; a generator is driven to its end unless cancelled."""

    def __init__(self, work: Callable[[], Any], signals: JobSignals) -> None:
        super().__init__()
        self._work = work
        self.signals = signals
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next progress step; a generator is then closed."""
        self.cancel_event.set()

    def run(self) -> None:  # noqa: D102 - Qt override
        try:
            result = self._work()
            if isinstance(result, Iterator):
                result = self._drive(result)
                if result is _CANCELLED:
                    self._tell("cancelled")
                    return
            self._tell("finished", result)
        except UserError as exc:
            self._tell("failed", str(exc))
        except Exception as exc:  # a bug or an OS error: report it, never kill the app
            self._tell("failed", f"{type(exc).__name__}: {exc}")

    def _tell(self, signal: str, *args: object) -> bool:
        """Emit one of the signals; False when the window they belong to has closed (and
        deleted them) before the job ended, so nobody is left to tell."""
        try:
            getattr(self.signals, signal).emit(*args)
        except RuntimeError:  # "Signal source has been deleted"
            if shiboken6.isValid(self.signals):
                raise
            return False
        return True

    def _drive(self, progress: Iterator[Any]) -> object:
        last: object = None
        for step in progress:
            if self.cancel_event.is_set():
                if isinstance(progress, Generator):
                    progress.close()  # runs its clean-up (rollback, temp files)
                return _CANCELLED
            last = step
            if isinstance(step, tuple) and len(step) == 2 and not self._tell(
                    "progress", int(step[0]), int(step[1])):
                self.cancel()  # nobody is waiting: stop, and clean up, at the next step
        return last


_CANCELLED = object()


def start_job(parent: QObject, work: Callable[[], Any], *,
              on_finished: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None,
              on_cancelled: Callable[[], None] | None = None,
              pool: QThreadPool | None = None) -> Job:
    """Start ``work`` on a pool thread with callbacks run on the UI thread."""
    signals = JobSignals(parent)
    if on_finished:
        signals.finished.connect(on_finished)
    if on_failed:
        signals.failed.connect(on_failed)
    if on_progress:
        signals.progress.connect(on_progress)
    if on_cancelled:
        signals.cancelled.connect(on_cancelled)
    job = Job(work, signals)
    (pool or QThreadPool.globalInstance()).start(job)
    return job


def start_job_with_progress(parent: QWidget, title: str, work: Callable[[], Any],
                            on_done: Callable[[Any], None], failure: str,
                            cancellable: bool = True) -> Job:
    """Start ``work`` behind a window-modal progress dialog (with Cancel unless
    ``cancellable`` is false): ``on_done`` gets its result, a failure is one warning titled
    ``failure``, and a cancel just closes the dialog."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    def finished(result: object) -> None:
        dialog.reset()
        on_done(result)

    def failed(message: str) -> None:
        dialog.reset()
        alerts.warn(parent, failure, message)

    job = start_job(parent, work, on_progress=progress, on_finished=finished,
                    on_failed=failed, on_cancelled=dialog.reset)
    dialog.canceled.connect(job.cancel)
    return job


#: How often the UI thread looks whether the garbage collector is due (milliseconds).
COLLECT_EVERY_MS = 500
COLLECTOR = "auditapp-garbage-collector"


def collect_on_ui_thread(app: QCoreApplication) -> QTimer:
    """Turn Python's automatic garbage collection off and run it on the UI thread instead,
    a generation at a time when its count is past the threshold, as the automatic one would
    (see the module's docstring). Returns the timer that does it, owned by ``app``."""
    gc.disable()
    running = app.findChild(QTimer, COLLECTOR)
    if isinstance(running, QTimer):
        return running
    timer = QTimer(app)
    timer.setObjectName(COLLECTOR)
    timer.setInterval(COLLECT_EVERY_MS)
    timer.timeout.connect(_collect_if_due)
    timer.start()
    return timer


def _collect_if_due() -> None:
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return
