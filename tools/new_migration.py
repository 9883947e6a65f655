"""Write a new Alembic migration by comparing the models with a database migrated to head.

Usage: python tools/new_migration.py "what changed"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from auditapp.storage.engine import sqlite_engine
from auditapp.storage.schema import alembic_config


def main() -> None:
    """Autogenerate a migration from the difference between the models and the database
    the migration chain makes (not ``open_database``: a new database is made from the
    models, so it would show no difference)."""
    message = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        engine = sqlite_engine(Path(folder) / "head.sqlite")
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main()
