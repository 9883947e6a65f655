"""The way to the first window loads none of the heavy packages: the windows and dialogs
the main window opens (and the spreadsheet, PDF, cryptography, migration and PostgreSQL
packages behind them) are imported when first opened.

Each import runs in a fresh interpreter, which then lists the heavy packages it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import ROOT, SUBPROCESS_LIMIT

HEAVY = ("openpyxl", "reportlab", "cryptography", "alembic", "psycopg", "psycopg2", "lxml")

IMPORT_AND_LIST = f"""
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {set(HEAVY)!r})))
"""


def _heavy_loaded(module: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", IMPORT_AND_LIST, module],
                            capture_output=True, text=True, env=env, timeout=SUBPROCESS_LIMIT,
                            check=True)
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


@pytest.mark.parametrize("module", ["auditapp.ui.shell.main_window",
                                    "auditapp.ui.shell.application"])
def test_the_way_to_the_first_window_loads_none_of_the_heavy_packages(module: str) -> None:
    assert _heavy_loaded(module) == set()


def test_the_everyday_start_loads_no_sqlalchemy_before_the_first_screen() -> None:
    """The first screen is read with the driver alone (ui/shell/start.py): importing the
    start and the main window loads no SQLAlchemy, no ORM and no service behind them."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    listed = subprocess.run(
        [sys.executable, "-c", "import json, sys; import auditapp.ui.shell.start; "
         "print(json.dumps(sorted(m for m in sys.modules if m.startswith("
         "('sqlalchemy', 'auditapp.models.', 'auditapp.services.users')))))"],
        capture_output=True, text=True, env=env, timeout=SUBPROCESS_LIMIT, check=True)
    assert json.loads(listed.stdout.splitlines()[-1]) == ["auditapp.models.enums"]


@pytest.mark.parametrize(("module", "needs"), [
    ("auditapp.ui.dialogs.bundles", {"cryptography"}),
    ("auditapp.ui.dialogs.new_audit", {"openpyxl"}),
])
def test_a_dialog_opened_later_does_load_them(module: str, needs: set[str]) -> None:
    """The check above sees imports: the dialogs that need a heavy package load it."""
    assert needs <= _heavy_loaded(module)


FIRST_RUN_AND_LIST = f"""
import json, sys, time
from PySide6.QtCore import QThreadPool
from auditapp.ui.shell.qt_application import create_application
from auditapp.ui.shell.main_window import MainWindow
from auditapp.models import Role
from auditapp.services.users import save_user
from auditapp.storage.database import open_database
app = create_application()
db = open_database(sys.argv[1], backup=False)  # a new file: made at head, no migration
window = MainWindow(db, save_user(db, "First Person", Role.PRACTICE_LEAD, None))
shown = []
window.my_work.loaded.connect(lambda: shown.append(True))
window.show()
deadline = time.monotonic() + 300
while not shown and time.monotonic() < deadline:
    app.processEvents()
window.close()
QThreadPool.globalInstance().waitForDone()  # nothing left running as the interpreter ends
print(json.dumps([bool(shown)] + sorted(m for m in sys.modules
                                        if m.split(".")[0] in {set(HEAVY)!r})))
"""


def test_a_first_run_on_a_new_file_loads_none_of_them(tmp_path: Path) -> None:
    """The first window on a new database: the file is made from the models, so not even
    Alembic loads on the way to My work."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", FIRST_RUN_AND_LIST,
                             str(tmp_path / "new.sqlite")], capture_output=True, text=True,
                            env=env, timeout=SUBPROCESS_LIMIT, check=True)
    shown, *loaded = json.loads(result.stdout.splitlines()[-1])
    assert shown and loaded == []
