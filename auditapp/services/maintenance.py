"""Checking a database: SQLite's own integrity checks and the schema version."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from auditapp.database import current_revision, head_revision
from auditapp.models import Database


@dataclass(frozen=True)
class CheckReport:
    """What ``auditapp check`` found."""

    integrity: list[str]  # ["ok"] when SQLite finds nothing wrong
    foreign_key_problems: int
    schema_revision: str | None
    code_revision: str

    @property
    def ok(self) -> bool:
        """Whether the database is sound and at the code's schema."""
        return (self.integrity == ["ok"] and self.foreign_key_problems == 0
                and self.schema_revision == self.code_revision)


def check_database(db: Database) -> CheckReport:
    """Run SQLite's integrity and foreign key checks and compare schema versions."""
    with db.engine.connect() as connection:
        integrity = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
        foreign = len(connection.execute(text("PRAGMA foreign_key_check")).all())
        revision = current_revision(connection)
    return CheckReport(integrity, foreign, revision, head_revision())
