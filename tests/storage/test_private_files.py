"""Every file auditapp creates is readable by its owner alone, whatever the umask lets through.

The attack: another user of the computer reads the database, a backup, a bundle or an export.
Each test runs with a umask of 000 (a file made with the default 0666 would be readable and
writable by everyone), drives the real commands, then lists every file and folder they made
and asserts that none is open to the group or to others."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditapp.cli.main import main_cli
from auditapp.services.templates import (
    export_template_workbook,
    find_template_id,
    import_template_file,
)
from auditapp.storage.database import open_database
from auditapp.storage.sqlite_files import side_files
from tests.builders import FIXTURES, LEAD, SMALL_TEMPLATE, add_people, answer, make_audit

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Windows has no file modes (the "
                                                           "README says what it does instead)")


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The most permissive umask: what a file gets is then exactly what auditapp asked for."""
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _open_to_others(root: Path, *leave: Path) -> dict[str, str]:
    """Every file or folder under ``root`` that someone other than its owner may use."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path in leave:
            continue
        if _mode(path) & (stat.S_IRWXG | stat.S_IRWXO):
            found[str(path.relative_to(root))] = oct(_mode(path))
    return found


def _cli(db_path: Path, *args: str) -> None:
    assert main_cli(["--db", str(db_path), *args]) == 0, args


def test_every_file_the_commands_create_is_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    db_path = data / "audit.sqlite"
    secret = tmp_path / "secret.txt"
    secret.write_text("correct horse battery staple\n", encoding="utf-8")
    secret.chmod(0o600)
    _cli(db_path, "templates", "import", str(SMALL_TEMPLATE))  # the database and its backup
    _cli(db_path, "demo", "--audits", "12", "--seed", "3", "--end", "2026-06-30")
    _cli(db_path, "backup")
    _cli(db_path, "backup", "--out", str(out / "copy.sqlite"))
    _cli(db_path, "history", "1", "--out", str(out / "history.csv"))
    _cli(db_path, "export", "excel", "--out", str(out / "findings.xlsx"))
    _cli(db_path, "export", "audit-pdf", "1", "--out", str(out / "feedback.pdf"))
    _cli(db_path, "export", "board-pdf", "--from", "2024-01-01", "--to", "2026-06-30",
         "--out", str(out / "board.pdf"))
    _cli(db_path, "bundle", "export", "--out", str(out / "all.auditbundle"))
    _cli(db_path, "restore", str(out / "copy.sqlite"))  # the current file is moved aside
    _cli(db_path, "encrypt", "--new-passphrase-file", str(secret))  # an encrypted file, a
    # plain copy kept until confirmed
    _cli(db_path, "--passphrase-file", str(secret), "backup")  # an encrypted backup
    made = {p.name for p in out.iterdir()}
    assert made == {"copy.sqlite", "history.csv", "findings.xlsx", "feedback.pdf", "board.pdf",
                    "all.auditbundle"}
    kinds = {p.name.split("-")[1] for p in (data / "backups").iterdir()}
    assert {"manual", "replaced", "plain"} <= kinds and kinds & {"startup", "daily"}, kinds
    assert _open_to_others(out) == {}
    assert _open_to_others(data) == {}
    assert _mode(data) == 0o700 and _mode(data / "backups") == 0o700


def test_the_database_its_journal_lock_and_owner_note_while_open(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "audit.sqlite"
    db = open_database(db_path)
    try:
        add_people(db)
        import_template_file(db, SMALL_TEMPLATE, LEAD)
        template = find_template_id(db, "small-test")
        answer(db, make_audit(db, template, "P-1"), "A.1", "Y", "On file")
        export_template_workbook(db, template, tmp_path / "template.xlsx")
        present = {p.name for p in db_path.parent.iterdir()}
        assert {"audit.sqlite", "audit.sqlite-wal", "audit.sqlite-shm", "audit.sqlite.lock",
                "audit.sqlite.owner"} <= present, present
        assert _open_to_others(tmp_path) == {}
    finally:
        db.dispose()


def test_a_database_left_readable_by_an_older_auditapp_is_made_owner_only(tmp_path: Path
                                                                           ) -> None:
    db_path = tmp_path / "audit.sqlite"
    open_database(db_path, backup=False).dispose()
    os.chmod(db_path, 0o644)  # as auditapp 0004 left it
    for side in side_files(db_path):
        os.chmod(side, 0o644)
    db = open_database(db_path, backup=False)
    try:
        assert _mode(db_path) == 0o600
        assert all(_mode(side) == 0o600 for side in side_files(db_path))
    finally:
        db.dispose()


def test_the_backup_before_an_upgrade_and_the_upgraded_file(tmp_path: Path) -> None:
    db_path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "db" / "v0004.sqlite", db_path)
    os.chmod(db_path, 0o644)
    _cli(db_path, "check")
    assert [p.name for p in (tmp_path / "backups").iterdir() if "-before-" in p.name]
    assert _open_to_others(tmp_path) == {}


def test_an_export_over_a_readable_file_replaces_it_with_an_owner_only_one(tmp_path: Path
                                                                            ) -> None:
    db_path = tmp_path / "data" / "audit.sqlite"
    _cli(db_path, "demo", "--audits", "3", "--seed", "1", "--end", "2026-06-30")
    target = tmp_path / "history.csv"
    target.write_text("an older export\n", encoding="utf-8")
    target.chmod(0o644)
    _cli(db_path, "history", "1", "--out", str(target))
    assert _mode(target) == 0o600
    assert "an older export" not in target.read_text(encoding="utf-8-sig")


def test_a_shared_folder_the_user_chose_is_left_as_it_is(tmp_path: Path) -> None:
    shared = tmp_path / "team"
    shared.mkdir(mode=0o775)
    open_database(shared / "audit.sqlite", backup=False).dispose()
    assert _mode(shared) == 0o775  # not ours to take from the team
    assert _mode(shared / "audit.sqlite") == 0o600
