"""The schema revisions this code knows, read from the migration scripts' own
``revision = "..."`` and ``down_revision = "..."`` lines: no Alembic and no SQLAlchemy, so the
desktop app's first screen can check a file's revision before either has loaded
(:mod:`auditapp.storage.first_read`). ``tests/storage/test_schema.py`` holds these answers to
Alembic's.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
VERSION_TABLE = "alembic_version"
_ASSIGNMENT = re.compile(
    r"""^(?P<name>revision|down_revision)\s*(?::[^=]+)?=\s*(?:["'](?P<value>[^"']+)["']|None)""",
    re.MULTILINE)


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


def known_revisions() -> set[str]:
    """Every revision these migrations know, old and current."""
    return set(revision_chain())
