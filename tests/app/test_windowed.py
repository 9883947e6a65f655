"""The windowed program (Windows' auditapp.exe, started from the Start menu or a double-
clicked bundle) has no console: an error that stops it before its window opens is shown in
a message box, not lost."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from auditapp.app import main, run_windowed
from auditapp.ui.widgets import alerts


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The warnings shown (title, text)."""
    warnings: list[tuple[str, str]] = []
    monkeypatch.setattr(alerts, "warn", lambda _parent, title, text, details="":
                        warnings.append((title, text)))
    return warnings


def _no_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """No standard output or error, as PyInstaller starts a windowed program (set in the
    test itself: pytest puts its own capture back between a fixture and the test)."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)


def test_a_bundle_no_longer_there_is_shown_in_a_message_box(
        qtbot: QtBot, tmp_path: Path, shown: list[tuple[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_console(monkeypatch)
    missing = tmp_path / "moved away.auditbundle"
    assert run_windowed([str(missing)]) == 2
    assert shown == [("auditapp", f"auditapp: error: {missing}: no such bundle file.")]


def test_what_succeeds_shows_nothing(qtbot: QtBot, tmp_path: Path,
                                     shown: list[tuple[str, str]],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _no_console(monkeypatch)
    assert run_windowed(["--db", str(tmp_path / "d.sqlite"), "templates", "list"]) == 0
    assert shown == []


def test_the_entry_point_takes_the_windowed_way_without_a_console(
        qtbot: QtBot, tmp_path: Path, shown: list[tuple[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_console(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["auditapp.exe", str(tmp_path / "x.auditbundle")])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 2
    assert len(shown) == 1
