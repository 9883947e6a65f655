"""Schema versions: the Alembic revisions this code knows, and the one a database is at.

Alembic itself (and Mako, and every dialect's DDL module with it) takes longer to import
than most commands take to run, so it is imported only when a migration runs
(:func:`alembic_config`). The revisions are read from the migration scripts' own
``revision = "..."`` and ``down_revision = "..."`` lines, and a database's revision from its
``alembic_version`` table; ``tests/storage/test_schema.py`` holds both to Alembic's answers.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(
    r"""^(?P<name>revision|down_revision)\s*(?::[^=]+)?=\s*(?:["'](?P<value>[^"']+)["']|None)""",
    re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic settings built in code, so an installed copy needs no ini file."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@cache
def revision_chain() -> dict[str, str | None]:
    """Every revision of the migration scripts, mapped to the one it follows."""
    chain: dict[str, str | None] = {}
    for script in sorted(VERSIONS_DIR.glob("[0-9]*.py")):
        found = {m["name"]: m["value"] for m in _ASSIGNMENT.finditer(script.read_text("utf-8"))}
        assert "revision" in found, f"{script.name} names no revision"
        chain[found["revision"]] = found.get("down_revision")
    return chain


def head_revision() -> str:
    """The schema revision this code expects: the one no other revision follows."""
    chain = revision_chain()
    heads = set(chain) - set(chain.values())
    assert len(heads) == 1, f"the migrations must form one chain, not end in {sorted(heads)}"
    return heads.pop()


def current_revision(connection: Connection) -> str | None:
    """The schema revision a database is at, or None when it has never been migrated."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return str(row[0]) if row else None


def known_revisions() -> set[str]:
    """Every revision these migrations know, old and current."""
    return set(revision_chain())
