"""Write a new Alembic migration by comparing the models with a database migrated to head.

Usage: python tools/new_migration.py "what changed"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from auditapp.storage.database import open_database
from auditapp.storage.schema import alembic_config


def main() -> None:
    """Autogenerate a migration from the difference between the models and head."""
    message = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "head.sqlite")
        with database.engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
        database.dispose()


if __name__ == "__main__":
    main()
