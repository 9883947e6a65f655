"""Errors a user can cause and act on. Each carries a message fit to show as it is."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A problem with what the user asked for or gave; shown as one clear message."""


class NotFoundError(UserError):
    """Something named by the user does not exist."""


class PermissionDeniedError(UserError):
    """The actor's role does not allow what they asked for (checked in the domain layer)."""


class ValidationError(UserError):
    """Input with one or more problems; ``problems`` lists each, already located, and ``more``
    counts those found beyond them (a file with thousands of bad rows lists the first few)."""

    def __init__(self, summary: str, problems: list[str], more: int = 0) -> None:
        self.summary = summary
        self.problems = problems
        self.more = more
        lines = [f"  {p}" for p in problems]
        if more:
            lines.append(f"  ... and {more:,} more problem{'s' if more > 1 else ''}")
        super().__init__(summary + "\n" + "\n".join(lines))


class DatabaseOpenError(UserError):
    """The database file cannot be used as it is (newer, foreign, corrupt, unwritable).

    ``backup`` is the newest backup that passed its checks, when there is one, so that the
    UI can offer to restore it (see :func:`auditapp.storage.backups.restore_backup`). The file
    itself has not been changed.
    """

    def __init__(self, message: str, backup: Path | None = None) -> None:
        self.backup = backup
        if backup is not None:
            message += f" The newest good backup is {backup}."
        super().__init__(message)


class DatabaseInUseError(DatabaseOpenError):
    """Another copy of auditapp has the database open."""


class NotAnAuditappDatabaseError(DatabaseOpenError):
    """The file is not an SQLite database, or one that is not auditapp's."""


class NewerDatabaseError(DatabaseOpenError):
    """The database was written by a newer auditapp."""


class DatabaseCorruptError(DatabaseOpenError):
    """SQLite finds the file damaged or truncated."""


class PassphraseRequiredError(DatabaseOpenError):
    """The file looks encrypted and no passphrase was given: ask for one."""


class WrongPassphraseError(DatabaseOpenError):
    """The passphrase does not open the database. Nothing was changed."""


class ReadOnlyError(DatabaseOpenError):
    """The database file or its folder cannot be written to."""


class ConcurrentEditError(UserError):
    """Someone else saved the same record since it was read here (optimistic locking).

    Nothing of this save was written; the caller still holds its changes, to reapply after
    reloading what the other person saved.
    """


class StorageError(UserError):
    """A save could not reach the disk. The save was rolled back as a whole: everything saved
    before it is safe, and the unsaved change is still on screen to save again."""


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full."""


class BackupError(UserError):
    """A backup could not be made, or a file offered for restore is not a good backup."""
