"""Keys that hold under every key scheme: each standard command answers to the platform's
keys and, where a scheme lacks it, to the house key; a field gives the window's keys back
where the scheme gives them to the field. The schemes are Qt's own: Windows in this process
(the offscreen platform uses it), X11 and GNOME in a child process under Xvfb, macOS from
Qt's table (see tests/builders.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLineEdit, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from auditapp.ui.widgets.keys import HOUSE_KEYS, let_shortcuts_through, standard_shortcuts
from tests.builders import (
    KEY_SCHEMES,
    ROOT,
    SUBPROCESS_LIMIT,
    show_active,
    type_text,
    typeable,
    use_key_scheme,
)

StandardKey = QKeySequence.StandardKey
#: Set in the child process that runs under X11: the scheme it should find.
CHILD = os.environ.get("AUDITAPP_KEY_SCHEME_CHILD", "")
DESKTOPS = {"x11": "", "gnome": "GNOME"}  # XDG_CURRENT_DESKTOP that makes Qt pick each


def _resolved(key: StandardKey) -> list[str]:
    return [k.toString() for k in standard_shortcuts(key)]


@pytest.mark.parametrize("scheme", sorted(KEY_SCHEMES))
def test_every_scheme_keeps_its_own_keys_and_gets_the_house_key(
        monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    use_key_scheme(monkeypatch, scheme)
    for key, house in HOUSE_KEYS.items():
        own = KEY_SCHEMES[scheme][key.name]
        resolved = _resolved(key)
        assert resolved[:len(own)] == own  # the platform's own keys come first
        assert resolved.count(house) == 1
        assert resolved == own if house in own else resolved == [*own, house]


def test_where_the_schemes_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    use_key_scheme(monkeypatch, "windows")
    assert _resolved(StandardKey.Quit) == ["Ctrl+Q"]  # Windows has no key to quit
    assert _resolved(StandardKey.Close) == ["Ctrl+F4", "Ctrl+W"]
    use_key_scheme(monkeypatch, "macos")
    assert _resolved(StandardKey.Refresh) == ["Ctrl+R", "F5"]
    assert _resolved(StandardKey.HelpContents) == ["Ctrl+?", "F1"]
    use_key_scheme(monkeypatch, "gnome")
    assert _resolved(StandardKey.Refresh) == ["Ctrl+R", "F5"]


def _qts_own(name: str) -> list[str]:
    return [k.toString() for k in QKeySequence.keyBindings(StandardKey[name]) if typeable(k)]


def test_the_windows_table_is_qts_own_scheme_here(qapp: object) -> None:
    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("the offscreen platform is the one that uses Qt's Windows scheme here")
    assert {name: _qts_own(name) for name in KEY_SCHEMES["windows"]} == KEY_SCHEMES["windows"]


def _window_with_fields(qtbot: QtBot) -> tuple[QMainWindow, QLineEdit, QLineEdit, list[str]]:
    """A window with commands on Ctrl+E, Ctrl+D and Ctrl+Shift+A, a plain line edit, and one
    that lets the window's keys through."""
    window = QMainWindow()
    qtbot.addWidget(window)
    ran: list[str] = []
    for keys in ("Ctrl+E", "Ctrl+D", "Ctrl+Shift+A"):
        action = QAction(keys, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _=False, k=keys: ran.append(k))
        window.addAction(action)
    body = QWidget()
    layout = QVBoxLayout(body)
    plain, through = QLineEdit(), QLineEdit()
    let_shortcuts_through(through)
    layout.addWidget(plain)
    layout.addWidget(through)
    window.setCentralWidget(body)
    show_active(qtbot, window)
    return window, plain, through, ran


def _press_all(qtbot: QtBot, field: QLineEdit, ran: list[str]) -> list[str]:
    ran.clear()
    type_text(qtbot, field, "abcdef")
    for keys in ("Ctrl+E", "Ctrl+D", "Ctrl+Shift+A"):
        combination = QKeySequence(keys)[0]
        qtbot.keyClick(field, combination.key(), combination.keyboardModifiers())
    return list(ran)


def test_a_field_that_lets_keys_through_runs_the_windows_commands(qtbot: QtBot) -> None:
    _window, plain, through, ran = _window_with_fields(qtbot)
    assert _press_all(qtbot, through, ran) == ["Ctrl+E", "Ctrl+D", "Ctrl+Shift+A"]
    assert through.text() == "abcdef"  # nothing was deleted or moved by them
    if not CHILD:  # the Windows scheme gives none of these keys to a line edit
        assert _press_all(qtbot, plain, ran) == ["Ctrl+E", "Ctrl+D", "Ctrl+Shift+A"]


@pytest.mark.skipif(not CHILD, reason="runs under X11, in the child the next test starts")
def test_child_under_x11_qts_scheme_and_a_line_edit_that_takes_keys(qtbot: QtBot) -> None:
    assert QGuiApplication.platformName() == "xcb"
    assert {name: _qts_own(name) for name in KEY_SCHEMES[CHILD]} == KEY_SCHEMES[CHILD]
    _window, plain, through, ran = _window_with_fields(qtbot)
    # The attack: under X11 a plain line edit takes Ctrl+E (to the end of the line), so the
    # window's command on it never runs while the field has the focus ...
    assert _press_all(qtbot, plain, ran) == ["Ctrl+D", "Ctrl+Shift+A"]
    # ... and the defence: the field that lets them through runs them.
    assert _press_all(qtbot, through, ran) == ["Ctrl+E", "Ctrl+D", "Ctrl+Shift+A"]


def run_under_x11(scheme: str, *tests: str) -> subprocess.CompletedProcess[str]:
    """Run test modules' child tests in a child process on an X server (Xvfb)."""
    if shutil.which("xvfb-run") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("xvfb-run is missing: .ci/run installs it")
        pytest.skip("xvfb-run is not installed (apt-get install xvfb xauth)")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", XDG_CURRENT_DESKTOP=DESKTOPS[scheme],
               AUDITAPP_KEY_SCHEME_CHILD=scheme)
    return subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-m", "pytest",
         "-q", "-p", "no:cacheprovider", "-k", "child", *tests],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_LIMIT)


@pytest.mark.skipif(bool(CHILD), reason="the child runs the X11 test itself")
@pytest.mark.parametrize("scheme", sorted(DESKTOPS))
def test_under_x11_schemes_qt_and_the_fields_agree(scheme: str) -> None:
    done = run_under_x11(scheme, "tests/ui/widgets/test_keys.py")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout, done.stdout[-2000:]

