"""One copy of auditapp per database: an operating-system lock on a file beside it.

The lock is taken with :mod:`filelock` (``fcntl.flock`` on Linux and macOS,
``msvcrt.locking`` on Windows). The operating system drops it when the process ends, however
it ends, so a crash or a flat battery never leaves a stale lock behind. A small ``.owner``
file beside it names who holds it, only to make the refusal message useful.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from auditapp.errors import DatabaseInUseError, DatabaseOpenError, ReadOnlyError
from auditapp.storage.private_files import FILE_MODE, create_private


def lock_path(db_path: Path) -> Path:
    """The lock file of a database."""
    return db_path.with_name(db_path.name + ".lock")


def owner_path(db_path: Path) -> Path:
    """The note naming the process that holds the lock."""
    return db_path.with_name(db_path.name + ".owner")


def _who() -> dict[str, object]:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid(),
            "since": datetime.now().strftime("%Y-%m-%d %H:%M")}


def describe_owner(db_path: Path) -> str:
    """Who holds a database, as far as the owner note says ("" when unknown)."""
    try:
        owner = json.loads(owner_path(db_path).read_text(encoding="utf-8"))
        return (f" (by {owner['user']} on {owner['host']}, process {owner['pid']}, "
                f"since {owner['since']})")
    except (OSError, ValueError, KeyError, TypeError):
        return ""


class InstanceLock:
    """The lock a running copy of auditapp holds on its database until :meth:`release`."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._lock = FileLock(lock_path(db_path), timeout=0, mode=FILE_MODE, thread_local=False,
                              fallback_to_soft=False)

    def acquire(self) -> InstanceLock:
        """Take the lock, or raise :class:`DatabaseInUseError` naming who has it."""
        try:
            self._lock.acquire()
        except Timeout:
            raise DatabaseInUseError(
                f"{self.db_path} is already open in another copy of auditapp"
                f"{describe_owner(self.db_path)}. Switch to that window, or close it and try "
                "again. Two copies writing one database could lose answers, so this one has "
                "not opened it.") from None
        except PermissionError as exc:
            raise ReadOnlyError(
                f"auditapp cannot write in the folder {self.db_path.parent}: it needs to keep "
                "its lock and journal files beside the database. Copy the database to a "
                "folder you can write to and open it there.") from exc
        except OSError as exc:
            raise DatabaseOpenError(
                f"auditapp cannot lock {self.db_path} ({exc.strerror or exc}). Network and "
                "cloud-synced folders often cannot be locked: keep the database on this "
                "computer's own disk.") from exc
        with contextlib.suppress(OSError):
            note = create_private(owner_path(self.db_path))  # it names the user and computer
            note.write_text(json.dumps(_who()), encoding="utf-8")
        return self

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._lock.is_locked

    def release(self) -> None:
        """Let another copy open the database."""
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                owner_path(self.db_path).unlink()
            self._lock.release()


def acquire_instance_lock(db_path: Path) -> InstanceLock:
    """Lock ``db_path`` for this process; raises :class:`DatabaseInUseError` if another has it.

    :func:`auditapp.storage.database.open_database` does this itself; call it directly only for
    work on the file without opening it (restore, encryption).
    """
    return InstanceLock(db_path).acquire()
