"""``--smoke-test PROFILE``: the app closes by itself once ready, and only then with status 0.

Run for real in a subprocess (the same program a person starts, offscreen), and piece by
piece in this process, where the check watches a real main window and a real dashboard.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from auditapp.services.demo import generate_demo
from auditapp.services.sync.bundles import export_bundle
from auditapp.storage.database import open_database
from auditapp.storage.engine import Database
from auditapp.ui.dialogs.bundles import BundleImportDialog
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.shell.startup_check import EXIT_NOT_READY, StartupCheck
from auditapp.ui.windows.dashboard import DashboardWindow
from tests.builders import LEAD, LONG, SUBPROCESS_LIMIT, add_people

PROFILE = LEAD.name


@pytest.fixture
def demo_db(db: Database) -> Database:
    list(generate_demo(db, 30, LEAD, seed=5, end=date(2026, 6, 30)))
    return db


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """An encrypted bundle of a colleague's audits."""
    colleague = open_database(tmp_path / "colleague.sqlite")
    add_people(colleague)
    try:
        list(generate_demo(colleague, 5, LEAD, seed=7, end=date(2026, 6, 30)))
        path = tmp_path / "colleague.auditbundle"
        list(export_bundle(colleague, path, LEAD, passphrase="a long bundle passphrase"))
    finally:
        colleague.dispose()
    return path


def _app(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """auditapp ARGS offscreen, with its settings in a folder of the test's own."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return subprocess.run([sys.executable, "-m", "auditapp", *args], capture_output=True,
                          text=True, env=env, timeout=SUBPROCESS_LIMIT)


def _laptop(tmp_path: Path) -> Path:
    path = tmp_path / "laptop.sqlite"
    db = open_database(path)
    try:
        add_people(db)  # the profile PROFILE among them
        list(generate_demo(db, 20, LEAD, seed=3, end=date(2026, 6, 30)))
    finally:
        db.dispose()
    return path


def test_the_app_opens_as_the_profile_and_closes_by_itself_once_ready(
        tmp_path: Path, bundle: Path) -> None:
    path = _laptop(tmp_path)
    result = _app(tmp_path, "--db", str(path), "--smoke-test", PROFILE, str(bundle))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    settings = (tmp_path / "cfg" / "auditapp" / "auditapp.conf").read_text()
    assert "geometry" in settings  # the main window was shown and closed as usual
    assert "profile" not in settings  # and the smoke test's profile is not remembered


def test_a_profile_that_is_not_there_is_one_line_and_status_2(tmp_path: Path) -> None:
    path = _laptop(tmp_path)
    result = _app(tmp_path, "--db", str(path), "--smoke-test", "Nobody")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"auditapp: error: no profile named 'Nobody' in {path} (add it with "
        "'auditapp users add').")


def _window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db, LEAD)
    qtbot.addWidget(window)
    return window


def test_ready_means_the_list_filled_and_the_dashboard_drawn(qtbot: QtBot,
                                                            demo_db: Database) -> None:
    check = StartupCheck()
    window = _window(qtbot, demo_db)
    check.watch(window)
    assert check.waiting_for == "the audit list to be filled"
    window.show()
    qtbot.waitUntil(lambda: check.passed, timeout=LONG)
    assert check.waiting_for == "the dashboard's figures"  # the last step before ready
    assert window.model.rowCount() == 30
    assert not window.isVisible()
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, DashboardWindow) and w.isVisible()]
    assert check.exit_code(0) == 0


def test_with_a_bundle_ready_also_means_its_import_dialog_is_open(
        qtbot: QtBot, demo_db: Database, bundle: Path) -> None:
    check = StartupCheck(bundle)
    window = _window(qtbot, demo_db)
    check.watch(window)
    window.show()
    dialog = window.open_bundle(bundle)
    qtbot.waitUntil(lambda: check.passed, timeout=LONG)
    assert isinstance(dialog, BundleImportDialog)
    assert not dialog.isVisible()
    assert check.exit_code(0) == 0


def test_a_bundle_never_offered_is_not_ready_and_fails_at_the_limit(
        qtbot: QtBot, demo_db: Database, bundle: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    check = StartupCheck(bundle)
    window = _window(qtbot, demo_db)
    check.watch(window)
    window.show()  # and no import dialog
    qtbot.waitUntil(lambda: "import dialog" in check.waiting_for, timeout=LONG)
    assert not check.passed
    check.deadline.start(0)  # the time limit runs out now
    qtbot.waitUntil(lambda: check.failed, timeout=LONG)
    assert not window.isVisible()
    assert f"still waiting for the import dialog of {bundle}" in capsys.readouterr().err
    assert check.exit_code(0) == EXIT_NOT_READY


def test_a_dialog_in_the_way_is_named_and_closed(qtbot: QtBot,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    check = StartupCheck()
    in_the_way = QDialog()
    qtbot.addWidget(in_the_way)
    in_the_way.setWindowTitle("auditapp cannot open its database")
    check.deadline.start(0)  # the limit runs out while the dialog waits for an answer
    assert in_the_way.exec() == QDialog.DialogCode.Rejected
    assert check.failed
    message = capsys.readouterr().err
    assert "still waiting for the main window" in message
    assert "in the way: 'auditapp cannot open its database'" in message
    assert check.exit_code(0) == EXIT_NOT_READY
    assert check.exit_code(2) == 2  # a failure of the app's own keeps its status


def test_an_app_closed_before_it_was_ready_is_a_failure(qtbot: QtBot,
                                                        demo_db: Database) -> None:
    check = StartupCheck()
    window = _window(qtbot, demo_db)
    check.watch(window)
    assert check.exit_code(0) == EXIT_NOT_READY
