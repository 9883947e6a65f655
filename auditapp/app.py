"""Start-up: the ``auditapp`` command. Opens the desktop app when no command is given."""

from __future__ import annotations

import sys

from auditapp.cli.main import GuiStart, main_cli


def _start_gui(start: GuiStart) -> int:
    # Imported here so that command-line use never loads Qt.
    from auditapp.ui.shell.application import run_gui

    return run_gui(start.db, bundle=start.bundle, smoke_profile=start.smoke_profile)


def main() -> None:
    """Entry point of the ``auditapp`` command and of ``python main.py``."""
    sys.exit(main_cli(sys.argv[1:], start_gui=_start_gui))
