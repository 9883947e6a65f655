"""Each command imports only what it needs: the light ones load no Alembic (unless a
migration runs), spreadsheet, PDF, Qt, bundle cryptography or PostgreSQL driver.

Each command runs in a fresh interpreter, which then lists the heavy packages it loaded."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from auditapp.models import _MODEL_MODULES
from auditapp.storage.database import open_database
from tests.builders import FIXTURES, ROOT, SUBPROCESS_LIMIT

HEAVY = ("alembic", "openpyxl", "reportlab", "PySide6", "cryptography", "psycopg", "lxml")

#: What a command that only reads should not load either, once the database is ready for
#: the command line: the ORM and the mapped classes (a tenth of a second and more).
ORM_AND_MODELS = ("sqlalchemy.orm", *(f"auditapp.models.{module}" for module in _MODEL_MODULES))
#: Nor what only other commands use: the disclosure solver behind the board pack's
#: thresholds, and encrypting a database.
OTHER_COMMANDS = ("auditapp.rules.suppression", "auditapp.storage.encryption")

RUN_AND_LIST_ALL = """
import contextlib, io, json, sys
from auditapp.app import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
    sys.argv = ["auditapp", *sys.argv[1:]]
    main()
print(json.dumps([out.getvalue(), sorted(sys.modules)]))
"""


def _heavy_loaded(*argv: str) -> set[str]:
    return {name.split(".")[0] for name in _run_and_list(*argv)[1]
            if name.split(".")[0] in HEAVY}


def _run_and_list(*argv: str) -> tuple[str, set[str]]:
    """What the command printed, and every module it loaded, in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", RUN_AND_LIST_ALL, *argv],
                            capture_output=True, text=True, env=env, timeout=SUBPROCESS_LIMIT,
                            check=True)
    printed, modules = json.loads(result.stdout.splitlines()[-1])
    return printed, set(modules)


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


@pytest.mark.parametrize("command", [["stats", "--json"], ["stats"], ["templates", "list"],
                                     ["stats", "--from", "2025-04-01", "--to", "2026-03-31"]])
def test_a_reading_command_on_a_ready_database_loads_no_orm(tmp_path: Path, demo_file: Path,
                                                            command: list[str]) -> None:
    """Once the database holds the shipped templates and the command line's profile (the
    first command makes them, through the ORM), a command that only reads loads neither the
    ORM nor a mapped class, and prints what the first, full run printed."""
    path = tmp_path / "audit.sqlite"
    shutil.copyfile(demo_file, path)
    first, loaded_first = _run_and_list("--db", str(path), *command)
    assert "sqlalchemy.orm" in loaded_first  # the profile was made: the check sees the ORM
    again, loaded = _run_and_list("--db", str(path), *command)
    assert again == first and first.strip()
    assert loaded.isdisjoint(ORM_AND_MODELS), sorted(loaded & set(ORM_AND_MODELS))
    assert loaded.isdisjoint(OTHER_COMMANDS), sorted(loaded & set(OTHER_COMMANDS))


def _demo(folder: Path) -> Path:
    """A small demo database (60 audits) with no command-line profile yet."""
    from auditapp.models import Role
    from auditapp.services.demo import generate_demo
    from auditapp.services.users import save_user

    path = folder / "demo.sqlite"
    db = open_database(path, backup=False)
    lead = save_user(db, "Demo Lead", Role.PRACTICE_LEAD, None)
    for _ in generate_demo(db, 60, lead, seed=3, years=2.0, end=date(2026, 3, 31)):
        pass
    db.dispose()
    return path


def test_the_command_line_still_makes_what_a_database_lacks(tmp_path: Path) -> None:
    """A database whose shipped templates are out of date and whose command-line profile is
    no longer a lead gets both put right by the next command, as before the light path."""
    from sqlalchemy import select, update

    from auditapp.models import Role, Setting, User
    from auditapp.services.command_line import command_line_name
    from auditapp.services.shipped_templates import (
        SHIPPED_SETTING,
        fingerprints,
        shipped_template_texts,
    )
    from auditapp.services.users import command_line_profile

    path = tmp_path / "audit.sqlite"
    db = open_database(path, backup=False)
    command_line_profile(db, getpass.getuser())
    name = command_line_name(getpass.getuser())
    with db.transaction() as session:
        session.execute(update(User).where(User.name == name).values(role=Role.AUDITOR))
        session.execute(update(Setting).where(Setting.key == SHIPPED_SETTING)
                        .values(value={"pathway-plan-quality.yaml": "0" * 64}))
    db.dispose()
    printed, loaded = _run_and_list("--db", str(path), "stats", "--json")
    assert json.loads(printed)["audits"] == 0
    assert "sqlalchemy.orm" in loaded
    db = open_database(path, backup=False)
    with db.transaction() as session:
        assert session.scalar(select(User.role).where(User.name == name)) is \
            Role.PRACTICE_LEAD
        assert session.scalar(select(Setting.value).where(Setting.key == SHIPPED_SETTING)) \
            == fingerprints(shipped_template_texts())
    db.dispose()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo database of :func:`_demo`, made once for the tests below (each works on
    copies of it)."""
    return _demo(tmp_path_factory.mktemp("demo"))


def _make_profile_an_auditor(path: Path) -> None:
    from auditapp.services.users import command_line_profile

    db = open_database(path, backup=False)
    command_line_profile(db, getpass.getuser())
    db.dispose()
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE users SET role = 'auditor' WHERE name LIKE '%(command line)'")


def _forget_shipped_templates(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("DELETE FROM settings WHERE key = 'shipped_templates'")


def _ship_a_newer_template(path: Path) -> None:
    """As if this auditapp shipped a changed pathway-plan-quality.yaml: the database holds
    another fingerprint for the file, and no version with the shipped content."""
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE templates SET content_hash = :old WHERE key = :key",
                           {"old": "0" * 64, "key": "pathway-plan-quality"})
        value = json.loads(connection.execute(
            "SELECT value FROM settings WHERE key = 'shipped_templates'").fetchone()[0])
        value["pathway-plan-quality.yaml"] = "0" * 64
        connection.execute("UPDATE settings SET value = ? WHERE key = 'shipped_templates'",
                           (json.dumps(value),))


def _state(path: Path) -> dict[str, object]:
    """What opening for the command line may change: the schema revision, the profiles, the
    template versions (with their sections and questions) and the settings."""
    with closing(sqlite3.connect(path)) as connection:
        return {
            "revision": connection.execute("SELECT version_num FROM alembic_version").fetchall(),
            "users": connection.execute(
                "SELECT name, name_key, role FROM users ORDER BY name").fetchall(),
            "templates": connection.execute(
                "SELECT key, version, title, content_hash, source_name, retired, "
                "(SELECT count(*) FROM sections WHERE template_id = templates.id), "
                "(SELECT count(*) FROM questions JOIN sections "
                " ON sections.id = questions.section_id WHERE template_id = templates.id) "
                "FROM templates ORDER BY key, version").fetchall(),
            "settings": {key: json.loads(value) for key, value in connection.execute(
                "SELECT key, value FROM settings")},
        }


@pytest.mark.parametrize("unready", [
    "no command-line profile", "the profile no longer a lead", "shipped templates never noted",
    "a shipped template changed", "an older schema",
])
def test_a_database_not_ready_goes_the_full_way(tmp_path: Path, demo_file: Path,
                                                unready: str) -> None:
    """A database that lacks what the light path looks for is opened the full way (the ORM
    loads) and ends as the full open (the shipped templates installed, then the command
    line's profile made a lead: what every command did before the light path) leaves a copy
    of it; the next command then takes the light path and prints the same."""
    from auditapp.services.templates import install_shipped_templates
    from auditapp.services.users import command_line_profile

    light, full = tmp_path / "light" / "audit.sqlite", tmp_path / "full" / "audit.sqlite"
    light.parent.mkdir()
    full.parent.mkdir()
    source = FIXTURES / "db" / "v0004.sqlite" if unready == "an older schema" else demo_file
    shutil.copyfile(source, light)
    {"the profile no longer a lead": _make_profile_an_auditor,
     "shipped templates never noted": _forget_shipped_templates,
     "a shipped template changed": _ship_a_newer_template,
     }.get(unready, lambda _path: None)(light)
    shutil.copyfile(light, full)

    printed, loaded = _run_and_list("--db", str(light), "stats", "--json")
    assert "sqlalchemy.orm" in loaded
    db = open_database(full, backup=False)
    install_shipped_templates(db)
    command_line_profile(db, getpass.getuser())
    db.dispose()
    assert _state(light) == _state(full)
    assert any(name.endswith("(command line)") and role == "practice lead"
               for name, _key, role in _state(light)["users"])  # type: ignore[attr-defined]

    again, loaded = _run_and_list("--db", str(light), "stats", "--json")
    assert again == printed
    assert loaded.isdisjoint(ORM_AND_MODELS), sorted(loaded & set(ORM_AND_MODELS))
