"""Start-up: the ``auditapp`` command. Opens the desktop app when no command is given."""

from __future__ import annotations

import sys
from pathlib import Path

from auditapp.cli.main import main_cli


def _start_gui(db_path: Path | str | None) -> int:
    # Imported here so that command-line use never loads Qt.
    from auditapp.ui.shell.application import run_gui

    return run_gui(db_path)


def main() -> None:
    """Entry point of the ``auditapp`` command and of ``python main.py``."""
    sys.exit(main_cli(sys.argv[1:], start_gui=_start_gui))
