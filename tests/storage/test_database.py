"""Opening databases: migrations to head, and refusing files that are not ours."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from auditapp.cli.main import main_cli
from auditapp.errors import DatabaseCorruptError, DatabaseOpenError, UserError
from auditapp.models import Base
from auditapp.services.maintenance import check_database
from auditapp.storage.database import backup_database, open_database
from auditapp.storage.encryption import encrypt_database
from auditapp.storage.engine import Database
from auditapp.storage.schema import head_revision
from tests.builders import make_audit
from tests.figures import FIGURES


def test_empty_database_upgrades_to_head_matching_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_settings_are_on(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_reopening_an_up_to_date_database_needs_no_upgrade_backup(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    open_database(path).dispose()
    open_database(path).dispose()
    assert [p.name.split("-")[1] for p in (tmp_path / "backups").iterdir()] == ["startup"]


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite"
    open_database(path).dispose()
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError, match="newer auditapp"):
        open_database(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseOpenError, match="not auditapp's"):
        open_database(path)


def test_non_sqlite_file_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"Dear diary, " * 100)
    with pytest.raises(DatabaseOpenError, match="not an SQLite file"):
        open_database(path)
    assert path.read_bytes() == b"Dear diary, " * 100


def test_backup_copies_a_live_database(db: Database, tmp_path: Path) -> None:
    assert db.path is not None
    copy = backup_database(db.path, tmp_path / "copy" / "backup.sqlite")
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert {"audits", "answers", "templates"} <= tables


def test_a_flipped_bit_in_the_schema_text_is_one_clear_refusal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.sqlite"
    open_database(path, backup=False).dispose()
    data = bytearray(path.read_bytes())
    # The live text is the last copy (earlier ones are free space the migrations left).
    at = data.rindex(b"CREATE TABLE cases")
    data[at] ^= 0x01  # "BREATE TABLE cases": the schema no longer parses
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseOpenError) as caught:
        open_database(path)
    assert str(path) in str(caught.value)
    assert main_cli(["--db", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert path.read_bytes() == bytes(data)


def _live_schema_sql(path: Path, table: str) -> range:
    """Where a table's CREATE statement lies in the file: the copy with the statement as the
    schema holds it now (older copies, from before a migration changed the table, lie in
    free space)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                 (table,)).fetchone()[0].encode()
    at = path.read_bytes().rindex(sql)
    return range(at, at + len(sql))


def _schema_record(path: Path, table: str) -> range:
    """Where a table's row of sqlite_master lies in the file: its cell's header, type, names
    and CREATE statement."""
    sql = _live_schema_sql(path, table)
    names = path.read_bytes().rindex(f"table{table}{table}".encode(), 0, sql.start)
    return range(names - 8, sql.stop)


def test_every_flipped_high_bit_in_a_schema_record_is_refused_as_damage(tmp_path: Path) -> None:
    """A byte of a table's name or CREATE statement made non-ASCII: SQLite's message about
    the malformed schema then quotes bytes that are not UTF-8, and Python raises
    UnicodeDecodeError from it instead of SQLite's error (the attack, checked first). Every
    such file is opened or refused as damaged, naming the file, and is left unchanged."""
    path = tmp_path / "audit.sqlite"
    open_database(path, backup=False).dispose()
    data = path.read_bytes()
    record = _schema_record(path, "users")
    undecodable = refused = 0
    for offset in record:
        copy = tmp_path / f"flip-{offset}" / "audit.sqlite"
        copy.parent.mkdir()
        flipped = bytearray(data)
        flipped[offset] ^= 0x80
        copy.write_bytes(bytes(flipped))
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(copy)) as raw:
            try:
                raw.execute("SELECT name FROM sqlite_master").fetchall()
            except UnicodeDecodeError:
                undecodable += 1
        try:
            open_database(copy, backup=False).dispose()
        except DatabaseCorruptError as exc:
            refused += str(copy) in str(exc)
        assert copy.read_bytes() == bytes(flipped), offset
    FIGURES["high bits flipped in a schema record"] += len(record)
    FIGURES["... refused as damaged (SQLite's message not UTF-8)"] += undecodable
    assert undecodable > len(record) // 4 and refused >= undecodable


def test_a_database_whose_schema_names_are_not_text_is_refused_and_restorable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The remedy the refusal offers works: the damaged file is refused in one line by the
    command line, and ``restore`` puts the backup in its place (keeping the damaged file)."""
    path = tmp_path / "audit.sqlite"
    open_database(path).dispose()
    open_database(path).dispose()  # a start-up backup
    backup = next((tmp_path / "backups").iterdir())
    data = bytearray(path.read_bytes())
    data[_live_schema_sql(path, "users").start + 2] ^= 0x80  # "CR\xc5ATE TABLE users ("
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError, match="not text") as caught:
        open_database(path)
    assert caught.value.backup == backup
    assert main_cli(["--db", str(path), "stats"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main_cli(["--db", str(path), "restore", str(backup)]) == 0
    open_database(path, backup=False).dispose()
    assert [b for b in (tmp_path / "backups").iterdir() if "replaced" in b.name]


def _contents(path: Path, passphrase: str) -> dict[str, list[tuple[object, ...]]]:
    db = open_database(path, passphrase, backup=False)
    try:
        with db.engine.connect() as connection:
            tables = [r[0] for r in connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
            return {t: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{t}"'))),
                              key=repr) for t in tables}
    finally:
        db.dispose()


def test_every_flipped_bit_in_an_encrypted_database_is_caught(
        tmp_path: Path, small_template_id: int, db: Database) -> None:
    """What the README recommends encryption for: SQLCipher's page HMAC refuses a changed
    page, so a flipped bit is refused on opening or reported by check, or changed no stored
    value (unused space). In a plain database check finds only the changes the history
    covers (see the README)."""
    secret = "correct horse battery"
    assert db.path is not None
    make_audit(db, small_template_id, "FLIP-1")
    db.dispose()
    encrypted = db.path
    encrypt_database(encrypted, secret)
    original = _contents(encrypted, secret)
    size = encrypted.stat().st_size
    rng = random.Random(13)
    for flip in range(12):
        copy = tmp_path / f"flip-{flip}" / "audit.sqlite"
        copy.parent.mkdir()
        data = bytearray(encrypted.read_bytes())
        data[rng.randrange(size)] ^= 1 << rng.randrange(8)
        copy.write_bytes(bytes(data))
        try:
            reopened = open_database(copy, secret, backup=False)
        except UserError:
            FIGURES["bit flips in an encrypted database: refused on opening"] += 1
            continue
        report = check_database(reopened)
        reopened.dispose()
        if report.ok:
            assert _contents(copy, secret) == original, f"flip {flip} changed a stored value"
            FIGURES["bit flips in an encrypted database: in unused space"] += 1
        else:
            FIGURES["bit flips in an encrypted database: reported by check"] += 1
