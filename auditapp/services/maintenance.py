"""Checking a database: SQLite's own integrity checks, the schema version and the history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from auditapp.services.history import HistoryCheck, check_history
from auditapp.storage.engine import Database
from auditapp.storage.schema import current_revision, head_revision


@dataclass(frozen=True)
class CheckReport:
    """What ``auditapp check`` found."""

    integrity: list[str]  # ["ok"] when SQLite finds nothing wrong
    foreign_key_problems: int
    schema_revision: str | None
    code_revision: str
    history: HistoryCheck

    @property
    def ok(self) -> bool:
        """Whether the database is sound, at the code's schema, with an unbroken history."""
        return (self.integrity == ["ok"] and self.foreign_key_problems == 0
                and self.schema_revision == self.code_revision and self.history.ok)


def check_database(db: Database) -> CheckReport:
    """Run SQLite's integrity and foreign key checks, compare schema versions and check the
    change history's hash chain. A PostgreSQL server checks its own pages and enforces
    foreign keys on every write, so there only the schema and the history are checked."""
    integrity, foreign = ["ok"], 0
    with db.engine.connect() as connection:
        if not db.is_server:
            integrity = [str(row[0]) for row in connection.execute(
                text("PRAGMA integrity_check"))]
            foreign = len(connection.execute(text("PRAGMA foreign_key_check")).all())
        revision = current_revision(connection)
    try:
        history = check_history(db)
    except UnicodeDecodeError as exc:
        # Text stored as UTF-8 that no longer is: a changed byte SQLite's check cannot see.
        integrity = [*(i for i in integrity if i != "ok"),
                     f"a stored text is not valid UTF-8 ({exc.reason}): it was changed"]
        history = HistoryCheck(0, ["the history could not be read"], 0, "")
    return CheckReport(integrity, foreign, revision, head_revision(), history)
