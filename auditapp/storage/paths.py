"""Where auditapp keeps its files, following each platform's conventions."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "auditapp"
DB_FILENAME = "auditapp.sqlite"


def data_dir() -> Path:
    """The user's data folder (``AUDITAPP_DATA_DIR`` overrides it, for trials and tests)."""
    override = os.environ.get("AUDITAPP_DATA_DIR")
    return Path(override) if override else user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    """The database used when ``--db`` names none."""
    return data_dir() / DB_FILENAME


def is_server_url(location: str | Path) -> bool:
    """Whether ``--db`` names a database server (a SQLAlchemy URL) rather than a file."""
    return isinstance(location, str) and "://" in location


def backup_dir(db_path: Path) -> Path:
    """Backups sit beside the database they copy, in a folder of their own."""
    return db_path.parent / "backups"


def journal_path(db_path: Path) -> Path:
    """The journal of the operation under way on a database, if any."""
    return db_path.with_name(db_path.name + ".operation")


def damage_mark(db_path: Path) -> Path:
    """The note beside a database saying a copy of it failed SQLite's integrity check."""
    return db_path.with_name(db_path.name + ".damaged")
