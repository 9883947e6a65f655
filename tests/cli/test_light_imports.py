"""Each command imports only what it needs: the light ones load no Alembic (unless a
migration runs), spreadsheet, PDF, Qt, bundle cryptography or PostgreSQL driver.

Each command runs in a fresh interpreter, which then lists the heavy packages it loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditapp.storage.database import open_database
from tests.builders import FIXTURES, ROOT, SUBPROCESS_LIMIT

HEAVY = ("alembic", "openpyxl", "reportlab", "PySide6", "cryptography", "psycopg", "lxml")

RUN_AND_LIST = f"""
import contextlib, io, json, sys
from auditapp.app import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    sys.argv = ["auditapp", *sys.argv[1:]]
    main()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {set(HEAVY)!r})))
"""


def _heavy_loaded(*argv: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *argv], capture_output=True,
                            text=True, env=env, timeout=SUBPROCESS_LIMIT, check=True)
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


@pytest.fixture(scope="module")
def existing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at the current schema, so that opening it runs no migration."""
    path = tmp_path_factory.mktemp("light") / "audit.sqlite"
    open_database(path, backup=False).dispose()
    return path


@pytest.mark.parametrize("command", [
    ["stats", "--json"], ["stats"], ["templates", "list"], ["users", "list"], ["idle-lock"],
    ["moderation", "stats"], ["check"], ["history", "1"], ["--help"], ["templates", "--help"],
    ["bundle", "--help"], ["programme", "list"],
])
def test_a_light_command_loads_none_of_the_heavy_packages(existing: Path,
                                                          command: list[str]) -> None:
    assert _heavy_loaded("--db", str(existing), *command) == set()


@pytest.mark.parametrize(("command", "needs"), [
    (["export", "excel", "--out", "{folder}/out.xlsx"], {"openpyxl"}),
    (["export", "board-pdf", "--out", "{folder}/out.pdf"], {"reportlab"}),
    (["bundle", "export", "--out", "{folder}/out.bundle"], {"cryptography"}),
])
def test_a_heavy_command_loads_what_it_needs(existing: Path, command: list[str],
                                             needs: set[str]) -> None:
    """The check above sees imports: the commands that need a heavy package do load it."""
    argv = [part.format(folder=existing.parent) for part in command]
    assert needs <= _heavy_loaded("--db", str(existing), *argv)


def test_a_new_database_is_made_without_alembic(tmp_path: Path) -> None:
    """A new file is made at head from the models (storage.new_schema), so even the first
    command on it is light."""
    new = tmp_path / "new.sqlite"
    assert _heavy_loaded("--db", str(new), "stats", "--json") == set()
    assert new.exists()


def test_an_old_database_is_migrated_with_alembic(tmp_path: Path) -> None:
    """The check above sees Alembic when it loads: an upgrade runs the migrations."""
    old = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURES / "db" / "v0004.sqlite", old)
    assert "alembic" in _heavy_loaded("--db", str(old), "stats")


def test_the_conflict_choices_offered_are_the_services() -> None:
    from auditapp.cli.bundles import PREFERENCES
    from auditapp.services.sync import bundles

    assert PREFERENCES == bundles.PREFERENCES


def test_the_bundle_suffix_the_command_line_knows_is_the_services() -> None:
    from auditapp.cli.bundles import SUFFIX
    from auditapp.services.sync import bundle_file

    assert SUFFIX == bundle_file.SUFFIX
