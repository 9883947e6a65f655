"""Writing an export so that the target only ever holds a complete file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditapp.errors import UserError

#: The files beside a database that belong to it (its journals, lock, owner and operation
#: journal), and how an SQLite database file begins.
_DATABASE_FILE_ENDINGS = ("-wal", "-shm", "-journal", ".lock", ".owner", ".operation")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_database_file(path: Path) -> bool:
    """Whether ``path`` is a database (auditapp's, encrypted or not: a lock file lies beside
    it; or any SQLite file) or one of a database's own files, there or yet to come."""
    if path.name.endswith(_DATABASE_FILE_ENDINGS) or path.with_name(path.name + ".lock").exists():
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def check_target(path: Path) -> Path:
    """The absolute target path, or a clear error when it cannot be written there. An export
    replaces an earlier export of the same name, but never a database or its files (a typo
    of ``--out`` must not cost the database)."""
    path = path.expanduser().absolute()
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name to export to.")
    if _is_database_file(path):
        raise UserError(f"{path} is a database or one of its files; auditapp never writes an "
                        "export over it. Give another file name.")
    if not path.parent.is_dir():
        raise UserError(f"The folder {path.parent} does not exist.")
    return path


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed onto ``path`` when the block
    ends normally, deleted when it ends with an error or the export is cancelled."""
    path = check_target(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".part")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        try:
            os.replace(temporary, path)
        except PermissionError as exc:
            raise UserError(f"Cannot replace {path}: it may be open in another program. "
                            "Close it and export again.") from exc
    finally:
        temporary.unlink(missing_ok=True)
