"""Crash safety: the SQLite settings, the kill test, and a second copy of auditapp."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from auditapp.errors import DatabaseInUseError
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from tests.builders import ROOT, SUBPROCESS_LIMIT, make_audit
from tests.figures import FIGURES

KILLS = 25
SIGKILL = getattr(signal, "SIGKILL", None)


def test_connection_settings_are_those_the_readme_promises(db: Database) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "fullfsync": 1,
                "checkpoint_fullfsync": 1, "busy_timeout": 5000}
    with db.engine.connect() as connection:
        for pragma, value in expected.items():
            assert connection.execute(text(f"PRAGMA {pragma}")).scalar() == value, pragma
    for promise in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "fullfsync=ON",
                    "checkpoint_fullfsync=ON", "busy_timeout=5000"):
        assert f"`{promise}`" in readme, promise


def _start_worker(path: Path, audit_id: int, first: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.kill_worker", str(path), str(audit_id), str(first)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_after(worker: subprocess.Popen[str], rng: random.Random) -> list[str]:
    """Wait for the worker to have saved once (however long a loaded machine takes), kill it
    at a random moment after, return what it said."""
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready", worker.stderr.read() if \
        worker.stderr else ""
    first = worker.stdout.readline()  # blocks until a save has returned
    time.sleep(rng.uniform(0.0, 0.25))
    worker.send_signal(SIGKILL)
    out, err = worker.communicate(timeout=SUBPROCESS_LIMIT)  # a hang guard, not a speed check
    assert worker.returncode == -SIGKILL, err
    return [first, *out.splitlines()]


def _committed_saves(path: Path) -> set[int]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = connection.execute(
            "SELECT new_value FROM change_events WHERE field = 'evidence'").fetchall()
    finally:
        connection.close()
    return {int(value.split()[1]) for (value,) in rows if value and value.startswith("save ")}


@pytest.mark.skipif(SIGKILL is None, reason="this platform has no SIGKILL (Windows)")
def test_killed_saves_keep_every_answer_whose_save_returned(
        tmp_path: Path, small_template_id: int, db: Database) -> None:
    audit_id = make_audit(db, small_template_id)
    path = db.path
    assert path is not None
    db.dispose()
    rng = random.Random(6)
    reported: set[int] = set()
    next_number = 0
    for _ in range(KILLS):
        lines = _kill_after(_start_worker(path, audit_id, next_number), rng)
        numbers = [int(line.split()[0]) for line in lines if line.strip()]
        reported.update(numbers)
        committed = _committed_saves(path)
        assert reported <= committed, sorted(reported - committed)[:5]
        next_number = max(committed, default=-1) + 1
        FIGURES["kills survived"] += 1
    FIGURES["answers checked after kills"] += len(reported)
    assert len(reported) >= KILLS  # the worker really saved between kills
    reopened = open_database(path)
    assert reopened.path == path
    reopened.dispose()


@pytest.mark.skipif(SIGKILL is None, reason="this platform has no SIGKILL (Windows)")
def test_a_second_copy_is_refused_until_the_first_is_gone(
        small_template_id: int, db: Database) -> None:
    audit_id = make_audit(db, small_template_id)
    path = db.path
    assert path is not None
    with pytest.raises(DatabaseInUseError, match="already open in another copy of auditapp"):
        open_database(path)
    db.dispose()
    worker = _start_worker(path, audit_id, 0)
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    with pytest.raises(DatabaseInUseError, match=f"process {worker.pid}"):
        open_database(path)
    worker.send_signal(SIGKILL)
    worker.communicate(timeout=SUBPROCESS_LIMIT)
    open_database(path).dispose()  # the operating system dropped the dead process's lock


def test_the_lock_is_released_when_the_database_is_closed(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    first = open_database(path)
    first.dispose()
    second = open_database(path)
    assert second.lock is not None and second.lock.held
    second.dispose()
    assert not os.path.exists(tmp_path / "a.sqlite.owner")
