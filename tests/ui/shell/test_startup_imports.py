"""The way to the first window loads none of the heavy packages: the windows and dialogs
the main window opens (and the spreadsheet, PDF, cryptography, migration and PostgreSQL
packages behind them) are imported when first opened.

Each import runs in a fresh interpreter, which then lists the heavy packages it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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


@pytest.mark.parametrize(("module", "needs"), [
    ("auditapp.ui.dialogs.bundles", {"cryptography"}),
    ("auditapp.ui.dialogs.new_audit", {"openpyxl"}),
])
def test_a_dialog_opened_later_does_load_them(module: str, needs: set[str]) -> None:
    """The check above sees imports: the dialogs that need a heavy package load it."""
    assert needs <= _heavy_loaded(module)
