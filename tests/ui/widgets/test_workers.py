"""Long work off the UI thread: results, progress, cancel, and a sound interpreter after.

Every wait is for the thing itself, with a limit (LONG) that only guards against a hang."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QThreadPool
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from auditapp.models import Audit
from auditapp.services.demo import generate_demo
from auditapp.storage.engine import Database
from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.widgets.workers import JobSignals, start_job
from tests.builders import LEAD, LONG, SUBPROCESS_LIMIT


def test_a_job_returns_its_result_on_the_ui_thread(qtbot: QtBot) -> None:
    holder = JobSignals()
    results: list[object] = []
    with qtbot.waitCallback(timeout=LONG) as done:
        start_job(holder, lambda: 6 * 7, on_finished=lambda r: (results.append(r), done()))
    assert results == [42]


def test_a_failing_job_reports_a_message(qtbot: QtBot) -> None:
    holder = JobSignals()

    def broken() -> None:
        raise ValueError("disk on fire")

    with qtbot.waitCallback(timeout=LONG) as failed:
        start_job(holder, broken, on_failed=failed)
    failed.assert_called_with("ValueError: disk on fire")


def test_progress_then_finish(qtbot: QtBot) -> None:
    holder = JobSignals()
    seen: list[tuple[int, int]] = []

    def steps() -> Iterator[tuple[int, int]]:
        for n in range(1, 4):
            yield n, 3

    with qtbot.waitCallback(timeout=LONG) as finished:
        start_job(holder, steps, on_progress=lambda d, t: seen.append((d, t)),
                  on_finished=finished)
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_job_whose_window_closed_meanwhile_ends_quietly(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    job = start_job(owner, lambda: release.wait(10))
    shiboken6.delete(owner)  # the window closes, and its job's signals go with it
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    assert not shiboken6.isValid(job.signals)


def test_cancelling_demo_data_adds_nothing(qtbot: QtBot, db: Database) -> None:
    holder = JobSignals()
    progress: list[int] = []
    with qtbot.waitCallback(timeout=LONG) as cancelled:
        job = start_job(holder, lambda: generate_demo(db, 5000, LEAD, seed=1),
                        on_progress=lambda d, _t: (progress.append(d), job.cancel()),
                        on_cancelled=cancelled)
    assert progress
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Audit)) == 0


def test_database_work_on_a_pool_thread_leaves_python_sound(tmp_path: Path) -> None:
    """PySide6 6.12.0 corrupted None's reference count here and aborted at exit."""
    script = textwrap.dedent(f"""
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from pathlib import Path
        from PySide6.QtWidgets import QApplication, QWidget
        from auditapp.storage.database import open_database
        from auditapp.services.audits.editing import list_audits
        from auditapp.services.demo import generate_demo
        from auditapp.ui.widgets.workers import start_job
        app = QApplication([])
        db = open_database(Path({str(tmp_path / "pool.sqlite")!r}))
        from auditapp.models import Role
        from auditapp.services.users import save_user
        lead = save_user(db, "Lee Lead", Role.PRACTICE_LEAD, None)
        for _ in generate_demo(db, 1500, lead, seed=2):
            pass
        owner, got = QWidget(), []
        for _ in range(3):
            start_job(owner, lambda: len(list_audits(db, lead)), on_finished=got.append)
        while len(got) < 3:
            app.processEvents()
        print("ok", got)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=SUBPROCESS_LIMIT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok [1500, 1500, 1500]" in result.stdout


class _Cycle:
    """A Python object in a reference cycle holding a Qt object, as a closed window is."""

    def __init__(self, died: list[bool]) -> None:
        self.me = self
        self.qt = QObject()
        self.died = died

    def __del__(self) -> None:
        self.died.append(threading.current_thread() is threading.main_thread())


def test_garbage_is_collected_on_the_ui_thread_never_in_a_job(qtbot: QtBot) -> None:
    """A job that allocates past the collector's threshold would collect the cycle on its
    own thread (where Qt aborts for a widget); the app collects on the UI thread only."""
    app = create_application()
    assert not gc.isenabled()
    died: list[bool] = []
    _Cycle(died)  # unreachable at once: only the cycle collector frees it
    done: list[object] = []
    start_job(app, lambda: len([[] for _ in range(50_000)]), on_finished=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=LONG)
    held = [[] for _ in range(2 * gc.get_threshold()[0])]  # now a collection is due here
    qtbot.waitUntil(lambda: bool(died), timeout=LONG)
    assert died == [True] and held
