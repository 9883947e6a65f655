"""Start-up: the ``auditapp`` command. Opens the desktop app when no command is given."""

from __future__ import annotations

import io
import sys

from auditapp.cli.main import GuiStart, main_cli


def _start_gui(start: GuiStart) -> int:
    # Imported here so that command-line use never loads Qt.
    from auditapp.ui.shell.start import run_gui

    return run_gui(start.db, bundle=start.bundle, smoke_profile=start.smoke_profile)


def main() -> None:
    """Entry point of the ``auditapp`` command and of ``python main.py``."""
    if sys.stderr is None:  # the windowed auditapp.exe on Windows: there is no console
        sys.exit(run_windowed(sys.argv[1:]))
    sys.exit(main_cli(sys.argv[1:], start_gui=_start_gui))


def run_windowed(argv: list[str]) -> int:
    """Run with no console to print to (Windows' windowed program, started from the Start
    menu or a double-clicked bundle): what would have been printed is kept, and an error
    that stops the program before its window opens (a bundle that is no longer there) is
    shown in a message box rather than lost."""
    printed = io.StringIO()
    sys.stdout = sys.stderr = printed
    code = main_cli(argv, start_gui=_start_gui)
    if code != 0 and printed.getvalue().strip():
        from auditapp.ui.shell.qt_application import create_application
        from auditapp.ui.widgets import alerts

        create_application()
        alerts.warn(None, "auditapp", printed.getvalue().strip())
    return code
