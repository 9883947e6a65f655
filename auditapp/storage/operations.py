"""Long operations on a database file that must survive being killed at any moment.

Restoring a backup, encrypting a database and changing its passphrase each replace files.
Each writes its new files under temporary names first and checks them; then it writes a
small journal beside the database (``<database>.operation``, JSON, written atomically) that
says what is to be renamed or deleted, and only then renames and deletes. The journal is
removed last. Whoever next takes the database's lock (any start of auditapp, any command)
calls :func:`recover` first, which finishes what a journal describes (a restore, an
encryption or a re-key whose new files were complete) or undoes it (an encryption or a
re-key still preparing: the new files are deleted, the old ones were never touched). Either
way the database is then in the old state or the new one, and no plaintext copy that an
encryption made is left behind. Neither needs a passphrase: finishing is renaming, undoing
is deleting.

Copies cut short by a kill (``*.partial``, and the temporary names below when no journal
refers to them) are deleted by :func:`recover` too.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
from pathlib import Path
from typing import Any

from auditapp.errors import DatabaseOpenError
from auditapp.storage import faults
from auditapp.storage.paths import backup_dir, journal_path
from auditapp.storage.private_files import create_private, private_folder
from auditapp.storage.sqlite_files import SIDE_FILES, side_files, sync_folder

#: The temporary names of the operations' new files, beside the file they will replace.
RESTORING, ENCRYPTING, REKEYING, CREATING = ".restoring", ".encrypting", ".rekey", ".creating"
_TEMPORARY = (RESTORING, ENCRYPTING, CREATING)


def write_journal(db_path: Path, operation: str, **details: Any) -> None:
    """Record (durably, replacing any earlier record) what is about to be done, in a file
    readable by its owner alone (it names the database's files)."""
    journal = journal_path(db_path)
    temporary = journal.with_name(journal.name + ".new")
    temporary.unlink(missing_ok=True)
    with create_private(temporary).open("w", encoding="utf-8") as handle:
        json.dump({"operation": operation, **details}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, journal)
    sync_folder(journal.parent)


def clear_journal(db_path: Path) -> None:
    """The operation is complete: forget it."""
    journal_path(db_path).unlink(missing_ok=True)
    sync_folder(db_path.parent)


def _read_journal(db_path: Path) -> dict[str, Any] | None:
    journal = journal_path(db_path)
    journal.with_name(journal.name + ".new").unlink(missing_ok=True)  # never took effect
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DatabaseOpenError(
            f"The note of an unfinished operation on {db_path} ({journal.name}) cannot be "
            f"read ({exc}). auditapp has changed nothing; ask for help before deleting it."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("operation"), str):
        raise DatabaseOpenError(f"{journal} is not a note auditapp wrote. auditapp has changed "
                                "nothing; ask for help before deleting it.")
    return data


def move(source: Path, target: Path, operation: str) -> None:
    """Rename ``source`` to ``target`` unless that was done already (a step of an operation,
    repeated safely by :func:`recover`)."""
    if source.exists() and not target.exists():
        private_folder(target.parent)
        os.replace(source, target)
        sync_folder(target.parent)
    faults.step(operation)


def move_aside(db_path: Path, aside: Path, operation: str) -> None:
    """Move a database and its journal files to ``aside`` (journal files first: a database
    is never without the log that holds its latest saves, whatever happens between)."""
    for suffix in SIDE_FILES:
        move(db_path.with_name(db_path.name + suffix),
             aside.with_name(aside.name + suffix), operation)
    move(db_path, aside, operation)


def delete(paths: list[Path], operation: str) -> None:
    """Delete files (those already gone are skipped), one step each."""
    for path in paths:
        path.unlink(missing_ok=True)
        faults.step(operation)
    for folder in {path.parent for path in paths}:
        if folder.is_dir():
            sync_folder(folder)


def replace_live(staged: Path, db_path: Path, operation: str) -> None:
    """Put ``staged`` in place of the database, whose journal files (checkpointed and empty
    by now) go first so that SQLite never applies them to the new file."""
    if staged.exists():
        for side in side_files(db_path):
            side.unlink()
        os.replace(staged, db_path)
        sync_folder(db_path.parent)
    faults.step(operation)


def _paths(data: dict[str, Any], key: str) -> list[Path]:
    value = data.get(key) or []
    return [Path(p) for p in (value if isinstance(value, list) else [value])]


def _finish_restore(db_path: Path, data: dict[str, Any]) -> str:
    staged = _paths(data, "staged")[0]
    aside = _paths(data, "aside")
    if staged.exists():
        if aside:
            move_aside(db_path, aside[0], "recover")
        replace_live(staged, db_path, "recover")
    return f"The restore of {db_path} that was interrupted has been finished."


def _settle_encryption(db_path: Path, data: dict[str, Any]) -> str:
    staged = _paths(data, "staged")[0]
    if data.get("phase") == "commit":
        replace_live(staged, db_path, "recover")
        return f"The encryption of {db_path} that was interrupted has been finished."
    delete([staged, *_paths(data, "plain_copy")], "recover")
    return f"The encryption of {db_path} was interrupted; the database is as it was."


def commit_rekey(db_path: Path, files: list[Path], operation: str) -> None:
    """Put every re-keyed copy in place of its file (those already in place are skipped)."""
    for path in files:
        staged = path.with_name(path.name + REKEYING)
        if path == db_path:
            replace_live(staged, db_path, operation)
        elif staged.exists():
            os.replace(staged, path)
            sync_folder(path.parent)
            faults.step(operation)


def _settle_rekey(db_path: Path, data: dict[str, Any]) -> str:
    files = _paths(data, "files")
    if data.get("phase") == "commit":
        commit_rekey(db_path, files, "recover")
        return f"The change of passphrase of {db_path} that was interrupted has been finished."
    delete([p.with_name(p.name + REKEYING) for p in files], "recover")
    return (f"The change of passphrase of {db_path} was interrupted; the old passphrase "
            "still opens it and its backups.")


def _finish_deletion(db_path: Path, data: dict[str, Any]) -> str:
    delete(_paths(data, "files"), "recover")
    return f"The unencrypted backups of {db_path} whose deletion was interrupted are deleted."


def _drop_partial_backup(db_path: Path, data: dict[str, Any]) -> str:
    delete(_paths(data, "partial"), "recover")
    return f"A backup of {db_path} was interrupted; its unfinished copy has been deleted."


_SETTLE = {"restore": _finish_restore, "encrypt": _settle_encryption, "rekey": _settle_rekey,
           "confirm": _finish_deletion, "backup": _drop_partial_backup}


def leftovers(db_path: Path) -> list[Path]:
    """Files an operation cut short leaves and no journal needs: copies not yet complete."""
    name, stem = glob.escape(db_path.name), glob.escape(db_path.stem)
    found = [db_path.with_name(db_path.name + suffix) for suffix in (*_TEMPORARY, REKEYING)]
    found += list(db_path.parent.glob(f"{name}*.partial"))
    folder = backup_dir(db_path)
    if folder.is_dir():
        found += list(folder.glob(f"{stem}-*.partial"))
        found += list(folder.glob(f"{stem}-*{REKEYING}"))
    return [path for path in found if path.exists()]


def recover(db_path: Path) -> list[str]:
    """Finish or undo the operation a journal beside the database describes, then delete
    the copies a kill left behind; returns what was done, in words. Call with the database's
    instance lock held, before anything else touches the file."""
    done: list[str] = []
    data = _read_journal(db_path)
    if data is not None:
        settle = _SETTLE.get(data["operation"])
        if settle is None:
            raise DatabaseOpenError(f"{journal_path(db_path)} names an operation this auditapp "
                                    "does not know; a newer auditapp wrote it. Update auditapp.")
        done.append(settle(db_path, data))
        clear_journal(db_path)
    for path in leftovers(db_path):
        with contextlib.suppress(OSError):
            path.unlink()
    return done
