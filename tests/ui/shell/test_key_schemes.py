"""The promised keys hold under every platform's key scheme: the main window and the editor
are built under each scheme (Windows, macOS, X11, GNOME: see tests/builders.py) and every
key is pressed; no key belongs to two commands of a window. Under X11 itself (a child
process on Xvfb) the audit list's search box, which has the focus at first on the list,
gives Ctrl+E, Ctrl+D and Ctrl+Shift+A back to the window."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow
from pytestqt.qtbot import QtBot

from auditapp.storage.engine import Database
from auditapp.ui.dialogs.export import ExportDialog
from auditapp.ui.dialogs.new_audit import NewAuditDialog
from auditapp.ui.shell.main_window import MainWindow
from auditapp.ui.widgets import alerts
from auditapp.ui.widgets.keys import HOUSE_KEYS, standard_shortcuts
from auditapp.ui.windows.actions_tracker import ActionsTrackerWindow
from auditapp.ui.windows.dashboard import DashboardWindow
from tests.builders import (
    ALEX,
    KEY_SCHEMES,
    LEAD,
    LONG,
    ROOT,
    SUBPROCESS_LIMIT,
    answer_dialogs,
    first_page,
    make_audit,
    open_editor,
    press,
    shortcut,
    show_active,
    use_key_scheme,
)

StandardKey = QKeySequence.StandardKey
CHILD = os.environ.get("AUDITAPP_KEY_SCHEME_CHILD", "")
SCHEMES = sorted(KEY_SCHEMES)


def _main_window(qtbot: QtBot, db: Database, actor: object = ALEX) -> MainWindow:
    window = MainWindow(db, actor)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        show_active(qtbot, window)
    return window


def ambiguous(window: QMainWindow) -> dict[str, list[str]]:
    """Keys that two enabled commands of the window share (Qt would run neither)."""
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            owners.setdefault(keys.toString(), []).append(action.text())
    return {k: v for k, v in owners.items() if len(v) > 1}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_main_windows_keys_hold(qtbot: QtBot, db: Database, small_template_id: int,
                                    scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_key_scheme(monkeypatch, scheme)
    told: list[str] = []
    monkeypatch.setattr(alerts, "inform", lambda _p, title, _text: told.append(title))
    window = _main_window(qtbot, db)
    assert ambiguous(window) == {}
    for action, key in ((window.new_action, StandardKey.New),
                        (window.quit_action, StandardKey.Quit),
                        (window.find_action, StandardKey.Find),
                        (window.refresh_action, StandardKey.Refresh),
                        (window.keys_action, StandardKey.HelpContents)):
        assert action.shortcuts() == standard_shortcuts(key)
        assert QKeySequence(HOUSE_KEYS[key]) in action.shortcuts()
    shortcut(qtbot, window, "Ctrl+F")
    assert window.search.hasFocus() and window.tabs.currentIndex() == 1
    with qtbot.waitSignal(window.audits_loaded, timeout=LONG):
        shortcut(qtbot, window, "F5")
    shortcut(qtbot, window, "F1")
    assert told == ["Keyboard shortcuts"]

    def cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, NewAuditDialog)
        press(qtbot, dialog, "Cancel")

    with answer_dialogs(qtbot, cancel):
        shortcut(qtbot, window, "Ctrl+N")
    show_active(qtbot, window)  # the offscreen platform hands activation back only when asked
    shortcut(qtbot, window, "Ctrl+Q")
    assert not window.isVisible()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_editors_keys_hold(qtbot: QtBot, db: Database, small_template_id: int,
                               scheme: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_key_scheme(monkeypatch, scheme)
    audit = make_audit(db, small_template_id)
    editor = open_editor(qtbot, db, audit)
    assert ambiguous(editor) == {}
    card = first_page(editor).cards[0]
    assert card.hasFocus()  # the editor opens on the first question
    qtbot.keyClick(card, Qt.Key.Key_1)
    assert card.response == "Y"
    shortcut(qtbot, editor, "Ctrl+Z")
    assert card.response is None
    shortcut(qtbot, editor, "Ctrl+Shift+Z")
    assert card.response == "Y"
    shortcut(qtbot, editor, "F5")
    assert editor.statusBar().currentMessage().startswith("Reloaded")
    keys = [k.toString() for k in editor.close_action.shortcuts()]
    assert keys == [k.toString() for k in standard_shortcuts(StandardKey.Close)]
    assert "Ctrl+W" in keys
    shortcut(qtbot, editor, "Ctrl+W")
    assert not editor.isVisible()
    for other in keys:  # every key of the scheme closes it too
        again = open_editor(qtbot, db, audit)
        shortcut(qtbot, again, other)
        assert not again.isVisible(), other


@pytest.mark.skipif(not CHILD, reason="runs under X11, in the child the next test starts")
def test_child_the_search_box_gives_the_windows_keys_back(
        qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts, "warn", lambda *_a, **_k: None)
    window = _main_window(qtbot, db, LEAD)
    shortcut(qtbot, window, "Ctrl+F")
    assert window.search.hasFocus()
    assert "Ctrl+E" in [k.toString() for k in QKeySequence.keyBindings(
        StandardKey.MoveToEndOfLine)]  # the scheme gives Ctrl+E to line edits
    shortcut(qtbot, window, "Ctrl+E")
    (export,) = window.findChildren(ExportDialog)
    assert export.isVisible()
    export.close()
    show_active(qtbot, window)
    shortcut(qtbot, window, "Ctrl+F")
    shortcut(qtbot, window, "Ctrl+D")
    qtbot.waitUntil(lambda: len(window.findChildren(DashboardWindow)) == 1, timeout=LONG)
    show_active(qtbot, window)
    shortcut(qtbot, window, "Ctrl+F")
    shortcut(qtbot, window, "Ctrl+Shift+A")
    assert len(window.findChildren(ActionsTrackerWindow)) == 1
    assert QApplication.platformName() == "xcb"


@pytest.mark.skipif(bool(CHILD), reason="the child runs the X11 test itself")
def test_under_x11_the_search_box_gives_the_windows_keys_back() -> None:
    if shutil.which("xvfb-run") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xvfb-run is missing: .ci/run installs it")
        pytest.skip("xvfb-run is not installed (apt-get install xvfb xauth)")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", XDG_CURRENT_DESKTOP="",
               AUDITAPP_KEY_SCHEME_CHILD="x11")
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "pytest",
         "-q", "-p", "no:cacheprovider", "-k", "child", "tests/ui/shell/test_key_schemes.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_LIMIT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout, done.stdout[-2000:]
